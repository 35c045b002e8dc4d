"""A Markdown document as :class:`~policy_history.redline.model.Block` objects, and their HTML.

Blocks render lazily through the caller's Markdown function, each distinct source once.
Recently parsed documents are kept by their text, immutable (see ``memo``); a text is
parsed from the one parsed before it, whose pieces it mostly shares (``_reparsed``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from itertools import compress
from operator import ne

from policy_history.redline.blocks import ITEM_RE, Splitter, _Raw, normalise, plain_title
from policy_history.redline.model import Block


@dataclass
class Document:
    """A Markdown document as blocks, plus its reference-link definitions."""

    blocks: list[Block]
    refdefs: dict[str, str]


KEY_PREFIX = {
    "heading": "h",
    "paragraph": "p",
    "list_item": "li",
    "table_header": "th",
    "table_row": "tr",
    "blockquote": "q",
    "code": "code",
    "html": "html",
    "hr": "hr",
    "admonition": "adm",
}


LABEL_RE = re.compile(r"\[([^\[\]]+)\]")


def _used_refs(text: str, refdefs: dict[str, str]) -> list[str]:
    """Labels of the reference definitions the text uses, in first-use order."""
    if not refdefs or "[" not in text:
        return []
    found = (normalise(label.lower()) for label in LABEL_RE.findall(text))
    return list(dict.fromkeys(label for label in found if label in refdefs))


#: The Block fields parsing fills in, in Block's order: cached blocks are kept as tuples
#: of these and built positionally (the fastest way), so the orders must agree.
SPEC_FIELDS = (
    "kind", "source", "key", "text", "index", "line", "depth", "list_type", "ordinal",
    "level", "title", "section", "group",
)  # fmt: skip
assert tuple(f.name for f in fields(Block))[: len(SPEC_FIELDS)] == SPEC_FIELDS
_BlockSpec = tuple[str, str, str, str, int, int, int, str, int, int, str, str, int]


@dataclass(frozen=True, eq=False)  # compared by identity: kept pieces are shared
class _Piece:
    """The blocks of a piece of a document, numbered from the piece's start: its blocks'
    ``index``, ``line`` and ``group`` are offset by the pieces before it."""

    specs: tuple[_BlockSpec, ...]
    groups: int  # lists and tables started in the piece
    section: str  # the section at its end (the one it started in if it has no heading)


#: (piece, its first block's index, its first line - 1, groups before it).
Placed = tuple[_Piece, int, int, int]
Piece = _Piece


@dataclass(frozen=True)
class _Parsed:
    pieces: tuple[Placed, ...]
    refdefs: tuple[tuple[str, str], ...]
    #: what parsing the next text from this one needs (``_reparsed``): the text, its
    #: lines, where pieces may start, and the number in ``starts`` of each piece's start
    text: str = ""
    lines: tuple[str, ...] = ()
    starts: tuple[int, ...] = ()
    firsts: tuple[int, ...] = ()


#: Documents parsed lately, by their text: a site diffs each version against several
#: others. Entries are immutable; every caller gets Blocks of its own.
PARSE_CACHE_SIZE = 8
#: Pieces of documents (see ``_pieces``) parsed lately, by their text: consecutive
#: versions of a policy share most of theirs. A big policy has several hundred (Facebook's
#: privacy policy about 540).
PIECE_CACHE_SIZE = 8192
#: How many times a piece is extended to the next one when its last block runs on into
#: it (raw HTML with blank lines inside) before the piece is taken to the document's end.
PIECE_RUN_ON = 16


def parse(markdown_text: str, html_for: Callable[[Block], str] | None = None) -> Document:
    """Split ``markdown_text`` into blocks; ``html_for`` renders a block (see render_block)."""
    parsed = _parse_cached(markdown_text)
    blocks = [block for placed in parsed.pieces for block in placed_blocks(placed, html_for)]
    return Document(blocks, dict(parsed.refdefs))


def pieces(markdown_text: str) -> tuple[Placed, ...]:
    """The document's pieces, each placed after the ones before it (see ``_pieces``):
    kept ones are the same objects, so a piece two versions share is found by identity."""
    return _parse_cached(markdown_text).pieces


def placed_blocks(placed: Placed, html_for: Callable[[Block], str] | None = None,
                  start: int = 0, stop: int | None = None) -> list[Block]:
    """The blocks of a placed piece (``start``:``stop`` of them), numbered in its
    document."""
    piece, first_index, first_line, groups_before = placed
    return [
        Block(kind, source, key, text, index + first_index, line + first_line, depth,
              list_type, ordinal, level, title, section, group + groups_before, _html=html_for)
        for (kind, source, key, text, index, line, depth, list_type, ordinal, level, title,
             section, group) in piece.specs[start:stop]
    ]  # fmt: skip


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_cached(markdown_text: str) -> _Parsed:
    parsed = _reparsed(markdown_text, _LAST[0]) if _LAST else None
    if parsed is None:
        parsed = _parsed_whole(markdown_text)
    _LAST[:] = [parsed]
    return parsed


def _parsed_whole(markdown_text: str) -> _Parsed:
    """``markdown_text`` parsed from scratch, as when no text came before it."""
    splitter = Splitter(markdown_text)
    refdefs = tuple(splitter.refdefs.items())
    lines = tuple(splitter.lines)
    starts = _piece_starts(lines)
    placed, firsts = _pieces(lines, starts, refdefs)
    return _Parsed(placed, refdefs, markdown_text, lines, tuple(starts), firsts)


#: the text parsed last: the next one is mostly the same (the other side of a redline,
#: the next revision)
_LAST: list[_Parsed] = []


def forget_last_parse() -> None:
    """Parse the next text whole (``memo.clear_caches``)."""
    _LAST.clear()


#: the pieces ``_pieces`` may take over from a text parsed before: placed, the number in
#: ``starts`` of each one's start and of the next piece's, and the blocks, groups and
#: section after them
_Taken = tuple[list[Placed], list[int], int, tuple[int, int, str]]
#: how many characters the texts are compared by at a time (``_common_prefix``)
_STRIDE = 4096


def _reparsed(text: str, base: _Parsed) -> _Parsed | None:
    """``text`` parsed from ``base``, a text parsed before that is mostly the same: the
    lines before the first that differs and after the last are ``base``'s; its pieces
    that read only lines before are taken whole, and so are those that read only lines
    after, once the pieces in between lead to the same place (the same line, in the same
    section), moved by the lines and blocks in between. Where the lines in between are
    as many as before (words or links edited in place), only those that differ are new:
    the pieces between them are taken too. The result is the same as parsing ``text``
    whole (``tests/redline/test_reparse.py``). None where there is nothing to take: a
    text with reference definitions (they are in every piece), carriage returns or tabs."""
    old = base.text
    if not old or base.refdefs or any(mark in text for mark in ("]:", "\r", "\t")):
        return None
    prefix = _common_prefix(old, text)
    suffix = min(_common_suffix(old, text), len(old) - prefix, len(text) - prefix)
    # lines before ``changed`` are the same; lines from ``old_end`` (``new_end``) on too,
    # and each starts after a newline of the common end, so it is a line in both
    changed = old.count("\n", 0, prefix)
    old_end = old.count("\n", 0, len(old) - suffix) + 1
    new_end = text.count("\n", 0, len(text) - suffix) + 1
    start = text.rfind("\n", 0, prefix) + 1
    stop = text.find("\n", len(text) - suffix)  # -1: no line starts in the common end
    middle = text[start:] if stop < 0 else text[start:stop]
    lines = (*base.lines[:changed],
             *("" if not line.strip() else line for line in middle.split("\n")),
             *base.lines[old_end:])
    shift = new_end - old_end
    # the lines that differ, when the middle has as many as before: the pieces between
    # them can be taken too. Otherwise only those after the middle can (all of them).
    differ: list[int] | None = None
    if shift:
        # a line's start depends on it and the line before it
        starts = (*(n for n in base.starts if n < changed),
                  *_piece_starts(lines, changed, min(new_end + 1, len(lines))),
                  *(n + shift for n in base.starts if n > old_end))
    else:  # each line is where it was: only those that differ are new
        differ = list(compress(range(changed, new_end),
                               map(ne, lines[changed:new_end], base.lines[changed:new_end])))
        near = {*differ, *(n + 1 for n in differ if n + 1 < len(lines))}
        starts = tuple(sorted((*(n for n in base.starts if n not in near),
                               *(n for n in near if _starts_piece(lines, n)))))
    # the pieces that read only lines before ``changed``: a piece reads through the next
    # one's first line (the last one, to the end)
    first_lines = [line for _, _, line, _ in base.pieces]
    kept = max(bisect_left(first_lines, changed) - 1, 0)
    firsts = base.firsts
    placed = list(base.pieces[:kept])
    after = (0, 0, "")
    if kept:
        piece, index, _, groups = placed[-1]
        after = (index + len(piece.specs), groups + piece.groups, piece.section)

    def take(line: int, index: int, groups: int, section: str) -> _Taken | None:
        """``base``'s pieces from the one at ``line`` (a piece starts there in both), as
        long as the lines each reads are ``base``'s, placed after ``index`` blocks and
        ``groups`` groups, if it starts after the same section. (A piece's blocks depend on
        its lines and the section before it; the lines it reads through its sentinel tell
        where the next piece starts.)"""
        if differ is None and line - shift <= old_end:
            return None
        n = bisect_left(first_lines, line - shift)
        if n == len(first_lines) or first_lines[n] != line - shift or \
                (base.pieces[n - 1][0].section if n else "") != section:
            return None
        end = len(base.pieces)
        if differ is not None:  # up to the piece whose lines (through its sentinel)
            at = bisect_left(differ, line)  # hold the next line that differs
            if at < len(differ):
                end = bisect_left(first_lines, differ[at]) - 1
                if end <= n:
                    return None
        blocks, lists = index - base.pieces[n][1], groups - base.pieces[n][3]
        taken = list(base.pieces[n:end]) if not (blocks or lists or shift) else [
            (piece, first_index + blocks, first_line + shift, groups_before + lists)
            for piece, first_index, first_line, groups_before in base.pieces[n:end]]
        renumbered = bisect_left(starts, line) - base.firsts[n]
        numbers = list(base.firsts[n:end]) if not renumbered else \
            [first + renumbered for first in base.firsts[n:end]]
        last, index, _, groups = taken[-1]
        next_k = base.firsts[end] + renumbered if end < len(base.pieces) else len(starts)
        return taken, numbers, next_k, (index + len(last.specs), groups + last.groups,
                                        last.section)

    k = firsts[kept] if kept < len(firsts) else len(starts)
    more, more_firsts = _pieces(lines, starts, (), k, after, take)
    return _Parsed((*placed, *more), (), text, lines, tuple(starts),
                   (*firsts[:kept], *more_firsts))


def _common_prefix(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` start with alike (compared a stride at a time,
    then by halves of the stride that differs)."""
    size = min(len(a), len(b))
    low = 0
    while low + _STRIDE <= size and a[low:low + _STRIDE] == b[low:low + _STRIDE]:
        low += _STRIDE
    high = min(low + _STRIDE, size)
    while low < high:  # alike before ``low``; not alike up to beyond ``high``
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` end with alike (as ``_common_prefix``)."""
    size, end_a, end_b = min(len(a), len(b)), len(a), len(b)
    low = 0
    while low + _STRIDE <= size and \
            a[end_a - low - _STRIDE:end_a - low] == b[end_b - low - _STRIDE:end_b - low]:
        low += _STRIDE
    high = min(low + _STRIDE, size)
    while low < high:
        middle = (low + high + 1) // 2
        if a[end_a - middle:end_a - low] == b[end_b - middle:end_b - low]:
            low = middle
        else:
            high = middle - 1
    return low


# A document is split piece by piece, each piece's blocks kept by its text (consecutive
# versions share most pieces), and that gives the blocks of splitting it whole when each
# piece but the last ends where the whole split starts a new block: at the next piece's
# first line. A piece starts at a line after a blank line, not indented and no list item:
# - nothing that started before the blank line reads on past it (paragraphs, lists,
#   quotes and tables stop there; code, admonitions and list continuations stop at a line
#   indented less than 4), except a fenced code block or raw HTML not closed yet;
# - so a piece is split with the next piece's first line after it (the *sentinel*, which
#   blocks may look at to stop) and ``Splitter.split(stop)`` tells whether the last block
#   ended just before the sentinel; when one ran on (an open fence or HTML), the piece
#   takes in the next one and is split again;
# - the first line starts a block with no state from before it: not indented, it ends
#   any list (and its continuations); no list item, it starts no list of the one before
#   (and a table always starts with its header), so list numbers and list/table groups
#   start afresh in the piece, offset by the groups before it.
# Reference definitions are stripped from the whole document's lines first, and a piece
# is kept by its text, all the definitions (blocks' keys and sources hold the ones they
# use) and the section it starts in (its blocks before a heading are in that section).


def _piece_starts(lines: Sequence[str], first: int = 0, stop: int | None = None) -> list[int]:
    """Where pieces may start (of lines ``first``:``stop``)."""
    return [n for n in range(first, len(lines) if stop is None else stop)
            if _starts_piece(lines, n)]


def _starts_piece(lines: Sequence[str], n: int) -> bool:
    """Whether a piece may start at line ``n``: the first line, and every line after a
    blank one, not indented and no list item."""
    return n == 0 or bool(lines[n] and not lines[n - 1] and lines[n][0] != " "
                          and not ITEM_RE.match(lines[n]))


def _pieces(lines: Sequence[str], starts: Sequence[int], refdefs: tuple[tuple[str, str], ...],
            k: int = 0, after: tuple[int, int, str] = (0, 0, ""),
            take: Callable[[int, int, int, str], _Taken | None] | None = None
            ) -> tuple[tuple[Placed, ...], tuple[int, ...]]:
    """The document's pieces from ``starts[k]``, each placed after the ones before it
    (``after``: the blocks and groups before, and the section they end in), and the
    number in ``starts`` of each one's start. ``take`` (see ``_reparsed``) may give some
    of them, placed, at the start of a piece."""
    placed: list[Placed] = []
    firsts: list[int] = []
    index, groups, section = after
    while k < len(starts):
        if take is not None:
            taken = take(starts[k], index, groups, section)
            if taken is not None:
                placed += taken[0]
                firsts += taken[1]
                k, (index, groups, section) = taken[2], taken[3]
                if k >= len(starts):
                    break
        piece, next_k = _piece_from(lines, starts, k, refdefs, section)
        placed.append((piece, index, starts[k], groups))
        firsts.append(k)
        index += len(piece.specs)
        groups += piece.groups
        section = piece.section
        k = next_k
    return tuple(placed), tuple(firsts)


def _piece_from(
    lines: Sequence[str],
    starts: Sequence[int],
    k: int,
    refdefs: tuple[tuple[str, str], ...],
    section: str,
) -> tuple[_Piece, int]:
    """The piece from ``starts[k]`` and where the next one starts (in ``starts``): up to
    the next start, unless a block runs on past it (see ``PIECE_RUN_ON``)."""
    start = starts[k]
    for end_k in range(k + 1, min(len(starts), k + 1 + PIECE_RUN_ON)):
        end = starts[end_k]
        piece = _piece("\n".join(lines[start : end + 1]), end - start, refdefs, section)
        if piece is not None:
            return piece, end_k
    piece = _piece("\n".join(lines[start:]), None, refdefs, section)
    assert piece is not None  # the last piece reads on to the end: nothing runs past it
    return piece, len(starts)


@lru_cache(maxsize=PIECE_CACHE_SIZE)
def _piece(
    text: str, stop: int | None, refdefs: tuple[tuple[str, str], ...], section: str
) -> _Piece | None:
    """The blocks of ``text``'s lines before line ``stop`` (the sentinel; None: all of
    them), or None if the last of them reads on past the sentinel."""
    splitter = Splitter.of_lines(text.split("\n"))
    raws = splitter.split(stop)
    if not splitter.landed:
        return None
    specs = tuple(_specs(raws, dict(refdefs), section))
    if not specs:
        return _Piece(specs, 0, section)
    *_, last_section, last_group = specs[-1]  # the spec's last two fields
    return _Piece(specs, last_group, last_section)


def _specs(raws: list[_Raw], refdefs: dict[str, str], section: str) -> Iterator[_BlockSpec]:
    """Each block's fields, numbered from the first of ``raws`` (in ``section`` until
    their first heading)."""
    group = 0
    counters: dict[int, int] = {}
    previous_kind = ""
    for index, raw in enumerate(raws):
        kind = raw.kind
        if kind == "list_item":
            if previous_kind != "list_item":
                group += 1
                counters = {}
            counters = {d: c for d, c in counters.items() if d <= raw.depth}
            counters[raw.depth] = counters.get(raw.depth, 0) + 1
        elif kind == "table_header" or (
            kind == "table_row" and previous_kind not in ("table_header", "table_row")
        ):
            group += 1
        title = ""
        if kind == "heading":
            section = title = plain_title(raw.title)
        if kind == "code":
            source = "\n".join(raw.lines)
            body = raw.body
        elif kind in ("table_row", "table_header"):
            source = "\n".join(raw.header + ([] if kind == "table_header" else raw.lines))
            body = raw.body
        else:
            source = "\n".join(raw.lines)
            body = normalise(raw.body)
        refs = _used_refs(source, refdefs) if refdefs else []
        if refs:
            source += "\n\n" + "\n".join(refdefs[label] for label in refs)
        if kind == "heading":
            key = f"h:{raw.level}:{body}"
        elif kind == "list_item":
            key = f"li:{raw.list_type}:{raw.depth}:{body}"
        else:
            key = f"{KEY_PREFIX[kind]}:{body}"
        if refs:
            key += "\x00" + "\x00".join(normalise(refdefs[label]) for label in refs)
        yield (
            kind,
            source,
            key,
            body,  # text
            index,
            raw.line + 1,  # line
            raw.depth,
            raw.list_type,
            counters.get(raw.depth, 0) if kind == "list_item" else 0,  # ordinal
            raw.level,
            title,
            section,
            group,
        )
        previous_kind = kind


LI_RE = re.compile(r"<li\b[^>]*>(.*)</li>", re.S)
THEAD_TR_RE = re.compile(r"<thead>\s*(<tr\b.*?</tr>)", re.S)
TBODY_TR_RE = re.compile(r"<tbody>\s*(<tr\b.*?</tr>)", re.S)


HEADERLINK_RE = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)


def extract(kind: str, html: str) -> str:
    """Cut a block's own element out of the renderer's output for its source (permalink
    anchors of headings left out: they are navigation, not text)."""
    html = HEADERLINK_RE.sub("", html).strip()
    if kind == "list_item":
        match = LI_RE.search(html)
        return f"<li>{match.group(1)}</li>" if match else html
    if kind in ("table_header", "table_row"):
        match = (THEAD_TR_RE if kind == "table_header" else TBODY_TR_RE).search(html)
        return match.group(1) if match else html
    return html


@lru_cache(maxsize=8192)
def _extracted(kind: str, html: str) -> str:
    """``extract`` kept across redlines: the same blocks come back in every redline of a
    policy (and the same string objects then hash and compare at once downstream)."""
    return extract(kind, html)


#: what keeps a list item or table row from being rendered with others of its kind: a
#: blank line (a second paragraph, or reference definitions appended to its source), raw
#: HTML, or what reaches past its own item once items share a document: a heading (the
#: table of contents tells repeated ids apart), a reference, footnote or abbreviation
#: definition
_REACHING = r"\n\n|\]:|\[\^|\*\["  # a blank line; a reference, footnote, abbreviation
_RENDER_ALONE = re.compile(_REACHING + r"|<|^[ >*+\-\d.]*\#", re.M)
#: what keeps a table row from being rendered with other rows of its table: the same,
#: but raw HTML may be there (it stays in its cell, and a row's own tags in it show as
#: more rows than there are: then each is rendered alone)
_REACHES_PAST = re.compile(_REACHING)
_ROW_ALONE = _REACHES_PAST
_TOGETHER = frozenset({"list_item", "table_row"})
#: the blocks a piece's whole HTML may give (``BlockRenderer._from_whole``)
_IN_WHOLE = _TOGETHER | {"table_header"}
_LIST_TAG = re.compile(r"<(/?)(?:ul|ol|li)\b[^>]*>")
_LIST_START = re.compile(r"<(?:ul|ol)\b")
_ROW = re.compile(r"<tr\b.*?</tr>", re.S)
#: how many blocks' HTML a renderer keeps (about 100 MB on the longest histories)
BLOCK_CACHE_SIZE = 200_000
#: how many placed pieces' blocks a renderer keeps (``BlockRenderer.blocks``)
PLACED_CACHE_SIZE = 8192


class BlockRenderer:
    """Renders blocks through the caller's Markdown function, each distinct source once.

    With ``together``, ``prime`` renders many list items (or rows of one table) in one
    call and cuts the result apart: Markdown renders a list as its items, each as it
    renders alone, so a call's fixed cost is paid once for hundreds of items. Only for a
    Python-Markdown whose extensions keep to their own block (``markdown_chunks``), and
    only for items that hold nothing reaching past them (``_RENDER_ALONE``); when the
    result is not exactly one list (or table) of as many items, each is rendered alone.
    The other blocks not rendered yet go to the Markdown function's ``render_ahead``, if
    it has one (``PolicyRenderer``: those it has not rendered either, many to a call).

    Before that, a piece that is a table, or ends with a list after paragraphs and
    headings, is looked up whole in what the Markdown function has rendered already, if it
    can tell (``rendered``: a history's texts are rendered by pieces like these): its
    rows or items are then cut out of that HTML, as they are out of a call of their own."""

    def __init__(self, render: Callable[[str], str], *, together: bool = False) -> None:
        self._render = render
        self.together = together
        self._ahead: Callable[[list[str]], None] | None = getattr(render, "render_ahead", None)
        self._rendered: Callable[[str], str | None] | None = getattr(render, "rendered", None)
        self._cache: dict[tuple[str, str], str] = {}
        #: pieces whose every block is in the cache (kept pieces come back in every
        #: redline of a policy: looked up once, not block by block)
        self._done: set[Piece] = set()
        self._placed: dict[Placed, list[Block]] = {}

    def blocks(self, placed: Placed) -> list[Block]:
        """The blocks of a placed piece, rendered through this renderer: kept, as a
        version's pieces are placed the same in each redline it is in (every version
        against the current one, the one before and after it). Blocks are never changed
        once made, and callers do not change the list."""
        found = self._placed.get(placed)
        if found is None:
            if len(self._placed) >= PLACED_CACHE_SIZE:
                self._placed.clear()
            found = self._placed[placed] = placed_blocks(placed, self)
        return found

    def __call__(self, block: Block) -> str:
        key = (block.kind, block.source)
        html = self._cache.get(key)
        if html is None:
            html = self._keep(key, _extracted(block.kind, self._render(block.source)))
        return html

    def _keep(self, key: tuple[str, str], html: str) -> str:
        if len(self._cache) >= BLOCK_CACHE_SIZE:  # bounded: a long-lived process
            self._cache.clear()
            self._done.clear()
        self._cache[key] = html
        return html

    def prime(self, placed: Iterable[Placed]) -> None:
        """Render ahead, together, the list items and table rows of these pieces that
        are not rendered yet (when ``together``)."""
        if not self.together:
            return
        items: dict[str, dict[str, None]] = {}  # list type → sources
        rows: dict[str, dict[str, None]] = {}  # a table's header → its rows
        others: dict[str, None] = {}
        cache, done = self._cache, self._done
        for piece, *_ in placed:
            if piece in done:
                continue
            looked_up = self._rendered is None
            rendered = True
            for spec in piece.specs:
                kind, source = spec[0], spec[1]
                if (kind, source) in cache:
                    continue
                rendered = False
                if not looked_up and kind in _IN_WHOLE:
                    looked_up = True
                    self._from_whole(piece.specs)
                    if (kind, source) in cache:
                        continue
                if kind not in _TOGETHER:
                    others[source] = None
                elif kind == "list_item":
                    if not _RENDER_ALONE.search(source):
                        items.setdefault(spec[7], {})[source] = None
                elif not _ROW_ALONE.search(source):
                    header, _, row = source.rpartition("\n")
                    rows.setdefault(header, {})[row] = None
            if rendered:
                done.add(piece)
        if self._ahead is not None and len(others) > 1:
            self._ahead(list(others))
        for sources in items.values():
            if len(sources) > 1:
                self._items_together(list(sources))
        for header, lines in rows.items():
            if len(lines) > 1:
                self._rows_together(header, list(lines))

    def _from_whole(self, specs: tuple[_BlockSpec, ...]) -> None:
        """Keep the rows of a table piece, or the items of the list a piece ends with, cut
        out of the HTML of the whole piece if the Markdown function has it already."""
        if specs[0][0] == "table_header":
            self._rows_from_whole(specs[0][1], specs[1:])
        else:
            self._items_from_whole(specs)

    def _rows_from_whole(self, header: str, rows: tuple[_BlockSpec, ...]) -> None:
        if not rows or any(spec[0] != "table_row" or _ROW_ALONE.search(spec[1])
                           for spec in rows):
            return
        lines = [spec[1].rpartition("\n")[2] for spec in rows]
        html = self._whole("\n".join([header, *lines]))
        if html is None:
            return
        found = _table_rows(html, len(lines))
        if found is not None:
            # the header row as it renders alone: a table's header does not depend on its rows
            self._keep(("table_header", header), _extracted("table_header", html))
            self._keep_rows(header, lines, found)

    def _items_from_whole(self, specs: tuple[_BlockSpec, ...]) -> None:
        start = len(specs)
        while start and specs[start - 1][0] == "list_item":
            start -= 1
        items, before = specs[start:], specs[:start]
        # The items as they render together (``_RENDER_ALONE``), after blocks that hold no
        # list tags and reach into no other block (an abbreviation would mark the items).
        if not items or any(_RENDER_ALONE.search(spec[1]) for spec in items) or any(
                spec[0] not in ("paragraph", "heading") or "<" in spec[1]
                or _REACHES_PAST.search(spec[1]) for spec in before):
            return
        html = self._whole("\n\n".join([*(spec[1] for spec in before),
                                         "\n".join(spec[1] for spec in items)]))
        if html is None:
            return
        first = _LIST_START.search(html)
        if first is not None:
            self._keep_items([spec[1] for spec in items], html[first.start():])

    def _whole(self, text: str) -> str | None:
        """The HTML of ``text`` (ending with a list or a table) if rendered already. A
        history's last piece of a section keeps the newline its file ends with: Markdown
        renders the text the same with it (a blank line after the last block ends it)."""
        assert self._rendered is not None
        html = self._rendered(text)
        return html if html is not None else self._rendered(text + "\n")

    def _items_together(self, sources: list[str]) -> None:
        self._keep_items(sources, self._render("\n".join(sources)))

    def _keep_items(self, sources: list[str], html: str) -> None:
        """Keep the items of ``html`` as those of ``sources`` if it is one list of as many."""
        found = _top_items(html)
        if found is not None and len(found) == len(sources):
            for source, item in zip(sources, found, strict=True):
                self._keep(("list_item", source), _extracted("list_item", item))

    def _rows_together(self, header: str, lines: list[str]) -> None:
        found = _table_rows(self._render("\n".join([header, *lines])), len(lines))
        if found is not None:
            self._keep_rows(header, lines, found)

    def _keep_rows(self, header: str, lines: list[str], rows: list[str]) -> None:
        for line, row in zip(lines, rows, strict=True):
            self._keep(("table_row", f"{header}\n{line}"), row)


def _table_rows(html: str, count: int) -> list[str] | None:
    """The body rows of ``html`` when it is one table of ``count`` rows and nothing else."""
    html = html.strip()
    _, _, body = html.partition("<tbody>")
    found = _ROW.findall(body)
    if html.startswith("<table>") and html.endswith("</table>") and \
            html.count("<table") == 1 and len(found) == count:
        return found
    return None


def _top_items(html: str) -> list[str] | None:
    """The items of ``html`` when it is one list and nothing else."""
    html = html.strip()
    items: list[str] = []
    depth = 0
    start = 0
    for match in _LIST_TAG.finditer(html):
        if match.group(1):
            depth -= 1
            if depth == 1:
                items.append(html[start : match.end()])
            elif depth == 0:
                return items if match.end() == len(html) else None
        else:
            if depth == 0 and match.start() != 0:
                return None
            depth += 1
            if depth == 2:
                start = match.start()
    return None


@lru_cache(maxsize=2)  # the latest renderers: their caches are large
def renderer_for(render: Callable[[str], str], together: bool) -> BlockRenderer:
    """One block renderer per Markdown function, kept across redlines: a site's redlines
    show the same blocks again and again."""
    return BlockRenderer(render, together=together)

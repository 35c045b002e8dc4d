"""Markdown cut into pieces that render alone to exactly what they render to together.

Versions of a policy differ in a few paragraphs, so a long history holds the same
paragraphs again and again inside sections that differ. Rendering each distinct piece
once (and joining the pieces' HTML) instead of each distinct section costs a third as
much on a real archive (ota-pga-versions: 84 MB of distinct sections, 29 MB of pieces).

Python-Markdown renders a document as its top-level blocks, each followed by a newline,
so pieces join with "\\n". A text is cut only where that provably holds: at a blank line
followed by an unindented line that cannot continue what came before (not a list item, a
quote, a definition, or code). A text is not cut at all when something in it reaches
across blocks: reference definitions, footnotes, abbreviations, raw HTML blocks, fenced
code, a table of contents marker, or explicit ids. Extensions not known to keep to their
own block turn cutting off. Tests render the corpora's sections both ways and compare bytes.

Headings the table of contents extension would have to tell apart (two "Contact"
headings: ids ``contact`` and ``contact_1``) get one id each in their pieces; once
joined, the ids are told apart as the extension does (``renumber_ids``).

For the same reason, distinct pieces can be rendered many to one Markdown call (a
paragraph of their own between them, which parts their HTML again: ``render_together``):
each call costs a fixed overhead (the extensions' passes over the whole document, the
table of contents serialised) that a history's tens of thousands of short pieces pay
once per call.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from markdown.extensions.toc import unique

#: extensions whose output for a block does not depend on other blocks (given the guards
#: below); Python-Markdown accepts both the short and the dotted names
SAFE_EXTENSIONS = frozenset({
    "abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes",
    "md_in_html", "nl2br", "sane_lists", "smarty", "tables", "toc",
})

#: a character that begins a block of its own (not a quote, a definition, a list item)
_BLOCK_START = r"(?=\S)(?![>:]|[*+-](?:[ ]|\n|$)|\d+[.)](?:[ ]|\n|$))"
#: a blank run (whitespace-only lines, as Python-Markdown sees them) and the next line's
#: start: a piece may start there only with a character that begins a block of its own
_CUT = re.compile(r"\n(?:[ ]*\n)+" + _BLOCK_START)

#: anything in a text that reaches across blocks (then the text is rendered whole), by
#: what the text must hold for it (found by a fast substring scan): most texts hold none,
#: and one that does is searched for that alone (None: holding it is reaching across)
_ACROSS_BLOCKS: dict[str, re.Pattern[str] | None] = {
    "<": re.compile(r"^[ ]{0,3}<", re.M),  # a raw HTML block (or a comment)
    "```": re.compile(r"^[ ]*```", re.M),  # fenced code: may hold blank lines
    "~~~": re.compile(r"^[ ]*~~~", re.M),
    "]:": re.compile(r"^[ ]{0,3}\[[^\]]*\]:", re.M),  # a reference or footnote definition
    "[^": None,  # a footnote reference
    "*[": re.compile(r"^\*\[", re.M),  # an abbreviation
    # an explicit id (attr_list): the table of contents counts it
    "{": re.compile(r"\{[^}\n]*(?:\#|\bid\s*=)"),
    "\t": None,  # whitespace Python-Markdown rewrites before splitting blocks
    "\r": None,
}

#: a heading's text: any line starting with "#" (Python-Markdown needs no space after
#: it, and finds one inside a paragraph too), or a line over "===" / "---"; inside list
#: items and quotes too (after their markers or indented), where the extension numbers
#: ids all the same. It may take a line for a heading that is none: ids are then
#: renumbered where nothing needed it, which changes nothing.
_HEADING = re.compile(r"^[ >*+\d.)-]*#{1,6}(.*?)[ #]*$|^(.+)\n[ >]*(?:=+|-+)[ ]*$", re.M)
#: what a text holds whenever ``_HEADING`` can match it: a "#", or a line starting with
#: "=" or "-" (after spaces or quote markers) below another
_HEADING_NEED = re.compile(r"\n[ >]*[=-]")
#: what of a heading cannot reach its id: link targets, attribute lists, entities, tags
_NOT_IN_ID = re.compile(r"\]\([^)]*\)|\{[^}]*\}|&#?\w+;|<[^>]*>")


def _id_key(heading: str) -> str:
    """A key two headings share whenever toc's default slugify could give them one id
    (it keeps ASCII word characters of the text): equal ids imply equal keys."""
    text = unicodedata.normalize("NFKD", _NOT_IN_ID.sub("", heading))
    return "".join(c for c in text.encode("ascii", "ignore").decode().lower() if c.isalnum())


class Cut(NamedTuple):
    """A text's pieces; ``renumber``: their headings' ids must be told apart once joined."""

    pieces: list[str]
    renumber: bool = False


class Chunker:
    """Cuts texts for one set of Markdown extensions (``None`` from ``for_extensions`` if
    they may reach across blocks)."""

    def __init__(self, *, toc_marker: str = "[TOC]", custom_slugify: bool = False) -> None:
        self.toc_marker = toc_marker
        #: a slugify of the site's own: its ids cannot be reasoned about, so a text with
        #: two headings is rendered whole
        self.custom_slugify = custom_slugify

    @classmethod
    def for_extensions(cls, extensions: Iterable[Any],
                       configs: Mapping[str, Mapping[str, Any]] | None = None
                       ) -> Chunker | None:
        configs = configs or {}
        for extension in extensions:
            if not isinstance(extension, str):
                return None
            if extension.removeprefix("markdown.extensions.") not in SAFE_EXTENSIONS:
                return None
        toc = {**configs.get("toc", {}), **configs.get("markdown.extensions.toc", {})}
        marker = toc.get("marker", "[TOC]")
        return cls(toc_marker=marker if isinstance(marker, str) else "[TOC]",
                   custom_slugify="slugify" in toc)

    def reaches_across(self, text: str) -> bool:
        """Whether something in ``text`` reaches across its blocks (it is not cut)."""
        return any(need in text and (pattern is None or pattern.search(text) is not None)
                   for need, pattern in _ACROSS_BLOCKS.items()) or \
            bool(self.toc_marker and self.toc_marker in text)

    def pieces(self, text: str) -> list[str]:
        """``text`` cut into pieces (one piece: render it whole)."""
        return self.cut(text).pieces

    def cut(self, text: str) -> Cut:
        """``text`` cut into pieces, and whether their ids must be renumbered."""
        if "\n\n" not in text or self.reaches_across(text):
            return Cut([text])
        pieces = _CUT.split(text)
        # A heading is within a line or two, never across the blank lines pieces are cut
        # at: the text's headings are its pieces' (worked out once for each piece).
        keys = [key for piece in pieces for key in _heading_keys(piece)]
        if len(keys) > 1:
            if self.custom_slugify:
                return Cut([text])
            if len(set(keys)) < len(keys):
                return Cut(pieces, renumber=len(pieces) > 1)
        return Cut(pieces)


def cut(text: str, chunker: Chunker | None) -> Cut:
    """``text``'s pieces (itself alone without a chunker: the extensions forbid cutting)."""
    return chunker.cut(text) if chunker is not None else Cut([text])


def pieces(text: str, chunker: Chunker | None) -> list[str]:
    return cut(text, chunker).pieces


def join(htmls: Iterable[str]) -> str:
    """The HTML of a text from its pieces' HTML (a piece may render to nothing)."""
    return "\n".join(html for html in htmls if html)


def joined(cut: Cut, htmls: Iterable[str]) -> str | None:
    """The HTML of a text from its pieces' HTML, ids renumbered if need be (None: they
    cannot be, render the text whole)."""
    html = join(htmls)
    return renumber_ids(html) if cut.renumber else html


def render_by_pieces(text: str, chunker: Chunker | None, render: Callable[[str], str]) -> str:
    parts = cut(text, chunker)
    html = joined(parts, map(render, parts.pieces))
    return html if html is not None else render(text)


#: a heading element with the id the table of contents gave it
_HEADING_ID = re.compile(r'<h([1-6])(\s[^>]*?)?\sid="([^"]*)"(.*?)</h\1>', re.S)
#: an id the extension may have changed to tell it apart ("contact_1"): only "_1" is the
#: same whether a piece's heading was "contact_1" or had no words, so it can be renumbered
_TOLD_APART = re.compile(r"_[0-9]+$")


def renumber_ids(html: str) -> str | None:
    """Joined pieces' HTML with their headings' ids told apart as the table of contents
    extension tells them apart in a whole text, in order (its own ``unique``); links to
    a heading inside it (its permalink) follow. None if a piece told ids apart itself:
    its ids are no longer what the headings alone would give."""
    used: set[str] = set()
    out: list[str] = []
    done = 0
    for match in _HEADING_ID.finditer(html):
        old = match.group(3)
        if old != "_1" and _TOLD_APART.search(old):
            return None
        new = unique(old, used)
        if new != old:
            level, attributes, inner = match.group(1), match.group(2) or "", match.group(4)
            out += [html[done:match.start()], f'<h{level}{attributes} id="{new}"',
                    inner.replace(f'href="#{old}"', f'href="#{new}"'), f"</h{level}>"]
            done = match.end()
    out.append(html[done:])
    return "".join(out)


#: a paragraph put between pieces rendered in one call: its HTML parts them again
PIECE_BREAK = "policyhistorypiecebreak"
_BREAK_MARKDOWN = f"\n\n{PIECE_BREAK}\n\n"
_BREAK_HTML = f"\n<p>{PIECE_BREAK}</p>\n"
#: how much Markdown one call renders at most (longer pieces go alone: nothing to save)
TOGETHER_CHARS = 20_000
#: how a piece may start to follow the break: as a piece cut from a text may (``_CUT``)
_STARTS_ALONE = re.compile(_BLOCK_START)


def _may_hold_a_heading(text: str) -> bool:
    return "#" in text or _HEADING_NEED.search(text) is not None


@lru_cache(maxsize=16384)  # a policy's texts share most of their pieces
def _heading_keys(piece: str) -> tuple[str, ...]:
    """The ``_id_key`` of each heading in ``piece``, in order."""
    if not _may_hold_a_heading(piece):
        return ()
    return tuple(_id_key(m.group(1) or m.group(2) or "") for m in _HEADING.finditer(piece))


def _may_share_a_call(piece: str, chunker: Chunker) -> bool:
    """Whether ``piece`` renders after the break (and the break after it) as it renders
    alone: nothing in it reaches across blocks, and it starts a block of its own."""
    return (len(piece) < TOGETHER_CHARS and PIECE_BREAK not in piece
            and _STARTS_ALONE.match(piece) is not None and not chunker.reaches_across(piece))


def render_together(pieces: Sequence[str], chunker: Chunker, convert: Callable[[str], str]
                    ) -> list[str]:
    """Each piece's HTML as ``convert`` (Markdown → HTML, for the extensions ``chunker``
    is for) gives it alone, with many pieces to a call. A call holds at most one piece
    with a heading (the table of contents tells equal headings' ids apart across a
    document); a call whose HTML does not part into as many pieces is made again piece
    by piece."""
    out: list[str | None] = [None] * len(pieces)
    batch: list[int] = []
    size = 0
    heading = False

    def flush() -> None:
        nonlocal size, heading
        if len(batch) == 1:
            out[batch[0]] = convert(pieces[batch[0]])
        elif batch:
            parts = convert(_BREAK_MARKDOWN.join(pieces[n] for n in batch)).split(_BREAK_HTML)
            if len(parts) != len(batch):
                parts = [convert(pieces[n]) for n in batch]
            for n, html in zip(batch, parts, strict=True):
                out[n] = html
        batch.clear()
        size, heading = 0, False

    for n, piece in enumerate(pieces):
        if not _may_share_a_call(piece, chunker):
            out[n] = convert(piece)
            continue
        has_heading = _may_hold_a_heading(piece)
        if (has_heading and heading) or size + len(piece) > TOGETHER_CHARS:
            flush()
        batch.append(n)
        size += len(piece)
        heading = heading or has_heading
    flush()
    return [html if html is not None else "" for html in out]

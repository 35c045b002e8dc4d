"""Which steps a changes-only redline shows, and where each folded run is in the new version.

A redline page carries the changes, each with the blocks around it and the heading of its
section; the unchanged blocks between are folded. A fold says where its blocks are in the
new version's page, so a reader can go there (a link) or have them fetched into place
("Show all", ``policy-history.js``).

The version page shows the text section by section (``<section>``), each section rendered
alone by Python-Markdown, whose top-level elements are the section's *units*: a paragraph,
a heading, a quote, a whole list, a whole table. A fold hides whole units only (a list
with one changed item is shown whole) and names them per section: units ``start:stop`` of
section ``k``, which has ``total`` units. The browser checks ``total`` against the page it
fetched and fills in nothing it cannot place exactly (the link stays). A unit is folded
only where its section has as many units as the page's section has elements, and the
element at its place reads as it does, text for text (the page's HTML is parsed here);
where a section's counts differ (a footnote, raw HTML, lists Python-Markdown joins or
parts otherwise) it is shown whole.

The page may show another revision than the redline's new one (an editorial revision
has no page: the version it corrects stands in). Its elements that differ from the new
revision's, by text or link target, are never folded into.
"""

from __future__ import annotations

import html
import operator
import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from policy_history.redline.document import Piece, placed_blocks
from policy_history.redline.model import Block, BlockChange, Redline
from policy_history.redline.runs import EqualRun
from policy_history.redline.tokens import NAME_RE


@dataclass(frozen=True)
class Span:
    """Units ``start:stop`` of section ``section`` (which has ``total`` units)."""

    section: int
    start: int
    stop: int
    total: int

    def __str__(self) -> str:
        return f"{self.section}:{self.start}-{self.stop}/{self.total}"


@dataclass(frozen=True)
class Fold:
    """A run of unchanged blocks left out of the page: how many, and where they are."""

    count: int
    spans: tuple[Span, ...]

    @property
    def section(self) -> int:
        """The section the run starts in."""
        return self.spans[0].section


@dataclass(frozen=True)
class NewSections:
    """The new version's sections: the 1-based line where each starts in the whole
    document (sections joined by one blank line), each one's key (its page anchor), and
    how many top-level elements each has on the version page."""

    first_lines: tuple[int, ...]
    keys: tuple[str, ...]
    #: each section's top-level elements on its page, as their text without spaces
    elements: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, sections: Sequence[tuple[str, str, str, str | None]]) -> NewSections:
        """From each section's key, Markdown, the HTML its page shows, and the HTML of the
        new revision's section where the page shows another revision's (else None)."""
        lines, line = [], 1
        for _key, markdown, _html, _own in sections:
            lines.append(line)
            line += markdown.strip("\n").count("\n") + 2
        return cls(tuple(lines), tuple(key for key, *_ in sections),
                   tuple(_page_elements(html, own) for _, _, html, own in sections))

    def section_at(self, line: int) -> tuple[int, int, int]:
        """The section the document's ``line`` is in, and the lines it spans (``start``
        to ``stop``, not included): the first section takes any line before it too."""
        section = max(bisect_right(self.first_lines, line) - 1, 0)
        start = self.first_lines[section] if section else 0
        stop = self.first_lines[section + 1] if section + 1 < len(self.first_lines) \
            else sys.maxsize
        return section, start, stop


#: elements that never hold content (no end tag)
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
#: a tag as ``TAG_RE`` reads tags, with its closing slash and name in groups
_TAG = re.compile(r"<!--.*?-->|<[!?][^>]*>|<(/?)([A-Za-z][\w:-]*)[^>]*>", re.S)


def _attributes(tag: str) -> dict[str, str]:
    start = NAME_RE.match(tag)
    assert start is not None
    return {match.group(1).lower(): html.unescape(next(
                (v for v in match.group(2, 3, 4) if v is not None), ""))
            for match in _ATTRIBUTE.finditer(tag, start.end(), len(tag) - 1)}


@lru_cache(maxsize=16384)
def top_level_texts(markup: str, targets: bool = False) -> tuple[str, ...]:
    """The text of each element a browser puts at the top of ``markup``, without spaces
    and without headings' permalinks (a page's headings have them, the redline's blocks
    not); with ``targets``, each link's and image's address in its place too.

    ``markup`` is Python-Markdown's output, sanitised: balanced tags and no raw-text
    elements."""
    elements = None if targets else top_level_elements(markup)
    if elements is None:
        return _scanned_texts(markup, targets)
    return tuple(_element_text(element) for element in elements)


def _element_text(element: str) -> str:
    if "headerlink" in element:  # a heading with its permalink, left out
        return _scanned_texts(element)[0]
    # str.split() splits where \s matches (str.isspace), several times faster than re.sub
    return "".join(html.unescape(_TAG.sub("", element)).split())


#: the start of an element (comments and declarations aside)
_OPENING = re.compile(r"<([A-Za-z][\w:-]*)[^>]*>")


@lru_cache(maxsize=256)
def _same_name(name: str) -> re.Pattern[str]:
    """The opening and closing tags of elements named ``name``."""
    return re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])[^>]*>", re.I)


def top_level_elements(markup: str) -> tuple[str, ...] | None:
    """The markup of each element at the top of ``markup`` (as ``top_level_texts`` has
    them). Balanced tags nest in pairs, so an element ends where the tags of its own name
    do: only those are looked at, by a regular expression, not each tag in Python. None
    where a comment or a declaration could hide a tag: the scan of every tag reads those."""
    if "<!" in markup or "<?" in markup:
        return None
    elements: list[str] = []
    position = 0
    while (match := _OPENING.search(markup, position)) is not None:
        start, position = match.start(), match.end()
        name = match.group(1).lower()
        if name in _VOID or match.group().endswith("/>"):
            elements.append(match.group())
            continue
        depth, end = 1, len(markup)
        for tag in _same_name(name).finditer(markup, position):
            if tag.group(1):
                depth -= 1
                if not depth:
                    end = tag.end()
                    break
            elif not tag.group().endswith("/>"):
                depth += 1
        elements.append(markup[start:end])
        position = end
    return tuple(elements)


def _scanned_texts(markup: str, targets: bool = False) -> tuple[str, ...]:
    """``top_level_texts`` by a scan of every tag (as ``TAG_RE`` reads them), which is
    about twice as fast as ``html.parser``: the depth of open tags tells where an element
    ends."""
    texts: list[list[str]] = []
    depth = skip = 0  # skip: the depth of the permalink being skipped, if any
    position = 0
    for match in _TAG.finditer(markup):
        if depth and texts and not skip and match.start() > position:
            texts[-1].append(markup[position:match.start()])
        position = match.end()
        closing, name = match.group(1, 2)
        if name is None:  # a comment, a declaration
            continue
        name = name.lower()
        tag = match.group()
        if closing:
            if name not in _VOID:
                if skip == depth:
                    skip = 0
                depth = max(depth - 1, 0)
            continue
        if depth == 0:
            texts.append([])
        attributes = _attributes(tag) if (targets and not skip) or "headerlink" in tag else {}
        if targets and not skip:
            texts[-1].extend(f"\x01{attributes[key]}\x01" for key in ("href", "src")
                             if key in attributes)
        if name not in _VOID and not tag.endswith("/>"):
            depth += 1
            if not skip and "headerlink" in attributes.get("class", "").split():
                skip = depth
    if depth and texts and not skip:
        texts[-1].append(markup[position:])
    # str.split() splits where \s matches (str.isspace), several times faster than re.sub
    return tuple("".join(html.unescape("".join(text)).split()) for text in texts)


#: stands for a page element that must not be folded into: no block's text is this
UNLIKE = "\x00"


def _page_elements(page_html: str, own_html: str | None) -> tuple[str, ...]:
    """The text of each element of a page's section; where the page shows another
    revision, UNLIKE for each element that differs from the new revision's (by text or
    link target), and no elements at all if their numbers differ."""
    if own_html is None or own_html == page_html:
        return top_level_texts(page_html)
    return _page_elements_against(page_html, own_html)


#: sections of a page that differ from the revision's the redline compares, read: an
#: editorial revision's redline folds into the page of the version it corrects, and
#: reads most of those sections as the revision before it just read them (each
#: corrects a few, and a page can have dozens that differ). Not many more: a section's
#: markup can be long
PAGE_ELEMENTS_MEMO_SIZE = 256


@lru_cache(maxsize=PAGE_ELEMENTS_MEMO_SIZE)
def _page_elements_against(page_html: str, own_html: str) -> tuple[str, ...]:
    page, own = _page_section_elements(page_html), top_level_elements(own_html)
    same: Callable[[str, str], bool] = _same_element
    if page is None or own is None:  # each read whole, tag by tag, with its targets
        page, own = top_level_texts(page_html, True), top_level_texts(own_html, True)
        same = operator.eq
    if len(page) != len(own):
        return ()
    return tuple(text if same(a, b) else UNLIKE
                 for text, a, b in zip(top_level_texts(page_html), page, own, strict=True))


#: the page's sections come back in each of its editorial revisions' redlines
_page_section_elements = lru_cache(maxsize=PAGE_ELEMENTS_MEMO_SIZE)(top_level_elements)


def _same_element(page_element: str, own_element: str) -> bool:
    """Whether a page's element and the new revision's give the same text and link
    targets."""
    return page_element == own_element or \
        _page_element_targets(page_element) == _scanned_texts(own_element, True)


@lru_cache(maxsize=4096)
def _page_element_targets(element: str) -> tuple[str, ...]:
    return _scanned_texts(element, True)


@lru_cache(maxsize=65536)
def _block_text(html: str) -> str:
    return "".join(top_level_texts(html))


def _new_block(change: BlockChange) -> Block | None:
    """The block of the new version a step shows (none for what only the old one had)."""
    if change.op == "delete" or change.move_role == "from":
        return None
    return change.new


#: One step of a redline as the folds see it, without making its BlockChange when it
#: comes from a run (most steps of a long policy's redline are folded and never made):
#: the change, or the run and the block's number in it (-1 for a change); the new
#: block's kind ("" where the new version has none), index, line and list or table
#: group; and for a run's block its piece and its number in the piece.
_Row = tuple["BlockChange | EqualRun", int, str, int, int, int, "Piece | None", int]


def _rows(redline: Redline) -> list[_Row]:
    rows: list[_Row] = []
    for item in redline.items:
        if isinstance(item, EqualRun):
            n = 0
            for piece, first_index, first_line, groups_before in item.new:
                for k, spec in enumerate(piece.specs):
                    rows.append((item, n, spec[0], spec[4] + first_index, spec[5] + first_line,
                                 spec[12] + groups_before, piece, k))
                    n += 1
            continue
        for change in (item,) if isinstance(item, BlockChange) else item.steps():
            block = _new_block(change)
            rows.append((change, -1, "", -1, 0, 0, None, 0) if block is None else
                        (change, -1, block.kind, block.index, block.line, block.group, None, 0))
    return rows


def _units(rows: Sequence[_Row], sections: NewSections
           ) -> tuple[list[tuple[int, int] | None], list[int]] | None:
    """Each step's unit (section, number in the section), and each section's unit count;
    None when the new blocks are not in the document's order (nothing is then folded)."""
    found: list[tuple[int, int] | None] = []
    totals = [0] * len(sections.keys)
    last_index, last_key = -1, None
    # the blocks come in the document's order: the section is looked up again only when a
    # block's line leaves the lines of the last one's
    section, start, stop = 0, 0, -1
    unit: tuple[int, int] | None = None
    for _item, _n, kind, index, line, group, _piece, _k in rows:
        if not kind:
            found.append(None)
            continue
        if index <= last_index:
            return None
        last_index = index
        if not start <= line < stop:
            section, start, stop = sections.section_at(line)
        key = (section, group if kind in _GROUPED else -1 - index)
        if key != last_key:
            totals[section] += 1
            last_key = key
            unit = (section, totals[section] - 1)
        found.append(unit)
    return found, totals


#: the kinds of blocks that are together one unit (a list, a table)
_GROUPED = frozenset({"list_item", "table_header", "table_row"})


#: the fewest unchanged blocks folded
MIN_FOLD = 2


def changes_with_folds(redline: Redline, sections: NewSections, context: int = 1
                       ) -> list[BlockChange | Fold] | None:
    """The steps a changes-only page shows, with the runs it folds between them: each
    change, ``context`` steps on each side, the heading of its section, and whole units.
    None when the redline cannot be folded to match the version page."""
    rows = _rows(redline)
    placed = _units(rows, sections)
    if placed is None:
        return None
    units, totals = placed
    keep = _changes_in_context(rows, context)
    hidden = {unit[0] for unit, kept in zip(units, keep, strict=True) if unit and not kept}
    # a unit unlike the page's element at its place, word for word, is shown
    unlike = _unlike(hidden, rows, units, totals, sections.elements)
    for i, unit in enumerate(units):
        if unit in unlike:
            keep[i] = True
    kept_units = {unit for unit, kept in zip(units, keep, strict=True) if kept and unit}
    shown = [kept or unit is None or unit in kept_units
             for unit, kept in zip(units, keep, strict=True)]
    changes = _Changes(rows, shown)
    out: list[BlockChange | Fold] = []
    run: list[tuple[int, int]] = []  # the units of the steps folded since the last shown

    def end_run(at: int) -> None:
        # one unchanged block reads better shown than as a link
        if len(run) >= MIN_FOLD:
            out.append(_fold(run, totals))
        else:
            out.extend(changes[i] for i in range(at - len(run), at))
        run.clear()

    for i, (unit, show) in enumerate(zip(units, shown, strict=True)):
        if show:
            if run:
                end_run(i)
            out.append(changes[i])
        else:
            assert unit is not None
            run.append(unit)
    end_run(len(rows))
    return out


class _Changes:
    """The rows' BlockChanges by row number: a change as it is; a run's steps made when
    first asked for, a stretch of shown rows at a time (``EqualRun.steps``)."""

    def __init__(self, rows: Sequence[_Row], shown: Sequence[bool]) -> None:
        self.rows, self.shown = rows, shown
        self.made: dict[int, BlockChange] = {}

    def __getitem__(self, i: int) -> BlockChange:
        item, n = self.rows[i][0], self.rows[i][1]
        if n < 0:
            assert isinstance(item, BlockChange)
            return item
        made = self.made.get(i)
        if made is None:
            assert isinstance(item, EqualRun)
            stop = i + 1
            while stop < len(self.rows) and self.rows[stop][0] is item and self.shown[stop]:
                stop += 1
            for offset, change in enumerate(item.steps(n, n + stop - i)):
                self.made[i + offset] = change
            made = self.made[i]
        return made


def _changes_in_context(rows: Sequence[_Row], context: int) -> list[bool]:
    """Which steps to show: each change, ``context`` steps each side, its section's heading."""
    keep = [False] * len(rows)
    heading = -1
    for i, row in enumerate(rows):
        if row[2] == "heading":
            heading = i
        if row[1] < 0 and row[0].op != "equal":
            for k in range(max(0, i - context), min(len(rows), i + context + 1)):
                keep[k] = True
            if heading >= 0:
                keep[heading] = True
    return keep


@lru_cache(maxsize=8192)
def _piece_texts(piece: Piece, html_for: Callable[[Block], str]) -> tuple[str, ...]:
    """The text of each block of a piece, as ``_block_text`` has it."""
    return tuple(_block_text(block.html) for block in placed_blocks((piece, 0, 0, 0), html_for))


def _unlike(sections: set[int], rows: Sequence[_Row],
            units: Sequence[tuple[int, int] | None], totals: Sequence[int],
            elements: Sequence[tuple[str, ...]]) -> set[tuple[int, int]]:
    """The units of ``sections`` that are not their page's elements at their places, text
    for text: all of a section whose page has another number of elements.

    A unit's steps come one after another (steps the new version lacks aside): its text
    is compared when the next unit starts."""
    unlike: set[tuple[int, int]] = set()
    counted = {k for k in sections if totals[k] == len(elements[k])}
    unit: tuple[int, int] | None = None  # the unit being read, and its text so far
    parts: list[str] = []

    def compare() -> None:
        if unit is not None and "".join(parts) != elements[unit[0]][unit[1]]:
            unlike.add(unit)

    last_piece: Piece | None = None
    piece_texts: tuple[str, ...] = ()
    for row, step_unit in zip(rows, units, strict=True):
        if step_unit is None or step_unit[0] not in sections:
            continue
        if step_unit is not unit:
            compare()
            unit, parts = step_unit, []
        if unit[0] not in counted:
            unlike.add(unit)
            unit = None
            continue
        item, n, piece = row[0], row[1], row[6]
        if n < 0:
            assert isinstance(item, BlockChange)
            block = _new_block(item)
            assert block is not None
            parts.append(_block_text(block.html))
        else:
            assert isinstance(item, EqualRun) and piece is not None
            if piece is not last_piece:  # a piece's blocks come one after another
                last_piece, piece_texts = piece, _piece_texts(piece, item.html_for)
            parts.append(piece_texts[row[7]])
    compare()
    return unlike


def _fold(units: list[tuple[int, int]], totals: list[int]) -> Fold:
    """The fold of a run of units: a span per section, from its first unit to its last
    (units come in order; a unit of several steps comes once for each)."""
    spans: list[Span] = []
    section, start = units[0]
    stop = start + 1
    for next_section, number in units:
        if next_section != section:
            spans.append(Span(section, start, stop, totals[section]))
            section, start, stop = next_section, number, number + 1
        elif number >= stop:
            stop = number + 1
    spans.append(Span(section, start, stop, totals[section]))
    return Fold(len(units), tuple(spans))

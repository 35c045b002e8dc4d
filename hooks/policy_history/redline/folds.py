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
fetched and fills in nothing it cannot place exactly (the link stays).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from policy_history.redline.model import Block, BlockChange, Redline


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
    """Where the new version's sections start: the 1-based line of each in the whole
    document (sections joined by one blank line), and each one's key (its page anchor)."""

    first_lines: tuple[int, ...]
    keys: tuple[str, ...]

    @classmethod
    def of(cls, sections: Sequence[tuple[str, str]]) -> NewSections:
        """From ``(key, markdown)`` of each section, as the whole text joins them."""
        lines, line = [], 1
        for _key, markdown in sections:
            lines.append(line)
            line += markdown.strip("\n").count("\n") + 2
        return cls(tuple(lines), tuple(key for key, _ in sections))

    def section_of(self, block: Block) -> int:
        return max(bisect_right(self.first_lines, block.line) - 1, 0)


def _new_block(change: BlockChange) -> Block | None:
    """The block of the new version a step shows (none for what only the old one had)."""
    if change.op == "delete" or change.move_role == "from":
        return None
    return change.new


def _units(steps: Sequence[BlockChange], sections: NewSections
           ) -> tuple[list[tuple[int, int] | None], list[int]] | None:
    """Each step's unit (section, number in the section), and each section's unit count;
    None when the new blocks are not in the document's order (nothing is then folded)."""
    found: list[tuple[int, int] | None] = []
    totals = [0] * len(sections.keys)
    last_index, last_key, last_type = -1, None, ""
    for change in steps:
        block = _new_block(change)
        if block is None:
            found.append(None)
            continue
        if block.index <= last_index:
            return None
        last_index = block.index
        section = sections.section_of(block)
        grouped = block.kind in ("list_item", "table_header", "table_row")
        key: tuple[int, int, str] = (section, block.group if grouped else -1 - block.index, "")
        if block.kind == "list_item":  # another kind of list is another element
            if block.depth == 0:
                last_type = block.list_type
            key = (section, block.group, last_type)
        if key != last_key:
            totals[section] += 1
            last_key = key
        found.append((section, totals[section] - 1))
    return found, totals


#: the fewest unchanged blocks folded
MIN_FOLD = 2


def changes_with_folds(redline: Redline, sections: NewSections, context: int = 1
                       ) -> list[BlockChange | Fold] | None:
    """The steps a changes-only page shows, with the runs it folds between them: each
    change, ``context`` steps on each side, the heading of its section, and whole units.
    None when the redline cannot be folded to match the version page."""
    steps = redline.blocks
    placed = _units(steps, sections)
    if placed is None:
        return None
    units, totals = placed
    keep = [False] * len(steps)
    heading = -1
    for i, change in enumerate(steps):
        if change.kind == "heading" and _new_block(change) is not None:
            heading = i
        if change.op != "equal":
            for k in range(max(0, i - context), min(len(steps), i + context + 1)):
                keep[k] = True
            if heading >= 0:
                keep[heading] = True
    kept_units = {unit for unit, kept in zip(units, keep, strict=True) if kept and unit}
    out: list[BlockChange | Fold] = []
    run: list[tuple[BlockChange, tuple[int, int]]] = []

    def end_run() -> None:
        # one unchanged block reads better shown than as a link
        if len(run) >= MIN_FOLD:
            out.append(_fold([unit for _, unit in run], totals))
        else:
            out.extend(change for change, _ in run)
        run.clear()

    for change, unit, kept in zip(steps, units, keep, strict=True):
        if kept or unit is None or unit in kept_units:
            end_run()
            out.append(change)
        else:
            run.append((change, unit))
    end_run()
    return out


def _fold(units: list[tuple[int, int]], totals: list[int]) -> Fold:
    spans: list[Span] = []
    for section, number in units:
        if spans and spans[-1].section == section:
            last = spans[-1]
            spans[-1] = Span(section, last.start, max(last.stop, number + 1), last.total)
        else:
            spans.append(Span(section, number, number + 1, totals[section]))
    return Fold(len(units), tuple(spans))

"""The redline's data: blocks of a Markdown document and the operations between two of them.

Nothing here renders pages; ``policy_history.redline.views`` turns a :class:`Redline` into HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

#: Block kinds produced by :mod:`policy_history.redline.blocks`.
BLOCK_KINDS = (
    "heading",
    "paragraph",
    "list_item",
    "table_header",
    "table_row",
    "blockquote",
    "code",
    "html",
    "hr",
    "admonition",
)

#: Operations of a :class:`BlockChange`.
OPS = ("equal", "insert", "delete", "replace", "move")


@dataclass(eq=False, slots=True)  # slots: made by the million, never given other fields
class Block:
    """One block of a Markdown document, rendered lazily through the caller's renderer.

    ``html`` is the block's own HTML: a whole element for most kinds, ``<li>…</li>`` for a
    list item (its nested items are blocks of their own) and ``<tr>…</tr>`` for a table row.
    """

    kind: str
    source: str  # the Markdown handed to the renderer (dedented; table rows carry the header)
    key: str  # normalised text used for matching: equal keys mean "no change"
    text: str  # the normalised text alone (no kind prefix), for similarity
    index: int  # position in the document's block list
    line: int  # 1-based line of the block in the document
    depth: int = 0  # list nesting depth (0 = top level)
    list_type: str = ""  # "ul" or "ol" for list items
    ordinal: int = 0  # 1-based position of a list item within its list
    level: int = 0  # heading level 1-6
    title: str = ""  # plain heading text (headings only)
    section: str = ""  # nearest heading title at or above this block
    group: int = 0  # which list/table of the document the block belongs to
    parts: int = 1  # >1 for a composite of consecutive blocks (split/merged paragraphs)
    _html: Callable[[Block], str] | None = field(default=None, repr=False)
    _cached: str | None = field(default=None, repr=False)

    @property
    def html(self) -> str:
        """The block rendered by the caller's Markdown renderer (cached)."""
        if self._cached is None:
            self._cached = self._html(self) if self._html is not None else ""
        return self._cached

    @property
    def container(self) -> str:
        """The element that holds this block's HTML: ``ul``/``ol``/``table`` or ``""``."""
        if self.kind == "list_item":
            return self.list_type
        if self.kind in ("table_row", "table_header"):
            return "table"
        return ""


class SideMarks(Protocol):
    """Both sides of a changed block, each with only its own marks."""

    @property
    def old_marked_html(self) -> str: ...

    @property
    def new_marked_html(self) -> str: ...


@dataclass(eq=False)
class BlockChange:
    """One step of the redline, in reading order of the new document.

    ``op`` is one of ``equal``, ``insert``, ``delete``, ``replace`` or ``move``. A move shows
    up twice: ``move_role == "from"`` where the block was (``new`` is None) and
    ``move_role == "to"`` where it went (``old`` is the moved block, for the word diff);
    ``move_peer`` is the anchor of the other end. ``note`` is ``"split"`` when one old
    paragraph became several new ones and ``"merged"`` for the reverse.
    """

    op: str
    old: Block | None
    new: Block | None
    anchor: str = ""
    section: str = ""
    move_role: str = ""
    move_peer: str = ""
    note: str = ""
    words_added: int = 0
    words_removed: int = 0
    #: For replace and move-to: the new block's HTML with <ins>/<del> inside it.
    inline_html: str = ""
    #: For replace: where each side's own marks come from, worked out when first asked
    #: for (the site builds the side-by-side view in the browser, so it rarely is)
    side_marks: SideMarks | None = field(default=None, repr=False)
    _old_marked: str = field(default="", repr=False)
    _new_marked: str = field(default="", repr=False)

    @property
    def old_marked_html(self) -> str:
        """For replace and moves: the old side with only its own marks (side by side)."""
        self._resolve_marks()
        return self._old_marked

    @old_marked_html.setter
    def old_marked_html(self, html: str) -> None:
        self._resolve_marks()
        self._old_marked = html

    @property
    def new_marked_html(self) -> str:
        """For replace and moves: the new side with only its own marks."""
        self._resolve_marks()
        return self._new_marked

    @new_marked_html.setter
    def new_marked_html(self, html: str) -> None:
        self._resolve_marks()
        self._new_marked = html

    def _resolve_marks(self) -> None:
        if self.side_marks is not None:
            marks, self.side_marks = self.side_marks, None
            self._old_marked, self._new_marked = marks.old_marked_html, marks.new_marked_html

    @property
    def kind(self) -> str:
        block = self.new or self.old
        return block.kind if block is not None else ""

    @property
    def old_kind(self) -> str:
        return self.old.kind if self.old is not None else ""

    @property
    def new_kind(self) -> str:
        return self.new.kind if self.new is not None else ""

    @property
    def old_html(self) -> str:
        return self.old.html if self.old is not None else ""

    @property
    def new_html(self) -> str:
        return self.new.html if self.new is not None else ""

    @property
    def changed(self) -> bool:
        return self.op != "equal"


@dataclass
class RedlineStats:
    words_added: int = 0
    words_removed: int = 0
    blocks_changed: int = 0
    sections_changed: list[str] = field(default_factory=list)
    sections_moved: list[str] = field(default_factory=list)


class EqualSteps(Protocol):
    """A run of blocks both versions share unchanged, standing for their equal steps
    (``runs.EqualRun``): what a redline and its views ask of it."""

    @property
    def op(self) -> str: ...

    @property
    def size(self) -> int: ...

    def number(self, prefix: str, seen: dict[str, int]) -> None: ...

    def steps(self, start: int = 0, stop: int | None = None) -> list[BlockChange]: ...


@dataclass(eq=False)
class Redline:
    """The structured difference between two Markdown documents.

    ``items`` are its steps in reading order, where a run of pieces both versions share
    stands for all of their (equal) steps; ``blocks`` lists every step."""

    items: Sequence[BlockChange | EqualSteps]
    stats: RedlineStats
    anchor_prefix: str = "r"
    #: what rendered the blocks' HTML (what kept markup is keyed by)
    html_for: Callable[[Block], str] | None = None
    _blocks: list[BlockChange] | None = field(default=None, repr=False)

    @property
    def blocks(self) -> list[BlockChange]:
        """Every step, one per block (the runs' made on first use)."""
        if self._blocks is None:
            self._blocks = [change for item in self.items
                            for change in (item.steps() if not isinstance(item, BlockChange)
                                           else (item,))]
        return self._blocks

    @property
    def is_empty(self) -> bool:
        return all(item.op == "equal" for item in self.items)

    @property
    def changes(self) -> list[BlockChange]:
        return [item for item in self.items
                if isinstance(item, BlockChange) and item.op != "equal"]

"""``diff_documents``: two Markdown documents in, a :class:`Redline` out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from policy_history.redline.align import Aligner, Step
from policy_history.redline.document import (
    BlockRenderer,
    Placed,
    pieces,
    renderer_for,
)
from policy_history.redline.markup import write
from policy_history.redline.model import Block, BlockChange, Redline, RedlineStats
from policy_history.redline.runs import EqualRun, anchor, anchor_digest
from policy_history.redline.sequences import SequenceMatcher
from policy_history.redline.tokens import Stream, count_words, plain_text, tokenize
from policy_history.redline.words import Opcode, changed_words, plan_inline, plan_moved, plan_side
from policy_history.redline.words import align as align_words


def _composite(blocks: tuple[Block, ...]) -> Block:
    """Consecutive paragraphs seen as one block (one side of a split or merge)."""
    if len(blocks) == 1:
        return blocks[0]
    first = blocks[0]
    return Block(
        kind=first.kind,
        source="\n\n".join(b.source for b in blocks),
        key="\n".join(b.key for b in blocks),
        text=" ".join(b.text for b in blocks),
        index=first.index,
        line=first.line,
        depth=first.depth,
        section=first.section,
        group=first.group,
        parts=len(blocks),
        _html=lambda _: "\n".join(b.html for b in blocks),
    )


#: Results kept across redlines (pure functions of the blocks' HTML or keys): a site diffs
#: the same block pairs again and again, e.g. every version against the newest.
MEMO_SIZE = 4096
#: Word diffs hold the marked HTML of both blocks, three times: a few redlines' worth.
WORD_DIFF_MEMO_SIZE = 1024


@lru_cache(maxsize=MEMO_SIZE)
def _words_in_html(html: str) -> int:
    return count_words(plain_text(html))


def _words_in(block: Block) -> int:
    return _words_in_html(block.html)


@dataclass(frozen=True)
class _WordDiff:
    """The word-level comparison of two blocks' HTML."""

    same: bool  # no token differs
    added: int
    removed: int
    inline_html: str  # the new block with insertions and deletions marked
    #: the aligned tokens, for each side with only its own marks (made when first asked
    #: for: a site's pages build the side-by-side view in the browser)
    old: Stream
    new: Stream
    ops: list[Opcode]

    @cached_property
    def old_marked_html(self) -> str:
        return write(self.old, plan_side(self.old.tokens, self.ops, "old"))

    @cached_property
    def new_marked_html(self) -> str:
        return write(self.new, plan_side(self.new.tokens, self.ops, "new"))


#: Tokenized blocks: a block changed from one version to the next is the new side of one
#: word diff and the old side of the next one. Streams are never changed once made.
STREAM_MEMO_SIZE = 256


@lru_cache(maxsize=STREAM_MEMO_SIZE)
def _stream(html: str) -> Stream:
    return tokenize(html)


def _aligned(old_html: str, new_html: str) -> tuple[Stream, Stream, list[Opcode]]:
    a, b = _stream(old_html), _stream(new_html)
    return a, b, align_words(a.tokens, b.tokens)


@lru_cache(maxsize=WORD_DIFF_MEMO_SIZE)
def _word_diff(old_html: str, new_html: str) -> _WordDiff:
    a, b, ops = _aligned(old_html, new_html)
    added, removed = changed_words(a.tokens, b.tokens, ops)
    return _WordDiff(
        same=all(tag == "equal" for tag, *_ in ops),
        added=added,
        removed=removed,
        inline_html=write(b, plan_inline(a, b, ops)),
        old=a,
        new=b,
        ops=ops,
    )


@dataclass(frozen=True)
class _MoveDiff:
    """A moved block: wholly marked at both ends, words edited on the way marked apart."""

    added: int
    removed: int
    old_marked_html: str
    new_marked_html: str


@lru_cache(maxsize=WORD_DIFF_MEMO_SIZE)
def _move_diff(old_html: str, new_html: str) -> _MoveDiff:
    a, b, ops = _aligned(old_html, new_html)
    added, removed = changed_words(a.tokens, b.tokens, ops)
    return _MoveDiff(
        added=added,
        removed=removed,
        old_marked_html=write(a, plan_moved(a.tokens, ops, "old")),
        new_marked_html=write(b, plan_moved(b.tokens, ops, "new")),
    )


def _build(step: Step) -> BlockChange:
    if step.op == "equal":  # most steps
        return BlockChange("equal", step.olds[0], step.news[0])
    old = _composite(step.olds) if step.olds else None
    new = _composite(step.news) if step.news else None
    change = BlockChange(step.op, old, new, move_role=step.role)
    if step.op == "insert" and new is not None:
        change.words_added = _words_in(new)
    elif step.op == "delete" and old is not None:
        change.words_removed = _words_in(old)
    elif step.op == "replace" and old is not None and new is not None:
        if len(step.olds) != len(step.news):
            change.note = "split" if len(step.news) > len(step.olds) else "merged"
        if old.html == new.html and not change.note:
            change.op = "equal"
            return change
        diff = _word_diff(old.html, new.html)
        if diff.same and not change.note:
            change.op = "equal"
            return change
        change.words_added, change.words_removed = diff.added, diff.removed
        change.inline_html = diff.inline_html
        change.side_marks = diff
    return change


def _moved(to: BlockChange, source: BlockChange) -> None:
    """Both ends of a move: the whole block marked, words edited on the way marked apart
    (and counted once, at the destination)."""
    assert to.old is not None and to.new is not None
    diff = _move_diff(to.old.html, to.new.html)
    to.words_added, to.words_removed = diff.added, diff.removed
    to.inline_html = to.new_marked_html = diff.new_marked_html
    source.old_marked_html = to.old_marked_html = diff.old_marked_html
    to.move_peer, source.move_peer = source.anchor, to.anchor


def _anchor(change: BlockChange, prefix: str, seen: dict[str, int]) -> str:
    old_key = change.old.key if change.old is not None else ""
    new_key = change.new.key if change.new is not None else ""
    op = "equal" if change.op == "equal" else "change"
    digest = anchor_digest(op, change.move_role, old_key, new_key)
    count = seen.get(digest, 0)
    seen[digest] = count + 1
    return anchor(prefix, digest, count)


#: the kind of the stand-in block of a run of shared pieces during alignment
RUN_KIND = "run"


def _outline(
    old: Sequence[Placed], new: Sequence[Placed], renderer: BlockRenderer
) -> tuple[list[Block], list[Block], list[Opcode], dict[str, EqualRun]]:
    """Both documents for the block alignment: the pieces they share in the same order
    become one stand-in block each run (aligned with each other), the others their
    blocks. Between two runs, blocks are matched by key; moves and pairs are then found
    across the whole document, as if no run had been cut out."""
    matcher = SequenceMatcher(None, [id(placed[0]) for placed in old],
                              [id(placed[0]) for placed in new], autojunk=False)
    olds: list[Block] = []
    news: list[Block] = []
    opcodes: list[Opcode] = []
    runs: dict[str, EqualRun] = {}
    loose_old: list[Block] = []
    loose_new: list[Block] = []

    def between() -> None:
        """Blocks of the pieces since the last run, matched by key."""
        if loose_old or loose_new:
            i, j = len(olds), len(news)
            opcodes.extend(
                (tag, i + i1, i + i2, j + j1, j + j2)
                for tag, i1, i2, j1, j2 in SequenceMatcher(
                    None, [b.key for b in loose_old], [b.key for b in loose_new],
                    autojunk=False).get_opcodes())
            olds.extend(loose_old)
            news.extend(loose_new)
            loose_old.clear()
            loose_new.clear()

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            for placed in old[i1:i2]:
                loose_old.extend(renderer.blocks(placed))
            for placed in new[j1:j2]:
                loose_new.extend(renderer.blocks(placed))
            continue
        between()
        key = f"\x00run {len(runs)}"
        runs[key] = EqualRun(old[i1:i2], new[j1:j2], renderer)
        stand_in = Block(RUN_KIND, "", key, "", -1, 0)
        opcodes.append(("equal", len(olds), len(olds) + 1, len(news), len(news) + 1))
        olds.append(stand_in)
        news.append(stand_in)
    between()
    return olds, news, opcodes, runs


def diff_documents(
    old_markdown: str,
    new_markdown: str,
    *,
    render: Callable[[str], str],
    anchor_prefix: str = "r",
    together: bool = False,
) -> Redline:
    """The redline from ``old_markdown`` to ``new_markdown``.

    ``render`` turns Markdown into HTML (the site's own Markdown configuration); it is
    called once per distinct block, and only for blocks that are looked at. With
    ``together`` (``render`` is Python-Markdown whose extensions keep to their own block,
    see ``markdown_chunks``), list items and table rows are rendered many in one call.

    The documents' pieces are compared first: runs of pieces both have, in the same order,
    are kept whole (``runs``); the blocks of the others are aligned, then their words.
    """
    renderer = renderer_for(render, together)
    old_pieces, new_pieces = pieces(old_markdown), pieces(new_markdown)
    renderer.prime((*old_pieces, *new_pieces))
    old, new, opcodes, runs = _outline(old_pieces, new_pieces, renderer)
    steps = Aligner(old, new).steps(opcodes)
    items: list[BlockChange | EqualRun] = []
    for step in steps:
        run = runs.get(step.news[0].key) if step.op == "equal" and \
            step.news[0].kind == RUN_KIND else None
        items.append(run if run is not None else _build(step))
    seen: dict[str, int] = {}
    for item in items:
        if isinstance(item, EqualRun):
            item.number(anchor_prefix, seen)
            continue
        item.anchor = _anchor(item, anchor_prefix, seen)
        block = item.new or item.old
        item.section = block.section if block is not None else ""
    for n, step in enumerate(steps):
        if step.op == "move" and step.role == "to":
            to, source = items[n], items[step.peer]
            assert isinstance(to, BlockChange) and isinstance(source, BlockChange)
            _moved(to, source)
    changes = [item for item in items if isinstance(item, BlockChange)]
    return Redline(items, _stats(changes), anchor_prefix, html_for=renderer)


def _stats(changes: list[BlockChange]) -> RedlineStats:
    stats = RedlineStats()
    sections: dict[str, None] = {}
    moved: dict[str, None] = {}
    for change in changes:
        if change.op == "equal":
            continue
        stats.words_added += change.words_added
        stats.words_removed += change.words_removed
        if not (change.op == "move" and change.move_role == "from"):
            stats.blocks_changed += 1
        if change.section:
            sections.setdefault(change.section, None)
        if (
            change.op == "move"
            and change.move_role == "to"
            and change.new is not None
            and change.new.kind == "heading"
        ):
            moved.setdefault(change.new.title, None)
    stats.sections_changed = list(sections)
    stats.sections_moved = list(moved)
    return stats

"""Block alignment: which old block became which new block.

1. ``SequenceMatcher`` (``sequences``) over the blocks' normalised keys finds the unchanged blocks.
2. A deleted block whose key reappears among the inserted ones is a *move*.
3. In each changed stretch the remaining blocks are paired by word similarity (a small
   dynamic programme, or a bounded greedy search on long stretches); a paragraph may pair
   with two consecutive ones (split or merged paragraphs).
4. Left-over deleted and inserted blocks that are nearly equal are moves with edits.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Protocol

from policy_history.redline.model import Block
from policy_history.redline.words import Opcode

WORD_RE = re.compile(r"[^\W_]+", re.U)
TEXT_KINDS = frozenset({"paragraph", "list_item", "blockquote"})
PAIR_THRESHOLD = 0.5
CROSS_THRESHOLD = 0.7
MOVE_THRESHOLD = 0.8
MOVE_MIN_WORDS = 3  # exact moves of shorter blocks are shown as delete + insert
NEAR_MOVE_MIN_WORDS = 8
DP_CELLS = 10_000  # larger stretches are paired greedily
WINDOW = 40
NEAR_MOVE_PAIRS = 40_000


@dataclass
class Step:
    """One aligned step: ``olds``/``news`` hold 0, 1 or 2 blocks."""

    op: str  # equal, insert, delete, replace, move
    olds: tuple[Block, ...] = ()
    news: tuple[Block, ...] = ()
    role: str = ""  # "from"/"to" for moves
    peer: int = -1  # index (in the step list) of the other end of a move


#: (old from, old to, new from, new to): blocks paired in a changed stretch.
Pairing = tuple[int, int, int, int]
#: (opcode tag, i1, i2, j1, j2, pairs).
Region = tuple[str, int, int, int, int, list[Pairing]]


class Shaped(Protocol):
    """What similarity looks at in a block (a :class:`Block` or a :class:`Shape`)."""

    @property
    def kind(self) -> str: ...

    @property
    def text(self) -> str: ...


class Shape(NamedTuple):
    """A block as a stretch's pairing sees it: its kind, its text, and its place, its
    index counted from the first block of its side of the stretch (only differences of
    indices matter: whether two paragraphs are consecutive)."""

    kind: str
    text: str
    place: int


def _shapes(blocks: list[Block]) -> tuple[Shape, ...]:
    first = blocks[0].index
    return tuple(Shape(block.kind, block.text, block.index - first) for block in blocks)


#: Word bags kept across alignments, by block text: a site aligns the same blocks again
#: and again (every version against the newest). The bags are never changed.
BAG_MEMO_SIZE = 4096


@lru_cache(maxsize=BAG_MEMO_SIZE)
def _bag(text: str) -> Counter[str]:
    return Counter(WORD_RE.findall(text.lower()))


@lru_cache(maxsize=BAG_MEMO_SIZE)
def _size(text: str) -> int:
    return sum(_bag(text).values())


def _common(a: Counter[str], b: Counter[str]) -> int:
    """How many words two bags share (counting repeats): ``sum((a & b).values())``,
    without building the intersection."""
    if len(a) > len(b):
        a, b = b, a
    shared = 0
    for word, count in a.items():
        other = b.get(word)
        if other:
            shared += count if count < other else other
    return shared


@lru_cache(maxsize=BAG_MEMO_SIZE * 4)  # a float per pair of texts
def _text_sim(old_text: str, new_text: str, floor: float) -> float:
    """Dice similarity of two texts' word bags (0 when it cannot reach ``floor``)."""
    n, m = _size(old_text), _size(new_text)
    if not n + m:
        return 1.0 if old_text == new_text else 0.0
    if 2 * min(n, m) / (n + m) < floor:  # the sizes alone rule it out
        return 0.0
    return 2 * _common(_bag(old_text), _bag(new_text)) / (n + m)


def _words_of(block: Shaped) -> int:
    return _size(block.text)


def _sim(olds: Sequence[Shaped], news: Sequence[Shaped], floor: float = 0.0) -> float:
    """Dice similarity of the word bags (0 when it cannot reach ``floor``)."""
    if len(olds) == 1 and len(news) == 1:
        return _text_sim(olds[0].text, news[0].text, floor)
    n = sum(_words_of(block) for block in olds)
    m = sum(_words_of(block) for block in news)
    if not n + m:
        return 1.0 if all(o.text == x.text for o in olds for x in news) else 0.0
    if 2 * min(n, m) / (n + m) < floor:  # the sizes alone rule it out
        return 0.0
    return 2 * _common(_joined(olds), _joined(news)) / (n + m)


def _joined(blocks: Sequence[Shaped]) -> Counter[str]:
    if len(blocks) == 1:
        return _bag(blocks[0].text)
    bag: Counter[str] = Counter()
    for block in blocks:
        bag.update(_bag(block.text))
    return bag


def _paragraphs(blocks: Sequence[Shape]) -> list[bool]:
    return [block.kind == "paragraph" for block in blocks]


def _consecutive(blocks: Sequence[Shape], paragraphs: list[bool]) -> list[bool]:
    """Whether each block and the one before it are paragraphs next to each other."""
    return [
        k > 0 and paragraphs[k] and paragraphs[k - 1] and block.place == blocks[k - 1].place + 1
        for k, block in enumerate(blocks)
    ]


def _threshold(old: Shaped, new: Shaped) -> float | None:
    if old.kind == new.kind:
        return PAIR_THRESHOLD if old.kind != "hr" else None
    if old.kind in TEXT_KINDS and new.kind in TEXT_KINDS:
        return CROSS_THRESHOLD
    if {old.kind, new.kind} <= TEXT_KINDS | {"heading"}:
        return MOVE_THRESHOLD
    return None


def _score(olds: Sequence[Shape], news: Sequence[Shape]) -> float:
    """How well ``olds`` pair with ``news`` (one block each, or a paragraph and two
    consecutive ones): their similarity, or 0.0 below their kinds' threshold."""
    if len(olds) + len(news) > 2:  # split or merged paragraphs
        if any(b.kind != "paragraph" for b in (*olds, *news)):
            return 0.0
        pair = olds if len(olds) == 2 else news
        if pair[1].place != pair[0].place + 1:
            return 0.0
        threshold: float | None = PAIR_THRESHOLD
    else:
        threshold = _threshold(olds[0], news[0])
    if threshold is None:
        return 0.0
    score = _sim(olds, news, threshold)
    return score if score >= threshold else 0.0


class _Scores:
    """Every score ``_score`` gives the cells of a stretch's dynamic programme,
    worked out together: the words two blocks share are counted through an index of one
    side's words (each shared word once per pair of blocks that has it) rather than
    pair by pair, which over a rewritten policy's thousands of cells was most of aligning.
    The scores are the same numbers, from the same sums.

    ``one[i][j]``: old ``i`` with new ``j``; ``split[i][j]``: old ``i`` with new ``j - 1``
    and ``j`` (0.0 where that is no paragraph and two consecutive ones);
    ``merged[i][j]``: old ``i - 1`` and ``i`` with new ``j``."""

    def __init__(self, olds: Sequence[Shape], news: Sequence[Shape],
                 lone_old: list[bool], lone_new: list[bool],
                 pair_old: list[bool], pair_new: list[bool]) -> None:
        old_bags, new_bags = [_bag(b.text) for b in olds], [_bag(b.text) for b in news]
        old_sizes, new_sizes = [_size(b.text) for b in olds], [_size(b.text) for b in news]
        m, n = len(olds), len(news)
        thresholds: dict[tuple[str, str], float | None] = {}
        self.one = [[0.0] * n for _ in range(m)]
        common = _index_commons(old_bags, new_bags)
        wordless_news = [j for j in range(n) if not new_sizes[j]]
        for i, old in enumerate(olds):
            row = self.one[i]
            # A cell scores only where the blocks share words, or neither has any (as
            # _score has it); every other cell stays 0.0.
            for j, found in common[i].items():
                kinds = (old.kind, news[j].kind)
                if kinds not in thresholds:  # it depends on the kinds alone
                    thresholds[kinds] = _threshold(old, news[j])
                threshold = thresholds[kinds]
                if threshold is not None:
                    value = 2 * found / (old_sizes[i] + new_sizes[j])
                    if value >= threshold:
                        row[j] = value
            if not old_sizes[i]:  # _score is 0.0 where the kinds have no threshold
                for j in wordless_news:
                    row[j] = _score((old,), (news[j],))
        # Splits (old i, news j-1 and j) and merges (olds i-1 and i, new j): paragraphs only.
        self.split = [[0.0] * n for _ in range(m)]
        self.merged = [[0.0] * n for _ in range(m)]
        for i, j, value in _two_to_one(olds, news, lone_old, pair_new):
            self.split[i][j] = value
        for j, i, value in _two_to_one(news, olds, lone_new, pair_old):
            self.merged[i][j] = value


def _two_to_one(singles: Sequence[Shape], doubles: Sequence[Shape],
                lone: list[bool], pair: list[bool]) -> Iterator[tuple[int, int, float]]:
    """``(s, d, score)`` of each paragraph ``singles[s]`` against the consecutive
    paragraphs ``doubles[d - 1]`` and ``doubles[d]`` (a split one way, a merge the other:
    the score does not depend on which side is old)."""
    firsts = [d for d in range(1, len(doubles)) if pair[d]]
    lones = [s for s in range(len(singles)) if lone[s]]
    if not firsts or not lones:
        return
    joined = [_bag(doubles[d - 1].text) + _bag(doubles[d].text) for d in firsts]
    common = _index_commons([_bag(singles[s].text) for s in lones], joined)
    wordless = [k for k, d in enumerate(firsts)
                if not _size(doubles[d - 1].text) + _size(doubles[d].text)]
    for row, s in enumerate(lones):
        size = _size(singles[s].text)
        # only pairs that share words score, or that have no words at all (as _score has it)
        for k, found in common[row].items():
            d = firsts[k]
            value = 2 * found / (size + _size(doubles[d - 1].text) + _size(doubles[d].text))
            if value >= PAIR_THRESHOLD:
                yield s, d, value
        if not size:
            for k in wordless:
                d = firsts[k]
                yield s, d, _score((singles[s],), (doubles[d - 1], doubles[d]))


def _index_commons(lefts: list[Counter[str]], rights: list[Counter[str]]
                   ) -> list[dict[int, int]]:
    """For each left bag, the words it shares with each right bag (counting repeats, as
    ``_common``), by the right bag's number; pairs that share none are left out."""
    postings: dict[str, list[tuple[int, int]]] = {}
    for j, bag in enumerate(rights):
        for word, count in bag.items():
            postings.setdefault(word, []).append((j, count))
    out: list[dict[int, int]] = []
    for bag in lefts:
        shared: dict[int, int] = {}
        get = shared.get
        for word, count in bag.items():
            for j, other in postings.get(word, ()):
                shared[j] = get(j, 0) + (count if count < other else other)
        out.append(shared)
    return out


#: Pairings kept across redlines, by the stretch's shapes: every older version of a
#: policy against its newest meets the rewritten sections the previous one met (in a
#: cold build of ota-pga-versions, two stretches in three had been paired before).
PAIRING_MEMO_SIZE = 4096


@lru_cache(maxsize=PAIRING_MEMO_SIZE)
def _pairing(olds: tuple[Shape, ...], news: tuple[Shape, ...]) -> tuple[Pairing, ...]:
    """Which blocks of a changed stretch pair up: a dynamic programme over the stretch,
    or a bounded greedy search where it is long."""
    if len(olds) * len(news) <= DP_CELLS:
        return _pair_dp(olds, news)
    return _pair_greedy(olds, news)


def _pair_dp(olds: Sequence[Shape], news: Sequence[Shape]) -> tuple[Pairing, ...]:
    m, n = len(olds), len(news)
    score = [[0.0] * (n + 1) for _ in range(m + 1)]
    back: list[list[tuple[int, int]]] = [[(0, 0)] * (n + 1) for _ in range(m + 1)]
    # Only a paragraph and two consecutive ones can score as a split or a merge: the
    # other cells skip scoring them (most of the work on long stretches).
    lone_old, lone_new = _paragraphs(olds), _paragraphs(news)
    pair_old, pair_new = _consecutive(olds, lone_old), _consecutive(news, lone_new)
    scores = _Scores(olds, news, lone_old, lone_new, pair_old, pair_new)
    for i in range(m + 1):
        ones = scores.one[i - 1] if i else None
        splits = scores.split[i - 1] if i else None
        merges = scores.merged[i - 1] if i >= 2 else None
        for j in range(n + 1):
            best, move = -1.0, (0, 0)
            if i:
                best, move = score[i - 1][j], (1, 0)
            if j and score[i][j - 1] > best:
                best, move = score[i][j - 1], (0, 1)
            if ones is not None and j:
                s = ones[j - 1]
                if s and score[i - 1][j - 1] + s > best:
                    best, move = score[i - 1][j - 1] + s, (1, 1)
                if splits is not None and j >= 2:
                    s = splits[j - 1]
                    if s and score[i - 1][j - 2] + s > best:
                        best, move = score[i - 1][j - 2] + s, (1, 2)
                if merges is not None:
                    s = merges[j - 1]
                    if s and score[i - 2][j - 1] + s > best:
                        best, move = score[i - 2][j - 1] + s, (2, 1)
            if i or j:
                score[i][j], back[i][j] = best, move
    pairs = []
    i, j = m, n
    while i or j:
        di, dj = back[i][j]
        if di and dj:
            pairs.append((i - di, i, j - dj, j))
        i, j = i - di, j - dj
    return tuple(pairs[::-1])


def _pair_greedy(olds: Sequence[Shape], news: Sequence[Shape]) -> tuple[Pairing, ...]:
    pairs, start = [], 0
    for i, block in enumerate(olds):
        best, best_j = 0.0, -1
        for j in range(start, min(len(news), start + WINDOW)):
            s = _score((block,), (news[j],))
            if s > best:
                best, best_j = s, j
        if best_j >= 0:
            pairs.append((i, i + 1, best_j, best_j + 1))
            start = best_j + 1
    return tuple(pairs)


class Aligner:
    def __init__(self, old: list[Block], new: list[Block]) -> None:
        self.old, self.new = old, new

    @staticmethod
    def _pairs(olds: list[Block], news: list[Block]) -> tuple[Pairing, ...]:
        """The blocks of a changed stretch that pair up, by their numbers in it."""
        if len(olds) == len(news) == 1:  # most stretches: one block edited, paired if it scores
            return ((0, 1, 0, 1),) if _score(_shapes(olds), _shapes(news)) else ()
        return _pairing(_shapes(olds), _shapes(news))

    def steps(self, opcodes: list[Opcode]) -> list[Step]:
        """The steps, in reading order of the new document; ``opcodes``: the blocks
        matched by key (``SequenceMatcher`` over their keys)."""
        old, new = self.old, self.new
        # Exact moves: a deleted key that reappears among the inserted blocks.
        waiting: dict[str, list[int]] = {}
        for tag, _, _, j1, j2 in opcodes:
            if tag != "equal":
                for j in range(j1, j2):
                    waiting.setdefault(new[j].key, []).append(j)
        moved_old: dict[int, int] = {}
        moved_new: dict[int, int] = {}
        loose_old = {i for tag, i1, i2, _, _ in opcodes if tag != "equal" for i in range(i1, i2)}
        loose_new = {j for tag, _, _, j1, j2 in opcodes if tag != "equal" for j in range(j1, j2)}
        for i in sorted(loose_old):
            spots = waiting.get(old[i].key)
            if spots and (old[i].kind == "heading" or _words_of(old[i]) >= MOVE_MIN_WORDS):
                j = spots.pop(0)
                moved_old[i], moved_new[j] = j, i
        # Short blocks next to a moved block, equal to the ones next to where it went,
        # moved with it (the rest of a moved section).
        grown = True
        while grown:
            grown = False
            for i, j in sorted(moved_old.items()):
                for step in (-1, 1):
                    x, y = i + step, j + step
                    if (
                        x in loose_old
                        and y in loose_new
                        and x not in moved_old
                        and y not in moved_new
                        and old[x].key == new[y].key
                    ):
                        moved_old[x], moved_new[y] = y, x
                        grown = True
        # Pair what is left in each changed stretch.
        regions: list[Region] = []
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                regions.append((tag, i1, i2, j1, j2, []))
                continue
            olds = [i for i in range(i1, i2) if i not in moved_old]
            news = [j for j in range(j1, j2) if j not in moved_new]
            pairs: list[tuple[int, int, int, int]] = []
            if olds and news:
                pairs = [
                    (olds[a], olds[b - 1] + 1, news[c], news[d - 1] + 1)
                    for a, b, c, d in self._pairs([old[i] for i in olds], [new[j] for j in news])
                ]
            regions.append((tag, i1, i2, j1, j2, pairs))
        self._near_moves(regions, moved_old, moved_new)
        return self._order(regions, moved_old, moved_new)

    def _near_moves(
        self, regions: list[Region], moved_old: dict[int, int], moved_new: dict[int, int]
    ) -> None:
        paired_old: set[int] = set()
        paired_new: set[int] = set()
        for *_, pairs in regions:
            for a, b, c, d in pairs:
                paired_old.update(range(a, b))
                paired_new.update(range(c, d))
        loose_old, loose_new = [], []
        for tag, i1, i2, j1, j2, _ in regions:
            if tag != "equal":
                loose_old += [
                    i for i in range(i1, i2) if i not in moved_old and i not in paired_old
                ]
                loose_new += [
                    j for j in range(j1, j2) if j not in moved_new and j not in paired_new
                ]
        if not loose_old or len(loose_old) * len(loose_new) > NEAR_MOVE_PAIRS:
            return
        for i in loose_old:
            block = self.old[i]
            if _words_of(block) < NEAR_MOVE_MIN_WORDS:
                continue
            best, best_j = 0.0, -1
            for j in loose_new:
                other = self.new[j]
                if j in moved_new or other.kind != block.kind:
                    continue
                s = _sim((block,), (other,), MOVE_THRESHOLD)
                if s >= MOVE_THRESHOLD and s > best:
                    best, best_j = s, j
            if best_j >= 0:
                moved_old[i], moved_new[best_j] = best_j, i

    def _order(
        self, regions: list[Region], moved_old: dict[int, int], moved_new: dict[int, int]
    ) -> list[Step]:
        old, new = self.old, self.new
        steps: list[Step] = []
        from_step: dict[int, int] = {}
        to_step: dict[int, int] = {}

        def lone_old(i: int) -> None:
            if i in moved_old:
                from_step[i] = len(steps)
                steps.append(Step("move", (old[i],), (), role="from"))
            else:
                steps.append(Step("delete", (old[i],)))

        def lone_new(j: int) -> None:
            if j in moved_new:
                to_step[j] = len(steps)
                steps.append(Step("move", (old[moved_new[j]],), (new[j],), role="to"))
            else:
                steps.append(Step("insert", (), (new[j],)))

        for tag, i1, i2, j1, j2, pairs in regions:
            if tag == "equal":
                steps.extend(
                    Step("equal", (old[i],), (new[j],))
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                )
                continue
            i, j = i1, j1
            for a, b, c, d in [*pairs, (i2, i2, j2, j2)]:
                for x in range(i, a):
                    lone_old(x)
                for y in range(j, c):
                    lone_new(y)
                if b > a:
                    steps.append(Step("replace", tuple(old[a:b]), tuple(new[c:d])))
                i, j = b, d
        for i, j in moved_old.items():
            steps[from_step[i]].peer = to_step[j]
            steps[to_step[j]].peer = from_step[i]
        return steps


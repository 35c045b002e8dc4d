"""Runs of pieces two versions share unchanged: kept whole in a redline, not block by block.

Consecutive versions of a long policy share almost all of its pieces (``document``: the
stretches between blank lines that read alone). Diffing and marking up each of their
blocks was most of a redline's cost; a run stands for all of them: its steps (equal
blocks) are made only when asked for, and the inline view writes each of its pieces from
markup kept across redlines (``render``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache

from policy_history.redline.document import Piece, Placed, placed_blocks
from policy_history.redline.model import Block, BlockChange

#: anchors' digests kept (the newest version's blocks come back in every redline), and
#: pieces whose blocks' digests are kept
DIGEST_MEMO_SIZE = 8192


@lru_cache(maxsize=DIGEST_MEMO_SIZE)
def anchor_digest(op: str, role: str, old_key: str, new_key: str) -> str:
    """What a block's anchor is made from: its operation and what it showed and shows."""
    material = "\x00".join((op, role, old_key, new_key)).encode()
    return hashlib.blake2b(material, digest_size=5).hexdigest()


@lru_cache(maxsize=DIGEST_MEMO_SIZE)
def piece_digests(piece: Piece) -> tuple[str, ...]:
    """The anchor digest of each block of a piece, as an unchanged block (its key only)."""
    return tuple(anchor_digest("equal", "", spec[2], spec[2]) for spec in piece.specs)


def anchor(prefix: str, digest: str, count: int) -> str:
    """A block's anchor: the digest of what it shows, numbered when it repeats."""
    return f"{prefix}-{digest}" + (f"-{count}" if count else "")


class EqualRun:
    """Pieces both versions have, unchanged and in the same order (``old[k]`` and
    ``new[k]`` are the same piece, placed in each document)."""

    op = "equal"

    def __init__(self, old: Sequence[Placed], new: Sequence[Placed],
                 html_for: Callable[[Block], str]) -> None:
        self.old, self.new = tuple(old), tuple(new)
        self.html_for = html_for
        self.sizes = [len(placed[0].specs) for placed in self.new]
        self.size = sum(self.sizes)  # blocks in the run
        self.prefix = "r"
        #: per piece, how many times each of its blocks' digests came earlier in the
        #: redline (their anchors are numbered from there)
        self.counts: list[tuple[int, ...]] = []

    def number(self, prefix: str, seen: dict[str, int]) -> None:
        """Number the run's anchors after those ``seen`` before it (updated)."""
        self.prefix = prefix
        self.counts = []
        for placed in self.new:
            counts = []
            for digest in piece_digests(placed[0]):
                count = seen.get(digest, 0)
                seen[digest] = count + 1
                counts.append(count)
            self.counts.append(tuple(counts))

    def steps(self, start: int = 0, stop: int | None = None) -> list[BlockChange]:
        """The equal steps of blocks ``start``:``stop`` of the run."""
        stop = self.size if stop is None else stop
        out: list[BlockChange] = []
        first = 0  # the run's block number of the piece's first block
        for k, size in enumerate(self.sizes):
            if first >= stop:
                break
            if first + size > start:
                a, b = max(start - first, 0), min(stop - first, size)
                olds = placed_blocks(self.old[k], self.html_for, a, b)
                news = placed_blocks(self.new[k], self.html_for, a, b)
                digests = piece_digests(self.new[k][0])
                for n, (old, new) in enumerate(zip(olds, news, strict=True), a):
                    out.append(BlockChange("equal", old, new,
                                           anchor(self.prefix, digests[n], self.counts[k][n]),
                                           new.section))
            first += size
        return out

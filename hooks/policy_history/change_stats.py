"""What changed in a version against the version before it, in numbers, for programs:
``versions.json`` and the feeds (docs/feeds.md).

The words added and removed are the redline's, as the version's "What changed" page
counts them. The sections added, changed and removed are worked out from the sections'
rendered prints, as the version history lists them: a section whose Markdown changed
but renders the same is not changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policy_history.model.timeline import Revision, sections_between


@dataclass(frozen=True)
class ChangeStats:
    words_added: int
    words_removed: int
    sections_added: tuple[str, ...]  # titles, in the new version's order
    sections_changed: tuple[str, ...]
    sections_removed: tuple[str, ...]  # in the old version's order

    def record(self) -> dict[str, Any]:
        """As ``versions.json`` and JSON Feed give it."""
        return {"words_added": self.words_added, "words_removed": self.words_removed,
                "sections": {"added": list(self.sections_added),
                             "changed": list(self.sections_changed),
                             "removed": list(self.sections_removed)}}


#: a version's stats against the version before it (None for the first version)
StatsOf = Callable[[Revision], "ChangeStats | None"]


def change_stats(previous: Revision, version: Revision, words: tuple[int, int]
                 ) -> ChangeStats:
    """``words``: (added, removed), from the redline of ``previous`` to ``version``."""
    changes = sections_between(previous, version)

    def titles(kind: str) -> tuple[str, ...]:
        return tuple(change.title for change in changes if change.change == kind)

    return ChangeStats(words_added=words[0], words_removed=words[1],
                       sections_added=titles("added"), sections_changed=titles("changed"),
                       sections_removed=titles("removed"))

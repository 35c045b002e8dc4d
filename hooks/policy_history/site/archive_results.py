"""What writing the archive gives: the records, hashes, counts and messages a build keeps.

Each result is a container (a dict, a set or a list) that the part producing it writes
into — the ledger its records, the redline store what it computed, the feed writer its
warnings — and that workers' results are merged into, field by field, in one place. A new
kind of result is one new field here: taking what a worker added and merging it back
work on every field alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from policy_history.store.ledger import Written


@dataclass
class ArchiveResults:
    #: site path → the record of the file this build wrote or kept there (the ledger's)
    records: dict[str, Written] = field(default_factory=dict)
    #: site paths of pages kept from the previous build
    reused: set[str] = field(default_factory=set)
    #: site paths of archive pages rendered and written anew
    written: set[str] = field(default_factory=set)
    #: keys of the redlines computed (not read from the store)
    computed: set[str] = field(default_factory=set)
    #: (slug, version id) → sha256 of the version's archived text (for versions.json)
    text_sha256: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (slug, version id) → sha256 of ``versions/<id>/source.md``
    source_sha256: dict[tuple[str, str], str] = field(default_factory=dict)
    #: feed entries' content by entry id (a policy's feeds made it, the site's reuse it)
    feed_contents: dict[str, str] = field(default_factory=dict)
    #: cache entries that did not read (computed again)
    problems: list[str] = field(default_factory=list)
    #: what the build should warn about (a feed entry without its redline)
    warnings: list[str] = field(default_factory=list)

    def copy(self) -> ArchiveResults:
        """A snapshot, to tell later what was added (``added_since``)."""
        return ArchiveResults(**{f.name: type(value)(value) for f, value in self._items()})

    def added_since(self, before: ArchiveResults) -> ArchiveResults:
        """What was added to these results since ``before`` (a ``copy`` of them)."""
        added: dict[str, Any] = {}
        for f, value in self._items():
            old = getattr(before, f.name)
            if isinstance(value, dict):
                added[f.name] = {k: v for k, v in value.items() if old.get(k, _NONE) is not v}
            elif isinstance(value, set):
                added[f.name] = value - old
            else:
                added[f.name] = value[len(old):]
        return ArchiveResults(**added)

    def merge(self, other: ArchiveResults) -> None:
        """Add ``other`` (what a worker did) to these results, in place."""
        for f, value in self._items():
            addition = getattr(other, f.name)
            if isinstance(value, dict | set):
                value.update(addition)
            else:
                value.extend(addition)

    def _items(self) -> list[tuple[Any, Any]]:
        return [(f, getattr(self, f.name)) for f in fields(self)]


_NONE = object()

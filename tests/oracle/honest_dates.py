"""What the site must show for each document of a repository without declared change
data (issue 20), worked out independently of the product.

1. Revisions: the first-parent commits that change a document at the document's address,
   a rename to a new address carrying the history along (tests/oracle/git_history.py);
   a commit whose file cannot be read (a symlink) is skipped. Their date: the committer's
   calendar day.
2. Words: the text a reader reads (tests/oracle/words.py).
3. Declared date: what the text says of itself (tests/oracle/declared.py).
4. Versions: the first revision, then each revision whose words changed, unless it
   declares the same date as the revision before it (a fix that did not move the date).
   A revision with the same words and a new declared date dates the last version anew
   (the publisher corrected its date). A text with nothing in it is no revision.
5. A version is effective on its declared date, else on its commit's day.
6. "Last updated": the effective date of the last version, in commit order, in force on
   the "as of" day (UTC).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.oracle.declared import Declared, declared_date
from tests.oracle.git_history import (
    Revision,
    address,
    first_parent_log,
    histories,
    read_blobs,
    tip_documents,
)
from tests.oracle.words import split_front_matter, words

COMMIT_DATE = "commit date"


@dataclass(frozen=True)
class Reading:
    """What one file's text says: a digest of its words (only their equality matters)
    and the date it declares."""

    words_digest: str
    declared: Declared | None
    empty: bool = False  # nothing but whitespace after the front matter


@dataclass(frozen=True)
class Version:
    commit: str
    path: str  # the document's path at that commit (it may have been renamed since)
    effective: dt.date
    source: str  # COMMIT_DATE, or which rule found the declared date
    evidence: str = ""  # the declared date's line or value


@dataclass(frozen=True)
class Expected:
    path: str
    last_updated: dt.date | None
    history: tuple[Version, ...]  # every version, oldest first
    revisions: int  # the readable ones: versions and editorial revisions

    @property
    def versions(self) -> int:
        return len(self.history)


def read_text(content: bytes, variables: dict[str, Any], with_declared: bool) -> Reading:
    text = content.decode("utf-8-sig", "replace")  # a byte order mark is not text
    front_matter, body = split_front_matter(text)
    digest = hashlib.blake2b(words(body, variables).encode("utf-8", "surrogatepass"),
                             digest_size=20).hexdigest()
    return Reading(digest, declared_date(front_matter, body) if with_declared else None,
                   empty=not body.strip())


def _read_batch(batch: list[tuple[str, bytes]], variables: dict[str, Any],
                with_declared: bool) -> list[tuple[str, Reading]]:
    return [(blob, read_text(content, variables, with_declared)) for blob, content in batch]


def read_all(contents: dict[str, bytes], variables: dict[str, Any],
             with_declared: bool = True) -> dict[str, Reading]:
    """Each distinct file read once, on every core: rendering every past text of the
    larger repositories (240 MB for ota-pga-versions) is most of the oracle's time. The
    workers are spawned: a script that calls this guards its main code with
    ``if __name__ == "__main__"``."""
    batches = _batches(sorted(contents.items(), key=lambda item: -len(item[1])))
    workers = min(len(batches), os.cpu_count() or 1)
    if workers <= 1:
        return dict(_read_batch(list(contents.items()), variables, with_declared))
    # spawn: a fresh interpreter per worker, never a fork of pytest and its threads
    context = multiprocessing.get_context("spawn")
    readings: dict[str, Reading] = {}
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for done in pool.map(_read_batch, batches, [variables] * len(batches),
                             [with_declared] * len(batches)):
            readings.update(done)
    return readings


def _batches(items: list[tuple[str, bytes]], size: int = 4_000_000
             ) -> list[list[tuple[str, bytes]]]:
    """Batches of about ``size`` bytes of text, so few trips between processes."""
    batches: list[list[tuple[str, bytes]]] = [[]]
    filled = 0
    for item in items:
        if filled >= size:
            batches.append([])
            filled = 0
        batches[-1].append(item)
        filled += len(item[1])
    return [batch for batch in batches if batch]


def committed_day(revision: Revision) -> dt.date:
    """The commit's own calendar day, in the committer's time zone (%cI)."""
    return dt.date.fromisoformat(revision.commit.committed[:10])


def versions_of(revisions: Iterable[Revision], readings: dict[str, Reading]) -> list[Version]:
    """Rules 4 and 5 over the readable revisions, oldest first."""
    versions: list[Version] = []
    previous: Reading | None = None
    for revision in revisions:
        if not revision.change.readable:
            continue
        reading = readings[revision.change.blob]
        if reading.empty:
            continue  # a text with nothing in it is no policy (the build leaves it out)
        if previous is None or is_material(reading, previous):
            versions.append(_version(revision, reading))
        elif redates(reading, previous) and versions:
            # the same words under a new date: the publisher corrected the version's date
            versions[-1] = _version(revision, reading, commit=versions[-1].commit,
                                    path=versions[-1].path)
        previous = reading
    return versions


def redates(reading: Reading, previous: Reading) -> bool:
    """The text declares a date, and not the one the previous text declared."""
    return reading.declared is not None and (
        previous.declared is None or reading.declared.day != previous.declared.day)


def is_material(reading: Reading, previous: Reading) -> bool:
    """Words changed, and the text does not keep the date the previous text declared."""
    if reading.words_digest == previous.words_digest:
        return False
    if reading.declared is None:
        return True
    return previous.declared is None or reading.declared.day != previous.declared.day


def _version(revision: Revision, reading: Reading, *, commit: str | None = None,
             path: str | None = None) -> Version:
    """A version made by ``revision`` (or by ``commit`` at ``path``, dated anew by it)."""
    commit, path = commit or revision.commit.sha, path or revision.path
    if reading.declared:
        return Version(commit, path, reading.declared.day, reading.declared.source,
                       reading.declared.evidence)
    return Version(commit, path, committed_day(revision), COMMIT_DATE)


def last_updated(versions: list[Version], as_of: dt.date) -> dt.date | None:
    """The effective date of the last version, in commit order, in force on ``as_of``."""
    in_force = [version for version in versions if version.effective <= as_of]
    return in_force[-1].effective if in_force else None


def expected(clone: Path, as_of: dt.date, variables: dict[str, Any],
             *, declared_dates: bool = True) -> dict[str, Expected]:
    """What the site built from ``clone`` "as of" ``as_of`` shows for each document at
    the tip, keyed by its path there. ``declared_dates=False``: the setting that turns
    declared dates off (every version dated by its commit)."""
    by_address = histories(first_parent_log(clone))
    revisions = {path: by_address.get(address(path), []) for path in tip_documents(clone)}
    blobs = {r.change.blob for rs in revisions.values() for r in rs if r.change.readable}
    readings = read_all(read_blobs(clone, blobs), variables, declared_dates)
    result = {}
    for path, its_revisions in revisions.items():
        versions = versions_of(its_revisions, readings)
        result[path] = Expected(path, last_updated(versions, as_of), tuple(versions),
                                revisions=sum(r.change.readable for r in its_revisions))
    return result

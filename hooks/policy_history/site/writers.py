"""The archive's pages written on every core, once MkDocs has rendered their shells.

Each worker process writes whole policies: their pages, their redlines (computed unless
the cache has them), their versions' ``source.md``, their feeds and versions.json
(``feed_files``); a policy's versions share most of their texts and blocks, rendered
once in its process. Policies are handed out longest first, each to the next worker
free, so that the workers finish together; meanwhile MkDocs goes on writing the current
pages. A worker hands back only what the build records of the files it wrote (and the
feed entries' content, for the site's feeds); the files themselves go straight into the
site folder.

Before that, from the moment the site's files are known, other forked workers compute the
redlines and versions' texts the result store lacks (``prepare``): on a cold build MkDocs
renders its own pages and the shells on one core meanwhile, and the other would be idle.
They stop when the shells are ready; the writers then find their results in the store.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from policy_history.site.archive import Archive, RedlineError
from policy_history.site.page_data import PageKind
from policy_history.site.workers import forked_pool
from policy_history.store.ledger import Written

#: the archive the workers write (set just before they are forked: they share it)
_ARCHIVE: list[Archive] = []


@dataclass
class Outcome:
    """What writing some policies' archive pages, or computing results ahead, gave."""

    records: dict[str, Written] = field(default_factory=dict)  # site path → its record
    text_sha256: dict[tuple[str, str], str] = field(default_factory=dict)
    source_sha256: dict[tuple[str, str], str] = field(default_factory=dict)
    written: int = 0
    reused: int = 0
    computed: set[str] = field(default_factory=set)  # redlines computed
    problems: list[str] = field(default_factory=list)  # cache entries that did not read
    warnings: list[str] = field(default_factory=list)  # for the build to warn about
    feed_contents: dict[str, str] = field(default_factory=dict)  # feed entries' content
    error: str | None = None  # why it stopped (a redline the engine could not compute)
    seconds: float = 0.0  # how long it took, and of that on a core (for the build's log)
    cpu_seconds: float = 0.0
    faults: int = 0  # pages of memory it had to be given (copied from the parent, or new)
    worker: int = 0  # the process that wrote them


def _write_all(archive: Archive, slugs: list[str]) -> str | None:
    """Write the archive pages of ``slugs``; why it stopped, if it did (a redline the
    engine could not compute), for the build to stop with."""
    try:
        for slug in slugs:
            archive.write_policy(slug)
    except Exception as error:
        return str(error) or type(error).__name__
    return None


def _outcome(archive: Archive, work: Callable[[], str | None]) -> Outcome:
    """Do ``work`` (in a worker): what the build records of what it wrote and computed,
    for the build's process."""
    ledger = archive.ledger
    known = dict(ledger.written)
    texts, sources = dict(archive.text_sha256), dict(archive.source_sha256)
    written, reused = archive.written, ledger.reused
    computed = set(archive.redlines.computed)
    problem_counts = len(archive.redlines.store.problems), len(archive.bodies.problems)
    warned, contents = len(archive.warnings), set(archive.feed_contents)
    outcome = Outcome()
    start, cpu = time.perf_counter(), time.process_time()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    outcome.error = work()
    outcome.seconds = time.perf_counter() - start
    outcome.cpu_seconds = time.process_time() - cpu
    outcome.faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    outcome.worker = os.getpid()
    outcome.records = {path: record for path, record in ledger.written.items()
                       if known.get(path) is not record}
    outcome.text_sha256 = {k: v for k, v in archive.text_sha256.items() if texts.get(k) != v}
    outcome.source_sha256 = {k: v for k, v in archive.source_sha256.items()
                             if sources.get(k) != v}
    outcome.written, outcome.reused = archive.written - written, ledger.reused - reused
    outcome.computed = archive.redlines.computed - computed
    outcome.problems = [*archive.redlines.store.problems[problem_counts[0]:],
                        *archive.bodies.problems[problem_counts[1]:]]
    outcome.warnings = archive.warnings[warned:]
    outcome.feed_contents = {entry: html for entry, html in archive.feed_contents.items()
                             if entry not in contents}
    return outcome


def _work(slugs: list[str]) -> Outcome:
    archive = _ARCHIVE[0]
    return _outcome(archive, lambda: _write_all(archive, slugs))


def _prepare(task: tuple[str, list[int]]) -> Outcome:
    archive = _ARCHIVE[0]
    slug, numbers = task
    def work() -> None:  # a redline that fails is left to the writers (Archive.prepare)
        archive.prepare(slug, numbers)

    return _outcome(archive, work)


def _tasks(pages: list[tuple[int, int]], size: int) -> list[list[int]]:
    """A policy's pages in tasks of about ``size`` to compute each: a task under way when
    the shells are ready is waited for, so none is long."""
    tasks: list[list[int]] = [[]]
    total = 0
    for number, cost in pages:
        if total >= size:
            tasks.append([])
            total = 0
        tasks[-1].append(number)
        total += cost
    return [task for task in tasks if task]


class ArchiveWriters:
    """Writes an archive's pages: on ``workers`` forked processes from ``start`` (once
    the shells are rendered), or in this process at ``finish``; ``prepare`` computes
    results ahead, until ``start``."""

    #: less than this much to write (``Archive.cost``) is written in the build's process
    FORK_FROM = 500_000
    #: how much a task computing results before the shells holds (``Archive.unprepared``)
    PREPARE_TASK = 2_000_000

    def __init__(self, archive: Archive, workers: int) -> None:
        self.archive = archive
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[Outcome]] = []
        self._preparing: ProcessPoolExecutor | None = None
        self._prepared: list[tuple[Future[Outcome], str, list[int]]] = []
        self._prepare_start = 0.0
        self.started = False
        self.log: list[str] = []  # how the workers did

    def prepare(self) -> None:
        """Before MkDocs renders any page: fork workers that compute the redlines and
        versions' texts the store lacks (on a cold build, most of the work) while MkDocs
        renders the site's own pages and the shells; stopped by ``start``. What they
        compute goes into the store, where the writers find it."""
        archive = self.archive
        if self.workers < 2 or self._preparing is not None:
            return
        todo = {slug: archive.unprepared(slug) for slug in archive.slugs()}
        costs = {slug: sum(cost for _, cost in pages) for slug, pages in todo.items()}
        if sum(costs.values()) < self.FORK_FROM:
            return
        _ARCHIVE[:] = [archive]
        self._preparing = forked_pool(self.workers)
        if self._preparing is None:
            return
        self._prepare_start = time.perf_counter()
        # The longest policies first, as the writers take them: done early, they are the
        # writers' shortest.
        self._prepared = [
            (self._preparing.submit(_prepare, (slug, task)), slug, task)
            for slug in sorted(costs, key=lambda slug: (-costs[slug], slug))
            for task in _tasks(todo[slug], self.PREPARE_TASK)]

    def _stop_preparing(self) -> None:
        """Stop ``prepare``'s workers once their tasks under way are done; what they
        computed is recorded (a task that failed is left to the writers, which report
        it)."""
        if self._preparing is None:
            return
        self._preparing.shutdown(wait=True, cancel_futures=True)
        self._preparing = None
        done = texts = 0
        cpu = 0.0
        for future, slug, numbers in self._prepared:
            if future.cancelled():
                continue
            try:
                outcome = future.result()
            except Exception as error:  # a worker died: its pages are written later
                self.log.append(f"results before the shells: a task failed ({error})")
                continue
            done += 1
            texts += sum(self.archive.planned(slug)[n].kind == PageKind.VERSION
                         for n in numbers)
            cpu += outcome.cpu_seconds
            _merge(self.archive, outcome)
        self.log.append(
            f"results before the shells: {done} of {len(self._prepared)} tasks done in "
            f"{time.perf_counter() - self._prepare_start:.1f} s ({cpu:.1f} s on a core), "
            f"{len(self.archive.redlines.computed)} redlines and {texts} versions' texts")
        self._prepared = []
        _ARCHIVE.clear()

    def start(self) -> None:
        """Fork the workers, if it pays: several cores, several policies to write."""
        archive = self.archive
        if self.started or not archive.shells_ready:
            return
        self._stop_preparing()
        self.started = True
        if self.workers < 2:
            return
        costs = {slug: archive.cost(slug) for slug in archive.slugs()}
        busy = [slug for slug, cost in costs.items() if cost]
        if len(busy) < 2 or sum(costs.values()) < self.FORK_FROM:
            return  # nearly every page kept from the previous build: not worth a fork
        # Folders of the previous build go back now, before the workers look in them.
        archive.ledger.restore_all()
        _ARCHIVE[:] = [archive]
        self._pool = forked_pool(self.workers)
        if self._pool is None:
            return
        # One task a policy, the longest first: a worker takes the next when it is done.
        self._futures = [self._pool.submit(_work, [slug]) for slug in
                         sorted(costs, key=lambda slug: (-costs[slug], slug))]

    def finish(self) -> None:
        """Every page written (waiting for the workers, or writing here); the records
        merged into the archive's. Raises RedlineError if a redline failed."""
        self.start()
        archive = self.archive
        if self._futures:
            try:
                outcomes = [future.result() for future in self._futures]
            finally:
                self.close()
            by_worker: dict[int, list[Outcome]] = {}
            for outcome in outcomes:
                _merge(archive, outcome)
                by_worker.setdefault(outcome.worker, []).append(outcome)
            for number, done in enumerate(by_worker.values(), 1):
                self.log.append(
                    f"archive worker {number}: {len(done)} policies, "
                    f"{sum(o.written for o in done)} pages written in "
                    f"{sum(o.seconds for o in done):.1f} s "
                    f"({sum(o.cpu_seconds for o in done):.1f} s on a core, "
                    f"{sum(o.faults for o in done)} page faults)")
            error = next((outcome.error for outcome in outcomes if outcome.error), None)
        else:  # written here: the archive's records are already this process's
            error = _write_all(archive, archive.slugs())
        archive.adopt_shells()
        if error:
            raise RedlineError(error)

    def close(self) -> None:
        if self._preparing is not None:
            self._preparing.shutdown(wait=True, cancel_futures=True)
            self._preparing = None
            self._prepared = []
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._futures = []
        _ARCHIVE.clear()


def _merge(archive: Archive, outcome: Outcome) -> None:
    """What a worker wrote, into the build's own records."""
    archive.ledger.written.update(outcome.records)
    archive.ledger.reused += outcome.reused
    archive.text_sha256.update(outcome.text_sha256)
    archive.source_sha256.update(outcome.source_sha256)
    archive.written += outcome.written
    archive.redlines.computed |= outcome.computed
    archive.redlines.store.problems.extend(outcome.problems)
    archive.warnings.extend(outcome.warnings)
    archive.feed_contents.update(outcome.feed_contents)



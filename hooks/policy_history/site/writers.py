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
from collections.abc import Callable, Collection
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from policy_history.site.archive import Archive
from policy_history.site.archive_content import ArchiveContent, RedlineError
from policy_history.site.archive_results import ArchiveResults
from policy_history.site.page_data import PageKind
from policy_history.site.workers import forked_pool

#: what the workers work on (set just before they are forked: they share it): the
#: archive they write, or the content they compute ahead
_SHARED: list[Any] = []


@dataclass
class Outcome:
    """What writing some policies' archive pages, or computing results ahead, gave."""

    results: ArchiveResults = field(default_factory=ArchiveResults)  # what it added
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


def _outcome(results: ArchiveResults, work: Callable[[], str | None]) -> Outcome:
    """Do ``work`` (in a worker): what it added to the build's ``results``, for the
    build's process."""
    before = results.copy()
    outcome = Outcome()
    start, cpu = time.perf_counter(), time.process_time()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    outcome.error = work()
    outcome.seconds = time.perf_counter() - start
    outcome.cpu_seconds = time.process_time() - cpu
    outcome.faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    outcome.worker = os.getpid()
    outcome.results = results.added_since(before)
    return outcome


def _work(slugs: list[str]) -> Outcome:
    archive: Archive = _SHARED[0]
    return _outcome(archive.results, lambda: _write_all(archive, slugs))


def _prepare(task: tuple[str, list[int]]) -> Outcome:
    content: ArchiveContent
    content, results = _SHARED
    slug, numbers = task

    def work() -> None:  # a redline that fails is left to the writers (ArchiveContent.prepare)
        content.prepare(slug, numbers)

    return _outcome(results, work)


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

    def __init__(self, results: ArchiveResults, workers: int) -> None:
        """``results``: the build's, into which the workers' are merged."""
        self.results = results
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[Outcome]] = []
        self._preparing: ProcessPoolExecutor | None = None
        #: each task computing results ahead, and how many versions' texts it computes
        self._prepared: list[tuple[Future[Outcome], int]] = []
        self._prepare_start = 0.0
        self.started = False
        self.log: list[str] = []  # how the workers did

    def prepare(self, content: ArchiveContent, previous: Collection[str]) -> None:
        """Before MkDocs renders any page: fork workers that compute the redlines and
        versions' texts the store lacks (on a cold build, most of the work) while MkDocs
        renders the site's own pages and the shells; stopped by ``start``. What they
        compute goes into the store, where the writers find it."""
        if self.workers < 2 or self._preparing is not None:
            return
        todo = {slug: content.unprepared(slug, previous) for slug in content.plan.slugs()}
        costs = {slug: sum(cost for _, cost in pages) for slug, pages in todo.items()}
        if sum(costs.values()) < self.FORK_FROM:
            return
        _SHARED[:] = [content, self.results]
        self._preparing = forked_pool(self.workers)
        if self._preparing is None:
            return
        self._prepare_start = time.perf_counter()
        # The longest policies first, as the writers take them: done early, they are the
        # writers' shortest.
        self._prepared = [
            (self._preparing.submit(_prepare, (slug, task)),
             sum(content.plan.planned(slug)[n].kind == PageKind.VERSION for n in task))
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
        for future, version_texts in self._prepared:
            if future.cancelled():
                continue
            try:
                outcome = future.result()
            except Exception as error:  # a worker died: its pages are written later
                self.log.append(f"results before the shells: a task failed ({error})")
                continue
            done += 1
            texts += version_texts
            cpu += outcome.cpu_seconds
            self.results.merge(outcome.results)
        self.log.append(
            f"results before the shells: {done} of {len(self._prepared)} tasks done in "
            f"{time.perf_counter() - self._prepare_start:.1f} s ({cpu:.1f} s on a core), "
            f"{len(self.results.computed)} redlines and {texts} versions' texts")
        self._prepared = []
        _SHARED.clear()

    def start(self, archive: Archive) -> None:
        """Fork the workers, if it pays: several cores, several policies to write."""
        if self.started or not archive.shells_ready:
            return
        self._stop_preparing()
        self.started = True
        if self.workers < 2:
            return
        costs = {slug: archive.cost(slug) for slug in archive.plan.slugs()}
        busy = [slug for slug, cost in costs.items() if cost]
        if len(busy) < 2 or sum(costs.values()) < self.FORK_FROM:
            return  # nearly every page kept from the previous build: not worth a fork
        # Folders of the previous build go back now, before the workers look in them.
        archive.ledger.restore_all()
        _SHARED[:] = [archive]
        self._pool = forked_pool(self.workers)
        if self._pool is None:
            return
        # One task a policy, the longest first: a worker takes the next when it is done.
        self._futures = [self._pool.submit(_work, [slug]) for slug in
                         sorted(costs, key=lambda slug: (-costs[slug], slug))]

    def finish(self, archive: Archive) -> None:
        """Every page written (waiting for the workers, or writing here); the records
        merged into the archive's. Raises RedlineError if a redline failed."""
        self.start(archive)
        if self._futures:
            try:
                outcomes = [future.result() for future in self._futures]
            finally:
                self.close()
            by_worker: dict[int, list[Outcome]] = {}
            for outcome in outcomes:
                self.results.merge(outcome.results)
                by_worker.setdefault(outcome.worker, []).append(outcome)
            for number, done in enumerate(by_worker.values(), 1):
                self.log.append(
                    f"archive worker {number}: {len(done)} policies, "
                    f"{sum(len(o.results.written) for o in done)} pages written in "
                    f"{sum(o.seconds for o in done):.1f} s "
                    f"({sum(o.cpu_seconds for o in done):.1f} s on a core, "
                    f"{sum(o.faults for o in done)} page faults)")
            error = next((outcome.error for outcome in outcomes if outcome.error), None)
        else:  # written here: the archive's records are already this process's
            error = _write_all(archive, archive.plan.slugs())
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
        _SHARED.clear()


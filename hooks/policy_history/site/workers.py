"""Worker processes for the heavy parts of a cold build (rendering, redlines).

They are forked, so they share everything the build has loaded (the history, the site's
files) without it being copied through a pipe; the caller sets what they work with in a
module global just before asking for the pool.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

#: the collector's thresholds in a worker: a worker keeps many small objects for reuse
#: (parsed pieces, tokens, word diffs), which the default thresholds walk again and again
WORKER_GC_THRESHOLDS = (50_000, 20, 100)
#: how often a worker checks that the build that forked it is still there
PARENT_CHECK_SECONDS = 0.5


def _started() -> None:
    """In each worker, first: what it inherited is never garbage, so the collector stops
    looking at it, and it looks less often. With the defaults, the collector took a third
    of a redline worker's time on a long history (ota-pga-versions), walking the parent's
    millions of objects and the worker's kept results."""
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True,
                     name="policy-history-parent-watch").start()


def _exit_with_parent(parent: int) -> None:
    """End this worker once the build that forked it is gone (killed, say). A forked
    worker holds its own copy of the pool's pipes, so it never sees them close: it would
    otherwise wait for work for ever. Its parent changes when it is orphaned."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def forked_pool(workers: int) -> ProcessPoolExecutor | None:
    """``workers`` forked processes, or None when there is nothing to gain (one worker)
    or fork is not safe: it exists only on Linux and macOS, and is unsafe on macOS.

    This process's objects are frozen too (``thaw`` undoes it): a page of memory the
    workers share is copied as soon as either side writes to it, and a collection writes
    to every object it walks. Copying pages is slow on some machines (about 18 µs a
    page on this project's, under virtualisation)."""
    pools = _forked(workers, [workers])
    return pools[0] if pools else None


def forked_processes(count: int) -> list[ProcessPoolExecutor]:
    """``count`` pools of one forked process each, for work that has to go to the same
    process as the work before it (to reuse what that process keeps); none where
    ``forked_pool`` gives none."""
    return _forked(count, [1] * count)


def _forked(workers: int, sizes: list[int]) -> list[ProcessPoolExecutor]:
    """Pools of forked processes of ``sizes``, ``workers`` in all (see ``forked_pool``)."""
    if workers < 2 or sys.platform != "linux":
        return []
    gc.freeze()
    return [ProcessPoolExecutor(size, mp_context=multiprocessing.get_context("fork"),
                                initializer=_started) for size in sizes]


def thaw() -> None:
    """Let the collector see again what ``forked_pool`` froze (call once the workers of a
    build are gone: in ``mkdocs serve`` the previous build's objects become garbage)."""
    gc.unfreeze()

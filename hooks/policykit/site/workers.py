"""Worker processes for the heavy parts of a cold build (rendering, redlines).

They are forked, so they share everything the build has loaded (the history, the site's
files) without it being copied through a pipe; the caller sets what they work with in a
module global just before asking for the pool.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor


def forked_pool(workers: int) -> ProcessPoolExecutor | None:
    """``workers`` forked processes, or None when there is nothing to gain (one worker)
    or fork is not safe: it exists only on Linux and macOS, and is unsafe on macOS."""
    if workers < 2 or sys.platform != "linux":
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))

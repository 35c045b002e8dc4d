"""A snapshot of the history replay, so a build replays only the commits since the last one.

After a build the replay's state (policy_history.model.timeline.ReplayState: the tree, the layouts,
every revision, the problems met) is saved with the commit it ends at. The next build
with the same settings finds that commit in its first-parent log and replays only the
commits after it: none when nothing was committed. A state is reused only by a build
whose result could not differ: the snapshot's key covers the policies folder, the
mkdocs.yml path, the site variables, templating, the renderer's settings and the code
(policy_history.store.code_keys: the modules the replay and the sections' prints come from,
and the versions of the libraries).
When the commit is no longer at its place in the log (history rewritten, another
branch), the history is replayed whole.

The snapshot is a pickle in a policy_history.store.files (magic, format, SHA-256), in the
project's own cache folder; one file per key, overwritten. A file that does not read back
is reported and rebuilt, never trusted. Pickle runs code when it loads, so the cache
folder must be as trusted as the site's sources (it is in the project's folder).
"""

from __future__ import annotations

import gc
import os
import pickle
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from policy_history.keys import stable_digest
from policy_history.model.timeline import ReplayState
from policy_history.repository import LogCommit
from policy_history.store import code_keys
from policy_history.store.code_keys import Kind
from policy_history.store.files import open_checked, write_atomically

FORMAT = 1
_MAGIC = b"policy_history-history %d\n" % FORMAT
_PREFIX = "history-"
#: snapshots kept in the folder, the most recently used first: the current settings' and a
#: few others (a build and a preview with other variables), without growing forever
KEEP = 3
_STALE_TEMPORARY = 3600  # seconds: a temporary file this old is left by a killed build


def snapshot_key(*, policies_dir: str, config_path: str | None,
                 site_variables: Mapping[str, Any], templating: bool, renderer: str,
                 text_dates: str = "all") -> str:
    """Everything the replay's result depends on, but the commits."""
    return stable_digest(FORMAT, policies_dir, config_path, site_variables, templating,
                         text_dates, renderer, code_keys.key_for(Kind.HISTORY))


@contextmanager
def _no_collection() -> Iterator[None]:
    """Without the cyclic garbage collector, which would walk the growing model again and
    again while it is unpickled (the model makes no cycles to collect)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class HistorySnapshots:
    """The snapshot of one key in ``folder`` (None: no snapshot is read or written)."""

    def __init__(self, folder: Path | None, key: str) -> None:
        self.folder = folder
        self.path = folder / f"{_PREFIX}{key}.bin" if folder else None
        #: a snapshot file that could not be used (it will be rewritten)
        self.problem: str | None = None

    def load(self, commits: Sequence[LogCommit]) -> ReplayState | None:
        """The saved state, if it is the replay of the first commits of ``commits``."""
        if self.path is None or not self.path.exists():
            return None
        try:
            with open_checked(self.path, _MAGIC) as file, _no_collection():
                state = pickle.load(file)
            if not isinstance(state, ReplayState):
                raise TypeError(f"a {type(state).__name__}, not a replay state")
        except Exception as error:  # a cache: whatever is wrong with it, rebuild it
            self.problem = f"{self.path}: {error}; rebuilding it"
            return None
        done = state.replayed
        if done > len(commits) or (done and commits[done - 1].sha != state.last_commit):
            return None  # the history was rewritten, or another branch is built
        with suppress(OSError):
            os.utime(self.path)  # recently used: kept when the folder is pruned
        return state

    def save(self, state: ReplayState) -> None:
        """Write the state, replacing this key's snapshot. A folder that cannot be written
        is not an error: the snapshot is optional."""
        if self.path is None:
            return
        try:
            with _no_collection():
                write_atomically(self.path, _MAGIC,
                                 lambda out: pickle.dump(state, out, pickle.HIGHEST_PROTOCOL))
        except Exception:  # unwritable, or variables pickle cannot save: replay whole next time
            return
        self._prune()

    def _prune(self) -> None:
        """Delete all but the KEEP most recently used snapshots, and temporary files left
        by killed builds."""
        assert self.folder is not None
        try:
            snapshots = sorted(self.folder.glob(f"{_PREFIX}*.bin"),
                               key=lambda path: path.stat().st_mtime, reverse=True)
            for path in snapshots[KEEP:]:
                path.unlink(missing_ok=True)
            for path in self.folder.glob(f".{_PREFIX}*"):
                if path.stat().st_mtime < time.time() - _STALE_TEMPORARY:
                    path.unlink(missing_ok=True)
        except OSError:
            pass

"""A snapshot of the history replay, so a build replays only the commits since the last one.

After a build the replay's state (policy_history.model.timeline.ReplayState: the tree, the layouts,
every revision, the problems met) is saved with the commit it ends at. The next build
with the same settings finds that commit in its first-parent log and replays only the
commits after it: none when nothing was committed. A state is reused only by a build
whose result could not differ: the snapshot's key covers the policies folder, the
mkdocs.yml path, the site variables, templating, the renderer's settings and the code
(the policy_history modules the model comes from, and the libraries the text goes through).
When the commit is no longer at its place in the log (history rewritten, another
branch), the history is replayed whole.

The snapshot is a pickle in a policy_history.store.files (magic, format, SHA-256), in the
project's own cache folder; one file per key, overwritten. A file that does not read back
is reported and rebuilt, never trusted. Pickle runs code when it loads, so the cache
folder must be as trusted as the site's sources (it is in the project's folder).
"""

from __future__ import annotations

import functools
import gc
import os
import pickle
import re
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import jinja2
import yaml

from policy_history.keys import stable_digest
from policy_history.model.timeline import ReplayState
from policy_history.repository import LogCommit
from policy_history.store.files import open_checked, write_atomically

FORMAT = 1
_MAGIC = b"policy_history-history %d\n" % FORMAT
_PREFIX = "history-"
#: snapshots kept in the folder, the most recently used first: the current settings' and a
#: few others (a build and a preview with other variables), without growing forever
KEEP = 3
_STALE_TEMPORARY = 3600  # seconds: a temporary file this old is left by a killed build


_PACKAGE = Path(__file__).resolve().parents[1]  # policy_history/
#: the modules the replay's result comes from (with what they import: model_source_files)
MODEL_MODULES = ("policy_history.loader", "policy_history.store.replays",
                 "policy_history.model.timeline")


def _module_file(name: str) -> Path | None:
    """The source of a policy_history module or package (None for other modules)."""
    first, *rest = name.split(".")
    if first != "policy_history":
        return None
    candidates = [_PACKAGE.joinpath(*rest[:-1], f"{rest[-1]}.py")] if rest else []
    candidates.append(_PACKAGE.joinpath(*rest, "__init__.py"))
    return next((path for path in candidates if path.is_file()), None)


#: ``import policy_history…`` and ``from policy_history… import …`` statements (a regex: parsing the
#: modules took 50 ms of a 400 ms build)
_IMPORT = re.compile(r"^[ \t]*(?:import[ \t]+([^\n#;]+)"
                     r"|from[ \t]+(policy_history[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+))",
                     re.M)


def model_source_files(roots: Sequence[str] = MODEL_MODULES) -> list[Path]:
    """The files of ``roots`` and of the policy_history modules they import, transitively."""
    found: dict[str, Path] = {}
    todo = ["policy_history", *roots]
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if name in found or path is None:
            continue
        found[name] = path
        todo.append(name.rpartition(".")[0])  # a module's package runs first
        for match in _IMPORT.finditer(path.read_text("utf-8")):
            modules, package, names = match.groups()
            if modules:
                todo += [item.split()[0] for item in modules.split(",") if item.strip()]
            else:
                todo.append(package)  # and its names, which may be modules
                todo += [f"{package}.{item.split()[0]}"
                         for item in names.strip("()").split(",") if item.strip()]
    return sorted(found.values())


def _versions_of(files: Sequence[Path]) -> str:
    parts: list[object] = [sys.version_info[:2], jinja2.__version__, yaml.__version__]
    for path in files:
        parts += [path.relative_to(_PACKAGE).as_posix(), path.read_bytes()]
    return stable_digest(*parts)


@functools.cache
def model_code_version() -> str:
    """A hash of the code the history model comes from (the policy_history modules the replay
    imports, and the versions of Python and of the libraries a policy's text goes
    through): a snapshot written by other code is never reused. The site's pages and the
    redline are not part of it: changing them keeps the snapshot. Computed once per
    process, as the code running does not change."""
    return _versions_of(model_source_files())


@functools.cache
def package_version() -> str:
    """A hash of every file of policy_history (pages and redline included)."""
    files = [path for path in _PACKAGE.rglob("*")
             if path.is_file() and "__pycache__" not in path.parts]
    return _versions_of(sorted(files))


def render_key(renderer: str) -> str:
    """A hash of the renderer's settings (store.section_prints.renderer_key) and of all of
    policy_history's code: with a revision's source_key, a key for the HTML its text renders to
    (not for the page around it, which also shows the revision's place in the history)."""
    return stable_digest(renderer, package_version())


def snapshot_key(*, policies_dir: str, config_path: str | None,
                 site_variables: Mapping[str, Any], templating: bool, renderer: str,
                 text_dates: str = "all") -> str:
    """Everything the replay's result depends on, but the commits."""
    return stable_digest(FORMAT, policies_dir, config_path, site_variables, templating,
                         text_dates,
                         renderer, model_code_version())


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

"""Files as git has them: at a commit, in the working tree, and which differ from HEAD."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from policy_history.repository.commits import GITLINK_MODE, SYMLINK_MODE
from policy_history.repository.process import read_objects, run_git


@dataclass(frozen=True)
class TreeFile:
    mode: str  # git's file mode: 100644, 100755 or 120000 (a symbolic link: data is its target)
    data: bytes


def files_at(root: Path, commit: str, paths: Sequence[str]) -> dict[str, TreeFile]:
    """The files under ``paths`` (repository paths; '' for everything) at ``commit``,
    submodules left out."""
    out = run_git(root, "-c", "core.quotePath=false", "ls-tree", "-r", "-z", "--full-tree",
                  commit, "--", *_from_top(paths))
    entries: list[tuple[str, str, str]] = []  # (mode, sha, path)
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        meta, path = record.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "blob" and mode != GITLINK_MODE:
            entries.append((mode, sha, path))
    blobs = read_objects(root, [sha for _, sha, _ in entries])
    return {path: TreeFile(mode, blobs[sha]) for mode, sha, path in entries}


def contents_at(root: Path, places: Iterable[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
    """The content of each (commit, path) through one ``cat-file --batch``."""
    wanted = list(places)
    objects = read_objects(root, [f"{commit}:{path}" for commit, path in wanted])
    return {(commit, path): objects[f"{commit}:{path}"] for commit, path in wanted}


def working_files(root: Path, paths: Sequence[str]) -> dict[str, TreeFile]:
    """The files under ``paths`` as they are on disk: committed, edited or new (not ignored)."""
    out = run_git(root, "-c", "core.quotePath=false", "ls-files", "-z", "--cached", "--others",
                  "--exclude-standard", "--", *_from_top(paths))
    files: dict[str, TreeFile] = {}
    for rel in sorted(set(out.decode("utf-8", "surrogateescape").split("\0"))):
        if not rel:
            continue
        path = root / rel
        if path.is_symlink():
            files[rel] = TreeFile(SYMLINK_MODE, str(path.readlink()).encode())
        elif path.is_file():
            mode = "100755" if os.access(path, os.X_OK) else "100644"
            files[rel] = TreeFile(mode, path.read_bytes())
    return files


def uncommitted_paths(root: Path, paths: Sequence[str]) -> list[str]:
    """Paths under ``paths`` (pathspecs) that differ from HEAD in the working tree or index,
    new files included."""
    out = run_git(
        root,
        "-c",
        "core.quotePath=false",
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--",
        *paths,
    )
    changed = []
    tokens = out.decode("utf-8", "surrogateescape").split("\0")
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if len(token) > 3:
            changed.append(token[3:])
            if token[0] in "RC":
                i += 1  # the source path of a rename follows
        i += 1
    return sorted(changed)


def _from_top(paths: Sequence[str]) -> list[str]:
    """Repository paths as pathspecs that do not depend on the current folder."""
    return [f":(top){p}" if p else ":(top)" for p in paths]

"""Files as git has them: at a commit, in the working tree, and which differ from HEAD."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from policy_history.repository.process import run_git


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

"""The site build's questions, a fixed number of git processes whatever the history's size:
``rev-parse`` once, ``log`` once, ``cat-file --batch`` once and, for drafts, ``status`` once.

GitPython only finds the repository (in Python, starting no git process of its own); the
questions are asked through :mod:`policy_history.repository.process`, as the editors' are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import git

from policy_history.errors import GitError
from policy_history.repository.commits import LOG_FORMAT, LogCommit, parse_log
from policy_history.repository.process import read_objects, run_git
from policy_history.repository.trees import uncommitted_paths


class Repository:
    """An open git repository. Close it (or use ``with``): ``mkdocs serve`` is long-lived."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing stays open between questions; kept so callers need not know that."""

    def describe_head(self) -> tuple[str | None, bool]:
        """The HEAD commit (None in a repository without commits) and whether it is shallow."""
        out = run_git(self.root, "rev-parse", "--is-shallow-repository", "--verify", "-q",
                      "HEAD", allow_fail=True)
        lines = out.decode("utf-8", "surrogateescape").splitlines()
        shallow = bool(lines) and lines[0].strip() == "true"
        head = lines[1].strip() if len(lines) > 1 else None
        return head, shallow

    def first_parent_log(self, rev: str, paths: Sequence[str]) -> list[LogCommit]:
        """Every first-parent commit of ``rev`` that changes ``paths``, oldest first.

        Merges are diffed against their first parent only, so a merged pull request is one
        commit whatever the merge style; renames are detected so histories continue.
        """
        out = run_git(
            self.root,
            "-c",
            "core.quotePath=false",
            "log",
            "-z",
            "--first-parent",
            "--diff-merges=first-parent",
            "--raw",
            "--no-abbrev",
            "-M",
            "--root",
            "--no-color",
            "--reverse",
            f"--format={LOG_FORMAT}",
            rev,
            "--",
            *paths,
        )
        return parse_log(out.decode("utf-8", "surrogateescape"))

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The content of many blobs (or commits) through one ``git cat-file --batch``."""
        return read_objects(self.root, shas)

    def working_tree_changes(self, paths: Sequence[str]) -> list[str]:
        """Paths under ``paths`` that differ from HEAD in the working tree or index."""
        return uncommitted_paths(self.root, paths)


def open_repository(path: str | os.PathLike[str]) -> Repository:
    """Open the repository holding ``path``, or explain how to make one."""
    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise GitError(
            f"'{path}' is not inside a git repository, so there is no history to publish",
            fix="build from a clone of the repository (git clone …), or run 'git init' "
            "and commit the policies first",
        ) from exc
    except git.GitCommandNotFound as exc:  # pragma: no cover - depends on the machine
        raise GitError(
            "git is not installed or not on PATH", fix="install git (https://git-scm.com/)"
        ) from exc
    with repo:
        return Repository(Path(repo.working_tree_dir or repo.git_dir).resolve())

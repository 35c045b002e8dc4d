"""Which commit a name means: the work tree's top, HEAD, a branch or tag, a merge base."""

from __future__ import annotations

from pathlib import Path

from policy_history.errors import GitError
from policy_history.repository.process import run_git

FETCH_FIX = (
    "name a branch, tag or commit that exists here; fetch it first (git fetch origin main), "
    "and in GitHub Actions set 'fetch-depth: 0' on actions/checkout"
)


def repository_root(path: Path) -> Path:
    """The top of the work tree holding ``path`` (the nearest existing folder of it)."""
    probe = path.resolve()
    while not probe.is_dir():
        probe = probe.parent
    out = run_git(probe, "rev-parse", "--show-toplevel", allow_fail=True).decode().strip()
    if not out:
        raise GitError(
            f"'{path}' is not inside a git repository",
            fix="run this in a clone of the repository that holds the policies",
        )
    return Path(out).resolve()


def commit_of(root: Path, rev: str) -> str | None:
    """The commit ``rev`` (a branch, tag, commit or expression) names, or None."""
    out = run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                  f"{rev}^{{commit}}", allow_fail=True)
    return out.decode().strip() or None


def resolve_revision(root: Path, rev: str) -> str:
    """The commit ``rev`` names, or a plain error saying it does not exist here."""
    sha = commit_of(root, rev)
    if sha is None:
        raise GitError(
            f"the base revision '{rev}' does not exist in this repository"
            + (" (this clone is shallow: it has only part of the history)"
               if is_shallow(root) else ""),
            fix=FETCH_FIX,
        )
    return sha


def is_shallow(root: Path) -> bool:
    """Whether this clone has only part of the history."""
    out = run_git(root, "rev-parse", "--is-shallow-repository", allow_fail=True)
    return out.decode().strip() == "true"


def head_commit(root: Path) -> str | None:
    """The commit checked out (None in a repository without commits)."""
    out = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD", allow_fail=True)
    return out.decode().strip() or None


def merge_base(root: Path, base: str, head: str) -> str:
    """Where ``head`` branched from ``base`` (as a pull request's diff is taken), else ``base``."""
    out = run_git(root, "merge-base", base, head, allow_fail=True).decode().strip()
    return out or base

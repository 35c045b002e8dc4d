"""Which commits: the one a name means (HEAD, a branch or tag, a merge base), and those that
changed a file; and the top of the work tree they are asked in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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


@dataclass(frozen=True)
class FileCommit:
    """A first-parent commit that changed one file (``git log --follow``)."""

    sha: str
    committed_iso: str  # ISO 8601, as git printed it
    authored_iso: str
    author: tuple[str, str]  # (name, email)
    subject: str
    path: str  # the file's path in this commit: renames are followed

    def moment(self, dates: str) -> dt.datetime:
        """When it landed (``dates`` "committer") or was written ("author")."""
        return dt.datetime.fromisoformat(
            self.committed_iso if dates == "committer" else self.authored_iso)


def file_commits(root: Path, rev: str, file: str) -> list[FileCommit]:
    """The first-parent commits of ``rev`` that changed ``file``, newest first, following
    renames; those that deleted it are left out."""
    out = run_git(root, "-c", "core.quotePath=false", "log", "--first-parent",
                  "--diff-merges=first-parent", "--follow", "--name-status", "-M",
                  "--format=%x1e%H%x00%cI%x00%aI%x00%an%x00%ae%x00%s", rev, "--", file
                  ).decode("utf-8", "surrogateescape")
    commits = []
    for record in out.split("\x1e")[1:]:
        header, _, rest = record.partition("\n")
        sha, committed, authored, name, email, subject = header.split("\x00")
        status = [line.split("\t") for line in rest.splitlines() if "\t" in line]
        if not status or status[-1][0].startswith("D"):
            continue  # the file was deleted here
        commits.append(FileCommit(sha, committed, authored, (name, email), subject,
                                  status[-1][-1]))
    return commits


@dataclass(frozen=True)
class CommitMessage:
    sha: str
    committed: dt.datetime
    message: str  # whole, trailers included


def messages_touching(root: Path, path: str) -> list[CommitMessage]:
    """Every commit of HEAD's history (merged branches too) that touches ``path`` (a
    repository path), newest first, with its whole message."""
    out = run_git(root, "-c", "core.quotePath=false", "log", "--format=%x1e%H%x00%cI%x00%B",
                  "HEAD", "--", f":(top){path}").decode("utf-8", "replace")
    messages = []
    for record in out.split("\x1e")[1:]:
        sha, committed, message = record.split("\x00", 2)
        messages.append(CommitMessage(sha, dt.datetime.fromisoformat(committed.strip()),
                                      message))
    return messages

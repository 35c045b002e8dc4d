"""What git says about commits, parsed: the log the build reads and commit objects' dates.

Parsing only; the processes are started by :mod:`policy_history.repository.process`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from policy_history.errors import GitError

#: git writes this before each commit of the log; commit messages cannot contain NUL,
#: and the fields after it are read by position, so a message cannot fake it.
_COMMIT_SENTINEL = "\x1epolicy-history-commit"
LOG_FORMAT = _COMMIT_SENTINEL + "%x00%H%x00%P%x00%cI%x00%aI%x00%an%x00%B"
_ZERO_SHA = "0" * 40
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"


@dataclass(frozen=True)
class FileChange:
    """One line of ``git log --raw``: a path added, modified, deleted or renamed."""

    status: str  # A, M, D, R, C, T
    path: str
    blob: str | None  # None when deleted
    mode: str
    old_path: str | None = None  # set for renames and copies


@dataclass(frozen=True)
class LogCommit:
    """A commit on the first-parent line and what it changed against its first parent."""

    sha: str
    parents: tuple[str, ...]
    committed: datetime  # aware, in the committer's own offset
    authored: datetime
    author: str
    message: str
    changes: tuple[FileChange, ...] = field(default=())

    @property
    def subject(self) -> str:
        """The first line of the message, without control characters (shown on pages and
        in the build's log, where a terminal would act on them)."""
        return _CONTROL.sub("", self.message.split("\n", 1)[0]).strip()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def committer_date(commit_object: bytes, sha: str = "") -> datetime:
    """The committer date of a raw commit object (as ``cat-file --batch`` gives it), in the
    committer's own offset."""
    for line in commit_object.split(b"\n\n", 1)[0].split(b"\n"):
        if line.startswith(b"committer "):
            stamp = line.rsplit(b" ", 2)[1:]
            try:
                seconds, offset = stamp
                sign = -1 if offset.startswith(b"-") else 1
                minutes = sign * (int(offset[1:3]) * 60 + int(offset[3:5]))
                return datetime.fromtimestamp(int(seconds), timezone(timedelta(minutes=minutes)))
            except (ValueError, OverflowError, OSError):
                raise _unreadable_date(sha, b" ".join(stamp).decode("ascii", "replace")
                                       ) from None
    raise GitError("git gave a commit without a committer", fix="run 'git fsck'")


def _commit_moment(sha: str, text: str) -> datetime:
    """A commit's ISO 8601 date as git printed it, or a clear error: git accepts dates
    Python cannot hold (the year 10000, an offset of 99 hours, a negative time that git
    cannot even print)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise _unreadable_date(sha, text) from None


def _unreadable_date(sha: str, text: str) -> GitError:
    return GitError(
        f"commit {sha[:10]} has the committer date '{text}', which is not a date this "
        "history can be dated by (years 1970 to 9999, offsets under 24 hours)",
        fix="rewrite that commit with its real date (git rebase -i, or git filter-repo "
        "--commit-callback), then build again; until then no page could be dated honestly",
    )


def parse_log(out: str) -> list[LogCommit]:
    """Parse ``git log -z --raw`` output written with ``LOG_FORMAT``."""
    tokens = out.split("\0")
    commits: list[LogCommit] = []
    i = 0
    n = len(tokens)
    while i < n:
        token = tokens[i].lstrip("\n")
        if token != _COMMIT_SENTINEL:
            i += 1
            continue
        sha, parents, committed, authored, author, message = tokens[i + 1 : i + 7]
        i += 7
        changes: list[FileChange] = []
        while i < n and tokens[i].lstrip("\n").startswith(":"):
            meta = tokens[i].lstrip("\n")[1:].split()
            _old_mode, new_mode, _old_blob, new_blob, status = meta[:5]
            kind = status[0]
            if kind in "RC":
                old_path, path = tokens[i + 1], tokens[i + 2]
                i += 3
            else:
                old_path, path = None, tokens[i + 1]
                i += 2
            changes.append(
                FileChange(
                    status=kind,
                    path=path,
                    old_path=old_path,
                    mode=new_mode,
                    blob=None if kind == "D" or new_blob == _ZERO_SHA else new_blob,
                )
            )
        committed_at = _commit_moment(sha, committed)
        try:
            authored_at = datetime.fromisoformat(authored)
        except ValueError:  # shown nowhere: the committer date dates a revision
            authored_at = committed_at
        commits.append(
            LogCommit(
                sha=sha,
                parents=tuple(parents.split()),
                committed=committed_at,
                authored=authored_at,
                author=author,
                message=message.strip(),
                changes=tuple(changes),
            )
        )
    return commits

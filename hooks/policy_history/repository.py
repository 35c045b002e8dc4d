"""The only module that talks to git (through GitPython's process wrapper).

One function per question, each a fixed number of git processes whatever the size of
the history: a build asks ``rev-parse`` once, ``log`` once, ``cat-file --batch`` once and,
for drafts, ``status`` once.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import git

from policy_history.errors import GitError

#: git writes this before each commit of the log; commit messages cannot contain NUL,
#: and the fields after it are read by position, so a message cannot fake it.
_COMMIT_SENTINEL = "\x1epolicy-history-commit"
_LOG_FORMAT = _COMMIT_SENTINEL + "%x00%H%x00%P%x00%cI%x00%aI%x00%an%x00%B"
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


class Repository:
    """An open git repository. Close it (or use ``with``): ``mkdocs serve`` is long-lived."""

    def __init__(self, repo: git.Repo) -> None:
        self._repo = repo
        self.root = Path(repo.working_tree_dir or repo.git_dir).resolve()

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._repo.close()

    # -- questions -----------------------------------------------------------------------

    def describe_head(self) -> tuple[str | None, bool]:
        """The HEAD commit (None in a repository without commits) and whether it is shallow."""
        out = self._run(
            "rev-parse", "--is-shallow-repository", "--verify", "-q", "HEAD", allow_fail=True
        )
        lines = out.splitlines()
        shallow = bool(lines) and lines[0].strip() == "true"
        head = lines[1].strip() if len(lines) > 1 else None
        return head, shallow

    def first_parent_log(self, rev: str, paths: Sequence[str]) -> list[LogCommit]:
        """Every first-parent commit of ``rev`` that changes ``paths``, oldest first.

        Merges are diffed against their first parent only, so a merged pull request is one
        commit whatever the merge style; renames are detected so histories continue.
        """
        out = self._run(
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
            f"--format={_LOG_FORMAT}",
            rev,
            "--",
            *paths,
        )
        return parse_log(out)

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The content of many blobs through one ``git cat-file --batch`` process."""
        wanted = sorted(set(shas))
        if not wanted:
            return {}
        proc = self._repo.git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
        stdin, stdout = proc.proc.stdin, proc.proc.stdout
        assert stdin is not None and stdout is not None

        def feed() -> None:
            try:
                stdin.write("".join(f"{sha}\n" for sha in wanted).encode())
            finally:
                stdin.close()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        blobs: dict[str, bytes] = {}
        try:
            for sha in wanted:
                header = stdout.readline().decode().split()
                if len(header) != 3:
                    raise GitError(
                        f"git could not read object {sha}",
                        fix="run 'git fsck' to check the repository",
                    )
                size = int(header[2])
                blobs[sha] = _read_exactly(stdout, size)
                stdout.read(1)  # the newline after each object
        finally:
            writer.join()
            proc.wait()
        return blobs

    def working_tree_changes(self, paths: Sequence[str]) -> list[str]:
        """Paths under ``paths`` that differ from HEAD in the working tree or index."""
        out = self._run(
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
        tokens = out.split("\0")
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if len(token) > 3:
                changed.append(token[3:])
                if token[0] in "RC":
                    i += 1  # the source path of a rename follows
            i += 1
        return sorted(changed)

    # -- plumbing ------------------------------------------------------------------------

    def _run(self, *args: str, allow_fail: bool = False) -> str:
        try:
            return self._repo.git.execute(
                ["git", *args],
                env=_GIT_ENV,
                strip_newline_in_stdout=False,
                with_extended_output=False,
            )
        except git.GitCommandError as exc:
            if allow_fail:
                return str(exc.stdout or "").strip().removeprefix("stdout: ").strip("'")
            raise GitError(
                f"git {args[0] if args[0] != '-c' else args[2]} failed",
                detail=str(exc.stderr or "").strip().removeprefix("stderr: ").strip("'"),
            ) from exc


_GIT_ENV = {"LC_ALL": "C", "LANG": "C", "GIT_TERMINAL_PROMPT": "0"}


def _read_exactly(stream: object, size: int) -> bytes:
    chunks = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)  # type: ignore[attr-defined]
        if not chunk:
            raise GitError("git cat-file ended early", fix="run 'git fsck' to check the repository")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


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
    return Repository(repo)


def parse_log(out: str) -> list[LogCommit]:
    """Parse ``git log -z --raw`` output written with ``_LOG_FORMAT``."""
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

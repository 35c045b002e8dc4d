"""The writes: new commits on top of HEAD, and the branch fast-forwarded to them; and
the first commit of a new site's repository.

Commits are written with ``git fast-import`` (one process whatever their number) on a
temporary ref; the branch is then moved with ``git merge --ff-only``, which refuses rather
than overwrite local changes. History is never rewritten.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from policy_history.errors import GitError
from policy_history.repository.process import run_git


@dataclass(frozen=True)
class NewCommit:
    author: tuple[str, str]  # (name, email)
    committer: tuple[str, str]
    when: dt.datetime  # aware: the author's and the committer's date
    message: str
    files: Mapping[str, str | None]  # repository path → new text (None: delete)


def committer_identity(root: Path) -> tuple[str, str]:
    """Who git writes commits as here (name, email), or how to tell it."""
    ident = run_git(root, "var", "GIT_COMMITTER_IDENT", allow_fail=True
                    ).decode("utf-8", "replace").strip()
    match = re.match(r"^(.*) <([^>]*)>", ident)
    if not match:
        raise GitError(
            "git does not know who you are, so it cannot write commits",
            fix="set it once: git config --global user.name 'Your Name' && "
            "git config --global user.email you@example.com")
    return match.group(1), match.group(2)


def start_repository(root: Path, message: str) -> str:
    """Make ``root`` a repository on branch ``main`` whose first commit holds every file in
    it; the commit's id. The commit is dated by git (or GIT_*_DATE), and the user's commit
    hooks do not run: they belong to other repositories."""
    run_git(root, "init", "--quiet", "--initial-branch=main")
    run_git(root, "add", "--all")
    run_git(root, "commit", "--quiet", "--no-verify", "--message", message)
    return run_git(root, "rev-parse", "HEAD").decode().strip()


def append_commits(root: Path, parent: str, commits: Sequence[NewCommit]) -> list[str]:
    """Write ``commits`` on top of ``parent`` (HEAD) and fast-forward the branch to them;
    their ids, oldest first."""
    ref = f"refs/policy-import/{uuid.uuid4().hex}"
    try:
        run_git(root, "fast-import", "--quiet", input=_fast_import_stream(ref, parent, commits))
        tip = run_git(root, "rev-parse", ref).decode().strip()
        try:
            run_git(root, "merge", "--ff-only", "--quiet", tip)
        except GitError as error:
            raise GitError("git could not move the branch to the imported commits",
                           fix="commit or stash local changes to the target and run it again "
                           "(nothing was changed)", detail=error.detail) from None
    finally:
        run_git(root, "update-ref", "-d", ref, allow_fail=True)
    return run_git(root, "rev-list", "--reverse", f"{parent}..{tip}").decode().split()


def _fast_import_stream(ref: str, parent: str, commits: Sequence[NewCommit]) -> bytes:
    stream = bytearray()
    for number, commit in enumerate(commits):
        stamp = _stamp(commit.when)
        stream += f"commit {ref}\n".encode()
        stream += f"author {commit.author[0]} <{commit.author[1]}> {stamp}\n".encode()
        stream += f"committer {commit.committer[0]} <{commit.committer[1]}> {stamp}\n".encode()
        stream += _data(commit.message)
        if number == 0:
            stream += f"from {parent}\n".encode()
        for path, text in sorted(commit.files.items()):
            quoted = '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
            if text is None:
                stream += f"D {quoted}\n".encode()
            else:
                stream += f"M 100644 inline {quoted}\n".encode() + _data(text)
        stream += b"\n"
    return bytes(stream)


def _stamp(when: dt.datetime) -> str:
    offset = when.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{int(when.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _data(text: str) -> bytes:
    raw = text.encode("utf-8")
    return f"data {len(raw)}\n".encode() + raw + b"\n"

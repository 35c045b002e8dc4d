"""The oracle's own reading of git: one log of the whole first-parent line, the rename
steps ``git log --follow`` takes, and the files' contents in one ``cat-file --batch``."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: the modes of a file whose text can be read (a symlink, 120000, or a submodule,
#: 160000, has no text of its own in the repository)
READABLE_MODES = frozenset({"100644", "100755"})

_COMMIT = "\x01"
_FIELD = "\x02"


def git(clone: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git in ``clone``; paths are never quoted and always taken literally."""
    return subprocess.run(
        ["git", "-c", "core.quotePath=false", "--literal-pathspecs", *args],
        cwd=clone,
        input=stdin,
        capture_output=True,
        check=True,
    ).stdout


def decode_path(raw: bytes | str) -> str:
    """A path as the oracle keys it: UTF-8, with any other bytes kept (surrogateescape)."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    return raw.decode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Change:
    """What a commit did to one path, against its first parent (no rename detection)."""

    status: str  # A, M, D or T
    mode: str  # the mode after the commit, "000000" when deleted
    blob: str  # the blob after the commit, zeros when deleted

    @property
    def readable(self) -> bool:
        return self.status != "D" and self.mode in READABLE_MODES


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    committed: str  # the committer date, ISO 8601 in the committer's own zone (%cI)
    changes: dict[str, Change]


@dataclass(frozen=True)
class Revision:
    """A commit that changed a document, with the document's path at that commit."""

    commit: Commit
    path: str
    change: Change


def first_parent_log(clone: Path) -> list[Commit]:
    """Every commit of the first-parent line, newest first, each with the paths it changed
    against its first parent (a merge too: --diff-merges=first-parent)."""
    out = git(
        clone, "log", "--first-parent", "--diff-merges=first-parent", "--no-renames",
        "--raw", "--no-abbrev", "-z", f"--format={_COMMIT}%H{_FIELD}%P{_FIELD}%cI",
    ).decode("utf-8", "surrogateescape")
    return [_commit(record) for record in out.split(_COMMIT)[1:]]


def _commit(record: str) -> Commit:
    header, _, raw = record.partition("\0")
    sha, parents, committed = header.split(_FIELD)
    fields = raw.lstrip("\n").split("\0")
    changes: dict[str, Change] = {}
    # --raw -z: ":old_mode new_mode old_blob new_blob status" then the path, per change
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):  # a trailing ""
        if not meta.startswith(":"):
            break
        _, new_mode, _, new_blob, status = meta[1:].split(" ")
        changes[path] = Change(status=status[0], mode=new_mode, blob=new_blob)
    return Commit(sha=sha, parents=tuple(parents.split()), committed=committed,
                  changes=changes)


def tip_documents(clone: Path) -> list[str]:
    """The Markdown files at the tip: each one is a policy."""
    names = git(clone, "ls-files", "-z").split(b"\0")
    return sorted(decode_path(name) for name in names if name.lower().endswith(b".md"))


def follow(clone: Path, log: list[Commit], path: str, *, copies: bool = True
           ) -> list[Revision]:
    """The revisions of the document at ``path`` at the tip, oldest first: the commits
    ``git log --first-parent --follow -- path`` lists.

    git --follow diffs every commit against its first parent for one path and, only where
    that path is created, looks for the file it was renamed or copied from; from there on
    it follows that name. The whole-repository log gives the first part; the second is
    asked of git itself, so the oracle follows exactly as git does. ``copies=False``
    follows renames only (git --follow also takes a copy of a file that stays).
    """
    name = path
    found: list[Revision] = []
    for commit in log:
        change = commit.changes.get(name)
        if change is None:
            continue
        found.append(Revision(commit=commit, path=name, change=change))
        if change.status == "A" and commit.parents:
            source = (followed_source(clone, commit.sha, name) if copies
                      else renamed_from(clone, commit, name))
            name = source or name
    found.reverse()
    return found


def followed_source(clone: Path, sha: str, path: str) -> str | None:
    """The path git --follow continues with before ``sha``, where ``path`` was created:
    the file it was renamed or copied from, if git finds one."""
    out = git(
        clone, "log", "-1", "--first-parent", "--diff-merges=first-parent", "--follow",
        "--name-status", "-z", "--format=", sha, "--", path,
    ).decode("utf-8", "surrogateescape")
    fields = out.lstrip("\n").split("\0")
    if len(fields) >= 3 and fields[0][:1] in ("R", "C") and fields[2] == path:
        return fields[1]
    return None


def renamed_from(clone: Path, commit: Commit, path: str) -> str | None:
    """The file ``commit`` renamed to ``path``, by git's rename detection over the whole
    commit (no copies; no limit on the number of files compared)."""
    out = git(
        clone, "diff-tree", "-r", "-M", "-l999999", "--name-status", "-z", "--no-commit-id",
        commit.parents[0], commit.sha,
    ).decode("utf-8", "surrogateescape")
    fields = out.split("\0")
    at = 0
    while at < len(fields) - 1:
        status = fields[at]
        if status.startswith("R"):
            if fields[at + 2] == path:
                return fields[at + 1]
            at += 3
        else:
            at += 2
    return None


def read_blobs(clone: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """The contents of ``blobs``, from one ``git cat-file --batch``."""
    wanted = sorted(set(blobs))
    out = git(clone, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in wanted).encode())
    contents: dict[str, bytes] = {}
    at = 0
    for blob in wanted:
        header_end = out.index(b"\n", at)
        sha, kind, size = out[at:header_end].decode().split(" ")
        if sha != blob or kind != "blob":
            raise ValueError(f"git cat-file answered {sha} {kind} for {blob}")
        start = header_end + 1
        contents[blob] = out[start:start + int(size)]
        at = start + int(size) + 1  # the newline after the contents
    return contents

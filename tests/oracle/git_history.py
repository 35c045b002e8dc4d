"""The oracle's own reading of git: one log of the whole first-parent line (with git's
rename detection), each document's history by its address, and the files' contents in
one ``cat-file --batch``."""

from __future__ import annotations

import re
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

    status: str  # A, M, D, T or R (renamed from ``source``)
    mode: str  # the mode after the commit, "000000" when deleted
    blob: str  # the blob after the commit, zeros when deleted
    source: str | None = None  # for R: the path it was renamed from

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
    """Every commit of the first-parent line, oldest first, each with the paths it changed
    against its first parent (a merge too: --diff-merges=first-parent), renames found by
    git's rename detection on each commit."""
    out = git(
        clone, "log", "--first-parent", "--diff-merges=first-parent", "-M", "--reverse",
        "--raw", "--no-abbrev", "-z", f"--format={_COMMIT}%H{_FIELD}%P{_FIELD}%cI",
    ).decode("utf-8", "surrogateescape")
    return [_commit(record) for record in out.split(_COMMIT)[1:]]


def _commit(record: str) -> Commit:
    header, _, raw = record.partition("\0")
    sha, parents, committed = header.split(_FIELD)
    fields = raw.lstrip("\n").split("\0")
    changes: dict[str, Change] = {}
    # --raw -z: ":old_mode new_mode old_blob new_blob status", then the path (two for R)
    at = 0
    while at < len(fields) and fields[at].startswith(":"):
        _, new_mode, _, new_blob, status = fields[at][1:].split(" ")
        if status[0] in "RC":
            source, path = fields[at + 1], fields[at + 2]
            at += 3
        else:
            source, path = None, fields[at + 1]
            at += 2
        if status[0] == "C":  # a copy: the source stays, the path is new
            changes[path] = Change(status="A", mode=new_mode, blob=new_blob)
        else:
            changes[path] = Change(status=status[0], mode=new_mode, blob=new_blob,
                                   source=source)
    return Commit(sha=sha, parents=tuple(parents.split()), committed=committed,
                  changes=changes)


def tip_documents(clone: Path) -> list[str]:
    """The Markdown files at the tip: each one is a policy."""
    names = git(clone, "ls-files", "-z").split(b"\0")
    return sorted(decode_path(name) for name in names if name.lower().endswith(b".md"))


def address(path: str) -> str:
    """docs/reference.md: a file policy ``<name>.md`` or ``<name>/index.md`` is published
    at ``/<name>/``: each part lower-cased, every run of anything but letters and digits
    one ``-``, trimmed of them."""
    name = re.sub(r"\.(?:md|markdown)$", "", path, flags=re.I)
    parts = name.split("/")
    if parts[-1].lower() == "index" and len(parts) > 1:
        parts.pop()
    return "/".join(_NOT_LETTERS_OR_DIGITS.sub("-", part.lower()).strip("-") for part in parts)


#: anything but a letter (of any script) or a digit: \w is both, and "_" too
_NOT_LETTERS_OR_DIGITS = re.compile(r"(?:\W|_)+")


def is_document(path: str) -> bool:
    """A Markdown file, not hidden (no part of its path starts with '.' or '_')."""
    return path.lower().endswith((".md", ".markdown")) and not any(
        part.startswith((".", "_")) for part in path.split("/"))


def histories(log: list[Commit]) -> dict[str, list[Revision]]:
    """Each address's revisions, oldest first (docs/reference.md, "A policy is its
    address"): the commits that changed a document at that address; a rename to a new
    address carries the history along when no document is left at the old address and
    the new one has no history yet; a document deleted and added again at its address
    goes on with its history."""
    found: dict[str, list[Revision]] = {}
    present: dict[str, set[str]] = {}  # address → its documents' paths now
    for commit in log:
        moved: list[tuple[str, str]] = []
        for path, change in commit.changes.items():
            if change.source is not None and is_document(change.source):
                present.get(address(change.source), set()).discard(change.source)
                moved.append((address(change.source), address(path)))
            if not is_document(path):
                continue
            if change.status == "D":
                present.get(address(path), set()).discard(path)
            else:
                present.setdefault(address(path), set()).add(path)
        for old, new in moved:
            if old != new and not present.get(old) and new not in found and old in found:
                found[new] = found.pop(old)
        for path, change in commit.changes.items():
            if is_document(path) and change.status != "D":
                found.setdefault(address(path), []).append(Revision(commit, path, change))
    return found


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

"""The policies as they stand at a revision or in the working tree, compared as the site would.

For the editors' tools (``scripts/check``, ``scripts/preview``), not for the site build:
they read one tree per side with read-only git plumbing (``rev-parse``, ``ls-tree``,
``cat-file --batch``, ``ls-files``) and replay "base, then head" through the site's own
history model (:func:`policy_history.model.timeline.build_history`) as two commits. So a change is
material, editorial, declared or undeclared by exactly the rules the build applies when
the pull request is merged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policy_history.errors import GitError, PolicyError
from policy_history.model.layout import PolicyLayout, discover
from policy_history.model.timeline import Renderer, Revision, SiteHistory, build_history
from policy_history.repository import GITLINK_MODE, SYMLINK_MODE, FileChange, LogCommit

_GIT_ENV = {"LC_ALL": "C", "LANG": "C", "GIT_TERMINAL_PROMPT": "0"}
FETCH_FIX = (
    "name a branch, tag or commit that exists here; fetch it first (git fetch origin main), "
    "and in GitHub Actions set 'fetch-depth: 0' on actions/checkout"
)


@dataclass(frozen=True)
class TreeFile:
    mode: str  # git's file mode: 100644, 100755 or 120000 (a symbolic link: data is its target)
    data: bytes


@dataclass
class Tree:
    """Files under the policies folder (and the site's mkdocs.yml) on one side of a comparison."""

    label: str  # for people: "the working tree", "main (1a2b3c4d5e)"
    commit: str | None  # None for the working tree
    files: dict[str, TreeFile]


def run_git(root: Path, *args: str, input: bytes | None = None, allow_fail: bool = False,
            what: str | None = None) -> bytes:
    """Run one read-only git command in ``root``; a failure is a :class:`GitError`."""
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=root,
            input=input,
            capture_output=True,
            env={**os.environ, **_GIT_ENV},
        )
    except FileNotFoundError:  # pragma: no cover - depends on the machine
        raise GitError("git is not installed or not on PATH",
                       fix="install git (https://git-scm.com/)") from None
    if result.returncode and not allow_fail:
        raise GitError(f"git {what or args[0]} failed",
                       detail=result.stderr.decode("utf-8", "replace"))
    return result.stdout if not result.returncode else b""


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


def resolve_revision(root: Path, rev: str) -> str:
    """The commit ``rev`` names, or a plain error saying it does not exist here."""
    sha = run_git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                  f"{rev}^{{commit}}", allow_fail=True).decode().strip()
    if not sha:
        shallow = run_git(root, "rev-parse", "--is-shallow-repository",
                          allow_fail=True).decode().strip() == "true"
        raise GitError(
            f"the base revision '{rev}' does not exist in this repository"
            + (" (this clone is shallow: it has only part of the history)" if shallow else ""),
            fix=FETCH_FIX,
        )
    return sha


def head_commit(root: Path) -> str | None:
    out = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD", allow_fail=True)
    return out.decode().strip() or None


def merge_base(root: Path, base: str, head: str) -> str:
    """Where ``head`` branched from ``base`` (as a pull request's diff is taken), else ``base``."""
    out = run_git(root, "merge-base", base, head, allow_fail=True).decode().strip()
    return out or base


def tree_at(root: Path, commit: str, paths: Sequence[str], label: str) -> Tree:
    """The files under ``paths`` (repository paths; '' for everything) at ``commit``."""
    specs = [f":(top){p}" if p else ":(top)" for p in paths]
    out = run_git(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *specs,
                  what="ls-tree")
    entries: list[tuple[str, str, str]] = []  # (mode, sha, path)
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        meta, path = record.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "blob" and mode != GITLINK_MODE:
            entries.append((mode, sha, path))
    blobs = read_blobs(root, [sha for _, sha, _ in entries])
    files = {path: TreeFile(mode, blobs[sha]) for mode, sha, path in entries}
    return Tree(label, commit, files)


def read_blobs(root: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """Many blobs through one ``git cat-file --batch``."""
    wanted = sorted(set(shas))
    if not wanted:
        return {}
    out = run_git(root, "cat-file", "--batch", input="".join(f"{s}\n" for s in wanted).encode(),
                  what="cat-file")
    blobs: dict[str, bytes] = {}
    pos = 0
    for sha in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3:
            raise GitError(f"git could not read object {sha}",
                           fix="run 'git fsck' to check the repository")
        size = int(header[2])
        blobs[sha] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return blobs


def working_tree(root: Path, paths: Sequence[str]) -> Tree:
    """The files under ``paths`` as they are on disk: committed, edited or new (not ignored)."""
    specs = [f":(top){p}" if p else ":(top)" for p in paths]
    out = run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                  *specs, what="ls-files")
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
    return Tree("the working tree", None, files)


# -- comparison --------------------------------------------------------------------------


@dataclass
class PolicyChange:
    """One policy that differs between base and head."""

    slug: str
    status: str  # "added", "changed" or "removed"
    layout: PolicyLayout | None  # at head (None when removed)
    before: Revision | None  # the policy at base (None when added or unreadable there)
    after: Revision | None  # the revision merging head would make (None when removed)

    @property
    def title(self) -> str:
        revision = self.after or self.before
        return revision.text.title if revision else self.slug


@dataclass
class Comparison:
    base: Tree | None
    head: Tree
    #: the history the build would have: base as one commit, head as the next
    site: SiteHistory
    layouts: dict[str, PolicyLayout]  # the policies at head
    changes: list[PolicyChange] = field(default_factory=list)
    #: the policies at head whose text could be read (slug → its latest revision)
    texts: dict[str, Revision] = field(default_factory=dict)


_BASE_SHA = "b" * 40
_HEAD_SHA = "f" * 40


def _blob_id(file: TreeFile) -> str:
    return hashlib.sha1(file.mode.encode() + b"\0" + file.data).hexdigest()


def _commit(sha: str, parents: tuple[str, ...], when: dt.datetime, message: str,
            changes: list[FileChange]) -> LogCommit:
    return LogCommit(sha, parents, when, when, "policy_history", message, tuple(changes))


def compare(
    base: Tree | None,
    head: Tree,
    *,
    policies_dir: str,
    render: Renderer,
    config_path: str | None = None,
    site_variables: Mapping[str, Any] | None = None,
    templating: bool = True,
    now: dt.datetime | None = None,
    text_dates: str = "all",
) -> Comparison:
    """What merging ``head`` on top of ``base`` would do to each policy.

    With ``base`` None, head is read alone (every policy is "added").
    ``config_path`` is mkdocs.yml's repository path when it is in the same repository: its
    ``extra:`` then gives each side's variables, as the build reads them.
    """
    moment = now or dt.datetime.now(dt.timezone.utc)
    blobs: dict[str, bytes] = {}
    commits: list[LogCommit] = []
    before: dict[str, TreeFile] = {}
    if base is not None:
        changes = []
        for path, file in sorted(base.files.items()):
            blob = _blob_id(file)
            blobs[blob] = file.data
            changes.append(FileChange("A", path, blob, file.mode))
        commits.append(_commit(_BASE_SHA, (), moment - dt.timedelta(days=1), "base", changes))
        before = base.files
    changes = []
    for path, file in sorted(head.files.items()):
        if before.get(path) == file:
            continue
        blob = _blob_id(file)
        blobs[blob] = file.data
        changes.append(FileChange("M" if path in before else "A", path, blob, file.mode))
    for path in sorted(set(before) - set(head.files)):
        changes.append(FileChange("D", path, None, before[path].mode))
    commits.append(_commit(_HEAD_SHA, (_BASE_SHA,) if base else (), moment, "head", changes))
    site = build_history(
        commits,
        blobs,
        policies_dir=policies_dir,
        render=render,
        as_of=moment,
        site_variables=site_variables,
        config_path=config_path,
        templating=templating,
        text_dates=text_dates,
    )
    policy_paths = [p for p in head.files if p != config_path]
    try:
        layouts = discover(policy_paths, policies_dir)
    except PolicyError:
        layouts = {}  # reported through site.errors
    comparison = Comparison(base, head, site, layouts)
    for slug, history in site.policies.items():
        comparison.texts[slug] = history.latest
        at_base = next((r for r in history.revisions if r.commit.sha == _BASE_SHA), None)
        at_head = next((r for r in history.revisions if r.commit.sha == _HEAD_SHA), None)
        if at_head is None:
            continue
        status = "changed" if at_base is not None else "added"
        comparison.changes.append(PolicyChange(slug, status, layouts.get(slug), at_base, at_head))
    if base is not None:
        try:
            base_layouts = discover([p for p in base.files if p != config_path], policies_dir)
        except PolicyError:
            base_layouts = {}
        for slug in sorted(set(base_layouts) - set(layouts)):
            comparison.changes.append(PolicyChange(slug, "removed", None, None, None))
    comparison.changes.sort(key=lambda change: change.slug)
    return comparison

"""The policies as they stand at a revision or in the working tree, compared as the site would.

For the editors' tools (``scripts/check``, ``scripts/preview``), not for the site build:
they read one tree per side through :mod:`policy_history.repository` (read-only git
plumbing: ``rev-parse``, ``ls-tree``, ``cat-file --batch``, ``ls-files``) and replay
"base, then head" through the site's own history model
(:func:`policy_history.model.timeline.build_history`) as two commits. So a change is
material, editorial, declared or undeclared by exactly the rules the build applies when
the pull request is merged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policy_history.errors import PolicyError
from policy_history.model.layout import PolicyLayout, discover
from policy_history.model.timeline import Renderer, Revision, SiteHistory, build_history
from policy_history.repository import FileChange, LogCommit
from policy_history.repository.trees import TreeFile, files_at, working_files


@dataclass
class Tree:
    """Files under the policies folder (and the site's mkdocs.yml) on one side of a comparison."""

    label: str  # for people: "the working tree", "main (1a2b3c4d5e)"
    commit: str | None  # None for the working tree
    files: dict[str, TreeFile]


def tree_at(root: Path, commit: str, paths: Sequence[str], label: str) -> Tree:
    """The files under ``paths`` (repository paths; '' for everything) at ``commit``."""
    return Tree(label, commit, files_at(root, commit, paths))


def working_tree(root: Path, paths: Sequence[str]) -> Tree:
    """The files under ``paths`` as they are on disk: committed, edited or new (not ignored)."""
    return Tree("the working tree", None, working_files(root, paths))


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

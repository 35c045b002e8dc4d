"""The history model: revisions and versions of every policy, from the first-parent log.

Pure: takes the parsed log, the blobs it names and a Markdown renderer; knows nothing of
git processes or MkDocs.

* A **revision** is a first-parent commit that changes a policy's sources. If the
  rendered text and metadata are unchanged (whitespace, list markers, front matter the
  site does not show) it is *editorial* automatically.
* A **version** is a *material* revision: it has an effective date (declared, or the
  commit's date when the policy declares nothing) and, when declared, a public summary.
* Change entries (``changes:`` in the metadata, newest first) are matched to revisions by
  count: the entries a commit adds on top of the list declare that commit. Entries keep
  their place, so their wording may be corrected later without moving them.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from policykit.assemble import PolicyText, TemplateError, assemble, make_environment
from policykit.errors import PolicyError
from policykit.layout import PolicyLayout, discover, slug_for
from policykit.metadata import ChangeEntry, read_config_extra
from policykit.repository import GITLINK_MODE, SYMLINK_MODE, LogCommit

MATERIAL = "material"
EDITORIAL = "editorial"
#: why a revision got its kind
DECLARED = "declared"  # a change entry says so
UNDECLARED = "undeclared"  # words changed in a policy that declares changes, but no entry
IMPORTED = "imported"  # the policy declares nothing: words changed, dated by the commit
UNCHANGED = "unchanged"  # the rendered text did not change

_WHITESPACE = re.compile(r"\s+")
_TARGET = re.compile(r"""\b(?:href|src)=(["'])(.*?)\1""")


_TAG = re.compile(r"<[^>]*>")


def _visible(html: str) -> str:
    """Rendered text reduced to its words plus link and image targets (a changed target is
    a change), with whitespace collapsed."""
    targets = " ".join(match.group(2) for match in _TARGET.finditer(html))
    text = _WHITESPACE.sub(" ", html_lib.unescape(_TAG.sub(" ", html))).strip()
    return f"{text} \u2192 {targets}" if targets else text


@dataclass(frozen=True)
class SectionChange:
    key: str
    title: str
    change: str  # "added", "changed", "removed"


@dataclass
class Revision:
    slug: str
    number: int  # 1-based, in commit order
    commit: LogCommit
    kind: str  # MATERIAL or EDITORIAL
    reason: str  # DECLARED, UNDECLARED, IMPORTED, UNCHANGED
    text: PolicyText
    fingerprint: tuple[tuple[str, str], ...]  # (section key, normalised html)
    sections_changed: tuple[SectionChange, ...]
    effective: dt.date | None = None
    summary: str | None = None
    note: str | None = None
    version_id: str | None = None

    @property
    def published(self) -> dt.date:
        """The day the commit landed, in the committer's own time zone."""
        return self.commit.committed.date()

    @property
    def is_version(self) -> bool:
        return self.kind == MATERIAL


@dataclass
class PolicyHistory:
    slug: str
    revisions: list[Revision] = field(default_factory=list)
    layout: PolicyLayout | None = None  # where the policy lives at the tip
    current: Revision | None = None
    upcoming: list[Revision] = field(default_factory=list)

    @property
    def versions(self) -> list[Revision]:
        return [r for r in self.revisions if r.is_version]

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]

    @property
    def text(self) -> PolicyText:
        """The text in force (or, before anything is in force, the latest)."""
        return (self.current or self.latest).text

    def state_of(self, version: Revision) -> str:
        """``current``, ``upcoming`` (announced, not in force yet) or ``past``."""
        if version is self.current:
            return "current"
        return "upcoming" if version in self.upcoming else "past"

    def editorial_after(self, version: Revision) -> list[Revision]:
        """Editorial revisions between ``version`` and the next version."""
        start = self.revisions.index(version) + 1
        out = []
        for revision in self.revisions[start:]:
            if revision.is_version:
                break
            out.append(revision)
        return out

    def section_changed_on(self, version: Revision) -> dict[str, Revision]:
        """For each section of ``version``, the latest material revision up to it that
        changed the section's text (editorial fixes do not move the mark)."""
        marks: dict[str, Revision] = {}
        previous: dict[str, str] = {}
        for revision in self.revisions[: self.revisions.index(version) + 1]:
            current = dict(revision.fingerprint)
            for key, html in current.items():
                if previous.get(key) != html and (revision.is_version or key not in marks):
                    marks[key] = revision
            previous = current
        return {
            key: marks[key]
            for key, _ in version.fingerprint
            if key in marks and marks[key].is_version
        }


@dataclass
class SiteHistory:
    policies: dict[str, PolicyHistory]
    head: str | None
    #: problems in the text at the tip: the build fails on them (or warns, if configured)
    errors: list[PolicyError] = field(default_factory=list)
    #: content problems worth a warning (undeclared changes …)
    warnings: list[PolicyError] = field(default_factory=list)
    #: past commits whose text could not be read; they are left out of the history
    skipped: list[tuple[LogCommit, PolicyError]] = field(default_factory=list)
    #: past commits whose {{ variables }} failed; their text is kept as written
    unfilled: list[tuple[LogCommit, PolicyError]] = field(default_factory=list)


Renderer = Callable[[str], str]


class FingerprintStore(Protocol):
    """Section source → visible text: a dict, or the on-disk policykit.cache."""

    def get(self, source: str, /) -> str | None: ...

    def __setitem__(self, source: str, value: str, /) -> None: ...


@dataclass
class _Entry:
    blob: str
    mode: str


class _Builder:
    def __init__(
        self,
        blobs: Mapping[str, bytes],
        policies_dir: str,
        config_path: str | None,
        site_variables: Mapping[str, Any],
        templating: bool,
        render: Renderer,
        fingerprints: FingerprintStore | None = None,
    ) -> None:
        self.blobs = blobs
        self.policies_dir = policies_dir
        self.config_path = config_path
        self.site_variables = site_variables
        self.env = make_environment() if templating else None
        self.render = render
        self.tree: dict[str, _Entry] = {}
        self.layouts: dict[str, PolicyLayout] = {}
        self.histories: dict[str, PolicyHistory] = {}
        self.last_text: dict[str, Revision] = {}
        # section source → visible text; may be an on-disk cache (policykit.cache)
        self.fingerprints: FingerprintStore = {} if fingerprints is None else fingerprints
        self.variables: Mapping[str, Any] = site_variables

    # -- tree ----------------------------------------------------------------------------

    def apply(self, commit: LogCommit) -> tuple[set[str], bool]:
        """Apply a commit's changes to the tree: the paths touched, and whether any path
        appeared or disappeared (only then can the policies' layout change)."""
        touched: set[str] = set()
        moved = False
        for change in commit.changes:
            if change.old_path is not None and change.status == "R":
                moved |= self.tree.pop(change.old_path, None) is not None
                touched.add(change.old_path)
            if change.blob is None or change.mode == GITLINK_MODE:
                moved |= self.tree.pop(change.path, None) is not None
            else:
                moved |= change.path not in self.tree
                self.tree[change.path] = _Entry(change.blob, change.mode)
            touched.add(change.path)
        return touched, moved

    def read(self, path: str, seen: tuple[str, ...] = ()) -> bytes:
        entry = self.tree.get(path)
        if entry is None:
            raise PolicyError("this file does not exist", file=path)
        data = self.blobs[entry.blob]
        if entry.mode != SYMLINK_MODE:
            return data
        target = data.decode("utf-8", "replace")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if target.startswith("/") or resolved.startswith("../") or resolved == "..":
            raise PolicyError(
                f"this is a symbolic link to '{target}', outside the repository",
                file=path,
                fix="replace the link with the file's text",
            )
        if resolved in seen or len(seen) > 8:
            raise PolicyError(
                "this symbolic link points to itself",
                file=path,
                fix="replace the link with the file's text",
            )
        if resolved not in self.tree:
            raise PolicyError(
                f"this is a symbolic link to '{target}', which is not in the "
                "policies folder at this commit",
                file=path,
                fix="replace the link with the file's text",
            )
        return self.read(resolved, (*seen, path))

    # -- text ----------------------------------------------------------------------------

    def fingerprint(self, text: PolicyText) -> tuple[tuple[str, str], ...]:
        """What a visitor reads in each section: its words and link targets.

        Markup is left out on purpose: bold to plain, a tight list made loose or a list
        renumbered is formatting, not a change of what the policy says. Each distinct
        section is rendered once for the whole history. The page is rendered whole, so
        ``[text][ref]`` links resolve against definitions anywhere in the policy: every
        section is rendered with all of them.
        """
        out = []
        for section, source in zip(text.sections, text.standalone_sections(), strict=True):
            printed = self.fingerprints.get(source)
            if printed is None:
                printed = self.fingerprints[source] = _visible(self.render(source))
            out.append((section.key, printed))
        return tuple(out)

    def text_of(self, layout: PolicyLayout, fill: bool = True) -> PolicyText:
        files = {path: self.read(path) for path in layout.source_paths}
        return assemble(layout, files, self.variables, self.env if fill else None)


def _sections_changed(
    old: Revision | None, text: PolicyText, fingerprint: tuple[tuple[str, str], ...]
) -> tuple[SectionChange, ...]:
    before = dict(old.fingerprint) if old else {}
    titles_before = {s.key: s.title for s in old.text.sections} if old else {}
    after = dict(fingerprint)
    changes = []
    for section in text.sections:
        if section.key not in before:
            changes.append(SectionChange(section.key, section.title, "added"))
        elif before[section.key] != after[section.key]:
            changes.append(SectionChange(section.key, section.title, "changed"))
    for key in before:
        if key not in after:
            changes.append(SectionChange(key, titles_before[key], "removed"))
    return tuple(changes)


def _entries_without_lines(entries: tuple[ChangeEntry, ...] | None) -> Any:
    if entries is None:
        return None
    return tuple((e.effective, e.summary, e.editorial) for e in entries)


def build_history(
    commits: Sequence[LogCommit],
    blobs: Mapping[str, bytes],
    *,
    policies_dir: str,
    render: Renderer,
    as_of: dt.datetime,
    site_variables: Mapping[str, Any] | None = None,
    config_path: str | None = None,
    templating: bool = True,
    fingerprints: FingerprintStore | None = None,
) -> SiteHistory:
    """Replay the first-parent log (oldest first) into the history of every policy.

    ``fingerprints`` caches what a section's text renders to (see policykit.cache)."""
    builder = _Builder(blobs, policies_dir, config_path, site_variables or {}, templating,
                       render, fingerprints)
    site = SiteHistory(policies={}, head=commits[-1].sha if commits else None)
    last_index = len(commits) - 1
    failed: dict[str, PolicyError] = {}  # slug → why its latest text could not be read
    stale_layouts = True
    for index, commit in enumerate(commits):
        at_tip = index == last_index
        touched, moved = builder.apply(commit)
        every_policy = False
        if config_path and config_path in touched:
            entry = builder.tree.get(config_path)
            extra = read_config_extra(blobs[entry.blob].decode("utf-8", "replace")) if entry else {}
            variables = {**(site_variables or {}), **extra} if entry else (site_variables or {})
            if variables != builder.variables:
                builder.variables = variables
                every_policy = True
        previous_layouts = builder.layouts
        # Which files make which policy changes only when files come or go.
        if stale_layouts or moved:
            try:
                builder.layouts = discover([p for p in builder.tree if p != config_path],
                                           policies_dir)
                stale_layouts = False
            except PolicyError as error:
                stale_layouts = True
                if at_tip:
                    site.errors.append(error)
                    break
                site.skipped.append((commit, error))
                continue
        _follow_renames(commit, previous_layouts, builder)
        for slug, layout in builder.layouts.items():
            if (
                not every_policy
                and not touched.intersection(layout.source_paths)
                and previous_layouts.get(slug) == layout
            ):
                continue
            text = _read_text(builder, slug, layout, commit, failed, site)
            if text is not None:
                _add_revision(builder, slug, commit, text, site)
    for slug, problem in failed.items():
        if slug in builder.layouts:  # the policy's latest text is broken
            site.errors.append(problem)
            builder.histories.pop(slug, None)
            site.skipped = [(c, e) for c, e in site.skipped if e is not problem]
            site.unfilled = [(c, e) for c, e in site.unfilled if e is not problem]
    for slug in list(builder.histories):
        if slug not in builder.layouts:
            del builder.histories[slug]  # withdrawn: no page at the tip
    for slug, history in builder.histories.items():
        history.layout = builder.layouts[slug]
        _number_versions(history)
        _resolve_current(history, as_of)
    site.policies = dict(sorted(builder.histories.items()))
    return site


def _read_text(builder: _Builder, slug: str, layout: PolicyLayout, commit: LogCommit,
               failed: dict[str, PolicyError], site: SiteHistory) -> PolicyText | None:
    """The policy's text at ``commit``; on failure, remember why (it matters at the tip)."""
    try:
        text = builder.text_of(layout)
        failed.pop(slug, None)
        return text
    except TemplateError as error:
        # Kept as written: another template language (Jekyll's {% %}), or a name defined
        # at the time. Only the latest text must fill in cleanly.
        failed[slug] = error
        site.unfilled.append((commit, error))
        try:
            return builder.text_of(layout, fill=False)
        except PolicyError as other:
            failed[slug] = other
            site.skipped.append((commit, other))
            return None
    except PolicyError as error:
        failed[slug] = error
        site.skipped.append((commit, error))
        return None


def _follow_renames(
    commit: LogCommit, before: Mapping[str, PolicyLayout], builder: _Builder
) -> None:
    """Carry a policy's history over when a rename gives it a new slug."""
    for change in commit.changes:
        if change.status != "R" or change.old_path is None:
            continue
        old_slug = _slug_of_path(change.old_path, before)
        new_slug = _slug_of_path(change.path, builder.layouts)
        if (
            old_slug
            and new_slug
            and old_slug != new_slug
            and old_slug not in builder.layouts
            and new_slug not in builder.histories
            and old_slug in builder.histories
        ):
            history = builder.histories.pop(old_slug)
            history.slug = new_slug
            for revision in history.revisions:
                revision.slug = new_slug
            builder.histories[new_slug] = history
            builder.last_text[new_slug] = builder.last_text.pop(old_slug)


def _slug_of_path(path: str, layouts: Mapping[str, PolicyLayout]) -> str | None:
    for slug, layout in layouts.items():
        if path in layout.source_paths:
            return slug
    return None


def _add_revision(
    builder: _Builder, slug: str, commit: LogCommit, text: PolicyText, site: SiteHistory
) -> None:
    previous = builder.last_text.get(slug)
    fingerprint = builder.fingerprint(text)
    text_changed = previous is None or previous.fingerprint != fingerprint
    meta_changed = previous is None or (
        (
            previous.text.title,
            previous.text.description,
            _entries_without_lines(previous.text.meta.changes),
        )
        != (text.title, text.description, _entries_without_lines(text.meta.changes))
    )
    source_changed = previous is None or previous.text != text
    if not (text_changed or meta_changed or source_changed):
        return
    history = builder.histories.setdefault(slug, PolicyHistory(slug))
    entries = text.meta.changes
    before = previous.text.meta.changes if previous else None
    added: tuple[ChangeEntry, ...] = ()
    if entries is not None:
        count = len(entries) - len(before or ())
        if count < 0:
            site.warnings.append(
                PolicyError(
                    f"commit {commit.sha[:10]} removed {-count} change entr"
                    f"{'y' if count == -1 else 'ies'} from '{slug}'",
                    file=text.meta.file,
                    fix="change entries are a record: correct them, but do not delete them",
                )
            )
        added = entries[: max(count, 0)]
    material = next((e for e in added if e.is_material), None)
    editorial = next((e for e in added if not e.is_material), None)
    revision = Revision(
        slug=slug,
        number=len(history.revisions) + 1,
        commit=commit,
        kind=EDITORIAL,
        reason=UNCHANGED,
        text=text,
        fingerprint=fingerprint,
        sections_changed=_sections_changed(previous, text, fingerprint),
    )
    if material is not None:
        revision.kind, revision.reason = MATERIAL, DECLARED
        revision.effective, revision.summary = material.effective, material.summary
        revision.note = editorial.editorial if editorial else None
    elif editorial is not None:
        revision.reason, revision.note = DECLARED, editorial.editorial
    elif text_changed:
        revision.kind = MATERIAL
        revision.effective = commit.committed.date()
        if entries is not None:
            revision.reason = UNDECLARED
            site.warnings.append(
                PolicyError(
                    f"commit {commit.sha[:10]} ('{commit.subject}') changed the words of "
                    f"'{slug}' without a change entry; it is published as a version effective "
                    f"on its commit date, {revision.effective.isoformat()}",
                    file=text.meta.file,
                    fix="declare changes in 'changes:' in the same pull request as the text",
                )
            )
        else:
            revision.reason = IMPORTED
    last = history.versions[-1] if history.versions else None
    if material is not None and last is not None and last.effective and material.effective \
            and material.effective < last.effective:
        site.warnings.append(PolicyError(  # scripts/check says the same, as an error
            f"the effective date {material.effective.isoformat()} is before the previous "
            f"version's ({last.effective.isoformat()})", file=text.meta.file, line=material.line,
            fix="a new version takes effect on or after the one before it: fix the date "
            "(entries are listed newest first)"))
    history.revisions.append(revision)
    builder.last_text[slug] = revision


def _number_versions(history: PolicyHistory) -> None:
    used: dict[str, int] = {}
    for revision in history.versions:
        assert revision.effective is not None
        base = revision.effective.isoformat()
        used[base] = used.get(base, 0) + 1
        revision.version_id = base if used[base] == 1 else f"{base}-{used[base]}"


def _resolve_current(history: PolicyHistory, as_of: dt.datetime) -> None:
    """The version in force at ``as_of`` and the ones announced to take effect later."""
    today = as_of.astimezone(dt.timezone.utc).date()
    versions = history.versions
    current_index = None
    for index, version in enumerate(versions):
        assert version.effective is not None
        if version.effective <= today:
            current_index = index
    history.current = versions[current_index] if current_index is not None else None
    start = current_index + 1 if current_index is not None else 0
    history.upcoming = [v for v in versions[start:] if v.effective and v.effective > today]


def slug_of(path: str, policies_dir: str) -> str:
    prefix = f"{policies_dir.strip('/')}/" if policies_dir.strip("/.") else ""
    return slug_for(path[len(prefix) :])

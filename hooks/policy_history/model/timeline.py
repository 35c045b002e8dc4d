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
import hashlib
import posixpath
from collections import Counter
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from policy_history.errors import PolicyError
from policy_history.keys import stable_digest
from policy_history.model.assemble import PolicyText, assemble, make_environment
from policy_history.model.declared_dates import (
    WINDOW_LINES,
    DeclaredDate,
    declared_date,
    declared_in_head,
)
from policy_history.model.fingerprints import (
    Fingerprint,
    FingerprintStore,
    Renderer,
    SectionFingerprints,
    SharedText,
)
from policy_history.model.layout import PolicyLayout, discover, slug_for
from policy_history.model.metadata import ChangeEntry, read_config_extra
from policy_history.model.templating import TemplateError
from policy_history.repository import GITLINK_MODE, SYMLINK_MODE, LogCommit

MATERIAL = "material"
EDITORIAL = "editorial"
#: why a revision got its kind
DECLARED = "declared"  # a change entry says so
UNDECLARED = "undeclared"  # words changed in a policy that declares changes, but no entry
IMPORTED = "imported"  # the policy declares nothing: words changed, dated by the commit
UNCHANGED = "unchanged"  # what a visitor reads did not change (formatting, section cuts)
#: automatic editorial revisions of a policy that declares nothing (docs/reference.md)
LINKS = "links"  # the words did not change, some link targets did
UNDATED = "undated"  # the words changed, the date the text states did not
REDATED = "redated"  # only the date the text states changed: the version it follows too
#: the reasons of editorial revisions no change entry declared
AUTOMATIC = frozenset({UNCHANGED, LINKS, UNDATED, REDATED})
#: where a version's effective date comes from
DATE_FROM_ENTRY = "entry"  # a change entry's 'effective:'
DATE_FROM_TEXT = "text"  # the date the policy's text states (policy_history.model.declared_dates)
DATE_FROM_COMMIT = "commit"  # its commit's date
#: an effective date further than this after its commit is probably a mistyped year
FAR_AHEAD_DAYS = 2 * 365


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
    reason: str  # DECLARED, UNDECLARED, IMPORTED, or one of AUTOMATIC
    text: PolicyText
    #: (section key, digest of what a visitor reads in it) per section: equal digests,
    #: equal words and link targets (policy_history.model.fingerprints)
    fingerprint: Fingerprint
    sections_changed: tuple[SectionChange, ...]
    #: changes whenever the published text or metadata could: a hash of the policy's
    #: source files (paths, blobs, modes), the variables in force and templating on/off.
    #: Not of the commit, nor of the revision's place in the history.
    source_key: str
    effective: dt.date | None = None
    summary: str | None = None
    note: str | None = None
    version_id: str | None = None
    #: signatures of the whole text's words and link targets (fingerprints.signature)
    words: str = ""
    targets: str = ""
    #: the date the text states for itself (a policy that declares nothing), and where
    stated: DeclaredDate | None = None
    #: where ``effective`` comes from: DATE_FROM_ENTRY, DATE_FROM_TEXT or DATE_FROM_COMMIT
    date_source: str | None = None
    #: an editorial revision's id, after its version's: ``<version id>.<n>`` for the n-th
    #: since that version (none before the first version)
    edition_id: str | None = None
    #: a translation's version: the source version its entry says it translates
    translates: str | None = None

    @property
    def published(self) -> dt.date:
        """The day the commit landed, in the committer's own time zone."""
        return self.commit.committed.date()

    @property
    def is_version(self) -> bool:
        return self.kind == MATERIAL

    @property
    def page_id(self) -> str | None:
        """The id in this revision's addresses: its version id, or its edition id."""
        return self.version_id or self.edition_id

    @property
    def kind_note(self) -> str | None:
        """What an editorial revision changed, in plain words: its entry's note, or for
        one no entry declared, the kind of change."""
        if self.is_version:
            return None
        if self.note:
            return self.note
        return _KIND_NOTES.get(self.reason)


@dataclass(frozen=True)
class Follows:
    """A source version a translated revision follows (model.translations)."""

    version_id: str
    effective: dt.date | None
    how: str  # FOLLOWS_DECLARED, FOLLOWS_DATE, FOLLOWS_IN_FORCE (model.translations)


@dataclass
class TranslationLinks:
    """What ties a translation to its source (set by model.translations.link_translations)."""

    source: str  # the source policy's slug
    source_language: str
    #: revision number → the source version it follows
    follows: dict[int, Follows] = field(default_factory=dict)
    #: the source version in force, as of the build
    source_current: Follows | None = None
    #: (old id, new id) of the source's redline pages (set by the site, which plans them)
    source_compared: frozenset[tuple[str, str]] = frozenset()
    #: what the notice says (set by the site from its settings), and in which language
    wording: dict[str, str] = field(default_factory=dict)
    wording_language: str = ""

    def behind(self, number: int) -> bool:
        """Whether revision ``number`` follows an older source version than the one in
        force (one that follows an upcoming source version is ahead, not behind)."""
        follows, now = self.follows.get(number), self.source_current
        if follows is None or now is None or follows.version_id == now.version_id:
            return False
        return follows.effective is None or now.effective is None or \
            follows.effective <= now.effective


@dataclass(frozen=True)
class Withdrawal:
    """A policy whose sources the tip no longer has: where they were, and the commit that
    removed them."""

    layout: PolicyLayout  # where it lived last
    commit: str
    committed: dt.datetime  # that commit's committer date

    @property
    def day(self) -> dt.date:
        return self.committed.date()


@dataclass(frozen=True)
class TranslationSummary:
    """One translation of a policy, as the policy's history lists it."""

    slug: str
    language: str
    versions: int
    first: dt.date | None  # its first version's effective date
    withdrawn: dt.date | None  # the day its sources were removed, if they were


@dataclass
class PolicyHistory:
    slug: str
    revisions: list[Revision] = field(default_factory=list)
    layout: PolicyLayout | None = None  # where the policy lives at the tip
    current: Revision | None = None
    upcoming: list[Revision] = field(default_factory=list)
    #: its language ("": the site's, before translations are linked)
    language: str = ""
    #: language → the slug of this policy in that language, itself included; empty for a
    #: policy with no translations
    languages: dict[str, str] = field(default_factory=dict)
    #: a translation's link to its source
    translation: TranslationLinks | None = None
    #: a source's translations, withdrawn ones included, for its history page
    translated_into: tuple[TranslationSummary, ...] = ()
    #: set when its sources were removed (only a withdrawn translation is published)
    withdrawn: Withdrawal | None = None

    @property
    def versions(self) -> list[Revision]:
        return [r for r in self.revisions if r.is_version]

    @property
    def latest(self) -> Revision:
        return self.revisions[-1]

    #: what ``shown`` gives, worked out with ``current`` (by ``resolve_current``)
    shown_revision: Revision | None = field(default=None, repr=False, compare=False)

    @property
    def shown(self) -> Revision:
        """The revision the current page shows: the version in force with the editorial
        revisions made after it (before the next version), or, before anything is in
        force, the latest."""
        if self.shown_revision is not None:
            return self.shown_revision
        if self.current is None:
            return self.latest
        corrections = self.editorial_after(self.current)
        return corrections[-1] if corrections else self.current

    @property
    def text(self) -> PolicyText:
        """The text the current page shows (``shown``)."""
        return self.shown.text

    def state_of(self, version: Revision) -> str:
        """``current``, ``upcoming`` (announced, not in force yet) or ``past``."""
        if version is self.current:
            return "current"
        return "upcoming" if version in self.upcoming else "past"

    def position(self, revision: Revision) -> int:
        """Where ``revision`` is in ``revisions``: its number tells, found by identity
        (``list.index`` compares revisions field by field, and pages ask for each)."""
        at = revision.number - 1
        if 0 <= at < len(self.revisions) and self.revisions[at] is revision:
            return at
        return self.revisions.index(revision)

    def editorial_after(self, version: Revision) -> list[Revision]:
        """Editorial revisions between ``version`` and the next version."""
        start = self.position(version) + 1
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
        for revision in self.revisions[: self.position(version) + 1]:
            current = dict(revision.fingerprint)
            for key, digest in current.items():
                if previous.get(key) != digest and (revision.is_version or key not in marks):
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
    #: policies the tip no longer has, with their histories (not published, except the
    #: translations of a published policy: model.translations)
    withdrawn: dict[str, PolicyHistory] = field(default_factory=dict)


@dataclass(frozen=True)
class TreeEntry:
    blob: str
    mode: str


@dataclass
class ReplayState:
    """Everything the replay carries from one commit to the next, and nothing that depends
    on the moment of the build (``as_of``) or on which commit is the last.

    It is plain data, so it is saved after a build (policy_history.store.replays) and the next
    build replays only the commits after ``last_commit``. What it holds follows from the
    commits replayed and from the replay's settings (folders, variables, templating,
    renderer, code): a saved state is reused only with the same settings.
    """

    policies_dir: str
    config_path: str | None
    #: site variables, with mkdocs.yml's ``extra`` at the last commit over them
    variables: Mapping[str, Any]
    variables_key: str  # stable_digest of ``variables``: part of each revision's source_key
    tree: dict[str, TreeEntry] = field(default_factory=dict)  # path → blob, at the last commit
    layouts: dict[str, PolicyLayout] = field(default_factory=dict)
    #: submodules (gitlinks) under the policies folder at the last commit: ignored
    gitlinks: set[str] = field(default_factory=set)
    #: the last layout discovery failed (or none ran yet): rediscover at the next commit
    layouts_stale: bool = True
    histories: dict[str, PolicyHistory] = field(default_factory=dict)
    last_revision: dict[str, Revision] = field(default_factory=dict)  # slug → its latest
    #: slug → when and where a policy's sources were removed (until they come back)
    withdrawals: dict[str, Withdrawal] = field(default_factory=dict)
    failed: dict[str, PolicyError] = field(default_factory=dict)  # slug → why its text broke
    warnings: list[PolicyError] = field(default_factory=list)
    skipped: list[tuple[LogCommit, PolicyError]] = field(default_factory=list)
    unfilled: list[tuple[LogCommit, PolicyError]] = field(default_factory=list)
    #: the layout discovery failed at the last commit: an error, while that commit is the tip
    discovery_error: PolicyError | None = None
    replayed: int = 0  # commits replayed, from the first of the log
    last_commit: str | None = None

    @classmethod
    def start(cls, policies_dir: str, config_path: str | None,
              site_variables: Mapping[str, Any]) -> ReplayState:
        return cls(policies_dir, config_path, site_variables, stable_digest(site_variables))


class HistoryReplay:
    """Replays first-parent commits, oldest first, onto a ReplayState: the text of each
    policy whose files changed is read again, and becomes a revision if anything it
    publishes changed."""

    def __init__(
        self,
        state: ReplayState,
        blobs: Mapping[str, bytes],
        *,
        render: Renderer,
        site_variables: Mapping[str, Any],
        templating: bool,
        fingerprints: FingerprintStore | None = None,
        texts: dict[tuple[str, bool], PolicyText] | None = None,
        text_dates: str = "all",
    ) -> None:
        """``texts``: texts assembled before, by source key (and whether variables were
        filled in), shared with another replay of the same commits."""
        self.state = state
        #: the blobs of every file the replayed commits add or change, and of the files
        #: of ``state.tree`` (a policy is read whole when one of its files changes)
        self.blobs = blobs
        self.site_variables = site_variables
        self.templating = templating
        self.text_dates = text_dates  # which dates a text states are read (declared_dates)
        self.env = make_environment() if templating else None
        self.fingerprints = SectionFingerprints(render, fingerprints)
        self.shared = SharedText()
        self.shared.remember(revision.text for revision in state.last_revision.values())
        self._owners_of: dict[str, PolicyLayout] | None = None
        self._owner: dict[str, list[str]] = {}
        self._blob_uses: _BlobUses | None = None
        self.texts: dict[tuple[str, bool], PolicyText] = {} if texts is None else texts

    def replay(self, commits: Sequence[LogCommit], *, release_blobs: bool = False) -> None:
        """Replay ``commits``, the ones after ``state.last_commit``. With ``release_blobs``
        (the caller hands ``blobs``, a dict, over), each blob is dropped from it once it
        cannot be read again: a long history's blobs take hundreds of megabytes, its
        latest tree's a few."""
        if release_blobs:
            assert isinstance(self.blobs, MutableMapping)
            self._blob_uses = _BlobUses(self.blobs, self.state.tree, commits)
        try:
            for commit in commits:
                self._replay(commit)
        finally:
            self._blob_uses = None

    def _replay(self, commit: LogCommit) -> None:
        state = self.state
        state.replayed += 1
        state.last_commit = commit.sha
        state.discovery_error = None
        touched, moved = self._apply(commit)
        every_policy = False
        config_path = state.config_path
        if config_path and config_path in touched:
            entry = state.tree.get(config_path)
            if entry:
                extra = read_config_extra(self.blobs[entry.blob].decode("utf-8", "replace"))
                variables = {**self.site_variables, **extra}
            else:
                variables = dict(self.site_variables)
            if variables != state.variables:
                state.variables, state.variables_key = variables, stable_digest(variables)
                every_policy = True
        previous_layouts = state.layouts
        # Which files make which policy changes only when files come or go.
        if state.layouts_stale or moved:
            try:
                state.layouts = discover([p for p in state.tree if p != config_path],
                                         state.policies_dir)
                state.layouts_stale = False
            except PolicyError as raised:
                state.layouts_stale = True
                # left out of the history; an error instead if this commit is the tip
                error = state.discovery_error = _kept(raised)
                state.skipped.append((commit, error))
                return
        _follow_renames(commit, previous_layouts, state)
        if state.layouts is not previous_layouts:
            _note_withdrawals(commit, previous_layouts, state)
        if every_policy or state.layouts is not previous_layouts:
            affected = set(state.layouts)  # (layouts compared below)
        else:  # the same layouts: the policies whose files the commit touched
            owners = self._owners()
            affected = {slug for path in touched for slug in owners.get(path, ())}
        for slug, layout in state.layouts.items():
            if slug not in affected or (
                not every_policy
                and not touched.intersection(layout.source_paths)
                and previous_layouts.get(slug) == layout
            ):
                continue
            read = self._read_text(slug, layout, commit)
            if read is not None:
                _add_revision(self, slug, commit, *read)

    def stated_date(self, text: PolicyText) -> DeclaredDate | None:
        """The date ``text`` states for itself (policy_history.model.declared_dates): read
        in the top of the text only, and kept by it (a date rarely moves)."""
        if self.text_dates == "off":
            return None
        head = text.head(WINDOW_LINES)
        if text.meta.dates:
            return declared_date(head, front_matter=text.meta.dates, mode=self.text_dates)
        return declared_in_head(head, self.text_dates)

    def finish(self, as_of: dt.datetime) -> SiteHistory:
        """The site's history as of ``as_of``, with the last replayed commit as the tip.

        Leaves the state as it is (it goes on to the next commits); what depends on the
        tip or on ``as_of`` is worked out here, on every build."""
        state = self.state
        errors: list[PolicyError] = []
        skipped, unfilled = list(state.skipped), list(state.unfilled)
        if state.discovery_error is not None:
            errors.append(state.discovery_error)
            skipped = [(c, e) for c, e in skipped if e is not state.discovery_error]
        histories = dict(state.histories)
        for slug, problem in state.failed.items():
            if slug in state.layouts:  # the policy's latest text is broken
                errors.append(problem)
                histories.pop(slug, None)
                skipped = [(c, e) for c, e in skipped if e is not problem]
                unfilled = [(c, e) for c, e in unfilled if e is not problem]
        policies, withdrawn = {}, {}
        for slug, history in sorted(histories.items()):
            gone = state.withdrawals.get(slug)
            if slug in state.layouts:
                history.layout, history.withdrawn = state.layouts[slug], None
                policies[slug] = history
            elif gone is not None and history.revisions:
                history.layout, history.withdrawn = gone.layout, gone
                withdrawn[slug] = history
            else:
                continue
            _number_versions(history)
            _resolve_current(history, as_of)
        warnings = [*state.warnings, *_submodule_warnings(state.gitlinks),
                    *_commits_from_the_future(policies.values(), as_of)]
        return SiteHistory(policies, head=state.last_commit, errors=errors,
                           warnings=warnings, skipped=skipped, unfilled=unfilled,
                           withdrawn=withdrawn)

    def _owners(self) -> dict[str, list[str]]:
        """Source path → the policies it belongs to, for the current layouts (worked out
        again only when they change: most commits keep them)."""
        layouts = self.state.layouts
        if self._owners_of is not layouts:
            self._owners_of = layouts
            self._owner = {}
            for slug, layout in layouts.items():
                for path in layout.source_paths:
                    self._owner.setdefault(path, []).append(slug)
        return self._owner

    # -- tree ----------------------------------------------------------------------------

    def _apply(self, commit: LogCommit) -> tuple[set[str], bool]:
        """Apply a commit's changes to the tree: the paths touched, and whether any path
        appeared or disappeared (only then can the policies' layout change)."""
        tree = self.state.tree
        uses = self._blob_uses
        touched: set[str] = set()
        moved = False
        for change in commit.changes:
            gone: list[TreeEntry | None] = []
            if change.old_path is not None and change.status == "R":
                gone.append(tree.pop(change.old_path, None))
                moved |= gone[-1] is not None
                touched.add(change.old_path)
            if change.old_path is not None:
                self.state.gitlinks.discard(change.old_path)
            self.state.gitlinks.discard(change.path)
            if change.blob is None or change.mode == GITLINK_MODE:
                gone.append(tree.pop(change.path, None))
                moved |= gone[-1] is not None
                if change.blob is not None:  # a submodule: its files are not in this history
                    self.state.gitlinks.add(change.path)
            else:
                moved |= change.path not in tree
                gone.append(tree.get(change.path))
                tree[change.path] = TreeEntry(change.blob, change.mode)
                if uses:
                    uses.added(change.blob)
            touched.add(change.path)
            if uses:
                for entry in gone:
                    if entry is not None:
                        uses.removed(entry.blob)
        return touched, moved

    def _read(self, path: str, sources: list[str], seen: tuple[str, ...] = ()) -> bytes:
        """The file at ``path`` (following symbolic links inside the tree); each file read
        is noted in ``sources``."""
        tree = self.state.tree
        entry = tree.get(path)
        if entry is None:
            raise PolicyError("this file does not exist", file=path)
        sources.append(f"{path}\0{entry.blob}\0{entry.mode}")
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
        if resolved not in tree:
            raise PolicyError(
                f"this is a symbolic link to '{target}', which is not in the "
                "policies folder at this commit",
                file=path,
                fix="replace the link with the file's text",
            )
        return self._read(resolved, sources, (*seen, path))

    # -- text ----------------------------------------------------------------------------

    def _text_of(self, layout: PolicyLayout, fill: bool = True) -> tuple[PolicyText, str]:
        """The policy's text, shared with earlier revisions, and its source_key."""
        sources = [layout.slug, layout.kind, layout.path]
        files = {path: self._read(path, sources) for path in layout.source_paths}
        sources += [self.state.variables_key, str(self.templating)]
        key = hashlib.blake2b("\n".join(sources).encode(), digest_size=12).hexdigest()
        text = self.texts.get((key, fill))
        if text is None:
            text = self.texts[(key, fill)] = self.shared.share(
                assemble(layout, files, self.state.variables, self.env if fill else None))
            return text, key
        return self.shared.share(text), key

    def _read_text(self, slug: str, layout: PolicyLayout,
                   commit: LogCommit) -> tuple[PolicyText, str] | None:
        """The policy's text at ``commit``; on failure, remember why (it matters at the tip)."""
        state = self.state
        try:
            read = self._text_of(layout)
            state.failed.pop(slug, None)
            return read
        except TemplateError as unfilled:
            # Kept as written: another template language (Jekyll's {% %}), or a name defined
            # at the time. Only the latest text must fill in cleanly.
            error = state.failed[slug] = _kept(unfilled)
            state.unfilled.append((commit, error))
            try:
                return self._text_of(layout, fill=False)
            except PolicyError as unread:
                error = state.failed[slug] = _kept(unread)
                state.skipped.append((commit, error))
                return None
        except PolicyError as unread:
            error = state.failed[slug] = _kept(unread)
            state.skipped.append((commit, error))
            return None


def _commits_from_the_future(histories: Iterable[PolicyHistory],
                             as_of: dt.datetime) -> list[PolicyError]:
    """Versions dated by a commit made after the build's "as of" moment: a wrong clock,
    which would announce the version as upcoming until that day."""
    warnings = []
    for history in histories:
        for version in history.upcoming:
            if version.reason in (IMPORTED, UNDECLARED) and version.commit.committed > as_of:
                commit = version.commit
                warnings.append(PolicyError(
                    f"commit {commit.sha[:10]} ('{commit.subject}') is dated "
                    f"{commit.committed.isoformat()}, after this build's 'as of' moment "
                    f"({as_of.isoformat(timespec='seconds')}), so the version of "
                    f"'{history.slug}' it makes is announced as upcoming until then",
                    file=version.text.meta.file or (history.layout.path if history.layout
                                                    else None),
                    fix="the committer's clock was wrong: rewrite the commit with its real "
                    "date, or declare the change's effective date in 'changes:'"))
    return warnings


def _submodule_warnings(gitlinks: set[str]) -> list[PolicyError]:
    return [PolicyError(
        "this is a git submodule: its files are not part of this repository's history, so "
        "it is left out of the site", file=path,
        fix="copy the policies it holds into the repository, or move the submodule out of "
        "the policies folder") for path in sorted(gitlinks)]


def _kept(error: PolicyError) -> PolicyError:
    """The error without its traceback, which would keep the frames that raised it (and
    the file contents in them) alive as long as the history."""
    return error.with_traceback(None)


class _BlobUses:
    """Which blobs the replay may still read: those a path of the tree holds, and those a
    commit still to replay brings. The others are dropped from ``blobs``."""

    def __init__(self, blobs: MutableMapping[str, bytes], tree: Mapping[str, TreeEntry],
                 commits: Sequence[LogCommit]) -> None:
        self.blobs = blobs
        self.held = Counter(entry.blob for entry in tree.values())
        self.pending = Counter(change.blob for commit in commits for change in commit.changes
                               if change.blob is not None and change.mode != GITLINK_MODE)

    def added(self, blob: str) -> None:
        self.pending[blob] -= 1
        self.held[blob] += 1

    def removed(self, blob: str) -> None:
        self.held[blob] -= 1
        if self.held[blob] <= 0 and self.pending[blob] <= 0:
            self.blobs.pop(blob, None)


def sections_between(old: Revision | None, new: Revision) -> tuple[SectionChange, ...]:
    """The sections added, changed and removed from ``old`` to ``new`` (any two revisions,
    as a revision's own ``sections_changed`` are against the one before it)."""
    return _sections_changed(old, new.text, new.fingerprint)


def _sections_changed(
    old: Revision | None, text: PolicyText, fingerprint: Fingerprint
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
    return tuple((e.effective, e.summary, e.editorial, e.translates) for e in entries)


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
    text_dates: str = "all",
) -> SiteHistory:
    """Replay the first-parent log (oldest first) into the history of every policy.

    ``fingerprints`` caches what a section's text renders to (see
    policy_history.store.section_prints). To continue a replay saved by an earlier build,
    use ReplayState and HistoryReplay (policy_history.loader does)."""
    variables = site_variables or {}
    replay = HistoryReplay(ReplayState.start(policies_dir, config_path, variables), blobs,
                           render=render, site_variables=variables, templating=templating,
                           fingerprints=fingerprints, text_dates=text_dates)
    replay.replay(commits)
    return replay.finish(as_of)


def _follow_renames(
    commit: LogCommit, before: Mapping[str, PolicyLayout], state: ReplayState
) -> None:
    """Carry a policy's history over when a rename gives it a new slug."""
    for change in commit.changes:
        if change.status != "R" or change.old_path is None:
            continue
        old_slug = _slug_of_path(change.old_path, before)
        new_slug = _slug_of_path(change.path, state.layouts)
        if (
            old_slug
            and new_slug
            and old_slug != new_slug
            and old_slug not in state.layouts
            and new_slug not in state.histories
            and old_slug in state.histories
        ):
            history = state.histories.pop(old_slug)
            history.slug = new_slug
            for revision in history.revisions:
                revision.slug = new_slug
            state.histories[new_slug] = history
            state.last_revision[new_slug] = state.last_revision.pop(old_slug)


def _note_withdrawals(
    commit: LogCommit, before: Mapping[str, PolicyLayout], state: ReplayState
) -> None:
    """Remember where a policy lived when a commit removes its sources (a rename carried
    its history over already), and forget it when they come back."""
    for slug in before.keys() - state.layouts.keys():
        if slug in state.histories:
            state.withdrawals[slug] = Withdrawal(before[slug], commit.sha, commit.committed)
    for slug in state.withdrawals.keys() & state.layouts.keys():
        del state.withdrawals[slug]


def _slug_of_path(path: str, layouts: Mapping[str, PolicyLayout]) -> str | None:
    for slug, layout in layouts.items():
        if path in layout.source_paths:
            return slug
    return None


def _add_revision(
    replay: HistoryReplay, slug: str, commit: LogCommit, text: PolicyText, source_key: str
) -> None:
    state = replay.state
    previous = state.last_revision.get(slug)
    printed = replay.fingerprints.of(text)
    fingerprint = printed.sections
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
    history = state.histories.setdefault(slug, PolicyHistory(slug))
    entries = text.meta.changes
    before = previous.text.meta.changes if previous else None
    added: tuple[ChangeEntry, ...] = ()
    if entries is not None:
        count = len(entries) - len(before or ())
        if count < 0:
            state.warnings.append(
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
        source_key=source_key,
        words=printed.words,
        targets=printed.targets,
        stated=replay.stated_date(text) if entries is None else None,
    )
    if material is not None:
        revision.kind, revision.reason = MATERIAL, DECLARED
        revision.effective, revision.summary = material.effective, material.summary
        revision.date_source, revision.translates = DATE_FROM_ENTRY, material.translates
        revision.note = editorial.editorial if editorial else None
    elif editorial is not None:
        revision.reason, revision.note = DECLARED, editorial.editorial
    elif text_changed and entries is not None:
        revision.kind, revision.reason = MATERIAL, UNDECLARED
        revision.effective, revision.date_source = commit.committed.date(), DATE_FROM_COMMIT
        state.warnings.append(
            PolicyError(
                f"commit {commit.sha[:10]} ('{commit.subject}') changed the words of "
                f"'{slug}' without a change entry; it is published as a version effective "
                f"on its commit date, {revision.effective.isoformat()}",
                file=text.meta.file,
                fix="declare changes in 'changes:' in the same pull request as the text",
            )
        )
    elif text_changed or (entries is None and _redated(revision, previous)):
        _classify_undeclared(revision, previous, history)
    if material is not None and material.effective is not None \
            and (material.effective - commit.committed.date()).days > FAR_AHEAD_DAYS:
        state.warnings.append(PolicyError(
            f"the effective date {material.effective.isoformat()} is "
            f"{(material.effective - commit.committed.date()).days // 365} years after the "
            f"change was committed ({commit.committed.date().isoformat()})",
            file=text.meta.file, line=material.line,
            fix="check the year: the site announces this version as upcoming until that day"))
    last = next((r for r in reversed(history.revisions) if r.is_version), None)
    if material is not None and last is not None and last.effective and material.effective \
            and material.effective < last.effective:
        state.warnings.append(PolicyError(  # scripts/check says the same, as an error
            f"the effective date {material.effective.isoformat()} is before the previous "
            f"version's ({last.effective.isoformat()})", file=text.meta.file, line=material.line,
            fix="a new version takes effect on or after the one before it: fix the date "
            "(entries are listed newest first)"))
    history.revisions.append(revision)
    state.last_revision[slug] = revision


def _redated(revision: Revision, previous: Revision | None) -> bool:
    """Whether the date the text states changed (to another date, not to none)."""
    return previous is not None and revision.stated is not None and (
        previous.stated is None or previous.stated.date != revision.stated.date)


def _classify_undeclared(revision: Revision, previous: Revision | None,
                         history: PolicyHistory) -> None:
    """A change of a policy that declares nothing: a version when its words changed and
    its text states no date, or a new one; else editorial, of a kind said in plain words
    (docs/reference.md, "A version is a change of words"). A new stated date with the
    same words dates the version it follows anew: the publisher corrected its date."""
    stated = revision.stated
    words_changed = previous is None or previous.words != revision.words
    dated_anew = stated is None or previous is None or previous.stated is None \
        or previous.stated.date != stated.date
    if words_changed and dated_anew:
        revision.kind, revision.reason = MATERIAL, IMPORTED
        if stated is not None:
            revision.effective, revision.date_source = stated.date, DATE_FROM_TEXT
        else:
            revision.effective = revision.commit.committed.date()
            revision.date_source = DATE_FROM_COMMIT
    elif words_changed:
        revision.reason = UNDATED
    elif stated is not None and _redated(revision, previous) and history.versions:
        revision.reason = REDATED
        version = history.versions[-1]
        version.effective, version.date_source = stated.date, DATE_FROM_TEXT
        version.stated = stated  # what its pages say its date comes from
    elif previous is not None and previous.targets != revision.targets:
        revision.reason = LINKS
    else:
        revision.reason = UNCHANGED


def _number_versions(history: PolicyHistory) -> None:
    """Each version's id (its effective date, -2, -3 … for later ones of the same day),
    and each editorial revision's after the version it follows (``<id>.1``, ``<id>.2``)."""
    used: dict[str, int] = {}
    last_id: str | None = None
    since = 0
    for revision in history.revisions:
        if revision.is_version:
            assert revision.effective is not None
            base = revision.effective.isoformat()
            used[base] = used.get(base, 0) + 1
            revision.version_id = last_id = base if used[base] == 1 else f"{base}-{used[base]}"
            revision.edition_id, since = None, 0
        else:
            since += 1
            revision.version_id = None
            revision.edition_id = f"{last_id}.{since}" if last_id else None


#: what an editorial revision no entry declared changed (Revision.kind_note)
_KIND_NOTES = {
    UNCHANGED: "formatting only: the words did not change",
    LINKS: "links changed: the words did not",
    UNDATED: "the wording changed, but not the date the text states, so it is no new version",
    REDATED: "only the date the text states changed: the version it follows is dated so",
}


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
    history.shown_revision = None
    history.shown_revision = history.shown


def slug_of(path: str, policies_dir: str) -> str:
    prefix = f"{policies_dir.strip('/')}/" if policies_dir.strip("/.") else ""
    return slug_for(path[len(prefix) :])

"""The archive: every version's page and every redline page of every policy.

MkDocs renders one *shell* per policy and kind of page (see ``stamp``); this module plans
which pages there are, and writes all of them from their shells: reused from the previous
build when nothing they show changed (``policy_history.store.ledger``), else rendered — the text of
each distinct section once, each redline once (``redlines``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote as urlquote

import markupsafe
from mkdocs.utils import get_relative_url

from policy_history import manifest
from policy_history.model.timeline import PolicyHistory, Revision
from policy_history.site import comparisons, following, pages
from policy_history.site.page_data import Following, PageKind, PolicyPage, RedlineView, ShellPage
from policy_history.site.pages import VersionOrder
from policy_history.site.redline_store import Pair, Redlines
from policy_history.site.renderer import PolicyRenderer
from policy_history.site.stamp import BODY_MARK, DESCRIPTION_MARK, FEEDS_MARK, TITLE_MARK, Shell
from policy_history.store.ledger import OutputLedger
from policy_history.store.results import ResultStore


@dataclass
class ArchivePage:
    """A policy's history page, a version's page, or a redline page (from ``old``)."""

    history: PolicyHistory
    kind: PageKind  # HISTORY, VERSION or COMPARE
    version: Revision | None = None
    old: Revision | None = None

    @property
    def src_uri(self) -> str:
        if self.kind == PageKind.HISTORY:
            return pages.history_path(self.history)
        assert self.version is not None
        if self.old is not None:
            return pages.compare_path(self.history, self.old, self.version)
        return pages.version_path(self.history, self.version)

    @property
    def folder(self) -> str:
        """The site folder holding all the policy's pages of this kind."""
        name = {PageKind.HISTORY: "history", PageKind.VERSION: "versions",
                PageKind.COMPARE: "compare"}[self.kind]
        return f"{pages.base_path(self.history)}/{name}"

    @property
    def depth(self) -> int:
        """How many folders deep the page is: pages at one depth share relative links."""
        return self.src_uri.count("/")

    @property
    def url(self) -> str:
        """As MkDocs gives it (``File.url``): percent-encoded."""
        return urlquote(self.src_uri.removesuffix("index.md"))

    @property
    def output(self) -> str:
        return self.src_uri.removesuffix(".md") + ".html"

    @property
    def title(self) -> str:
        if self.kind == PageKind.HISTORY:
            return pages.history_title(self.history)
        assert self.version is not None
        if self.old is not None:
            return (f"{self.history.text.title}: changes from {self.old.page_id} to "
                    f"{self.version.page_id}")
        return self.version.text.title

    @property
    def description(self) -> str | None:
        return self.version.text.description if self.kind == PageKind.VERSION and self.version \
            else None

    def markdown(self) -> str:
        if self.kind == PageKind.VERSION:
            assert self.version is not None
            return pages.version_markdown(self.history, self.version)
        return pages.history_markdown(self.history)


@dataclass
class Group:
    """Pages that share a shell (the first page's): one kind, one depth in the site, with
    or without a description; of any policy (what differs per policy is marked)."""

    members: list[ArchivePage]
    shell: Shell | None = None
    first_key: str = ""  # the shell's own page: its key and note, once written
    first_note: str = ""
    #: what the sitemap puts before a page's URL (the site's address), once known
    loc_base: str | None = None

    @property
    def first(self) -> ArchivePage:
        return self.members[0]


@dataclass
class Settings:
    """What every archive page of this build depends on besides its own policy."""

    code: str  # this package's source
    #: the source of the code a redline and a version's text come from (the redline
    #: engine, rendering, sanitising): their cached results outlive other code changes
    redline_code: str
    text_code: str
    renderer: str  # the Markdown extensions and their settings
    files: str  # the site's files (links in policy text resolve against them)
    templates: str  # the policy templates (set once the theme's templates are loaded)
    every_pair_up_to: int
    with_current: bool = True


@dataclass
class Archive:
    settings: Settings
    ledger: OutputLedger
    redlines: Redlines
    #: each version's rendered sections, keyed by its text and where it is shown
    bodies: ResultStore
    renderer: PolicyRenderer
    #: renders a page's content (``partials/policy-content.html``) from its context
    render_content: Callable[[dict[str, Any]], str] | None = None
    #: renders a page's policy feed links (``partials/policy-feed-links.html``)
    render_feeds: Callable[[dict[str, Any]], str] | None = None
    #: ``page.meta.policy`` keys shared by all pages of a policy (feeds, notices)
    follow: Callable[[PolicyHistory], Following] = lambda history: Following()
    lastmod: Callable[[PolicyHistory, PageKind, Revision | None], str] = lambda h, k, v: ""
    #: writes a policy's feeds and versions.json once its pages are (``feed_files``)
    write_following: Callable[[PolicyHistory], None] | None = None
    site_url: str = ""
    groups: dict[str, Group] = field(default_factory=dict)  # shell src_uri → group
    _shapes: dict[tuple[str, int, bool], Group] = field(default_factory=dict)
    _by_policy: dict[str, list[ArchivePage]] = field(default_factory=dict)
    #: (slug, version id) → sha256 of the archived text (for versions.json)
    text_sha256: dict[tuple[str, str], str] = field(default_factory=dict)
    _policy_keys: dict[str, str] = field(default_factory=dict)
    _marks: dict[str, dict[int, dict[str, Revision]]] = field(default_factory=dict)
    _orders: dict[str, VersionOrder] = field(default_factory=dict)
    _relocations: dict[tuple[int, str], Shell] = field(default_factory=dict)
    _follows: dict[str, Following] = field(default_factory=dict)  # by policy
    #: (slug, old commit, new commit) of the redlines feed entries show
    _feed_pairs: set[tuple[str, str, str]] = field(default_factory=set)
    #: each redline's pair, by (slug, old commit, new commit, page address)
    _pairs: dict[tuple[str, str, str, str], Pair] = field(default_factory=dict)
    _group_of: dict[str, Group] = field(default_factory=dict)  # page src_uri → its group
    #: (slug, version id) → sha256 of ``versions/<id>/source.md``
    source_sha256: dict[tuple[str, str], str] = field(default_factory=dict)
    #: feed entries' content by entry id (a policy's feeds made it, the site's reuse it)
    feed_contents: dict[str, str] = field(default_factory=dict)
    #: what the build should warn about (a feed entry without its redline)
    warnings: list[str] = field(default_factory=list)
    written: int = 0

    # -- planning ----------------------------------------------------------------------------

    def plan(self, history: PolicyHistory, *, stamp: bool = True) -> list[Group]:
        """The policy's archive pages, each put in the group of its shape (kind, depth,
        description or not: the theme prints a description only when there is one). The
        groups this policy's pages start are returned: their first page is the shell
        MkDocs renders. Without stamping, every page is a group of its own."""
        planned = [ArchivePage(history, PageKind.HISTORY)]
        planned += [ArchivePage(history, PageKind.VERSION, version)
                    for version in history.versions]
        planned += [ArchivePage(history, PageKind.COMPARE, new, old) for old, new in
                    comparisons.pairs(history, self.settings.every_pair_up_to,
                                      self.settings.with_current)]
        self._by_policy[history.slug] = planned
        started: list[Group] = []
        for page in planned:
            shape = (page.kind, page.depth, bool(page.description))
            group = self._shapes.get(shape) if stamp else None
            if group is None:
                group = Group([])
                if stamp:
                    self._shapes[shape] = group
                self.groups[page.src_uri] = group
                started.append(group)
            group.members.append(page)
            self._group_of[page.src_uri] = group
            self.ledger.add_folder(page.folder)
        return started

    def by_policy(self) -> Iterator[tuple[PolicyHistory, list[ArchivePage]]]:
        """Each policy's archive pages in the order MkDocs would list them (versions, then
        redlines), had it rendered each."""
        for planned in self._by_policy.values():
            if planned:
                yield planned[0].history, planned

    def note_feeds(self, feed_pairs: Iterable[tuple[Revision, Revision]]) -> None:
        """The (old, new) revisions whose redline feed entries show: their changes-only
        view is made with them."""
        self._feed_pairs = {_pair_id_of(old, new) for old, new in feed_pairs}

    def planned(self, slug: str) -> list[ArchivePage]:
        """A policy's archive pages."""
        return self._by_policy.get(slug, [])

    def slugs(self) -> list[str]:
        """The policies that have archive pages."""
        return [slug for slug, planned in self._by_policy.items() if planned]

    def history(self, slug: str) -> PolicyHistory:
        """A planned policy's history."""
        return self._by_policy[slug][0].history

    @property
    def shells_ready(self) -> bool:
        """Whether MkDocs has rendered every shell (all other pages can be written)."""
        return all(group.shell is not None for group in self.groups.values())

    def cost(self, slug: str) -> int:
        """Roughly what writing a policy's archive pages costs: how long the texts of those
        the previous build did not write for their key are (0: every page is kept)."""
        total = 0
        for page in self._by_policy.get(slug, ()):
            group = self._group_of[page.src_uri]
            if page is group.first or group.shell is None or self.ledger.recorded(
                    page.output, self.page_key(page, group.shell)):
                continue
            total += 1 + _text_size(page)
        return total

    def unprepared(self, slug: str) -> list[tuple[int, int]]:
        """The policy's pages (their numbers in ``planned``) whose result (a redline, a
        version's text) is not in the store yet, each with roughly what computing it costs
        (how long its texts are); none on a build without a cache folder. A page the
        previous build wrote is left out unlooked at: most likely it is kept, and when it
        is not (a theme change), its result is most likely stored."""
        if self.redlines.store.folder is None or self.bodies.folder is None:
            return []
        out = []
        previous = self.ledger.previous
        for number, page in enumerate(self._by_policy.get(slug, ())):
            if page.output in previous:
                continue
            if page.kind == PageKind.COMPARE:
                if self.redlines.stored(self._pair(page)):
                    continue
            elif page.kind != PageKind.VERSION or self.bodies.has(self._text_key(page)):
                continue
            out.append((number, _text_size(page)))
        return out

    def prepare(self, slug: str, numbers: Iterable[int]) -> None:
        """Compute and store the results of those of the policy's pages (before any
        shell exists: ``writers``); a redline that fails is left for writing to report."""
        planned = self._by_policy[slug]
        for number in numbers:
            page = planned[number]
            if page.kind == PageKind.COMPARE:
                try:
                    self.redline(page)
                except RedlineError:
                    continue
            else:
                self._version_text(page)

    # -- keys ----------------------------------------------------------------------------------

    # A revision's text is named by its source_key (its files' blobs, variables,
    # templating); every key using it also holds the digest of the code that assembles it.

    def _pair(self, page: ArchivePage) -> Pair:
        which = (*_pair_id(page), page.url)
        pair = self._pairs.get(which)
        if pair is None:
            pair = self._pairs[which] = self._new_pair(page)
        return pair

    def _new_pair(self, page: ArchivePage) -> Pair:
        old, new = page.old, page.version
        assert old is not None and new is not None
        written_at = pages.page_path(page.history)
        key = _digest("redline", self.settings.redline_code, self.settings.renderer,
                      self.settings.files, written_at, page.url, old.source_key,
                      new.source_key)
        return Pair(key, lambda: old.text.markdown, lambda: new.text.markdown, written_at,
                    page.url, feed=_pair_id_of(old, new) in self._feed_pairs)

    def policy_key(self, history: PolicyHistory) -> str:
        """Changes whenever anything any archive page of the policy shows could change."""
        key = self._policy_keys.get(history.slug)
        if key is None:
            state = [
                [r.commit.sha, r.kind, r.reason, str(r.effective), r.summary, r.note,
                 r.version_id, r.source_key, [vars(c) for c in r.sections_changed]]
                for r in history.revisions
            ]
            key = self._policy_keys[history.slug] = _digest(
                "policy", json.dumps([history.slug, state, _id(history.current),
                                      [_id(v) for v in history.upcoming],
                                      dataclasses.asdict(self._followed(history))],
                                     sort_keys=True,
                                      default=str))
        return key

    def following_key(self, history: PolicyHistory, settings: str) -> str:
        """The key of a policy's feeds and versions.json: its history, the settings."""
        return _digest("following", self.settings.code, self.policy_key(history), settings)

    def page_key(self, page: ArchivePage, shell: Shell) -> str:
        s = self.settings
        return _digest("page", s.code, s.renderer, s.files, s.templates, shell.digest,
                       self.policy_key(page.history), page.output)

    # -- writing -------------------------------------------------------------------------------

    def shell_meta(self) -> ShellPage:
        """``page.meta.policy`` of a shell: markers where its pages differ."""
        return ShellPage(stamp_body=BODY_MARK, stamp_feeds=FEEDS_MARK)

    def shell_front(self, page: ArchivePage) -> tuple[str, str | None]:
        """The shell's page title and description: markers."""
        return TITLE_MARK, DESCRIPTION_MARK if page.description else None

    def write_source(self, history: PolicyHistory, version: Revision) -> str:
        """Write ``versions/<id>/source.md``; the sha256 of its bytes."""
        path = following.source_path(history, version)
        key = _digest("source", self.settings.code, version.source_key)
        folder = f"{pages.base_path(history)}/versions"
        reused = self.ledger.reuse(folder, path, key)
        if reused is not None:
            digest = reused.note
        else:
            data = manifest.source_bytes(version)
            digest = manifest.sha256(data)
            self.ledger.write(path, key, data, digest)
        assert version.version_id is not None
        self.source_sha256[(history.slug, version.version_id)] = digest
        return digest

    def write_group(self, group: Group, shell: Shell) -> str:
        """The HTML of the group's first page (MkDocs writes it: the shell's own page),
        kept from the previous build or rendered; ``write_policy`` writes the others."""
        group.shell = shell
        page = group.first
        key = self.page_key(page, shell)
        kept = self.ledger.read(page.folder, page.output, key)
        if kept is not None:
            data, record = kept
            html, note = data.decode("utf-8"), record.note
        else:
            html, note = self._render(page, group)
        if page.kind == PageKind.VERSION:
            self._note_text(page, note)
        group.first_key, group.first_note = key, note
        return html

    def write_policy(self, slug: str) -> None:
        """Write a policy's archive pages but the shells' own (MkDocs writes those), each
        kept from the previous build or rendered, its versions' ``source.md``; then its
        feeds and versions.json (``write_following``)."""
        planned = self._by_policy.get(slug, [])
        for page in planned:
            if page.kind == PageKind.VERSION and page.version is not None:
                self.write_source(page.history, page.version)
            group = self._group_of[page.src_uri]
            if page is group.first:
                continue
            assert group.shell is not None
            key = self.page_key(page, group.shell)
            reused = self.ledger.reuse(page.folder, page.output, key)
            if reused is None:
                self._write(page, group, key)
            elif page.kind == PageKind.VERSION:
                self._note_text(page, reused.note)
        if planned and self.write_following is not None:
            self.write_following(planned[0].history)

    def adopt_shells(self) -> None:
        """Record the shells' own pages, which MkDocs wrote."""
        for group in self.groups.values():
            if group.shell is not None:
                self.ledger.adopt(group.first.output, group.first_key, group.first_note)

    def _write(self, page: ArchivePage, group: Group, key: str) -> None:
        html, note = self._render(page, group)
        if page.kind == PageKind.VERSION:
            self._note_text(page, note)
        self.ledger.write(page.output, key, html.encode(), note)
        self.written += 1

    def _note_text(self, page: ArchivePage, text_hash: str) -> None:
        assert page.version is not None and page.version.version_id is not None
        self.text_sha256[(page.history.slug, page.version.version_id)] = text_hash

    def _render(self, page: ArchivePage, group: Group) -> tuple[str, str]:
        assert self.render_content is not None
        history = page.history
        note = ""
        meta: PolicyPage
        if page.kind == PageKind.HISTORY:
            meta = pages.history_meta(history)
            meta.compare = comparisons.compare_index(
                history, self.settings.every_pair_up_to, self.settings.with_current)
        elif page.old is None:
            assert page.version is not None
            marks = self._marks.get(history.slug)
            if marks is None:
                marks = self._marks[history.slug] = pages.section_marks(history)
            meta = pages.version_meta(history, page.version, marks[page.version.number],
                                      self._order(history))
            rendered = self._version_text(page)
            for section, html in zip(meta.sections, rendered["sections"], strict=True):
                section.html = html
            note = rendered["text_sha256"]
        else:
            assert page.version is not None
            meta = comparisons.compare_meta(history, page.old, page.version,
                                            self._order(history))
            meta.redline = self.redline(page)
        meta.follow(self._followed(history))
        context = {"policy": meta, "page": _StandIn(page.url, {"policy": meta}),
                   "base_url": get_relative_url(".", page.url)}
        body = self.render_content(context)
        assert self.render_feeds is not None
        feeds = self.render_feeds(context)
        shell = self._relocated(group, page)
        description = page.description
        html = shell.page(
            title=str(markupsafe.escape(page.title)),
            description=str(markupsafe.escape(description)) if description else "",
            canonical=self.site_url + page.url if self.site_url else "",
            feeds=feeds, body=body)
        return html, note

    def _followed(self, history: PolicyHistory) -> Following:
        """``follow(history)``, worked out once for all of a policy's pages."""
        followed = self._follows.get(history.slug)
        if followed is None:
            followed = self._follows[history.slug] = self.follow(history)
        return followed

    def _relocated(self, group: Group, page: ArchivePage) -> Shell:
        """The group's shell with its links relative to ``page``'s folder (the same for
        every page of one policy and kind)."""
        assert group.shell is not None
        if page.folder == group.first.folder:
            return group.shell
        key = (id(group), page.folder)
        moved = self._relocations.get(key)
        if moved is None:
            moved = self._relocations[key] = group.shell.relocated(
                group.first.url, page.url, get_relative_url)
        return moved

    def _order(self, history: PolicyHistory) -> VersionOrder:
        order = self._orders.get(history.slug)
        if order is None:
            order = self._orders[history.slug] = pages.VersionOrder(history)
        return order

    def _version_text(self, page: ArchivePage) -> dict[str, Any]:
        """A version's sections as HTML (links resolved for its page) and the hash of its
        rendered text: from the store, else rendered (each distinct section once)."""
        assert page.version is not None
        written_at = pages.page_path(page.history)
        key = self._text_key(page)
        value = self.bodies.get(key)
        if value is None:
            sources = page.version.text.standalone_sections()
            sections = [self.renderer.links(self.renderer.markdown(source),
                                            written_at=written_at, shown_at=page.url)
                        for source in sources]
            value = {"sections": sections,
                     "text_sha256": manifest.text_sha256(sources, self.renderer.visible)}
            self.bodies.put(key, value)
        return value

    def _text_key(self, page: ArchivePage) -> str:
        assert page.version is not None
        s = self.settings
        return _digest("text", s.text_code, s.renderer, s.files, pages.page_path(page.history),
                       page.url, page.version.source_key)

    def redline(self, page: ArchivePage) -> RedlineView:
        """A redline page's ``policy.redline``: its inline view and the counts."""
        try:
            value = self.redlines.get(self.redlines.want(self._pair(page)))
        except Exception as error:  # a bug in the engine: stop with the page it was for
            raise RedlineError(f"the redline {page.url} could not be computed: "
                               f"{type(error).__name__}: {error}") from None
        return RedlineView.of(value)

    def feed_redline(self, history: PolicyHistory, old: Revision, new: Revision) -> str | None:
        """The changes-only redline of two consecutive versions, for feed entries."""
        return self.redlines.feed(self.redlines.want(
            self._pair(ArchivePage(history, PageKind.COMPARE, new, old))))

    def changes_url(self, history: PolicyHistory, version: Revision) -> str:
        """The site-relative address of a version's redline against the one before it."""
        order = self._order(history)
        return pages.compare_url(history, order.versions[order.index(version) - 1], version)

    def sitemap_entries(self, run: list[ArchivePage], base: str
                        ) -> list[tuple[str, str | None]]:
        return [(base + page.url, self.lastmod(page.history, page.kind, page.version) or None)
                for page in run]

    def loc_base(self) -> str | None:
        """What the sitemap puts before pages' URLs (from a shell MkDocs rendered)."""
        return next((group.loc_base for group in self.groups.values()
                     if group.loc_base is not None), None)


class RedlineError(Exception):
    """A redline failed (a bug in the engine): the build stops with the page it was for."""


@dataclass(frozen=True)
class _StandIn:
    """What the content templates use of ``page``: its address (for ``| url``), its meta."""

    url: str
    meta: dict[str, Any]


def _pair_id_of(old: Revision, new: Revision) -> tuple[str, str, str]:
    return new.slug, old.commit.sha, new.commit.sha


def _pair_id(page: ArchivePage) -> tuple[str, str, str]:
    assert page.old is not None and page.version is not None
    return _pair_id_of(page.old, page.version)


def _id(revision: Revision | None) -> str | None:
    return revision.version_id if revision is not None else None


def _text_size(page: ArchivePage) -> int:
    """How long the texts a page shows are (roughly what rendering it costs)."""
    return sum(len(section.markdown) for revision in (page.version, page.old)
               if revision is not None for section in revision.text.sections)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()

"""The archive: every version's page and every redline page of every policy, written.

MkDocs renders one *shell* per group of the plan (``archive_plan``; see ``stamp``); this
module writes every page from its group's shell: kept from the previous build when
nothing it shows changed (``policy_history.store.ledger``), else rendered from its content
(``archive_content``) through the theme's policy templates. What it writes and keeps goes
into the build's results (``archive_results``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import markupsafe
from mkdocs.utils import get_relative_url

from policy_history import manifest
from policy_history.model.timeline import PolicyHistory, Revision
from policy_history.site import comparisons, feed_files, following, pages, since_pages
from policy_history.site.archive_content import ArchiveContent, digest, text_size
from policy_history.site.archive_plan import ArchivePage, ArchivePlan, Group
from policy_history.site.archive_results import ArchiveResults
from policy_history.site.feed_files import FeedOptions
from policy_history.site.following import FollowOptions
from policy_history.site.page_data import Following, PageKind, PolicyPage, ShellPage
from policy_history.site.pages import VersionOrder
from policy_history.site.stamp import (
    BODY_MARK,
    DESCRIPTION_MARK,
    FEEDS_MARK,
    NAV_MARK,
    TITLE_MARK,
    Shell,
)
from policy_history.store.ledger import OutputLedger

#: renders a page's content or its feed links from its context (a policy template)
Render = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class PageKeys:
    """What every archive page of this build depends on besides its own policy."""

    code: str  # the source of the code that writes pages
    renderer: str  # the Markdown extensions and their settings
    files: str  # the site's files (links in policy text resolve against them)
    templates: str  # the policy templates, as the theme resolves them


@dataclass(frozen=True)
class Templates:
    """The theme's policy templates the pages are rendered with."""

    content: Render  # ``partials/policy-content.html``
    feeds: Render  # ``partials/policy-feed-links.html``
    nav: Render  # ``partials/policy-nav.html``
    since: Render  # ``partials/policy-since.html``


def shell_meta() -> ShellPage:
    """``page.meta.policy`` of a shell: markers where its pages differ."""
    return ShellPage(stamp_body=BODY_MARK, stamp_feeds=FEEDS_MARK, stamp_nav=NAV_MARK)


def shell_front(page: ArchivePage) -> tuple[str, str | None]:
    """The shell's page title and description: markers."""
    return TITLE_MARK, DESCRIPTION_MARK if page.description else None


class Archive:
    def __init__(self, plan: ArchivePlan, content: ArchiveContent, keys: PageKeys, *,
                 templates: Templates, ledger: OutputLedger, results: ArchiveResults,
                 following: FollowOptions, feeds: FeedOptions | None, site_url: str) -> None:
        """``feeds``: each policy's feeds and versions.json are written with its pages
        (None: the site has none)."""
        self.plan = plan
        self.content = content
        self.keys = keys
        self.templates = templates
        self.ledger = ledger
        self.results = results
        self.following = following
        self.feeds = feeds
        self.site_url = site_url
        self.shells: dict[str, Shell] = {}  # a group's shell, by its first page's src_uri
        #: the shells' own pages (MkDocs writes them): their key and note
        self._firsts: dict[str, tuple[str, str]] = {}
        #: what the sitemap puts before a page's URL (the site's address), once known
        self.loc_base: str | None = None
        self._policy_keys: dict[str, str] = {}
        self._marks: dict[str, dict[int, dict[str, Revision]]] = {}
        self._orders: dict[str, VersionOrder] = {}
        self._relocations: dict[tuple[int, str], Shell] = {}
        self._follows: dict[str, Following] = {}  # by policy

    @property
    def shells_ready(self) -> bool:
        """Whether MkDocs has rendered every shell (all other pages can be written)."""
        return len(self.shells) == len(self.plan.groups)

    def cost(self, slug: str) -> int:
        """Roughly what writing a policy's archive pages costs: how long the texts of those
        the previous build did not write for their key are (0: every page is kept)."""
        total = 0
        for page in self.plan.planned(slug):
            group = self.plan.group_of[page.src_uri]
            shell = self.shells.get(group.first.src_uri)
            if page is group.first or shell is None or self.ledger.recorded(
                    page.output, self.page_key(page, shell)):
                continue
            total += 1 + text_size(page)
        return total

    # -- keys ----------------------------------------------------------------------------------

    def policy_key(self, history: PolicyHistory) -> str:
        """Changes whenever anything any archive page of the policy shows could change."""
        key = self._policy_keys.get(history.slug)
        if key is None:
            state = [
                [r.commit.sha, r.kind, r.reason, str(r.effective), r.summary, r.note,
                 r.version_id, r.source_key, [vars(c) for c in r.sections_changed]]
                for r in history.revisions
            ]
            key = self._policy_keys[history.slug] = digest(
                "policy", json.dumps([history.slug, state, _id(history.current),
                                      [_id(v) for v in history.upcoming],
                                      dataclasses.asdict(self._followed(history))],
                                     sort_keys=True,
                                      default=str))
        return key

    def following_key(self, history: PolicyHistory, settings: str) -> str:
        """The key of a policy's feeds and versions.json: its history, the settings."""
        return digest("following", self.keys.code, self.policy_key(history), settings)

    def page_key(self, page: ArchivePage, shell: Shell) -> str:
        k = self.keys
        return digest("page", k.code, k.renderer, k.files, k.templates, shell.digest,
                      self.policy_key(page.history), page.output)

    # -- writing -------------------------------------------------------------------------------

    def write_source(self, history: PolicyHistory, version: Revision) -> str:
        """Write ``versions/<id>/source.md``; the sha256 of its bytes."""
        path = following.source_path(history, version)
        key = digest("source", self.keys.code, version.source_key)
        folder = f"{pages.base_path(history)}/versions"
        reused = self.ledger.reuse(folder, path, key)
        if reused is not None:
            sha256 = reused.note
        else:
            data = manifest.source_bytes(version)
            sha256 = manifest.sha256(data)
            self.ledger.write(path, key, data, sha256)
        assert version.version_id is not None
        self.results.source_sha256[(history.slug, version.version_id)] = sha256
        return sha256

    def write_group(self, group: Group, shell: Shell) -> str:
        """The HTML of the group's first page (MkDocs writes it: the shell's own page),
        kept from the previous build or rendered; ``write_policy`` writes the others."""
        page = group.first
        self.shells[page.src_uri] = shell
        key = self.page_key(page, shell)
        kept = self.ledger.read(page.folder, page.output, key)
        if kept is not None:
            data, record = kept
            html, note = data.decode("utf-8"), record.note
        else:
            html, note = self._render(page, group)
        if page.kind == PageKind.VERSION:
            self._note_text(page, note)
        self._firsts[page.src_uri] = (key, note)
        return html

    def write_policy(self, slug: str) -> None:
        """Write a policy's archive pages but the shells' own (MkDocs writes those), each
        kept from the previous build or rendered, its versions' ``source.md``; then its
        feeds and versions.json."""
        planned = self.plan.planned(slug)
        for page in planned:
            if page.kind == PageKind.VERSION and page.version is not None:
                self.write_source(page.history, page.version)
            group = self.plan.group_of[page.src_uri]
            if page is group.first:
                continue
            key = self.page_key(page, self.shells[group.first.src_uri])
            reused = self.ledger.reuse(page.folder, page.output, key)
            if reused is None:
                self._write(page, group, key)
            elif page.kind == PageKind.VERSION:
                self._note_text(page, reused.note)
        if planned:
            self.write_since(planned[0].history, planned)
        if planned and self.feeds is not None:
            feed_files.write_policy_files(self, planned[0].history, self.feeds)

    def write_since(self, history: PolicyHistory, planned: Sequence[ArchivePage]) -> None:
        """A policy's "since" pages (site.since_pages), kept while what they show stays
        the same: the policy's history and which of its redline pages exist."""
        compared = sorted({(str(page.old.version_id), str(page.version.version_id))
                           for page in planned if page.kind == PageKind.COMPARE
                           and page.old is not None and page.version is not None})
        folder = since_pages.folder(history)
        key = digest("since", self.keys.code, self.keys.templates, self.policy_key(history),
                     json.dumps(compared))
        kept = {path for path in since_pages.paths(history)
                if self.ledger.reuse(folder, path, key) is not None}
        for path, since in since_pages.since_pages(history, set(compared)):
            if path not in kept:
                self.ledger.write(path, key, self.templates.since({"since": since}).encode())

    def adopt_shells(self) -> None:
        """Record the shells' own pages, which MkDocs wrote."""
        for src_uri, group in self.plan.groups.items():
            if src_uri in self._firsts:
                self.ledger.adopt(group.first.output, *self._firsts[src_uri])

    def _write(self, page: ArchivePage, group: Group, key: str) -> None:
        html, note = self._render(page, group)
        if page.kind == PageKind.VERSION:
            self._note_text(page, note)
        self.ledger.write(page.output, key, html.encode(), note)
        self.results.written.add(page.output)

    def _note_text(self, page: ArchivePage, text_hash: str) -> None:
        assert page.version is not None and page.version.version_id is not None
        self.results.text_sha256[(page.history.slug, page.version.version_id)] = text_hash

    def _render(self, page: ArchivePage, group: Group) -> tuple[str, str]:
        history = page.history
        note = ""
        meta: PolicyPage
        if page.kind == PageKind.HISTORY:
            meta = pages.history_meta(history)
            meta.compare = comparisons.compare_index(
                history, self.plan.settings.every_pair_up_to, self.plan.settings.with_current)
        elif page.old is None:
            assert page.version is not None
            marks = self._marks.get(history.slug)
            if marks is None:
                marks = self._marks[history.slug] = pages.section_marks(history)
            meta = pages.version_meta(history, page.version, marks[page.version.number],
                                      self.order(history))
            rendered = self.content.version_text(page)
            for section, html in zip(meta.sections, rendered["sections"], strict=True):
                section.html = html
            note = rendered["text_sha256"]
        else:
            assert page.version is not None
            meta = comparisons.compare_meta(history, page.old, page.version,
                                            self.order(history))
            meta.redline = self.content.redline(page)
        meta.follow(self._followed(history))
        context = {"policy": meta, "page": _StandIn(page.url, {"policy": meta}),
                   "base_url": get_relative_url(".", page.url)}
        body = self.templates.content(context)
        feeds = self.templates.feeds(context)
        nav = self.templates.nav(context)
        shell = self._relocated(group, page)
        description = page.description
        html = shell.page(
            title=str(markupsafe.escape(page.title)),
            description=str(markupsafe.escape(description)) if description else "",
            canonical=self.site_url + page.url if self.site_url else "",
            feeds=feeds, nav=nav, body=body)
        return html, note

    def _followed(self, history: PolicyHistory) -> Following:
        """``following.meta(history)``, worked out once for all of a policy's pages."""
        followed = self._follows.get(history.slug)
        if followed is None:
            followed = self._follows[history.slug] = self.following.meta(history)
        return followed

    def _relocated(self, group: Group, page: ArchivePage) -> Shell:
        """The group's shell with its links relative to ``page``'s folder (the same for
        every page of one policy and kind)."""
        shell = self.shells[group.first.src_uri]
        if page.folder == group.first.folder:
            return shell
        key = (id(group), page.folder)
        moved = self._relocations.get(key)
        if moved is None:
            moved = self._relocations[key] = shell.relocated(
                group.first.url, page.url, get_relative_url)
        return moved

    def order(self, history: PolicyHistory) -> VersionOrder:
        order = self._orders.get(history.slug)
        if order is None:
            order = self._orders[history.slug] = pages.VersionOrder(history)
        return order

    def changes_url(self, history: PolicyHistory, version: Revision) -> str:
        """The site-relative address of a version's redline against the one before it."""
        order = self.order(history)
        return pages.compare_url(history, order.versions[order.index(version) - 1], version)

    def sitemap_entries(self, run: tuple[ArchivePage, ...], base: str
                        ) -> list[tuple[str, str | None]]:
        return [(base + page.url,
                 self.following.lastmod(page.history, page.kind, page.version) or None)
                for page in run]


@dataclass(frozen=True)
class _StandIn:
    """What the content templates use of ``page``: its address (for ``| url``), its meta."""

    url: str
    meta: dict[str, Any]


def _id(revision: Revision | None) -> str | None:
    return revision.version_id if revision is not None else None

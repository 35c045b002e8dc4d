"""The archive: every version's page and every redline page of every policy.

MkDocs renders one *shell* per policy and kind of page (see ``stamp``); this module plans
which pages there are, and writes all of them from their shells: reused from the previous
build when nothing they show changed (``policykit.outputs``), else rendered — the text of
each distinct section once, each redline once (``redlines``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote as urlquote

import markupsafe
from mkdocs.utils import get_relative_url

from policykit import manifest
from policykit.outputs import OutputLedger
from policykit.results import ResultStore
from policykit.site import comparisons, following, pages
from policykit.site.pages import VersionOrder
from policykit.site.redlines import Pair, Redlines
from policykit.site.render import PolicyRenderer
from policykit.site.stamp import DESCRIPTION_MARK, TITLE_MARK, Shell
from policykit.timeline import PolicyHistory, Revision


@dataclass
class ArchivePage:
    """A version's page (``old`` is None) or a redline page."""

    history: PolicyHistory
    kind: str  # "version" or "compare"
    version: Revision
    old: Revision | None = None

    @property
    def src_uri(self) -> str:
        if self.old is not None:
            return pages.compare_path(self.history, self.old, self.version)
        return pages.version_path(self.history, self.version)

    @property
    def url(self) -> str:
        """As MkDocs gives it (``File.url``): percent-encoded."""
        return urlquote(self.src_uri.removesuffix("index.md"))

    @property
    def output(self) -> str:
        return self.src_uri.removesuffix(".md") + ".html"

    @property
    def title(self) -> str:
        if self.old is not None:
            return (f"{self.history.text.title}: changes from {self.old.version_id} to "
                    f"{self.version.version_id}")
        return self.version.text.title

    @property
    def description(self) -> str | None:
        return self.version.text.description if self.old is None else None

    def markdown(self) -> str:
        if self.old is not None:
            return pages.history_markdown(self.history)
        return pages.version_markdown(self.history, self.version)


@dataclass
class Group:
    """Pages of one policy and kind that share a shell: the first page is the shell."""

    folder: str  # site-relative folder holding all of them
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
    #: ``page.meta.policy`` keys shared by all pages of a policy (feeds, notices)
    follow: Callable[[PolicyHistory], dict[str, Any]] = lambda history: {}
    lastmod: Callable[[PolicyHistory, str, Revision | None], str] = lambda h, k, v: ""
    site_url: str = ""
    groups: dict[str, Group] = field(default_factory=dict)  # shell src_uri → group
    #: (slug, version id) → sha256 of the archived text (for versions.json)
    text_sha256: dict[tuple[str, str], str] = field(default_factory=dict)
    _policy_keys: dict[str, str] = field(default_factory=dict)
    _text_keys: dict[int, str] = field(default_factory=dict)
    _visible: dict[str, str] = field(default_factory=dict)
    _marks: dict[str, dict[int, dict[str, Revision]]] = field(default_factory=dict)
    _orders: dict[str, VersionOrder] = field(default_factory=dict)
    written: int = 0

    # -- planning ----------------------------------------------------------------------------

    def plan(self, history: PolicyHistory, *, stamp: bool = True) -> list[Group]:
        """The policy's archive pages, grouped by shell (description or not: the theme
        prints a page's description only when it has one). Without stamping, every page
        is a group of its own, rendered by MkDocs."""
        out: list[Group] = []
        versions: dict[bool, Group] = {}
        base = pages.base_path(history)
        for version in history.versions:
            page = ArchivePage(history, "version", version)
            group = versions.get(bool(page.description))
            if group is None:
                group = versions[bool(page.description)] = Group(f"{base}/versions", [])
                out.append(group)
            group.members.append(page)
        pairs = comparisons.pairs(history, self.settings.every_pair_up_to,
                                  self.settings.with_current)
        if pairs:
            out.append(Group(f"{base}/compare", [ArchivePage(history, "compare", new, old)
                                                 for old, new in pairs]))
        if not stamp:
            out = [Group(group.folder, [page]) for group in out for page in group.members]
        for group in out:
            self.groups[group.first.src_uri] = group
            self.ledger.add_folder(group.folder)
        return out

    def pages(self) -> Iterator[ArchivePage]:
        for group in self.groups.values():
            yield from group.members

    def runs(self) -> Iterator[list[ArchivePage]]:
        """Each policy's version pages, then its redline pages, in the order MkDocs would
        list them; the first page of each run is a shell."""
        by_kind: dict[tuple[str, str], list[ArchivePage]] = {}
        for page in self.pages():
            by_kind.setdefault((page.history.slug, page.kind), []).append(page)
        for run in by_kind.values():
            if run[0].kind == "version":
                order = {id(v): i for i, v in enumerate(run[0].history.versions)}
                run.sort(key=lambda page: order[id(page.version)])
            yield run

    def start_redlines(self) -> None:
        """Start computing the redlines no cache has yet: the shells' first (MkDocs waits
        for them), then in the order the other pages are written."""
        firsts = [group.first for group in self.groups.values()]
        self.redlines.want(self._pair(page) for page in [*firsts, *self.pages()]
                           if page.old is not None)

    # -- keys ----------------------------------------------------------------------------------

    def text_key(self, revision: Revision) -> str:
        key = self._text_keys.get(id(revision))
        if key is None:
            key = self._text_keys[id(revision)] = hashlib.sha1(
                revision.text.markdown.encode(), usedforsecurity=False).hexdigest()
        return key

    def _pair(self, page: ArchivePage) -> Pair:
        assert page.old is not None
        old, new = page.old, page.version
        written_at = pages.page_path(page.history)
        key = _digest("redline", self.settings.redline_code, self.settings.renderer,
                      self.settings.files, written_at, page.url, self.text_key(old),
                      self.text_key(new))
        return Pair(key, lambda: old.text.markdown, lambda: new.text.markdown, written_at,
                    page.url)

    def policy_key(self, history: PolicyHistory) -> str:
        """Changes whenever anything any archive page of the policy shows could change."""
        key = self._policy_keys.get(history.slug)
        if key is None:
            state = [
                [r.commit.sha, r.kind, r.reason, str(r.effective), r.summary, r.note,
                 r.version_id, self.text_key(r), [vars(c) for c in r.sections_changed]]
                for r in history.revisions
            ]
            key = self._policy_keys[history.slug] = _digest(
                "policy", json.dumps([history.slug, state, _id(history.current),
                                      [_id(v) for v in history.upcoming],
                                      self.follow(history)], sort_keys=True, default=str))
        return key

    def page_key(self, page: ArchivePage, shell: Shell) -> str:
        s = self.settings
        return _digest("page", s.code, s.renderer, s.files, s.templates, shell.digest,
                       self.policy_key(page.history), page.output)

    # -- writing -------------------------------------------------------------------------------

    def shell_meta(self, page: ArchivePage, stamp_body: str) -> dict[str, Any]:
        """``page.meta.policy`` of a shell: markers where its pages differ."""
        title = TITLE_MARK if page.old is None else page.history.text.title
        return {"page": "stamp", "stamp_body": stamp_body, "title": title, "slug":
                page.history.slug, **self.follow(page.history)}

    def shell_front(self, page: ArchivePage) -> tuple[str, str | None]:
        """The shell's page title and description: markers."""
        return TITLE_MARK, DESCRIPTION_MARK if page.description else None

    def write_source(self, history: PolicyHistory, version: Revision) -> str:
        """Write ``versions/<id>/source.md``; the sha256 of its bytes."""
        path = following.source_path(history, version)
        key = _digest("source", self.settings.code, self.text_key(version))
        folder = f"{pages.base_path(history)}/versions"
        reused = self.ledger.reuse(folder, path, key)
        if reused is not None:
            return reused.note
        data = manifest.source_bytes(version)
        digest = manifest.sha256(data)
        self.ledger.write(path, key, data, digest)
        return digest

    def write_group(self, group: Group, shell: Shell) -> str:
        """The HTML of the group's first page (MkDocs writes it: the shell's own page),
        kept from the previous build or rendered; ``write_rest`` writes the others."""
        group.shell = shell
        page = group.first
        key = self.page_key(page, shell)
        kept = self.ledger.read(group.folder, page.output, key)
        if kept is not None:
            data, record = kept
            html, note = data.decode("utf-8"), record.note
        else:
            html, note = self._render(page, shell)
        if page.old is None:
            self._note_text(page, note)
        group.first_key, group.first_note = key, note
        return html

    def write_rest(self, group: Group) -> None:
        """Write the pages of ``group`` after its shell's: reused, or rendered."""
        assert group.shell is not None
        for page in group.members[1:]:
            key = self.page_key(page, group.shell)
            reused = self.ledger.reuse(group.folder, page.output, key)
            if reused is not None:
                if page.old is None:
                    self._note_text(page, reused.note)
                continue
            html, note = self._render(page, group.shell)
            if page.old is None:
                self._note_text(page, note)
            self.ledger.write(page.output, key, html.encode(), note)
            self.written += 1
        # the shell's own page, written by MkDocs meanwhile
        self.ledger.adopt(group.first.output, group.first_key, group.first_note)

    def _note_text(self, page: ArchivePage, text_hash: str) -> None:
        assert page.version.version_id is not None
        self.text_sha256[(page.history.slug, page.version.version_id)] = text_hash

    def _render(self, page: ArchivePage, shell: Shell) -> tuple[str, str]:
        assert self.render_content is not None
        history = page.history
        note = ""
        if page.old is None:
            marks = self._marks.get(history.slug)
            if marks is None:
                marks = self._marks[history.slug] = pages.section_marks(history)
            meta = pages.version_meta(history, page.version, marks[page.version.number],
                                      self._order(history))
            rendered = self._version_text(page)
            for section, html in zip(meta["sections"], rendered["sections"], strict=True):
                section["html"] = html
            note = rendered["text_sha256"]
        else:
            meta = comparisons.compare_meta(history, page.old, page.version,
                                            self._order(history))
            meta["redline"] = self.redline(page)
        meta.update(self.follow(history))
        stand_in = _StandIn(page.url, {"policy": meta})
        body = self.render_content({"policy": meta, "page": stand_in,
                                    "base_url": get_relative_url(".", page.url)})
        description = page.description
        html = shell.page(
            title=str(markupsafe.escape(page.title)),
            description=str(markupsafe.escape(description)) if description else "",
            canonical=self.site_url + page.url if self.site_url else "",
            body=body)
        return html, note

    def _order(self, history: PolicyHistory) -> VersionOrder:
        order = self._orders.get(history.slug)
        if order is None:
            order = self._orders[history.slug] = pages.VersionOrder(history)
        return order

    def _version_text(self, page: ArchivePage) -> dict[str, Any]:
        """A version's sections as HTML (links resolved for its page) and the hash of its
        rendered text: from the store, else rendered (each distinct section once)."""
        written_at = pages.page_path(page.history)
        s = self.settings
        key = _digest("text", s.text_code, s.renderer, s.files, written_at, page.url,
                      self.text_key(page.version))
        value = self.bodies.get(key)
        if value is None:
            sections = [self.renderer.links(self.renderer.markdown(source),
                                            written_at=written_at, shown_at=page.url)
                        for source in page.version.text.standalone_sections()]
            value = {"sections": sections,
                     "text_sha256": manifest.text_sha256(sections, self._visible_text)}
            self.bodies.put(key, value)
        return value

    def _visible_text(self, html: str) -> str:
        text = self._visible.get(html)
        if text is None:
            text = self._visible[html] = manifest.visible_text(html)
        return text

    def redline(self, page: ArchivePage) -> dict[str, Any]:
        """A redline page's ``policy.redline``: both views and the counts."""
        try:
            value = self.redlines.get(self._pair(page).key)
        except RuntimeError as error:
            raise RedlineError(f"the redline {page.url} could not be computed: {error}"
                               ) from None
        return {k: markupsafe.Markup(v) if k in ("inline", "side_by_side") else v
                for k, v in value.items() if k != "feed"}

    def feed_redline(self, history: PolicyHistory, old: Revision, new: Revision) -> str | None:
        """The changes-only redline of two consecutive versions, for feed entries."""
        pair = self._pair(ArchivePage(history, "compare", new, old))
        self.redlines.pairs.setdefault(pair.key, pair)
        return str(self.redlines.get(pair.key)["feed"])

    def sitemap_entries(self, run: list[ArchivePage], base: str
                        ) -> list[tuple[str, str | None]]:
        return [(base + page.url, self.lastmod(page.history, page.kind, page.version) or None)
                for page in run]


class RedlineError(Exception):
    """A redline failed (a bug in the engine): the build stops with the page it was for."""


@dataclass(frozen=True)
class _StandIn:
    """What the content templates use of ``page``: its address (for ``| url``), its meta."""

    url: str
    meta: dict[str, Any]


def _id(revision: Revision | None) -> str | None:
    return revision.version_id if revision is not None else None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()

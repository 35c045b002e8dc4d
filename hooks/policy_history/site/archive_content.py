"""What archive pages show besides the theme: versions' texts and redlines.

Both come from the result stores, keyed by what they are made of, else are computed (and
stored). None of it needs the theme, so the writers compute them ahead, while MkDocs
renders the site's own pages (``writers``).
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from policy_history import manifest
from policy_history.model.timeline import PolicyHistory, Revision
from policy_history.site import pages
from policy_history.site.archive_plan import ArchivePage, ArchivePlan
from policy_history.site.page_data import PageKind, RedlineView
from policy_history.site.redline_store import Pair, Redlines, Sections
from policy_history.site.renderer import PolicyRenderer
from policy_history.store.results import ResultStore


@dataclass(frozen=True)
class ContentKeys:
    """What every version's text and redline depends on besides its own revisions."""

    #: the source of the code a redline and a version's text come from (the redline
    #: engine, rendering, sanitising): their cached results outlive other code changes
    redline_code: str
    text_code: str
    renderer: str  # the Markdown extensions and their settings
    files: str  # the site's files (links in policy text resolve against them)


class RedlineError(Exception):
    """A redline failed (a bug in the engine): the build stops with the page it was for."""


class ArchiveContent:
    def __init__(self, plan: ArchivePlan, keys: ContentKeys, *, redlines: Redlines,
                 bodies: ResultStore, renderer: PolicyRenderer,
                 feed_pairs: Iterable[tuple[Revision, Revision]] = ()) -> None:
        """``bodies``: each version's rendered sections, keyed by its text and where it is
        shown; ``feed_pairs``: the (old, new) revisions whose redline feed entries show
        (their changes-only view is made with them)."""
        self.plan = plan
        self.keys = keys
        self.redlines = redlines
        self.bodies = bodies
        self.renderer = renderer
        self._feed_pairs = {_pair_id_of(old, new) for old, new in feed_pairs}
        #: each redline's pair, by (slug, old commit, new commit, page address)
        self._pairs: dict[tuple[str, str, str, str], Pair] = {}
        #: the sections a redline folds into, by the texts of the page's revision and the
        #: new one: one function for all the redlines that share them (every older
        #: version against the current one), so the redlines know them by it
        self._sections: dict[tuple[str, str], Sections] = {}

    # A revision's text is named by its source_key (its files' blobs, variables,
    # templating); every key using it also holds the digest of the code that assembles it.

    def unprepared(self, slug: str, previous: Collection[str]) -> list[tuple[int, int]]:
        """The policy's pages (their numbers in the plan) whose result (a redline, a
        version's text) is not in the store yet, each with roughly what computing it costs
        (how long its texts are); none on a build without a cache folder. A page the
        previous build wrote (``previous``) is left out unlooked at: most likely it is
        kept, and when it is not (a theme change), its result is most likely stored."""
        if self.redlines.store.folder is None or self.bodies.folder is None:
            return []
        out = []
        for number, page in enumerate(self.plan.planned(slug)):
            if page.output in previous:
                continue
            if page.kind == PageKind.COMPARE:
                if self.redlines.stored(self._pair(page)):
                    continue
            elif page.kind != PageKind.VERSION or self.bodies.has(self.text_key(page)):
                continue
            out.append((number, text_size(page)))
        return out

    def prepare(self, slug: str, numbers: Iterable[int]) -> None:
        """Compute and store the results of those of the policy's pages (before any
        shell exists: ``writers``); a redline that fails is left for writing to report."""
        planned = self.plan.planned(slug)
        for number in numbers:
            page = planned[number]
            if page.kind == PageKind.COMPARE:
                try:
                    self.redline(page)
                except RedlineError:
                    continue
            else:
                self.version_text(page)

    def version_text(self, page: ArchivePage) -> dict[str, Any]:
        """A version's sections as HTML (links resolved for its page) and the hash of its
        rendered text: from the store, else rendered (each distinct section once)."""
        assert page.version is not None
        written_at = pages.page_path(page.history)
        key = self.text_key(page)
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

    def text_key(self, page: ArchivePage) -> str:
        assert page.version is not None
        k = self.keys
        return digest("text", k.text_code, k.renderer, k.files, pages.page_path(page.history),
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

    def redline_words(self, history: PolicyHistory, old: Revision, new: Revision
                      ) -> tuple[int, int]:
        """The words added and removed from one version to the next, as their redline
        page counts them."""
        return self.redlines.words(self.redlines.want(
            self._pair(ArchivePage(history, PageKind.COMPARE, new, old))))

    def live_keys(self) -> tuple[set[str], set[str]]:
        """The store's keys of every result the archive shows, redlines' and versions'
        texts', whether this build computed, read or kept them: what a later build of
        the same history may want (``ResultStore.prune`` keeps them)."""
        redlines: set[str] = set()
        texts: set[str] = set()
        for slug in self.plan.slugs():
            for page in self.plan.planned(slug):
                if page.kind == PageKind.COMPARE:
                    self._pair(page)
                elif page.kind == PageKind.VERSION:
                    texts.add(self.text_key(page))
        for pair in self._pairs.values():  # the pages', and the feeds' (words, entries)
            redlines.update(self.redlines.keys(pair))
        return redlines, texts

    def _pair(self, page: ArchivePage) -> Pair:
        assert page.old is not None and page.version is not None
        which = (*_pair_id_of(page.old, page.version), page.url)
        pair = self._pairs.get(which)
        if pair is None:
            pair = self._pairs[which] = self._new_pair(page)
        return pair

    def _new_pair(self, page: ArchivePage) -> Pair:
        old, new = page.old, page.version
        assert old is not None and new is not None
        written_at = pages.page_path(page.history)
        k = self.keys
        base = _page_of_text(page)
        full_text = None
        if base is not None:
            texts = (base.source_key, new.source_key)
            sections = self._sections.get(texts)
            if sections is None:
                sections = self._sections[texts] = _sections(base, new)
            full_text = (_full_text_url(page, base), sections)
        # an editorial revision's folds name its version's page: that text is in the key
        key = digest("redline", k.redline_code, k.renderer, k.files, written_at, page.url,
                     old.source_key, new.source_key, full_text[0] if full_text else "",
                     base.source_key if base is not None and base is not new else "")
        return Pair(key, lambda: old.text.markdown, lambda: new.text.markdown, written_at,
                    page.url, feed=_pair_id_of(old, new) in self._feed_pairs,
                    full_text=full_text)


def _page_of_text(page: ArchivePage) -> Revision | None:
    """The version whose page a redline's folds name: the new revision itself, or for an
    editorial revision (which has no page of its text) the version it corrects, where what
    the corrections left alone reads the same. None where the two have other sections, or
    no version comes before the revision."""
    new = page.version
    assert new is not None
    base = new if new.version_id else pages.edition_of(page.history, new)
    if base is None or [s.key for s in base.text.sections] != [s.key for s in new.text.sections]:
        return None
    return base


def _full_text_url(page: ArchivePage, base: Revision) -> str:
    """The URL of ``base``'s page, relative to the redline page."""
    return posixpath.relpath(ArchivePage(page.history, PageKind.VERSION, base).url,
                             page.url) + "/"


def _sections(base: Revision, new: Revision) -> Sections:
    """The sections of ``base``'s page against ``new``'s (see ``redline_store.Sections``)."""

    def sections() -> list[tuple[str, str, str, str | None]]:
        shown = base.text.standalone_sections()
        own = shown if base is new else new.text.standalone_sections()
        return [(section.key, section.markdown, on_page, None if on_page == source else source)
                for section, source, on_page in zip(new.text.sections, own, shown, strict=True)]

    return sections


def _pair_id_of(old: Revision, new: Revision) -> tuple[str, str, str]:
    return new.slug, old.commit.sha, new.commit.sha


def text_size(page: ArchivePage) -> int:
    """How long the texts a page shows are (roughly what rendering it costs)."""
    return sum(len(section.markdown) for revision in (page.version, page.old)
               if revision is not None for section in revision.text.sections)


def digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


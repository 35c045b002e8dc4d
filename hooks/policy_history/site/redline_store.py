"""Redlines for the site's pages and feeds: each pair of texts diffed once, kept on disk
under a key of its content (on a cold build, by the processes writing the archive on
every core: ``writers``).

A redline depends only on the two texts, how Markdown is rendered, where its links point
(the site's files and the page's address) and this code: its key is a hash of all of that.
Results are kept in packs in ``.cache/policy-history/redlines/`` (``store.results``); each
is checked against its own checksum when read, so a damaged entry is computed again, never
shown.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from policy_history.redline import diff_documents, render_inline
from policy_history.redline.folds import NewSections
from policy_history.redline.views import fill_full_text
from policy_history.store.results import ResultStore

#: pages' sections kept for the folds (``Redlines._page_sections``)
NEW_SECTIONS_KEPT = 8

#: what gives the sections of the page a redline folds into: each section's key, the new
#: revision's Markdown, the Markdown the page renders there, and the new revision's where
#: that differs (None where it is the same)
Sections = Callable[[], Sequence[tuple[str, str, str, str | None]]]


@dataclass(frozen=True)
class Pair:
    """One redline to compute: the two texts, and the page whose links it resolves for."""

    key: str
    old_markdown: Callable[[], str]
    new_markdown: Callable[[], str]
    written_at: str  # the policy page's src_uri: where its relative links were written
    shown_at: str  # the redline page's URL: its links are made relative to it
    #: a feed entry shows it: its changes-only view is made too (most pairs have none)
    feed: bool = False
    #: the page the folds name (its URL relative to the redline page) and what gives its
    #: sections: the page then folds what did not change, with links there
    full_text: tuple[str, Sections] | None = None


class RecentDiffs:
    """The last few redlines computed, before their links are resolved, by their two
    texts: a history that goes back and forth between two texts (a scraped archive whose
    rendering flips, a change made and undone and made again) has the same pair again a
    few versions on, on another page, whose links differ. A cold build of
    ota-pga-versions takes 472 of its 5,112 redlines from here."""

    SIZE = 8

    def __init__(self) -> None:
        self._values: OrderedDict[tuple[str, str, NewSections | None], dict[str, Any]] = \
            OrderedDict()

    def get(self, old_markdown: str, new_markdown: str, feed: bool,
            sections: NewSections | None = None) -> dict[str, Any] | None:
        value = self._values.get((old_markdown, new_markdown, sections))
        if value is None or (feed and "feed" not in value):
            return None
        self._values.move_to_end((old_markdown, new_markdown, sections))
        return value

    def put(self, old_markdown: str, new_markdown: str, value: dict[str, Any],
            sections: NewSections | None = None) -> None:
        self._values[(old_markdown, new_markdown, sections)] = value
        self._values.move_to_end((old_markdown, new_markdown, sections))
        if len(self._values) > self.SIZE:
            self._values.popitem(last=False)


def compute(old_markdown: str, new_markdown: str, *, render: Callable[[str], str],
            links: Callable[[str], str], feed: bool = False, together: bool = False,
            recent: RecentDiffs | None = None,
            full_text: tuple[str, NewSections] | None = None) -> dict[str, Any]:
    """The inline view of the redline for its page, counts, and (``feed``) the
    changes-only view for feed entries.

    ``full_text``: the new version's page (its URL, relative to the redline page) and its
    sections; the inline view then holds the changes and folds the rest, each fold a link
    to its place there (``redline.folds``).

    The page's side-by-side view is built from the inline one in the browser
    (``policy-history.js``): shipped too, it was over half of every redline page.
    ``together``: see ``diff_documents``; ``recent``: where the same two texts may have
    been diffed already (only the links are then resolved)."""
    sections = full_text[1] if full_text is not None else None
    value = recent.get(old_markdown, new_markdown, feed, sections) if recent is not None \
        else None
    if value is None:
        value = _unlinked(old_markdown, new_markdown, render=render, feed=feed,
                          together=together, sections=sections)
        if recent is not None:
            recent.put(old_markdown, new_markdown, value, sections)
    inline = links(value["inline"])
    if full_text is not None:
        inline = fill_full_text(inline, full_text[0])
    linked = {**value, "inline": inline,
              "sections_changed": list(value["sections_changed"])}
    if not feed:
        linked.pop("feed", None)
    return linked


def _unlinked(old_markdown: str, new_markdown: str, *, render: Callable[[str], str],
              feed: bool, together: bool, sections: NewSections | None) -> dict[str, Any]:
    changes = diff_documents(old_markdown, new_markdown, render=render, anchor_prefix="r",
                             together=together)
    stats = changes.stats
    value: dict[str, Any] = {
        "inline": str(render_inline(changes, full_text=sections)),
        "empty": changes.is_empty,
        "words_added": stats.words_added,
        "words_removed": stats.words_removed,
        "blocks_changed": stats.blocks_changed,
        "sections_changed": list(stats.sections_changed),
    }
    if feed:
        value["feed"] = str(render_inline(changes, changes_only=True))
    return value


def _counts(value: dict[str, Any]) -> tuple[int, int]:
    return int(value["words_added"]), int(value["words_removed"])


def _feed_key(key: str) -> str:
    """Where the changes-only view is kept apart: feeds read it without the whole page."""
    return hashlib.sha256(f"{key}\0feed".encode()).hexdigest()


def _put(store: ResultStore, key: str, value: dict[str, Any]) -> None:
    if "feed" in value:
        store.put(_feed_key(key), {"feed": value.pop("feed")})
    store.put(key, value)


class Redlines:
    """The redlines a build needs: from the store, else computed (and stored)."""

    def __init__(self, store: ResultStore, render: Callable[[str], str],
                 links: Callable[[str, str], Callable[[str], str]], *,
                 together: bool = False, computed: set[str] | None = None) -> None:
        """``computed``: where the keys of the redlines computed are kept (the build's)."""
        self.store = store
        self.render = render
        self.together = together
        self.links = links
        self.pairs: dict[str, Pair] = {}
        # keys computed in this build (by this process)
        self.computed: set[str] = set() if computed is None else computed
        self.recent = RecentDiffs()
        self._sections: dict[str, str] = {}  # a section's HTML, by its Markdown
        #: the pages' sections the folds read, by the pairs' function that gives them
        #: (``Pair.full_text``): every older version's redline against the current one
        #: reads the current version's page
        self._new_sections: OrderedDict[Sections, NewSections] = OrderedDict()
        #: (words added, removed) of the redlines this process has read or computed: what
        #: versions.json needs of the redlines its policy's pages just showed
        self._words: dict[str, tuple[int, int]] = {}

    def _page_sections(self, sections: Sections) -> NewSections:
        """The sections a redline folds into, read once for the redlines that share them
        (a few kept: a policy's pages are written one after another)."""
        found = self._new_sections.get(sections)
        if found is None:
            found = self._new_sections[sections] = NewSections.of([
                (key, markdown, self._html(shown), None if own is None else self._html(own))
                for key, markdown, shown, own in sections()])
            if len(self._new_sections) > NEW_SECTIONS_KEPT:
                self._new_sections.popitem(last=False)
        else:
            self._new_sections.move_to_end(sections)
        return found

    def _html(self, markdown: str) -> str:
        """A section rendered as its version page shows it (without resolved links)."""
        html = self._sections.get(markdown)
        if html is None:
            if len(self._sections) > 4096:
                self._sections.clear()
            html = self._sections[markdown] = self.render(markdown)
        return html

    def want(self, pair: Pair) -> str:
        """Make ``pair`` known (``get`` and ``feed`` take its key); its key."""
        known = self.pairs.setdefault(pair.key, pair)
        if pair.feed and not known.feed:
            self.pairs[pair.key] = pair
        return pair.key

    def keys(self, pair: Pair) -> list[str]:
        """The store's keys of a pair's results: its redline's, and its feed view's."""
        wanted = self.pairs.get(pair.key, pair)
        return [pair.key, _feed_key(pair.key)] if pair.feed or wanted.feed else [pair.key]

    def stored(self, pair: Pair) -> bool:
        """Whether ``get`` would find the pair's redline (and its feed view) stored."""
        return self.store.has(pair.key) and (not pair.feed or self.store.has(_feed_key(pair.key)))

    def feed(self, key: str) -> str:
        """The changes-only view of a pair's redline (for feed entries)."""
        value = self.store.get(_feed_key(key))
        if value is None:  # not asked for in advance (or damaged): computed now
            self.pairs[key] = replace(self.pairs[key], feed=True)
            value = self.get(key, again=True)
            if "feed" not in value:
                value = self.store.get(_feed_key(key))
        assert value is not None
        return str(value["feed"])

    def words(self, key: str) -> tuple[int, int]:
        """A wanted pair's words added and removed."""
        found = self._words.get(key)
        return found if found is not None else _counts(self.get(key))

    def get(self, key: str, *, again: bool = False) -> dict[str, Any]:
        """The redline of a wanted pair (``again``: recomputed whatever the store holds,
        or if its feed view is wanted and missing)."""
        pair = self.pairs[key]
        value = None if again else self.store.get(key)
        if value is not None and pair.feed and not self.store.has(_feed_key(key)):
            value = None
        if value is None:
            full_text = None
            if pair.full_text is not None:
                url, sections = pair.full_text
                full_text = (url, self._page_sections(sections))
            value = compute(pair.old_markdown(), pair.new_markdown(), render=self.render,
                            links=self.links(pair.written_at, pair.shown_at), feed=pair.feed,
                            together=self.together, recent=self.recent,
                            full_text=full_text)
            whole = dict(value)
            _put(self.store, key, value)
            if self.store.folder is None:  # kept in memory: keep the caller's copy whole
                value = whole
            self.computed.add(key)
        self._words[key] = _counts(value)
        return value


"""Redlines for the site's pages and feeds: each pair of texts diffed once, kept on disk
under a key of its content, and on a cold build diffed on every core.

A redline depends only on the two texts, how Markdown is rendered, where its links point
(the site's files and the page's address) and this code: its key is a hash of all of that.
Results are files in ``.cache/policy-history/redlines/``; each is checked against its own
checksum when read, so a damaged entry is computed again, never shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from policykit.redline import diff_documents, render_inline
from policykit.results import ResultStore
from policykit.site.workers import forked_pool


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


def compute(old_markdown: str, new_markdown: str, *, render: Callable[[str], str],
            links: Callable[[str], str], feed: bool = False) -> dict[str, Any]:
    """The inline view of the redline for its page, counts, and (``feed``) the
    changes-only view for feed entries.

    The page's side-by-side view is built from the inline one in the browser
    (``policy-history.js``): shipped too, it was over half of every redline page."""
    changes = diff_documents(old_markdown, new_markdown, render=render, anchor_prefix="r")
    stats = changes.stats
    value: dict[str, Any] = {
        "inline": links(str(render_inline(changes))),
        "empty": changes.is_empty,
        "words_added": stats.words_added,
        "words_removed": stats.words_removed,
        "blocks_changed": stats.blocks_changed,
        "sections_changed": list(stats.sections_changed),
    }
    if feed:
        value["feed"] = str(render_inline(changes, changes_only=True))
    return value


#: What a worker process computes with: set before the workers are forked, so they share
#: the loaded history without it being copied through a pipe.
_WORK: dict[str, Any] = {}


def _feed_key(key: str) -> str:
    """Where the changes-only view is kept apart: feeds read it without the whole page."""
    return hashlib.sha256(f"{key}\0feed".encode()).hexdigest()


def _put(store: ResultStore, key: str, value: dict[str, Any]) -> None:
    if "feed" in value:
        store.put(_feed_key(key), {"feed": value.pop("feed")})
    store.put(key, value)


def _work(keys: list[str]) -> dict[str, str]:
    """Compute a run of redlines (one policy's, in order: its blocks are rendered once);
    what went wrong, by key."""
    problems = {}
    for key in keys:
        pair: Pair = _WORK["pairs"][key]
        try:
            _put(_WORK["store"], key, compute(
                pair.old_markdown(), pair.new_markdown(), render=_WORK["render"],
                links=_WORK["links"](pair.written_at, pair.shown_at), feed=pair.feed))
        except Exception as error:  # reported by the parent, with the pair's page
            problems[key] = f"{type(error).__name__}: {error}"
    return problems


class Redlines:
    """The redlines a build needs: from the store, else computed (in parallel if many)."""

    #: fewer missing redlines than this are computed in the build's own process
    PARALLEL_FROM = 24
    #: redlines a worker computes in a row: one policy's consecutive versions share most of
    #: their blocks, rendered once per worker
    RUN = 48

    def __init__(self, store: ResultStore, render: Callable[[str], str],
                 links: Callable[[str, str], Callable[[str], str]], *, workers: int
                 ) -> None:
        """``workers``: processes to compute missing redlines in (1: none, in this one)."""
        self.store = store
        self.render = render
        self.links = links
        self.workers = workers
        self.pairs: dict[str, Pair] = {}
        self._futures: dict[str, Future[dict[str, str]]] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._computed: set[str] = set()  # keys computed in this build, here or by a worker

    def want(self, pairs: Iterable[Pair]) -> None:
        """Start computing the missing ones, in the order given (the order pages are
        needed), on the other cores while the build goes on."""
        missing = []
        for pair in pairs:
            self.pairs.setdefault(pair.key, pair)
            if pair.feed:
                self.pairs[pair.key] = pair
            if not self.store.has(pair.key) or (
                    pair.feed and not self.store.has(_feed_key(pair.key))):
                missing.append(pair.key)
        # Workers hand results over through the on-disk store.
        if len(missing) < self.PARALLEL_FROM or self.store.folder is None:
            return
        _WORK.update(pairs=self.pairs, store=self.store, render=self.render, links=self.links)
        self._pool = forked_pool(self.workers)
        if self._pool is None:
            return
        run: list[str] = []
        for key in dict.fromkeys(missing):
            if run and (len(run) >= self.RUN or
                        self.pairs[run[-1]].written_at != self.pairs[key].written_at):
                self._submit(run)
                run = []
            run.append(key)
        if run:
            self._submit(run)

    def _submit(self, keys: list[str]) -> None:
        assert self._pool is not None
        future = self._pool.submit(_work, keys)
        for key in keys:
            self._futures[key] = future

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

    def get(self, key: str, *, again: bool = False) -> dict[str, Any]:
        """The redline of a wanted pair (``again``: recomputed whatever the store holds);
        raises RuntimeError if it cannot be computed."""
        future = self._futures.pop(key, None)
        # Not started by a worker yet: computed here rather than waited for (the rest of
        # its run too, as each is asked for).
        if future is not None and not future.cancel():
            problem = future.result().get(key)
            if problem is not None:
                raise RuntimeError(problem)
            self._computed.add(key)
        value = None if again else self.store.get(key)
        if value is None:
            pair = self.pairs[key]
            value = compute(pair.old_markdown(), pair.new_markdown(), render=self.render,
                            links=self.links(pair.written_at, pair.shown_at), feed=pair.feed)
            whole = dict(value)
            _put(self.store, key, value)
            if self.store.folder is None:  # kept in memory: keep the caller's copy whole
                value = whole
            self._computed.add(key)
        return value

    @property
    def computed(self) -> int:
        return len(self._computed)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._futures.clear()
        _WORK.clear()

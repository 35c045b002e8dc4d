"""The files that follow a policy's changes: its ``feed.xml``, ``feed.json`` and
``versions.json`` (docs/feeds.md), and the site's feeds.

A policy's are written right after its archive pages, by the process that wrote those:
its versions' text hashes and its redlines are at hand there, and the policies' files are
made on every core. The site's feeds are made once every policy's are, from the entries'
content the policies' feeds made (``ArchiveResults.feed_contents``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from policy_history import feeds, manifest
from policy_history.change_stats import ChangeStats, StatsOf, change_stats
from policy_history.model.timeline import PolicyHistory, Revision
from policy_history.site import following
from policy_history.site.archive_content import ArchiveContent
from policy_history.site.archive_plan import ArchivePlan
from policy_history.site.archive_results import ArchiveResults
from policy_history.site.languages import language_name
from policy_history.site.pages import VersionOrder


class Archive(Protocol):
    """What the feeds need of the archive (site.archive.Archive, which calls this module:
    a protocol rather than an import keeps the two modules out of a cycle)."""

    @property
    def plan(self) -> ArchivePlan: ...
    @property
    def content(self) -> ArchiveContent: ...
    @property
    def results(self) -> ArchiveResults: ...
    def order(self, history: PolicyHistory) -> VersionOrder: ...
    def changes_url(self, history: PolicyHistory, version: Revision) -> str: ...
    def following_key(self, history: PolicyHistory, settings: str) -> str: ...


@dataclass(frozen=True)
class FeedOptions:
    """What the feeds of a build show besides the histories."""

    site_dir: Path
    site_url: str
    site_name: str
    author: str
    as_of: dt.datetime
    entries: int  # the newest entries a feed holds (0: all)
    editorial: bool  # editorial revisions get entries too
    takes_effect: bool  # a version taking effect gets an entry of its own

    @property
    def key(self) -> str:
        """What of these a policy's files depend on besides its history."""
        return repr((self.entries, self.editorial, self.takes_effect, self.site_url,
                     self.author))


def _entries(history: PolicyHistory, options: FeedOptions,
             redline: Callable[[PolicyHistory, Revision], str] | None = None
             ) -> tuple[feeds.Addresses, list[feeds.FeedEntry]]:
    """A policy's addresses and feed entries (``redline``: a version's redline page)."""
    urls = following.addresses(history, options.site_url, redline=redline)
    return urls, feeds.policy_entries(history, urls, as_of=options.as_of,
                                      editorial=options.editorial,
                                      takes_effect=options.takes_effect)


def _stats(archive: Archive, history: PolicyHistory) -> StatsOf:
    """Each version's changes against the one before it (its "What changed" page)."""
    order = archive.order(history)
    found: dict[int, ChangeStats | None] = {}

    def of(version: Revision) -> ChangeStats | None:
        index = order.index(version)
        if index not in found:
            previous = order.versions[index - 1] if index > 0 else None
            found[index] = None if previous is None else change_stats(
                previous, version, archive.content.redline_words(history, previous, version))
        return found[index]

    return of


def shown_redlines(policies: Iterable[PolicyHistory], options: FeedOptions
                   ) -> list[tuple[Revision, Revision]]:
    """The (old, new) versions whose redlines the feeds show, as ``write_policy_files``
    picks its entries (the site's feed shows some of the same)."""
    return [pair for history in policies for pair in feeds.redline_pairs(
        feeds.newest_first(_entries(history, options)[1], options.entries))]


def _redline(archive: Archive) -> feeds.RedlineHtml:
    """The redline of a version against the one before it, as HTML for feed entries; a
    feed without it beats no site at all (a warning says why, ``ArchiveResults.warnings``)."""
    def redline(old: Revision, new: Revision) -> str | None:
        try:
            return archive.content.feed_redline(archive.plan.history(new.slug), old, new)
        except Exception as error:
            archive.results.warnings.append(f"feeds: no redline for '{new.slug}' at commit "
                                    f"{new.commit.sha[:10]}: {error}")
            return None

    return redline


def write_policy_files(archive: Archive, history: PolicyHistory, options: FeedOptions
                       ) -> None:
    """A policy's feeds and versions.json, once its archive pages are written: kept in the
    result store while its history and the options stay the same."""
    stats = _stats(archive, history)
    urls, entries = _entries(history, options, archive.changes_url)
    key = archive.following_key(history, options.key)
    written = archive.content.bodies.get(key)
    if written is None:
        written = _policy_files(archive, history, urls, entries, options, stats)
        if written.get("manifest") is not None:
            archive.content.bodies.put(key, written)
    paths = following.feed_paths(history)
    for name in ("atom", "json", "manifest"):
        if written.get(name) is not None:
            _write(options.site_dir, paths[name], written[name].encode("utf-8"))


def _policy_files(archive: Archive, history: PolicyHistory, urls: feeds.Addresses,
                  entries: list[feeds.FeedEntry], options: FeedOptions, stats: StatsOf
                  ) -> dict[str, Any]:
    """A policy's feed.xml, feed.json and versions.json (None: a version's page was not
    built, as under ``mkdocs serve --dirty``), as text."""
    title = history.text.title
    feed = feeds.Feed(
        id=urls.atom, title=f"{title}: changes",
        description=f"Each new version of “{title}”: its summary, dates and what changed.",
        home_url=urls.history, atom_url=urls.atom, json_url=urls.json, author=options.author,
        entries=tuple(feeds.with_content(feeds.newest_first(entries, options.entries),
                                         _redline(archive), archive.results.feed_contents,
                                         stats)),
        fallback_updated=history.latest.commit.committed, language=history.language or "en")
    written: dict[str, Any] = {"atom": feeds.atom(feed).decode("utf-8"),
                               "json": feeds.json_feed(feed).decode("utf-8"), "manifest": None}
    hashes: dict[str, str] = {}
    sources: dict[str, str] = {}
    for version in history.versions:
        number = version.version_id
        if number is None:
            return written
        text_hash = archive.results.text_sha256.get((history.slug, number))
        source_hash = archive.results.source_sha256.get((history.slug, number))
        if text_hash is None or source_hash is None:
            return written
        hashes[number], sources[number] = text_hash, source_hash
    renderer = archive.content.renderer

    def edition_hash(revision: Revision) -> str:
        return manifest.text_sha256(revision.text.standalone_sections(), renderer.visible)

    written["manifest"] = manifest.dumps(manifest.manifest(
        history, urls, hashes, sources, edition_hash=edition_hash,
        stats=stats)).decode("utf-8")
    return written


def write_site_feeds(archive: Archive, policies: Iterable[PolicyHistory],
                     options: FeedOptions) -> None:
    """The site's feeds: the newest entries of every policy in its own language; and for
    each language of translations, of its translations (following.site_feed_paths)."""
    groups: dict[str, list[PolicyHistory]] = {"": []}  # the site's, even with no policy
    for history in policies:
        groups.setdefault(following.feed_language(history), []).append(history)
    stats_of: dict[str, StatsOf] = {}  # each policy's, as its entries are shown
    for language, histories in groups.items():
        every: list[feeds.FeedEntry] = []
        for history in histories:
            every += _entries(history, options, archive.changes_url)[1]
            stats_of[history.slug] = _stats(archive, history)
        paths = following.site_feed_paths(language)
        title, description = f"{options.site_name}: policy changes", \
            f"Each new version of the policies of {options.site_name}."
        if language:
            links = histories[0].translation
            source = links.source_language if links else "en"
            title += f" ({language_name(language, language)})"
            description = (f"Each new version of the {language_name(language, source)} "
                           f"translations of the policies of {options.site_name}.")
        site_feed = feeds.Feed(
            id=following.absolute(options.site_url, paths["atom"]),
            title=title, description=description,
            home_url=following.absolute(options.site_url, ""),
            atom_url=following.absolute(options.site_url, paths["atom"]),
            json_url=following.absolute(options.site_url, paths["json"]),
            author=options.author,
            entries=tuple(feeds.with_content(
                feeds.newest_first(every, options.entries), _redline(archive),
                archive.results.feed_contents,
                lambda version: stats_of[version.slug](version))),
            fallback_updated=max((h.latest.commit.committed for h in histories),
                                 default=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)),
            language=language or (histories[0].language if histories else "") or "en")
        _write(options.site_dir, paths["atom"], feeds.atom(site_feed))
        _write(options.site_dir, paths["json"], feeds.json_feed(site_feed))


def _write(site_dir: Path, path: str, data: bytes) -> None:
    target = site_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)

"""Following changes on the site: feed and manifest addresses, the "recent change" notice,
and the sitemap's ``lastmod`` of policy pages (docs/feeds.md).

Plain data in, plain data out (``page_data``), like ``pages``; the files are written by
the hook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from policy_history.feeds import Addresses
from policy_history.model.timeline import PolicyHistory, Revision
from policy_history.site.languages import dated
from policy_history.site.page_data import Feeds, Following, PageKind, RecentChange
from policy_history.site.pages import (
    base_path,
    history_url,
    page_url,
    since_url,
    version_url,
)

#: the site-wide feeds, relative to the site root
SITE_FEEDS = {"atom": "feed.xml", "json": "feed.json"}


def feed_language(history: PolicyHistory) -> str:
    """Which of the site's feeds has a policy's changes: "" for the site's own (the
    policies in the source language), a translation's language for the others."""
    return history.language if history.translation is not None else ""


def site_feed_paths(language: str = "") -> dict[str, str]:
    """The site's feeds: ``feed.xml``, and each translation language's under its tag
    (``de/feed.xml``)."""
    return {kind: f"{language}/{name}" if language else name
            for kind, name in SITE_FEEDS.items()}


def feed_paths(history: PolicyHistory) -> dict[str, str]:
    """A policy's feeds and manifest, relative to the site root."""
    base = base_path(history)
    return {"atom": f"{base}/feed.xml", "json": f"{base}/feed.json",
            "manifest": f"{base}/versions.json"}


def source_path(history: PolicyHistory, version: Revision) -> str:
    """Where a version's source Markdown (the bytes of ``sha256.source``) is published."""
    return f"{base_path(history)}/versions/{version.version_id}/source.md"


def absolute(site_url: str, path: str) -> str:
    """A site-relative path as an absolute URL under ``site_url`` (which may have a path)."""
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def addresses(history: PolicyHistory, site_url: str,
              redline: Callable[[PolicyHistory, Revision], str] | None = None) -> Addresses:
    """Absolute addresses of a policy's pages. ``redline(history, version)``: the
    site-relative address of a version's redline page, once the site has them."""
    paths = feed_paths(history)
    return Addresses(
        current=absolute(site_url, page_url(history)),
        history=absolute(site_url, history_url(history)),
        atom=absolute(site_url, paths["atom"]),
        json=absolute(site_url, paths["json"]),
        manifest=absolute(site_url, paths["manifest"]),
        version=lambda version: absolute(site_url, version_url(history, version)),
        source=lambda version: absolute(site_url, source_path(history, version)),
        redline=(lambda version: absolute(site_url, redline(history, version))) if redline
        else (lambda version: None),
        site=lambda path: absolute(site_url, path),
        since=lambda version: absolute(site_url, since_url(history, version)),
    )


def _today(as_of: dt.datetime) -> dt.date:
    return as_of.astimezone(dt.timezone.utc).date()


def recent_change(history: PolicyHistory, as_of: dt.datetime, days: int
                  ) -> RecentChange | None:
    """The notice on the current page for ``days`` days after the version in force took
    effect (counted from the "as of" day, never the clock); none for the first version."""
    current = history.current
    if current is None or not days or current is history.versions[0]:
        return None
    assert current.effective is not None
    age = (_today(as_of) - current.effective).days
    if not 0 <= age < days:
        return None
    versions = history.versions
    previous = versions[versions.index(current) - 1]
    return RecentChange(
        id=current.version_id,
        effective=dated(history, current.effective),
        summary=current.summary,
        url=version_url(history, current),
        history_url=history_url(history),
        previous_url=version_url(history, previous),
        until=dated(history, current.effective + dt.timedelta(days=days - 1)),
    )


def follow_meta(history: PolicyHistory, *, as_of: dt.datetime, feeds: bool,
                recent_days: int) -> Following:
    """What every page of a policy shows of its feeds and recent change: the fields
    ``PolicyPage.follow`` fills in (docs/reference.md)."""
    return Following(
        feeds=Feeds(**feed_paths(history),
                    **{f"site_{kind}": path for kind, path in
                       site_feed_paths(feed_language(history)).items()})
        if feeds else None,
        recent_change=recent_change(history, as_of, recent_days),
    )


def lastmod(history: PolicyHistory, kind: PageKind, version: Revision | None,
            as_of: dt.datetime) -> str:
    """The sitemap's ``lastmod`` of a policy page: the last day its content changed by the
    history, never the build's date. Current page: the version in force took effect, or
    a later revision was published (an editorial fix, an upcoming version's banner).
    History page: the latest revision or the version in force, whichever is later.
    Version page: published, took effect, or was superseded by the version in force.
    Redline page: the newer version was published, or took effect as the current one."""
    current = history.current
    if kind == PageKind.VERSION and version is not None:
        assert version.effective is not None
        days = [version.published]
        if version.effective <= _today(as_of):
            days.append(version.effective)
        if current is not None and current is not version and version not in history.upcoming:
            assert current.effective is not None
            days.append(current.effective)
    elif kind == PageKind.COMPARE and version is not None:
        # a redline never changes once both versions exist; only its "(the current
        # version)" label appears when the newer one takes effect
        days = [version.published]
        if version is current:
            assert version.effective is not None
            days.append(version.effective)
        return max(days).isoformat()
    elif kind == PageKind.HISTORY:
        days = [history.latest.published]
    else:
        start = history.position(current) if current is not None else 0
        days = [revision.published for revision in history.revisions[start:]]
    if current is not None and kind != PageKind.VERSION:
        assert current.effective is not None
        days.append(current.effective)
    return max(days).isoformat()


@dataclass(frozen=True)
class FollowOptions:
    """How a build's pages follow changes: its "as of" moment, feeds on or off, how long
    a change counts as recent."""

    as_of: dt.datetime
    feeds: bool
    recent_days: int

    def meta(self, history: PolicyHistory) -> Following:
        """What every page of a policy shows of its feeds and recent changes."""
        return follow_meta(history, as_of=self.as_of, feeds=self.feeds,
                           recent_days=self.recent_days)

    def lastmod(self, history: PolicyHistory, kind: PageKind, version: Revision | None
                ) -> str:
        return lastmod(history, kind, version, self.as_of)

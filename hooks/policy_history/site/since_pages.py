"""The "since" addresses: ``/<slug>/since/<id>/`` for every version, which always show
what changed from that version to the one in force as of the build. A product emails
its users one of them when they accepted that version, and the link keeps meaning "what
changed since you accepted" whatever comes next (docs/products.md).

Each is a small page of its own (``partials/policy-since.html``), not a themed page: an
archive has thousands of versions. A past version's redirects to its redline against the
version in force (``<meta http-equiv="refresh">``, with the link for browsers that do not
follow it), or links to the history when the site has no such redline page; the version
in force's says nothing has changed since; an upcoming one's says when it takes effect.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from mkdocs.utils import get_relative_url

from policy_history.model.timeline import PolicyHistory, Revision
from policy_history.site.languages import dated, direction
from policy_history.site.page_data import SincePage
from policy_history.site.pages import (
    base_path,
    compare_url,
    history_url,
    page_url,
    since_path,
    since_url,
    version_url,
)


def folder(history: PolicyHistory) -> str:
    """The site folder that holds only a policy's since pages."""
    return f"{base_path(history)}/since"


def _addressed(history: PolicyHistory) -> list[Revision]:
    """The versions that have a since page: all, once numbered and dated."""
    return [version for version in history.versions
            if version.version_id is not None and version.effective is not None]


def paths(history: PolicyHistory) -> list[str]:
    """The site-relative files of a policy's since pages."""
    return [since_path(history, version) for version in _addressed(history)]


def since_pages(history: PolicyHistory, compared: Collection[tuple[str, str]]
                ) -> Iterator[tuple[str, SincePage]]:
    """(site-relative file, page data) of each of a policy's versions; ``compared``: the
    (old id, new id) pairs with a redline page."""
    versions = history.versions
    current, upcoming = history.current, history.upcoming
    next_one = upcoming[0] if upcoming else None
    upcoming_url = None
    if next_one is not None:
        place = versions.index(next_one)
        if place > 0:
            before = versions[place - 1]
            upcoming_url = compare_url(history, before, next_one) \
                if (str(before.version_id), str(next_one.version_id)) in compared \
                else version_url(history, next_one)
        else:
            upcoming_url = version_url(history, next_one)
    for version in _addressed(history):
        assert version.effective is not None
        here = since_url(history, version)
        state = "current" if version is current else \
            "upcoming" if version in upcoming else "changed"
        target = None
        if state == "changed" and current is not None \
                and (version.version_id, str(current.version_id)) in compared:
            target = get_relative_url(compare_url(history, version, current), here)
        yield since_path(history, version), SincePage(
            state=state, title=version.text.title, language=history.language,
            direction=direction(history.language),
            since=dated(history, version.effective),
            current=dated(history, current.effective) if current else None,
            target=target,
            history_url=get_relative_url(history_url(history), here) + f"#v-{version.version_id}",
            current_url=get_relative_url(page_url(history) or "./", here),  # "": the root
            version_url=get_relative_url(version_url(history, version), here),
            upcoming=dated(history, next_one.effective) if next_one is not None and
            next_one is not version else None,
            upcoming_url=get_relative_url(upcoming_url, here) if upcoming_url and
            next_one is not version else None)

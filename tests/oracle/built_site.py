"""What a built site shows for each document: read from its HTML as a visitor would, with
nothing of the product but its output."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

_SOURCE = re.compile(r'\sdata-source="([^"]*)"')
_CURRENT_LINK = re.compile(r'<a href="([^"]*)">Current version</a>')
_HEADER = re.compile(r'<header class="policy-header">(.*?)</header>', re.S)
#: a <time> may carry more than its datetime (lang, on a translation's page)
_LAST_UPDATED = re.compile(r'<dt>Last updated</dt>\s*<dd><time datetime="([^"]+)"[^>]*>')
_VERSION_LIST = re.compile(r'<ol class="policy-versions"[^>]*>(.*?)</ol>', re.S)
_VERSION = re.compile(r'<li class="policy-version policy-version--(\w+)" id="v-([^"]+)">'
                      r'.*?<time datetime="([^"]+)"[^>]*>', re.S)


@dataclass(frozen=True)
class Pages:
    """A document's two pages: the current text and its version history."""

    current: Path
    history: Path


@dataclass(frozen=True)
class SiteVersion:
    id: str
    state: str  # past, current or upcoming
    effective: dt.date


@dataclass(frozen=True)
class Shown:
    """What the site shows for one document."""

    pages: Pages
    last_updated: dt.date | None
    versions: tuple[SiteVersion, ...]  # as the history page lists them, newest first


def policy_pages(site: Path) -> dict[str, Pages]:
    """Each source file's pages, found by the ``data-source`` of the current page's
    sections. The current page is the one the history page links to as "Current
    version" (archived versions carry ``data-source`` too, and the root document's
    current page is the site's home, away from its history/)."""
    found: dict[str, Pages] = {}
    for history in site.glob("**/history/index.html"):
        current = current_page_of(history)
        if current is None:
            continue
        for source in set(_SOURCE.findall(current.read_text("utf-8"))):
            found[html.unescape(source)] = Pages(current, history)
    return found


def current_page_of(history: Path) -> Path | None:
    link = _CURRENT_LINK.search(history.read_text("utf-8"))
    if link is None:
        return None
    href = unquote(html.unescape(link[1]))
    target = history.parent / href
    page = target / "index.html" if href.endswith("/") or target.is_dir() else target
    return page.resolve() if page.exists() else None


def slug(path: str) -> str:
    """docs/reference.md: a file policy ``<name>.md`` or ``<name>/index.md`` is published
    at ``/<name>/``, lower-cased, anything but letters and digits turned into ``-``."""
    name = path[: -len(".md")] if path.lower().endswith(".md") else path
    parts = name.split("/")
    if len(parts) > 1 and parts[-1] == "index":
        parts.pop()
    return "/".join("".join(c if c.isalnum() else "-" for c in part.lower()) for part in parts)


def pages_of(site: Path, known: dict[str, Pages], path: str) -> Pages | None:
    """The pages of the document at ``path``: by ``data-source``, else (a page without
    sections carries none) where the slug rule puts its history."""
    if path in known:
        return known[path]
    history = site / slug(path) / "history" / "index.html"
    current = current_page_of(history) if history.exists() else None
    return Pages(current, history) if current else None


def shown(pages: Pages) -> Shown:
    header = _HEADER.search(pages.current.read_text("utf-8"))
    if header is None:
        raise AssertionError(f"{pages.current} has no policy header")
    date = _LAST_UPDATED.search(header[1])
    listed = _VERSION_LIST.search(pages.history.read_text("utf-8"))
    if listed is None:
        raise AssertionError(f"{pages.history} lists no versions")
    versions = tuple(
        SiteVersion(id=version_id, state=state, effective=dt.date.fromisoformat(effective))
        for state, version_id, effective in _VERSION.findall(listed[1])
    )
    return Shown(pages=pages,
                 last_updated=dt.date.fromisoformat(date[1]) if date else None,
                 versions=versions)

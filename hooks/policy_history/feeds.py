"""Feeds of policy changes: Atom 1.0 (RFC 4287) and JSON Feed 1.1.

Pure: takes policy histories and absolute addresses, returns bytes. The same history and
"as of" day give the same bytes on every machine: no clock, no locale, no time zone of
the build machine (a commit's time keeps its committer's offset), stable ordering.

* One entry per **version**, when it is published (its commit), never again when it takes
  effect, unless ``takes_effect`` is on: then a version announced in advance gets a second
  entry on its effective day (00:00 UTC), once that day is reached.
* **Editorial** revisions notify only when ``editorial`` is on.
* Entry ids never change: the version's permanent address (``…/versions/<id>/``), plus a
  fragment for the other kinds of entry (``#takes-effect``, ``…/history/#commit-<sha>``).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from policy_history.change_stats import ChangeStats, StatsOf
from policy_history.model.dates import human_date
from policy_history.model.timeline import PolicyHistory, Revision

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "Policy History"

VERSION = "version"
TAKES_EFFECT = "takes-effect"
EDITORIAL = "editorial"

#: characters XML 1.0 does not allow (a policy's text may hold a stray form feed)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UTC = dt.timezone.utc


@dataclass(frozen=True)
class Addresses:
    """Absolute addresses of one policy's pages and files (built from ``site_url``)."""

    current: str
    history: str
    atom: str
    json: str
    manifest: str
    version: Callable[[Revision], str]
    source: Callable[[Revision], str]
    #: the redline page of a version against the one before it, once redline pages exist
    redline: Callable[[Revision], str | None] = lambda revision: None
    #: the absolute address of a site-relative one (another policy's pages)
    site: Callable[[str], str] = lambda path: path
    #: a version's "since" address: what changed from it to the version in force
    since: Callable[[Revision], str | None] = lambda revision: None


@dataclass(frozen=True)
class FeedEntry:
    id: str
    kind: str  # VERSION, TAKES_EFFECT or EDITORIAL
    slug: str
    policy_title: str
    title: str
    url: str  # the page to read (the version; the history entry for editorial revisions)
    history_url: str  # the entry of the version history
    redline_url: str | None
    published: dt.datetime  # aware
    effective: dt.date | None
    version_id: str | None
    summary: str
    commit: str
    revision: Revision = field(compare=False, repr=False)
    previous: Revision | None = field(compare=False, repr=False)
    content_html: str = ""
    #: a version's changes against the version before it, in numbers
    changes: ChangeStats | None = None

    @property
    def sort_key(self) -> tuple[dt.datetime, str, int, int]:
        rank = {EDITORIAL: 0, VERSION: 1, TAKES_EFFECT: 2}[self.kind]
        return (self.published.astimezone(_UTC), self.slug, self.revision.number, rank)


@dataclass(frozen=True)
class Feed:
    id: str  # the feed's own address
    title: str
    description: str
    home_url: str  # the page the feed is about
    atom_url: str
    json_url: str
    author: str
    entries: tuple[FeedEntry, ...]
    #: when the feed has no entries: the moment its policy (or the site) last changed
    fallback_updated: dt.datetime
    language: str = "en"  # of its entries' text, a BCP 47 tag

    @property
    def updated(self) -> dt.datetime:
        if not self.entries:
            return self.fallback_updated
        return max(self.entries, key=lambda entry: entry.sort_key).published


def summary_of(revision: Revision) -> str:
    """What a version's entry says changed (the history page's wording when undeclared)."""
    if revision.summary:
        return revision.summary
    if not revision.is_version:
        return revision.note or "Editorial revision: " + revision.commit.subject
    if revision.reason == "imported":
        return "No summary was declared: this version is dated by the commit that changed " \
               "the words."
    return "This change was not declared; it is dated by its commit."


def policy_entries(
    history: PolicyHistory,
    addresses: Addresses,
    *,
    as_of: dt.datetime,
    editorial: bool = False,
    takes_effect: bool = False,
) -> list[FeedEntry]:
    """Every entry of a policy's feed, newest first (without content: see ``with_content``)."""
    title = history.text.title
    today = as_of.astimezone(_UTC).date()
    entries: list[FeedEntry] = []
    previous_version: Revision | None = None
    previous_revision: Revision | None = None
    last_version: Revision | None = None
    for revision in history.revisions:
        if revision.is_version:
            assert revision.effective is not None and revision.version_id is not None
            history_url = f"{addresses.history}#v-{revision.version_id}"
            url = addresses.version(revision)
            effective_text = human_date(revision.effective)
            first = previous_version is None
            entries.append(FeedEntry(
                id=url,
                kind=VERSION,
                slug=history.slug,
                policy_title=title,
                title=f"{title}: {'first version' if first else 'new version'}, effective "
                      f"{effective_text}",
                url=url,
                history_url=history_url,
                redline_url=None if first else addresses.redline(revision),
                published=revision.commit.committed,
                effective=revision.effective,
                version_id=revision.version_id,
                summary=summary_of(revision),
                commit=revision.commit.sha,
                revision=revision,
                previous=previous_version,
            ))
            if takes_effect and revision.effective > revision.published \
                    and revision.effective <= today:
                start = dt.datetime.combine(revision.effective, dt.time(), _UTC)
                entries.append(replace(
                    entries[-1],
                    id=f"{url}#takes-effect",
                    kind=TAKES_EFFECT,
                    title=f"{title}: the version of {effective_text} is now in effect",
                    published=start,
                ))
            previous_version = last_version = revision
        elif editorial:
            anchor = f"#v-{last_version.version_id}" if last_version else ""
            entries.append(FeedEntry(
                id=f"{addresses.history}#commit-{revision.commit.sha}",
                kind=EDITORIAL,
                slug=history.slug,
                policy_title=title,
                title=f"{title}: editorial revision of {human_date(revision.published)}",
                url=f"{addresses.history}{anchor}",
                history_url=f"{addresses.history}{anchor}",
                redline_url=None,
                published=revision.commit.committed,
                effective=None,
                version_id=None,
                summary=summary_of(revision),
                commit=revision.commit.sha,
                revision=revision,
                previous=previous_revision,
            ))
        previous_revision = revision
    return newest_first(entries)


def newest_first(entries: Iterable[FeedEntry], limit: int = 0) -> list[FeedEntry]:
    """Entries by publication time (UTC), newest first; ``limit`` 0 keeps all of them."""
    ordered = sorted(entries, key=lambda entry: entry.sort_key, reverse=True)
    return ordered[:limit] if limit else ordered


RedlineHtml = Callable[[Revision, Revision], str | None]


def _shows_redline(entry: FeedEntry) -> bool:
    return entry.previous is not None and entry.kind != TAKES_EFFECT


def redline_pairs(entries: Iterable[FeedEntry]) -> list[tuple[Revision, Revision]]:
    """The (old, new) revisions whose redline ``with_content`` puts in these entries."""
    return [(entry.previous, entry.revision) for entry in entries
            if entry.previous is not None and _shows_redline(entry)]


def with_content(entries: Sequence[FeedEntry], redline: RedlineHtml | None,
                 cache: dict[str, str] | None = None, stats: StatsOf | None = None
                 ) -> list[FeedEntry]:
    """The entries with their HTML content: summary, dates, links, and the redline
    (``redline(old, new)``, HTML) from the revision before; a new version's with its
    changes in numbers (``stats``: asked for these entries only). ``cache`` is keyed by
    entry id."""
    cache = {} if cache is None else cache
    out = []
    for entry in entries:
        if stats is not None and entry.kind == VERSION and entry.previous is not None:
            entry = replace(entry, changes=stats(entry.revision))
        if entry.id not in cache:
            changes = None
            if redline is not None and entry.previous is not None and _shows_redline(entry):
                changes = redline(entry.previous, entry.revision)
            cache[entry.id] = entry_html(entry, changes)
        out.append(replace(entry, content_html=cache[entry.id]))
    return out


def entry_html(entry: FeedEntry, redline_html: str | None = None) -> str:
    """An entry's content: what changed, its dates, where to read it (all values escaped;
    ``redline_html`` is trusted markup from the redline engine)."""
    esc = html.escape
    parts = [f"<p>{esc(entry.summary)}</p>", "<ul>"]
    if entry.effective is not None:
        verb = "Took effect" if entry.kind == TAKES_EFFECT else "Effective"
        parts.append(f'<li>{verb}: <time datetime="{entry.effective.isoformat()}">'
                     f"{human_date(entry.effective)}</time></li>")
    published = entry.revision.published
    parts.append(f'<li>Published: <time datetime="{published.isoformat()}">'
                 f"{human_date(published)}</time></li>")
    if entry.changes is not None:
        parts.append(f"<li>Changes: {_counts(entry.changes)}</li>")
    parts.append("</ul>")
    links = []
    if entry.kind != EDITORIAL:
        links.append(f'<a href="{esc(entry.url)}">Read this version</a>')
    links.append(f'<a href="{esc(entry.history_url)}">See it in the version history</a>')
    if entry.redline_url:
        links.append(f'<a href="{esc(entry.redline_url)}">See what changed</a>')
    parts.append("<p>" + " · ".join(links) + "</p>")
    if redline_html:
        parts += ["<h2>What changed</h2>", redline_html.strip()]
    elif entry.previous is None and entry.kind == VERSION:
        parts.append("<p>This is the first version of this policy.</p>")
    return "\n".join(parts) + "\n"


def _counts(stats: ChangeStats) -> str:
    """"12 words added, 3 removed; sections changed: Cookies, Contact" (escaped)."""
    words = (f"{stats.words_added} word{'s' if stats.words_added != 1 else ''} added, "
             f"{stats.words_removed} removed")
    sections = [f"{kind}: " + ", ".join(html.escape(title) for title in titles)
                for kind, titles in (("sections added", stats.sections_added),
                                     ("sections changed", stats.sections_changed),
                                     ("sections removed", stats.sections_removed)) if titles]
    return "; ".join([words, *sections])


# -- Atom ---------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _rfc3339(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"a feed date needs a time zone: {moment!r}")
    return moment.isoformat(timespec="seconds")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = _clean(text)
    return element


def atom(feed: Feed) -> bytes:
    """The feed as Atom 1.0, UTF-8."""
    root = ET.Element("feed", {"xmlns": ATOM_NS,  # unprefixed: Atom is the default
                               f"{{{XML_NS}}}lang": feed.language})
    _sub(root, "id", feed.id)
    _sub(root, "title", feed.title)
    _sub(root, "subtitle", feed.description)
    _sub(root, "updated", _rfc3339(feed.updated))
    _sub(root, "link", rel="self", type="application/atom+xml", href=feed.atom_url)
    _sub(root, "link", rel="alternate", type="text/html", href=feed.home_url)
    _sub(root, "link", rel="alternate", type="application/feed+json", href=feed.json_url)
    author = _sub(root, "author")
    _sub(author, "name", feed.author)
    _sub(root, "generator", GENERATOR)
    for entry in feed.entries:
        item = _sub(root, "entry")
        _sub(item, "id", entry.id)
        _sub(item, "title", entry.title)
        _sub(item, "published", _rfc3339(entry.published))
        _sub(item, "updated", _rfc3339(entry.published))
        _sub(item, "link", rel="alternate", type="text/html", href=entry.url)
        if entry.history_url != entry.url:
            _sub(item, "link", rel="related", type="text/html", href=entry.history_url)
        if entry.redline_url:
            _sub(item, "link", rel="related", type="text/html", href=entry.redline_url)
        _sub(item, "category", term=entry.slug, label=entry.policy_title)
        _sub(item, "summary", entry.summary)
        content = _sub(item, "content", entry.content_html, type="html")
        content.set(f"{{{XML_NS}}}base", entry.url)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# -- JSON Feed ----------------------------------------------------------------------------


def json_feed(feed: Feed) -> bytes:
    """The feed as JSON Feed 1.1, UTF-8. Policy data is in the ``_policy_history``
    extension of each item (JSON Feed's convention for extensions)."""
    data = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "description": feed.description,
        "home_page_url": feed.home_url,
        "feed_url": feed.json_url,
        "language": feed.language,
        "authors": [{"name": feed.author}],
        "items": [
            {
                "id": entry.id,
                "url": entry.url,
                "title": entry.title,
                "summary": entry.summary,
                "content_html": entry.content_html,
                "date_published": _rfc3339(entry.published),
                "tags": [entry.slug],
                "_policy_history": {
                    "policy": entry.slug,
                    "kind": entry.kind,
                    "version": entry.version_id,
                    "effective": entry.effective.isoformat() if entry.effective else None,
                    "history_url": entry.history_url,
                    "redline_url": entry.redline_url,
                    "commit": entry.commit,
                    "changes": entry.changes.record() if entry.changes else None,
                },
            }
            for entry in feed.entries
        ],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

"""What the site layer publishes for a policy: the page's Markdown and its ``page.meta``.

Plain data in, plain data out (``page_data``: the typed ``page.meta.policy`` of each kind
of page); the markup is in ``theme/partials/policy-*.html``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import posixpath
import re
from collections.abc import Iterable
from typing import Any, TypedDict

import yaml

from policy_history.model.assemble import PolicyText
from policy_history.model.layout import ROOT_INDEX_SLUG
from policy_history.model.timeline import AUTOMATIC, PolicyHistory, Revision
from policy_history.site.languages import (
    dated,
    direction,
    language_links,
    translation_entries,
    translation_notice,
)
from policy_history.site.page_data import (
    Correction,
    CurrentPage,
    DateView,
    Draft,
    EditionView,
    EditorialEntry,
    HistoryEntry,
    HistoryPage,
    IndexEntry,
    LanguageLink,
    LookupEntry,
    PageKind,
    RevisionView,
    Section,
    SectionVersions,
    TranslationNotice,
    Unversioned,
    VersionPage,
    VersionView,
)

#: Between sections of the page's Markdown; Markdown passes HTML comments through, so the
#: rendered page can be cut back into sections for the template.
SECTION_MARKER = "<!-- policy_history:section {key} -->"
_MARKER_RE = re.compile(r"<!-- policy_history:section (\S+) -->")


def page_path(history: PolicyHistory) -> str:
    """Where the page sits among the site's files: where its source sits among the
    policies (names slugified), so relative links between policies keep working."""
    slug, layout = history.slug, history.layout
    if (
        slug == ROOT_INDEX_SLUG
        and layout is not None
        and layout.path.rsplit("/", 1)[-1].lower().startswith("index.")
    ):
        return "index.md"
    if (
        layout is not None
        and layout.kind == "file"
        and not posixpath.basename(layout.path).lower().startswith("index.")
    ):
        return f"{slug}.md"
    return f"{slug}/index.md"


def page_url(history: PolicyHistory) -> str:
    """The page's URL relative to the site root (directory URLs)."""
    path = page_path(history)
    return (
        ""
        if path == "index.md"
        else path.removesuffix("index.md").removesuffix(".md")
        + ("" if path.endswith("index.md") else "/")
    )


def page_markdown(history: PolicyHistory, text: PolicyText | None = None) -> str:
    """The Markdown MkDocs renders for ``/<slug>/``: front matter plus marked sections."""
    return _markdown(text or history.text)


def split_sections(html: str) -> dict[str, str]:
    """Cut the rendered page back into its sections' HTML, keyed by section key."""
    pieces = _MARKER_RE.split(html)
    return {pieces[i]: pieces[i + 1].strip() for i in range(1, len(pieces) - 1, 2)}


def base_path(history: PolicyHistory) -> str:
    """The folder under which a policy's history and versions are published."""
    return history.slug


def history_path(history: PolicyHistory) -> str:
    return f"{base_path(history)}/history/index.md"


def version_path(history: PolicyHistory, version: Revision) -> str:
    return f"{base_path(history)}/versions/{version.version_id}/index.md"


def _url(path: str) -> str:
    return path.removesuffix("index.md")


def history_url(history: PolicyHistory) -> str:
    return _url(history_path(history))


def version_url(history: PolicyHistory, version: Revision) -> str:
    return _url(version_path(history, version))


def since_path(history: PolicyHistory, version: Revision) -> str:
    """A version's "since" address: what changed from it to the version in force, as of
    each build (site.since_pages)."""
    return f"{base_path(history)}/since/{version.version_id}/index.html"


def since_url(history: PolicyHistory, version: Revision) -> str:
    return since_path(history, version).removesuffix("index.html")


def compare_path(history: PolicyHistory, old: Revision, new: Revision) -> str:
    """A redline page: between two versions, or an editorial revision and the revision
    before it (addressed by their ``page_id``)."""
    return f"{base_path(history)}/compare/{old.page_id}/{new.page_id}/index.md"


def compare_url(history: PolicyHistory, old: Revision, new: Revision) -> str:
    return _url(compare_path(history, old, new))


def version_markdown(history: PolicyHistory, version: Revision) -> str:
    """An archived version's page. Its text is rendered by the hook (links resolved from
    the policy's own page, where they were written), so the Markdown holds only metadata."""
    return _markdown(version.text, title=version.text.title, search_exclude=True,
                     sections=False)


def history_title(history: PolicyHistory) -> str:
    return f"{history.text.title}: version history"


def history_markdown(history: PolicyHistory) -> str:
    return _markdown(None, title=history_title(history), search_exclude=True)


def _markdown(text: PolicyText | None, *, title: str | None = None,
              search_exclude: bool = False, sections: bool = True) -> str:
    front: dict[str, Any] = {"title": title or (text.title if text else "")}
    if text is not None and text.description:
        front["description"] = text.description
    if search_exclude:
        # Search finds the current text once, not every archived copy of it.
        front["search"] = {"exclude": True}
    parts = ["---", yaml.safe_dump(front, allow_unicode=True, sort_keys=True).strip(), "---", ""]
    for section in text.sections if text and sections else ():
        parts += [SECTION_MARKER.format(key=section.key), "", section.markdown.strip("\n"), ""]
    return "\n".join(parts)


class VersionOrder:
    """A history's versions and each one's place, looked up once per page, not per link
    (``history.versions`` is rebuilt on every access; ``list.index`` walks it)."""

    def __init__(self, history: PolicyHistory) -> None:
        self.versions = history.versions
        self._place = {id(version): index for index, version in enumerate(self.versions)}

    def index(self, revision: Revision) -> int:
        """The version's place, -1 for a revision that is not a version."""
        return self._place.get(id(revision), -1)


class _VersionFields(TypedDict):
    """``VersionView``'s fields but ``kind``: a history entry is a version too. A
    TypedDict, so that mypy checks them where they are unpacked."""

    changes_url: str | None
    id: str | None
    date_source: str | None
    date_written: str | None
    commit: str
    effective: DateView | None
    published: DateView
    summary: str | None
    reason: str
    url: str | None
    since_url: str | None


def _version_fields(history: PolicyHistory, revision: Revision,
                    order: VersionOrder) -> _VersionFields:
    """What a page shows of a version (``VersionView``, and the history's entries)."""
    versions = order.versions
    index = order.index(revision)
    previous = versions[index - 1] if index > 0 else None
    return {
        "changes_url": compare_url(history, previous, revision) if previous else None,
        "id": revision.version_id,
        "date_source": revision.date_source,
        "date_written": revision.stated.written if revision.stated
        and revision.date_source == "text" else None,
        "commit": revision.commit.sha,
        "effective": dated(history, revision.effective),
        "published": dated(history, revision.published),
        "summary": revision.summary,
        "reason": revision.reason,
        "url": version_url(history, revision) if revision.version_id else None,
        "since_url": since_url(history, revision) if revision.version_id else None,
    }


def _version_view(history: PolicyHistory, revision: Revision,
                  order: VersionOrder | None = None) -> VersionView:
    """A version (``revision.is_version``), as pages name it."""
    return VersionView(**_version_fields(history, revision, order or VersionOrder(history)))


def _revision_view(history: PolicyHistory, revision: Revision,
                   order: VersionOrder | None = None) -> RevisionView:
    """A version, or an editorial revision, as redline pages name them."""
    if not revision.is_version:
        return _edition_view(history, revision)
    return _version_view(history, revision, order)


def editorial_pairs(history: PolicyHistory) -> list[tuple[Revision, Revision]]:
    """(revision before, editorial revision) for each editorial revision after the first
    version that changed what a visitor sees (words, link targets or sections): each gets
    a redline page. Formatting alone has nothing to show."""
    pairs = []
    for before, revision in itertools.pairwise(history.revisions):
        if revision.edition_id and before.fingerprint != revision.fingerprint:
            pairs.append((before, revision))
    return pairs


def edition_of(history: PolicyHistory, revision: Revision) -> Revision | None:
    """The version an editorial revision follows (None before the first version)."""
    found = None
    for candidate in history.revisions:
        if candidate is revision:
            return found
        if candidate.is_version:
            found = candidate
    return None


def _edition_view(history: PolicyHistory, revision: Revision) -> EditionView:
    """An editorial revision, as redline pages and the history name it: the version it
    corrects (its effective date) and its own publication."""
    version = edition_of(history, revision)
    return EditionView(
        id=revision.page_id,
        commit=revision.commit.sha,
        effective=dated(history, version.effective) if version else None,
        published=dated(history, revision.published),
        note=revision.kind_note,
        reason=revision.reason,
        version_url=version_url(history, version) if version else None,
    )


def section_marks(history: PolicyHistory) -> dict[int, dict[str, Revision]]:
    """``history.section_changed_on(version)`` for every version (by revision number), in
    one pass over the history instead of one per version."""
    out: dict[int, dict[str, Revision]] = {}
    marks: dict[str, Revision] = {}
    previous: dict[str, str] = {}
    for revision in history.revisions:
        current = dict(revision.fingerprint)
        for key, printed in current.items():
            if previous.get(key) != printed and (revision.is_version or key not in marks):
                marks[key] = revision
        previous = current
        if revision.is_version:
            out[revision.number] = {key: marks[key] for key, _ in revision.fingerprint
                                    if key in marks and marks[key].is_version}
    return out


def _sections_view(history: PolicyHistory, version: Revision, edit_url: Any = None,
                   marks: dict[str, Revision] | None = None,
                   order: VersionOrder | None = None) -> list[Section]:
    order = order or VersionOrder(history)
    if marks is None:
        marks = history.section_changed_on(version)
    return [
        Section(
            key=section.key,
            title=section.title,
            source=section.source,
            edit_url=edit_url(section.source) if edit_url else None,
            changed_on=dated(history, marks[section.key].effective)
            if section.key in marks else None,
            changed_in=_version_view(history, marks[section.key], order)
            if section.key in marks
            else None,
        )
        for section in version.text.sections
    ]


class _Common(TypedDict):
    """The fields every page of a policy has (``PolicyPage``), but ``title`` (a version's
    page has the version's) and those filled in later: checked by mypy where unpacked."""

    page: PageKind
    slug: str
    description: str | None
    current_url: str
    history_url: str
    last_updated: DateView | None
    effective: DateView | None
    version: VersionView | None
    upcoming: tuple[VersionView, ...]
    revisions: int
    versions: int
    language: str
    direction: str
    languages: tuple[LanguageLink, ...]
    multilingual: bool
    translation: TranslationNotice | None


def _common(history: PolicyHistory, page: PageKind, order: VersionOrder | None = None,
            shows: Revision | None = None) -> _Common:
    """``shows``: the revision whose text the page shows (a translation's notice says
    which source version that one follows)."""
    order = order or VersionOrder(history)
    current = history.current
    return {
        "language": history.language,
        "direction": direction(history.language),
        "languages": language_links(history),
        "multilingual": bool(history.languages or history.translation
                             or history.translated_into),
        "translation": translation_notice(history, shows),
        "page": page,
        "slug": history.slug,
        "description": history.text.description,
        "current_url": page_url(history),
        "history_url": history_url(history),
        "last_updated": dated(history, current.effective) if current else None,
        "effective": dated(history, current.effective) if current else None,
        "version": _version_view(history, current, order) if current else None,
        "upcoming": tuple(_version_view(history, v, order) for v in history.upcoming),
        "revisions": len(history.revisions),
        "versions": len(order.versions),
    }


def policy_meta(history: PolicyHistory, edit_url: Any = None) -> CurrentPage:
    """``page.meta.policy`` for the current page (documented in docs/reference.md): the
    version in force with the editorial revisions made after it (``history.shown``)."""
    shown = history.shown
    return CurrentPage(
        **_common(history, PageKind.CURRENT, shows=shown),
        title=history.text.title,
        state="current" if history.current else "upcoming",
        sections=_sections_view(history, shown, edit_url),
        corrections=corrections(history, history.current),
    )


def corrections(history: PolicyHistory, version: Revision | None) -> tuple[Correction, ...]:
    """The editorial revisions made to ``version`` before the next version, oldest first:
    the current page shows them; the version's own page shows it as it took effect."""
    if version is None:
        return ()
    return tuple(Correction(published=dated(history, revision.published),
                            note=revision.note, commit=revision.commit.sha,
                            automatic=revision.reason == "unchanged")
                 for revision in history.editorial_after(version))


def version_meta(history: PolicyHistory, version: Revision,
                 marks: dict[str, Revision] | None = None,
                 order: VersionOrder | None = None) -> VersionPage:
    """``page.meta.policy`` for an archived (or upcoming) version's page. ``marks``: the
    version's entry of ``section_marks(history)``, when already computed."""
    order = order or VersionOrder(history)
    versions = order.versions
    index = order.index(version)
    return VersionPage(
        **_common(history, PageKind.VERSION, order, shows=version),
        title=version.text.title,
        state=history.state_of(version),
        shown=_version_view(history, version, order),
        previous=_version_view(history, versions[index - 1], order) if index else None,
        next=_version_view(history, versions[index + 1], order)
        if index + 1 < len(versions) else None,
        sections=_sections_view(history, version, marks=marks, order=order),
        corrections=corrections(history, version),
    )


def history_meta(history: PolicyHistory) -> HistoryPage:
    """``page.meta.policy`` for ``/<slug>/history/``: versions newest first, editorial
    revisions under the version they follow, and which versions changed each section."""
    order = VersionOrder(history)
    versions = order.versions
    redlined = {id(new): old for old, new in editorial_pairs(history)}
    entries = []
    for index, version in enumerate(versions):
        following = versions[index + 1] if index + 1 < len(versions) else None
        until = following.effective - dt.timedelta(days=1) if following and \
            following.effective and version.effective and \
            following.effective > version.effective else None
        entries.append(HistoryEntry(
            **_version_fields(history, version, order),
            state=history.state_of(version),
            number=index + 1,
            in_force_until=dated(history, until) if following else None,
            sections_changed=version.sections_changed,
            previous=_version_view(history, versions[index - 1], order) if index else None,
            editorial=tuple(
                EditorialEntry(
                    id=revision.page_id,
                    published=dated(history, revision.published),
                    note=revision.kind_note,
                    commit=revision.commit.sha,
                    subject=revision.commit.subject,
                    automatic=revision.reason in AUTOMATIC,
                    sections_changed=revision.sections_changed,
                    changes_url=compare_url(history, redlined[id(revision)], revision)
                    if id(revision) in redlined else None,
                )
                for revision in history.editorial_after(version)
            ),
        ))
    first_index = history.revisions.index(versions[0]) if versions else len(history.revisions)
    before_first = tuple(Unversioned(published=dated(history, revision.published),
                                     note=revision.note, commit=revision.commit.sha)
                         for revision in history.revisions[:first_index])
    by_section: dict[str, tuple[str, list[VersionView]]] = {}
    shown = history.shown
    # The current text's sections, then those only other versions have (an upcoming
    # version's new section, a removed one): each version page links to its sections here.
    for text in [shown.text, *(version.text for version in reversed(versions))]:
        for section in text.sections:
            by_section.setdefault(section.key, (section.title, []))
    for version in versions:
        for change in version.sections_changed:
            if change.key in by_section:
                by_section[change.key][1].append(_version_view(history, version, order))
    return HistoryPage(
        **_common(history, PageKind.HISTORY, order, shows=history.shown),
        title=history.text.title,
        state="history",
        entries=tuple(reversed(entries)),
        unversioned=before_first,
        by_section=tuple(SectionVersions(key=key, title=title, versions=tuple(reversed(found)))
                         for key, (title, found) in by_section.items()),
        lookup=tuple(_lookup(history, v) for v in versions),
        translations=translation_entries(history),
    )


def _lookup(history: PolicyHistory, version: Revision) -> LookupEntry:
    """A version in the date lookup's JSON (``policy-history.js`` reads it)."""
    entry: LookupEntry = {"id": version.version_id}
    effective = dated(history, version.effective)
    if effective is not None:  # a version always has a date; without, no keys for it
        entry["iso"], entry["text"] = effective.iso, effective.text
    entry["url"] = version_url(history, version)
    return entry


def with_draft(meta: CurrentPage, draft: PolicyText, uncommitted: list[str]) -> CurrentPage:
    """What ``mkdocs serve`` shows instead, when a policy has uncommitted edits: the
    current page with the draft's title and sections."""
    sources = {section.source for section in draft.sections} | {draft.meta.file}
    return dataclasses.replace(
        meta,
        draft=Draft(files=tuple(path for path in uncommitted if path in sources)),
        title=draft.title,
        sections=[Section(key=s.key, title=s.title, source=s.source, edit_url=None,
                          changed_on=None, changed_in=None)
                  for s in draft.sections],
    )


def policy_index(histories: Iterable[PolicyHistory]) -> list[IndexEntry]:
    """What the home page lists: every policy with its dates, and its translations with
    it (a translation is not listed as a policy of its own)."""
    out = []
    for history in histories:
        if history.translation is not None:
            continue
        meta = policy_meta(history)
        out.append(IndexEntry(slug=meta.slug, title=meta.title, description=meta.description,
                              state=meta.state, last_updated=meta.last_updated,
                              effective=meta.effective, upcoming=meta.upcoming,
                              url=page_url(history),
                              translations=tuple(link for link in language_links(history)
                                                 if not link.current)))
    return sorted(out, key=lambda item: (item.title.lower(), item.slug))

"""What each policy page hands its templates: ``page.meta.policy``, typed.

One dataclass per kind of page and per item a page lists. The templates
(``theme/partials/policy-*.html``, ``theme/main.html``) read the fields by name,
as they read dict keys before (Jinja's ``a.b`` reads an attribute), and
``tests/core/test_page_data.py`` checks every name they read against these classes: a
renamed or missing field fails that test instead of rendering as nothing.

The items are frozen. The pages, and a section, are not: the hook fills some of their
fields after they are built (a section's ``html`` once MkDocs has rendered the text, a
redline page's ``redline``, the history page's ``compare`` index, ``feeds`` and
``recent_change``, which are worked out once per policy), and empties them again once
the page is written. Everything is slotted: a long history has thousands of these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, Literal, TypedDict, overload

from markupsafe import Markup

from policy_history.model.dates import human_date
from policy_history.model.timeline import SectionChange


class PageKind(str, Enum):
    """Which kind of page a policy page is (``policy.page`` in the templates).

    A ``str`` as well, so that what compares or prints a kind sees the same text as when
    kinds were plain strings: ``policy.page == "current"`` in a site's own override, JSON,
    digests. ``str()`` and ``format()`` are pinned to the value: a mixed-in enum's
    ``str()`` is ``PageKind.CURRENT``, which is what Jinja prints, and from Python 3.12
    so is its ``format()`` (tests/core/test_page_data.py checks what str(), format(),
    JSON and Jinja print; checked on Python 3.10 to 3.13).
    """

    CURRENT = "current"  # the policy's own address: the text in force
    HISTORY = "history"  # /<slug>/history/
    VERSION = "version"  # /<slug>/versions/<id>/
    COMPARE = "compare"  # /<slug>/compare/<old>/<new>/: a redline
    #: a shell MkDocs renders for a group of archive pages, which are stamped from it
    #: (``site/stamp.py``); its templates print the stamp's markers
    SHELL = "stamp"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


# -- items -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateView:
    """A date: ``iso`` for ``<time datetime>``, ``text`` for people."""

    iso: str
    text: str
    #: the language ``text`` is written in, where it is not the page's (a translation's)
    lang: str = ""


@overload
def date_of(day: dt.date, language: str = "", mark: bool = False) -> DateView: ...
@overload
def date_of(day: None, language: str = "", mark: bool = False) -> None: ...
@overload
def date_of(day: dt.date | None, language: str = "", mark: bool = False) -> DateView | None: ...


def date_of(day: dt.date | None, language: str = "", mark: bool = False) -> DateView | None:
    """``day`` as templates show it (as ``model.dates.date_view``, typed), in ``language``;
    ``mark``: say so in ``lang`` (a translation's dates, among the site's words)."""
    return None if day is None else _date_view(day, language, mark)


@lru_cache(maxsize=4096)  # a long history's pages name each of its versions' dates
def _date_view(day: dt.date, language: str, mark: bool) -> DateView:
    return DateView(iso=day.isoformat(), text=human_date(day, language),
                    lang=language if mark else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionView:
    """A version, wherever a page names one."""

    kind: Literal["version"] = "version"
    id: str | None
    commit: str
    effective: DateView | None
    published: DateView
    summary: str | None
    reason: str
    date_source: str | None  # where ``effective`` comes from: entry, text or commit
    date_written: str | None  # the date as the text states it, when dated by the text
    url: str | None  # its page
    changes_url: str | None  # its redline against the version before it
    #: what changed from it to the version in force: a stable address (site.since_pages)
    since_url: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EditionView:
    """An editorial revision, where a redline page names one: the version it corrects,
    and its own publication. It has no page of its own (its redline shows it)."""

    kind: Literal["editorial"] = "editorial"
    id: str | None
    commit: str
    effective: DateView | None  # the version it corrects took effect
    published: DateView
    note: str | None
    reason: str
    version_url: str | None  # the version it corrects
    # none for an editorial revision; kept so that a template may read them of any revision
    url: None = None
    summary: None = None
    changes_url: None = None


#: what a redline page compares: two versions, or an editorial revision and the one before
RevisionView = VersionView | EditionView


@dataclass(slots=True, kw_only=True)
class Section:
    """A section of a policy's text. ``html`` is filled in by the hook once rendered."""

    key: str
    title: str
    source: str  # the file it comes from
    edit_url: str | None
    changed_on: DateView | None  # the version that last changed it took effect
    changed_in: VersionView | None
    html: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """An editorial revision made to the version a page shows."""

    published: DateView
    note: str | None
    commit: str
    automatic: bool  # made by the importer, not declared


@dataclass(frozen=True, slots=True, kw_only=True)
class Unversioned:
    """A revision before the first version (the history page's ``unversioned``)."""

    published: DateView
    note: str | None
    commit: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EditorialEntry:
    """An editorial revision, listed on the history page under the version it follows."""

    id: str | None
    published: DateView
    note: str | None
    commit: str
    subject: str  # its commit's
    automatic: bool
    sections_changed: tuple[SectionChange, ...]
    changes_url: str | None  # its redline, when it changed what a visitor sees


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryEntry(VersionView):
    """A version as the history page lists it."""

    state: str  # current, upcoming or past
    number: int  # 1 for the first version
    in_force_until: DateView | None
    sections_changed: tuple[SectionChange, ...]
    previous: VersionView | None
    editorial: tuple[EditorialEntry, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SectionVersions:
    """A section, with the versions that changed it, newest first (history page)."""

    key: str
    title: str
    versions: tuple[VersionView, ...]


class LookupEntry(TypedDict, total=False):
    """A version for the history page's date lookup. A dict, not a dataclass: the
    template hands the list to ``policy-history.js`` as JSON (``| tojson``)."""

    id: str | None
    iso: str
    text: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CompareChoice:
    """A version in the history page's compare control."""

    id: str | None
    iso: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CompareIndex:
    """The history page's compare control: the versions, newest first, and the pairs
    that have a redline page."""

    versions: tuple[CompareChoice, ...]
    #: ``"<old id>/<new id>"`` → the pair's redline page; handed to ``policy-history.js``
    #: as JSON, and a mapping by data (not by field name): a dict
    pairs: dict[str, str]
    history_url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """Uncommitted edits ``mkdocs serve`` shows on the current page."""

    files: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Feeds:
    """A policy's feeds and versions.json, and the site's feeds that have its changes
    (its language's, for a translation), site-relative."""

    atom: str
    json: str
    manifest: str
    site_atom: str
    site_json: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RecentChange:
    """The "Updated on …" notice of the current page."""

    id: str | None
    effective: DateView | None
    summary: str | None
    url: str
    history_url: str
    previous_url: str
    until: DateView | None  # the last day it shows


@dataclass(frozen=True, slots=True, kw_only=True)
class Following:
    """What every page of a policy shows of its feeds and recent change (``follow``)."""

    feeds: Feeds | None = None
    recent_change: RecentChange | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RedlineView:
    """A redline page's ``policy.redline``: the inline view and its counts."""

    inline: Markup  # HTML from the redline engine, which escapes what it adds
    empty: bool
    words_added: int
    words_removed: int
    blocks_changed: int
    sections_changed: tuple[str, ...]  # their titles

    @classmethod
    def of(cls, value: Mapping[str, Any]) -> RedlineView:
        """From the redline store's value (``site/redline_store.py``: JSON, a dict)."""
        return cls(inline=Markup(value["inline"]), empty=value["empty"],
                   words_added=value["words_added"], words_removed=value["words_removed"],
                   blocks_changed=value["blocks_changed"],
                   sections_changed=tuple(value["sections_changed"]))


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexEntry:
    """A policy in the home page's list (``policy_index``)."""

    slug: str
    title: str
    description: str | None
    state: str  # current, or upcoming before anything is in force
    last_updated: DateView | None
    effective: DateView | None
    upcoming: tuple[VersionView, ...]
    url: str
    #: its translations, listed with it rather than as policies of their own
    translations: tuple[LanguageLink, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LanguageLink:
    """One language of a policy, in the language switcher."""

    tag: str  # BCP 47: ``de``, ``pt-BR``
    name: str  # in that language: ``Deutsch``
    url: str  # the policy's current page in it
    current: bool  # the language of this page


@dataclass(frozen=True, slots=True, kw_only=True)
class TranslationEntry:
    """One translation of a policy, in its history: withdrawn ones too."""

    tag: str
    name: str  # in that language
    url: str  # its history
    versions: int
    first: DateView | None  # its first version took effect
    withdrawn: DateView | None  # when its sources were removed


@dataclass(frozen=True, slots=True, kw_only=True)
class Words:
    """A piece of a sentence the settings word: text, or a date (``<time>``)."""

    text: str
    date: DateView | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TranslationNotice:
    """What a translated page says of its source: the version it follows, and whether
    the source has changed since (the wording comes from the settings)."""

    source_language: str  # the tag of the language that controls
    notice: tuple[Words, ...]  # "This is a translation of the English version of …"
    source_link: str  # the link's text to the source version it follows
    follows_url: str  # that source version's page
    follows: DateView | None  # and its effective date
    how: str  # declared, date or in-force (docs/reference.md)
    outdated: tuple[Words, ...]  # "This translation is out of date …", when it is
    changes_link: str | None  # the link's text to what changed in the source since
    changes_url: str | None  # the source's redline since, or its current page
    lang: str  # the language of the wording, where it is not the site's
    #: "This translation was withdrawn on …", for one whose sources were removed (then
    #: ``changes_link`` leads to the source's current page, and ``outdated`` is empty)
    withdrawn: tuple[Words, ...] = ()


# -- pages -------------------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class PolicyPage:
    """What every page of a policy shows (but a shell)."""

    page: PageKind
    slug: str
    title: str
    description: str | None
    current_url: str
    history_url: str
    last_updated: DateView | None  # the version in force took effect
    effective: DateView | None
    version: VersionView | None  # the version in force
    upcoming: tuple[VersionView, ...]  # oldest first
    revisions: int  # how many
    versions: int
    language: str  # the policy's language (a BCP 47 tag)
    direction: str  # its script's: ltr or rtl
    #: the policy in each of its languages (none for a policy without translations)
    languages: tuple[LanguageLink, ...]
    #: whether it has translations or is one: its text is then marked with its language
    #: and direction, apart from the site's words
    multilingual: bool
    #: a translation's link to its source, for the revision the page shows
    translation: TranslationNotice | None
    #: filled in by the hook (``follow``), the same for every page of the policy
    feeds: Feeds | None = None
    recent_change: RecentChange | None = None

    def follow(self, following: Following) -> None:
        self.feeds, self.recent_change = following.feeds, following.recent_change

    def drop_html(self) -> None:
        """Forget the page's rendered HTML once it is written: a long history has
        thousands of pages, and MkDocs keeps every page's meta until the build ends."""


@dataclass(slots=True, kw_only=True)
class CurrentPage(PolicyPage):
    """The policy's own address: the version in force, with its editorial corrections."""

    state: str  # current, or upcoming before anything is in force
    sections: list[Section]
    corrections: tuple[Correction, ...]
    draft: Draft | None = None  # only under ``mkdocs serve``

    def drop_html(self) -> None:
        for section in self.sections:
            section.html = ""


@dataclass(slots=True, kw_only=True)
class HistoryPage(PolicyPage):
    """``/<slug>/history/``: every version newest first."""

    state: str  # "history"
    entries: tuple[HistoryEntry, ...]
    unversioned: tuple[Unversioned, ...]
    by_section: tuple[SectionVersions, ...]
    lookup: tuple[LookupEntry, ...]
    #: the policy's translations, withdrawn ones included (a source's history only)
    translations: tuple[TranslationEntry, ...] = ()
    compare: CompareIndex | None = None  # filled in by the hook


@dataclass(slots=True, kw_only=True)
class VersionPage(PolicyPage):
    """An archived (or upcoming) version: ``/<slug>/versions/<id>/``."""

    state: str  # current, upcoming or past
    shown: VersionView  # the version this page shows
    previous: VersionView | None
    next: VersionView | None
    sections: list[Section]  # their ``html`` filled in by the hook
    corrections: tuple[Correction, ...]

    def drop_html(self) -> None:
        for section in self.sections:
            section.html = ""


@dataclass(slots=True, kw_only=True)
class ComparePage(PolicyPage):
    """A redline: ``/<slug>/compare/<old>/<new>/``."""

    old: RevisionView
    new: RevisionView
    consecutive: bool  # ``new`` is the version right after ``old``
    editorial: bool  # ``new`` is an editorial revision
    summary: str | None  # ``new``'s, when consecutive
    redline: RedlineView | None = None  # filled in by the hook

    def drop_html(self) -> None:
        self.redline = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SincePage:
    """``/<slug>/since/<id>/``: what changed from a version to the one in force, a small
    page of its own (``partials/policy-since.html``; site.since_pages). Addresses are
    relative to it."""

    state: str  # changed (a past version), current, or upcoming
    title: str  # the policy's, in its language
    language: str
    direction: str
    since: DateView  # the version's effective date
    current: DateView | None  # the version in force's
    #: the redline from the version to the one in force (changed; None without that page)
    target: str | None
    history_url: str  # the version's entry in the history
    current_url: str
    version_url: str
    upcoming: DateView | None  # the next version to take effect, if one is announced
    upcoming_url: str | None  # what it will change


@dataclass(slots=True, kw_only=True)
class ShellPage:
    """A shell (``site/stamp.py``): markers where the pages stamped from it differ."""

    page: PageKind = PageKind.SHELL
    stamp_body: str
    stamp_feeds: str
    stamp_nav: str


#: ``page.meta.policy`` of any policy page
PageData = CurrentPage | HistoryPage | VersionPage | ComparePage | ShellPage

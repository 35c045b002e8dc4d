"""Which archive pages a build writes, and from which shell: made once, then only read.

Every policy has a history page, a page per version and redline pages between versions
(``comparisons.pairs``). Pages of one shape — kind, depth in the site, with or without a
description (the theme prints one only when there is one) — share a *shell*: MkDocs
renders the first page of each group, and the others are stamped from it (``stamp``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote as urlquote

from policy_history.model.timeline import PolicyHistory, Revision
from policy_history.site import comparisons, pages, since_pages
from policy_history.site.page_data import PageKind


@dataclass(frozen=True, eq=False)
class ArchivePage:
    """A policy's history page, a version's page, or a redline page (from ``old``)."""

    history: PolicyHistory
    kind: PageKind  # HISTORY, VERSION or COMPARE
    version: Revision | None = None
    old: Revision | None = None

    @property
    def src_uri(self) -> str:
        if self.kind == PageKind.HISTORY:
            return pages.history_path(self.history)
        assert self.version is not None
        if self.old is not None:
            return pages.compare_path(self.history, self.old, self.version)
        return pages.version_path(self.history, self.version)

    @property
    def folder(self) -> str:
        """The site folder holding all the policy's pages of this kind."""
        name = {PageKind.HISTORY: "history", PageKind.VERSION: "versions",
                PageKind.COMPARE: "compare"}[self.kind]
        return f"{pages.base_path(self.history)}/{name}"

    @property
    def depth(self) -> int:
        """How many folders deep the page is: pages at one depth share relative links."""
        return self.src_uri.count("/")

    @property
    def url(self) -> str:
        """As MkDocs gives it (``File.url``): percent-encoded."""
        return urlquote(self.src_uri.removesuffix("index.md"))

    @property
    def output(self) -> str:
        return self.src_uri.removesuffix(".md") + ".html"

    @property
    def title(self) -> str:
        if self.kind == PageKind.HISTORY:
            return pages.history_title(self.history)
        assert self.version is not None
        if self.old is not None:
            return (f"{self.history.text.title}: changes from {self.old.page_id} to "
                    f"{self.version.page_id}")
        return self.version.text.title

    @property
    def description(self) -> str | None:
        return self.version.text.description if self.kind == PageKind.VERSION and self.version \
            else None

    def markdown(self) -> str:
        if self.kind == PageKind.VERSION:
            assert self.version is not None
            return pages.version_markdown(self.history, self.version)
        return pages.history_markdown(self.history)


@dataclass(frozen=True, eq=False)
class Group:
    """Pages that share a shell (the first page's): one kind, one depth in the site, with
    or without a description; of any policy (what differs per policy is marked)."""

    members: tuple[ArchivePage, ...]

    @property
    def first(self) -> ArchivePage:
        return self.members[0]


@dataclass(frozen=True)
class PlanSettings:
    """Which pages there are: redline pages for every pair of versions up to this many,
    each version against the current one beyond; one shell per shape or none."""

    every_pair_up_to: int
    with_current: bool = True
    stamp: bool = True


@dataclass(frozen=True)
class ArchivePlan:
    settings: PlanSettings
    #: each policy's archive pages, in the order MkDocs would list them had it rendered
    #: each (history, versions, redlines)
    by_policy: dict[str, tuple[ArchivePage, ...]]
    #: the groups, by their shell's src_uri, in the order the policies start them
    groups: dict[str, Group]
    #: each policy's groups whose shell it holds (the first page of the group)
    started: dict[str, tuple[Group, ...]]
    group_of: dict[str, Group]  # page src_uri → its group

    @classmethod
    def make(cls, policies: Iterable[PolicyHistory], settings: PlanSettings) -> ArchivePlan:
        by_policy: dict[str, tuple[ArchivePage, ...]] = {}
        members: dict[int, list[ArchivePage]] = {}  # by the group's number
        shapes: dict[tuple[str, int, bool], int] = {}
        started: dict[str, list[int]] = {}
        number_of: dict[str, int] = {}
        for history in policies:
            planned = [ArchivePage(history, PageKind.HISTORY)]
            planned += [ArchivePage(history, PageKind.VERSION, version)
                        for version in history.versions]
            planned += [ArchivePage(history, PageKind.COMPARE, new, old)
                        for old, new in comparisons.pairs(
                            history, settings.every_pair_up_to, settings.with_current)]
            by_policy[history.slug] = tuple(planned)
            started[history.slug] = []
            for page in planned:
                shape = (page.kind, page.depth, bool(page.description))
                number = shapes.get(shape) if settings.stamp else None
                if number is None:
                    number = len(members)
                    members[number] = []
                    if settings.stamp:
                        shapes[shape] = number
                    started[history.slug].append(number)
                members[number].append(page)
                number_of[page.src_uri] = number
        groups = {number: Group(tuple(pages_)) for number, pages_ in members.items()}
        return cls(settings, by_policy,
                   {group.first.src_uri: group for group in groups.values()},
                   {slug: tuple(groups[n] for n in numbers) for slug, numbers in started.items()},
                   {src_uri: groups[n] for src_uri, n in number_of.items()})

    def planned(self, slug: str) -> tuple[ArchivePage, ...]:
        """A policy's archive pages."""
        return self.by_policy.get(slug, ())

    def slugs(self) -> list[str]:
        """The policies that have archive pages."""
        return [slug for slug, planned in self.by_policy.items() if planned]

    def history(self, slug: str) -> PolicyHistory:
        """A planned policy's history."""
        return self.by_policy[slug][0].history

    def policies(self) -> Iterator[tuple[PolicyHistory, tuple[ArchivePage, ...]]]:
        """Each policy's history and archive pages."""
        for planned in self.by_policy.values():
            if planned:
                yield planned[0].history, planned

    def folders(self) -> set[str]:
        """The site folders that hold only archive pages (the since pages' too)."""
        return {page.folder for planned in self.by_policy.values() for page in planned} | {
            since_pages.folder(planned[0].history)
            for planned in self.by_policy.values() if planned}

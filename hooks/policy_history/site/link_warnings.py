"""MkDocs' warnings about the links of a policy's page, told where the link was written.

MkDocs checks the links of each page it renders, and names the page: for a policy that is
the page the build generated (``privacy/index.md``), a file nobody can open. Its warnings
about those pages are told instead at the fragment and line that hold the link, so that an
editor can mend them. (The page's path mirrors the policies folder: ``policies/privacy/``
is ``privacy/``, so a link is relative to the file it is written in, as ``scripts/check``
says too.) The level stays MkDocs' own (its ``validation:`` settings), so ``mkdocs build
--strict`` fails on them as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from policy_history.log_safety import log_safe
from policy_history.model.assemble import Section

#: the logger MkDocs checks links with (``mkdocs.structure.pages``)
MKDOCS_PAGES = "mkdocs.structure.pages"
#: "Doc file 'privacy/index.md' contains a link 'x.md', but …" and its other forms
_ABOUT_PAGE = re.compile(r"Doc file '(?P<page>[^']*)' contains (?P<problem>.*)", re.S)
#: the link the problem is about, as the page has it (or, "a link to 'privacy/x.md' which
#: is excluded", where it leads)
_LINK = re.compile(r"link (?:to )?'(?P<link>.*?)'(?=,| which|$)", re.S)


def where_written(sections: Sequence[Section], link: str | None, occurrence: int = 0) -> str:
    """``file:line`` of the ``occurrence``-th place (from 0) the policy's text holds
    ``link``; the files of the policy when its text does not hold it as written (a
    variable filled it in, or MkDocs names where it leads)."""
    places = _places(sections, link, as_link=True) or _places(sections, link, as_link=False)
    if places:  # more warnings than places: the last place
        section, found = places[min(occurrence, len(places) - 1)]
        line = section.line + section.markdown.count("\n", 0, found)
        return f"{section.source}:{line}"
    return ", ".join(dict.fromkeys(section.source for section in sections))


def _places(sections: Sequence[Section], link: str | None, *, as_link: bool
            ) -> list[tuple[Section, int]]:
    """Where the sections hold ``link``: ``as_link``, as a link's target (``](x``,
    ``]: x``, ``<x>``, ``href="x"``), else anywhere."""
    if not link:
        return []
    before = r"(?:\]\(\s*<?|\]:[ \t]*<?|<|=[\"'])" if as_link else ""
    pattern = re.compile(f"{before}({re.escape(link)})")
    return [(section, match.start(1)) for section in sections
            for match in pattern.finditer(section.markdown)]


class LinkWarnings(logging.Filter):
    """Rewrites MkDocs' warnings about a policy page's links (see the module)."""

    def __init__(self, pages: dict[str, Sequence[Section]], logger: str = MKDOCS_PAGES) -> None:
        super().__init__()
        self.pages = pages  # a generated page's path → the sections its text comes from
        self.logger = logger  # MkDocs' own, or its fork's (ProperDocs' is named for it)
        self._told: dict[tuple[str, str], int] = {}  # (page, link) → warnings so far

    def filter(self, record: logging.LogRecord) -> bool:
        about = _ABOUT_PAGE.match(record.getMessage())
        sections = self.pages.get(about["page"]) if about else None
        if about is None or not sections:
            return True
        page, problem = about["page"], about["problem"]
        link = _LINK.search(problem)
        if link is None:
            where = where_written(sections, None)
        else:
            count = self._told.get((page, link["link"]), 0)
            self._told[(page, link["link"])] = count + 1
            where = where_written(sections, link["link"], count)
        record.msg = log_safe(
            f"{where}: this text contains {problem.rstrip('.')} (it is published on the page "
            f"'{page}') — fix the link: a path is relative to this file; or add the page it "
            "leads to")
        record.args = None
        return True

    def attach(self) -> None:
        """Start rewriting MkDocs' warnings (once: ``mkdocs serve`` builds again)."""
        logger = logging.getLogger(self.logger)
        if self not in logger.filters:
            logger.addFilter(self)

    def detach(self) -> None:
        logging.getLogger(self.logger).removeFilter(self)

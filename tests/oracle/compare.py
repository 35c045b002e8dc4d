"""The oracle against a built site: which documents disagree, and a table a person can
read to see why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.oracle.built_site import Shown, pages_of, policy_pages, shown
from tests.oracle.honest_dates import Expected, Version

#: versions of a long history shown in the table: the newest ones, where a date goes wrong
VERSIONS_SHOWN = 12
#: dates listed where the site and the oracle differ, before "… and N more"
DATES_SHOWN = 16


@dataclass(frozen=True)
class Verdict:
    path: str
    expected: Expected
    shown: Shown | None  # None: the site has no page for the document

    @property
    def last_updated_agrees(self) -> bool:
        return self.shown is not None and self.shown.last_updated == self.expected.last_updated

    @property
    def versions_agree(self) -> bool:
        return self.shown is not None and len(self.shown.versions) == self.expected.versions

    @property
    def agrees(self) -> bool:
        return self.last_updated_agrees and self.versions_agree


@dataclass(frozen=True)
class Figures:
    documents: int
    last_updated_disagree: int
    versions_disagree: int
    site_versions: int
    oracle_versions: int

    def __str__(self) -> str:
        return (f"{self.documents} documents; 'Last updated' disagrees on "
                f"{self.last_updated_disagree}, the number of versions on "
                f"{self.versions_disagree}; versions: site {self.site_versions}, "
                f"oracle {self.oracle_versions}")


def verdicts(site: Path, expected: dict[str, Expected]) -> list[Verdict]:
    known = policy_pages(site)
    result = []
    for path, wanted in sorted(expected.items()):
        pages = pages_of(site, known, path)
        result.append(Verdict(path, wanted, shown(pages) if pages else None))
    return result


def figures(results: list[Verdict]) -> Figures:
    return Figures(
        documents=len(results),
        last_updated_disagree=sum(not v.last_updated_agrees for v in results),
        versions_disagree=sum(not v.versions_agree for v in results),
        site_versions=sum(len(v.shown.versions) for v in results if v.shown),
        oracle_versions=sum(v.expected.versions for v in results),
    )


def _date(day: object) -> str:
    return str(day) if day else "none"


def _version_line(path: str, version: Version) -> str:
    where = version.source if not version.evidence else f"{version.source}: {version.evidence!r}"
    if len(where) > 90:
        where = where[:87] + "…"
    was = f"  (as {version.path})" if version.path != path else ""
    return f"      {version.effective}  {version.commit[:10]}  {where}{was}"


def _dates_only_in(one: list[str], other: list[str]) -> str:
    extra = sorted((Counter(one) - Counter(other)).elements())
    if len(extra) > DATES_SHOWN:
        return ", ".join(extra[:DATES_SHOWN]) + f" … and {len(extra) - DATES_SHOWN} more"
    return ", ".join(extra) or "-"


def explain(verdict: Verdict) -> str:
    """One disagreement: the site against the oracle, and the oracle's versions."""
    wanted = verdict.expected
    if verdict.shown is None:
        head = f"{verdict.path}\n    site: no page found"
        site_dates: list[str] = []
    else:
        site_dates = [str(v.effective) for v in verdict.shown.versions]
        head = (f"{verdict.path}\n    site:   last updated {_date(verdict.shown.last_updated)}, "
                f"{len(site_dates)} versions")
    oracle_dates = [str(v.effective) for v in wanted.history]
    lines = [
        head,
        f"    oracle: last updated {_date(wanted.last_updated)}, {wanted.versions} versions "
        f"of {wanted.revisions} revisions",
        f"    effective dates only on the site: {_dates_only_in(site_dates, oracle_dates)}",
        f"    effective dates only in the oracle: {_dates_only_in(oracle_dates, site_dates)}",
        "    the oracle's versions (oldest first)"
        + (f", the last {VERSIONS_SHOWN}:" if wanted.versions > VERSIONS_SHOWN else ":"),
    ]
    lines += [_version_line(wanted.path, v) for v in wanted.history[-VERSIONS_SHOWN:]]
    return "\n".join(lines)


def report(name: str, results: list[Verdict]) -> str:
    wrong = [v for v in results if not v.agrees]
    parts = [f"{name}: {figures(results)}"]
    parts += [explain(v) for v in wrong]
    return "\n".join(parts)

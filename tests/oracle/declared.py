"""The date a text declares for itself, read by issue 20's rules. Written apart from the
product's parser on purpose (two implementations that must agree); it does not read it.

Precedence: a front matter key, then the first machine-readable attribute in the first
30 non-blank lines of the body (outside fenced code), then the first typed date line
("Last updated: April 20, 2023") there. A date that does not exist is skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml

from tests.oracle.words import lines_of

FRONT_MATTER_KEYS = ("effective", "effective_date", "last_updated", "last_modified",
                     "updated", "date")
WINDOW_LINES = 30

#: docs/reference.md: each of these, then optionally "on", "as of" or "from"
_KEYWORDS = ("effective", "effective date", "this version is effective", "updated",
             "modified", "revised", "last updated", "last modified", "last revised",
             "date of last revision")
TYPED_DATE_KEYWORDS = tuple(f"{keyword}{after}" for keyword in _KEYWORDS
                            for after in ("", " on", " as of", " from"))

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}


@dataclass(frozen=True)
class Declared:
    day: dt.date
    source: str  # which rule found it: "front matter <key>", "attr_list", "<time>", "typed line"
    evidence: str  # what was read: the value or the line


# -- (a) front matter ------------------------------------------------------------------


class _DatesAsText(yaml.SafeLoader):
    """YAML where a timestamp stays the text written (its date is read here, and a date
    that does not exist is one key skipped, not front matter lost)."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ].*)?", re.S)


def iso_day(value: str) -> dt.date | None:
    """The day of an ISO date or date-time, if it exists."""
    found = _ISO_DAY.fullmatch(value.strip())
    return found and _day(int(found[1]), int(found[2]), int(found[3]))


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def from_front_matter(front_matter: str | None) -> Declared | None:
    if not front_matter:
        return None
    try:
        data = yaml.load(front_matter, Loader=_DatesAsText)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    for key in FRONT_MATTER_KEYS:
        value = data.get(key)
        day = iso_day(value) if isinstance(value, str) else None
        if day:
            return Declared(day, f"front matter {key}", f"{key}: {value}")
    return None


# -- the window: the first 30 non-blank lines of the body, outside fenced code ----------

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def window(body: str) -> list[str]:
    lines: list[str] = []
    fence: str | None = None
    for line in lines_of(body):
        opening = _FENCE.match(line)
        if fence is None and opening and not (opening[1][0] == "`" and "`" in line[
                opening.end():]):
            fence = opening[1]
            continue
        if fence is not None:
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence) \
                    and not line[opening.end():].strip():
                fence = None
            continue
        if line.strip():
            lines.append(line)
            if len(lines) == WINDOW_LINES:
                break
    return lines


# -- (b) machine-readable attributes -----------------------------------------------------

_ATTR_LIST = re.compile(r"\{:?[ ]*([^}\n]*)\}")
_ATTR_DATETIME = re.compile(r"""(?:^|\s)datetime\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'}]+))""")
_TIME_ELEMENT = re.compile(
    r"""<time\b[^>]*?\sdatetime\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)


def _attributes(line: str) -> list[tuple[int, str, str]]:
    """(position, kind, value) of each datetime attribute of ``line``."""
    found = []
    for attr_list in _ATTR_LIST.finditer(line):
        for attribute in _ATTR_DATETIME.finditer(attr_list[1]):
            value = next(v for v in attribute.groups() if v is not None)
            found.append((attr_list.start(), "attr_list", value))
    for element in _TIME_ELEMENT.finditer(line):
        value = next(v for v in element.groups() if v is not None)
        found.append((element.start(), "<time>", value))
    return sorted(found)


def from_attributes(lines: list[str]) -> Declared | None:
    for line in lines:
        for _, kind, value in _attributes(line):
            day = iso_day(value)
            if day:
                return Declared(day, kind, line.strip())
    return None


# -- (c) typed date lines ----------------------------------------------------------------

_LEADING_MARKER = re.compile(r"(?:#+|>|[-*+](?=\s)|\d{1,9}[.)](?=\s))\s*")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_EMPHASIS = re.compile(r"[*_]+")


def plain(line: str) -> str:
    """``line`` without Markdown decoration: heading, quote and list markers, links (their
    text kept), backslash escapes and emphasis."""
    text = line.strip()
    while marker := _LEADING_MARKER.match(text):
        if not marker.group():
            break
        text = text[marker.end():]
    text = _LINK.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return _EMPHASIS.sub("", text).strip()


def _alternatives(words: list[str]) -> str:
    """A regex alternation, the longest first (so "effective date" is tried before
    "effective"), spaces matching any run of whitespace."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in ordered)


_MONTH = rf"(?:{_alternatives(list(MONTHS))})\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"\d{4}(?!\d)"
_DATE = (
    rf"(?P<md_month>{_MONTH})\s+(?P<md_day>\d{{1,2}}){_ORDINAL}(?:\s*,\s*|\s+)(?P<md_year>{_YEAR})"
    rf"|(?P<dm_day>\d{{1,2}}){_ORDINAL}\s+(?P<dm_month>{_MONTH})(?:\s*,\s*|\s+)(?P<dm_year>{_YEAR})"
    r"|(?P<iso_year>\d{4})-(?P<iso_month>\d{2})-(?P<iso_day>\d{2})(?!\d)"
)
_TYPED_DATE = re.compile(
    rf"(?:{_alternatives(list(TYPED_DATE_KEYWORDS))})\b\s*[:\-–—]?\s*(?:{_DATE})", re.I)


def _typed_day(found: re.Match[str]) -> dt.date | None:
    if found["iso_year"]:
        return _day(int(found["iso_year"]), int(found["iso_month"]), int(found["iso_day"]))
    prefix = "md" if found["md_year"] else "dm"
    month = MONTHS[found[f"{prefix}_month"].rstrip(".").lower()]
    return _day(int(found[f"{prefix}_year"]), month, int(found[f"{prefix}_day"]))


def from_typed_lines(lines: list[str]) -> Declared | None:
    for line in lines:
        found = _TYPED_DATE.match(plain(line))
        day = found and _typed_day(found)
        if day:
            return Declared(day, "typed line", line.strip())
    return None


def declared_date(front_matter: str | None, body: str) -> Declared | None:
    """The date ``body`` (with its ``front_matter``) declares for itself, if any."""
    if declared := from_front_matter(front_matter):
        return declared
    lines = window(body)
    return from_attributes(lines) or from_typed_lines(lines)

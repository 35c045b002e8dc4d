"""The date a policy's text declares for itself ("Effective May 4, 2026").

A policy that declares no ``changes:`` is dated version by version; many such texts say
their legal date near the top, and that date is more honest than the commit's (work is
often merged days before it takes effect, or translated weeks after). This module only
*reads* that date; it runs no git, no MkDocs and no I/O.

The rules, as implemented:

1. **Where.** Front matter, then the first 30 non-blank lines of the text (the text after
   its front matter). Fenced code blocks (a line starting, after at most three spaces,
   with ```` ``` ```` or ``~~~``; closed by a line of at least as many of the same
   character) are not read, but their lines count toward the 30. A fence left open hides
   the rest of the window. Dates further down (a revision log at the end, "(Revised on …)"
   lists) are never read. Within the window the **first** date of the highest-precedence
   kind wins: a sub-section's "Last updated" further down is ignored.
2. **Precedence.**

   a. *Front matter*, keys in this order (spelt exactly so): ``effective``,
      ``effective_date``, ``last_updated``, ``last_modified``, ``updated``, ``date``;
      the first with a date wins. A value is a date, a
      date-time (its date, as written, not converted to UTC), or a string holding an
      ISO 8601 date ``2026-05-04`` or date-time ``2026-05-04T10:00:00Z`` (also with a
      space for the ``T`` and before the offset, as Jekyll writes it); anything else is
      skipped, not an error.
   b. *A machine-readable attribute* in the window, the first in reading order, on one
      line: an attr_list ``{: datetime="2026-05-04" }`` (with or without the ``:``; single,
      double or no quotes; other attributes around it, ``{: #id .class datetime=… }``;
      anywhere on the line, so also at the end of ``Effective … {: datetime=… }``), or
      an HTML ``<time datetime="2026-05-04">`` (any case). The value is read as in
      front matter: an ISO 8601 date, or a date-time whose date is taken; any other
      value (``17-12-2025``) is skipped.
   c. In mode ``"all"`` only, the first *typed date line* in the window.
3. **A typed date line** is a line that, once its Markdown decoration is removed (leading
   ``#``, ``>``, ``-``, ``+`` and ``[``, an ordered-list marker ``1.``, every ``*`` and
   ``_``, backslash escapes, and links ``[text](url)`` → ``text``), *starts* with a
   keyword and then a date. Case does not matter; a no-break space is a space.

   * Keywords: ``effective``, ``effective date``, ``this version is effective``,
     ``updated``, ``modified``, ``revised``, ``last updated``, ``last modified``,
     ``last revised``, ``date of last revision``; each may be followed by ``on``,
     ``as of`` or ``from``, then by ``:``, ``-``, ``–`` or ``—`` or just a space.
   * Dates, in English: ``May 4, 2026``, ``May 4 2026``, ``May 4th, 2026``,
     ``4 May 2026``, ``4th May 2026``, ``4 May, 2026``, ``Nov. 16, 2020``,
     ``Sept 5, 2021``, ``2026-05-04``. Month names full or abbreviated (``Jan``,
     ``Feb.``, ``Sept`` …); the day in one or two digits, with or without ``st``,
     ``nd``, ``rd``, ``th``; the year in four.
   * Anything may follow the date (`` | [View printable version](…)``). Nothing but the
     words and punctuation above may come between the keyword and the date, so "We
     updated our policy on May 4, 2026" and "This addendum is effective from
     7 September 2023" are sentences, not date lines. Only the first 300 characters
     of a line (:data:`DATE_LINE_READ`) are read for it.
   * Not read: numeric dates other than ISO (``08/12/2026`` is August or December),
     a month without a day (``July 2026``), ``May, 14, 2025``, other languages.
4. **An invalid date** (``February 30, 2023``, ``2023-13-01``) is not a date: it is
   skipped and the search goes on.
5. **Modes** (:data:`MODES`): ``"all"``; ``"machine"``: front matter, attributes and
   ``<time>`` only; ``"off"``: never a date.

Cost: only the window is read (blank lines are skipped by one regular expression, never
by splitting the whole text), and a typed date line only in its first 300 characters. No
pattern can match a stretch of text in two ways (repetitions side by side or nested that
could share characters, the shape that backtracks catastrophically), and each repetition
stops at a character it cannot match: the time is linear in the window, whatever the text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MODES = ("all", "machine", "off")
#: non-blank lines read at the top of a text
WINDOW_LINES = 30
#: characters of a line read for a typed date: a date line is short, and a cap keeps a
#: long paragraph's cost out of every line's decoration removal
DATE_LINE_READ = 300
#: the longest ``written`` text
WRITTEN_MAX = 120

FRONT_MATTER = "front matter"
DATETIME_ATTRIBUTE = "datetime attribute"
TIME_ELEMENT = "time element"
DATE_LINE = "date line"

#: front matter keys, the first present with a date wins
FRONT_MATTER_KEYS = (
    "effective",
    "effective_date",
    "last_updated",
    "last_modified",
    "updated",
    "date",
)


@dataclass(frozen=True)
class DeclaredDate:
    """A date a text declares, and where: for people to check it."""

    date: dt.date
    #: FRONT_MATTER, DATETIME_ATTRIBUTE, TIME_ELEMENT or DATE_LINE
    kind: str
    #: what the text says, on one line, at most WRITTEN_MAX characters
    written: str
    #: 1-based line in the text given; for front matter, the key's line if known, else 1
    line: int


def declared_date(
    text: str,
    *,
    front_matter: Mapping[str, Any] | None = None,
    front_matter_lines: Mapping[str, int] | None = None,
    mode: str = "all",
) -> DeclaredDate | None:
    """The date ``text`` (a policy's Markdown after its front matter) declares for itself,
    by the rules of this module's docstring; None when it declares none.

    ``front_matter`` is the parsed front matter of a file policy; ``front_matter_lines``
    the line of each of its top-level keys, if known (for ``DeclaredDate.line``).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off":
        return None
    if front_matter:
        found = _from_front_matter(front_matter, front_matter_lines or {})
        if found:
            return found
    window = list(_window(text))
    found = _first_attribute(window)
    if found or mode == "machine":
        return found
    return _first_date_line(window)


#: texts' tops kept with the date each declares: a policy's revisions mostly keep the
#: lines at its top (``declared_in_head``)
HEAD_MEMO_SIZE = 1024


@lru_cache(maxsize=HEAD_MEMO_SIZE)
def declared_in_head(head: str, mode: str = "all") -> DeclaredDate | None:
    """``declared_date`` of a text without front matter, given its start through its
    first ``WINDOW_LINES`` non-blank lines (``PolicyText.head``): only those are read."""
    return declared_date(head, mode=mode)


# -- front matter -----------------------------------------------------------------------


def _from_front_matter(
    front_matter: Mapping[str, Any], lines: Mapping[str, int]
) -> DeclaredDate | None:
    for key in FRONT_MATTER_KEYS:
        value = front_matter.get(key)
        day = _front_matter_date(value)
        if day is not None:
            shown = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
            return DeclaredDate(day, FRONT_MATTER, _written(f"{key}: {shown}"),
                                lines.get(key, 1))
    return None


def _front_matter_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):  # before dt.date: a datetime is a date too
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _iso_date(value.strip())
    return None


#: an ISO 8601 date, or date-time (``T`` or a space, optional seconds, fraction, offset)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?"
    r" ?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)


def _iso_date(value: str) -> dt.date | None:
    """The date of an ISO 8601 date or date-time string; None if it is not one, or not a
    real day (``2023-02-30``) or time (``25:00``)."""
    match = _ISO.fullmatch(value)
    if match is None:
        return None
    hour, minute, second = (int(part) if part else 0 for part in match.group(4, 5, 6))
    if hour > 23 or minute > 59 or second > 60:  # 60: a leap second
        return None
    return _real_date(int(match[1]), int(match[2]), int(match[3]))


def _real_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# -- the window -------------------------------------------------------------------------


#: blank lines: each repetition ends with a newline its class cannot match, so no
#: character can be matched two ways (a line's indentation is tried once, then left)
_BLANK_LINES = re.compile(r"(?:[^\S\n]*\n)*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _window(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of the first WINDOW_LINES non-blank lines of ``text``, those in
    fenced code left out. Reads the text up to the window's end only."""
    position, number, non_blank = 0, 1, 0
    fence: str | None = None  # the open fence's marker
    while non_blank < WINDOW_LINES:
        blanks = _BLANK_LINES.match(text, position)
        assert blanks is not None  # it matches the empty string
        number += text.count("\n", position, blanks.end())
        position = blanks.end()
        if position >= len(text):
            return
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        line = text[position:end].rstrip()
        if not line:
            return  # spaces without a newline: the text's last line, and blank
        non_blank += 1
        if fence is None:
            fence = _opening_fence(line)
            if fence is None:
                yield number, line
        elif _closes(line, fence):
            fence = None
        position, number = end + 1, number + 1


def _opening_fence(line: str) -> str | None:
    match = _FENCE.match(line)
    if match is None:
        return None
    marker = match.group(1)
    if marker[0] == "`" and "`" in line[match.end():]:
        return None  # ```code``` on one line is inline code, not a fence (CommonMark)
    return marker


def _closes(line: str, fence: str) -> bool:
    match = _FENCE.match(line)
    return (match is not None and match.group(1)[0] == fence[0]
            and len(match.group(1)) >= len(fence) and not line[match.end():].strip())


def _written(text: str) -> str:
    one_line = " ".join(text.split())
    if len(one_line) <= WRITTEN_MAX:
        return one_line
    return one_line[: WRITTEN_MAX - 1] + "…"


# -- machine-readable attributes --------------------------------------------------------


#: an attr_list ``{…}``: the content cannot hold a brace, so each scan stops at the next
_ATTR_LIST = re.compile(r"\{:?([^{}\n]*)\}")
#: an HTML ``<time …>`` start tag, and its text and end tag when short and on the line
_TIME_TAG = re.compile(r"<time(?=[\s/>])([^<>]*)>(?:[^<\n]{0,80}</time\s*>)?", re.I)
#: a ``datetime`` attribute, as a whole word among others; the value's pattern cannot
#: match its own delimiter
_DATETIME = re.compile(
    r"(?:^|(?<=\s))datetime\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'<>=`{}]+))", re.I
)


def _first_attribute(window: list[tuple[int, str]]) -> DeclaredDate | None:
    for number, line in window:
        if "datetime" not in line.lower():
            continue  # nearly every line: skip the patterns
        found = _attribute_in_line(line, number)
        if found:
            return found
    return None


def _attribute_in_line(line: str, number: int) -> DeclaredDate | None:
    candidates = [(match, DATETIME_ATTRIBUTE) for match in _ATTR_LIST.finditer(line)]
    candidates += [(match, TIME_ELEMENT) for match in _TIME_TAG.finditer(line)]
    for match, kind in sorted(candidates, key=lambda candidate: candidate[0].start()):
        attribute = _DATETIME.search(match.group(1))
        if attribute is None:
            continue
        value = next(group for group in attribute.groups() if group is not None)
        day = _iso_date(value.strip())
        if day is not None:
            return DeclaredDate(day, kind, _written(match.group(0)), number)
    return None


# -- typed date lines -------------------------------------------------------------------


_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
# longest first, so "sept" is not read as "sep" + "t"; the look-ahead refuses "Mayor"
_MONTH = (
    "(?P<{}>"
    + "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True))
    + r")(?![a-z])\.?"
)
_DAY = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"
#: between the day or month and the year: a comma, or a space
_BEFORE_YEAR = r"(?:,\s*|\s+)"
_YEAR = r"(?P<{}>\d{{4}})(?!\d)"
_KEYWORD = (
    r"(?:this\s+version\s+is\s+)?effective(?:\s+date)?"
    r"|date\s+of\s+last\s+revision"
    r"|(?:last\s+)?(?:updated|modified|revised)"
)
# one way to match each character: the keyword's words, at most one connector, then
# either punctuation (with any spaces around it) or spaces alone
_DATE_LINE = re.compile(
    rf"(?:{_KEYWORD})(?:\s+(?:on|as\s+of|from))?(?:\s*[:\-–—]\s*|\s+)"
    r"(?:"
    + _MONTH.format("month1") + r"\s+" + _DAY.format("day1") + _BEFORE_YEAR
    + _YEAR.format("year1")
    + "|" + _DAY.format("day2") + r"\s+" + _MONTH.format("month2") + _BEFORE_YEAR
    + _YEAR.format("year2")
    + r"|(?P<year3>\d{4})-(?P<month3>\d{2})-(?P<day3>\d{2})(?!\d)"
    r")",
    re.I,
)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
#: an inline link: neither part can hold its own brackets, so each scan stops at the next
_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_ORDERED_MARKER = re.compile(r"\d{1,9}[.)]\s+")
_LEADING_DECORATION = "#>-+[ \t"


def _first_date_line(window: list[tuple[int, str]]) -> DeclaredDate | None:
    for number, line in window:
        plain = _undecorated(line[:DATE_LINE_READ])
        match = _DATE_LINE.match(plain)
        if match is None:
            continue
        day = _typed_date(match)
        if day is not None:
            return DeclaredDate(day, DATE_LINE, _written(match.group(0)), number)
    return None


def _undecorated(line: str) -> str:
    """The line's words without Markdown's decoration (see the module's rule 3)."""
    line = _ESCAPE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = line.replace("*", "").replace("_", "")
    line = line.lstrip(_LEADING_DECORATION)
    marker = _ORDERED_MARKER.match(line)
    if marker:
        line = line[marker.end():].lstrip(_LEADING_DECORATION)
    return line


def _typed_date(match: re.Match[str]) -> dt.date | None:
    for form in ("1", "2", "3"):
        year = match.group("year" + form)
        if year is None:
            continue
        month = match.group("month" + form)
        number = int(month) if month.isdigit() else _MONTH_NUMBERS[month.lower()]
        return _real_date(int(year), number, int(match.group("day" + form)))
    return None

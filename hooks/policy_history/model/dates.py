"""Dates for people, the same on every machine: in the policy's language (Babel's data,
never the machine's locale), English by default."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def human_date(day: dt.date, language: str = "") -> str:
    """``September 7, 2014``, or ``7. September 2014`` in German (``language``, a BCP 47
    tag; "" or one Babel does not know: English): independent of the machine's locale and
    time zone."""
    if language and language != "en":
        locale = babel_locale(language)
        if locale is not None:
            return _babel_date(day, locale)
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


@functools.lru_cache(maxsize=256)
def babel_locale(language: str) -> Any:
    """Babel's ``Locale`` for a language tag (``pt-BR``, ``zh_TW``), or None."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError, LookupError):
        return None


@functools.lru_cache(maxsize=65536)  # a long history shows the same days on many pages
def _babel_date(day: dt.date, locale: Any) -> str:
    from babel.dates import format_date

    return str(format_date(day, format="long", locale=locale))


def date_view(day: dt.date | None, language: str = "") -> dict[str, str] | None:
    """A date as templates use it: ``iso`` for ``<time datetime>``, ``text`` for people."""
    if day is None:
        return None
    return {"iso": day.isoformat(), "text": human_date(day, language)}

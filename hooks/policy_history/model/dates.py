"""Dates for people, the same on every machine: English month names, never the locale."""

from __future__ import annotations

import datetime as dt

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


def human_date(day: dt.date) -> str:
    """``September 7, 2014``: independent of the machine's locale and time zone."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def date_view(day: dt.date | None) -> dict[str, str] | None:
    """A date as templates use it: ``iso`` for ``<time datetime>``, ``text`` for people."""
    if day is None:
        return None
    return {"iso": day.isoformat(), "text": human_date(day)}

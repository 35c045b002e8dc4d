"""The oracle's reading of declared dates (issue 20's rule 3), case by case."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.oracle.declared import declared_date, plain

DAY = dt.date(2026, 5, 4)


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("*Last updated: April 20, 2023*", dt.date(2023, 4, 20)),
        ("**Effective date:** May 4, 2026", DAY),
        ("# Last Updated on May 4th, 2026", DAY),
        ("> _Effective as of 4 May 2026_", DAY),
        ("- Revised: Nov. 16, 2020", dt.date(2020, 11, 16)),
        ("Updated — Sept 5, 2021", dt.date(2021, 9, 5)),
        ("Date of last revision: 2026-05-04", DAY),
        ("1. Effective from 4th May 2026.", DAY),
        ("Last modified - May 4 2026 (see below)", DAY),
        ("EFFECTIVE ON MAY 4, 2026", DAY),
        ("Effective [May 4, 2026](https://example.com/changes)", DAY),
        (r"Last updated\: May 4, 2026", DAY),
        ("Last revised on: 2nd January, 2025", dt.date(2025, 1, 2)),
        ("Effective immediately.", None),
        ("This policy was last updated on May 4, 2026.", None),  # not at the start
        ("Last updated: February 30, 2026", None),  # no such day
        ("Last updated: April 2023", None),  # no day
        ("Last updated: 04/05/2026", None),  # which of April 5 and May 4?
        ("Last modified on May 4, 2026", dt.date(2026, 5, 4)),  # any keyword, then "on"
        ("Modified: April 28, 2026", dt.date(2026, 4, 28)),  # Parler
        ("Updates: May 4, 2026", None),
        ("Effective May 4, 20261", None),
        ("Effective Mayday 4, 2026", None),
    ],
)
def test_a_typed_date_line(line: str, day: dt.date | None) -> None:
    found = declared_date(None, f"# Terms\n\n{line}\n\nWe keep logs.\n")
    assert (found.day if found else None) == day
    assert found is None or found.source == "typed line"


def test_decoration_is_stripped_before_the_line_is_read() -> None:
    assert plain(r"## **[Last](x) _updated_** \- May 4") == "Last updated - May 4"
    assert plain("> > 12) Effective") == "Effective"


def test_front_matter_comes_first_in_its_order_of_keys() -> None:
    front = "title: Terms\ndate: 2020-01-01\nupdated: '2021-02-03T10:00:00Z'\n"
    body = '{: datetime="2024-01-01" }\n\nLast updated: May 4, 2026\n'
    found = declared_date(front, body)
    assert found is not None
    assert (found.day, found.source) == (dt.date(2021, 2, 3), "front matter updated")


@pytest.mark.parametrize("value", ["2026-02-30", "soon", "20260504", "[2026-05-04]"])
def test_a_front_matter_key_without_a_date_is_ignored(value: str) -> None:
    found = declared_date(f"effective: {value}\nlast_updated: 2026-05-04\n", "Text.\n")
    assert found is not None
    assert (found.day, found.source) == (DAY, "front matter last_updated")


def test_an_attribute_wins_over_an_earlier_typed_line() -> None:
    body = "# Notice\n\nLast updated: January 1, 2020\n\nEffective May 4, 2026\n" \
           '{: .date datetime="2026-05-04" }\n'
    found = declared_date(None, body)
    assert found is not None
    assert (found.day, found.source) == (DAY, "attr_list")


@pytest.mark.parametrize(
    "line",
    [
        "{: datetime=2026-05-04 }",
        "{:#when datetime='2026-05-04'}",
        'Effective <time datetime="2026-05-04T09:00:00Z">today</time>',
        "<TIME class=x DATETIME=2026-05-04>May 4</TIME>",
    ],
)
def test_a_machine_readable_attribute(line: str) -> None:
    found = declared_date(None, f"# Notice\n\n{line}\n")
    assert found is not None
    assert found.day == DAY


def test_an_impossible_attribute_is_skipped_for_the_next() -> None:
    body = '{: datetime="2026-02-30" }\n\n<time datetime="2026-05-04">May 4</time>\n'
    found = declared_date(None, body)
    assert found is not None
    assert found.day == DAY


def test_an_impossible_typed_date_is_skipped_for_the_next_line() -> None:
    body = "Last updated: February 30, 2026\n\nEffective: May 4, 2026\n"
    found = declared_date(None, body)
    assert found is not None
    assert found.day == DAY


def test_only_the_first_30_non_blank_lines_are_read() -> None:
    filler = "".join(f"Paragraph {n}.\n\n" for n in range(29))
    assert declared_date(None, filler + "Last updated: May 4, 2026\n") is not None
    assert declared_date(None, filler + "One more.\n\nLast updated: May 4, 2026\n") is None


def test_fenced_code_is_not_read() -> None:
    fenced = "```\nLast updated: January 1, 2020\n```\n\n~~~~ text\n" \
             '{: datetime="2020-01-01" }\n~~~~\n\nUpdated: May 4, 2026\n'
    found = declared_date(None, fenced)
    assert found is not None
    assert found.day == DAY


def test_fenced_lines_do_not_use_up_the_window() -> None:
    code = "```\n" + "code\n" * 40 + "```\n"
    assert declared_date(None, code + "Last updated: May 4, 2026\n") is not None


def test_no_date_at_all() -> None:
    assert declared_date("title: Terms\n", "# Terms\n\nWe keep logs for 30 days.\n") is None

"""Ours next to difflib, redlines and lxml htmldiff on real changes: words marked vs truth.

The truth and every tool's count are computed (see ``comparison``); nothing here is a number
read off another tool. ``scripts/compare_redlines.py`` shows the same comparison in
``docs/redline-comparison.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from comparison import CASES, TOOLS, Case, Comparison, compare, failure_modes

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "redline-comparison.md"


@pytest.fixture(scope="module")
def compared(
    clone: Callable[[str], Path], render: Callable[[str], str]
) -> Callable[[Case], Comparison]:
    """Compare each real change once per module."""
    done: dict[str, Comparison] = {}

    def get(case: Case) -> Comparison:
        if case.key not in done:
            done[case.key] = compare(case, clone(case.corpus), render)
        return done[case.key]

    return get


def test_at_least_six_real_changes() -> None:
    assert len(CASES) >= 6
    assert len({case.key for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.key for case in CASES])
def test_ours_marks_what_changed_and_nothing_else(compared, case: Case) -> None:
    result = compared(case)
    ours, truth = result.marked["ours"], result.truth
    # Never less than what changed, on either side...
    assert ours.deleted >= truth.deleted, result
    assert ours.inserted >= truth.inserted, result
    # ...and no more than a few words beyond it.
    assert ours.total <= truth.total + case.tolerance, result
    # No other tool marks fewer words than ours on the same change.
    for tool in TOOLS[1:]:
        assert ours.total <= result.marked[tool].total, (tool, result)


@pytest.mark.parametrize("case", CASES, ids=[case.key for case in CASES])
def test_our_marks_sit_in_valid_places(compared, render, case: Case) -> None:
    result = compared(case)
    assert [problem for tool, problem in failure_modes(result, render) if tool == "ours"] == []


def test_one_word_rename_marks_one_word(compared) -> None:
    result = compared(next(c for c in CASES if c.key == "bluesky-pbc"))
    assert result.truth.total == 1
    assert result.marked["ours"].total == 1
    # A line diff marks the whole paragraph, both times.
    assert result.marked["difflib"].total > 20 * result.truth.total


def test_list_marker_only_change_marks_nothing(compared) -> None:
    result = compared(next(c for c in CASES if c.key == "list-markers"))
    assert result.truth.total == 0
    assert result.marked["ours"].total == 0
    assert "<ins" not in result.outputs["ours"] and "<del" not in result.outputs["ours"]


def test_a_changed_link_target_is_a_change(compared) -> None:
    result = compared(next(c for c in CASES if c.key == "link-target"))
    # The link's words did not change but its target did: both its versions are marked.
    assert result.truth.deleted == result.truth.inserted > 0
    assert result.marked["ours"] == result.truth


def test_the_docs_page_shows_every_change() -> None:
    """docs/redline-comparison.md is written by scripts/compare_redlines.py from CASES."""
    page = PAGE.read_text(encoding="utf-8")
    for case in CASES:
        assert f"`{case.key}`" in page, f"re-run scripts/compare_redlines.py ({case.key})"

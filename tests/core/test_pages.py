"""The site layer's page data, on real histories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from policy_history.loader import load_history
from policy_history.site.pages import section_marks


def test_section_marks_of_every_version_in_one_pass_equal_each_asked_alone(
        corpus: Callable[[str], Path]) -> None:
    """The archive asks for every version's section marks at once; on a real history they
    equal ``PolicyHistory.section_changed_on`` asked version by version."""
    loaded = load_history(corpus("basecamp-policies"), render=lambda text: text,
                          as_of=dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc))
    checked = 0
    for history in loaded.site.policies.values():
        marks = section_marks(history)
        for version in history.versions:
            assert marks[version.number] == history.section_changed_on(version)
            checked += 1
    assert checked == sum(len(h.versions) for h in loaded.site.policies.values()) > 100

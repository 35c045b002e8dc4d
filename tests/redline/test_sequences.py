"""The redline's ``SequenceMatcher`` (cydifflib's, where installed) gives the standard
library's opcodes: a redline must not depend on which one a machine has."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_history.redline import sequences

#: few distinct items, so that sequences repeat them as words repeat in a policy
ITEMS = st.one_of(st.sampled_from(["the", "data", "we", "of", "you", "may", "30"]),
                  st.integers(0, 40))


def _both(a: list[object], b: list[object]) -> tuple[list[tuple[str, int, int, int, int]],
                                                     list[tuple[str, int, int, int, int]]]:
    ours = sequences.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    standard = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return [tuple(op) for op in ours], [tuple(op) for op in standard]  # type: ignore[misc]


def test_the_fast_matcher_is_the_one_in_use() -> None:
    pytest.importorskip("cydifflib")
    assert sequences.SequenceMatcher.__module__.startswith("cydifflib")


@settings(max_examples=400, deadline=None)
@given(st.lists(ITEMS, max_size=120), st.lists(ITEMS, max_size=120))
def test_the_same_opcodes_as_difflib(a: list[object], b: list[object]) -> None:
    ours, standard = _both(a, b)
    assert ours == standard


@settings(max_examples=200, deadline=None)
@given(st.lists(ITEMS, max_size=300),
       st.lists(st.tuples(st.integers(0, 300), st.sampled_from(["drop", "add", "swap"]),
                          ITEMS), max_size=12))
def test_the_same_opcodes_after_a_few_edits(a: list[object],
                                            edits: list[tuple[int, str, object]]) -> None:
    """The usual case: a long block with a few words changed."""
    b = list(a)
    for place, kind, item in edits:
        at = place % (len(b) + 1)
        if kind == "add" or not b:
            b.insert(at, item)
        elif kind == "drop":
            del b[at % len(b)]
        else:
            b[at % len(b)] = item
    ours, standard = _both(a, b)
    assert ours == standard

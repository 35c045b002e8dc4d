"""The redline's shortcuts for big documents give what the plain way gives."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykit.redline.blocks import normalise, split_row


def reference_split_row(line: str) -> list[str]:
    """Table cells, one character at a time (the plain reading split_row must agree with)."""
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells, current, in_code = [], "", False
    i = 0
    while i < len(row):
        char = row[i]
        if char == "\\" and i + 1 < len(row):
            current += row[i : i + 2]
            i += 2
            continue
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current)
            current = ""
        else:
            current += char
        i += 1
    cells.append(current)
    return cells


@pytest.mark.parametrize(
    "row",
    [
        "| a | b |",
        "a | b",
        r"| a \| b | c |",  # an escaped pipe stays in its cell
        "| `a | b` | c |",  # so does a pipe in a code span
        r"| \`a | b` | c |",  # an escaped backtick opens no code span
        "| a | b \\|",  # an escaped pipe at the end is no closing pipe
        "| a | b \\",  # a lone backslash at the end
        "| `open | b |",  # an unclosed code span keeps the rest
        "|",
        "",
    ],
)
def test_tricky_table_rows(row: str) -> None:
    assert split_row(row) == reference_split_row(row)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab |`\\\t\u00a0", max_size=20))
def test_table_rows_split_as_read_one_character_at_a_time(row: str) -> None:
    assert split_row(row) == reference_split_row(row)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="a \t\n\r\x0b\x1c\u00a0\u2028\u3000", max_size=20))
def test_whitespace_collapses_as_the_regex_reads_it(text: str) -> None:
    with_breaks = re.sub(r" {2,}\n", " <br> ", text)
    assert normalise(text) == re.sub(r"\s+", " ", with_breaks).strip()

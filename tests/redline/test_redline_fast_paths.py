"""The redline's shortcuts for big documents give what the plain way gives."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from policykit.redline import (
    clear_caches,
    diff_documents,
    render_inline,
    render_side_by_side,
    render_summary,
)
from policykit.redline.blocks import normalise, split_row
from policykit.redline.document import parse
from policykit.redline.memo import MODULES


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


def fields_of(text: str) -> list[tuple[object, ...]]:
    blocks = parse(text).blocks
    return [(b.kind, b.source, b.key, b.index, b.line, b.section, b.group) for b in blocks]


def test_the_parse_cache_never_returns_a_stale_or_shared_document() -> None:
    text = "# Terms\n\nWe keep [logs][l] for 30 days.\n\n- one\n- two\n\n[l]: https://a.example\n"
    first = parse(text)
    expected = fields_of(text)
    # What one caller does to its blocks is not what the next caller gets.
    first.blocks[1].key = "changed"
    first.blocks.pop()
    first.refdefs.clear()
    again = parse(text)
    assert fields_of(text) == expected
    assert again.refdefs == {"l": "[l]: https://a.example"}
    assert all(a is not b for a, b in zip(first.blocks, again.blocks, strict=False))
    # A one-character edit is a new document.
    assert "31 days" in parse(text.replace("30", "31")).blocks[1].key
    assert fields_of(text) == expected


def test_cached_blocks_render_through_each_callers_renderer() -> None:
    text = "Same words.\n"
    first = diff_documents(text, text + "\nMore.\n", render=lambda md: f"<p>one {md}</p>")
    second = diff_documents(text, text + "\nMore.\n", render=lambda md: f"<p>two {md}</p>")
    assert first.blocks[0].new_html == "<p>one Same words.</p>"
    assert second.blocks[0].new_html == "<p>two Same words.</p>"


VERSIONS = [
    "# Privacy\n\nWe collect [data](https://a.example) and **use** it.\n\n"
    "1. First item\n2. Second item\n    - nested\n\n"
    "| Kind | Kept |\n| --- | --- |\n| Logs | 30 days |\n| Mail | 1 year |\n\n"
    "## Sharing\n\nWe share nothing with partners, ever, in any way at all.\n",
    "# Privacy\n\nWe collect [data](https://b.example) and use it.\n\n"
    "1. First item\n2. Third item\n    - nested\n\n"
    "| Kind | Kept |\n| --- | --- |\n| Logs | 90 days |\n\n"
    "## Sharing\n\nWe share nothing with partners, ever, in any way at all.\n\n"
    "New closing paragraph.\n",
    "## Sharing\n\nWe share nothing with partners, ever, in any way at all.\n\n"
    "# Privacy\n\nWe collect data. We use it.\n\n- First item\n",
]


def views(old: str, new: str, render) -> tuple[str, ...]:
    redline = diff_documents(old, new, render=render, anchor_prefix="r")
    return (
        str(render_inline(redline)),
        str(render_side_by_side(redline, anchor_suffix="-side")),
        str(render_inline(redline, changes_only=True)),
        str(render_summary(redline)),
    )


def test_kept_results_give_the_same_bytes_as_fresh_ones(render) -> None:
    pairs = [(a, b) for a in VERSIONS for b in VERSIONS]
    fresh = []
    for old, new in pairs:
        clear_caches()
        fresh.append(views(old, new, render))
    kept = [views(old, new, render) for old, new in pairs]  # each warms the next
    assert kept == fresh
    assert [views(old, new, render) for old, new in reversed(pairs)] == fresh[::-1]


def test_clear_caches_forgets_everything(render) -> None:
    views(VERSIONS[0], VERSIONS[1], render)
    clear_caches()
    caches = [
        value
        for module in MODULES
        for value in vars(module).values()
        if callable(getattr(value, "cache_info", None))
    ]
    assert len(caches) > 10
    assert all(cache.cache_info().currsize == 0 for cache in caches)


def test_kept_frames_escape_a_label_unless_it_is_markup(render) -> None:
    redline = diff_documents("Old.\n", "New.\n", render=render)
    trusted = str(render_side_by_side(redline, old_label=Markup("<b>Before</b>")))
    plain = str(render_side_by_side(redline, old_label="<b>Before</b>"))
    assert '<th scope="col"><b>Before</b></th>' in trusted
    assert '<th scope="col">&lt;b&gt;Before&lt;/b&gt;</th>' in plain

"""The redline's shortcuts for big documents give what the plain way gives."""

from __future__ import annotations

import re
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from redline_helpers import check_redline, git_show, git_versions

from policy_history.redline import (
    clear_caches,
    diff_documents,
    document,
    render_inline,
    render_side_by_side,
    render_summary,
)
from policy_history.redline.blocks import Splitter, normalise, split_row
from policy_history.redline.document import _specs, parse
from policy_history.redline.memo import MODULES


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
    assert not document._LAST  # the text parsed last, which the next is parsed from


def test_kept_frames_escape_a_label_unless_it_is_markup(render) -> None:
    redline = diff_documents("Old.\n", "New.\n", render=render)
    trusted = str(render_side_by_side(redline, old_label=Markup("<b>Before</b>")))
    plain = str(render_side_by_side(redline, old_label="<b>Before</b>"))
    assert '<th scope="col"><b>Before</b></th>' in trusted
    assert '<th scope="col">&lt;b&gt;Before&lt;/b&gt;</th>' in plain


# Documents split piece by piece (``document._pieces``): the blocks of splitting them whole.

SPEC_FIELDS = (
    "kind", "source", "key", "text", "index", "line", "depth", "list_type", "ordinal",
    "level", "title", "section", "group",
)  # fmt: skip


def split_whole(text: str) -> list[tuple[object, ...]]:
    """The blocks' fields from one split of the whole document (no pieces, no caches)."""
    splitter = Splitter(text)
    return list(_specs(splitter.split(), splitter.refdefs, ""))


def split_in_pieces(text: str) -> list[tuple[object, ...]]:
    return [tuple(getattr(b, name) for name in SPEC_FIELDS) for b in parse(text).blocks]


def pieces_of(text: str) -> int:
    return len(document._parsed_whole(text).pieces)


#: Lines that start, end or continue every kind of block, and the ones that run on past
#: a blank line (fences, HTML, comments, indented code, admonitions, list continuations).
MARKDOWN_LINES = [
    "", "", "", "# Title", "## Sub", "### A | B", "Setext", "===", "---", "Some *text* here.",
    "Uses [a link][one] and [two].", "[one]: https://a.example", "[Two]: https://b.example",
    "- item", "* other", "1. first", "2. second", "    - nested", "    1. nested",
    "    continued paragraph", "        deep code", "  - spaced item", " lazy", "```", "~~~",
    "```python", "<div>", "</div>", "<div><div>", "<!-- note", "-->", "<hr>", "<p>raw</p>",
    "| a | b |", "| --- | --- |", "| 1 | 2 |", "> quoted", "> # quoted heading",
    "!!! note", "??? tip", "***", "\tTabbed", "text  ", "Last line.",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(MARKDOWN_LINES), max_size=40))
def test_pieces_give_the_blocks_of_the_whole_document(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert split_in_pieces(text) == split_whole(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(MARKDOWN_LINES), max_size=30),
    st.lists(st.tuples(st.integers(0, 30), st.sampled_from(MARKDOWN_LINES)), max_size=4),
)
def test_pieces_kept_from_one_version_fit_the_next(lines: list[str], edits) -> None:
    """Versions sharing pieces (kept from the one before) still split as wholes."""
    edited = list(lines)
    for where, line in edits:
        edited.insert(min(where, len(edited)), line)
    for text in ("\n".join(lines), "\n".join(edited)):
        assert split_in_pieces(text) == split_whole(text)


def test_pieces_give_the_blocks_of_real_policies(clone) -> None:
    repo = clone("ota-pga-versions")
    tracked = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "*.md"], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    texts = [git_show(repo, "HEAD", path) for path in tracked]
    # Consecutive versions of the biggest policy: most of their pieces are kept ones.
    facebook = "Facebook/Privacy Policy.md"
    texts += [git_show(repo, commit, facebook) for commit in git_versions(repo, facebook)[-40:]]
    for text in texts:
        assert split_in_pieces(text) == split_whole(text)
    # The pieces are small: the shortcut is taken, not skipped.
    assert pieces_of(texts[-1]) > 200


@pytest.mark.parametrize(
    "text",
    [
        "Para.\n\n```\ncode\n\nstill code\n```\n\nAfter.\n",  # a fence across blank lines
        "<div>\n\nInside.\n\n</div>\n\nAfter.\n",  # raw HTML across blank lines
        "<!-- a\n\nb -->\n\nAfter.\n",
        "```\nnever closed\n\n# Not a heading\n\nStill code.\n",
        "- a\n\n- b\n\n1. c\n\n2. d\n",  # loose lists: one group, numbered on
        "- a\n\n    more of a\n\nText.\n\n- b\n",
        "Text [x].\n\n# H\n\n[x]: https://a.example\n\nMore [x].\n",
    ],
)
def test_pieces_where_blocks_run_on_past_a_blank_line(text: str) -> None:
    assert split_in_pieces(text) == split_whole(text)


# Runs of pieces both versions share (``runs``): kept whole, written from kept markup.

LONG = "".join(
    f"## Part {n}\n\nClause {n} keeps the same words in every version.\n\n"
    f"- item {n}a\n- item {n}b\n    - nested {n}\n\n"
    f"| Kind | Kept |\n| --- | --- |\n| Logs {n} | {n} days |\n\n"
    "Learn more.\n\n"  # the same paragraph in every part: anchors numbered on
    for n in range(1, 21)
)


def test_a_small_change_in_a_long_document_keeps_the_rest_as_runs(render) -> None:
    new = LONG.replace("Clause 11 keeps", "Clause 11 now keeps")
    redline = check_redline(LONG, new, render)
    # a run, the pieces around the change block by block (the one before it too: where a
    # piece ends is read off the next one's first line), a run
    assert [getattr(item, "size", 1) for item in redline.items] == [80, 1, 1, 1, 1, 1, 75]
    assert len(redline.blocks) == len(parse(new).blocks) == 20 * 8
    assert [c.new.text for c in redline.changes] == ["Clause 11 now keeps the same words in "
                                                      "every version."]
    # the changes-only view shows one block of context on each side, the rest counted
    shown = str(render_inline(redline, changes_only=True))
    assert "… 80 unchanged blocks …" in shown and "… 77 unchanged blocks …" in shown
    assert [item.size for item in check_redline(LONG, LONG, render).items] == [160]


@pytest.mark.parametrize("edit", [
    lambda text: text.replace("| Logs 5 | 5 days |\n", ""),  # a row of a table goes
    lambda text: text.replace("- item 7b\n", "- item 7b\n- item 7c\n"),  # an item comes
    lambda text: text.replace("## Part 3\n\n", "") + "Learn more.\n",  # a heading goes
    lambda text: text.replace("Learn more.\n\n", "", 1),  # a repeated paragraph goes
    lambda text: "| Kind |\n| --- |\n\n" + text,  # a table of one header row before all
])
def test_runs_around_every_kind_of_change(render, edit) -> None:
    """Runs next to list items, table rows, repeated blocks: the same bytes as writing
    every block (check_redline), anchors numbered across runs and changes."""
    check_redline(LONG, edit(LONG), render)
    check_redline(edit(LONG), LONG, render)

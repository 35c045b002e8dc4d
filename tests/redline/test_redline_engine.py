"""Block alignment, moves, splits, anchors, statistics and the views."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from redline_helpers import check_redline, marks, marks_in, parse_strict

from policy_history.redline import (
    diff_documents,
    extract_text,
    render_inline,
    render_side_by_side,
    render_summary,
)

PARAS = [
    "Alpha paragraph explains how we collect your personal data from you.",
    "Bravo paragraph explains how we share your personal data with partners.",
    "Charlie paragraph explains how long we keep your data and why.",
    "Delta paragraph explains the rights you have over your data.",
    "Echo paragraph explains how to contact our privacy team.",
]


def doc(*paras: str) -> str:
    return "\n\n".join(paras) + "\n"


def ops(redline) -> list[tuple[str, str]]:
    return [(c.op, c.move_role) for c in redline.blocks]


def test_an_unchanged_document_gives_an_empty_redline(render) -> None:
    redline = check_redline(doc(*PARAS), doc(*PARAS), render)
    assert redline.is_empty and redline.changes == []
    assert redline.stats.words_added == redline.stats.words_removed == 0
    assert "No changes" in str(render_summary(redline))


def test_a_moved_paragraph_is_a_move_with_links_both_ways(render) -> None:
    new = doc(PARAS[0], PARAS[2], PARAS[3], PARAS[1], PARAS[4])
    redline = check_redline(doc(*PARAS), new, render)
    moves = [c for c in redline.blocks if c.op == "move"]
    assert [c.move_role for c in moves] == ["from", "to"]
    source, target = moves
    assert source.move_peer == target.anchor and target.move_peer == source.anchor
    assert redline.stats.words_added == redline.stats.words_removed == 0
    html = str(render_inline(redline))
    assert f'href="#{target.anchor}"' in html and f'href="#{source.anchor}"' in html
    assert 'class="redline-ins redline-moved"' in html


def test_a_moved_and_edited_paragraph_marks_the_edit_inside_the_move(render) -> None:
    edited = PARAS[1].replace("partners", "trusted partners")
    redline = check_redline(
        doc(*PARAS), doc(PARAS[0], PARAS[2], PARAS[3], edited, PARAS[4]), render
    )
    (target,) = [c for c in redline.blocks if c.move_role == "to"]
    assert redline.stats.words_added == 1 and redline.stats.words_removed == 0
    root = parse_strict(target.inline_html)
    plain = [e for e in root.iter("ins") if e.get("class") == "redline-ins"]
    assert [extract_text("".join(e.itertext())) for e in plain] == ["trusted"]


def test_a_moved_section_is_recognised(render) -> None:
    intro = "# Policy\n\nIntro text that stays where it is, at the top of the page."
    one = "## Retention\n\n" + PARAS[2] + "\n\n" + PARAS[3]
    two = "## Sharing\n\n" + PARAS[1] + "\n\n" + PARAS[4]
    redline = check_redline(doc(intro, one, two), doc(intro, two, one), render)
    assert len(redline.stats.sections_moved) == 1
    moved = [c for c in redline.blocks if c.op == "move"]
    assert len(moved) == 6 and redline.stats.words_added == 0


def test_a_split_paragraph_is_one_replace_not_delete_and_insert(render) -> None:
    old = doc(PARAS[0], PARAS[1] + " " + PARAS[2], PARAS[3])
    redline = check_redline(old, doc(*PARAS[:4]), render)
    assert [c.op for c in redline.changes] == ["replace"]
    (change,) = redline.changes
    assert change.note == "split" and change.old.parts == 1 and change.new.parts == 2
    assert change.words_added == change.words_removed == 0
    merged = check_redline(doc(*PARAS[:4]), old, render)
    assert [c.note for c in merged.changes] == ["merged"]


def test_replaced_blocks_pair_by_similarity(render) -> None:
    new = doc(
        PARAS[0],
        PARAS[1].replace("share", "sell"),
        "A brand new paragraph here.",
        PARAS[2].replace("long", "briefly"),
        PARAS[3],
        PARAS[4],
    )
    redline = check_redline(doc(*PARAS), new, render)
    assert [c.op for c in redline.changes] == ["replace", "insert", "replace"]
    assert redline.stats.words_added == 1 + 5 + 1
    assert redline.stats.words_removed == 2


def test_anchors_are_deterministic_and_do_not_count_blocks(render) -> None:
    first = diff_documents(doc(*PARAS), doc(*PARAS[1:]), render=render)
    again = diff_documents(doc(*PARAS), doc(*PARAS[1:]), render=render)
    assert [c.anchor for c in first.blocks] == [c.anchor for c in again.blocks]
    # An unchanged paragraph keeps its anchor whatever happens elsewhere in the document.
    other = diff_documents(doc("Zulu.", *PARAS), doc(*PARAS[1:], "Yankee."), render=render)
    anchor = {c.new.text: c.anchor for c in first.blocks if c.op == "equal"}
    for change in other.blocks:
        if change.op == "equal":
            assert anchor.get(change.new.text, change.anchor) == change.anchor
    # Repeated content gets distinct, still deterministic anchors.
    twice = diff_documents(doc("Same.", "Same."), doc("Same.", "Same."), render=render)
    assert len({c.anchor for c in twice.blocks}) == 2
    prefixed = diff_documents(doc("Same."), doc("Other."), render=render, anchor_prefix="v3")
    assert all(c.anchor.startswith("v3-") for c in prefixed.blocks)


def test_statistics_name_the_changed_sections(render) -> None:
    old = "# A\n\nOne two three.\n\n# B\n\nFour five six.\n\n# C\n\nSeven.\n"
    new = "# A\n\nOne two three.\n\n# B\n\nFour six seven eight.\n\n# C\n\nSeven.\n"
    redline = check_redline(old, new, render)
    assert redline.stats.sections_changed == ["B"]
    assert (redline.stats.words_added, redline.stats.words_removed) == (2, 1)
    summary = str(render_summary(redline))
    parse_strict(summary)
    assert "2 words added" in summary and "1 word removed" in summary and ">B</a>" in summary


def test_section_names_read_as_the_headings_show(render) -> None:
    """Backslash escapes in a heading ("1\\. Scope", as numbered headings are often
    written) are shown as the page shows them."""
    old = "## 1\\. Scope \\(all users\\)\n\nOne two three.\n"
    new = "## 1\\. Scope \\(all users\\)\n\nOne two four.\n"
    redline = check_redline(old, new, render)
    assert redline.stats.sections_changed == ["1. Scope (all users)"]
    assert "1. Scope (all users)" in str(render_summary(redline))


def test_changes_only_collapses_long_unchanged_runs(render) -> None:
    paras = [f"Paragraph number {n} stays the same." for n in range(20)]
    new = list(paras)
    new[10] = "Paragraph number 10 has changed."
    redline = check_redline(doc(*paras), doc(*new), render)
    html = str(render_inline(redline, changes_only=True, context=2))
    skips = re.findall(r'class="redline-skip">… (\d+) unchanged blocks …', html)
    assert skips == ["8", "7"]
    assert html.count("redline-block") == 5
    assert "Paragraph number 9 " in extract_text(html) and "number 12 " in extract_text(html)
    full = str(render_inline(redline))
    assert "redline-skip" not in full and full.count("redline-block") == 20
    side = str(render_side_by_side(redline, changes_only=True, context=0))
    assert re.findall(r"… (\d+) unchanged blocks …", side) == ["10", "9"]


def test_side_by_side_has_old_and_new_columns(render) -> None:
    redline = check_redline("- one\n- two three\n", "- one\n- two four\n- five\n", render)
    html = str(render_side_by_side(redline))
    root = parse_strict(html)
    rows = [tr for tr in root.iter("tr") if tr.get("id")]
    assert len(rows) == 3
    old_cells = [r.find("td") for r in rows]
    assert [marks_in(c, "del") for c in old_cells] == [[], ["three"], []]
    assert [marks_in(c, "ins") for c in old_cells] == [[], [], []]
    assert marks(html, "ins") == ["four", "five"]


def test_renumbered_lists_show_each_versions_numbers(render) -> None:
    redline = check_redline("1. one\n2. two\n3. three\n", "1. one\n2. three\n", render)
    html = str(render_inline(redline))
    values = re.findall(r'<li[^>]*value="(\d+)"', html)
    assert values == ["1", "2", "2"]  # "two" was item 2 before; "three" is item 2 now


def test_same_bytes_across_processes_and_hash_seeds() -> None:
    script = (
        "import sys, markdown\n"
        "from policy_history.redline import diff_documents, render_inline\n"
        "md = markdown.Markdown(extensions=['tables'])\n"
        "def render(t):\n    md.reset()\n    return md.convert(t)\n"
        f"old, new = {doc(*PARAS)!r}, {doc(PARAS[3], PARAS[0], 'New words.', PARAS[2])!r}\n"
        "sys.stdout.write(str(render_inline(diff_documents(old, new, render=render))))\n"
    )
    hooks = str(Path(__file__).resolve().parents[2] / "hooks")
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": hooks},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and "redline-move" in outputs.pop()

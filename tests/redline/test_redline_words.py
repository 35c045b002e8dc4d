"""Word-level marks inside a changed block: exact, whole words, well nested."""

from __future__ import annotations

import time

from redline_helpers import check_redline, mark_groups, marks, nesting_errors, parse_strict

from policy_history.redline import extract_text, render_inline


def inline_of(old: str, new: str, render) -> str:
    return str(render_inline(check_redline(old, new, render)))


def test_one_changed_word_is_the_only_mark(render) -> None:
    html = inline_of("We mean Bluesky, PBC.\n", "We mean Bluesky Social, PBC.\n", render)
    assert marks(html, "ins") == ["Social"]
    assert marks(html, "del") == []


def test_words_are_never_split_into_letters(render) -> None:
    html = inline_of("We share information daily.\n", "We share informations daily.\n", render)
    assert marks(html, "del") == ["information"]
    assert marks(html, "ins") == ["informations"]


def test_a_changed_link_target_is_a_change_of_the_link(render) -> None:
    redline = check_redline(
        "Read [our terms](https://a.example/terms) first.\n",
        "Read [our terms](https://b.example/terms) first.\n",
        render,
    )
    (change,) = redline.changes
    html = change.inline_html
    root = parse_strict(html)
    links = {a.get("href"): "".join(a.itertext()) for a in root.iter("a")}
    assert set(links) == {"https://a.example/terms", "https://b.example/terms"}
    old_link = next(a for a in root.iter("a") if a.get("href") == "https://a.example/terms")
    new_link = next(a for a in root.iter("a") if a.get("href") == "https://b.example/terms")
    assert [e.tag for e in old_link] == ["del"]
    assert [e.tag for e in new_link] == ["ins"]
    assert marks(html, "del") == ["our terms"] and marks(html, "ins") == ["our terms"]
    assert 'href="https://' in html and "<ins" not in html.split('href="')[1].split('"')[0]


def test_marks_stay_inside_emphasis_and_links(render) -> None:
    html = inline_of(
        "You **must not share your password** with [anyone at all](https://x.example).\n",
        "You **must never share your password** with [anyone else](https://x.example).\n",
        render,
    )
    root = parse_strict(html)
    strong = next(root.iter("strong"))
    assert [e.tag for e in strong] == ["del", "ins"]
    assert marks(html, "del") == ["not", "at all"]
    assert marks(html, "ins") == ["never", "else"]


def test_a_changed_table_cell_is_marked_inside_that_cell(render) -> None:
    table = "| Data | Kept for |\n| --- | --- |\n| Logs | {} |\n| Email | 2 years |\n"
    html = inline_of(table.format("30 days"), table.format("90 days"), render)
    root = parse_strict(html)
    cells = [td for td in root.iter("td") if td.find("ins") is not None]
    assert len(cells) == 1
    assert marks(html, "del") == ["30"] and marks(html, "ins") == ["90"]
    assert nesting_errors(root) == []


def test_a_changed_list_item_keeps_the_list_valid(render) -> None:
    html = inline_of(
        "- alpha\n- beta gamma\n- delta\n", "- alpha\n- beta epsilon\n- delta\n", render
    )
    root = parse_strict(html)
    (ul,) = list(root.iter("ul"))
    assert [child.tag for child in ul] == ["li", "li", "li"]
    assert marks(html, "ins") == ["epsilon"]


def test_changes_split_only_by_punctuation_read_as_one(render) -> None:
    html = inline_of(
        "We keep logs, backups and copies for thirty days.\n",
        "We keep records, archives and extracts for thirty days.\n",
        render,
    )
    assert mark_groups(html, "del") == ["logs, backups", "copies"]
    assert mark_groups(html, "ins") == ["records, archives", "extracts"]


def test_every_mark_has_screen_reader_text(render) -> None:
    html = inline_of("Keep this. Drop that.\n", "Keep this. Add more.\n", render)
    root = parse_strict(html)
    for tag, label in (("ins", "[inserted: "), ("del", "[deleted: ")):
        first = next(root.iter(tag))
        spans = [s for s in first.iter("span") if s.get("class") == "redline-sr"]
        assert spans and spans[0].text == label
    # The labels are not part of the document's text.
    assert "inserted" not in extract_text(html)


def test_whole_inserted_blocks_are_marked_inside_their_elements(render) -> None:
    html = inline_of(
        "# T\n\n- a\n", "# T\n\nNew *para*.\n\n- a\n- b\n\n| x | y |\n|--|--|\n| 1 | 2 |\n", render
    )
    root = parse_strict(html)
    assert nesting_errors(root) == []
    assert marks(html, "ins") == ["New", "para", ".", "b", "x", "y", "1", "2"]


def test_a_huge_block_falls_back_to_sentences_and_stays_exact(render) -> None:
    sentences = [f"Sentence {n} talks about item {n} and more words here." for n in range(400)]
    old = " ".join(sentences) + "\n"
    changed = list(sentences)
    changed[10] = "Sentence 10 talks about something entirely different now."
    changed[300] = "Sentence 300 talks about item 300 and even more words here."
    new = " ".join(changed) + "\n"
    start = time.perf_counter()
    redline = check_redline(old, new, render)
    assert time.perf_counter() - start < 5
    # "item 10 and more words here" → "something entirely different now"; + "even".
    assert redline.stats.words_added == 4 + 1
    assert redline.stats.words_removed == 6
    html = redline.changes[0].inline_html
    assert marks(html, "ins") == ["something entirely different now", "even"]

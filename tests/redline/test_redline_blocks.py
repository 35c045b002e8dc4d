"""Splitting Markdown into blocks, and what counts as "no change"."""

from __future__ import annotations

import textwrap

import markdown
import pytest

from policy_history.redline import diff_documents, extract_text, render_inline
from policy_history.redline.document import BlockRenderer, parse


def kinds(text: str) -> list[tuple[str, int]]:
    return [(b.kind, b.depth) for b in parse(textwrap.dedent(text)).blocks]


def test_every_block_kind_is_recognised() -> None:
    doc = """
    # Title

    Intro paragraph
    on two lines.

    Sub title
    ---------

    - one
    - two
        - nested
    1. first

    | a | b |
    |---|---|
    | c | d |

    > quoted
    > text

        indented code

    ```
    fenced

    code
    ```

    <div class="x">
    raw *html*
    </div>

    * * *
    """
    assert kinds(doc) == [
        ("heading", 0),
        ("paragraph", 0),
        ("heading", 0),
        ("list_item", 0),
        ("list_item", 0),
        ("list_item", 1),
        ("list_item", 0),
        ("table_header", 0),
        ("table_row", 0),
        ("blockquote", 0),
        ("code", 0),
        ("code", 0),
        ("html", 0),
        ("hr", 0),
    ]


def test_headings_know_their_section_and_level() -> None:
    blocks = parse("Terms\n=====\n\nText.\n\n## Your *data*\n\nMore.\n").blocks
    assert [(b.kind, b.level, b.section) for b in blocks] == [
        ("heading", 1, "Terms"),
        ("paragraph", 0, "Terms"),
        ("heading", 2, "Your data"),
        ("paragraph", 0, "Your data"),
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("1. a\n2. b\n", "1.  a\n2.  b\n"),  # marker spacing
        ("* a\n* b\n", "- a\n- b\n"),  # bullet character
        ("1. a\n2. b\n", "1. a\n1. b\n"),  # renumbered
        ("One  two\nthree.\n", "One two three.\n"),  # whitespace and line wrapping
        ("# Title\n", "Title\n=====\n"),  # ATX vs Setext
        ("Text\n", "Text   \n\n\n"),  # trailing blanks
        ("*a* b\n", "_a_ b\n"),  # same rendering, different source
    ],
)
def test_formatting_only_differences_are_no_change(old: str, new: str, render) -> None:
    redline = diff_documents(old, new, render=render)
    assert redline.is_empty
    assert redline.stats.blocks_changed == 0


def test_a_hard_line_break_is_a_change(render) -> None:
    assert not diff_documents("a\nb\n", "a  \nb\n", render=render).is_empty


def test_reference_links_resolve_and_their_target_is_part_of_the_key(render) -> None:
    old = "See [the policy][p] now.\n\n[p]: https://example.com/old\n"
    new = "See [the policy][p] now.\n\n[p]: https://example.com/new\n"
    blocks = parse(old, BlockRenderer(render)).blocks
    assert len(blocks) == 1
    assert 'href="https://example.com/old"' in blocks[0].html
    redline = diff_documents(old, new, render=render)
    (change,) = redline.changes
    assert 'href="https://example.com/old"' in change.inline_html
    assert 'href="https://example.com/new"' in change.inline_html


def test_blocks_render_to_the_same_text_as_the_whole_document(render) -> None:
    doc = textwrap.dedent("""
    # Privacy

    We collect [data][1] and **use** it.

    1. First item
       continues lazily
    2. Second item

        Second paragraph of the item.

        - nested one
        - nested two

    | Col | Other |
    | --- | ----- |
    | a   | b     |

    > A quote
    over two lines

    [1]: https://example.com "Data"
    """)
    blocks = parse(doc, BlockRenderer(render)).blocks
    joined = "\n".join(b.html for b in blocks)
    assert extract_text(joined) == extract_text(render(doc))


def test_list_items_carry_depth_type_and_number() -> None:
    blocks = parse("1. a\n2. b\n    - c\n    - d\n3. e\n").blocks
    assert [(b.list_type, b.depth, b.ordinal) for b in blocks] == [
        ("ol", 0, 1),
        ("ol", 0, 2),
        ("ul", 1, 1),
        ("ul", 1, 2),
        ("ol", 0, 3),
    ]


def test_each_distinct_block_is_rendered_once() -> None:
    calls: list[str] = []

    def counting(text: str) -> str:
        calls.append(text)
        return f"<p>{text}</p>"

    redline = diff_documents("Same.\n\nOld.\n", "Same.\n\nNew.\n", render=counting)
    assert sorted(calls) == ["New.", "Old."]  # the unchanged block is rendered on demand
    assert redline.blocks[0].new_html == redline.blocks[0].old_html == "<p>Same.</p>"
    assert sorted(calls) == ["New.", "Old.", "Same."]


def test_the_sites_permalinks_and_admonitions(render) -> None:
    site = markdown.Markdown(
        extensions=["toc", "attr_list", "tables", "admonition"],
        extension_configs={"toc": {"permalink": True}},
    )

    def site_render(text: str) -> str:
        site.reset()
        return site.convert(text)

    old = '# Terms\n\n!!! note "Heads up"\n    First.\n\n    Second here.\n\nAfter.\n'
    new = old.replace("# Terms", "# Terms of use").replace("here", "there")
    assert [b.kind for b in parse(old).blocks] == ["heading", "admonition", "paragraph"]
    redline = diff_documents(old, new, render=site_render)
    html = str(render_inline(redline))
    assert "headerlink" not in html  # permalinks are navigation, not text to compare
    assert [(c.op, c.kind) for c in redline.changes] == [
        ("replace", "heading"),
        ("replace", "admonition"),
    ]
    assert (redline.stats.words_added, redline.stats.words_removed) == (3, 1)

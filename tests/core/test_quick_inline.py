"""The quick inline pass renders every text byte for byte as Python-Markdown's own does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown.inlinepatterns import LinkInlineProcessor

from policy_history.rendering import quick_inline
from policy_history.rendering.quick_inline import (
    BracketEnds,
    QuickInlineProcessor,
    QuickTarget,
    needs_of,
)
from tests.core.test_markdown_chunks import distinct_sections

#: the site's usual extensions and those that bring inline patterns of their own
EXTENSIONS = ["toc", "attr_list", "tables", "admonition", "def_list", "footnotes", "abbr",
              "smarty", "md_in_html"]


def converters(extensions: list[str] = EXTENSIONS) -> tuple[Callable[[str], str],
                                                           Callable[[str], str]]:
    """Python-Markdown as it comes, and with the quick inline pass."""
    plain = markdown.Markdown(extensions=extensions)
    quick = markdown.Markdown(extensions=extensions)
    assert quick_inline.install(quick)

    def render(md: markdown.Markdown) -> Callable[[str], str]:
        def convert(text: str) -> str:
            md.reset()
            return md.convert(text)
        return convert

    return render(plain), render(quick)


#: one text for each built-in pattern (and the extensions' own), plain words around them
TEXTS = {
    "plain words": "We collect the data you give us and keep it for thirty days.",
    "a code span": "Call `delete()` to remove it, or ``a ` b`` for a backtick.",
    "escaped characters": r"Not \*emphasis\*, not \[a link\], a backslash \\ alone.",
    "a link with a title": 'Read [our terms](terms.md "Terms") and [the law](https://x.eu).',
    "a reference link": "See [the law][gdpr] or [gdpr].\n\n[gdpr]: https://gdpr.eu",
    "an image": "A logo: ![Logo](logo.png) and ![ref][img].\n\n[img]: i.png",
    "an autolink and a mail": "Write to <privacy@example.com> or see <https://example.com>.",
    "a hard line break": "First line  \nsecond line",
    "raw inline HTML": 'Some <abbr title="General Data">GDPR</abbr> and <br> a <!-- note -->.',
    "entities": "Fees &amp; charges &copy; 2014 &#169; &#xA9; & a lone ampersand.",
    "emphasis and strong": "*One* **two** ***three*** _four_ __five__ a * b _ c snake_case",
    "nested inline": "**[A *bold* link](a.md)** and `*not em*` and *[em link](b.md)*",
    "a footnote": "A claim.[^1]\n\n[^1]: The *source*.",
    "an abbreviation": "The GDPR applies.\n\n*[GDPR]: General Data Protection Regulation",
    "smart quotes and dashes": "\"Quoted\" -- it's 'single' ... and --- more",
    "a table": "| Data | Kept |\n|---|---|\n| *logs* | 30 [d](d.md) |\n| `ip` | 1 year |",
    "a list and a heading": "## Your *rights*\n\n- **Access**: ask\n- _Erasure_: <a href=x>x</a>",
    "a definition list": "Term\n:   The *meaning* of [it](t.md).",
    "markdown in HTML": '<div markdown="1">\nSome *text* [here](h.md).\n</div>',
    "an attribute list": "A paragraph with *style*{: .note }\n{: #intro }",
    "brackets nested and left open": "[a [b] c](x.md) [open [ and ![i [j]](k.png) ] [x] ]]",
    "link targets": "[a]( spaced.md ) [b](x(1).md) [c](u 't') [d](&amp;x?a=1&b=2) [e](<f g>)"
                    " [h](open [i](j.md 'k' ) [l](m\nn.md) [o](p\"q)",
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_each_kind_of_inline_markup_renders_as_python_markdown_renders_it(text: str) -> None:
    plain, quick = converters()
    assert quick(text) == plain(text)


def test_every_built_in_pattern_is_skipped_when_it_cannot_match() -> None:
    """Else the pass is no quicker: each of Python-Markdown's own patterns has its needs."""
    md = markdown.Markdown()
    assert [needs_of(pattern) is not None for pattern in md.inlinePatterns] == \
        [True] * len(md.inlinePatterns)


def test_a_text_a_built_in_pattern_matches_holds_what_it_needs() -> None:
    """What skipping rests on, for every pattern, on texts each pattern matches."""
    md = markdown.Markdown(extensions=EXTENSIONS)
    texts = [*TEXTS.values(), *(line for text in TEXTS.values() for line in text.split("\n"))]
    for pattern in md.inlinePatterns:
        needs = needs_of(pattern)
        if needs is None:
            continue
        matched = [text for text in texts if pattern.getCompiledRegExp().search(text)]
        assert matched, f"no text tries {pattern.pattern!r}"
        for text in texts:
            if not any(need in text for need in needs):
                assert pattern.getCompiledRegExp().search(text) is None, (pattern, text)


#: Python-Markdown's own bracket scan, where it has one (3.11 and later)
FIND_BRACKET_ENDS = getattr(LinkInlineProcessor, "_findBracketEnds", None)
needs_bracket_scan = pytest.mark.skipif(FIND_BRACKET_ENDS is None,
                                        reason="this Python-Markdown has no bracket scan")


@needs_bracket_scan
@given(st.text(alphabet="[]a!(\\", max_size=60))
def test_bracket_ends_answer_as_python_markdown_s_scan_for_every_index(data: str) -> None:
    assert FIND_BRACKET_ENDS is not None
    ends = BracketEnds(data)
    assert [ends[index] for index in range(len(data) + 1)] == FIND_BRACKET_ENDS(data)


@needs_bracket_scan
def test_the_link_patterns_use_bracket_ends_once_run() -> None:
    """Else the pass is no quicker on linked text: every link pattern gets them."""
    md = markdown.Markdown(extensions=EXTENSIONS)
    links = [pattern for pattern in md.inlinePatterns
             if isinstance(pattern, LinkInlineProcessor)]
    assert len(links) >= 4  # links, images, references and short references
    assert not any("_findBracketEnds" in vars(pattern) for pattern in links)
    assert quick_inline.install(md)
    md.convert("[a](b.md)")
    assert all(vars(pattern).get("_findBracketEnds") is BracketEnds for pattern in links)


@given(st.text(alphabet="(a )'\"<>\\&t\n", max_size=40))
def test_a_link_s_target_is_read_as_python_markdown_reads_it(target: str) -> None:
    """From the ``(`` after a link's text, as the link patterns ask: quick or not."""
    md = markdown.Markdown()
    md.convert("[a](b.md)")  # the inline pass's state, which unescaping reads
    pattern = md.inlinePatterns["link"]
    data = f"[text]({target}"
    assert QuickTarget(pattern)(data, 6) == LinkInlineProcessor.getLink(pattern, data, 6)


def test_links_and_images_read_their_targets_quickly_once_run() -> None:
    md = markdown.Markdown(extensions=EXTENSIONS)
    assert quick_inline.install(md)
    md.convert("[a](b.md) ![c](d.png)")
    quick = [name for name in ("link", "image_link")
             if isinstance(vars(md.inlinePatterns[name]).get("getLink"), QuickTarget)]
    assert quick == ["link", "image_link"]


def test_an_extension_s_own_pattern_is_always_tried() -> None:
    md = markdown.Markdown(extensions=["footnotes", "smarty"])
    own = [pattern for pattern in md.inlinePatterns
           if type(pattern).__module__.startswith("markdown.extensions")]
    assert own
    assert all(needs_of(pattern) is None for pattern in own)


def test_an_inline_processor_of_an_extension_is_left_as_it_is() -> None:
    md = markdown.Markdown()
    md.treeprocessors["inline"].__class__ = type("Theirs", (QuickInlineProcessor,), {})
    before = md.treeprocessors["inline"]
    assert not quick_inline.install(md)
    assert md.treeprocessors["inline"] is before
    assert type(before).__name__ == "Theirs"


@pytest.mark.parametrize("name", ["basecamp-policies", "legalmattic"])
def test_every_section_of_a_real_history_renders_the_same(
        name: str, corpus: Callable[[str], Path], tmp_path: Path) -> None:
    plain, quick = converters(["toc", "attr_list", "tables"])
    sections = distinct_sections(corpus(name), tmp_path)
    assert len(sections) > 100
    for text in sections:
        assert quick(text) == plain(text), text[:200]


def test_as_an_extension_it_renders_mkdocs_pages_the_same() -> None:
    """How the hook hands it to MkDocs; the site's own extensions are the rest."""
    extensions: list[object] = ["toc", "tables", quick_inline.QuickInline()]
    md = markdown.Markdown(extensions=extensions)
    assert type(md.treeprocessors["inline"]) is QuickInlineProcessor
    assert quick_inline.without_quick_inline(extensions) == ["toc", "tables"]
    plain = markdown.Markdown(extensions=["toc", "tables"])
    for text in TEXTS.values():
        md.reset()
        plain.reset()
        assert md.convert(text) == plain.convert(text)

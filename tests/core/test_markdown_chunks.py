"""Texts rendered by pieces must come out byte for byte as rendered whole: where a cut
would change the HTML, the text is not cut (each guard is shown to matter)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import markdown
import pytest

from policy_history import manifest
from policy_history.loader import load_history
from policy_history.model.fingerprints import (
    joined_visible,
    section_print,
    visible_parts,
    visible_text,
)
from policy_history.rendering import sanitise as safe_html
from policy_history.rendering.chunks import PIECE_BREAK, Chunker, render_by_pieces, render_together
from policy_history.site.renderer import PolicyRenderer, markdown_renderer
from tests.support import counted

#: the sample site's extensions, plus those MkDocs always adds
EXTENSIONS = ["toc", "attr_list", "tables", "admonition", "fenced_code"]
CONFIGS = {"toc": {"permalink": True}}


def site_render(extensions: list[str] = EXTENSIONS,
                configs: dict[str, dict[str, object]] = CONFIGS) -> Callable[[str], str]:
    converter = markdown.Markdown(extensions=extensions, extension_configs=configs)

    def render(text: str) -> str:
        converter.reset()
        return safe_html.sanitise(converter.convert(text))

    return render


RENDER = site_render()
CHUNKER = Chunker.for_extensions(EXTENSIONS, CONFIGS)
#: with the extensions whose definitions reach across blocks
RENDER_ALL = site_render([*EXTENSIONS, "footnotes", "abbr"])


def naive(text: str) -> str:
    """Every blank line a cut: what the guards are there to prevent."""
    return "\n".join(html for html in map(RENDER_ALL, text.split("\n\n")) if html)


CUT = {
    "paragraphs and headings":
        "## Data\n\nWe collect *data*.\n\nWe keep it.\n\n### Logs\n\nFor 30 days.",
    "a list then a paragraph": "- one\n- two\n\nAfter the list.\n\n1. first\n2. second\n\nEnd.",
    "a paragraph starting with bold": "Intro.\n\n**Note:** this starts with a star.",
    "a table": "Before.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nAfter.",
    "an admonition": "Before.\n\n!!! note\n    Inside.\n\n    Still inside.\n\nAfter.",
    "a setext heading and a rule": "Title\n=====\n\nText.\n\n---\n\nMore.",
    "indented code after a paragraph": "Text:\n\n    code\n\n    more code\n\nAfter.",
    "blank lines with spaces": "One.\n   \n\nTwo.\n\n\n\nThree.",
    "headings that differ only in case have one id apart": "# Rights\n\nA.\n\n# Duties\n\nB.",
    "a loose list then a paragraph": "- one\n\n- two\n\nText.",
    "a list item's second paragraph": "- one\n\n    more of one\n\nText.",
}


@pytest.mark.parametrize("text", CUT.values(), ids=CUT.keys())
def test_a_text_cut_into_pieces_renders_as_it_does_whole(text: str) -> None:
    assert CHUNKER is not None
    assert len(CHUNKER.pieces(text)) > 1
    assert render_by_pieces(text, CHUNKER, RENDER) == RENDER(text)


NOT_CUT = {
    "a numbered list going on": "1. one\n\n2. two",
    "a quote going on": "> one\n\n> two",
    "a reference definition": "See [the law][law].\n\nText.\n\n[law]: https://example.com/law",
    "a footnote": "A claim.[^1]\n\nText.\n\n[^1]: The source.",
    "an abbreviation": "The GDPR applies.\n\nText.\n\n*[GDPR]: General Data Protection Regulation",
    "a raw HTML block": "<div>\n\nText inside.\n\n</div>",
    "fenced code with a blank line": "```\ncode\n\nmore\n```\n\nText.",
    "an explicit id": "## Intro\n\nA.\n\n## Start {#intro}\n\nB.",
    "a table of contents": "[TOC]\n\n## One\n\nA.\n\n## Two\n\nB.",
}


@pytest.mark.parametrize("text", NOT_CUT.values(), ids=NOT_CUT.keys())
def test_a_text_whose_blocks_reach_each_other_is_rendered_whole(text: str) -> None:
    assert CHUNKER is not None
    assert CHUNKER.pieces(text) == [text]
    assert naive(text) != RENDER_ALL(text)  # cutting it would have changed the page


RENUMBERED = {
    "two headings with one id": "## Contact\n\nA.\n\n## Contact\n\nB.\n\n## Contact\n\nC.",
    "two underlined headings with one id": "Contact\n-------\n\nA.\n\nContact\n-------\n\nB.",
    "one id without a space after the hashes": "###Rules\n\nA.\n\n#### Rules:\n\nB.",
    "headings that differ only in markup": "## The *rules*\n\nA.\n\n## The rules\n\nB.",
    "headings with no words":
        "### \n\nHighlights\n\n### \n\nHighlights\n\n## Contact\n\n###\n\nEnd.",
    "an id given twice in a list": "- ## Item\n\nA.\n\n## Item\n\nB.",
}


@pytest.mark.parametrize("text", RENUMBERED.values(), ids=RENUMBERED.keys())
def test_headings_of_one_id_in_pieces_are_told_apart_once_joined(text: str) -> None:
    assert CHUNKER is not None
    cut = CHUNKER.cut(text)
    assert cut.renumber and len(cut.pieces) > 1
    assert naive(text) != RENDER_ALL(text)  # joined as they are, two headings share an id
    whole = RENDER(text)
    assert render_by_pieces(text, CHUNKER, RENDER) == whole
    assert 'href="#' in whole  # the permalinks follow their headings' ids


TOLD_APART_IN_A_PIECE = {
    "two headings of one id in one piece": "## Contact\n## Contact\n\nA.\n\n## Contact\n\nB.",
    "a heading named as a second one would be":
        "## Rules\n\nA.\n\n## Rules\n\nB.\n\n## Rules_1\n\nC.",
    "two headings with no words in one piece": "### \n### \n\nA.\n\n### \n\nB.",
}


@pytest.mark.parametrize("text", TOLD_APART_IN_A_PIECE.values(),
                         ids=TOLD_APART_IN_A_PIECE.keys())
def test_ids_a_piece_told_apart_itself_make_the_text_render_whole(text: str) -> None:
    calls: list[str] = []

    def counting(piece: str) -> str:
        calls.append(piece)
        return RENDER(piece)

    assert render_by_pieces(text, CHUNKER, counting) == RENDER(text)
    assert calls[-1] == text  # the pieces' ids could not be renumbered: rendered whole


def test_unknown_extensions_or_their_own_slugify_turn_cutting_off() -> None:
    assert Chunker.for_extensions(["toc", "pymdownx.superfences"]) is None
    assert Chunker.for_extensions(["markdown.extensions.toc", "tables"]) is not None
    custom = Chunker.for_extensions(["toc"], {"toc": {"slugify": lambda text, sep: "x"}})
    assert custom is not None
    assert custom.pieces("## A\n\nText.\n\n## B\n\nMore.") == ["## A\n\nText.\n\n## B\n\nMore."]
    assert len(custom.pieces("## A\n\nText.\n\nMore.")) == 3  # one heading: no id to clash


def distinct_sections(repo: Path, tmp_path: Path) -> list[str]:
    """Every distinct section a build of ``repo``'s history renders."""
    seen: dict[str, None] = {}

    def record(text: str) -> str:
        seen[text] = None
        return RENDER(text)

    load_history(repo, render=record, as_of=dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc),
                 cache_dir=tmp_path, check_working_tree=False)
    return list(seen)


@pytest.mark.parametrize("name", ["basecamp-policies", "legalmattic"])
def test_every_section_of_a_real_history_renders_the_same_by_pieces(
        name: str, corpus: Callable[[str], Path], tmp_path: Path) -> None:
    assert CHUNKER is not None
    sections = distinct_sections(corpus(name), tmp_path)
    cut = [text for text in sections if len(CHUNKER.pieces(text)) > 1]
    assert len(cut) > len(sections) / 2  # cutting pays on real text
    pieces: dict[str, str] = {}

    def by_piece(piece: str) -> str:
        if piece not in pieces:
            pieces[piece] = RENDER(piece)
        return pieces[piece]

    for text in sections:
        assert render_by_pieces(text, CHUNKER, by_piece) == RENDER(text), text[:200]
    assert sum(map(len, pieces)) < sum(map(len, sections)) * 0.8  # shared pieces, once


@pytest.mark.parametrize("name", ["basecamp-policies", "legalmattic"])
def test_what_sections_say_is_worked_out_from_their_pieces(
        name: str, corpus: Callable[[str], Path], tmp_path: Path) -> None:
    """A cold build renders pieces and works out each section's words (for versions.json)
    and fingerprint from its pieces': the same as from the section's whole HTML."""
    sections = distinct_sections(corpus(name), tmp_path)
    # the build's renderer: pieces many to a Markdown call
    renderer = PolicyRenderer(markdown_renderer(EXTENSIONS, CONFIGS),
                              visible=manifest.visible_text, chunker=CHUNKER)
    # two policies, shared pieces too; in two batches, as a dry replay finds them
    thirds = len(sections) // 3
    batches = [{"a": sections[:thirds:2], "b": sections[1:thirds:2]},
               {"a": sections[thirds::2], "b": sections[thirds + 1::2]}]
    digests = renderer.prerender(iter(batches), workers=2)
    assert set(digests) == set(sections)
    for text in sections:
        html = RENDER(text)
        assert renderer.markdown(text) == html
        assert renderer.visible(text) == manifest.visible_text(html)
        assert digests[text] == section_print([visible_parts(html)]), text[:200]


def test_pieces_words_and_targets_join_as_the_whole_text_s() -> None:
    html = ('<p>One <a href="a.md">link</a>&amp;</p>\n<p> </p>\n<p><a href="">empty</a> '
            '<img src="x.png" alt=""></p>')
    pieces = html.split("\n")
    assert joined_visible(visible_parts(piece) for piece in pieces) == visible_text(html)
    assert manifest.joined_visible_text(manifest.visible_text(p) for p in pieces) == \
        manifest.visible_text(html)


#: pieces that must render in a shared call as they do alone, or be kept out of one
TOGETHER = [
    "## Data", "We collect *data*.", "- one\n- two", "1. first\n2. second",
    "Term\n\n: its definition", ": a definition's start", "> quoted", "    indented code",
    "| a | b |\n|---|---|\n| 1 | 2 |", "!!! note\n    Inside.", "Title\n=====", "---",
    "## Data", "Data\n----", "A paragraph\nof two lines  \nwith a break.",
    f"Says {PIECE_BREAK} itself.", "[TOC]", "<div>raw</div>", "[a]: https://example.com",
    "Text with a [link][a].", "``` \nfenced\n```", "{: #own-id }", "",
    "* starred item", "Last.",
]


def test_pieces_rendered_many_to_a_call_come_out_as_alone() -> None:
    render = site_render([*EXTENSIONS, "def_list"])
    chunker = Chunker.for_extensions([*EXTENSIONS, "def_list"], CONFIGS)
    assert chunker is not None
    convert, calls = counted(render)
    assert render_together(TOGETHER, chunker, convert) == [render(p) for p in TOGETHER]
    assert len(calls) < len(TOGETHER) - 5  # some calls held several pieces
    # each guard matters: rendered in one call, these pieces would not come out as alone
    for first, second in [("## Data", "Data\n----"), ("Term", ": a definition's start"),
                          ("Text with a [link][a].", "[a]: https://example.com")]:
        whole = render(f"{first}\n\n{PIECE_BREAK}\n\n{second}")
        assert whole.split(f"\n<p>{PIECE_BREAK}</p>\n") != [render(first), render(second)]


def test_a_call_whose_html_does_not_part_is_made_again_piece_by_piece() -> None:
    def convert(text: str) -> str:  # a renderer that drops the break
        return RENDER(text).replace(f"<p>{PIECE_BREAK}</p>", "<p>gone</p>")

    pieces = ["One.", "Two.", "Three."]
    assert CHUNKER is not None
    assert render_together(pieces, CHUNKER, convert) == [RENDER(p) for p in pieces]


@pytest.mark.parametrize("name", ["basecamp-policies", "legalmattic"])
def test_a_real_history_s_pieces_render_many_to_a_call_as_alone(
        name: str, corpus: Callable[[str], Path], tmp_path: Path) -> None:
    assert CHUNKER is not None
    pieces = list(dict.fromkeys(piece for text in distinct_sections(corpus(name), tmp_path)
                                for piece in CHUNKER.pieces(text)))
    convert, calls = counted(RENDER)
    assert render_together(pieces, CHUNKER, convert) == [RENDER(piece) for piece in pieces]
    assert len(calls) < len(pieces) / 2  # many to a call (a heading each, at most)

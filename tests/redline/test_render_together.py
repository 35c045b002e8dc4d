"""List items and table rows rendered many in one call must come out byte for byte as
each does rendered alone; where a block could not, it is rendered alone (each guard is
shown to matter)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from redline_helpers import make_render

from policy_history.redline.document import BlockRenderer, _top_items, extract, parse, pieces
from policy_history.redline.model import Block
from policy_history.rendering.chunks import Chunker
from policy_history.repository import open_repository
from policy_history.site.renderer import MarkdownRenderer, PolicyRenderer
from tests.support import counted

EXTENSIONS = ["toc", "attr_list", "tables"]


class Converting(MarkdownRenderer):
    """The site's Markdown renderer, keeping each text it converts."""

    def __init__(self, extensions: list[str]) -> None:
        super().__init__(extensions, {})
        self.converted: list[str] = []

    def _convert(self, text: str) -> str:
        self.converted.append(text)
        return super()._convert(text)


def policy_renderer(extensions: list[str] = EXTENSIONS) -> tuple[PolicyRenderer, Converting]:
    """A renderer of policy texts by pieces, as the site's, and the Markdown it calls."""
    converting = Converting(extensions)
    return PolicyRenderer(converting, chunker=Chunker.for_extensions(extensions, {})), converting

KINDS = ("list_item", "table_row")


def blocks_of(texts: list[str]) -> list[Block]:
    found: dict[tuple[str, str], Block] = {}
    for text in texts:
        for block in parse(text).blocks:
            if block.kind in KINDS:
                found.setdefault((block.kind, block.source), block)
    return list(found.values())


def together_and_alone(texts: list[str], render: Callable[[str], str]
                       ) -> tuple[list[tuple[Block, str, str]], list[str]]:
    """Each list item and table row of ``texts``: rendered after ``prime`` (together),
    and alone; and the calls ``prime`` made."""
    counting, calls = counted(render)
    together = BlockRenderer(counting, together=True)
    for text in texts:
        together.prime(pieces(text))
    primed = list(calls)
    alone = BlockRenderer(render)
    return [(block, together(block), alone(block)) for block in blocks_of(texts)], primed


def naive(items: list[Block], render: Callable[[str], str]) -> list[str] | None:
    """What the guards are there to prevent: the items cut out of one call regardless."""
    found = _top_items(render("\n".join(block.source for block in items)))
    return None if found is None else [extract("list_item", item) for item in found]


TOGETHER = {
    "items of a list": "- one\n- two *three*\n- four\n    - nested\n",
    "numbered items": "1. one\n2. two\n10. ten\n",
    "items going on over lines": "- one\n  goes on\nlazily\n- two\n",
    "rows of a table": "| a | b |\n| :- | -: |\n| 1 | *2* |\n| 3 | `|` |\n",
    "items with links and code": "- [a](https://a.example) `x`\n- **b** & c\n",
    "rows with inline HTML":
        "| a | b |\n| - | - |\n| x<br>y | **z** |\n| <b>open | q |\n| r | s |\n",
}


@pytest.mark.parametrize("text", TOGETHER.values(), ids=TOGETHER.keys())
def test_items_rendered_together_come_out_as_alone(text: str, render) -> None:
    results, primed = together_and_alone([text], render)
    assert len(primed) == 1  # every item of the text in one call
    for block, together, alone in results:
        assert together == alone, block.source


#: Python-Markdown with the extensions whose definitions reach across blocks too
RENDER_ALL = make_render(("toc", "attr_list", "tables", "abbr", "footnotes"))

ALONE = {
    "the same heading in two items": "- # Rules\n- # Rules!\n",
    "a reference definition in an item": "- see [the law][law]\n- [law]: https://law.example\n",
    "an abbreviation in an item": "- the GDPR\n- *[GDPR]: General Data Protection Regulation\n",
    "a footnote in an item": "- a claim[^1]\n- [^1]: The source.\n",
    "a second paragraph": "- one\n\n    more of one\n\n- two\n",
    "raw HTML that reads as a list's own": "- one <li> two\n- three\n",
}


@pytest.mark.parametrize("text", ALONE.values(), ids=ALONE.keys())
def test_items_that_reach_past_themselves_are_rendered_alone(text: str) -> None:
    render = RENDER_ALL
    results, _ = together_and_alone([text], render)
    for block, together, alone in results:
        assert together == alone, block.source
    items = [block for block, _, _ in results]
    assert naive(items, render) != [alone for _, _, alone in results]  # the guard matters


def calls_after_falling_back(text: str, calling: Callable[[str], str],
                             render: Callable[[str], str]) -> int:
    """Prime a renderer of ``calling`` with ``text`` (one call), then render its blocks:
    each as alone (by ``render``); how many calls that took in all."""
    counting, calls = counted(calling)
    together = BlockRenderer(counting, together=True)
    together.prime(pieces(text))
    assert len(calls) == 1
    for block in blocks_of([text]):
        assert together(block) == BlockRenderer(render)(block)
    return len(calls)


def test_rows_holding_a_row_of_their_own_are_rendered_alone(render) -> None:
    text = "| a | b |\n| - | - |\n| x </tr><tr> y | z |\n| p | q |\n| r | s |\n"
    # four rows in the call's HTML for three: each rendered alone
    assert calls_after_falling_back(text, render, render) == 4


def test_a_call_that_is_not_one_list_of_its_items_is_rendered_alone(render) -> None:
    """As a Markdown extension reaching across items would: the call's HTML is not one
    list of its items, so none is taken from it."""
    def reaching(text: str) -> str:
        html = render(text)
        return html.replace("</li>\n<li>", "</li>\n</ul>\n<hr />\n<ul>\n<li>", 1)

    assert calls_after_falling_back("- one\n- two\n- three\n", reaching, render) == 4


def _tip_documents(repo: Path) -> list[str]:
    listing = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "HEAD"],
                             check=True, capture_output=True, text=True).stdout
    blobs = [line.split()[2] for line in listing.splitlines() if line.endswith(".md")]
    with open_repository(repo) as repository:
        found = repository.read_blobs(blobs)
    return [found[blob].decode("utf-8", "replace") for blob in blobs]


@pytest.mark.parametrize("name", ["ota-pga-versions", "basecamp-policies", "legalmattic"])
def test_every_item_and_row_of_real_policies_renders_as_alone(
        name: str, clone, render) -> None:
    texts = _tip_documents(clone(name))
    results, primed = together_and_alone(texts, render)
    assert results
    for block, together, alone in results:
        assert together == alone, block.source[:200]
    if name == "ota-pga-versions":
        assert len(results) > 2000
        assert len(primed) < len(results) / 5  # most were rendered many at a time


def test_other_blocks_are_rendered_ahead_many_to_a_call_by_a_policy_renderer() -> None:
    """Paragraphs and headings no history text held: a ``PolicyRenderer`` renders them
    ahead (``render_ahead``), many to a Markdown call, as each renders alone."""
    text = "\n\n".join([f"## Part {n}\n\nParagraph *{n}*.\n\nAnd [a link](x{n}.md)."
                        for n in range(20)] + ["> A quote.", "Last."])
    renderer, converting = policy_renderer()
    ahead = BlockRenderer(renderer, together=True)
    ahead.prime(pieces(text))
    blocks = parse(text).blocks
    alone = BlockRenderer(MarkdownRenderer(EXTENSIONS, {}))
    assert [ahead(block) for block in blocks] == [alone(block) for block in blocks]
    assert len(converting.converted) <= 20 + 2  # a heading each, at most, to a call
    assert len(blocks) > 60


WHOLE = "\n\n".join([
    "## Rights\n\n- read it\n- *copy* it",  # a heading and a list: one piece
    "You may:\n\n1. ask\n2. object",
    "| Data | Kept |\n| - | -: |\n| logs | 30 days |\n| mail | *a year* |",
    "Loose:\n\n- one\n\n- two",  # its items render apart from each other: not cut out
    "Last words.\n",
])


def test_rows_and_items_are_cut_out_of_the_pieces_a_history_rendered() -> None:
    """A piece a history's text was rendered by (a table, a list after a paragraph or a
    heading) gives its rows and items: they are not rendered again."""
    renderer, converting = policy_renderer()
    renderer.markdown(WHOLE)  # as the history's texts are rendered, by pieces
    rendered = len(converting.converted)
    primed = BlockRenderer(renderer, together=True)
    primed.prime(pieces(WHOLE))
    blocks = parse(WHOLE).blocks
    alone = BlockRenderer(MarkdownRenderer(EXTENSIONS, {}))
    assert [primed(block) for block in blocks] == [alone(block) for block in blocks]
    again = "\n".join(converting.converted[rendered:])
    for taken in ("read it", "copy", "ask", "object", "Data", "logs", "mail"):
        assert taken not in again
    assert "- one\n- two" in again  # the loose list's items: rendered together


GUARDED = {
    "headings in the items": (EXTENSIONS, "Intro\n\n- # Rules\n- # Rules!\n"),
    "an abbreviation before the list": (
        [*EXTENSIONS, "abbr"], "*[GDPR]: General Data Protection Regulation\n\n"
                               "- the GDPR\n- its fines\n"),
}


@pytest.mark.parametrize(("extensions", "text"), GUARDED.values(), ids=GUARDED.keys())
def test_items_are_not_cut_out_of_a_whole_piece_where_they_render_otherwise(
        extensions: list[str], text: str) -> None:
    renderer, _ = policy_renderer(extensions)
    whole = renderer.markdown(text)
    primed = BlockRenderer(renderer, together=True)
    primed.prime(pieces(text))
    items = [block for block in parse(text).blocks if block.kind == "list_item"]
    alone = BlockRenderer(MarkdownRenderer(extensions, {}))
    assert [primed(block) for block in items] == [alone(block) for block in items]
    cut = _top_items(whole[whole.index("<ul>"):])
    assert cut is not None and len(cut) == len(items)
    assert [extract("list_item", item) for item in cut] != \
        [alone(block) for block in items]  # the guard matters


def test_items_and_rows_of_real_policies_cut_out_of_their_pieces_render_as_alone(
        clone) -> None:
    """ota-pga-versions' current texts rendered by pieces, as the history renders them:
    the items and rows cut out of those pieces are byte for byte as each alone."""
    texts = _tip_documents(clone("ota-pga-versions"))
    renderer, converting = policy_renderer()
    for text in texts:
        renderer.markdown(text)
    rendered = len(converting.converted)
    primed = BlockRenderer(renderer, together=True)
    for text in texts:
        primed.prime(pieces(text))
    again = converting.converted[rendered:]
    alone = BlockRenderer(MarkdownRenderer(EXTENSIONS, {}))
    blocks = blocks_of(texts)
    assert len(blocks) > 2000
    for block in blocks:
        assert primed(block) == alone(block), block.source[:200]
    rendered_again = {block.source for block in blocks if any(block.source in t for t in again)}
    assert len(rendered_again) < len(blocks) / 2  # most came out of their pieces

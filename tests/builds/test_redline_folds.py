"""Redline pages hold the changes; each fold names where its text is on the version's page.

The oracle reads the built pages with lxml, apart from the code that wrote them and from
the browser script that fills folds: for every redline page, put each fold's units from
the page it names in their place (``tests.folds``). Then, taking out what only the old
revision had, a version's redline must read as its version's page, word for word; an
editorial revision's redline folds into the page of the version it corrects, and its two
sides must chain (see ``check_site``).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import lxml.html
import markdown
import pytest

from policy_history.redline import diff_documents, extract_text
from policy_history.redline.folds import (
    UNLIKE,
    Fold,
    NewSections,
    _page_elements,
    changes_with_folds,
    top_level_elements,
    top_level_texts,
)
from tests.folds import FRAGMENTS, SPAN, Filled, commit_blocks_policy, drop, fill_folds, select
from tests.support import (
    CORPUS_VARIABLES,
    ROOT,
    build,
    build_sample,
    git,
    sample_versions,
    write_config,
)


def filled_page_text(page: Path) -> str:
    """A redline page's inline view as built, folds not filled."""
    return select(lxml.html.parse(str(page)).getroot(), ".redline-inline")[0].text_content()


def side(box, shown: str) -> str:
    """The words of one side of a filled inline view: ``new`` or ``old``."""
    html = lxml.html.tostring(box, encoding="unicode")
    return squash(extract_text(html, drop="del" if shown == "new" else "ins"))


def page_words(text) -> str:
    text = copy.deepcopy(text)
    drop(text, ("p.policy-section__changed", ".headerlink"))
    return squash(extract_text(lxml.html.tostring(text, encoding="unicode")))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_site(site: Path) -> tuple[int, int, int]:
    """Every redline page of a site: (pages, folds, units placed).

    A version's redline, filled, reads as its page. An editorial revision has no page of
    its text; each one's text, as the redline to it shows it filled, must be the text the
    redline from it starts from (so a wrong fill on either side shows), and the first is
    checked against the page of the version it corrects.
    """
    pages = sorted(site.glob("**/compare/*/*/index.html"))
    folds = units = 0
    filled: dict[Path, Filled] = {}
    for page in pages:
        result = filled[page] = fill_folds(page)
        folds += result.folds
        units += result.units
        if result.text is not None and not result.elsewhere:
            assert side(result.box, "new") == page_words(result.text), page
    for manifest in site.glob("**/versions.json"):
        compare = manifest.parent / "compare"
        for version in json.loads(manifest.read_text("utf-8"))["versions"]:
            chain = [edition["id"] for edition in version["editions"]]
            if chain and chain[0] != version["id"]:
                continue  # editorial revisions before the first version: no page
            for before, this, after in zip(chain, chain[1:], [*chain[2:], None], strict=False):
                into = filled.get(compare / before / this / "index.html")
                if into is None or into.box is None:
                    continue
                if before == version["id"]:
                    text = select(lxml.html.parse(str(
                        manifest.parent / "versions" / before / "index.html")).getroot(),
                        ".policy-text")[0]
                    assert side(into.box, "old") == page_words(text), (manifest, this)
                out = filled.get(compare / this / str(after) / "index.html")
                if out is not None and out.box is not None:
                    assert side(into.box, "new") == side(out.box, "old"), (manifest, this)
    return len(pages), folds, units


def test_sample_redlines_fold_what_is_on_the_version_page(tmp_path: Path) -> None:
    if git(ROOT, "rev-parse", "--is-shallow-repository").strip() == "true":
        pytest.skip("this checkout is shallow; the sample needs the full history")
    site = build_sample(tmp_path / "site", sample_versions()[-1], strict=True)
    pages, folds, units = check_site(site)
    assert pages >= 4 and folds >= 2 and units >= 10


def test_folds_place_lists_tables_and_raw_html(repo) -> None:
    """Lists, nested items, tables, quotes, code, raw HTML, and two lists Python-Markdown
    joins into one."""
    config = commit_blocks_policy(repo)
    site = build(config)
    pages, folds, units = check_site(site)
    assert pages == 1 and folds == 1 and units >= 9


def test_editorial_redlines_fold_into_the_version_they_correct(repo) -> None:
    """Two corrections of one version, in different sections: the second one's redline
    folds into the version's page, except the paragraph the first correction changed (the
    page shows it otherwise), and filled it reads as the text at its commit."""
    def paragraphs(name: str) -> str:
        return "\n\n".join(f"{name} paragraph {n} says what it says." for n in range(5))

    fragments = {f"{n}-{name.lower()}.md": f"## {name}\n\n{paragraphs(name)}\n"
                 for n, name in ((10, "Alpha"), (20, "Beta"), (30, "Gamma"))}
    entries = ["  - editorial: Second fix.\n", "  - editorial: First fix.\n",
               "  - effective: 2023-01-10\n    summary: First.\n"]
    config = write_config(repo.path, policies={"jobs": 1})
    texts = []
    steps = (("2023-01-10", {}), ("2023-02-01", {"10-alpha.md": ("paragraph 2", "para 2")}),
             ("2023-03-01", {"30-gamma.md": ("paragraph 3", "para 3")}))
    for step, (day, fixes) in enumerate(steps):
        for name, (before, after) in fixes.items():
            fragments[name] = fragments[name].replace(before, after)
        meta = "title: Terms\nchanges:\n" + "".join(entries[2 - step:])
        repo.commit(day, day, {"policies/terms/policy.yml": meta,
                               **{f"policies/terms/{k}": v for k, v in fragments.items()}})
        texts.append("\n\n".join(fragments[k].strip() for k in sorted(fragments)))
    site = build(config)
    pages, folds, _units = check_site(site)
    assert pages == 2 and folds >= 2
    page = site / "terms/compare/2023-01-10.1/2023-01-10.2/index.html"
    filled = fill_folds(page)
    assert filled.elsewhere and filled.folds >= 1
    spans = [span for fold in select(lxml.html.parse(str(page)).getroot(), ".redline-fold")
             for span in fold.get("data-fill").split()]
    # Alpha's corrected paragraph (its 4th unit, after the heading) reads otherwise on the
    # version's page: it is shown, not folded into
    alpha = [tuple(map(int, SPAN.match(span).groups()[1:3])) for span in spans
             if span.startswith("0:")]
    assert spans and not any(start <= 3 < stop for start, stop in alpha)
    assert "Alpha para 2 says" in " ".join(filled_page_text(page).split())
    summary = select(lxml.html.parse(str(page)).getroot(), "p.policy-summary")[0]
    assert " ".join(summary.text_content().split()).startswith(
        "Editorial: Second fix. It corrects the version of January 10, 2023")  # one stop
    assert side(filled.box, "new") == squash(extract_text(markdown.markdown(texts[2])))
    assert side(filled.box, "old") == squash(extract_text(markdown.markdown(texts[1])))


def test_only_what_reads_as_its_page_is_folded() -> None:
    """A unit unlike the page's element at its place, word for word, is shown; a section
    whose page has another number of elements is shown whole; where the page shows
    another revision, an element whose link goes elsewhere is not folded into."""
    old = "\n\n".join(f"Paragraph {n} of the [text](https://example.com/{n})."
                       for n in range(12))
    new = old.replace("Paragraph 11", "Paragraph eleven")
    changes = diff_documents(old, new, render=markdown.markdown)

    def folds(page: str, own: str | None = None) -> list[int] | None:
        folded = changes_with_folds(changes, NewSections.of(
            [("text", new, markdown.markdown(page), own and markdown.markdown(own))]))
        assert folded is not None
        assert sum(item.count if isinstance(item, Fold) else 1 for item in folded) == 12
        return [item.count for item in folded if isinstance(item, Fold)]

    assert folds(new) == [10]
    assert folds(new.replace("Paragraph 3", "Paragraph three")) == [3, 6]
    assert folds(new + "\n\nOne paragraph more.") == []
    elsewhere = new.replace("example.com/5", "example.org/5")
    assert folds(elsewhere, own=new) == [5, 4]
    assert folds(elsewhere) == [10]  # the page shows this revision: text is what counts


def lxml_top_level_texts(html: str) -> tuple[str, ...]:
    """The oracle: lxml's top-level elements of a fragment, without permalinks."""
    out = []
    for element in lxml.html.fragments_fromstring(html):
        if isinstance(element, str) or not isinstance(element.tag, str):
            continue  # text or a comment between elements
        drop(element, (".headerlink",))
        out.append(squash(element.text_content()))
    return tuple(out)


def test_top_level_texts_agree_with_lxml() -> None:
    """Both ways of reading page sections agree with lxml on Python-Markdown's output:
    every block kind of FRAGMENTS, the sample policy's sections, and permalinks, entities,
    comments, void elements and elements nested in their own kind. The elements' markup
    is read by their own tags, except where a comment is (every tag is scanned)."""
    sources = [*FRAGMENTS.values(), *(path.read_text("utf-8") for path in
                                      sorted((ROOT / "policies" / "privacy").glob("*.md")))]
    cases = []
    for permalink in (True, False):
        render = markdown.Markdown(extensions=["toc", "tables", "attr_list", "footnotes"],
                                   extension_configs={"toc": {"permalink": permalink}}).convert
        cases += [render(source.replace("{changed}", "Changed.")) for source in sources]
    cases += ['<h2 id="x">A &amp; B<a class="headerlink" href="#x">&para;</a></h2><hr />'
              '<p>one<br />two</p><!-- a > b --><p>Caf&eacute; <img alt="x" src="y.png"></p>',
              '<ul>\n<li>a<ul><li>b</li></ul></li>\n</ul>\n<table><tr><td>c</td></tr></table>',
              'text <div class="a"><div>one</div><DIV>two</DIV></div> between <p>'
              'three<br></p><div><p>four</p></div><details><summary>5</summary>six</details>']
    read_by_their_tags = [html for html in cases if top_level_elements(html) is not None]
    assert len(read_by_their_tags) > len(sources)
    assert sum(len(lxml_top_level_texts(html)) for html in read_by_their_tags) > 40
    for html in cases:
        assert top_level_texts(html) == lxml_top_level_texts(html), html
        elements = top_level_elements(html)
        if elements is not None:
            assert len(elements) == len(lxml_top_level_texts(html)), html
            position = 0
            for element in elements:  # pieces of the markup, in order
                position = html.index(element, position) + len(element)


def lxml_texts_and_targets(html: str) -> list[tuple[str, list[str]]]:
    """The oracle for a page showing another revision: each top-level element's text and
    the addresses of its links and images."""
    out = []
    for element in lxml.html.fragments_fromstring(html):
        if isinstance(element, str) or not isinstance(element.tag, str):
            continue
        drop(element, (".headerlink",))
        targets = [node.get("href") or node.get("src") or "" for node in element.iter()
                   if isinstance(node.tag, str) and (node.get("href") or node.get("src"))]
        out.append((squash(element.text_content()), targets))
    return out


@pytest.mark.parametrize("comment", ["", "<!-- a section marker -->\n"],
                         ids=["read by their tags", "scanned tag by tag"])
def test_a_page_showing_another_revision_marks_the_elements_that_differ(comment: str) -> None:
    """By text or link target; markup alone (a class, an id) is no difference."""
    page = comment + ('<h2 id="a">Data</h2>\n<p>One <a href="x.md">link</a>.</p>\n'
                      '<p class="c">Two &amp; <em>three</em>.</p>\n<ul>\n<li>Four '
                      '<img alt="" src="i.png"></li>\n</ul>\n<p>Five.</p>')
    own = comment + ('<h2 id="b">Data</h2>\n<p>One <a href="y.md">link</a>.</p>\n'
                     '<p>Two &amp; <em>three</em>.</p>\n<ul>\n<li>Four '
                     '<img alt="" src="j.png"></li>\n</ul>\n<p>Five!</p>')
    oracle = [text if a == b else UNLIKE for text, a, b in zip(
        lxml_top_level_texts(page), lxml_texts_and_targets(page), lxml_texts_and_targets(own),
        strict=True)]
    assert oracle.count(UNLIKE) == 3
    assert list(_page_elements(page, own)) == oracle
    assert _page_elements(page, own + "<p>Six.</p>") == ()  # not as many elements


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["basecamp-policies", "legalmattic"])
def test_corpus_redlines_fold_what_is_on_the_version_page(corpus, tmp_path: Path,
                                                          name: str) -> None:
    clone = corpus(name)
    site = build(write_config(tmp_path, policies_dir=str(clone), extra=CORPUS_VARIABLES,
                              home=False))
    pages, folds, units = check_site(site)
    assert pages > 100 and folds > 50 and units > 500

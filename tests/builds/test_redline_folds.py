"""Redline pages hold the changes; each fold names where its text is on the version's page.

The oracle reads the built pages with lxml, apart from the code that wrote them and from
the browser script that fills folds: for every redline page, put each fold's units from
the new version's page in its place, take out what only the old version had, and the
words must be the version page's words, in order.
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from policy_history.redline import diff_documents
from policy_history.redline.folds import Fold, NewSections, changes_with_folds
from tests.folds import drop, fill_folds
from tests.support import (
    CORPUS_VARIABLES,
    ROOT,
    build,
    build_sample,
    git,
    sample_versions,
    write_config,
)

#: what only the old version had, and labels that are no words of the policy
NOT_NEW = ("del", ".redline-sr", ".redline-note", ".redline-moved-from", ".headerlink")


def words(element) -> str:
    return re.sub(r"\s+", "", "".join(element.itertext()))


def check_page(page: Path) -> tuple[int, int]:
    """Check one redline page against its new version's page: (folds, units) it holds."""
    filled = fill_folds(page)
    if filled.box is None or filled.text is None:
        return 0, 0
    drop(filled.box, NOT_NEW)
    drop(filled.text, ("p.policy-section__changed", ".headerlink"))
    assert words(filled.box) == words(filled.text), page
    return filled.folds, filled.units


def check_site(site: Path) -> tuple[int, int, int]:
    """Every redline page of a site: (pages, folds, units placed)."""
    pages = sorted(site.glob("**/compare/*/*/index.html"))
    folds = units = 0
    for page in pages:
        f, u = check_page(page)
        folds += f
        units += u
    return len(pages), folds, units


def test_sample_redlines_fold_what_is_on_the_version_page(tmp_path: Path) -> None:
    if git(ROOT, "rev-parse", "--is-shallow-repository").strip() == "true":
        pytest.skip("this checkout is shallow; the sample needs the full history")
    site = build_sample(tmp_path / "site", sample_versions()[-1], strict=True)
    pages, folds, units = check_site(site)
    assert pages >= 4 and folds >= 2 and units >= 10


#: fragments of a policy with each kind of block; the last one changes
FRAGMENTS = {
    "10-lists.md": """\
# Terms

Intro paragraph one, which stays.

## Lists

- first item
- second item
    - nested item
- third item

Between the lists.

1. one
2. two
""",
    "20-tables.md": """\
## Table

| Data | Kept |
| --- | --- |
| Logs | 90 days |
| Backups | 30 days |

> A quoted paragraph.

    indented code

<div class="note">Raw HTML block.</div>
""",
    "30-joined.md": """\
## Lists Python-Markdown joins into one

- a bullet
1. a number right after: the same list

Paragraph with a link [to us](https://example.com/).
""",
    "40-contact.md": """\
## Contact

Write to us. {changed}

Closing paragraph.
""",
}


def test_folds_place_lists_tables_and_raw_html(repo) -> None:
    """Lists, nested items, tables, quotes, code, raw HTML, and two lists Python-Markdown
    joins into one."""
    meta = "title: Terms\nchanges:\n{}"
    entries = ["  - effective: 2024-03-01\n    summary: Second.\n",
               "  - effective: 2023-01-10\n    summary: First.\n"]
    config = write_config(repo.path, policies={"jobs": 1})
    for day, changed, listed in (("2023-01-10", "We answer in a week.", entries[1]),
                                 ("2024-03-01", "We answer in two days.", "".join(entries))):
        files = {f"policies/terms/{name}": text.replace("{changed}", changed)
                 for name, text in FRAGMENTS.items()}
        repo.commit(day, day, {"policies/terms/policy.yml": meta.format(listed), **files})
    site = build(config)
    pages, folds, units = check_site(site)
    assert pages == 1 and folds == 1 and units >= 9


def test_a_section_unlike_its_page_is_shown_whole() -> None:
    """Where the page's elements are not the redline's units, word for word, nothing of
    that section is folded; the sections that agree still are."""
    old = "\n\n".join(f"Paragraph {n} of the text." for n in range(12))
    new = old.replace("Paragraph 11", "Paragraph eleven")
    sections = [("text", new, markdown.markdown(new))]
    changes = diff_documents(old, new, render=markdown.markdown)
    folded = changes_with_folds(changes, NewSections.of(sections))
    assert folded is not None
    assert [item.count for item in folded if isinstance(item, Fold)] == [10]
    unlike = [("text", new, markdown.markdown(new.replace("Paragraph 3", "Paragraph three")))]
    folded = changes_with_folds(changes, NewSections.of(unlike))
    assert folded is not None and not any(isinstance(item, Fold) for item in folded)
    assert len(folded) == 12


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["basecamp-policies", "legalmattic"])
def test_corpus_redlines_fold_what_is_on_the_version_page(corpus, tmp_path: Path,
                                                          name: str) -> None:
    clone = corpus(name)
    site = build(write_config(tmp_path, policies_dir=str(clone), extra=CORPUS_VARIABLES,
                              home=False))
    pages, folds, units = check_site(site)
    assert pages > 100 and folds > 50 and units > 500

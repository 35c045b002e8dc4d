"""Fill a redline page's folds from its new version's page, the way "Show all" does.

Apart from the code that wrote the pages and from the browser script: lxml reads the
built files, and each fold's ``data-fill`` spans name the units to copy. Used by the
fold oracle and by the fuzz test, which both compare a filled redline with whole texts;
with a policy made of every kind of block, for the fold oracle and the browser suite.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html

from tests.support import GitRepo, write_config

SPAN = re.compile(r"^(\d+):(\d+)-(\d+)/(\d+)$")
FOLD_COUNT = re.compile(r"(\d+) unchanged block")


def select(root, selector: str) -> list:
    """Elements by ``tag``, ``.class`` or ``tag.class`` (lxml without cssselect)."""
    tag, _, name = selector.partition(".")
    test = f"[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]" if name else ""
    return root.xpath(f".//{tag or '*'}{test}")


def drop(root, selectors: tuple[str, ...]) -> None:
    for selector in selectors:
        for element in select(root, selector):
            element.drop_tree()


def section_units(section) -> list:
    return [child for child in section if isinstance(child.tag, str)
            and "policy-section__changed" not in (child.get("class") or "").split()]


@dataclass
class Filled:
    """A redline page's inline view with its folds filled, and the page they came from."""

    box: object | None  # the inline view, or None when the words did not change
    text: object | None  # the folds' page's ``.policy-text``, or None (no folds)
    #: the folds came from another revision's page: the version an editorial one corrects
    elsewhere: bool = False
    folds: int = 0
    units: int = 0


def fill_folds(page: Path) -> Filled:
    """Read one built redline page and put each fold's units in its place.

    Asserts what a fold promises: its link reaches the page the view names at an element
    that exists, it stands for at least two units, and its spans match that page's
    sections. A version's folds come from its own page; an editorial revision's from the
    page of the version it corrects.
    """
    doc = lxml.html.parse(str(page)).getroot()
    boxes = select(doc, ".redline-inline")
    if not boxes:
        return Filled(None, None)
    box = boxes[0]
    folds = select(box, ".redline-fold")
    target = box.get("data-full-text")
    if not folds:
        assert target is None, page
        return Filled(box, None)
    version = (page.parent / target / "index.html").resolve()
    assert version.parent.parent.name == "versions", (page, target)
    assert version.parents[2] == page.parents[3].resolve(), (page, target)  # same policy
    elsewhere = version.parent.name != page.parent.name
    if elsewhere:  # the version an editorial revision corrects: named in the revision's id
        assert page.parent.name.startswith(version.parent.name + "."), (page, target)
    full = lxml.html.parse(str(version)).getroot()
    text = select(full, ".policy-text")[0]
    sections = select(text, "section.policy-section")
    assert int(box.get("data-sections")) == len(sections), page
    placed = 0
    for fold in folds:
        link = select(fold, "a")[0].get("href")
        link_target, _, fragment = link.partition("#")
        assert link_target == target and fragment, (page, link)
        assert full.get_element_by_id(fragment) is not None, (page, link)
        count = int(FOLD_COUNT.match(fold.text_content()).group(1))
        assert count >= 2, page
        units = []
        for span in fold.get("data-fill").split():
            k, start, stop, total = map(int, SPAN.match(span).groups())
            found = section_units(sections[k])
            assert len(found) == total, (page, span, len(found))
            units += [copy.deepcopy(unit) for unit in found[start:stop]]
        placed += len(units)
        parent = fold.getparent()
        at = parent.index(fold)
        for offset, unit in enumerate(units):
            drop(unit, (".headerlink",))
            parent.insert(at + offset, unit)
        fold.drop_tree()
    return Filled(box, text, elsewhere, len(folds), placed)


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


def commit_blocks_policy(repo: GitRepo) -> Path:
    """Two versions of a policy made of FRAGMENTS (one sentence of the last changes); the
    site's mkdocs.yml."""
    meta = "title: Terms\nchanges:\n{}"
    entries = ["  - effective: 2024-03-01\n    summary: Second.\n",
               "  - effective: 2023-01-10\n    summary: First.\n"]
    config = write_config(repo.path, policies={"jobs": 1})
    for day, changed, listed in (("2023-01-10", "We answer in a week.", entries[1]),
                                 ("2024-03-01", "We answer in two days.", "".join(entries))):
        files = {f"policies/terms/{name}": text.replace("{changed}", changed)
                 for name, text in FRAGMENTS.items()}
        repo.commit(day, day, {"policies/terms/policy.yml": meta.format(listed), **files})
    return config

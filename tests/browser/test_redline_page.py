"""A visitor reads what changed between two versions of a policy: the sample's, a policy
made to show each kind of change, and real ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from policy_history.redline import diff_documents, render_side_by_side
from policy_history.site import redline_store as redlines
from tests.folds import commit_blocks_policy
from tests.support import GitRepo, build, sample_versions, write_config

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_toggle_views_and_changes_only(browser, serve, sample_sites, screenshots: Path,
                                       scheme: str) -> None:
    versions = sample_versions()
    base = serve(sample_sites["on"])
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(base + "privacy/")
        page.get_by_role("link", name=re.compile(r"^What changed on")).click()
        page.wait_for_url(re.compile(
            rf"/privacy/compare/{versions[-2].isoformat()}/{versions[-1].isoformat()}/$"))
        inline = page.locator(".redline-view--inline")
        side = page.locator(".redline-view--side")
        assert inline.is_visible() and not side.is_visible()
        assert inline.locator("ins").count() > 0 and inline.locator("del").count() > 0
        # changes only (the default): the page folds runs of unchanged blocks
        assert inline.locator(".redline-fold").count() > 0
        page.screenshot(path=str(screenshots / f"redline-inline-{scheme}-1280.png"),
                        full_page=True)
        page.get_by_role("button", name="Show all").click()
        expect(page.locator("[data-redline-status]")).to_have_text("Showing the whole text.")
        assert inline.locator(".redline-fold:visible").count() == 0
        assert inline.locator(".redline-fetched:visible").count() > 0
        assert page.get_by_role("button", name="Show all").get_attribute("aria-pressed") == "true"
        page.get_by_role("button", name="Side by side").click()
        assert side.is_visible() and not inline.is_visible()
        assert side.locator("td.redline-old del").count() > 0
        assert side.locator("td.redline-new ins").count() > 0
        page.screenshot(path=str(screenshots / f"redline-side-{scheme}-1280.png"), full_page=True)
        # the words a screen reader hears, not only the colour
        assert "inserted" in inline.locator(".redline-sr").first.inner_text().lower() or \
            "deleted" in inline.locator(".redline-sr").first.inner_text().lower()
        assert not errors, errors
    finally:
        page.close()


def test_side_by_side_falls_back_to_inline_on_a_phone(browser, serve, sample_sites,
                                                      screenshots: Path) -> None:
    versions = sample_versions()
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.goto(serve(sample_sites["on"]) +
                  f"privacy/compare/{versions[0].isoformat()}/{versions[-1].isoformat()}/")
        assert page.locator(".redline-view--inline").is_visible()
        assert not page.get_by_role("button", name="Side by side").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path=str(screenshots / "redline-inline-light-375.png"), full_page=True)
    finally:
        page.close()


def test_compare_control_reaches_any_pair(browser, serve, sample_sites) -> None:
    versions = sample_versions()
    page = browser.new_page()
    try:
        page.goto(serve(sample_sites["on"]) + "privacy/history/")
        page.select_option("#policy-compare-old", versions[0].isoformat())
        page.select_option("#policy-compare-new", versions[-1].isoformat())
        page.get_by_role("button", name="Show the changes").click()
        page.wait_for_url(re.compile(
            rf"/privacy/compare/{versions[0].isoformat()}/{versions[-1].isoformat()}/$"))
        assert page.locator(".redline-view--inline ins").count() > 0
    finally:
        page.close()


# ---- The side-by-side view, built in the browser from the inline view ------------------------
# Pages used to carry render_side_by_side's table as well as the inline view. The builds below
# keep that table of the whole text for every page they write (by the inline view it goes
# with), so the table the browser builds can be checked against it: the rows the page shows
# are the server's, with the same cells and marks, and each fold is a row.

HEADING_ID = re.compile(r'(<h[1-6]\b[^>]*?)\s+id="[^"]*"')

#: What a reader sees of a side-by-side table: each row's id and classes, and in each cell
#: its block elements (with list numbers), move links, and every character with its mark
#: ({+inserted+}, [-deleted-]) once spaces collapse as CSS collapses them; screen-reader
#: labels left out.
TABLE_ACCOUNT = """(root) => {
  const BLOCKS = /^(P|H[1-6]|UL|OL|LI|TABLE|THEAD|TBODY|TR|TD|TH|BLOCKQUOTE|PRE|DIV|HR|DL|DT|DD)$/;
  const OPEN = {"+": "{+", "-": "[-", "": ""}, CLOSE = {"+": "+}", "-": "-]", "": ""};
  function cell(td) {
    const seen = [];  // [character or element, mark]; a block's edges have the mark "B"
    (function walk(node, mark) {
      for (const child of node.childNodes) {
        if (child.nodeType === 3) {
          for (const c of child.data) seen.push([/\\s/.test(c) ? " " : c, mark]);
        } else if (child.nodeType !== 1 || child.matches(".redline-sr")) {
          continue;
        } else if (child.matches(".redline-note")) {
          seen.push(["«" + child.textContent + " " + child.getAttribute("href") + "»", mark]);
        } else if (BLOCKS.test(child.tagName)) {
          const tag = child.tagName.toLowerCase(), value = child.getAttribute("value");
          seen.push(["<" + tag + (value ? "=" + value : "") + ">", "B"]);
          walk(child, mark);
          seen.push(["</" + tag + ">", "B"]);
        } else {
          walk(child, child.matches("ins.redline-ins") ? "+"
            : child.matches("del.redline-del") ? "-" : mark);
        }
      }
    })(td, "");
    const shown = [];
    let space = true;  // a space after a space, or at a block's edge, is not shown
    for (const [c, mark] of seen) {
      if (mark === "B") {
        if (shown.length && shown[shown.length - 1][0] === " ") shown.pop();
        shown.push([c, ""]);
        space = true;
      } else if (c !== " " || !space) {
        shown.push([c, mark]);
        space = c === " ";
      }
    }
    let text = "", open = "";
    for (const [c, mark] of shown) {
      if (mark !== open) { text += CLOSE[open] + OPEN[mark]; open = mark; }
      text += c;
    }
    return (text + CLOSE[open]).trim();
  }
  return [...root.querySelectorAll("tr.redline-row")].map(row => [row.id, row.className,
    cell(row.querySelector("td.redline-old")), cell(row.querySelector("td.redline-new"))]);
}"""

#: The side view's fold rows: their text, in order.
FOLDS = """(view) => [...view.querySelectorAll("tbody > tr.redline-fold-row")]
  .map(row => row.textContent.trim())"""


def recording_build(config: Path) -> tuple[Path, dict[str, str]]:
    """Build the site; also the server-side table of each redline's whole text, by the
    inline view on its page (as the build made it: links resolved, heading ids dropped)."""
    tables: dict[str, str] = {}
    compute = redlines.compute

    def recording(old_markdown: str, new_markdown: str, *, render, links, feed=False,
                  together=False, recent=None, full_text=None) -> dict:
        value = compute(old_markdown, new_markdown, render=render, links=links, feed=feed,
                        together=together, recent=recent, full_text=full_text)
        changes = diff_documents(old_markdown, new_markdown, render=render, anchor_prefix="r",
                                 together=together)
        side = str(render_side_by_side(changes, anchor_suffix="-side"))
        tables[value["inline"]] = links(HEADING_ID.sub(r"\1", side))
        return value

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(redlines, "compute", recording)
        return build(config), tables


def server_table(page_html: str, tables: dict[str, str]) -> str:
    found = [table for inline, table in tables.items() if inline in page_html]
    assert len(found) == 1, "the page's inline view is not one the build computed"
    return found[0]


def side_view(browser, url: str) -> tuple[list, list, list]:
    """The side view the browser builds: its fold rows and its rows, as a reader sees
    them; and the inline view's folds, whose rows those are."""
    # not site_pages.visit: the corpus's own text has images that are not in the corpus
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url)
        view = page.locator(".redline-view--side")
        page.get_by_role("button", name="Side by side").click()
        assert view.is_visible()
        assert view.locator("table.redline-side-by-side").count() == 1
        folds = view.evaluate(FOLDS)
        rows = view.evaluate(TABLE_ACCOUNT)
        inline_folds = page.locator(".redline-view--inline .redline-fold").all_inner_texts()
        assert not errors, errors
        return folds, rows, [text.strip() for text in inline_folds]
    finally:
        page.close()


def server_rows(browser, table: str) -> list:
    """The rows of the server's side-by-side table, read as the browser's are."""
    page = browser.new_page()
    try:
        page.set_content(f"<div id='table'>{table}</div>")
        return page.locator("#table").evaluate(TABLE_ACCOUNT)
    finally:
        page.close()


def check_side_view(browser, url: str, table: str) -> None:
    """The side view the browser builds against the server's table of the whole text:
    each row the page shows is the server's row, cell for cell, in order, and each fold
    of the inline view is a row of its own."""
    folds, rows, inline_folds = side_view(browser, url)
    shown = {row[0] for row in rows}
    expected = [row for row in server_rows(browser, table) if row[0] in shown]
    assert rows and len(rows) == len(expected)
    for row, server_row in zip(rows, expected, strict=True):
        assert row == server_row
    assert folds == inline_folds


def smallest_page_with(site: Path, pattern: str) -> str:
    """The site-relative URL of the smallest redline page whose inline view matches."""
    found = [p for p in site.rglob("compare/*/*/index.html")
             if re.search(pattern, p.read_text("utf-8"))]
    assert found, f"no redline page has {pattern!r}"
    return min(found, key=lambda p: p.stat().st_size).parent.relative_to(site).as_posix() + "/"


FEATURE_OLD = """\
# Terms

## Scope

This policy covers the service and every app we make for it.

This paragraph moves to the end of the document, its words unchanged on the way.

First half of a thought that the next version joins to the paragraph after it.

Second half of that thought, which follows on in the next version.

A paragraph with two sentences that the next version splits into two. Here is the
second sentence, which becomes a paragraph of its own later on.

1. Sign up with an email address.
2. Confirm the address by following the link.
3. Choose a plan:
    - monthly, paid each month
    - yearly, paid once a year

| Data | Kept for |
| --- | --- |
| Server logs | 90 days |
| Backups | 30 days |

### Contact

Write to us at the address below, and we will answer within two weeks.

Our offices are open on weekdays between nine and five o'clock.

A paragraph the next version deletes, gone for good.
"""

FEATURE_NEW = """\
# Terms

## Scope

This policy covers the service and every app we make for it, on the web and on phones.

First half of a thought that the next version joins to the paragraph after it. Second half
of that thought, which follows on in the next version.

A paragraph with two sentences that the next version splits into two.

Here is the second sentence, which becomes a paragraph of its own later on.

1. Read these terms.
2. Sign up with an email address.
3. Confirm the address by following the link.
4. Choose a plan:
    - monthly, paid each month
    - yearly, paid once a year at a discount

| Data | Kept for |
| --- | --- |
| Server logs | 30 days |
| Support emails | 1 year |
| Backups | 30 days |

## Contact

Write to us at the address below, and we will answer within two weeks.

- Our offices are open on weekdays between nine and five o'clock.

A new closing paragraph, all of it inserted.

This paragraph moves to the end of the document, its words unchanged on the way.
"""

#: What the engine makes of the two versions above, as the inline view marks it.
FEATURES = {
    "a move": r"redline-moved-from",
    "a split paragraph": r"redline-split",
    "merged paragraphs": r"data-old-break=",
    "a changed list item": r'<li id="[^"]+" class="redline-block redline-replace',
    "renumbered list items": r"data-old-number=",
    "a changed table row": r'<tr id="[^"]+" class="redline-block redline-replace',
    "an inserted table row": r'<tr id="[^"]+" class="redline-block redline-insert',
    "a heading's new level": r"data-old-level=",
    "a paragraph become a list item": r'data-old-kind="paragraph"',
    "a deletion": r"redline-block redline-delete",
    "an insertion": r"redline-block redline-insert redline-kind-paragraph",
}


@pytest.fixture(scope="module")
def feature_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Two versions of a policy with each kind of change the side view shows differently."""
    repo = GitRepo.init(tmp_path_factory.mktemp("side") / "site")
    meta = "title: Terms\nchanges:\n{}"
    entries = ["  - effective: 2024-03-01\n    summary: Everything changes.\n",
               "  - effective: 2023-01-10\n    summary: First.\n"]
    config = write_config(repo.path, policies={"jobs": 1})
    repo.commit("First", "2023-01-10", {"policies/terms/policy.yml": meta.format(entries[1]),
                                        "policies/terms/10-terms.md": FEATURE_OLD})
    repo.commit("Second", "2024-03-01", {"policies/terms/policy.yml": meta.format("".join(entries)),
                                         "policies/terms/10-terms.md": FEATURE_NEW})
    return recording_build(config)


def test_side_view_is_the_server_one_for_every_kind_of_change(browser, serve,
                                                                feature_site) -> None:
    site, tables = feature_site
    html = (site / "terms/compare/2023-01-10/2024-03-01/index.html").read_text("utf-8")
    missing = [name for name, pattern in FEATURES.items() if not re.search(pattern, html)]
    assert not missing, f"the engine no longer makes {missing} of the test's versions"
    # the page carries the text once: the side view is only an empty table's template
    assert 'class="redline-row' not in html and "redline-old" not in html
    check_side_view(browser, serve(site) + "terms/compare/2023-01-10/2024-03-01/",
                    server_table(html, tables))


@pytest.mark.corpus
def test_side_view_is_the_server_one_on_real_pairs(browser, serve, corpus,
                                                   tmp_path_factory) -> None:
    """basecamp-policies' real history: the smallest page with each kind of change."""
    from tests.support import CORPUS_VARIABLES

    root = tmp_path_factory.mktemp("corpus-side")
    site, tables = recording_build(write_config(
        root, policies_dir=str(corpus("basecamp-policies")), extra=CORPUS_VARIABLES,
        home=False, policies={"jobs": 1}))
    urls = {smallest_page_with(site, pattern) for pattern in (
        r"redline-moved-from", r"redline-split", r"data-old-break=", r"data-old-kind=",
        r"data-old-level=", r"data-old-number=", r"data-old-list=",
        r'<li id="[^"]+" class="redline-block redline-replace')}
    base = serve(site)
    for url in sorted(urls):
        check_side_view(browser, base + url,
                        server_table((site / url / "index.html").read_text("utf-8"), tables))


# ---- Folds: "Show all" fetches the unchanged text; without JavaScript each fold is a link ----

#: The words of the new version in a view or a page, spaces left out: what only the old
#: version had (deletions, blocks moved away), labels for screen readers, permalinks out.
NEW_WORDS = """(root) => {
  const copy = root.cloneNode(true);
  copy.querySelectorAll(
    "del, .redline-sr, .redline-note, .redline-moved-from, .headerlink, " +
    ".policy-section__changed, .redline-fold, [hidden], .redline-fetched[hidden]"
  ).forEach(el => el.remove());
  return copy.textContent.replace(/\\s+/g, "");
}"""


@pytest.fixture(scope="module")
def blocks_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A policy with each kind of block in four sections; one sentence of the last changes."""
    config = commit_blocks_policy(GitRepo.init(tmp_path_factory.mktemp("folds") / "site"))
    return build(config)


@pytest.mark.parametrize("kind", ["sample", "blocks"])
def test_show_all_and_fold_links_reach_the_right_text(browser, serve, sample_sites,
                                                      blocks_site, kind: str) -> None:
    """"Show all" puts the version page's text in every fold, so the view reads as that
    version, word for word; without JavaScript each fold's link opens that version at the
    section its first block is in."""
    if kind == "sample":
        versions = sample_versions()
        site = sample_sites["on"]
        path = f"privacy/compare/{versions[0].isoformat()}/{versions[-2].isoformat()}/"
    else:
        site, path = blocks_site, "terms/compare/2023-01-10/2024-03-01/"
    base = serve(site)
    page = browser.new_page()
    try:
        page.goto(base + path)
        inline = page.locator(".redline-view--inline .redline-inline")
        assert inline.locator(".redline-fold").count() > 0
        version_url = inline.evaluate("box => new URL(box.dataset.fullText, location.href).href")
        page.get_by_role("button", name="Show all").click()
        expect(page.locator("[data-redline-status]")).to_have_text("Showing the whole text.")
        shown = inline.evaluate(NEW_WORDS)
        page.goto(version_url)
        expected = page.locator(".policy-text").evaluate(NEW_WORDS)
        assert shown == expected
    finally:
        page.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base + path)
        assert not page.get_by_role("button", name="Show all").is_visible()
        folds = page.locator(".redline-fold")
        spans = folds.evaluate_all("els => els.map(el => el.dataset.fill)")
        hrefs = folds.locator("a").evaluate_all("links => links.map(a => a.href)")
        assert len(hrefs) == len(spans) > 0
        for href, fill in zip(hrefs, spans, strict=True):
            page.goto(href)
            assert page.url.split("#")[0] == version_url
            fragment = href.split("#", 1)[1]
            section = int(fill.split(":")[0])
            # the link's place is the section the fold's first block is in, and it is there
            assert page.evaluate(
                "([k, id]) => document.querySelectorAll('.policy-text > section')[k].id === id",
                [section, fragment])
            assert page.locator(f"[id='{fragment}']").is_visible()
    finally:
        context.close()

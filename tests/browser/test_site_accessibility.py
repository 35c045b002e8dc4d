"""Accessibility of every page type (issue 7): axe-core in light and dark, the page's outline
(headings, landmarks, lang, <time>), and the keyboard on the redline and history controls."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from policy_history.model.dates import human_date
from tests.browser.site_pages import PAGE_TYPES, url_of, visit

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations: rule, impact, the first few elements."""
    from axe_playwright_python.sync_playwright import Axe  # bundles axe.min.js: offline

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in results.response["violations"] if v["impact"] in BLOCKING]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGE_TYPES)
def test_axe_finds_nothing_serious(browser, request, screenshots: Path, name: str,
                                   scheme: str) -> None:
    with visit(browser, url_of(request, name), scheme=scheme) as page:
        expected = "slate" if scheme == "dark" else "default"
        assert page.locator("body").get_attribute("data-md-color-scheme") == expected
        page.screenshot(path=str(screenshots / f"{name}-{scheme}.png"))
        assert axe_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_every_redline_view(browser, site_pages, screenshots: Path, scheme: str) -> None:
    """Side by side, the whole text, and the folds' links are checked too."""
    with visit(browser, site_pages["redline"], scheme=scheme) as page:
        assert page.locator(".redline-fold a").count() > 0
        page.get_by_role("button", name="Side by side").click()
        page.screenshot(path=str(screenshots / f"redline-side-{scheme}.png"))
        assert axe_violations(page) == []
        page.get_by_role("button", name="Show all").click()
        expect(page.locator("[data-redline-status]")).to_have_text("Showing the whole text.")
        assert axe_violations(page) == []


DATE = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October"
                  r"|November|December) \d{1,2}, \d{4}\b")

OUTLINE = """() => {
  const main = document.querySelector("main");
  // the policy's own words (current, archived, redline) keep the headings their authors gave
  const authored = "article .policy-text, article .redline-view";
  const headings = [...main.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .filter(h => h.offsetParent !== null || h.closest("details"))
    .map(h => ({level: +h.tagName[1], text: h.textContent.trim(),
                authored: !!h.closest(authored)}));
  // dates in the page's own words (not the policy text, form options or screen-reader text)
  const walker = document.createTreeWalker(main.querySelector("article"), NodeFilter.SHOW_TEXT);
  const loose = [];
  for (let node; (node = walker.nextNode());) {
    if (!node.parentElement.closest(
        "time, option, code, pre, .policy-sr, .policy-text, .redline-view, .policy-version__summary"
        + ", .policy-summary, .policy-description")) loose.push(node.textContent);
  }
  return {
    headings,
    landmarks: {
      banner: document.querySelectorAll("header.md-header, [role=banner]").length,
      main: document.querySelectorAll("main, [role=main]").length,
      contentinfo: document.querySelectorAll("footer, [role=contentinfo]").length,
      unnamedNav: [...document.querySelectorAll("nav")].filter(n =>
        !n.getAttribute("aria-label") && !n.getAttribute("aria-labelledby")).length,
    },
    lang: document.documentElement.lang,
    times: [...main.querySelectorAll("time")].map(t => [t.getAttribute("datetime"),
                                                         t.textContent.trim(),
                                                         t.closest("[lang]").lang]),
    loose: loose.join(" "),
  };
}"""


@pytest.mark.parametrize("name", [n for n in PAGE_TYPES if n != "not-found"])
def test_outline_landmarks_lang_and_dates(browser, request, name: str) -> None:
    with visit(browser, url_of(request, name)) as page:
        outline = page.evaluate(OUTLINE)
    assert outline["lang"] == "en"
    assert outline["landmarks"] == {"banner": 1, "main": 1, "contentinfo": 1, "unnamedNav": 0}
    headings = outline["headings"]
    own = [h for h in headings if not h["authored"]]
    assert own and own[0]["level"] == 1, headings[:3]
    assert [h["level"] for h in own].count(1) == 1, own
    # a file policy's own "# Title" is not shown again under the page's title
    title = own[0]["text"].rstrip("¶").strip()
    assert [h["text"].rstrip("¶").strip() for h in headings].count(title) == 1, headings[:3]
    # the site's own headings skip no level (the policy's text has its authors' headings)
    for before, after in itertools.pairwise(own):
        assert after["level"] <= before["level"] + 1, (before, after)
    for iso, text, lang in outline["times"]:
        assert iso and re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso), (iso, text)
        # each date in the language it is marked with (a translation's own, or the site's)
        assert text == human_date(dt.date.fromisoformat(iso), lang), (iso, text, lang)
    assert not DATE.findall(outline["loose"]), "a date outside <time>: " + outline["loose"]


FOCUS_SHOWN = """el => {
  const s = getComputedStyle(el);
  return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
}"""


def tab_until(page, stop, limit: int = 120) -> list[dict]:
    """Press Tab until ``stop(focused)``; each focused element's name, tag and focus ring."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const el = document.activeElement;
            const text = el.matches("input, select") ? el.id
                : el.innerText || el.getAttribute("aria-label") || el.id || "";
            return {tag: el.tagName, text: text.trim(), inContent: !!el.closest(".md-content")};
        }""")
        focused["ring"] = page.evaluate(f"({FOCUS_SHOWN})(document.activeElement)")
        if seen and focused["text"] == seen[-1]["text"]:
            # a date input's month, day, year (ringed) and calendar button (the browser
            # rings the icon itself, which a style cannot tell): one stop
            continue
        else:
            seen.append(focused)
        if stop(focused):
            return seen
    raise AssertionError(f"focus never got there: {[f['text'] for f in seen]}")


def test_keyboard_through_the_redline_controls(browser, site_pages) -> None:
    with visit(browser, site_pages["redline"]) as page:
        # as far as the first fold's link
        seen = tab_until(page, lambda f: re.match(r"\d+ unchanged block", f["text"]) is not None)
        content = [f for f in seen if f["inContent"]]
        names = [f["text"] for f in content]
        order = ["Version history", "Current version", "Inline", "Side by side",
                 "Changes only", "Show all"]
        positions = [names.index(name) for name in order]
        assert positions == sorted(positions), names
        assert all(f["ring"] for f in content), [f for f in content if not f["ring"]]
        # the buttons work from the keyboard: back to "Side by side", Enter; "Show all", Space
        for _ in range(len(names) - names.index("Side by side") - 1):
            page.keyboard.press("Shift+Tab")
        assert page.evaluate("document.activeElement.innerText") == "Side by side"
        page.keyboard.press("Enter")
        assert page.locator(".redline-view--side").is_visible()
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.innerText") == "Show all"
        page.keyboard.press("Space")
        assert page.get_by_role("button", name="Show all").get_attribute("aria-pressed") == "true"


def test_keyboard_through_the_history_forms(browser, site_pages) -> None:
    with visit(browser, site_pages["history"]) as page:
        seen = tab_until(page, lambda f: f["text"] == "Show the changes")
        names = [f["text"] for f in seen if f["inContent"]]
        form = names[names.index("policy-lookup-date"):]
        assert form == ["policy-lookup-date", "Show that version", "policy-compare-old",
                        "policy-compare-new", "Show the changes"], names
        assert all(f["ring"] for f in seen if f["inContent"]), [f for f in seen if not f["ring"]]
        # choose "from" the oldest with the keyboard alone, then submit with Enter
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("End")
        oldest = page.eval_on_selector("#policy-compare-old", "s => s.value")
        newest = page.eval_on_selector("#policy-compare-new", "s => s.value")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf"/compare/{oldest}/{newest}/$"))

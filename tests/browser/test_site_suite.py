"""The whole site in a browser (issue 7): every page type's links, the controls, the palette,
a sub-path deploy, and reading without JavaScript. Accessibility, phones and print are in
test_site_accessibility.py and test_site_mobile_print.py; single features in the other files.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import expect

from policy_history.model.dates import human_date
from tests.browser.site_pages import PAGE_TYPES, url_of, visit
from tests.support import sample_versions

pytestmark = pytest.mark.browser


def internal_links(page, selector: str = "a[href]") -> list[str]:
    """Every same-origin link of the page (resolved by the browser), without repeats."""
    origin = "{0.scheme}://{0.netloc}".format(urlparse(page.url))
    hrefs = page.eval_on_selector_all(selector, "els => els.map(a => a.href)")
    return sorted({href for href in hrefs if href.startswith(origin + "/")})


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_every_link_of_every_page_type_resolves(browser, request, name: str) -> None:
    """Each link on the page reaches a page, and a #fragment an element of that page.

    A redline's deleted text may link to an anchor that only the old version had (a
    renamed heading): such a link must reach a page, and its fragment is not checked. Nor
    is a fragment the policy's own text gets wrong: one its version's page lacks too
    (basecamp links to "#changes--questions", a heading whose id is "changes-questions";
    scripts/check reports such links to editors), on the redline page or on the version's
    page, where a redline sends a link to a place a fold took away."""
    with visit(browser, url_of(request, name)) as page:
        links = internal_links(page)
        assert links, name
        old_text = set(page.eval_on_selector_all("a[href]", """links => links.filter(
            a => a.closest("del, .redline-old") || a.querySelector("del")).map(a => a.href)"""))
        version_page = page.eval_on_selector_all(
            ".policy-compare__versions a", "links => links.map(a => a.href)")[-1:]
        fetched: dict[str, str] = {}

        def fetch(address: str) -> str:
            if address not in fetched:
                response = page.request.get(address)
                assert response.ok, f"{name}: {address} → {response.status}"
                fetched[address] = response.text()
            return fetched[address]

        for link in links:
            address, fragment = urldefrag(link)
            html = fetch(address)
            if fragment and address.endswith("/") and link not in old_text:
                found = f'id="{fragment}"' in html
                # (a redline page sends a link to its own text that a fold took away to the
                # version's page)
                written_wrong = address in (page.url.split("#")[0], *version_page) and \
                    bool(version_page) and f'id="{fragment}"' not in fetch(version_page[0])
                assert found or written_wrong, f"{name}: {link}"


def test_a_visitor_walks_between_the_page_types(browser, site_pages) -> None:
    """Before the newest version takes effect: banner → redline → versions → history."""
    first, previous, newest = sample_versions()[0], *sample_versions()[-2:]
    with visit(browser, site_pages["current-upcoming"]) as page:
        page.locator(".policy-banner--upcoming").get_by_role("link",
                                                             name="see what changes").click()
        page.wait_for_url(re.compile(rf"/compare/{previous}/{newest}/$"))
        assert page.locator("h1").inner_text() == "What changed in Privacy Policy"
        page.locator(".policy-compare__versions").get_by_role(
            "link", name=f"version of {human_date(newest)}").click()
        page.wait_for_url(re.compile(rf"/versions/{newest}/$"))
        assert "This version takes effect on" in page.locator(".policy-banner").inner_text()
        page.get_by_role("link", name=re.compile(r"^Previous version")).click()
        page.wait_for_url(re.compile(rf"/versions/{previous}/$"))
        assert page.locator(".policy-banner--current").is_visible()
        page.get_by_role("link", name="What changed in this version").click()
        page.wait_for_url(re.compile(rf"/compare/{first}/{previous}/$"))
        page.get_by_role("navigation", name="About this comparison").get_by_role(
            "link", name="Version history").click()
        page.wait_for_url(re.compile(r"/privacy/history/$"))
        entry = page.locator(f"#v-{first}")
        entry.get_by_role("link", name=re.compile(r"^What changed since this version")).click()
        page.wait_for_url(re.compile(rf"/compare/{first}/{previous}/$"))
        page.get_by_role("link", name="Current version", exact=True).click()
        page.wait_for_url(re.compile(r"/privacy/$"))
        # a section's "changed on" mark leads to that section's line in the history
        page.locator(".policy-section__changed a").first.click()
        page.wait_for_url(re.compile(r"/privacy/history/#section-[\w-]+$"))
        assert page.locator(f"#{page.url.split('#')[1]}").is_visible()


def test_palette_toggle_switches_scheme_and_is_remembered(browser, site_pages,
                                                          screenshots) -> None:
    with visit(browser, site_pages["current"], scheme="light") as page:
        body = page.locator("body")
        assert body.get_attribute("data-md-color-scheme") == "default"
        light = page.evaluate("getComputedStyle(document.body).backgroundColor")
        toggle = page.locator('label[for="__palette_1"]')
        assert toggle.get_attribute("title") == "Switch to dark mode"
        toggle.click()
        assert body.get_attribute("data-md-color-scheme") == "slate"
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light
        page.get_by_role("link", name="Version history").click()
        page.wait_for_url(re.compile(r"/history/$"))
        assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
        page.locator('label[for="__palette_0"]').click()
        assert page.locator("body").get_attribute("data-md-color-scheme") == "default"


def lookup_expectation(page, day: dt.date) -> str:
    """The version in force on ``day``, from the history page's own list (not its script)."""
    entries = page.eval_on_selector_all(
        "li.policy-version", """els => els.map(li => [li.id.slice(2),
            li.querySelector('.policy-dates time').getAttribute('datetime')])""")
    in_force = [(effective, vid) for vid, effective in entries
                if effective <= day.isoformat()]
    return max(in_force)[1]


def test_compare_control_and_lookup_on_a_long_corpus_history(browser, corpus_pages) -> None:
    """basecamp's privacy policy has more versions than get a page for every pair."""
    with visit(browser, corpus_pages["corpus-history"]) as page:
        pairs = json.loads(page.locator("form[data-policy-compare]").get_attribute(
            "data-policy-compare"))
        ids = page.eval_on_selector_all("#policy-compare-new option", "os => os.map(o => o.value)")
        assert len(ids) > 12
        missing = next((old, new) for new in ids for old in ids[ids.index(new) + 2:]
                       if f"{old}/{new}" not in pairs)
        page.select_option("#policy-compare-old", missing[0])
        page.select_option("#policy-compare-new", missing[1])
        page.get_by_role("button", name="Show the changes").click()
        assert "There is no page for this pair" in page.locator(
            ".policy-compare__result").inner_text()
        page.select_option("#policy-compare-old", ids[-1])  # the oldest, with the current
        page.select_option("#policy-compare-new", ids[0])
        page.get_by_role("button", name="Show the changes").click()
        page.wait_for_url(re.compile(rf"/compare/{ids[-1]}/{ids[0]}/$"))
        assert page.locator(".redline-view--inline ins, .redline-view--inline del").count() > 0
        page.go_back()
        day = dt.date.fromisoformat(ids[len(ids) // 2][:10]) + dt.timedelta(days=1)
        expected = lookup_expectation(page, day)
        page.fill("#policy-lookup-date", day.isoformat())
        page.get_by_role("button", name="Show that version").click()
        page.wait_for_url(re.compile(rf"/versions/{expected}/$"))
        assert page.locator(".policy-banner--past").is_visible()


def test_unchanged_blocks_fold_and_unfold_on_a_corpus_redline(browser, corpus_pages) -> None:
    with visit(browser, corpus_pages["corpus-redline"]) as page:
        inline = page.locator(".redline-view--inline")
        folds = inline.locator(".redline-fold")
        assert folds.count() > 0
        # each change shows the heading of its section; no list is left with only a fold
        assert inline.evaluate("""view => {
            const blocks = [...view.querySelectorAll(".redline-block")];
            let heading = null;
            return blocks.every(b => {
                if (b.matches(".redline-kind-heading")) heading = b;
                return b.matches(".redline-equal") || !heading || heading.offsetParent !== null;
            });
        }"""), "a change's section heading is folded away"
        assert inline.evaluate("""view => [...view.querySelectorAll("ul, ol")]
            .filter(list => list.offsetParent !== null)
            .every(list => [...list.children].some(li => li.offsetParent !== null))""")
        count = int(re.search(r"(\d+) unchanged block", folds.first.inner_text()).group(1))
        assert count >= 2
        shown = inline.locator(".redline-block").count()
        page.get_by_role("button", name="Show all").click()
        expect(page.locator("[data-redline-status]")).to_have_text("Showing the whole text.")
        assert inline.locator(".redline-fetched").count() > 0
        assert inline.locator(".redline-fold:visible").count() == 0
        page.get_by_role("button", name="Side by side").click()
        rows = page.locator(".redline-view--side tr.redline-row")
        assert rows.count() == inline.locator(".redline-block").count() > shown
        page.get_by_role("button", name="Changes only").click()
        assert page.locator(".redline-view--side tr.redline-row:visible").count() == shown
        assert page.locator(".redline-view--side tr.redline-fold-row:visible").count() == \
            folds.count()


def test_the_site_works_under_a_sub_path(browser, serve, subpath_site) -> None:
    """Built for https://example.com/policies/ and served from /policies/ of a host."""
    base = serve(subpath_site) + "policies/"
    versions = [v.isoformat() for v in sample_versions()]
    with visit(browser, base + "privacy/history/") as page:
        # assets: the stylesheet applies and the script runs
        assert page.evaluate(
            "getComputedStyle(document.querySelector('.policy-lookup__form')).display") == "flex"
        canonical = page.locator('link[rel="canonical"]').get_attribute("href")
        assert canonical == "https://example.com/policies/privacy/history/"
        for link in internal_links(page):
            assert urlparse(link).path.startswith("/policies/"), link
            assert page.request.get(link).ok, link
        page.fill("#policy-lookup-date", versions[0])
        page.get_by_role("button", name="Show that version").click()
        page.wait_for_url(base + f"privacy/versions/{versions[0]}/")
        page.go_back()
        page.select_option("#policy-compare-old", versions[0])
        page.select_option("#policy-compare-new", versions[-1])
        page.get_by_role("button", name="Show the changes").click()
        page.wait_for_url(base + f"privacy/compare/{versions[0]}/{versions[-1]}/")
        page.get_by_role("button", name="Side by side").click()
        assert page.locator(".redline-view--side").is_visible()
        page.locator(".policy-compare__versions a").first.click()
        page.wait_for_url(base + f"privacy/versions/{versions[0]}/")
        page.locator(".md-header__button.md-logo").click()
        page.wait_for_url(base)
        assert page.locator(".policy-index").get_by_role("link", name="Privacy Policy").is_visible()


NO_SCRIPT_PAGES = ["current-upcoming", "history", "version-past", "redline", "corpus-redline"]


@pytest.mark.parametrize("name", NO_SCRIPT_PAGES)
def test_reading_without_javascript(browser, request, name: str) -> None:
    """Text, banners and dates are there without scripts; a redline shows every change."""
    with visit(browser, url_of(request, name), js=False) as page:
        assert page.evaluate("typeof document.querySelector('[data-md-component]') ") == "object"
        assert page.locator("h1").first.is_visible()
        times = page.locator("article time")
        assert times.count() > 0 and times.first.is_visible()
        if name == "current-upcoming":
            assert page.locator(".policy-banner--upcoming").is_visible()
            assert page.locator("section.policy-section").count() > 1
        elif name == "version-past":
            assert page.locator(".policy-banner--past").is_visible()
        elif name == "history":
            assert page.locator("li.policy-version").count() == len(sample_versions())
            assert "Each version below says from when" in page.locator(
                ".policy-lookup noscript p").inner_text()
        else:
            inline = page.locator(".redline-view--inline")
            assert inline.is_visible()
            assert not page.locator("[data-redline-controls]").is_visible()
            assert not page.locator(".redline-view--side").is_visible()
            # the whole text: every block visible, every change marked
            blocks = inline.locator(".redline-block")
            visible = blocks.evaluate_all("bs => bs.filter(b => b.offsetParent !== null).length")
            assert visible == blocks.count() > 0
            assert inline.locator(".redline-hidden, .redline-skip-js").count() == 0
            changes = inline.locator("ins, del")
            assert changes.count() > 0
            assert changes.evaluate_all(
                "cs => cs.every(c => c.offsetParent !== null)"), "a change is hidden"

"""Translations in a real browser: an Arabic page reads right to left, the language
switcher works from the keyboard and without JavaScript, an out-of-date translation
says so where a visitor starts reading (light, dark, 375 px), and so does a withdrawn one,
listed in its source's history."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_site_accessibility import axe_violations, tab_until
from tests.builds.test_translations import (  # noqa: F401 (fixtures)
    bilingual,
    site,
    withdrawn_site,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 375)])
def test_an_arabic_translation_reads_right_to_left(browser, serve, site: Path,  # noqa: F811
                                                   screenshots: Path, scheme: str,
                                                   width: int) -> None:
    base = serve(site)
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    try:
        page.goto(base + "ar/privacy/")
        text = page.locator("section.policy-section").last
        assert text.evaluate("e => getComputedStyle(e).direction") == "rtl"
        heading = text.locator("h2")
        box, column = heading.bounding_box(), text.bounding_box()
        # right to left: the heading's text ends at the column's right edge
        assert box is not None and column is not None
        assert abs((box["x"] + box["width"]) - (column["x"] + column["width"])) < 2
        assert page.locator("h1").first.get_attribute("lang") == "ar"
        # the site's own words stay left to right, in English
        mark = page.locator("p.policy-section__changed").first
        assert mark.get_attribute("lang") == "en"
        # out of date: said first, in the warning, with the way to what changed
        warning = page.locator(".policy-translation--outdated")
        assert warning.is_visible() and "out of date" in warning.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(screenshots / f"translation-ar-{scheme}-{width}.png"),
                        full_page=True)
        warning.get_by_role("link", name="See what changed").click()
        page.wait_for_url("**/privacy/compare/2024-01-01/2024-06-01/")
        view = page.locator(".redline-view--inline")
        assert "30" in " ".join(view.locator("ins").all_inner_texts())
        assert "90" in " ".join(view.locator("del").all_inner_texts())
    finally:
        page.close()


def test_the_language_switcher_from_the_keyboard(browser, serve, site: Path  # noqa: F811
                                                 ) -> None:
    base = serve(site)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(base + "privacy/")
        seen = tab_until(page, lambda focused: focused["text"] == "Deutsch")
        assert seen[-1]["ring"], seen[-1]  # the focus is shown
        page.keyboard.press("Enter")
        page.wait_for_url("**/de/privacy/")
        current = page.locator("nav.policy-languages a[aria-current=page]")
        assert current.inner_text() == "Deutsch" and current.get_attribute("lang") == "de"
        assert page.locator(".policy-dates time").first.inner_text() == "1. Juni 2024"
    finally:
        page.close()


def test_the_switcher_and_notice_without_javascript(browser, serve, site: Path  # noqa: F811
                                                    ) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(serve(site) + "de/privacy/")
        assert page.locator(".policy-translation").is_visible()
        page.locator("nav.policy-languages").get_by_role("link", name="English").click()
        page.wait_for_url("**/privacy/")
        assert page.locator("h1").first.inner_text().startswith("Privacy Policy")
    finally:
        context.close()


@pytest.mark.parametrize(("scheme", "width", "js"), [("light", 375, True),
                                                     ("dark", 1280, False)])
def test_a_withdrawn_translation_and_the_history_that_lists_it(
        browser, serve, withdrawn_site: tuple[Path, str],  # noqa: F811
        screenshots: Path, scheme: str, width: int, js: bool) -> None:
    built, _ = withdrawn_site
    base = serve(built)
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme=scheme, java_script_enabled=js)
    page = context.new_page()
    try:
        page.goto(base + "terms/en-terms-of-service/history/")
        listed = page.locator("section.policy-translations li")
        assert listed.count() == 2
        hebrew = listed.nth(1)
        assert "withdrawn on May 10, 2021" in hebrew.inner_text()
        if js:
            assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        hebrew.get_by_role("link").click()
        page.wait_for_url("**/history/")
        page.locator("nav.policy-links").get_by_role("link", name="Current version").click()
        warning = page.locator(".policy-translation--withdrawn")
        assert warning.is_visible() and "withdrawn" in warning.inner_text()
        # said first: above the title
        title = page.locator("header.policy-header h1")
        assert (warning.bounding_box() or {})["y"] < (title.bounding_box() or {})["y"]
        assert title.evaluate("e => getComputedStyle(e).direction") == "rtl"
        if js:
            assert axe_violations(page) == []
        page.screenshot(path=str(screenshots / f"translation-withdrawn-{scheme}-{width}.png"))
        warning.get_by_role("link").click()
        page.wait_for_url("**/terms/en-terms-of-service/")
    finally:
        context.close()

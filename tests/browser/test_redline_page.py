"""A visitor reads what changed between two versions of the sample policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import sample_versions

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
        # changes only (the default): some unchanged blocks are folded away
        hidden = inline.locator(".redline-hidden").count()
        assert hidden > 0
        assert inline.locator(".redline-skip-js").count() > 0
        page.screenshot(path=str(screenshots / f"redline-inline-{scheme}-1280.png"),
                        full_page=True)
        page.get_by_role("button", name="Show all").click()
        assert inline.locator(".redline-hidden").count() == 0
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

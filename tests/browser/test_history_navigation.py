"""A visitor moves between the current text, the history and past versions."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from policy_history.model.dates import human_date
from tests.support import sample_versions

pytestmark = pytest.mark.browser


def test_history_old_version_banner_and_back(browser, serve, sample_sites,
                                             screenshots: Path) -> None:
    versions = sample_versions()
    base = serve(sample_sites["on"])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(base + "privacy/")
        page.get_by_role("link", name="Version history").click()
        page.wait_for_url(re.compile(r"/privacy/history/$"))
        entries = page.locator("li.policy-version")
        assert entries.count() == len(versions)
        page.screenshot(path=str(screenshots / "history-light-1280.png"), full_page=True)
        oldest = versions[0]
        page.get_by_role("link", name=f"Read this version of {human_date(oldest)}").click()
        page.wait_for_url(re.compile(rf"/privacy/versions/{oldest.isoformat()}/$"))
        banner = page.locator(".policy-banner--past")
        assert banner.is_visible()
        assert "This is not the current version" in banner.inner_text()
        page.screenshot(path=str(screenshots / "version-light-1280.png"), full_page=True)
        banner.get_by_role("link", name="Read the current version").click()
        page.wait_for_url(re.compile(r"/privacy/$"))
        assert page.locator(".policy-dates time").first.inner_text() == human_date(versions[-1])
    finally:
        page.close()


def test_in_force_lookup_lands_on_the_version_of_that_date(browser, serve, sample_sites) -> None:
    versions = sample_versions()
    base = serve(sample_sites["on"])
    page = browser.new_page()
    try:
        page.goto(base + "privacy/history/")
        day = versions[0] + dt.timedelta(days=400)  # inside the first version's period
        page.fill("#policy-lookup-date", day.isoformat())
        page.get_by_role("button", name="Show that version").click()
        page.wait_for_url(re.compile(rf"/privacy/versions/{versions[0].isoformat()}/$"))
        page.goto(base + "privacy/history/")
        page.fill("#policy-lookup-date", (versions[0] - dt.timedelta(days=1)).isoformat())
        page.get_by_role("button", name="Show that version").click()
        assert "No version was in force yet" in page.locator(".policy-lookup__result").inner_text()
    finally:
        page.close()


@pytest.mark.parametrize(("site", "visible"), [("before", True), ("on", False)])
def test_upcoming_banner_only_before_the_effective_date(browser, serve, sample_sites, site: str,
                                                        visible: bool, screenshots: Path) -> None:
    newest = sample_versions()[-1]
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    try:
        page.goto(serve(sample_sites[site]) + "privacy/")
        banner = page.locator(".policy-banner--upcoming")
        assert banner.count() == (1 if visible else 0)
        if visible:
            assert f"This policy changes on {human_date(newest)}" in banner.inner_text()
            banner.get_by_role("link", name="Read the new version").click()
            page.wait_for_url(re.compile(rf"/privacy/versions/{newest.isoformat()}/$"))
            assert page.locator(".policy-banner--upcoming").is_visible()
            page.screenshot(path=str(screenshots / "upcoming-dark-1280.png"))
    finally:
        page.close()

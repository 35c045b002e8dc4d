"""A visitor opens /privacy/ in a real browser: the date and the sections they see."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy_history.model.dates import human_date
from tests.support import SAMPLE_POLICY, sample_versions

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 1280), ("light", 375)])
def test_visitor_sees_last_updated_and_every_section(browser, serve, sample_sites,
                                                     screenshots: Path, scheme: str,
                                                     width: int) -> None:
    base = serve(sample_sites["on"])  # as of the newest version: the working tree is in force
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    try:
        page.goto(base)
        # the home page's list, which a phone visitor sees without opening the menu
        page.locator(".policy-index").get_by_role("link", name="Privacy Policy").click()
        page.wait_for_url(re.compile(r"/privacy/$"))
        assert page.locator("h1").inner_text() == "Privacy Policy"
        expected = sample_versions()[-1]
        updated = page.locator(".policy-dates time").first
        assert updated.inner_text() == human_date(expected)
        assert updated.get_attribute("datetime") == expected.isoformat()
        fragments = sorted(SAMPLE_POLICY.glob("*.md"))
        sections = page.locator("section.policy-section")
        assert sections.count() == len(fragments)
        headings = [h.strip() for h in page.locator("section.policy-section h2").all_inner_texts()]
        for fragment in fragments:
            found = re.search(r"^## (.+)$", fragment.read_text("utf-8"), re.M)
            if found:
                assert any(h.startswith(found.group(1)) for h in headings), found.group(1)
        assert page.locator("html").get_attribute("lang") == "en"
        # no horizontal scrolling, on a phone too
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(screenshots / f"current-{scheme}-{width}.png"), full_page=True)
    finally:
        page.close()

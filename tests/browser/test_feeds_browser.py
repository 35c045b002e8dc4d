"""In a real browser: the recent-change notice, Subscribe links, and docs/feeds.md's recipe
for recomputing a version's text hash from its archived page."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from policy_history.model.dates import human_date
from tests.support import ROOT, sample_versions

pytestmark = pytest.mark.browser


def documented_hash_script() -> str:
    """The JavaScript block of docs/feeds.md, its last expression returned."""
    docs = (ROOT / "docs/feeds.md").read_text("utf-8")
    block = re.search(r"```js\n(.*?)\n\s*```", docs, re.S)
    assert block, "docs/feeds.md has no ```js block"
    lines = textwrap.dedent(block.group(1)).strip().split("\n")
    lines[-1] = "return " + lines[-1]
    return "async () => {\n" + "\n".join(lines) + "\n}"


def test_the_documented_recipe_recomputes_every_text_hash(browser, serve,
                                                          sample_sites) -> None:
    site = sample_sites["on"]
    base = serve(site)
    manifest = json.loads((site / "privacy/versions.json").read_text("utf-8"))
    script = documented_hash_script()
    page = browser.new_page()
    try:
        for record in manifest["versions"]:
            assert record["urls"]["text"].startswith("https://policies.example.com/")
            page.goto(base + record["urls"]["text"].removeprefix("https://policies.example.com/"))
            assert page.evaluate(script) == record["sha256"]["text"], record["id"]
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_recent_change_notice_and_subscribe_links(browser, serve, sample_sites,
                                                  screenshots: Path, scheme: str) -> None:
    base = serve(sample_sites["on"])  # built on the day the newest version takes effect
    newest = sample_versions()[-1]
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        page.goto(base + "privacy/")
        notice = page.locator(".policy-banner--recent")
        assert notice.is_visible()
        assert notice.locator(".admonition-title").inner_text() == \
            f"Updated on {human_date(newest)}"
        page.screenshot(path=str(screenshots / f"recent-change-{scheme}.png"))
        previous = sample_versions()[-2]
        notice.get_by_role("link", name="See what changed").click()  # the redline
        page.wait_for_url(re.compile(
            rf"/privacy/compare/{previous.isoformat()}/{newest.isoformat()}/$"))
        page.get_by_role("link", name="Version history").first.click()
        page.wait_for_url(re.compile(r"/privacy/history/$"))
        subscribe = page.get_by_role("navigation", name="Subscribe to changes")
        assert subscribe.is_visible()
        page.screenshot(path=str(screenshots / f"subscribe-{scheme}.png"))
        for name, kind in [("Atom feed", "application/atom+xml"),
                           ("JSON Feed", "application/feed+json"),
                           ("versions.json", "application/json")]:
            href = subscribe.get_by_role("link", name=name).get_attribute("href")
            response = page.request.get(page.url.split("#")[0] + href)
            assert response.ok, name
            assert response.body().startswith(b"<?xml" if "xml" in kind else b"{"), name
        # browsers and feed readers find the feeds from the page itself
        alternates = page.locator('head link[rel="alternate"]')
        assert alternates.count() == 4
    finally:
        page.close()

"""The re-consent notice (assets/javascripts/policy-consent.js) on a product's page, in
Chromium: the policy site and the product are two origins, as in production, and the
site's host sends the CORS header docs/products.md names.

Accepted version in force → nothing; an older one → a notice linking to what changed
since; one in force with a newer one announced → a notice with its date; the person
accepts from the keyboard and the product gets the version and its hash; axe finds
nothing; without the CORS header, nothing is shown and an error event is raised."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.test_site_accessibility import axe_violations
from tests.builds.test_since_pages import AFTER, BEFORE, three_versions  # noqa: F401
from tests.support import GitRepo, build

pytestmark = pytest.mark.browser

SCRIPT = Path(__file__).parents[2] / "hooks/policy_history/theme/assets/javascripts" \
    / "policy-consent.js"


def policy_site(repo: GitRepo, as_of: str, folder: Path, base: str,
                monkeypatch: pytest.MonkeyPatch) -> Path:
    """The site built into ``folder``, which ``base`` already serves, with that address as
    its site_url (versions.json's links are absolute)."""
    monkeypatch.setenv("POLICY_AS_OF", as_of)
    return build(repo.path / "mkdocs.yml", strict=True, site_url=base, site_dir=str(folder))


def product(folder: Path, manifest: str, accepted: str, script: str) -> None:
    (folder / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Product</title></head>
<body><main><h1>Your account</h1>
<div data-policy-consent data-manifest="{manifest}" data-accepted="{accepted}"></div>
</main>
<script>
window.seen = [];
["notice", "accept", "error"].forEach(function (name) {{
  document.addEventListener("policyhistory:" + name, function (event) {{
    window.seen.push([name, event.detail]);
  }});
}});
</script>
<script src="{script}"></script>
</body></html>
""", encoding="utf-8")


@pytest.fixture
def two_sites(three_versions: GitRepo, tmp_path: Path, serve,  # noqa: F811
              monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Base URLs: the policy site before and after its third version takes effect."""
    out = {}
    for name, as_of in (("before", BEFORE), ("after", AFTER)):
        folder = tmp_path / name
        folder.mkdir()
        base = serve(folder, cors=True)
        policy_site(three_versions, as_of, folder, base, monkeypatch)
        out[name] = base
    return out


def visit_product(browser, serve, tmp_path: Path, site: str, accepted: str):
    folder = tmp_path / f"product-{accepted}-{abs(hash(site))}"
    folder.mkdir()
    product(folder, site + "privacy/versions.json", accepted,
            site + "assets/javascripts/policy-consent.js")
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(serve(folder))
    page.wait_for_load_state("networkidle")
    return page


def test_the_script_is_small_and_self_contained() -> None:
    source = SCRIPT.read_text("utf-8")
    assert len(source.encode()) <= 5 * 1024
    for forbidden in ("document.cookie", "localStorage", "sessionStorage", "innerHTML", "import ",
                      "XMLHttpRequest", "document.write"):
        assert forbidden not in source, forbidden


def test_the_version_in_force_accepted_shows_nothing(browser, serve, tmp_path: Path,
                                                     two_sites: dict[str, str]) -> None:
    page = visit_product(browser, serve, tmp_path, two_sites["after"], "2025-01-01")
    try:
        assert page.locator(".policy-consent").count() == 0
        assert page.evaluate("window.seen") == []
    finally:
        page.close()


def test_an_older_version_gets_a_notice_with_what_changed_since(
        browser, serve, tmp_path: Path, two_sites: dict[str, str],
        screenshots: Path) -> None:
    site = two_sites["after"]
    manifest = json.loads((tmp_path / "after" / "privacy/versions.json").read_text())
    newest = next(v for v in manifest["versions"] if v["id"] == "2025-01-01")
    page = visit_product(browser, serve, tmp_path, site, "2024-01-01")
    try:
        notice = page.locator(".policy-consent")
        assert notice.is_visible()
        text = notice.inner_text()
        assert "Our Privacy Policy changed on January 1, 2025: A section on cookies." in text
        assert axe_violations(page) == []
        page.screenshot(path=str(screenshots / "consent-notice-375.png"))
        link = notice.get_by_role("link", name="See what changed since you accepted it")
        assert link.get_attribute("href") == f"{site}privacy/since/2024-01-01/"
        # accepted from the keyboard: the product gets the version and its hashes
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused == "Accept the version of January 1, 2025"
        page.keyboard.press("Enter")
        seen = page.evaluate("window.seen")
        detail = {"policy": "privacy", "id": "2025-01-01", "cite": "privacy@2025-01-01",
                  "effective": "2025-01-01", "sha256": newest["sha256"]}
        assert seen == [["notice", detail], ["accept", detail]]
        assert page.locator(".policy-consent").count() == 0
        # the link reaches the redline from the accepted version to the one in force
        page.goto(f"{site}privacy/since/2024-01-01/")
        page.wait_for_url("**/privacy/compare/2024-01-01/2025-01-01/")
        assert page.locator(".redline-view--inline ins").count() > 0
    finally:
        page.close()


def test_an_announced_version_gets_a_notice_with_its_date(
        browser, serve, tmp_path: Path, two_sites: dict[str, str]) -> None:
    site = two_sites["before"]
    page = visit_product(browser, serve, tmp_path, site, "2024-06-01")
    try:
        notice = page.locator(".policy-consent")
        assert "Our Privacy Policy changes on January 1, 2025" in notice.inner_text()
        assert notice.locator("time").get_attribute("datetime") == "2025-01-01"
        link = notice.get_by_role("link", name="See what changed since you accepted it")
        assert link.get_attribute("href") == f"{site}privacy/compare/2024-06-01/2025-01-01/"
        assert page.evaluate("window.seen")[0][1]["id"] == "2025-01-01"
        assert axe_violations(page) == []
    finally:
        page.close()


def test_without_the_cors_header_nothing_is_shown(browser, serve, tmp_path: Path,
                                                 three_versions: GitRepo,  # noqa: F811
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "closed"
    folder.mkdir()
    base = serve(folder)
    policy_site(three_versions, AFTER, folder, base, monkeypatch)
    page = visit_product(browser, serve, tmp_path, base, "2024-01-01")
    try:
        assert page.locator(".policy-consent").count() == 0
        seen = page.evaluate("window.seen")
        assert [name for name, _ in seen] == ["error"]
    finally:
        page.close()


def test_the_manifest_text_stays_text(browser, serve, tmp_path: Path,
                                      two_sites: dict[str, str]) -> None:
    """A summary or title holding markup, and a link that is not a web address, as a
    tampered or hostile versions.json could give them: shown as text, never run, and no
    javascript: link."""
    site = two_sites["after"]
    path = tmp_path / "after" / "privacy/versions.json"
    manifest = json.loads(path.read_text())
    hostile = '<img src=x onerror="window.ran=1">'
    manifest["policy"]["title"] = f"Terms {hostile}"
    for record in manifest["versions"]:
        record["summary"] = f"{hostile}<b>bold</b>"
        record["urls"]["since"] = "javascript:window.ran=2"
    path.write_text(json.dumps(manifest))
    page = visit_product(browser, serve, tmp_path, site, "2024-01-01")
    try:
        notice = page.locator(".policy-consent")
        assert hostile in notice.inner_text() and "<b>bold</b>" in notice.inner_text()
        assert notice.locator("img, b").count() == 0
        assert page.evaluate("window.ran") is None
        href = notice.get_by_role("link").get_attribute("href")
        assert href == f"{site}privacy/history/"  # the bad link falls back to the history
    finally:
        page.close()

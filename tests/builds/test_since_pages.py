"""The "since" addresses (/<slug>/since/<id>/) and the change statistics of versions.json
and the feeds, built: every version's address reaches the redline to the version in
force, on both sides of an upcoming version's date; the statistics validate against the
schema and agree with the redline and history pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import lxml.html
import pytest

from tests.support import CORPUS_VARIABLES, ROOT, GitRepo, build, write_config

BEFORE, AFTER = "2024-07-01", "2025-02-01"  # the third version takes effect in between


def meta(*entries: tuple[str, str]) -> str:
    lines = ["title: Privacy Policy", "changes:"]
    for effective, summary in entries:
        lines += [f"  - effective: {effective}", f"    summary: {summary}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def three_versions(repo: GitRepo) -> GitRepo:
    write_config(repo.path)
    repo.commit("First", "2024-01-01", {
        "policies/privacy/policy.yml": meta(("2024-01-01", "First.")),
        "policies/privacy/10-intro.md": "## Introduction\n\nWe respect your privacy.\n",
        "policies/privacy/20-logs.md": "## Logs\n\nWe keep logs for 90 days.\n"})
    repo.commit("Second", "2024-05-20", {
        "policies/privacy/policy.yml": meta(("2024-06-01", "Logs for 30 days."),
                                            ("2024-01-01", "First.")),
        "policies/privacy/20-logs.md": "## Logs\n\nWe keep server logs for 30 days.\n"})
    repo.commit("Third", "2024-06-15", {
        "policies/privacy/policy.yml": meta(("2025-01-01", "A section on cookies."),
                                            ("2024-06-01", "Logs for 30 days."),
                                            ("2024-01-01", "First.")),
        "policies/privacy/30-cookies.md": "## Cookies\n\nWe use one cookie, for your session.\n",
        "policies/privacy/10-intro.md": None})
    return repo


def built(repo: GitRepo, as_of: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POLICY_AS_OF", as_of)
    return build(repo.path / "mkdocs.yml", strict=True)


def redirect(folder: Path) -> tuple[lxml.html.HtmlElement, str | None]:
    """A since page, and the address its refresh leads to (None: it stays)."""
    page = lxml.html.parse(str(folder / "index.html")).getroot()
    refresh = page.xpath("//meta[@http-equiv='refresh']/@content")
    if not refresh:
        return page, None
    url = re.fullmatch(r"0; url=(.+)", refresh[0])
    assert url is not None
    return page, url.group(1)


def since(site: Path, version: str) -> tuple[str, str | None]:
    """(the page's heading, where it redirects to: a file, or None)."""
    folder = site / "privacy" / "since" / version
    page, url = redirect(folder)
    target = None
    if url is not None:
        target = str((folder / url / "index.html").resolve().relative_to(site))
        assert page.xpath("//main//a/@href")[0] == url  # for who does not follow
    return page.xpath("string(//h1)"), target


def test_each_version_has_a_since_address_that_follows_the_version_in_force(
        three_versions: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    site = built(three_versions, BEFORE, monkeypatch)
    heading, target = since(site, "2024-01-01")
    assert target == "privacy/compare/2024-01-01/2024-06-01/index.html"
    assert (site / target).is_file()
    heading, target = since(site, "2024-06-01")
    assert target is None and heading.startswith("Nothing has changed")
    heading, target = since(site, "2025-01-01")
    assert target is None and "not in force yet" in heading
    # once the third version takes effect, the same addresses show the new comparison
    site = built(three_versions, AFTER, monkeypatch)
    for old in ("2024-01-01", "2024-06-01"):
        _, target = since(site, old)
        assert target == f"privacy/compare/{old}/2025-01-01/index.html"
        assert (site / target).is_file()
    heading, target = since(site, "2025-01-01")
    assert target is None and heading.startswith("Nothing has changed")


def test_pages_link_each_past_version_to_its_since_address(
        three_versions: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    site = built(three_versions, AFTER, monkeypatch)
    history = lxml.html.parse(str(site / "privacy/history/index.html")).getroot()
    for version in ("2024-01-01", "2024-06-01"):
        link, = history.xpath(f"//li[@id='v-{version}']//a[starts-with(., 'What changed since')]"
                              "/@href")
        assert (site / "privacy/history" / link).resolve() == site / "privacy/since" / version
        page = lxml.html.parse(str(site / f"privacy/versions/{version}/index.html")).getroot()
        link, = page.xpath("//a[. = 'What changed since this version']/@href")
        assert (site / f"privacy/versions/{version}" / link).resolve() == \
            site / "privacy/since" / version
    assert not history.xpath("//li[@id='v-2025-01-01']//a[starts-with(., 'What changed since')]")


def test_the_statistics_agree_with_the_redline_and_history_pages(
        three_versions: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    site = built(three_versions, AFTER, monkeypatch)
    schema = json.loads((ROOT / "docs/schemas/versions.schema.json").read_text())
    manifest = json.loads((site / "privacy/versions.json").read_text())
    jsonschema.validate(manifest, schema)
    feed = json.loads((site / "privacy/feed.json").read_text())
    in_feed = {item["_policy_history"]["version"]: item["_policy_history"]["changes"]
               for item in feed["items"]}
    history = lxml.html.parse(str(site / "privacy/history/index.html")).getroot()
    records = {record["id"]: record for record in manifest["versions"]}
    assert records["2024-01-01"]["changes"] is None
    for old, new in (("2024-01-01", "2024-06-01"), ("2024-06-01", "2025-01-01")):
        changes = records[new]["changes"]
        assert in_feed[new] == changes
        assert records[new]["urls"]["since"] == \
            f"https://policies.example.com/privacy/since/{new}/"
        page = lxml.html.parse(str(site / f"privacy/compare/{old}/{new}/index.html")).getroot()
        counts = [int(text.split()[0]) for text in page.xpath(
            "//span[contains(@class, 'redline-count--')]/text()")]
        assert counts == [changes["words_added"], changes["words_removed"]]
        listed = history.xpath(f"string(//li[@id='v-{new}']//p[@class='policy-version__sections'])")
        items = [re.fullmatch(r"(.+) \((\w+)\)", item.strip()) for item in
                 " ".join(listed.split()).removeprefix("Sections: ").split(", ")]
        shown = {kind: sorted(m.group(1) for m in items if m and m.group(2) == kind)
                 for kind in ("added", "changed", "removed")}
        assert shown == {kind: sorted(titles) for kind, titles in changes["sections"].items()}
    assert records["2025-01-01"]["changes"]["sections"] == {
        "added": ["Cookies"], "changed": [], "removed": ["Introduction"]}
    assert records["2024-06-01"]["changes"]["words_added"] > 0


@pytest.mark.corpus
def test_every_version_of_a_corpus_reaches_the_redline_to_the_version_in_force(
        corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """basecamp-policies: for each policy, the version in force as versions.json names it;
    every other version's since address redirects to the redline from it to that one."""
    clone = corpus("basecamp-policies")
    monkeypatch.setenv("POLICY_AS_OF", "2026-12-01T00:00:00Z")
    site = build(write_config(tmp_path, policies_dir=str(clone), extra=CORPUS_VARIABLES,
                              home=False))
    assert check_since_addresses(site, "https://policies.example.com/") > 100


def check_since_addresses(site: Path, site_url: str) -> int:
    """Every version's since address, against the policy's versions.json: the version in
    force's says nothing changed, a past one's redirects to its redline against the
    version in force; each version's statistics are its redline page's counts. How many
    versions were checked."""
    checked = 0
    for manifest_file in sorted(site.rglob("versions.json")):
        manifest = json.loads(manifest_file.read_text("utf-8"))
        current = manifest["current"]
        base = manifest_file.parent
        for record in manifest["versions"]:
            folder = site / record["urls"]["since"].removeprefix(site_url)
            page, url = redirect(folder)
            if record["id"] == current:
                assert url is None and page.xpath("string(//h1)").startswith("Nothing")
            elif record["state"] == "past":
                assert url is not None
                target = (folder / url).resolve()
                assert target == base / "compare" / record["id"] / current, folder
                assert (target / "index.html").is_file()
            if record["changes"] is not None:
                redline = site / record["urls"]["redline"].removeprefix(site_url)
                counts = [int(text.split()[0]) for text in lxml.html.parse(
                    str(redline / "index.html")).getroot().xpath(
                    "//span[contains(@class, 'redline-count--')]/text()")]
                assert counts == [record["changes"]["words_added"],
                                  record["changes"]["words_removed"]], redline
            checked += 1
    return checked


@pytest.mark.parametrize("as_of", ["2026-12-07T00:00:00Z", "2027-01-02T00:00:00Z"])
def test_the_samples_since_addresses_on_both_sides_of_its_upcoming_version(
        as_of: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample's English policy announces a version for 2027-01-01."""
    monkeypatch.setenv("POLICY_AS_OF", as_of)
    site = build(ROOT / "mkdocs.yml", site_dir=str(tmp_path / "site"))
    manifest = json.loads((site / "privacy/versions.json").read_text("utf-8"))
    assert (manifest["current"] == "2027-01-01") == as_of.startswith("2027")
    site_url = manifest["policy"]["url"].removesuffix("privacy/")
    assert check_since_addresses(site, site_url) >= 4

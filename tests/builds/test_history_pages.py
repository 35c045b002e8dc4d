"""History pages, archived versions, upcoming versions and drafts, from real builds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support import GitRepo, build, page_text, write_config

META = "title: Privacy\nchanges:\n{}"


def entry(day: str, summary: str) -> str:
    return f"  - effective: {day}\n    summary: {summary}\n"


@pytest.fixture
def three_versions(repo: GitRepo) -> GitRepo:
    write_config(repo.path)
    repo.commit("First", "2020-01-10", {
        "policies/privacy/policy.yml": META.format(entry("2020-01-10", "First.")),
        "policies/privacy/10-intro.md": "We collect your email.\n",
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies.\n",
    })
    repo.commit("Typo", "2020-06-01", {
        "policies/privacy/policy.yml": META.format("  - editorial: Fixed a typo.\n"
                                                   + entry("2020-01-10", "First.")),
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies!\n",
    })
    repo.commit("Logs", "2021-03-01", {
        "policies/privacy/policy.yml": META.format(
            entry("2021-03-03", "We keep logs.") + "  - editorial: Fixed a typo.\n"
            + entry("2020-01-10", "First.")),
        "policies/privacy/10-intro.md": "We collect your email and logs.\n",
    })
    return repo


def version_urls(site: Path) -> list[str]:
    html = (site / "privacy/history/index.html").read_text("utf-8")
    return re.findall(r'<li class="policy-version policy-version--\w+" id="v-([\w-]+)"', html)


def test_history_lists_versions_newest_first_with_editorial_under_their_version(
        three_versions: GitRepo) -> None:
    site = build(three_versions.path / "mkdocs.yml", strict=True)
    html = (site / "privacy/history/index.html").read_text("utf-8")
    ids = re.findall(r'<li class="policy-version policy-version--\w+" id="v-([\w-]+)"', html)
    assert ids == ["2021-03-03", "2020-01-10"]
    older = html[html.index('id="v-2020-01-10"'):]
    assert "1 editorial revision after this version" in older
    assert "Fixed a typo." in older
    assert "We keep logs." in html[:html.index('id="v-2020-01-10"')]
    # per-section history: 'intro' changed in both versions, 'cookies' only in the first
    intro = html[html.index('id="section-intro"'):html.index('id="section-cookies"')]
    assert intro.count("Version of") == 2
    cookies = html[html.index('id="section-cookies"'):]
    assert cookies.count("Version of") == 1


def test_archived_version_is_frozen_and_says_it_is_not_current(three_versions: GitRepo) -> None:
    site = build(three_versions.path / "mkdocs.yml")
    old = (site / "privacy/versions/2020-01-10/index.html").read_text("utf-8")
    text = page_text(old)
    assert "This is not the current version" in text
    assert "We collect your email." in text and "and logs" not in text
    assert "We use cookies." in text  # as published then, before the editorial fix
    assert 'href="../../"' in old  # link to the current version
    current = (site / "privacy/versions/2021-03-03/index.html").read_text("utf-8")
    assert "This is the current version" in page_text(current)


def test_archives_are_out_of_nav_and_search(three_versions: GitRepo) -> None:
    site = build(three_versions.path / "mkdocs.yml")
    home = (site / "index.html").read_text("utf-8")
    assert "versions/" not in home and "history/" not in home
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))
    locations = {doc["location"] for doc in index["docs"]}
    assert any(loc.startswith("privacy/") for loc in locations)
    assert not any("/versions/" in loc or "/history/" in loc for loc in locations)


def test_existing_urls_do_not_change_when_a_version_is_added(three_versions: GitRepo,
                                                             tmp_path: Path) -> None:
    first = build(three_versions.path / "mkdocs.yml", site_dir=str(tmp_path / "before"))
    before = {p.relative_to(first): p.read_text("utf-8")
              for p in (first / "privacy/versions").rglob("index.html")}
    three_versions.commit("Same day", "2021-03-03T18:00:00+00:00", {
        "policies/privacy/policy.yml": META.format(
            entry("2021-03-03", "Correction.") + entry("2021-03-03", "We keep logs.")
            + "  - editorial: Fixed a typo.\n" + entry("2020-01-10", "First.")),
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use few cookies.\n",
    })
    second = build(three_versions.path / "mkdocs.yml", site_dir=str(tmp_path / "after"))
    assert version_urls(second) == ["2021-03-03-2", "2021-03-03", "2020-01-10"]
    for path, html in before.items():
        after = (second / path).read_text("utf-8")
        # the same words at the same address (banners may now point to a newer version)
        assert page_text(after).split("Section changed")[1:] == page_text(html).split(
            "Section changed")[1:], path


@pytest.mark.parametrize(("as_of", "banner"), [("2021-03-02T23:59:59Z", True),
                                               ("2021-03-03T00:00:00Z", False)])
def test_upcoming_version_switches_at_the_as_of_time(three_versions: GitRepo, as_of: str,
                                                    banner: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_AS_OF", as_of)
    site = build(three_versions.path / "mkdocs.yml")
    text = page_text((site / "privacy/index.html").read_text("utf-8"))
    assert ("This policy changes on March 3, 2021" in text) is banner
    assert ("and logs" in text) is not banner
    assert ("Last updated January 10, 2020" in text) is banner
    upcoming = page_text((site / "privacy/versions/2021-03-03/index.html").read_text("utf-8"))
    assert ("This version takes effect on March 3, 2021" in upcoming) is banner
    history = (site / "privacy/history/index.html").read_text("utf-8")
    assert ("policy-version--upcoming" in history) is banner


def test_serve_shows_uncommitted_edits_as_a_draft_and_build_does_not(
        three_versions: GitRepo, tmp_path: Path) -> None:
    three_versions.write({"policies/privacy/20-cookies.md": "## Cookies\n\nNo cookies at all.\n"})
    served = build(three_versions.path / "mkdocs.yml", command="serve",
                   site_dir=str(tmp_path / "served"))
    text = page_text((served / "privacy/index.html").read_text("utf-8"))
    assert "Draft — not published" in text and "No cookies at all." in text
    assert "policies/privacy/20-cookies.md" in text
    history = page_text((served / "privacy/history/index.html").read_text("utf-8"))
    assert "No cookies" not in history
    built = build(three_versions.path / "mkdocs.yml", site_dir=str(tmp_path / "built"))
    text = page_text((built / "privacy/index.html").read_text("utf-8"))
    assert "Draft" not in text and "No cookies at all." not in text

"""Redline pages between versions, and links in archived text, from real builds."""

from __future__ import annotations

import re

import html5lib
import pytest

from policy_history.redline import extract_text
from tests.support import GitRepo, build, page_text, write_config

META = "title: Privacy\nchanges:\n{}"


def entry(day: str, summary: str) -> str:
    return f"  - effective: {day}\n    summary: {summary}\n"


@pytest.fixture
def site(repo: GitRepo) -> GitRepo:
    write_config(repo.path)
    repo.commit("First", "2020-01-10", {
        "policies/privacy/policy.yml": META.format(entry("2020-01-10", "First.")),
        "policies/privacy/10-intro.md": "We keep logs for 90 days. See our [terms](../terms.md).\n",
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies.\n",
        "policies/terms.md": "# Terms\n\nRead the [privacy policy](privacy/index.md#cookies).\n",
    })
    repo.commit("Logs", "2021-03-01", {
        "policies/privacy/policy.yml": META.format(entry("2021-03-03", "Logs kept 30 days.")
                                                   + entry("2020-01-10", "First.")),
        "policies/privacy/10-intro.md": "We keep logs for 30 days. See our [terms](../terms.md).\n",
    })
    repo.commit("Rights", "2022-05-01", {
        "policies/privacy/policy.yml": META.format(
            entry("2022-05-05", "Your rights.") + entry("2021-03-03", "Logs kept 30 days.")
            + entry("2020-01-10", "First.")),
        "policies/privacy/30-rights.md": "## Your rights\n\nYou may ask for your data.\n",
    })
    return repo


def redline_of(html: str) -> str:
    start = html.index('<section class="redline-view redline-view--inline"')
    return html[start:html.index("</section>", start)]


def test_every_pair_gets_a_page_and_marks_exactly_the_change(site: GitRepo) -> None:
    built = build(site.path / "mkdocs.yml", strict=True)
    pages = sorted(p.parent.relative_to(built / "privacy/compare").as_posix()
                   for p in (built / "privacy/compare").rglob("index.html"))
    assert pages == ["2020-01-10/2021-03-03", "2020-01-10/2022-05-05", "2021-03-03/2022-05-05"]
    html = (built / "privacy/compare/2020-01-10/2021-03-03/index.html").read_text("utf-8")
    redline = redline_of(html)
    assert re.findall(r"<ins\b[^>]*>(.*?)</ins>", redline, re.S)
    inserted = " ".join(re.sub(r"<[^>]+>", "", m) for m in
                        re.findall(r"<ins\b[^>]*>(.*?)</ins>", redline, re.S))
    deleted = " ".join(re.sub(r"<[^>]+>", "", m) for m in
                       re.findall(r"<del\b[^>]*>(.*?)</del>", redline, re.S))
    assert "30" in inserted and "90" not in inserted
    assert "90" in deleted and "30" not in deleted
    # dropping the insertions gives the old text, dropping the deletions the new one
    assert "We keep logs for 90 days" in extract_text(redline, drop="ins")
    assert "We keep logs for 30 days" in extract_text(redline, drop="del")
    text = page_text(html)
    assert re.search(r"1 word added\s*,\s*1 word removed", text), text[:400]
    added = page_text((built / "privacy/compare/2021-03-03/2022-05-05/index.html")
                      .read_text("utf-8"))
    assert re.search(r"word\w* added.*in 1 section: Your rights", added), added[:400]


def test_redline_html_parses_strictly(site: GitRepo) -> None:
    built = build(site.path / "mkdocs.yml")
    for page in (built / "privacy/compare").rglob("index.html"):
        html = page.read_text("utf-8")
        for view in re.findall(r'<section class="redline-view[^"]*"[^>]*>(.*?)</section>', html,
                               re.S):
            html5lib.HTMLParser(strict=True).parseFragment(view)


def test_history_and_version_pages_link_to_redlines(site: GitRepo) -> None:
    built = build(site.path / "mkdocs.yml")
    history = (built / "privacy/history/index.html").read_text("utf-8")
    assert 'href="../compare/2021-03-03/2022-05-05/"' in history
    assert 'href="../compare/2020-01-10/2021-03-03/"' in history
    # against the current version: through the version's stable since address
    assert 'href="../since/2020-01-10/"' in history
    since = (built / "privacy/since/2020-01-10/index.html").read_text("utf-8")
    assert 'content="0; url=../../compare/2020-01-10/2022-05-05/"' in since
    assert "data-policy-compare=" in history
    version = (built / "privacy/versions/2021-03-03/index.html").read_text("utf-8")
    assert 'href="../../compare/2020-01-10/2021-03-03/"' in version
    current = (built / "privacy/index.html").read_text("utf-8")
    assert 'href="compare/2021-03-03/2022-05-05/"' in current


def test_long_histories_get_consecutive_and_current_pairs_only(site: GitRepo) -> None:
    write_config(site.path, policies={"compare_every_pair_up_to": 2})
    built = build(site.path / "mkdocs.yml")
    pages = sorted(p.parent.relative_to(built / "privacy/compare").as_posix()
                   for p in (built / "privacy/compare").rglob("index.html"))
    assert pages == ["2020-01-10/2021-03-03", "2020-01-10/2022-05-05", "2021-03-03/2022-05-05"]
    write_config(site.path, policies={"compare_every_pair_up_to": 0})
    site.commit("Fourth", "2023-01-01", {
        "policies/privacy/policy.yml": META.format(
            entry("2023-01-01", "Four.") + entry("2022-05-05", "Your rights.")
            + entry("2021-03-03", "Logs kept 30 days.") + entry("2020-01-10", "First.")),
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use no cookies.\n"})
    built = build(site.path / "mkdocs.yml")
    pages = sorted(p.parent.relative_to(built / "privacy/compare").as_posix()
                   for p in (built / "privacy/compare").rglob("index.html"))
    assert pages == ["2020-01-10/2021-03-03", "2020-01-10/2023-01-01", "2021-03-03/2022-05-05",
                     "2021-03-03/2023-01-01", "2022-05-05/2023-01-01"]


def test_links_between_policies_resolve_on_archived_and_redline_pages(site: GitRepo) -> None:
    """Archived text was written next to the policy's own page; its links still work."""
    built = build(site.path / "mkdocs.yml", strict=True)
    old = (built / "privacy/versions/2020-01-10/index.html").read_text("utf-8")
    assert 'href="../../../terms/"' in old
    terms = (built / "terms/versions/2020-01-10/index.html").read_text("utf-8")
    assert 'href="../../../privacy/#cookies"' in terms
    redline = (built / "privacy/compare/2020-01-10/2021-03-03/index.html").read_text("utf-8")
    assert 'href="../../../../terms/"' in redline
    for link in re.findall(r'href="(\.\./[^"#?]*)', old):  # a query is not a path
        target = (built / "privacy/versions/2020-01-10" / link).resolve()
        assert (target / "index.html").exists() or target.exists(), link


def test_comparing_with_the_current_version_can_be_turned_off(site: GitRepo) -> None:
    site.commit("Fourth", "2023-01-01", {
        "policies/privacy/policy.yml": META.format(
            entry("2023-01-01", "Four.") + entry("2022-05-05", "Your rights.")
            + entry("2021-03-03", "Logs kept 30 days.") + entry("2020-01-10", "First.")),
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use no cookies.\n"})
    write_config(site.path, policies={"compare_every_pair_up_to": 0,
                                      "compare_with_current": False})
    built = build(site.path / "mkdocs.yml", strict=True)
    pages = sorted(p.parent.relative_to(built / "privacy/compare").as_posix()
                   for p in (built / "privacy/compare").rglob("index.html"))
    assert pages == ["2020-01-10/2021-03-03", "2021-03-03/2022-05-05", "2022-05-05/2023-01-01"]
    history = (built / "privacy/history/index.html").read_text("utf-8")
    assert "compare/2020-01-10/2023-01-01" not in history  # no link to a page not made
    assert 'href="../compare/2021-03-03/2022-05-05/"' in history


def test_a_text_that_goes_back_and_forth_is_diffed_once_a_pair(
        site: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change made, undone and made again: the same two texts on three pages."""
    from policy_history.site import redline_store as redlines

    entries = [entry("2022-05-05", "Your rights."), entry("2021-03-03", "Logs kept 30 days."),
               entry("2020-01-10", "First.")]
    for number, days in enumerate(["30", "90", "30", "90"], 1):
        day = f"2023-0{number}-01"
        entries.insert(0, entry(day, f"{days} days."))
        site.commit(f"Back and forth {number}", day, {
            "policies/privacy/policy.yml": META.format("".join(entries)),
            "policies/privacy/10-intro.md":
                f"We keep logs for {days} days. See our [terms](../terms.md).\n"})
    write_config(site.path, policies={"compare_every_pair_up_to": 0,
                                      "compare_with_current": False, "jobs": 1})
    diffed: list[tuple[str, str]] = []
    unlinked = redlines._unlinked

    def counting(old: str, new: str, **options: object) -> dict:
        diffed.append((old, new))
        return unlinked(old, new, **options)

    monkeypatch.setattr(redlines, "_unlinked", counting)
    built = build(site.path / "mkdocs.yml", strict=True)
    assert len(diffed) == len(set(diffed))  # each pair of texts once
    back = [(built / f"privacy/compare/{old}/{new}/index.html").read_text("utf-8")
            for old, new in [("2023-01-01", "2023-02-01"), ("2023-03-01", "2023-04-01")]]
    # the same redline, but for where its folds link: each page's own new version
    same = [re.sub(r"versions/[\w.-]+/", "versions/NEW/", redline_of(page)) for page in back]
    assert same[0] == same[1]
    assert 'data-full-text="../../../versions/2023-04-01/"' in back[1]
    assert "90" in page_text(redline_of(back[0])) and "30" in page_text(redline_of(back[0]))
    assert 'href="../../../../terms/"' in back[1]

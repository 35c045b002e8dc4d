"""Feeds, versions.json, the recent-change notice and sitemap dates, from real builds."""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import html5lib
import jsonschema
import pytest

from tests.support import (
    CORPUS_VARIABLES,
    ROOT,
    GitRepo,
    build,
    build_cli,
    git,
    page_text,
    write_config,
)

SITE = "https://policies.example.com/"
TITLE = 'Privacy "Policy" <&>'
META = "title: '" + TITLE + "'\nchanges:\n{}"
SCHEMA = json.loads((ROOT / "docs/schemas/versions.schema.json").read_text("utf-8"))
INTRO = "We collect your email.\n"
COOKIES = "## Cookies\n\nWe use cookies & [crumbs](https://example.com/?a=1&b=2).\n"


def entry(day: str, summary: str) -> str:
    return f"  - effective: {day}\n    summary: {summary}\n"


FIRST = entry("2020-01-10", "First.")
TYPO = "  - editorial: Fixed a typo.\n"
LOGS = entry("2021-03-03", "We keep logs.")
LATER = entry("2021-05-01", "An upcoming change.")


@pytest.fixture
def policy_repo(repo: GitRepo) -> GitRepo:
    write_config(repo.path)
    repo.commit("First", "2020-01-10T21:00:00-05:00", {
        "policies/privacy/policy.yml": META.format(FIRST),
        "policies/privacy/10-intro.md": INTRO,
        "policies/privacy/20-cookies.md": COOKIES,
    })
    repo.commit("Typo", "2020-06-01T12:00:00+02:00", {
        "policies/privacy/policy.yml": META.format(TYPO + FIRST),
        "policies/privacy/20-cookies.md": COOKIES.replace("cookies &", "cookies  &"),
    })
    repo.commit("Logs", "2021-03-01T10:00:00+05:30", {
        "policies/privacy/policy.yml": META.format(LOGS + TYPO + FIRST),
        "policies/privacy/10-intro.md": "We collect your email and logs.\n",
    })
    repo.commit("Later", "2021-04-01T12:00:00+00:00", {
        "policies/privacy/policy.yml": META.format(LATER + LOGS + TYPO + FIRST),
        "policies/privacy/10-intro.md": "We collect nothing.\n",
    })
    return repo


def build_as_of(repo: GitRepo, as_of: str, monkeypatch: pytest.MonkeyPatch,
                site: str = "site", **policies) -> Path:
    monkeypatch.setenv("POLICY_AS_OF", as_of)
    if policies:
        write_config(repo.path, policies=policies)
    return build(repo.path / "mkdocs.yml", site_dir=str(repo.path / site))


def history_ids(site: Path, slug: str = "privacy") -> list[str]:
    html = (site / slug / "history/index.html").read_text("utf-8")
    return re.findall(r'<li class="policy-version policy-version--\w+" id="v-([\w-]+)"', html)


def commit_dates(repo: Path) -> dict[str, str]:
    """sha → committer date in its own offset, as git prints it."""
    out = git(repo, "log", "--format=%H %cI")
    return dict(line.split(" ") for line in out.splitlines())


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def archived_text(page: str) -> str:
    """docs/feeds.md's definition of the rendered text, on an HTML5 tree of the page."""
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    texts = []
    container = next(e for e in tree.iter("div") if e.get("class") == "policy-text")
    for section in container.findall("section"):
        assert "policy-section" in section.get("class", "").split()

        def text(element) -> str:
            if not isinstance(element.tag, str):
                return ""
            classes = set((element.get("class") or "").split())
            if classes & {"headerlink", "policy-section__changed"}:
                return ""
            return (element.text or "") + "".join(text(c) + (c.tail or "") for c in element)

        texts.append(re.sub(r"[ \t\n\f\r]+", " ", text(section)).strip(" "))
    return "\n".join(texts)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_feeds_hold_each_version_once_newest_first_with_commit_time_zones(
        policy_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    site = build_as_of(policy_repo, "2021-04-15", monkeypatch)
    ids = history_ids(site)
    assert ids == ["2021-05-01", "2021-03-03", "2020-01-10"]
    dates = commit_dates(policy_repo.path)
    manifest = json.loads((site / "privacy/versions.json").read_text("utf-8"))
    for name in ("privacy/feed.xml", "feed.xml"):
        parsed = feedparser.parse((site / name).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert [e.id for e in parsed.entries] == [f"{SITE}privacy/versions/{i}/" for i in ids]
        for item, record in zip(parsed.entries, manifest["versions"], strict=True):
            assert item.published == dates[record["commit"]]  # e.g. 2020-01-10T21:00:00-05:00
            assert item.link == record["urls"]["text"]
            assert item.summary == record["summary"]
        assert parsed.feed.updated == dates[manifest["versions"][0]["commit"]]
    assert parsed.entries[-1].published_parsed[:4] == (2020, 1, 11, 2)  # in UTC
    policy_feed = feedparser.parse((site / "privacy/feed.xml").read_bytes())
    assert policy_feed.feed.title == f"{TITLE}: changes"
    for name in ("privacy/feed.json", "feed.json"):
        data = json.loads((site / name).read_text("utf-8"))
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        assert isinstance(data["title"], str) and data["title"]
        assert data["feed_url"] == SITE + name
        assert [item["id"] for item in data["items"]] == \
            [f"{SITE}privacy/versions/{i}/" for i in ids]
        for item in data["items"]:
            assert isinstance(item["id"], str)
            assert isinstance(item.get("content_html") or item.get("content_text"), str)
            assert item["date_published"] == dates[item["_policy_history"]["commit"]]


def test_manifest_validates_and_its_hashes_recompute_from_the_archive(
        policy_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    site = build_as_of(policy_repo, "2021-04-15", monkeypatch)
    data = json.loads((site / "privacy/versions.json").read_text("utf-8"))
    validator().validate(data)
    assert [v["id"] for v in data["versions"]] == history_ids(site)
    assert data["current"] == "2021-03-03" and data["upcoming"] == ["2021-05-01"]
    for record in data["versions"]:
        assert record["urls"]["text"].startswith(SITE)
        folder = site / record["urls"]["text"][len(SITE):]
        source = (folder / "source.md").read_bytes()
        assert sha256(source) == record["sha256"]["source"]
        # … and the same bytes from git, by the documented rule
        fragments = [git(policy_repo.path, "show", f"{record['commit']}:policies/privacy/{f}")
                     for f in ("10-intro.md", "20-cookies.md")]
        expected = "\n\n".join(f.strip("\n") for f in fragments) + "\n"
        assert source == expected.encode("utf-8")
        page = (folder / "index.html").read_text("utf-8")
        assert sha256(archived_text(page).encode("utf-8")) == record["sha256"]["text"]
    # different texts, different hashes; the typo fix changed the source, not the words
    assert len({v["sha256"]["text"] for v in data["versions"]}) == 3


def test_feeds_and_manifests_are_byte_identical_across_time_zones_and_locales(
        policy_repo: GitRepo) -> None:
    outputs = []
    for index, env in enumerate([
        {"TZ": "Pacific/Kiritimati", "LC_ALL": "C", "LANG": "C"},
        {"TZ": "America/Adak", "LC_ALL": "C.UTF-8", "LANG": "fr_FR.UTF-8"},
    ]):
        site = f"built-{index}"
        result = build_cli(policy_repo.path, "-q", "-d", site,
                           env={**env, "POLICY_AS_OF": "2021-04-15T10:00:00+02:00"})
        assert result.returncode == 0, result.stderr
        folder = policy_repo.path / site
        files = sorted(p for p in folder.rglob("*")
                       if p.name in {"feed.xml", "feed.json", "versions.json", "source.md"})
        outputs.append({p.relative_to(folder).as_posix(): p.read_bytes() for p in files})
    assert len(outputs[0]) == 4 + 1 + 3  # feeds ×2 ×2, versions.json, source.md ×3
    assert outputs[0] == outputs[1]


def test_without_site_url_the_feeds_are_left_out_with_a_warning(repo: GitRepo) -> None:
    write_config(repo.path, site_url=None)
    repo.commit("First", "2020-01-10", {"policies/privacy.md": "# Privacy\n\nHello.\n"})
    strict = build_cli(repo.path, "--strict")
    assert strict.returncode != 0
    assert "site_url" in strict.stderr and "feeds: false" in strict.stderr
    result = build_cli(repo.path)
    assert result.returncode == 0, result.stderr
    assert "WARNING" in result.stderr and "are left out" in result.stderr
    page = (repo.path / "site/privacy/index.html").read_text()
    assert "Privacy" in page and "feed.xml" not in page and "versions.json" not in page
    assert not list((repo.path / "site").rglob("feed.*"))
    assert not list((repo.path / "site").rglob("versions.json"))
    write_config(repo.path, site_url=None, policies={"feeds": False})
    result = build_cli(repo.path, "--strict")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr


def test_entries_setting_and_editorial_opt_in(policy_repo: GitRepo,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    site = build_as_of(policy_repo, "2021-04-15", monkeypatch, feed_entries=1)
    parsed = feedparser.parse((site / "privacy/feed.xml").read_bytes())
    assert [e.id for e in parsed.entries] == [f"{SITE}privacy/versions/2021-05-01/"]
    manifest = json.loads((site / "privacy/versions.json").read_text("utf-8"))
    assert len(manifest["versions"]) == 3  # the manifest is never cut
    site = build_as_of(policy_repo, "2021-04-15", monkeypatch, site="editorial",
                       feed_editorial=True)
    parsed = feedparser.parse((site / "privacy/feed.xml").read_bytes())
    assert [e.title.split(": ", 1)[1] for e in parsed.entries] == [
        "new version, effective May 1, 2021", "new version, effective March 3, 2021",
        "editorial revision of June 1, 2020", "first version, effective January 10, 2020"]
    assert parsed.entries[2].summary == "Fixed a typo."


@pytest.mark.parametrize(("as_of", "days", "shown"), [
    ("2021-03-03T00:00:00Z", 30, True),
    ("2021-04-01T23:59:59Z", 30, True),  # day 29
    ("2021-04-02T00:00:00Z", 30, False),  # day 30
    ("2021-04-02T00:00:00Z", 31, True),
    ("2021-03-03T00:00:00Z", 0, False),
    ("2020-01-10T00:00:00Z", 30, False),  # the first version: nothing changed
])
def test_recent_change_notice_follows_the_as_of_day(policy_repo: GitRepo, as_of: str,
                                                     days: int, shown: bool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    site = build_as_of(policy_repo, as_of, monkeypatch, recent_change_days=days)
    html = (site / "privacy/index.html").read_text("utf-8")
    text = page_text(html)
    assert ("Updated on March 3, 2021" in text) is shown
    if shown:
        notice = html[html.index("policy-banner--recent"):]
        notice = notice[:notice.index("</div>")]
        assert "We keep logs." in notice
        assert 'href="compare/2020-01-10/2021-03-03/"' in notice
        assert 'href="versions/2020-01-10/"' in notice
    for page in ("privacy/history/index.html", "privacy/versions/2021-03-03/index.html"):
        assert "policy-banner--recent" not in (site / page).read_text("utf-8")


def test_pages_link_their_feeds_and_the_history_page_offers_to_subscribe(
        policy_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    site = build_as_of(policy_repo, "2021-04-15", monkeypatch)
    for page in ("privacy/index.html", "privacy/history/index.html",
                 "privacy/versions/2020-01-10/index.html", "index.html"):
        tree = html5lib.parse((site / page).read_text("utf-8"), namespaceHTMLElements=False)
        links = [(link.get("type"), link.get("title"), link.get("href"))
                 for link in tree.find("head").iter("link") if link.get("rel") == "alternate"]
        targets = {(kind, (site / page).parent.joinpath(href).resolve())
                   for kind, _, href in links}
        site_feeds = {("application/atom+xml", (site / "feed.xml").resolve()),
                      ("application/feed+json", (site / "feed.json").resolve())}
        assert site_feeds <= targets, page
        if page != "index.html":
            assert {("application/atom+xml", (site / "privacy/feed.xml").resolve()),
                    ("application/feed+json", (site / "privacy/feed.json").resolve())
                    } <= targets, page
            assert f"{TITLE}: changes (Atom)" in {title for _, title, _ in links}
        assert all(path.is_file() for _, path in targets)
    history = (site / "privacy/history/index.html").read_text("utf-8")
    block = history[history.index('class="policy-subscribe"'):]
    block = block[:block.index("</nav>")]
    hrefs = re.findall(r'href="([^"]+)"', block)
    assert {(site / "privacy/history").joinpath(h).resolve() for h in hrefs} == {
        (site / p).resolve() for p in ("privacy/feed.xml", "privacy/feed.json",
                                       "privacy/versions.json", "feed.xml")}
    assert "Subscribe" in page_text(block + "</nav>")


def test_sitemap_lastmod_of_policy_pages_follows_the_history(
        policy_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    site = build_as_of(policy_repo, "2021-04-15", monkeypatch)
    tree = ET.parse(site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    lastmod = {url.findtext("s:loc", namespaces=ns): url.findtext("s:lastmod", namespaces=ns)
               for url in tree.getroot().findall("s:url", ns)}
    assert {loc: day for loc, day in lastmod.items() if "/privacy/" in loc} == {
        # in force since Mar 3; the upcoming version was announced on Apr 1 (its banner)
        f"{SITE}privacy/": "2021-04-01",
        f"{SITE}privacy/history/": "2021-04-01",
        # replaced on Mar 3
        f"{SITE}privacy/versions/2020-01-10/": "2021-03-03",
        f"{SITE}privacy/versions/2021-03-03/": "2021-03-03",
        # published, not in force yet
        f"{SITE}privacy/versions/2021-05-01/": "2021-04-01",
        # redlines: the newer version was published, or took effect as the current one
        f"{SITE}privacy/compare/2020-01-10/2021-03-03/": "2021-03-03",
        f"{SITE}privacy/compare/2020-01-10/2021-05-01/": "2021-04-01",
        f"{SITE}privacy/compare/2021-03-03/2021-05-01/": "2021-04-01",
    }


@pytest.mark.corpus
def test_basecamp_feeds_hold_one_entry_per_version_on_its_history_page(
        corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clone = corpus("basecamp-policies")
    monkeypatch.setenv("POLICY_AS_OF", "2025-01-01")
    site = build(write_config(tmp_path, policies_dir=str(clone), extra=CORPUS_VARIABLES,
                              home=False, policies={"feed_entries": 0}))
    check = validator()
    total = 0
    checked_text = 0
    for history in sorted(site.glob("**/history/index.html")):
        folder = history.parent.parent
        slug = folder.relative_to(site).as_posix()
        ids = history_ids(site, slug)
        assert ids, slug
        parsed = feedparser.parse((folder / "feed.xml").read_bytes())
        assert not parsed.bozo, (slug, parsed.get("bozo_exception"))
        assert [e.id for e in parsed.entries] == [f"{SITE}{slug}/versions/{i}/" for i in ids]
        items = json.loads((folder / "feed.json").read_text("utf-8"))["items"]
        assert [item["id"] for item in items] == [e.id for e in parsed.entries]
        manifest = json.loads((folder / "versions.json").read_text("utf-8"))
        check.validate(manifest)
        assert [v["id"] for v in manifest["versions"]] == ids
        for index, record in enumerate(manifest["versions"]):
            version = folder / "versions" / record["id"]
            assert sha256((version / "source.md").read_bytes()) == record["sha256"]["source"]
            if index < 3:  # html5lib is slow: the newest three of each policy
                page = (version / "index.html").read_text("utf-8")
                assert sha256(archived_text(page).encode()) == record["sha256"]["text"]
                checked_text += 1
        total += len(ids)
    assert total > 150  # basecamp: 191 versions (changes of words) across 26 policies
    assert checked_text > 50
    assert len(feedparser.parse((site / "feed.xml").read_bytes()).entries) == total

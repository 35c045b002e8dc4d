"""A site with translations, built: each language's pages, the notice of the source
version a translation follows, the warning when it is out of date, the switcher, the
text's language and direction, dates in each language, and versions.json."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import lxml.etree
import lxml.html
import pytest

from tests.support import ROOT, GitRepo, build, build_cli, write_config

AS_OF = "2024-07-01"
#: an XPath test for a class among an element's classes
CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' %s ')"


def meta(title: str, *entries: tuple[str, str, str | None]) -> str:
    lines = [f"title: {title}", "changes:"]
    for effective, summary, translates in entries:
        lines += [f"  - effective: {effective}", f"    summary: {summary}"]
        lines += [f"    translates: {translates}"] if translates else []
    return "\n".join(lines) + "\n"


@pytest.fixture
def bilingual(repo: GitRepo) -> GitRepo:
    """privacy (two versions: 2024-01-01, 2024-06-01), its German translation of both,
    and an Arabic one of the first only: out of date as of July 2024."""
    write_config(repo.path)
    repo.commit("English", "2024-01-01", {
        "policies/privacy/policy.yml": meta("Privacy Policy", ("2024-01-01", "First.", None)),
        "policies/privacy/10-intro.md": "We respect your privacy.\n",
        "policies/privacy/20-logs.md": "## Logs\n\nWe keep logs for 90 days.\n"})
    repo.commit("German", "2024-01-10", {
        "policies/de/privacy/policy.yml": meta("Datenschutzerklärung",
                                               ("2024-01-01", "Erste Fassung.", None)),
        "policies/de/privacy/10-intro.md": "Wir achten Ihre Privatsphäre.\n",
        "policies/de/privacy/20-logs.md": "## Protokolle\n\nWir speichern sie 90 Tage.\n"})
    repo.commit("Arabic", "2024-01-12", {
        "policies/ar/privacy/policy.yml": meta("سياسة الخصوصية",
                                               ("2024-01-01", "الإصدار الأول.", None)),
        "policies/ar/privacy/10-intro.md": "نحن نحترم خصوصيتك.\n",
        "policies/ar/privacy/20-logs.md": "## السجلات\n\nنحتفظ بالسجلات لمدة 90 يومًا.\n"})
    repo.commit("English 2", "2024-05-01", {
        "policies/privacy/policy.yml": meta("Privacy Policy",
                                            ("2024-06-01", "Logs for 30 days.", None),
                                            ("2024-01-01", "First.", None)),
        "policies/privacy/20-logs.md": "## Logs\n\nWe keep logs for 30 days.\n"})
    repo.commit("German 2", "2024-05-20", {
        "policies/de/privacy/policy.yml": meta("Datenschutzerklärung",
                                               ("2024-06-01", "30 Tage.", "2024-06-01"),
                                               ("2024-01-01", "Erste Fassung.", None)),
        "policies/de/privacy/20-logs.md": "## Protokolle\n\nWir speichern sie 30 Tage.\n"})
    return repo


@pytest.fixture
def site(bilingual: GitRepo, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POLICY_AS_OF", AS_OF)
    return build(bilingual.path / "mkdocs.yml", strict=True)


def page(site: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(site / path / "index.html")).getroot()


def resolve(site: Path, at: str, href: str) -> Path:
    """The file a relative link of the page at ``at`` reaches."""
    target = (site / at / href).resolve()
    return target / "index.html" if target.is_dir() else target


def test_each_language_has_its_pages_and_the_switcher_links_them(site: Path) -> None:
    for path in ("privacy", "de/privacy", "ar/privacy", "de/privacy/history",
                 "de/privacy/versions/2024-06-01", "de/privacy/compare/2024-01-01/2024-06-01"):
        assert (site / path / "index.html").is_file(), path
    for at in ("privacy", "de/privacy", "ar/privacy"):
        links = page(site, at).xpath(".//nav[@class='policy-languages']//a")
        assert [(a.get("hreflang"), a.get("lang"), a.text_content()) for a in links] == [
            ("en", "en", "English"), ("ar", "ar", "العربية"), ("de", "de", "Deutsch")]
        assert [a.get("aria-current") for a in links].count("page") == 1
        for a in links:
            assert resolve(site, at, a.get("href")).is_file(), (at, a.get("href"))
    head = page(site, "de/privacy").xpath(".//link[@rel='alternate'][@hreflang]")
    assert {(link.get("hreflang"), link.get("href")) for link in head} == {
        ("en", "https://policies.example.com/privacy/"),
        ("de", "https://policies.example.com/de/privacy/"),
        ("ar", "https://policies.example.com/ar/privacy/")}


def test_a_translation_says_what_it_follows_and_when_it_is_behind(site: Path) -> None:
    german = page(site, "de/privacy")
    [notice] = german.xpath(f"//*[{CLASS % 'policy-translation'}]")
    assert "policy-translation--outdated" not in notice.get("class")
    assert "English version of June 1, 2024" in notice.text_content()
    assert "controls" in notice.text_content()
    [link] = notice.xpath(".//a")
    assert resolve(site, "de/privacy", link.get("href")) == \
        site / "privacy/versions/2024-06-01/index.html"
    assert notice.get("data-follows-how") == "declared"

    arabic = page(site, "ar/privacy")
    [notice] = arabic.xpath(f"//*[{CLASS % 'policy-translation'}]")
    assert "policy-translation--outdated" in notice.get("class")
    assert "out of date" in notice.text_content() and "June 1, 2024" in notice.text_content()
    assert "English version of January 1, 2024" in notice.text_content()
    changes, source = notice.xpath(".//a")
    assert resolve(site, "ar/privacy", changes.get("href")) == \
        site / "privacy/compare/2024-01-01/2024-06-01/index.html"
    assert resolve(site, "ar/privacy", source.get("href")) == \
        site / "privacy/versions/2024-01-01/index.html"
    # the source itself says nothing of the kind
    assert not page(site, "privacy").xpath(f"//*[{CLASS % 'policy-translation'}]")
    # the German archive: its first version followed the first English one
    first = page(site, "de/privacy/versions/2024-01-01")
    [old] = first.xpath(f"//*[{CLASS % 'policy-translation'}]")
    assert "January 1, 2024" in old.text_content()


def test_the_text_carries_its_language_and_direction(site: Path) -> None:
    arabic = page(site, "ar/privacy")
    sections = arabic.xpath(f"//section[{CLASS % 'policy-section'}]")
    assert sections and all((s.get("lang"), s.get("dir")) == ("ar", "rtl") for s in sections)
    assert (arabic.xpath("//h1")[0].get("lang"), arabic.xpath("//h1")[0].get("dir")) == (
        "ar", "rtl")
    marks = arabic.xpath(f"//p[{CLASS % 'policy-section__changed'}]")
    assert marks and all(mark.get("lang") == "en" for mark in marks)
    german = page(site, "de/privacy")
    assert {s.get("dir") for s in german.xpath(f"//section[{CLASS % 'policy-section'}]")} == {"ltr"}
    assert page(site, "privacy").xpath("//h1")[0].get("lang") == "en"


def test_dates_are_written_in_each_language(site: Path) -> None:
    """Read by hand: the German and Arabic month names of June and January."""
    def updated(path: str) -> tuple[str | None, str]:
        time = page(site, path).xpath(f"//*[{CLASS % 'policy-dates'}]//time")[0]
        return time.get("datetime"), time.text_content()

    assert updated("privacy") == ("2024-06-01", "June 1, 2024")
    assert updated("de/privacy") == ("2024-06-01", "1. Juni 2024")
    assert updated("ar/privacy") == ("2024-01-01", "1 يناير 2024")


def test_versions_json_names_each_translated_versions_source(site: Path) -> None:
    schema = json.loads((ROOT / "docs/schemas/versions.schema.json").read_text())
    manifests = {slug: json.loads((site / slug / "versions.json").read_text())
                 for slug in ("privacy", "de/privacy", "ar/privacy")}
    for manifest in manifests.values():
        jsonschema.validate(manifest, schema)
    assert manifests["privacy"]["policy"]["language"] == "en"
    assert "translation_of" not in manifests["privacy"]["policy"]
    assert all("follows" not in v for v in manifests["privacy"]["versions"])
    german = manifests["de/privacy"]
    assert german["policy"]["language"] == "de"
    assert german["policy"]["translation_of"] == {
        "slug": "privacy", "language": "en", "outdated": False,
        "url": "https://policies.example.com/privacy/"}
    assert [(v["id"], v["follows"]["id"], v["follows"]["how"]) for v in german["versions"]] == [
        ("2024-06-01", "2024-06-01", "declared"), ("2024-01-01", "2024-01-01", "date")]
    assert manifests["ar/privacy"]["policy"]["translation_of"]["outdated"] is True


def test_a_translation_of_nothing_stops_the_build_with_its_file(bilingual: GitRepo) -> None:
    bilingual.commit("Stray", "2024-06-10", {"policies/de/cookies.md": "# Kekse\n\nText.\n"})
    result = build_cli(bilingual.path, env={"POLICY_AS_OF": AS_OF})
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "policies/de/cookies.md" in result.stderr
    assert "no policy at 'policies/cookies.md'" in result.stderr


def test_the_wording_is_a_setting_per_language(bilingual: GitRepo,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_AS_OF", AS_OF)
    write_config(bilingual.path, policies={"translation_wording": {"de": {
        "notice": "Übersetzung der {language} Fassung vom {date}; maßgeblich ist sie.",
        "source_link": "Zur Fassung ({language})"}}})
    site = build(bilingual.path / "mkdocs.yml", strict=True)
    [notice] = page(site, "de/privacy").xpath(f"//*[{CLASS % 'policy-translation'}]")
    text = notice.text_content()
    assert "Übersetzung der Englisch Fassung vom 1. Juni 2024" in text
    assert "Zur Fassung (Englisch)" in text
    # other languages keep the default wording
    assert "This is a translation" in page(site, "ar/privacy").xpath(
        f"//*[{CLASS % 'policy-translation'}]")[0].text_content()
    write_config(bilingual.path, policies={"translation_wording": {"de": {"notise": "x"}}})
    result = build_cli(bilingual.path)
    assert result.returncode != 0 and "unknown key 'notise'" in result.stderr


def test_translations_are_listed_with_their_source_not_as_policies(site: Path) -> None:
    home = page(site, ".")
    entries = home.xpath(f"//li[{CLASS % 'policy-index__item'}]")
    titles = [entry.xpath("./a")[0].text_content() for entry in entries]
    assert titles == ["Privacy Policy"]
    links = entries[0].xpath(f".//ul[{CLASS % 'policy-index__languages'}]//a")
    assert [(a.get("hreflang"), a.get("lang"), a.text_content()) for a in links] == [
        ("ar", "ar", "العربية"), ("de", "de", "Deutsch")]
    for a in links:
        assert resolve(site, ".", a.get("href")) == site / a.get("hreflang") / "privacy" / \
            "index.html"
    # Material's navigation lists the source, not its translations
    nav = home.xpath("//nav[" + CLASS % "md-nav--primary" + "]//a/@href")
    assert any(href.rstrip("/").endswith("privacy") and "/" not in href.rstrip("/")
               for href in nav), nav
    assert not [href for href in nav if "de/privacy" in href or "ar/privacy" in href]
    # and the translation's own page is still there, with its switcher
    assert page(site, "de/privacy").xpath("//nav[@class='policy-languages']")


@pytest.fixture
def withdrawn_site(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """legalmattic's layout: translations named by their language beside the English
    file; the Hebrew one removed in 2021. (The site, and the removing commit.)"""
    write_config(repo.path)
    repo.commit("EN", "2020-01-01", {
        "policies/Terms/EN-Terms-of-Service.md": "Terms of Service\n=====\n\nOur terms.\n"})
    repo.commit("HE", "2020-02-01", {
        "policies/Terms/HE-תנאי השירות.md": "תנאי השירות\n=====\n\nהתנאים שלנו.\n"})
    repo.commit("DE", "2020-02-02", {
        "policies/Terms/DE-Bedingungen.md": "Bedingungen\n=====\n\nUnsere Bedingungen.\n"})
    removed = repo.commit("Remove HE", "2021-05-10", {"policies/Terms/HE-תנאי השירות.md": None})
    monkeypatch.setenv("POLICY_AS_OF", AS_OF)
    return build(repo.path / "mkdocs.yml", strict=True), removed


def test_a_withdrawn_translation_keeps_its_pages_and_says_so(
        withdrawn_site: tuple[Path, str]) -> None:
    site, removed = withdrawn_site
    hebrew = "terms/he-תנאי-השירות"
    notice, = page(site, hebrew).xpath(f"//div[{CLASS % 'policy-translation--withdrawn'}]")
    assert "withdrawn on" in notice.text_content()
    assert notice.xpath(".//time/@datetime")[0] == "2021-05-10"
    link, = notice.xpath(".//a")
    assert resolve(site, hebrew, link.get("href")) == site / "terms/en-terms-of-service" / \
        "index.html"
    heading, = page(site, hebrew).xpath(f"//header[{CLASS % 'policy-header'}]/h1")
    assert (heading.get("lang"), heading.get("dir")) == ("he", "rtl")
    # the switchers leave it out; the source's history lists it
    assert [a.get("hreflang") for a in page(site, "terms/en-terms-of-service").xpath(
        "//nav[@class='policy-languages']//a")] == ["en", "de"]
    assert not page(site, hebrew).xpath("//nav[@class='policy-languages']")
    history = "terms/en-terms-of-service/history"
    items = page(site, history).xpath(f"//section[{CLASS % 'policy-translations'}]//li")
    assert [item.xpath("./a/@hreflang")[0] for item in items] == ["de", "he"]
    withdrawn = items[1]
    assert resolve(site, history, withdrawn.xpath("./a/@href")[0]) == site / hebrew / \
        "history" / "index.html"
    assert withdrawn.xpath(".//time/@datetime") == ["2020-02-01", "2021-05-10"]
    assert items[0].xpath(".//time/@datetime") == ["2020-02-02"]
    # versions.json says when and by which commit
    schema = json.loads((ROOT / "docs/schemas/versions.schema.json").read_text())
    manifest = json.loads((site / hebrew / "versions.json").read_text())
    jsonschema.validate(manifest, schema)
    assert manifest["policy"]["withdrawn"] == {"date": "2021-05-10", "commit": removed}
    assert "withdrawn" not in json.loads(
        (site / "terms/de-bedingungen/versions.json").read_text())["policy"]
    # the home page lists the source once, with the translation in force only
    entry, = page(site, ".").xpath(f"//li[{CLASS % 'policy-index__item'}]")
    assert entry.xpath(".//ul//a/@hreflang") == ["de"]


def test_each_language_has_the_sites_feeds_of_its_own(site: Path) -> None:
    """/feed.xml has the policies in the site's language; /de/feed.xml the German
    translations, in German; a translation's pages name its language's feeds."""
    atom = "{http://www.w3.org/2005/Atom}"
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    found = {}
    for language in ("", "de", "ar"):
        folder = site / language if language else site
        root = lxml.etree.parse(str(folder / "feed.xml")).getroot()
        as_json = json.loads((folder / "feed.json").read_text("utf-8"))
        categories = {c.get("term") for c in root.iter(f"{atom}category")}
        found[language] = (root.get(lang), as_json["language"], categories,
                           {tag for item in as_json["items"] for tag in item["tags"]})
        assert root.findtext(f"{atom}id") == as_json["feed_url"].replace(".json", ".xml")
    assert found[""] == ("en", "en", {"privacy"}, {"privacy"})
    assert found["de"] == ("de", "de", {"de/privacy"}, {"de/privacy"})
    assert found["ar"] == ("ar", "ar", {"ar/privacy"}, {"ar/privacy"})
    title = lxml.etree.parse(str(site / "de/feed.xml")).getroot().findtext(f"{atom}title")
    assert title.endswith("(Deutsch)")
    for path, feed in (("de/privacy", "de/feed.xml"), ("de/privacy/history", "de/feed.xml"),
                       ("privacy", "feed.xml")):
        links = page(site, path).xpath("//link[@rel='alternate'][@type='application/atom+xml']"
                                       "/@href")
        assert site / feed in [resolve(site, path, href) for href in links], path

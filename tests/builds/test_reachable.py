"""Every page a build writes can be reached: by a link, a control, a feed or the manifest.

An independent crawler starts where a visitor or a program starts (the home page, the
sitemap, the site's feeds and the 404 page) and follows what each file names: links and
sources in HTML, the compare control's pairs and the folds' full-text pages, addresses in
JSON and in feeds. Every page, Markdown source, manifest and feed the site holds must be
reached; a page nothing reaches costs its host bytes and its visitors nothing.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.etree
import lxml.html
import pytest

from tests.support import (
    CORPUS_VARIABLES,
    ROOT,
    build,
    build_sample,
    git,
    sample_versions,
    write_config,
)

SITE_URL = "https://policies.example.com/"
#: what a visitor or a program may be sent to first
ENTRIES = ("index.html", "404.html", "sitemap.xml", "feed.xml", "feed.json")
#: files that are pages of the site (assets are the theme's to ship)
PAGE = re.compile(r"(^|/)(index\.html|source\.md|versions\.json|feed\.(xml|json))$")


def _file(site: Path, url: str, base: str) -> str | None:
    """The site file an address names (relative to ``base``, a site path), or None."""
    if not url or any(c.isspace() for c in url) or len(url) > 1000:
        return None  # prose in a manifest, not an address
    if url.startswith(SITE_URL):
        url = "/" + url[len(SITE_URL):]
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    path = posixpath.normpath(path[1:] if path.startswith("/")
                              else posixpath.join(posixpath.dirname(base), path))
    if path in (".", ""):
        path = "index.html"
    if (site / path).is_dir():
        path = posixpath.join(path, "index.html")
    return path if (site / path).is_file() else None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _named(site: Path, path: str) -> list[str]:
    """The addresses one file names, each relative to that file."""
    data = (site / path).read_bytes()
    if path.endswith(".html"):
        doc = lxml.html.fromstring(data)
        urls = [value for name in ("href", "src", "data-full-text")
                for value in doc.xpath(f"//@{name}")]
        for form in doc.xpath("//*[@data-policy-compare]"):
            base = form.get("data-base") or ""
            urls += [posixpath.join(base, url) if not url.startswith(("/", "http")) else url
                     for url in json.loads(form.get("data-policy-compare")).values()]
        return urls
    if path.endswith(".json"):
        return _strings(json.loads(data))
    if path.endswith(".xml"):
        tree = lxml.etree.fromstring(data)
        urls = list(tree.xpath("//@href"))
        urls += list(tree.xpath("//*[local-name()='loc']/text()"))
        for content in tree.xpath("//*[local-name()='content' or local-name()='summary']"):
            if content.text and "<" in content.text:
                urls += lxml.html.fromstring(content.text).xpath("//@href")
        return urls
    return []


def unreached(site: Path) -> list[str]:
    """The pages of a built site that nothing reaches from its entries."""
    seen = {entry for entry in ENTRIES if (site / entry).is_file()}
    todo = list(seen)
    while todo:
        path = todo.pop()
        for url in _named(site, path):
            found = _file(site, url, path)
            if found is not None and found not in seen:
                seen.add(found)
                todo.append(found)
    pages = {file.relative_to(site).as_posix() for file in site.rglob("*") if file.is_file()}
    return sorted(page for page in pages - seen if PAGE.search(page))


def test_the_crawler_finds_a_page_nothing_links(tmp_path: Path) -> None:
    """The oracle can fail: a page written beside the site is reported."""
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text('<a href="a/">A</a>', encoding="utf-8")
    (site / "a" / "index.html").write_text('<a href="../">home</a>', encoding="utf-8")
    assert unreached(site) == []
    (site / "lost").mkdir()
    (site / "lost" / "index.html").write_text("<p>lost</p>", encoding="utf-8")
    assert unreached(site) == ["lost/index.html"]


def test_every_page_of_the_sample_is_reached(tmp_path: Path) -> None:
    if git(ROOT, "rev-parse", "--is-shallow-repository").strip() == "true":
        pytest.skip("this checkout is shallow; the sample needs the full history")
    site = build_sample(tmp_path / "site", sample_versions()[-1], strict=True)
    assert len(list(site.rglob("index.html"))) >= 9  # home, policy, history, versions, redlines
    assert unreached(site) == []


@pytest.mark.corpus
def test_every_page_of_a_corpus_is_reached(corpus, tmp_path: Path) -> None:
    clone = corpus("basecamp-policies")
    site = build(write_config(tmp_path, policies_dir=str(clone), extra=CORPUS_VARIABLES,
                              home=False))
    assert len(list(site.rglob("index.html"))) > 500
    assert unreached(site) == []

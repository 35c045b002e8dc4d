"""The page types of a Policy History site, by name, for the whole-site browser suite.

Sample site (tests/browser/conftest.py's ``sample_sites``): "on" is built on the day its
newest version takes effect (that version is current, with the "Updated on" notice);
"before" the day before (that version is upcoming). Corpus: basecamp-policies as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support import sample_versions

CORPUS_POLICY = "privacy"


def version_ids(site: Path, slug: str) -> list[str]:
    """A policy's version ids as its history page lists them, newest first."""
    history = (site / slug / "history" / "index.html").read_text("utf-8")
    return list(dict.fromkeys(re.findall(r'id="v-([\w-]+)"', history)))


def sample_paths() -> dict[str, tuple[str, str]]:
    """name → (site, path) for every page type of the sample."""
    first, previous, newest = (v.isoformat() for v in
                               (sample_versions()[0], *sample_versions()[-2:]))
    return {
        "home": ("on", ""),
        "current": ("on", "privacy/"),
        "current-upcoming": ("before", "privacy/"),
        "history": ("before", "privacy/history/"),
        "version-past": ("on", f"privacy/versions/{first}/"),
        "version-current": ("on", f"privacy/versions/{newest}/"),
        "version-upcoming": ("before", f"privacy/versions/{newest}/"),
        "redline": ("on", f"privacy/compare/{previous}/{newest}/"),
        # the German translation: following the version in force, then, once the next
        # English version takes effect, out of date
        "translation": ("before", "de/privacy/"),
        "translation-outdated": ("on", "de/privacy/"),
        "translation-history": ("on", "de/privacy/history/"),
        "not-found": ("on", "404.html"),
    }


def corpus_paths(site: Path) -> dict[str, str]:
    """name → path for a handful of basecamp's pages: home, and one policy's page types."""
    ids = version_ids(site, CORPUS_POLICY)
    redline = f"{CORPUS_POLICY}/compare/{ids[1]}/{ids[0]}/"
    assert (site / redline / "index.html").exists(), redline
    return {
        "corpus-home": "",
        "corpus-current": f"{CORPUS_POLICY}/",
        "corpus-history": f"{CORPUS_POLICY}/history/",
        "corpus-version": f"{CORPUS_POLICY}/versions/{ids[-1]}/",
        "corpus-redline": redline,
    }


# The names, for parametrize (the corpus's paths need its build; its names do not).
PAGE_TYPES = [*sample_paths(), "corpus-home", "corpus-current", "corpus-history",
              "corpus-version", "corpus-redline"]


def sample_urls(sample_sites: dict[str, Path], serve: Callable[[Path], str]) -> dict[str, str]:
    bases = {name: serve(site) for name, site in sample_sites.items()}
    return {name: bases[site] + path for name, (site, path) in sample_paths().items()}


def corpus_urls(corpus_site: Path, serve: Callable[[Path], str]) -> dict[str, str]:
    base = serve(corpus_site)
    return {name: base + path for name, path in corpus_paths(corpus_site).items()}


def url_of(request: pytest.FixtureRequest, name: str) -> str:
    """The URL of a page type; builds (or skips without) the corpus only for its pages."""
    pages = "corpus_pages" if name.startswith("corpus-") else "site_pages"
    return request.getfixturevalue(pages)[name]


@contextmanager
def visit(browser, url: str, *, scheme: str = "light", width: int = 1280, height: int = 900,
          js: bool = True, media: str | None = None) -> Iterator:
    """A fresh page (its own context) at ``url``; fails on a script error or a missing file."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme=scheme, java_script_enabled=js, locale="en-US")
    page = context.new_page()
    if media:
        page.emulate_media(media=media)
    problems: list[str] = []
    origin = url.split("/", 3)[:3]
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def check(response) -> None:
        # Material asks for sitemap.xml relative to the page; a missing one is harmless.
        if (response.status >= 400 and response.url.split("/", 3)[:3] == origin
                and not response.url.endswith("sitemap.xml")):
            problems.append(f"{response.status} {response.url}")

    page.on("response", check)
    try:
        response = page.goto(url)
        assert response is not None and response.ok, url
        if js:  # colours as they end up, not halfway through a transition (axe, screenshots)
            page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
        yield page
        assert not problems, problems
    finally:
        context.close()

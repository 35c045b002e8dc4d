"""The README's sample site, built from this repository's own history."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest

from policy_history.model.dates import human_date
from tests.support import (
    ROOT,
    SAMPLE_POLICY,
    THEME,
    build_sample,
    git,
    page_text,
    sample_versions,
)


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built as of the newest declared version, so the working tree is the text in force."""
    if git(ROOT, "rev-parse", "--is-shallow-repository").strip() == "true":
        pytest.skip("this checkout is shallow; the sample needs the full history")
    return build_sample(tmp_path_factory.mktemp("sample") / "site", sample_versions()[-1],
                        strict=True)


def test_privacy_page_shows_the_declared_date_and_sections(sample_site: Path) -> None:
    html = (sample_site / "privacy/index.html").read_text("utf-8")
    expected = sample_versions()[-1]
    assert re.search(rf'Last updated</dt>\s*<dd><time datetime="{expected.isoformat()}">'
                     rf"{human_date(expected)}</time>", html)
    text = page_text(html)
    fragments = sorted(SAMPLE_POLICY.glob("*.md"))
    for fragment in fragments:
        heading = re.search(r"^## (.+)$", fragment.read_text("utf-8"), re.M)
        if heading:
            assert heading.group(1) in text
    assert html.count('class="policy-section"') == len(fragments)
    assert "Example Co., Inc." in text and "{{" not in text
    assert html.count("Section changed on") == len(fragments)


def test_first_version_is_the_seed_date() -> None:
    assert sample_versions()[0] == dt.date(2014, 9, 7)


def test_sample_history_has_every_kind_of_change(sample_site: Path,
                                                 tmp_path: Path) -> None:
    """Issue 3's sample: the 2014 text, a material change, an editorial fix, an upcoming one."""
    versions = sample_versions()
    assert len(versions) >= 3
    history = page_text((sample_site / "privacy/history/index.html").read_text("utf-8"))
    assert "editorial revision after this version" in history
    for day in versions:
        assert (sample_site / f"privacy/versions/{day.isoformat()}/index.html").exists()
    earlier = build_sample(tmp_path / "earlier", versions[-1] - dt.timedelta(days=1))
    current = page_text((earlier / "privacy/index.html").read_text("utf-8"))
    assert f"This policy changes on {human_date(versions[-1])}" in current
    assert f"Last updated {human_date(versions[-2])}" in current


def test_home_page_lists_every_policy_with_its_date(sample_site: Path) -> None:
    html = (sample_site / "index.html").read_text("utf-8")
    assert 'href="privacy/"' in html
    assert "Last updated" in page_text(html)


def test_search_index_has_the_current_text(sample_site: Path) -> None:
    index = (sample_site / "search/search_index.json").read_text("utf-8")
    assert "Web browser cookies" in index


def test_pages_link_the_script_and_stylesheet_by_a_digest_of_their_content(
        sample_site: Path) -> None:
    """A browser must never pair a page with a script it cached from an older build (the
    redline's side-by-side view is built by the script from the page's markup)."""
    for asset in ("javascripts/policy-history.js", "stylesheets/policy-history.css"):
        digest = hashlib.sha256((THEME / "assets" / asset).read_bytes()).hexdigest()
        for page in (sample_site / "index.html",
                     *sample_site.glob("privacy/compare/*/*/index.html"),
                     *sample_site.glob("privacy/versions/*/index.html")):
            html = page.read_text("utf-8")
            link = re.search(rf'"([./]*assets/{asset})\?v=([0-9a-f]+)"', html)
            assert link is not None, page
            assert digest.startswith(link.group(2))
            assert (page.parent / link.group(1)).resolve().is_file()

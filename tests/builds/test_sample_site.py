"""The README's sample site, built from this repository's own history."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from policykit.dates import human_date
from tests.support import ROOT, build, git, page_text


def declared_current(as_of: dt.date) -> dt.date:
    """The sample's current effective date, read straight from its declared data."""
    meta = yaml.safe_load((ROOT / "policies/privacy/policy.yml").read_text("utf-8"))
    dates = [e["effective"] for e in meta["changes"] if "effective" in e]
    return max(d for d in dates if d <= as_of)


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if git(ROOT, "rev-parse", "--is-shallow-repository").strip() == "true":
        pytest.skip("this checkout is shallow; the sample needs the full history")
    site = tmp_path_factory.mktemp("sample") / "site"
    build(ROOT / "mkdocs.yml", site_dir=str(site), strict=True)
    return site


def test_privacy_page_shows_the_declared_date_and_sections(sample_site: Path) -> None:
    html = (sample_site / "privacy/index.html").read_text("utf-8")
    expected = declared_current(dt.date.today())
    assert re.search(
        rf'Last updated</dt>\s*<dd><time datetime="{expected.isoformat()}">'
        rf"{human_date(expected)}</time>",
        html,
    )
    text = page_text(html)
    fragments = sorted((ROOT / "policies/privacy").glob("*.md"))
    for fragment in fragments:
        heading = re.search(r"^## (.+)$", fragment.read_text("utf-8"), re.M)
        if heading:
            assert heading.group(1) in text
    assert html.count('class="policy-section"') == len(fragments)
    assert "Example Co., Inc." in text and "{{" not in text
    assert html.count("Section changed on") == len(fragments)


def test_first_version_is_the_seed_date() -> None:
    meta = yaml.safe_load((ROOT / "policies/privacy/policy.yml").read_text("utf-8"))
    assert meta["changes"][-1]["effective"] == dt.date(2014, 9, 7)


def test_home_page_lists_every_policy_with_its_date(sample_site: Path) -> None:
    html = (sample_site / "index.html").read_text("utf-8")
    assert 'href="privacy/"' in html
    assert "Last updated" in page_text(html)


def test_search_index_has_the_current_text(sample_site: Path) -> None:
    index = (sample_site / "search/search_index.json").read_text("utf-8")
    assert "Web browser cookies" in index

"""The sample is a company's site, and only that; the project's documentation is a site
of its own (mkdocs.docs.yml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.support import ROOT, build_cli, build_sample, sample_versions

PROJECT_DOCS = sorted(p.relative_to(ROOT / "docs").as_posix()
                      for p in (ROOT / "docs").glob("*.md"))


def test_the_sample_publishes_its_home_page_and_policies_only(tmp_path: Path) -> None:
    site = build_sample(tmp_path / "site", sample_versions()[-1] + dt.timedelta(days=1))
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert "index.html" in pages and "privacy/index.html" in pages
    others = [p for p in pages if not p.startswith(("privacy/", "de/privacy/"))]
    assert others == ["404.html", "index.html"], others
    assert "de/privacy/index.html" in pages  # the German translation
    assert "Example Co. Policies" in (site / "index.html").read_text()
    assert len(PROJECT_DOCS) >= 5  # the documentation still exists, just not here
    sitemap = (site / "sitemap.xml").read_text()
    for name in PROJECT_DOCS:
        assert f"/{name.removesuffix('.md')}/" not in sitemap, name


def test_the_project_documentation_builds_on_its_own(tmp_path: Path) -> None:
    result = build_cli(ROOT, "--strict", "-f", "mkdocs.docs.yml", "-d", str(tmp_path / "docs"))
    assert result.returncode == 0, result.stderr
    built = tmp_path / "docs"
    assert (built / "index.html").is_file()  # docs/README.md, the contents
    for name in PROJECT_DOCS:
        if name != "README.md":
            assert (built / name.removesuffix(".md") / "index.html").is_file(), name
    assert not (built / "sample").exists()
    index = (built / "index.html").read_text()
    for name in PROJECT_DOCS:
        if name != "README.md":  # the contents link every page
            assert f'href="{name.removesuffix(".md")}/"' in index, name

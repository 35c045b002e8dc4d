"""The policy templates render with ``jinja2.StrictUndefined`` from real page data.

tests/core/test_page_data.py checks the names the templates read against the page data's
classes; this renders every policy page of real builds again (tests/builds/
strict_templates_hook.py) with a Jinja environment in which reading anything the data
lacks is an error, not an empty string: every kind of page, the archive's pages rendered
by MkDocs one by one and stamped from shells, and a draft under ``mkdocs serve``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.builds.test_history_pages import three_versions  # noqa: F401 (a fixture)
from tests.support import HOOK, ROOT, GitRepo, build, build_sample, git

STRICT_HOOK = Path(__file__).resolve().parent / "strict_templates_hook.py"
#: the day after the sample's second version took effect: its "Updated on" notice shows,
#: the third is upcoming, the first was corrected
AS_OF = dt.date(2026, 11, 25)

KINDS = {"current": "CurrentPage", "history": "HistoryPage", "version": "VersionPage",
         "compare": "ComparePage", "stamp": "ShellPage"}


def _report(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text("utf-8"))


def _sample_extra(**policies: Any) -> dict[str, Any]:
    extra = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))["extra"]
    return {**extra, "policies": {**extra["policies"], **policies}}


def rendered_again(hook: Path, variable: str, tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch, *, stamp: bool) -> list[dict[str, Any]]:
    """Build the sample with ``hook`` beside ours: the report it writes, to the file the
    environment ``variable`` names, of each partial it rendered again."""
    if git(ROOT, "rev-parse", "--is-shallow-repository").strip() == "true":
        pytest.skip("this checkout is shallow; the sample needs the full history")
    report = tmp_path / "report.json"
    monkeypatch.setenv(variable, str(report))
    build_sample(tmp_path / "site", AS_OF, hooks=[str(HOOK), str(hook)],
                 extra=_sample_extra(stamp_archive=stamp))
    return _report(report)


@pytest.mark.parametrize("stamp", [False, True])
def test_policy_templates_read_only_what_the_sample_pages_have(
        stamp: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = rendered_again(STRICT_HOOK, "STRICT_TEMPLATES_REPORT", tmp_path, monkeypatch,
                              stamp=stamp)
    pages = Counter(entry["page"] for entry in rendered if entry["page"])
    for entry in rendered:
        if entry["page"]:
            assert KINDS[entry["page"]] == entry["class"], entry
    # the privacy policy and its German translation (one version so far)
    if stamp:  # the others are stamped from their shells, not rendered by MkDocs
        assert pages["current"] == 2 and pages["stamp"] >= 3
    else:
        assert set(pages) == {"current", "history", "version", "compare"}
        assert pages["version"] == 3 + 1 and pages["compare"] >= 3
    assert any(entry["index"] for entry in rendered)  # the home page's list


def test_policy_templates_read_only_what_a_draft_page_has(
        three_versions: GitRepo, tmp_path: Path,  # noqa: F811 (the fixture)
        monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "report.json"
    monkeypatch.setenv("STRICT_TEMPLATES_REPORT", str(report))
    three_versions.write({"policies/privacy/20-cookies.md": "## Cookies\n\nNo cookies.\n"})
    site = build(three_versions.path / "mkdocs.yml", command="serve",
                 site_dir=str(tmp_path / "served"), hooks=[str(HOOK), str(STRICT_HOOK)])
    assert "Draft — not published" in (site / "privacy/index.html").read_text("utf-8")
    assert any(entry["page"] == "current" for entry in _report(report))

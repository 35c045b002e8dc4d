"""Existing policy repositories (../shared/corpora) published without any declared data."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest

from policy_history.model.dates import human_date
from policy_history.model.layout import discover
from tests.oracle.honest_dates import expected
from tests.support import CORPUS_VARIABLES, build, write_config

pytestmark = pytest.mark.corpus

AS_OF = dt.date(2026, 12, 1)


def tip_files(clone: Path) -> list[str]:
    out = subprocess.run(
        ["git", "-c", "core.quotePath=false", "ls-files", "-z"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [p for p in out.split("\0") if p.lower().endswith(".md")]


@pytest.mark.parametrize("name", ["basecamp-policies", "legalmattic"])
def test_every_document_gets_a_page_dated_as_the_oracle_says(
    corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Each document at the tip gets a page where the layout puts it, dated in words and
    for machines as the independent oracle (tests/oracle) works out from git alone."""
    clone = corpus(name)
    config = write_config(tmp_path, policies_dir=str(clone), extra=CORPUS_VARIABLES, home=False)
    monkeypatch.setenv("POLICY_AS_OF", f"{AS_OF.isoformat()}T00:00:00Z")
    site = build(config)
    layouts = discover(tip_files(clone), "")
    assert len(layouts) == len(tip_files(clone))
    oracle = expected(clone, AS_OF, CORPUS_VARIABLES)
    assert set(oracle) == {layout.path for layout in layouts.values()}
    wrong = []
    for slug, layout in layouts.items():
        page = site / ("" if slug == "index" else slug) / "index.html"
        assert page.exists(), f"no page for {layout.path}"
        html = page.read_text("utf-8")
        found = re.search(r'Last updated</dt>\s*<dd><time datetime="([\d-]+)"[^>]*>([^<]+)</time>',
                          html)
        wanted = oracle[layout.path].last_updated
        assert wanted is not None  # every version of these is dated in the past
        shown = (found.group(1), found.group(2)) if found else None
        if shown != (wanted.isoformat(), human_date(wanted)):
            wrong.append(f"{layout.path}: shows {shown}, the oracle says {wanted}")
    assert not wrong, "\n".join(wrong)

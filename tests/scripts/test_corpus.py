"""The check and the preview on a real policy repository (basecamp-policies, 26 documents
and 150 first-parent commits), configured as docs/reference.md describes."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_history.editors.check_cli import main as check_main
from policy_history.editors.preview_cli import main as preview_main
from tests.scripts.support import run_main
from tests.support import git, write_config

pytestmark = pytest.mark.corpus

VARIABLES = {"site": {"email_support": "mailto:support@example.com",
                      "email_security": "mailto:security@example.com"}}


def test_check_and_preview_on_basecamp(corpus, tmp_path: Path) -> None:
    clone = corpus("basecamp-policies")
    config = write_config(tmp_path, policies_dir=str(clone), extra=VARIABLES)
    base = git(clone, "rev-parse", "HEAD~10").strip()
    checked = run_main(check_main, "-f", str(config), "--base", base, cwd=clone)
    assert checked.code == 0, checked.output
    assert "Checked 26 policies in the working tree, 17 changed since" in checked.err
    shown = run_main(preview_main, "-f", str(config), "--base", base, "--html",
                     str(tmp_path / "r.html"), cwd=clone)
    assert shown.code == 0, shown.output
    assert "17 policies changed" in shown.out
    assert "declares no changes" in shown.out  # a repository without change entries
    assert len(shown.out) <= 60_000
    assert (tmp_path / "r.html").stat().st_size > len(shown.out)

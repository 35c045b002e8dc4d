"""One version number: the package's, the installed metadata's, the tools' and the
changelog's."""

from __future__ import annotations

import importlib
import re
from importlib import metadata

import pytest

import policy_history
from tests.support import ROOT


def test_the_installed_package_reports_the_code_s_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", policy_history.__version__)
    assert metadata.version("policy-history") == policy_history.__version__


@pytest.mark.parametrize("tool", ["check", "preview", "import"])
def test_each_tool_says_its_version(tool: str, capsys: pytest.CaptureFixture[str]) -> None:
    cli = importlib.import_module(f"policy_history.editors.{tool}_cli")
    with pytest.raises(SystemExit) as done:
        cli.parser().parse_args(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == \
        f"scripts/{tool} (Policy History {policy_history.__version__})\n"


def test_the_changelog_has_an_entry_for_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert re.search(rf"^## {re.escape(policy_history.__version__)} — \d{{4}}-\d\d-\d\d$",
                     changelog, re.MULTILINE)

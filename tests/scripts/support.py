"""Helpers for the editors' commands: a small site in a throwaway repository, and the
commands run as editors and CI run them (subprocess) or in-process (faster, same code)."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ROOT, GitRepo, write_config

SCRIPTS = ROOT / "scripts"
#: the redline engine (policykit.redline); without it the preview shows a line diff
HAVE_REDLINE = importlib.util.find_spec("policykit.redline") is not None
needs_redline = pytest.mark.skipif(not HAVE_REDLINE, reason="the redline engine is not here")

META = """\
title: Privacy
changes:
{entries}"""
FIRST = "  - effective: 2020-01-01\n    summary: First version.\n"

POLICY_YML = "policies/privacy/policy.yml"
COOKIES = "policies/privacy/20-cookies.md"


def meta(*entries: str) -> str:
    return META.format(entries="".join(entries) + FIRST)


def material(day: str, summary: str) -> str:
    return f"  - effective: {day}\n    summary: {summary}\n"


def editorial(note: str) -> str:
    return f"  - editorial: {note}\n"


FILES = {
    "policies/privacy/policy.yml": meta(),
    "policies/privacy/10-intro.md": "We are {{ company.name }}. See [cookies](#cookies).\n",
    "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies for 30 days.\n",
    "policies/terms.md": "# Terms\n\nRead our [privacy policy](privacy/index.md#cookies).\n",
}


def make_site(repo: GitRepo, files: dict[str, str | bytes | None] | None = None) -> GitRepo:
    """A site with a privacy policy (folder) and terms (one file), committed on main."""
    write_config(repo.path, extra={"company": {"name": "Acme"}})
    repo.commit("First version", "2020-01-01", {**FILES, **(files or {})})
    return repo


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


def run_script(name: str, *args: str, cwd: Path,
               env: dict[str, str] | None = None) -> Result:
    """``scripts/<name> args…`` in a subprocess, as an editor or CI runs it."""
    path = Path(sys.executable).parent
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{path}{os.pathsep}{os.environ.get('PATH', '')}",
             "NO_MKDOCS_2_WARNING": "1", **(env or {})},
    )
    return Result(result.returncode, result.stdout, result.stderr)


def run_main(main: Callable[[Sequence[str]], int], *args: str, cwd: Path) -> Result:
    """A command's ``main`` in this process (same code path, without the start-up time)."""
    out, err = io.StringIO(), io.StringIO()
    before = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(before)
    return Result(code, out.getvalue(), err.getvalue())

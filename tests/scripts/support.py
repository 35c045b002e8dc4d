"""Helpers for the editors' commands: a small site in a throwaway repository, and the
commands run as editors and CI run them (subprocess) or in-process (faster, same code)."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ROOT, GitRepo, write_config

SCRIPTS = ROOT / "scripts"
#: the redline engine (policy_history.redline); without it the preview shows a line diff
HAVE_REDLINE = importlib.util.find_spec("policy_history.redline") is not None
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


@dataclass
class WorkflowCommand:
    name: str
    properties: dict[str, str]
    data: str


def _unescape(text: str, *pairs: tuple[str, str]) -> str:
    for escaped, plain in pairs:
        text = text.replace(escaped, plain)
    return text


_DATA = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
_PROPERTY = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))


def workflow_commands(output: str) -> list[WorkflowCommand]:
    """The workflow commands GitHub Actions' runner reads in a step's output, as its
    ActionCommand.TryParseV2 and TryParse do: a line that starts, after white space, with
    ``::name props::data``, or holds ``##[name props]data`` anywhere (any name counts here;
    the runner acts on the ones it knows, ``stop-commands`` among them)."""
    found = []
    for line in re.split(r"\r\n|\r|\n", output):
        text = line.lstrip()
        end = text.find("::", 2) if text.startswith("::") else -1
        if end >= 0 and (info := text[2:end]).split(" ", 1)[0]:
            name, _, props = info.partition(" ")
            pairs = [p.split("=", 1) for p in props.split(",") if "=" in p]
            found.append(WorkflowCommand(name, {k: _unescape(v, *_PROPERTY) for k, v in pairs},
                                         _unescape(text[end + 2:], *_DATA)))
            continue
        start = line.find("##[")
        close = line.find("]", start) if start >= 0 else -1
        if close >= 0 and (info := line[start + 3:close]).split(" ", 1)[0]:
            found.append(WorkflowCommand(info.split(" ", 1)[0], {}, line[close + 1:]))
    return found

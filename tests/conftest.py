"""Shared fixtures: real git repositories with pinned dates, real MkDocs builds, corpora."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

if os.environ.get("POLICY_TEST_BUILDER") == "properdocs":
    # As the properdocs command does first: every later "import mkdocs…" (ours, Material's,
    # the tests') gets ProperDocs' module, so in-process builds run on ProperDocs.
    import properdocs.replacement  # noqa: F401

from tests.support import (
    MISSING_CORPUS,
    GitRepo,
    clone_bundle,
    corpora_folders,
    corpus_bundle,
)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty git repository in tmp_path/site with a pinned identity."""
    return GitRepo.init(tmp_path / "site")


@pytest.fixture(scope="session")
def corpus(corpus_clones):
    """Clone a corpus bundle once per session: corpus('basecamp-policies')."""
    return corpus_clones


@pytest.fixture(scope="session")
def corpus_clones(tmp_path_factory: pytest.TempPathFactory):
    """The one set of corpus clones every test shares (``corpus``, the redline's ``clone``);
    a test may parametrise an argument named ``corpus``, so the clones live under this name."""
    clones: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in clones:
            bundle = corpus_bundle(name)
            if bundle is None:
                pytest.skip(f"{MISSING_CORPUS}: {name}.bundle is in none of "
                            f"{', '.join(map(str, corpora_folders()))}")
            clones[name] = clone_bundle(bundle, tmp_path_factory.mktemp(name) / name)
        return clones[name]

    return get


@pytest.fixture(autouse=True)
def _quiet_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.delenv("POLICY_AS_OF", raising=False)
    yield


def pytest_report_header(config: pytest.Config) -> list[str]:
    chromium = shutil.which("chromium") or "not installed"
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return [
        f"chromium: {chromium}",
        f"git: {git}",
        "corpora: " + ", ".join(
            f"{folder} ({'present' if folder.is_dir() else 'missing'})"
            for folder in corpora_folders()),
        f"TZ={os.environ.get('TZ')}",
    ]


@pytest.hookimpl(wrapper=True, tryfirst=True)  # the outermost wrapper: our line comes last
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter
                            ) -> Generator[None, None, None]:
    """Say it loudly, last, when tests did not run for want of the corpora: a skipped
    corpus test is easy to miss, and they are the tests on real repositories."""
    result = yield
    missing = [report for report in terminalreporter.stats.get("skipped", [])
               if MISSING_CORPUS in skip_reason(report)]
    if missing:
        folders = " or ".join(_shown(folder) for folder in corpora_folders())
        terminalreporter.write_line(
            f"{len(missing)} corpus tests did not run: no corpora in {folders} — run "
            "scripts/fetch-corpora (see README.md, \"Tests on real repositories\")",
            yellow=True, bold=True)
    return result


def skip_reason(report: pytest.TestReport) -> str:
    """The reason of a skipped test's report (pytest keeps it as (path, line, reason))."""
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


def _shown(folder: Path) -> str:
    """A folder the shorter way: ``../shared/corpora`` from the project, else absolute."""
    try:
        relative = os.path.relpath(folder)
    except ValueError:  # another drive (Windows)
        return str(folder)
    return min(relative, str(folder), key=len)

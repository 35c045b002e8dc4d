"""Shared fixtures: real git repositories with pinned dates, real MkDocs builds, corpora."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import CORPORA, GitRepo, clone_bundle


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty git repository in tmp_path/site with a pinned identity."""
    return GitRepo.init(tmp_path / "site")


@pytest.fixture(scope="session")
def corpus(corpus_clones):
    """Clone a ../shared/corpora bundle once per session: corpus('basecamp-policies')."""
    return corpus_clones


@pytest.fixture(scope="session")
def corpus_clones(tmp_path_factory: pytest.TempPathFactory):
    """The one set of corpus clones every test shares (``corpus``, the redline's ``clone``);
    a test may parametrise an argument named ``corpus``, so the clones live under this name."""
    clones: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in clones:
            bundle = CORPORA / f"{name}.bundle"
            if not bundle.exists():
                pytest.skip(f"corpus bundle {bundle} is not here (it lives in ../shared/)")
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
        f"corpora: {CORPORA} ({'present' if CORPORA.is_dir() else 'missing'})",
        f"TZ={os.environ.get('TZ')}",
    ]

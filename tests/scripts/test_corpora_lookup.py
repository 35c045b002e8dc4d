"""Where the tests find the corpora, and the loud line when they cannot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import FETCHED_CORPORA, ROOT, SHARED_CORPORA, corpora_folders, corpus_bundle


def test_policy_corpora_alone_else_shared_then_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLICY_CORPORA", raising=False)
    assert corpora_folders() == [SHARED_CORPORA, FETCHED_CORPORA]
    monkeypatch.setenv("POLICY_CORPORA", str(tmp_path))
    assert corpora_folders() == [tmp_path]
    assert corpus_bundle("legalmattic") is None
    (tmp_path / "legalmattic.bundle").write_bytes(b"# v2 git bundle\n")
    assert corpus_bundle("legalmattic") == tmp_path / "legalmattic.bundle"


def test_the_summary_ends_by_saying_the_corpus_tests_did_not_run(tmp_path: Path) -> None:
    """A run without corpora ends with one line that says how many did not run, and how
    to get them (tests/conftest.py)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
         "tests/builds/test_corpora.py"],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "POLICY_CORPORA": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-2] == (f"2 corpus tests did not run: no corpora in {tmp_path} — run "
                         'scripts/fetch-corpora (see README.md, "Tests on real repositories")')
    assert "2 skipped" in lines[-1]

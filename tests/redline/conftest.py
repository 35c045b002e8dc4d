"""Fixtures for the redline tests."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from redline_helpers import make_render

#: The repository root's sibling ``../shared/corpora`` (git bundles of real policy histories).
CORPORA = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpora"


@pytest.fixture(scope="session")
def render() -> Callable[[str], str]:
    """Python-Markdown with the extensions the site uses for policy text."""
    return make_render()


@pytest.fixture(scope="session")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Clone a corpus bundle once per session: ``clone("ota-pga-versions")``."""
    clones: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in clones:
            bundle = CORPORA / f"{name}.bundle"
            if not bundle.is_file():
                pytest.skip(f"corpus bundle {bundle.resolve()} is missing (../shared/corpora)")
            target = tmp_path_factory.mktemp("redline-corpora") / name
            subprocess.run(["git", "clone", "-q", str(bundle), str(target)], check=True)
            clones[name] = target
        return clones[name]

    return get

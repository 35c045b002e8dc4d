"""Fixtures for the redline tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from redline_helpers import make_render


@pytest.fixture(scope="session")
def render() -> Callable[[str], str]:
    """Python-Markdown with the extensions the site uses for policy text."""
    return make_render()


@pytest.fixture(scope="session")
def clone(corpus_clones: Callable[[str], Path]) -> Callable[[str], Path]:
    """Clone a corpus bundle once per session: ``clone("ota-pga-versions")``. The same
    clones as every other test's ``corpus`` fixture (tests/conftest.py)."""
    return corpus_clones

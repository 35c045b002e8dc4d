"""ProperDocs, the maintained fork of MkDocs 1.x, builds the same site with our hook:
every file byte for byte, but the generator it names in each page's head.

MkDocs 1.x gets no more releases and MkDocs 2 has no hooks (docs/platform.md); a site
that moves to ProperDocs must lose nothing. Both builds run as a user runs them, each
command in its own process, on a fresh clone of this repository with this working
tree's code, at the same "as of" time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import build_cli
from tests.trust.sites import first_difference, fresh_clone, site_files

PROPERDOCS = Path(sys.executable).parent / "properdocs"
AS_OF = "2026-12-01T09:30:00+01:00"
#: what names the builder, the one place the two sites may differ
GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')

pytestmark = pytest.mark.skipif(not PROPERDOCS.exists(), reason="ProperDocs is not installed")


def without_generator(files: dict[str, bytes]) -> tuple[dict[str, bytes], int]:
    """The files with each page's generator tag blanked, and how many pages had one."""
    out, tagged = {}, 0
    for name, data in files.items():
        if name.endswith(".html"):
            data, count = GENERATOR.subn(b'<meta name="generator">', data)
            tagged += count
        out[name] = data
    return out, tagged


def test_properdocs_builds_the_sample_byte_for_byte_as_mkdocs(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path / "policies-site")
    env = {"POLICY_AS_OF": AS_OF, "NO_MKDOCS_2_WARNING": "1"}
    made = build_cli(clone, "-q", "-d", str(tmp_path / "mkdocs"), env=env)
    assert made.returncode == 0, made.stderr
    proper = subprocess.run([str(PROPERDOCS), "build", "-q", "-d", str(tmp_path / "properdocs")],
                            cwd=clone, capture_output=True, text=True,
                            env={**os.environ, **env})
    assert proper.returncode == 0, proper.stderr
    ours, ours_tagged = without_generator(site_files(tmp_path / "mkdocs"))
    theirs, theirs_tagged = without_generator(site_files(tmp_path / "properdocs"))
    assert ours_tagged == theirs_tagged > 10  # every page names its generator
    assert any(name.startswith("privacy/compare/") for name in theirs)
    assert "privacy/versions.json" in theirs and "privacy/history/index.html" in theirs
    assert theirs == ours, first_difference(theirs, ours)
    assert b"ProperDocs" in site_files(tmp_path / "properdocs")["index.html"]

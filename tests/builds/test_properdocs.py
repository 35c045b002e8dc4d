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

from tests.scripts.test_new_site import IDENTITY
from tests.support import CORPUS_VARIABLES, GitRepo, build_cli, write_config
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


def properdocs(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PROPERDOCS), "build", *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env})


def both_builders(root: Path, tmp_path: Path, *args: str
                  ) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The site of ``root/mkdocs.yml`` built by MkDocs and by ProperDocs, generator blanked."""
    env = {"POLICY_AS_OF": AS_OF}
    made = build_cli(root, "-q", *args, "-d", str(tmp_path / "mkdocs"), env=env)
    assert made.returncode == 0, made.stderr
    proper = properdocs(root, "-q", *args, "-d", str(tmp_path / "properdocs"), **env)
    assert proper.returncode == 0, proper.stderr
    ours, _ = without_generator(site_files(tmp_path / "mkdocs"))
    theirs, _ = without_generator(site_files(tmp_path / "properdocs"))
    return ours, theirs


@pytest.mark.corpus
def test_properdocs_builds_a_corpus_byte_for_byte_as_mkdocs(corpus, tmp_path: Path) -> None:
    """basecamp-policies: file policies, dated as their text states, many versions."""
    root = tmp_path / "corpus-site"
    root.mkdir()
    write_config(root, policies_dir=str(corpus("basecamp-policies")), extra=CORPUS_VARIABLES,
                 home=False)
    ours, theirs = both_builders(root, tmp_path)
    assert sum(name.endswith("/versions.json") for name in theirs) > 3
    assert theirs == ours, first_difference(theirs, ours)


def test_a_new_site_builds_the_same_with_properdocs(tmp_path: Path) -> None:
    """A site from policy-history new-site, with its own one-line hook file."""
    made = subprocess.run([str(Path(sys.executable).parent / "policy-history"), "new-site",
                           "acme", "--name", "Acme", "--effective", "2026-01-05", "--url",
                           "https://policies.acme.test/"], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ, **IDENTITY})
    assert made.returncode == 0, made.stderr
    ours, theirs = both_builders(tmp_path / "acme", tmp_path, "--strict")
    assert "privacy/versions.json" in theirs
    assert theirs == ours, first_difference(theirs, ours)


def test_properdocs_stops_on_the_same_errors_and_warnings(repo: GitRepo) -> None:
    """Our warnings go through MkDocs' plugin logger: ProperDocs counts them for --strict;
    bad input is the same clear error, without a traceback."""
    write_config(repo.path, site_url=None)
    repo.commit("First", "2020-01-10", {"policies/privacy.md": "# Privacy\n\nHello.\n"})
    assert properdocs(repo.path).returncode == 0
    strict = properdocs(repo.path, "--strict")
    assert strict.returncode != 0 and "site_url" in strict.stderr
    assert "1 warnings in strict mode" in strict.stdout + strict.stderr
    write_config(repo.path)
    repo.commit("Declare", "2020-02-01", {"policies/privacy.md": (
        "---\nchanges:\n  - effective: soon\n    summary: x\n---\n# Privacy\n\nHello.\n")})
    for result in (properdocs(repo.path), build_cli(repo.path)):
        assert result.returncode != 0
        assert "policies/privacy.md:3:" in result.stderr and "YYYY-MM-DD" in result.stderr
        assert "Traceback" not in result.stderr

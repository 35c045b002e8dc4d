"""constraints.txt, the versions scripts/setup installs: it pins every package the
project asks for, within what pyproject.toml allows, and the tests run with those."""

from __future__ import annotations

import sys
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.support import ROOT

tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later


def pins() -> dict[str, Version]:
    out: dict[str, Version] = {}
    for number, line in enumerate((ROOT / "constraints.txt").read_text("utf-8").splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and ";" not in line, f"constraints.txt:{number}: not 'name==version': {line}"
        out[canonicalize_name(name)] = Version(version)
    return out


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    lines = [*project["dependencies"],
             *(line for extra in project["optional-dependencies"].values() for line in extra)]
    return [Requirement(line) for line in lines]


def test_every_declared_package_is_pinned_within_what_pyproject_allows() -> None:
    pinned = pins()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not in constraints.txt: run scripts/lock"
        assert requirement.specifier.contains(pinned[name], prereleases=True), \
            f"constraints.txt pins {name}=={pinned[name]}, outside {requirement}: run scripts/lock"


def test_the_lock_lists_each_package_once() -> None:
    lines = [line for line in (ROOT / "constraints.txt").read_text("utf-8").splitlines()
             if line and not line.startswith("#")]
    assert len(pins()) == len(lines) > 20


@pytest.mark.skipif(sys.version_info < (3, 11), reason="scripts/setup pins from Python 3.11")
def test_the_tests_run_with_the_pinned_versions() -> None:
    """What scripts/setup installed is what the lock says (else a test passes on versions
    no site gets)."""
    pinned = pins()
    installed = {canonicalize_name(dist.metadata["Name"]): Version(dist.version)
                 for dist in metadata.distributions()}
    for requirement in declared():  # those of the extras installed (not the bench's)
        name = canonicalize_name(requirement.name)
        if name in installed:
            assert installed[name] == pinned[name], \
                f"{name} {installed[name]} is installed, constraints.txt says {pinned[name]}"

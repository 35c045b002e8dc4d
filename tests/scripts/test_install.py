"""The package as a company installs it: a wheel built from this repository, installed in
a new environment, makes a site with ``policy-history new-site`` that builds with its
history, with no copy of this repository's ``hooks/`` or templates beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.scripts.test_new_site import IDENTITY
from tests.support import ROOT


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new environment with the wheel installed; the dependencies come from this one
    (a .pth file), so no download is needed but the package is the wheel's copy."""
    root = tmp_path_factory.mktemp("install")
    wheels = root / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "--disable-pip-version-check", "-w", str(wheels), str(ROOT)],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    env = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    python = env / "bin" / "python"
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip()
    (Path(site_packages) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"])
    wheel = next(wheels.glob("policy_history-*.whl"))
    installed = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet",
                                "--disable-pip-version-check", str(wheel)],
                               capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    return env


def in_venv(venv: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([*args], cwd=cwd, capture_output=True, text=True,
                          env={**clean, **IDENTITY, "NO_MKDOCS_2_WARNING": "1",
                               "PATH": f"{venv / 'bin'}{os.pathsep}{clean.get('PATH', '')}",
                               **env})


def test_pip_install_then_new_site_then_mkdocs_build(venv: Path, tmp_path: Path) -> None:
    where = in_venv(venv, "python", "-c", "import policy_history; print(policy_history.__file__)",
                    cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr
    made = in_venv(venv, "policy-history", "new-site", "acme", "--name", "Acme",
                   cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    site = tmp_path / "acme"
    assert not (site / "hooks" / "policy_history").exists()

    # on the editor's machine, before the site has an address: built, feeds left out
    local = in_venv(venv, "python", "-m", "mkdocs", "build", cwd=site)
    assert local.returncode == 0, local.stderr
    assert "site_url" in local.stderr and "Traceback" not in local.stderr
    page = (site / "site/privacy/index.html").read_text()
    assert "Privacy Policy" in page and "policy-dates" in page
    assert (site / "site/privacy/history/index.html").is_file()

    # as the deploy workflow builds it, with the address GitHub Pages gives
    deployed = in_venv(venv, "python", "-m", "mkdocs", "build", "--strict", cwd=site,
                       SITE_URL="https://acme.github.io/policies/")
    assert deployed.returncode == 0, deployed.stderr
    manifest = json.loads((site / "site/privacy/versions.json").read_text())
    assert manifest["policy"]["url"] == "https://acme.github.io/policies/privacy/"
    verified = in_venv(venv, "policy-history", "verify-site", "site", cwd=site,
                       SITE_URL="https://acme.github.io/policies/")
    assert verified.returncode == 0, verified.stderr
    # the theme's files came from the installed package
    assert "policy-history.css" in page
    assert (site / "site/assets/stylesheets/policy-history.css").is_file()

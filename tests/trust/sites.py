"""Helpers of the trust tests: small policy repositories and what their builds published."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.support import ROOT, GitRepo, Limits, build_cli, write_config
from tests.support import build_fails as support_build_fails

SITE_URL = "https://policies.example.com/"
#: the code under test, copied over a clone of HEAD
CODE = ("hooks", "docs")


def policy_yml(*entries: tuple[str, str], title: str = "Privacy", extra: str = "") -> str:
    """A policy.yml; entries newest first, ``("2020-01-01", "Summary.")`` for a version,
    ``("editorial", "Note.")`` for an editorial revision."""
    lines = [f"title: {title}", *([extra.rstrip("\n")] if extra else []), "changes:"]
    for effective, text in entries:
        if effective == "editorial":
            lines.append(f"  - editorial: {json.dumps(text)}")
        else:
            lines += [f"  - effective: {effective}", f"    summary: {json.dumps(text)}"]
    return "\n".join(lines) + "\n"


def start(repo: GitRepo, **config: object) -> GitRepo:
    """A site with the privacy policy's first version (2020-01-01): intro and cookies."""
    write_config(repo.path, **config)  # type: ignore[arg-type]
    repo.commit("First version", "2020-01-01", {
        "policies/privacy/policy.yml": policy_yml(("2020-01-01", "First.")),
        "policies/privacy/10-intro.md": "# Privacy\n\nWe collect your email.\n",
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies.\n",
    })
    return repo


def build_ok(repo: GitRepo, *args: str, as_of: str = "2030-01-01",
             limits: Limits | None = None) -> str:
    """``mkdocs build`` in a subprocess; it must succeed without a traceback. Its log."""
    result = build_cli(repo.path, *args, env={"POLICY_AS_OF": as_of}, limits=limits)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output, output
    return output


def build_fails(repo: GitRepo, *expected: str, as_of: str = "2030-01-01",
                limits: Limits | None = None) -> str:
    return support_build_fails(repo, *expected, as_of=as_of, limits=limits)


def version_ids(site: Path, slug: str = "privacy") -> list[str]:
    """The version ids the history page lists, newest first."""
    html = (site / slug / "history/index.html").read_text("utf-8")
    return re.findall(r'<li class="policy-version policy-version--\w+" id="v-([^"]+)"', html)


def manifest(site: Path, slug: str = "privacy") -> dict:
    return json.loads((site / slug / "versions.json").read_text("utf-8"))


def git_out(path: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=path, check=True, capture_output=True,
                          text=True).stdout


def fresh_clone(target: Path, *, file_time: float | None = None) -> Path:
    """A fresh clone of this repository's HEAD with the working tree's code on top."""
    subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(target)], check=True)
    for folder in CODE:
        shutil.copytree(ROOT / folder, target / folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    if file_time is not None:
        for path in target.rglob("*"):
            if ".git" not in path.parts:
                os.utime(path, (file_time, file_time), follow_symlinks=False)
    return target


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def first_difference(one: dict[str, bytes], two: dict[str, bytes]) -> str:
    if one.keys() != two.keys():
        return f"files only in one build: {sorted(one.keys() ^ two.keys())}"
    for name in one:
        if one[name] != two[name]:
            a = one[name].decode("utf-8", "replace").splitlines()
            b = two[name].decode("utf-8", "replace").splitlines()
            return name + "\n" + "\n".join(list(difflib.unified_diff(a, b, lineterm=""))[:40])
    return ""

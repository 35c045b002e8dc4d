"""A company starts its site with ``policy-history new-site``, then edits a section as its
editors' README says: check, preview, merge, build; a visitor reads the result."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from policy_history.model.dates import human_date
from tests.support import git

pytestmark = pytest.mark.browser

BIN = Path(sys.executable).parent
WHO = {"GIT_AUTHOR_NAME": "Dana Legal", "GIT_AUTHOR_EMAIL": "dana@acme.test",
       "GIT_COMMITTER_NAME": "Dana Legal", "GIT_COMMITTER_EMAIL": "dana@acme.test"}
ADDED = "We keep server logs for 30 days, then delete them."


def run(*args: str, cwd: Path, when: str = "2026-01-05T09:00:00+00:00",
        **env: str) -> subprocess.CompletedProcess[str]:
    """A command of the site's README, dated ``when`` for any commit it makes."""
    command = [str(BIN / args[0]), *args[1:]] if (BIN / args[0]).exists() else list(args)
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={
        **os.environ, **WHO, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
        "NO_MKDOCS_2_WARNING": "1", **env})


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_new_site_edit_check_preview_build_and_read(tmp_path: Path, browser, serve,
                                                    screenshots: Path) -> None:
    site = tmp_path / "acme"
    ok(run("policy-history", "new-site", str(site), "--name", "Acme", "--effective",
           "2026-01-05", "--url", "https://policies.acme.test/", cwd=tmp_path))
    built = ok(run("mkdocs", "build", "--strict", cwd=site, POLICY_AS_OF="2026-01-06"))
    assert "WARNING" not in built.stderr
    ok(run("policy-history", "verify-site", "site", cwd=site))

    # an editor changes a section on a branch, as README.md says
    git(site, "checkout", "-q", "-b", "logs")
    section = site / "policies/privacy/30-how-we-use-information.md"
    section.write_text(section.read_text() + f"\n{ADDED}\n")
    git(site, "commit", "-qam", "Say how long we keep logs",
        env={**WHO, "GIT_AUTHOR_DATE": "2026-02-20T10:00:00+00:00",
             "GIT_COMMITTER_DATE": "2026-02-20T10:00:00+00:00"})
    undeclared = run("policy-history", "check", "--base", "main", cwd=site)
    assert undeclared.returncode == 1, undeclared.stderr
    assert "policy.yml:8:" in undeclared.stdout and "How we use information" in undeclared.stdout
    meta = site / "policies/privacy/policy.yml"
    meta.write_text(meta.read_text().replace("changes:\n", (
        "changes:\n  - effective: 2026-03-01\n"
        "    summary: We now say how long we keep server logs.\n"), 1))
    git(site, "commit", "-qam", "Declare the change",
        env={**WHO, "GIT_AUTHOR_DATE": "2026-02-20T11:00:00+00:00",
             "GIT_COMMITTER_DATE": "2026-02-20T11:00:00+00:00"})
    ok(run("policy-history", "check", "--base", "main", cwd=site))
    ok(run("policy-history", "preview", "--base", "main", "--markdown", "preview.md",
           "--html", "redline.html", cwd=site))
    assert "30 days" in (site / "preview.md").read_text()
    assert "30 days" in (site / "redline.html").read_text()
    (site / "preview.md").unlink()
    (site / "redline.html").unlink()
    git(site, "checkout", "-q", "main")
    git(site, "merge", "-q", "--no-ff", "-m", "Merge the log retention change", "logs",
        env={**WHO, "GIT_AUTHOR_DATE": "2026-02-21T09:00:00+00:00",
             "GIT_COMMITTER_DATE": "2026-02-21T09:00:00+00:00"})

    ok(run("mkdocs", "build", "--strict", cwd=site, POLICY_AS_OF="2026-03-02"))
    ok(run("policy-history", "verify-site", "site", cwd=site))
    manifest = json.loads((site / "site/privacy/versions.json").read_text())
    versions = manifest["versions"]
    assert [v["effective"] for v in versions][:2] in (["2026-03-01", "2026-01-05"],
                                                       ["2026-01-05", "2026-03-01"])
    newest = max(versions, key=lambda v: v["effective"])
    redline = newest["urls"]["redline"].removeprefix("https://policies.acme.test/")

    base = serve(site / "site")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(base)
        assert page.locator("h1").first.inner_text().startswith("Acme Policies")
        page.locator(".policy-index").get_by_role("link", name="Privacy Policy").click()
        page.wait_for_url(re.compile(r"/privacy/$"))
        assert ADDED in page.locator("article").inner_text()
        updated = page.locator(".policy-dates time").first
        assert updated.get_attribute("datetime") == "2026-03-01"
        assert updated.inner_text() == human_date(dt.date(2026, 3, 1))
        page.screenshot(path=str(screenshots / "new-site-privacy.png"), full_page=True)
        page.goto(base + redline)
        inserted = " ".join(page.locator("ins").all_inner_texts())
        assert "30 days" in inserted and "delete them" in inserted
        page.screenshot(path=str(screenshots / "new-site-redline.png"), full_page=True)
        page.goto(base + "privacy/history/")
        assert "We now say how long we keep server logs." in page.locator("article").inner_text()
    finally:
        page.close()
    assert errors == []
    # none of this project's own pages: the home page and the policy only
    pages = sorted(p.relative_to(site / "site").as_posix()
                   for p in (site / "site").rglob("index.html"))
    assert pages[0] == "index.html" and all(p.startswith("privacy/") for p in pages[1:])
    assert yaml.safe_load((site / ".github/workflows/deploy.yml").read_text())["jobs"]

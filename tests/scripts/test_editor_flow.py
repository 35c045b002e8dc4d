"""The legal editor's flow, end to end, on a throwaway repository, with the real commands:
branch, edit, the check fails (undeclared), declare, the check passes, the preview shows the
redline, merge (--no-ff, as a pull request), and the build shows the new version."""

from __future__ import annotations

from pathlib import Path

from tests.scripts.support import (
    COOKIES,
    HAVE_REDLINE,
    POLICY_YML,
    make_site,
    material,
    meta,
    run_script,
)
from tests.support import GitRepo, build, page_text


def test_branch_edit_check_declare_preview_merge_build(repo: GitRepo, tmp_path: Path) -> None:
    site = make_site(repo)
    site.branch("longer-cookies")

    # 1. The editor changes a sentence and commits it, forgetting the change entry.
    site.commit("Keep cookies for 90 days", "2026-03-02",
                {COOKIES: "## Cookies\n\nWe use cookies for 90 days.\n"})
    failed = run_script("check", "--base", "main", cwd=site.path)
    assert failed.code == 1
    assert "Traceback" not in failed.output
    assert (f"{POLICY_YML}:2: the words of 'Privacy' changed ('Cookies' changed), but no "
            "change entry was added") in failed.out

    # 2. They declare it: a material change with its effective date and summary.
    site.commit("Declare the cookie change", "2026-03-03",
                {POLICY_YML: meta(material("2026-04-01", "We keep cookies for 90 days."))})
    passed = run_script("check", "--base", "main", cwd=site.path)
    assert passed.code == 0, passed.output
    assert "1 changed since main" in passed.err

    # 3. The preview shows what visitors will see change.
    html = tmp_path / "redline.html"
    shown = run_script("preview", "--base", "main", "--html", str(html), cwd=site.path)
    assert shown.code == 0, shown.output
    assert "**Material change**, effective **April 1, 2026**." in shown.out
    assert "> We keep cookies for 90 days." in shown.out
    if HAVE_REDLINE:
        from policy_history.redline import extract_text

        assert "<del>30 </del><ins>90 </ins>" in shown.out
        page = html.read_text("utf-8")
        redline = page[page.index('<div class="redline'):]
        assert "We use cookies for 30 days." in extract_text(redline, drop="ins")
        assert "We use cookies for 90 days." in extract_text(redline, drop="del")
    else:  # a line diff stands in
        assert "-We use cookies for 30 days.\n+We use cookies for 90 days." in shown.out

    # 4. The pull request is merged; the site shows the new version.
    site.checkout("main")
    site.merge("longer-cookies", "Merge pull request #1 from longer-cookies", "2026-03-05")
    assert run_script("check", cwd=site.path).code == 0
    # (not --strict: archived pages of 'terms' keep its relative link to the privacy policy,
    # which MkDocs then reports as not found; a site-layer issue, not the editor's)
    out = build(site.path / "mkdocs.yml")
    current = page_text((out / "privacy/index.html").read_text("utf-8"))
    assert "We use cookies for 90 days." in current
    assert "Last updated April 1, 2026" in current
    history = page_text((out / "privacy/history/index.html").read_text("utf-8"))
    assert "We keep cookies for 90 days." in history
    old = page_text((out / "privacy/versions/2020-01-01/index.html").read_text("utf-8"))
    assert "We use cookies for 30 days." in old
    assert (out / "privacy/versions/2026-04-01/index.html").is_file()

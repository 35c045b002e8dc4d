"""Issue 19: hostile and broken inputs, each in its own throwaway repository and a real
``mkdocs build`` (or editor script) in a subprocess. Nothing runs, nothing hangs, nothing
is read from outside the policies, and the current page shows what is in force.

Each test is a row of docs/bad-inputs.md.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from policy_history.manifest import text_sha256, visible_text
from tests.scripts.support import run_script
from tests.support import GitRepo, build, build_cli, git, page_text, write_config
from tests.trust.sites import build_fails, build_ok, manifest, policy_yml, start, version_ids

META = "policies/privacy/policy.yml"
INTRO = "policies/privacy/10-intro.md"
COOKIES = "policies/privacy/20-cookies.md"


def payload(marker: Path) -> str:
    """Policy text that runs a shell command under a plain Jinja2 environment."""
    return (f"## Cookies\n\nWe use cookies.\n"
            f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}\n")


def commit_at(repo: GitRepo, message: str, raw_date: str, files: dict[str, str]) -> str:
    """A commit with a date in git's raw form ('@<seconds> <offset>'), both dates."""
    repo.write(files)
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", message,
        env={"GIT_AUTHOR_DATE": raw_date, "GIT_COMMITTER_DATE": raw_date})
    return repo.head()


# -- templates ------------------------------------------------------------------------------


def test_code_in_a_fragment_never_runs(repo: GitRepo, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    start(repo)
    repo.commit("Cookies", "2020-02-01", {COOKIES: payload(marker),
                                         META: policy_yml(("2020-02-01", "Cookies."),
                                                          ("2020-01-01", "First."))})
    build_fails(repo, "policies/privacy/20-cookies.md:4: calling a function or method is "
                "not allowed in policy text — policy text may use {{ variables }}")
    assert not marker.exists()
    # the editors' tools read the same text under the same rules
    check = run_script("check", cwd=repo.path)
    assert check.code == 1 and "calling a function or method is not allowed" in check.output
    git(repo.path, "checkout", "-q", "-b", "contribution")
    git(repo.path, "checkout", "-q", "main")
    preview = run_script("preview", "--base", "main~1", "--head", "contribution",
                         cwd=repo.path)
    assert "Traceback" not in preview.output
    assert not marker.exists()


def test_code_in_a_past_commit_is_left_out_with_a_warning(repo: GitRepo,
                                                          tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    start(repo)
    bad = repo.commit("Cookies", "2020-02-01", {COOKIES: payload(marker),
                                               META: policy_yml(("2020-02-01", "Cookies."),
                                                                ("2020-01-01", "First."))})
    repo.commit("Remove it", "2020-03-01", {COOKIES: "## Cookies\n\nWe use two cookies.\n"})
    log = build_ok(repo)
    assert f"left out of the history, commit {bad[:10]}: policies/privacy/20-cookies.md:4: " \
           "calling a function or method is not allowed" in log
    assert "WARNING" in log.split("left out of the history")[0].rsplit("\n", 1)[-1]
    assert not marker.exists()
    strict = build_cli(repo.path, "--strict", env={"POLICY_AS_OF": "2030-01-01"})
    assert strict.returncode != 0 and "Traceback" not in strict.stderr
    # once looked at, the commit is acknowledged: the build says it at the INFO level
    write_config(repo.path, policies={"acknowledged_commits": [bad[:12]]})
    repo.commit("Acknowledge", "2020-04-01")
    log = build_ok(repo, "--strict")
    assert f"INFO    -  policies: left out of the history, commit {bad[:10]}" in log
    assert not marker.exists()


@pytest.mark.parametrize("template", [
    "{% for x in range(10**12) %}{% endfor %}",
    "{% for a in many %}{% for b in many %}{% for c in many %}.{% endfor %}{% endfor %}"
    "{% endfor %}",
    "{{ '{{' }}{% for a in many %}{{ long }}{% endfor %}",
], ids=["range 10**12", "loops 1000 cubed", "10 MB written"])
def test_loops_that_would_not_end_stop_at_once(repo: GitRepo, template: str) -> None:
    write_config(repo.path, extra={"many": list(range(1000)), "long": "x" * 10_000})
    repo.commit("First", "2020-01-01", {
        META: policy_yml(("2020-01-01", "First.")),
        INTRO: "# Privacy\n\nWe collect your email.\n",
    })
    repo.commit("Loop", "2020-02-01", {COOKIES: f"## Cookies\n\n{template}\n"})
    repo.commit("Fixed", "2020-03-01", {COOKIES: "## Cookies\n\nNone.\n",
                                        META: policy_yml(("2020-03-01", "Cookies."),
                                                         ("2020-01-01", "First."))})
    log = build_ok(repo)  # the loop is in the history only: left out, the build goes on
    assert "left out of the history" in log and "policies/privacy/20-cookies.md:3" in log


# -- Markdown that Python-Markdown cannot render in bounded time -----------------------------


@pytest.mark.parametrize(("text", "message"), [
    ("".join("    " * n + f"- item {n}\n" for n in range(5000)),
     "policies/privacy/20-cookies.md: this file is 47.7 MB; a policy file may be at most 8 MB"),
    ("".join(">" * (n + 1) + f" line {n}\n" for n in range(5000)),
     "policies/privacy/20-cookies.md: this file is 12.0 MB"),
    ("".join("    " * n + f"- item {n}\n" for n in range(1000)),
     "policies/privacy/20-cookies.md:35: this text is nested 33 levels deep (lists, block "
     "quotes or indentation); policy text may nest at most 32"),
    ("".join("  " * n + f"- item {n}\n" for n in range(800)),
     "policies/privacy/20-cookies.md:67: this text is nested 33 levels deep"),
    ("".join(">" * (n + 1) + f" line {n}\n" for n in range(2000)),
     "policies/privacy/20-cookies.md:35: this text is nested 33 levels deep"),
    ("[word " * 5000 + "\n",
     "policies/privacy/20-cookies.md:3: this paragraph holds so many '[', '<' or '](' that "
     "nothing closes that rendering it would take minutes — close each bracket"),
], ids=["list 5000 deep", "quotes 5000 deep", "list 1000 deep", "list 800 deep",
        "quotes 2000 deep", "brackets left open"])
def test_markdown_too_deep_or_too_costly_is_refused(repo: GitRepo, text: str,
                                                    message: str) -> None:
    start(repo)
    repo.commit("Deep", "2020-02-01", {COOKIES: "## Cookies\n\n" + text,
                                      META: policy_yml(("2020-02-01", "Deep."),
                                                       ("2020-01-01", "First."))})
    output = build_fails(repo, message)
    assert "RecursionError" not in output


def test_a_file_over_8_mb_is_refused(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Annex", "2020-02-01", {"policies/privacy/90-annex.md":
                                        "## Annex\n\n" + "word " * 1_700_000})
    build_fails(repo, "policies/privacy/90-annex.md: this file is 8.1 MB; a policy file "
                "may be at most 8 MB — split the text into several fragments")


# -- the current page shows what is in force --------------------------------------------------


@pytest.fixture
def corrected(repo: GitRepo) -> GitRepo:
    """The issue's case: a typo fixed in an editorial revision that also adds a section."""
    write_config(repo.path)
    repo.commit("First", "2020-01-01", {
        META: policy_yml(("2020-01-01", "First.")),
        INTRO: "# Privacy\n\nYou may delete teh data.\n",
    })
    repo.commit("Typo", "2020-02-01", {
        META: policy_yml(("editorial", "Typo."), ("2020-01-01", "First.")),
        INTRO: "# Privacy\n\nYou may delete the data.\n",
        COOKIES: "## Cookies\n\nWe use cookies for thirty days and share them with partners.\n",
    })
    return repo


def test_an_editorial_revision_reaches_the_current_page(corrected: GitRepo) -> None:
    build_ok(corrected, "--strict")
    site = corrected.path / "site"
    current = (site / "privacy/index.html").read_text("utf-8")
    words = page_text(current)
    assert "You may delete the data." in words and "teh" not in words
    assert "We use cookies for thirty days" in words
    assert '<time datetime="2020-01-01">' in current.split("Last updated", 1)[1][:200]
    assert "Editorially corrected on" in words and "(Typo.)" in words
    # the version's page shows it as it took effect, and says it was corrected since
    version = page_text((site / "privacy/versions/2020-01-01/index.html").read_text("utf-8"))
    assert "You may delete teh data." in version and "Cookies" not in version
    assert "This page shows the version as it took effect." in version
    # versions.json: each edition with its hashes; the last is what the current page shows
    record = manifest(site)["versions"][0]
    assert version_ids(site) == ["2020-01-01"]
    editions = record["editions"]
    assert [e["note"] for e in editions] == [None, "Typo."]
    assert editions[0]["sha256"] == record["sha256"]
    sections = current.split('<div class="policy-text">', 1)[1].split("</article>", 1)[0]
    shown = [part.split("</section>", 1)[0] for part in
             sections.split('<section class="policy-section')[1:]]
    shown = [s.split(">", 1)[1] for s in shown]
    assert editions[1]["sha256"]["text"] == text_sha256(
        shown, lambda html: visible_text(_without_marks(html)))
    markdown = (corrected.path / INTRO).read_text("utf-8").strip("\n") + "\n\n" + \
        (corrected.path / COOKIES).read_text("utf-8").strip("\n") + "\n"
    assert editions[1]["sha256"]["source"] == hashlib.sha256(markdown.encode()).hexdigest()


def _without_marks(html: str) -> str:
    return re.sub(r'<p class="policy-section__changed">.*?</p>', "", html, flags=re.S)


def test_an_editorial_entry_that_adds_a_section_is_questioned(corrected: GitRepo) -> None:
    check = run_script("check", "--base", "main~1", cwd=corrected.path)
    assert check.code == 0, check.output  # a warning: the reviewer decides
    assert ("policies/privacy/policy.yml:2: the change of 'Privacy' is declared editorial, "
            "but whole sections were added or removed ('Cookies' added)") in check.output
    preview = run_script("preview", "--base", "main~1", cwd=corrected.path)
    assert "**Is it material?** It is declared editorial, but whole sections were added or " \
           "removed ('Cookies' added)" in preview.output


def test_a_typo_fix_declared_editorial_is_not_questioned(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Typo", "2020-02-01", {
        META: policy_yml(("editorial", "Typo."), ("2020-01-01", "First.")),
        INTRO: "# Privacy\n\nWe collect your e-mail.\n",
    })
    check = run_script("check", "--base", "main~1", cwd=repo.path)
    assert check.code == 0 and "declared editorial" not in check.output, check.output


# -- drafts (mkdocs serve) ---------------------------------------------------------------------


def test_a_draft_cannot_show_gits_own_files(repo: GitRepo) -> None:
    start(repo)
    git(repo.path, "config", "http.extraHeader", "Authorization: Bearer SECRET-TOKEN")
    (repo.path / "policies/privacy/30-leak.md").symlink_to("../../.git/config")
    site = build(repo.path / "mkdocs.yml", command="serve")
    html = (site / "privacy/index.html").read_text("utf-8")
    assert "SECRET-TOKEN" not in html and "extraHeader" not in html
    assert "We collect your email." in page_text(html)


# -- repository shapes --------------------------------------------------------------------------


def test_a_git_lfs_pointer_is_not_published(repo: GitRepo) -> None:
    start(repo)
    pointer = ("version https://git-lfs.github.com/spec/v1\noid sha256:"
               f"{'a' * 64}\nsize 1234\n")
    repo.commit("Move cookies to LFS", "2020-02-01", {COOKIES: pointer})
    output = build_fails(repo, "policies/privacy/20-cookies.md: this file is a Git LFS "
                         "pointer, not the policy's text", "keep policies out of Git LFS")
    assert "oid sha256" not in output
    check = run_script("check", cwd=repo.path)
    assert check.code == 1 and "Git LFS pointer" in check.output


def test_a_submodule_under_the_policies_folder_is_ignored(repo: GitRepo,
                                                         tmp_path: Path) -> None:
    other = GitRepo.init(tmp_path / "other")
    other.commit("Elsewhere", "2020-01-01", {"notes.md": "# Notes\n"})
    start(repo)
    git(repo.path, "-c", "protocol.file.allow=always", "submodule", "add", "-q",
        str(other.path), "policies/vendor")
    repo.commit("Add a submodule", "2020-02-01")
    log = build_ok(repo)
    assert "policies/vendor: this is a git submodule" in log and "git fsck" not in log
    assert version_ids(repo.path / "site") == ["2020-01-01"]
    git(repo.path, "rm", "-q", "policies/vendor")
    repo.commit("Remove it", "2020-03-01")
    log = build_ok(repo, "--strict")  # gone at the tip: no warning, no broken build
    assert "git submodule" not in log


@pytest.mark.parametrize("raw_date", ["@253402300800 +0000", "@1600000000 +9959"],
                         ids=["year 10000", "offset of 99 hours"])
def test_a_commit_date_python_cannot_hold_is_named(repo: GitRepo, raw_date: str) -> None:
    start(repo)
    sha = commit_at(repo, "Odd clock", raw_date, {INTRO: "# Privacy\n\nWe collect less.\n"})
    build_fails(repo, f"commit {sha[:10]} has the committer date",
                "rewrite that commit with its real date")


def test_a_commit_from_the_future_in_an_undeclared_repository(repo: GitRepo) -> None:
    write_config(repo.path)
    repo.commit("Terms", "2020-01-01", {"policies/terms.md": "# Terms\n\nBe nice.\n"})
    sha = commit_at(repo, "Wrong clock", "@4114018800 +0000",  # 2100-05-14
                    {"policies/terms.md": "# Terms\n\nBe very nice.\n"})
    log = build_ok(repo)
    assert f"commit {sha[:10]} ('Wrong clock') is dated 2100-05-14T23:00:00+00:00" in log
    assert "after this build's 'as of' moment (2030-01-01T00:00:00+00:00)" in log


@pytest.mark.parametrize("year", ["2126", "9999"])
def test_an_effective_date_far_ahead_is_questioned(repo: GitRepo, year: str) -> None:
    start(repo)
    repo.commit("Later", "2020-02-01", {
        META: policy_yml((f"{year}-01-01", "Later."), ("2020-01-01", "First.")),
        INTRO: "# Privacy\n\nWe collect less.\n",
    })
    log = build_ok(repo)
    assert f"policies/privacy/policy.yml:3: the effective date {year}-01-01 is" in log
    assert "check the year" in log


def test_committed_conflict_markers_are_refused(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Merge", "2020-02-01", {COOKIES: (
        "## Cookies\n\n<<<<<<< HEAD\nWe use cookies.\n=======\nWe use no cookies.\n"
        ">>>>>>> branch\n")})
    build_fails(repo, "policies/privacy/20-cookies.md:3: this file holds an unresolved merge "
                "conflict", "delete the three marker lines")

"""The catalogue of bad inputs (docs/bad-inputs.md): one test per row, each a real git
repository and a real ``mkdocs build`` in a subprocess; the message (file, line, fix) or
the behaviour is asserted, never a traceback.

The foundation's rows (issue 2) are tested in tests/builds/test_bad_input.py; the
catalogue points at those tests, and ``test_the_catalogue_and_its_tests_match`` checks
that every row names a test that exists and every test here has its row.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from tests.builds import test_bad_input as foundation
from tests.support import ROOT, GitRepo, build_cli, git, page_text, write_config
from tests.trust.sites import (
    build_fails,
    build_ok,
    git_out,
    manifest,
    policy_yml,
    start,
    version_ids,
)

CATALOGUE = ROOT / "docs" / "bad-inputs.md"
INTRO = "policies/privacy/10-intro.md"
COOKIES = "policies/privacy/20-cookies.md"
META = "policies/privacy/policy.yml"


def test_policy_deleted_and_later_re_added(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Withdraw the policy", "2020-02-01", {META: None, INTRO: None, COOKIES: None})
    repo.commit("Publish it again", "2020-03-01", {
        META: policy_yml(("2020-03-01", "Back, shorter."), ("2020-01-01", "First.")),
        INTRO: "# Privacy\n\nWe collect nothing.\n",
    })
    build_ok(repo)
    site = repo.path / "site"
    # one history: the old version keeps its address, the new one follows it
    assert version_ids(site) == ["2020-03-01", "2020-01-01"]
    old = page_text((site / "privacy/versions/2020-01-01/index.html").read_text("utf-8"))
    assert "We collect your email." in old and "We use cookies." in old
    assert "We collect nothing." in page_text((site / "privacy/index.html").read_text("utf-8"))


def test_policy_deleted_for_good(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Terms", "2020-02-01", {"policies/terms.md": "# Terms\n\nBe nice.\n"})
    repo.commit("Withdraw the privacy policy", "2020-03-01",
                {META: None, INTRO: None, COOKIES: None})
    build_ok(repo)
    site = repo.path / "site"
    assert not (site / "privacy").exists()
    assert (site / "terms/index.html").exists()


def test_fragment_renamed_and_edited_in_one_commit(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Move cookies after rights, and reword", "2020-02-01", {
        COOKIES: None,
        "policies/privacy/40-cookies.md": "## Cookies\n\nWe use two cookies.\n",
        META: policy_yml(("2020-02-01", "Cookies reworded."), ("2020-01-01", "First.")),
    })
    build_ok(repo)
    site = repo.path / "site"
    assert version_ids(site) == ["2020-02-01", "2020-01-01"]
    history = page_text((site / "privacy/history/index.html").read_text("utf-8"))
    # the section keeps its identity (its name without the number): changed, not re-added
    assert "Cookies (changed)" in history and "(added)" not in history
    current = (site / "privacy/index.html").read_text("utf-8")
    assert 'data-source="policies/privacy/40-cookies.md"' in current
    assert "We use cookies." in page_text(
        (site / "privacy/versions/2020-01-01/index.html").read_text("utf-8"))


def test_file_turned_into_a_symlink_and_back(repo: GitRepo, tmp_path: Path) -> None:
    start(repo)
    outside = tmp_path / "outside.txt"  # a file of ours: the test never touches the system's
    outside.write_text("SECRET OUTSIDE THE REPOSITORY\n", encoding="utf-8")
    (repo.path / COOKIES).unlink()
    (repo.path / COOKIES).symlink_to(outside)
    repo.commit("Oops: a link", "2020-02-01")
    (repo.path / COOKIES).unlink()
    repo.commit("A file again", "2020-03-01", {
        COOKIES: "## Cookies\n\nWe use no cookies.\n",
        META: policy_yml(("2020-03-01", "No cookies."), ("2020-01-01", "First.")),
    })
    log = build_ok(repo, "--verbose")
    site = repo.path / "site"
    # the commit with the link is left out of the history (and says why in the log);
    # nothing outside the repository was read
    assert "left out of the history" in log
    assert "outside the repository" in log
    assert version_ids(site) == ["2020-03-01", "2020-01-01"]
    for page in site.rglob("*"):
        if page.is_file() and page.suffix in {".html", ".json", ".xml", ".md"}:
            assert "SECRET" not in page.read_text("utf-8", "replace"), page
    assert outside.read_text("utf-8") == "SECRET OUTSIDE THE REPOSITORY\n"


def test_symlink_inside_the_policies_folder(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Shared text", "2020-02-01", {"policies/_shared/contact.md": "Write to us.\n"})
    (repo.path / "policies/privacy/30-contact.md").symlink_to("../_shared/contact.md")
    repo.write({META: policy_yml(("2020-03-01", "Contact."), ("2020-01-01", "First."))})
    repo.commit("Link the contact section", "2020-03-01")
    build_ok(repo)
    assert "Write to us." in page_text(
        (repo.path / "site/privacy/index.html").read_text("utf-8"))


def test_merge_commit_touching_a_policy_on_both_parents(repo: GitRepo) -> None:
    start(repo)
    repo.branch("cookies")
    repo.commit("Fewer cookies", "2020-02-10", {
        COOKIES: "## Cookies\n\nWe use one cookie.\n",
        META: policy_yml(("2020-04-01", "One cookie."), ("2020-01-01", "First.")),
    })
    repo.checkout("main")
    repo.commit("Say who we are", "2020-02-20", {
        INTRO: "# Privacy\n\nWe, Acme, collect your email.\n",
        META: policy_yml(("2020-03-01", "We say who we are."), ("2020-01-01", "First.")),
    })
    stamp = {"GIT_AUTHOR_DATE": "2020-03-15T12:00:00+00:00",
             "GIT_COMMITTER_DATE": "2020-03-15T12:00:00+00:00"}
    result = git_run(repo, "merge", "--no-ff", "--no-commit", "cookies")
    assert "CONFLICT" in result  # both sides added a change entry on top
    repo.write({META: policy_yml(("2020-04-01", "One cookie."),
                                 ("2020-03-01", "We say who we are."),
                                 ("2020-01-01", "First."))})
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "Merge pull request #2 from cookies", env=stamp)
    build_ok(repo, as_of="2020-05-01")
    site = repo.path / "site"
    # first-parent: main's own commit, then the merge as one revision (the branch's work)
    assert version_ids(site) == ["2020-04-01", "2020-03-01", "2020-01-01"]
    data = manifest(site)
    merge = git_out(repo.path, "rev-parse", "HEAD").strip()
    assert data["versions"][0]["commit"] == merge
    text = page_text((site / "privacy/index.html").read_text("utf-8"))
    assert "We, Acme, collect your email." in text and "We use one cookie." in text
    middle = page_text((site / "privacy/versions/2020-03-01/index.html").read_text("utf-8"))
    assert "We, Acme" in middle and "We use cookies." in middle


def git_run(repo: GitRepo, *args: str) -> str:
    """git's output, whether it succeeds or not (a merge with conflicts exits 1)."""
    result = subprocess.run(["git", *args], cwd=repo.path, capture_output=True, text=True)
    return result.stdout + result.stderr


def test_force_pushed_history_with_an_existing_archive(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Logs", "2020-02-01", {
        INTRO: "# Privacy\n\nWe collect your email and logs.\n",
        META: policy_yml(("2020-02-01", "Logs."), ("2020-01-01", "First.")),
    })
    repo.commit("Undeclared tweak", "2020-03-01", {COOKIES: "## Cookies\n\nWe use a cookie.\n"})
    build_ok(repo)
    site = repo.path / "site"
    before = manifest(site)
    assert [v["id"] for v in before["versions"]] == ["2020-03-01", "2020-02-01", "2020-01-01"]
    # rewrite: drop the last two commits and land the same words again a month later
    git(repo.path, "reset", "-q", "--hard", "HEAD~2")
    repo.commit("Logs (rewritten)", "2020-02-05", {
        INTRO: "# Privacy\n\nWe collect your email and logs.\n",
        META: policy_yml(("2020-02-01", "Logs."), ("2020-01-01", "First.")),
    })
    repo.commit("Undeclared tweak (rewritten)", "2020-04-01",
                {COOKIES: "## Cookies\n\nWe use a cookie.\n"})
    build_ok(repo)
    after = manifest(site)
    ids = [v["id"] for v in after["versions"]]
    # declared versions keep their address (the id is the effective date) and name the new
    # commit; an undeclared version is dated by its commit, so its address moves
    assert ids == ["2020-04-01", "2020-02-01", "2020-01-01"]
    assert before["versions"][2] == after["versions"][2]
    assert before["versions"][1]["commit"] != after["versions"][1]["commit"]
    assert before["versions"][1]["sha256"] == after["versions"][1]["sha256"]
    assert not (site / "privacy/versions/2020-03-01").exists()  # the site folder is rebuilt


def test_effective_date_before_the_previous_versions(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Backdated", "2020-02-01", {
        INTRO: "# Privacy\n\nWe collect your email and logs.\n",
        META: policy_yml(("2019-12-01", "Logs."), ("2020-01-01", "First.")),
    })
    log = build_ok(repo)
    assert ("policies/privacy/policy.yml:3: the effective date 2019-12-01 is before the "
            "previous version's (2020-01-01)") in log
    assert "a new version takes effect on or after the one before it" in log
    assert build_strict(repo) != 0
    site = repo.path / "site"
    assert version_ids(site) == ["2019-12-01", "2020-01-01"]  # commit order, as published


def build_strict(repo: GitRepo) -> int:
    return build_cli(repo.path, "--strict", env={"POLICY_AS_OF": "2030-01-01"}).returncode


def test_two_versions_with_the_same_effective_date(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Logs", "2020-02-01", {
        INTRO: "# Privacy\n\nWe collect your email and logs.\n",
        META: policy_yml(("2020-03-01", "Logs."), ("2020-01-01", "First.")),
    })
    repo.commit("Fix before it takes effect", "2020-02-15", {
        INTRO: "# Privacy\n\nWe collect your email and server logs.\n",
        META: policy_yml(("2020-03-01", "Server logs."), ("2020-03-01", "Logs."),
                         ("2020-01-01", "First.")),
    })
    build_ok(repo, "--strict", as_of="2020-04-01")
    site = repo.path / "site"
    assert version_ids(site) == ["2020-03-01-2", "2020-03-01", "2020-01-01"]
    assert manifest(site)["current"] == "2020-03-01-2"
    assert "server logs" in page_text((site / "privacy/index.html").read_text("utf-8"))


def test_fragment_of_5_mb(repo: GitRepo) -> None:
    start(repo)
    paragraph = "We keep this sentence so that the fragment is long. " * 20 + "\n\n"
    big = "## Annex\n\n" + paragraph * (5_000_000 // len(paragraph))
    assert len(big.encode()) > 4_900_000
    repo.commit("Annex", "2020-02-01", {
        "policies/privacy/90-annex.md": big,
        META: policy_yml(("2020-02-01", "An annex."), ("2020-01-01", "First.")),
    })
    build_ok(repo, "--strict")
    site = repo.path / "site"
    assert version_ids(site) == ["2020-02-01", "2020-01-01"]
    assert (site / "privacy/index.html").stat().st_size > 5_000_000
    assert (site / "privacy/compare/2020-01-01/2020-02-01/index.html").exists()


def test_non_markdown_file_in_policies(repo: GitRepo) -> None:
    start(repo)
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256))
    repo.commit("Logo", "2020-02-01", {"policies/privacy/logo.png": png,
                                       "policies/notes.pdf": b"%PDF-1.4\0\xff"})
    build_ok(repo, "--strict")
    assert version_ids(repo.path / "site") == ["2020-01-01"]  # not a revision of the text


def test_binary_file_named_md(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Binary", "2020-02-01", {COOKIES: b"## Cookies\n\0\0\x01\x02binary"})
    build_fails(repo, "policies/privacy/20-cookies.md: this file is binary, not Markdown text",
                "remove it from the policies folder or rename it")


HOSTILE = "<b>bold</b> **strong** [link](javascript:alert(1)) \x07\x1b[31mred\x1b[0m \x0c end"


def test_html_markdown_and_control_characters_in_summary_and_commit_message(
        repo: GitRepo) -> None:
    start(repo, policies={"feed_editorial": True})
    repo.commit(f"Editorial {HOSTILE}", "2020-02-01", {  # an empty note: the subject shows
        COOKIES: "## Cookies\n\nWe use *cookies*.\n",
        META: policy_yml(("editorial", ""), ("2020-01-01", "First.")),
    })
    repo.commit(f"Logs {HOSTILE}", "2020-03-01", {
        INTRO: "# Privacy\n\nWe collect your email and logs.\n",
        META: policy_yml(("2020-03-01", HOSTILE), ("editorial", ""), ("2020-01-01", "First.")),
    })
    repo.commit(f"Undeclared {HOSTILE}", "2020-04-01", {
        INTRO: "# Privacy\n\nWe collect your email and server logs.\n",
    })
    log = build_ok(repo)
    assert "Undeclared <b>bold</b> **strong**" in log  # named in the warning …
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", log)  # … without escapes
    site = repo.path / "site"
    history = (site / "privacy/history/index.html").read_text("utf-8")
    shown = "&lt;b&gt;bold&lt;/b&gt; **strong** [link](javascript:alert(1)) [31mred[0m  end"
    assert f"Editorial {shown}" in history  # the commit's subject
    assert history.count(shown) >= 3  # the summary: in the list and by section
    pages = [history] + [(site / f"privacy/{page}/index.html").read_text("utf-8")
                         for page in ("versions/2020-03-01", "compare/2020-01-01/2020-03-01")]
    for html in pages:
        assert "<b>bold</b>" not in html and 'href="javascript' not in html
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", html), "control characters"
    for feed in ("privacy/feed.xml", "feed.xml"):
        parsed = feedparser.parse((site / feed).read_bytes())
        assert not parsed.bozo, parsed.bozo_exception
        titles = " ".join(entry.title for entry in parsed.entries)
        summaries = " ".join(entry.summary for entry in parsed.entries)
        assert "Editorial revision: Editorial <b>bold</b>" in summaries + titles
    assert manifest(site)["versions"][1]["summary"] == (
        "<b>bold</b> **strong** [link](javascript:alert(1)) [31mred[0m  end")


@pytest.mark.parametrize("name", ["spaces", "dots", "non-ASCII", "right-to-left"])
def test_names_with_dots_spaces_non_ascii_and_right_to_left_text(repo: GitRepo,
                                                                name: str) -> None:
    folder, fragment, slug = {
        "spaces": ("Terms of Service", "10 The Service.md", "terms-of-service"),
        "dots": ("terms..v2", "10-..intro...md", "terms-v2"),
        "non-ASCII": ("Datenschutzerklärung", "10-Einführung.md", "datenschutzerklärung"),
        "right-to-left": ("سياسة الخصوصية", "10-\u202egnp.مقدمة.md", "سياسة-الخصوصية"),
    }[name]
    write = {f"policies/{folder}/policy.yml": policy_yml(("2020-01-01", "First."),
                                                         title=f"Policy {name}"),
             f"policies/{folder}/{fragment}": "Words of the policy.\n"}
    write_config(repo.path)
    repo.commit("First", "2020-01-01", write)
    repo.commit("Second", "2020-02-01", {
        f"policies/{folder}/{fragment}": "Other words of the policy.\n",
        f"policies/{folder}/policy.yml": policy_yml(("2020-02-01", "Second."),
                                                    ("2020-01-01", "First."),
                                                    title=f"Policy {name}")})
    build_ok(repo, "--strict")
    site = repo.path / "site"
    page = (site / slug / "index.html").read_text("utf-8")
    assert "Other words of the policy." in page_text(page)
    assert f'data-source="policies/{folder}/{fragment}"' in page
    assert version_ids(site, slug) == ["2020-02-01", "2020-01-01"]
    assert (site / slug / "compare/2020-01-01/2020-02-01/index.html").exists()


def test_name_without_letters_or_digits(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Odd name", "2020-02-01", {"policies/-- --.md": "# Odd\n\nText.\n"})
    build_fails(repo, "policies/-- --.md: 'policies/-- --.md' gives no usable web address",
                "rename it with letters or digits")


def test_section_order_naming_a_path_outside_the_folder(repo: GitRepo) -> None:
    start(repo)
    repo.commit("Sneaky order", "2020-02-01", {
        META: policy_yml(("2020-01-01", "First."),
                         extra="sections:\n  - ../../mkdocs.yml\n  - 10-intro.md"),
    })
    build_fails(repo, "policies/privacy/policy.yml:3: 'sections' names '../../mkdocs.yml', "
                "but there is no such fragment in 'policies/privacy/'")


# -- the catalogue and its tests ----------------------------------------------------------

FOUNDATION_ROWS = {  # issue 2 §5: each must be in the catalogue
    "not a git repository", "shallow clone", "invalid YAML", "misspelled key",
    "malformed date", "undefined variable", "not UTF-8", "empty policy", "same slug twice",
    "section order names a missing fragment", "symlink outside the repository",
}


def catalogue_rows() -> list[tuple[str, str, str]]:
    """(input, what the user gets, test) of each row of docs/bad-inputs.md's table."""
    rows = []
    for line in CATALOGUE.read_text("utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and not set(cells[0]) <= {"-", " "} \
                and cells[0] != "Input":
            rows.append((cells[0], cells[1], cells[2].strip("`")))
    return rows


def test_the_catalogue_and_its_tests_match() -> None:
    rows = catalogue_rows()
    here = sys.modules[__name__]
    named: set[str] = set()
    for _input, _gets, test in rows:
        path, _, name = test.partition("::")
        function, _, case = name.partition("[")
        case = case.rstrip("]")
        if path == "tests/builds/test_bad_input.py":
            assert callable(getattr(foundation, function, None)), test
            if case:
                assert case in foundation.CASES, test
                named.add(case)
            else:
                named.add(function)
        else:
            assert path.rsplit("/", 1)[-1].startswith("test_"), test
            module = {"tests/trust/test_bad_inputs.py": here}.get(path)
            if module is None:
                text = (ROOT / path).read_text("utf-8")
                assert f"def {function}(" in text, test
            else:
                assert callable(getattr(module, function, None)), test
                if case:
                    marks = getattr(module, function).pytestmark
                    assert any(case in mark.args[1] for mark in marks
                               if mark.name == "parametrize"), test
            named.add(function)
    ours = {name for name in dir(here) if name.startswith("test_")
            and name not in {"test_the_catalogue_and_its_tests_match",
                             "test_catalogue_rows_are_distinct"}}
    assert ours <= named, f"tests without a row in docs/bad-inputs.md: {ours - named}"
    foundation_tests = {"not a git repository": "test_not_a_git_repository",
                        "shallow clone": "test_shallow_clone",
                        "symlink outside the repository": "test_symlink_outside_the_repository"}
    for row in FOUNDATION_ROWS:
        assert foundation_tests.get(row, row) in named, f"issue 2's '{row}' is not catalogued"


def test_catalogue_rows_are_distinct() -> None:
    rows = catalogue_rows()
    assert len(rows) >= 25
    assert len({row[0] for row in rows}) == len(rows)
    assert len({row[2] for row in rows}) == len(rows)
    assert all(Path(ROOT / row[2].split("::")[0]).is_file() for row in rows)

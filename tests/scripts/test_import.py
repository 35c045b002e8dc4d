"""scripts/import: dated past versions become git history with their real dates, and build
into the same history pages as native history."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from policy_history.editors.import_cli import main as import_main
from policy_history.editors.importer import split_document
from tests.scripts.support import run_main, run_script
from tests.support import GitRepo, build, git, page_text, write_config

VERSIONS = {
    "2014-09-07.md": "# Privacy\n\nWe collect your email.\n\n## Cookies\n\nWe use cookies.\n",
    "2016-03-01.md": "# Privacy\n\nWe collect your email.\n\n## Cookies\n\nWe use cookies.\n\n"
                     "## Logs\n\nWe keep logs for 90 days.\n",
    "policy-2019-11-20.md": "# Privacy\n\nWe collect your email.\n\n## Cookies\n\n"
                            "We use cookies.\n\n## Logs\n\nWe keep logs for 30 days.\n",
}


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def site(repo: GitRepo) -> GitRepo:
    """A new site: its settings committed today, no policy yet."""
    write_config(repo.path)
    repo.commit("Site settings", "2026-01-05")
    return repo


def run_import(site: GitRepo, *args: str):
    return run_main(import_main, *args, cwd=site.path)


def log(site: GitRepo, path: str = "policies") -> list[tuple[str, str, str]]:
    out = git(site.path, "log", "--reverse", "--format=%aI %cI %s", "--", path)
    return [tuple(line.split(" ", 2)) for line in out.splitlines()]  # type: ignore[misc]


def test_a_folder_of_dated_files_becomes_commits_in_date_order(site: GitRepo,
                                                               tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "past", {
        **VERSIONS,
        "second.md": "---\ndate: 2015-02-10\ntitle: Privacy\n---\n# Privacy\n\n"
                     "We collect your email and name.\n\n## Cookies\n\nWe use cookies.\n",
    })
    result = run_import(site, str(folder), "--to", "policies/privacy.md")
    assert result.code == 0, result.output
    assert "Imported 4 versions into policies/privacy.md, 2014-09-07 to 2019-11-20." in result.err
    assert log(site) == [
        ("2014-09-07T12:00:00+00:00", "2014-09-07T12:00:00+00:00",
         "Import policies/privacy.md: version of 2014-09-07"),
        ("2015-02-10T12:00:00+00:00", "2015-02-10T12:00:00+00:00",
         "Import policies/privacy.md: version of 2015-02-10"),
        ("2016-03-01T12:00:00+00:00", "2016-03-01T12:00:00+00:00",
         "Import policies/privacy.md: version of 2016-03-01"),
        ("2019-11-20T12:00:00+00:00", "2019-11-20T12:00:00+00:00",
         "Import policies/privacy.md: version of 2019-11-20"),
    ]
    second = git(site.path, "show", "HEAD~2:policies/privacy.md")
    assert second.startswith("---\ntitle: Privacy\n---\n")  # 'date:' became the commit's
    assert (site.path / "policies/privacy.md").read_text("utf-8") == VERSIONS[
        "policy-2019-11-20.md"]
    assert git(site.path, "status", "--porcelain") == ""


def test_running_it_twice_adds_nothing_and_new_versions_append(site: GitRepo,
                                                              tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "past", dict(list(VERSIONS.items())[:2]))
    assert run_import(site, str(folder), "--to", "policies/privacy.md").code == 0
    head = site.head()
    again = run_import(site, str(folder), "--to", "policies/privacy.md")
    assert again.code == 0
    assert "Nothing to import into policies/privacy.md (2 already imported)." in again.err
    assert site.head() == head
    write_folder(folder, dict(list(VERSIONS.items())[2:]))
    more = run_import(site, str(folder), "--to", "policies/privacy.md")
    assert more.code == 0
    assert "Imported 1 versions" in more.err and "(2 already imported)" in more.err
    assert len(log(site)) == 3


def test_an_undated_file_is_an_error_naming_it_and_nothing_is_written(
        site: GitRepo, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "past", {**VERSIONS, "current.md": "# Privacy\n"})
    head = site.head()
    result = run_script("import", str(folder), "--to", "policies/privacy.md", cwd=site.path)
    assert result.code == 2
    assert "Traceback" not in result.output
    assert f"{folder / 'current.md'}: this file has no date — name it by the date" in result.err
    assert site.head() == head


@pytest.mark.parametrize(("files", "expected"), [
    ({"2014-09-07.md": "---\ndate: 2015-01-01\n---\nText\n"},
     "the file name says 2014-09-07 but 'date:' says 2015-01-01"),
    ({"a.md": "---\ndate: soon\n---\nText\n"},
     "a.md:2: expected a date (YYYY-MM-DD) for 'date', but got 'soon'"),
    ({"a.md": "---\ndate: 2014-09-07\n---\nOne\n", "b-2014-09-07.md": "Two\n"},
     "two versions have the same date"),
    ({"notes.pdf": "x"}, "notes.pdf: this is not a Markdown file"),
])
def test_bad_folders_are_refused(site: GitRepo, tmp_path: Path, files: dict[str, str],
                                 expected: str) -> None:
    folder = write_folder(tmp_path / "past", files)
    result = run_import(site, str(folder), "--to", "policies/privacy.md")
    assert result.code == 2
    assert expected in result.err


def test_history_is_never_rewritten(site: GitRepo, tmp_path: Path) -> None:
    site.commit("Current policy", "2026-02-01", {"policies/privacy.md": "# Privacy\n\nNow.\n"})
    folder = write_folder(tmp_path / "past", VERSIONS)
    head = site.head()
    result = run_import(site, str(folder), "--to", "policies/privacy.md")
    assert result.code == 2
    assert ("'policies/privacy.md' already has history up to 2026-02-01 (commit "
            f"{head[:10]}), but 2014-09-07.md is dated 2014-09-07") in result.err
    assert "--allow-older" in result.err
    assert site.head() == head
    # told otherwise, it appends on top, still without touching the commits there
    forced = run_import(site, str(folder), "--to", "policies/privacy.md", "--allow-older")
    assert forced.code == 0, forced.output
    assert git(site.path, "rev-list", "--count", f"{head}..HEAD").strip() == "3"
    assert git(site.path, "merge-base", "--is-ancestor", head, "HEAD") == ""


def test_uncommitted_changes_to_the_target_stop_it(site: GitRepo, tmp_path: Path) -> None:
    site.commit("Placeholder", "2010-01-01", {"policies/privacy.md": "# Privacy\n"})
    (site.path / "policies/privacy.md").write_text("# Privacy\n\nDraft.\n", encoding="utf-8")
    folder = write_folder(tmp_path / "past", VERSIONS)
    result = run_import(site, str(folder), "--to", "policies/privacy.md")
    assert result.code == 2
    assert "'policies/privacy.md' has uncommitted changes" in result.err


def test_dry_run_writes_nothing(site: GitRepo, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "past", VERSIONS)
    head = site.head()
    result = run_import(site, str(folder), "--to", "policies/privacy/", "--dry-run")
    assert result.code == 0
    assert "2016-03-01  2016-03-01.md → policies/privacy/10-introduction.md" not in result.out
    assert "2016-03-01  2016-03-01.md → policies/privacy/30-logs.md" in result.out
    assert "Would add 3 commits" in result.err
    assert site.head() == head


def test_split_by_heading() -> None:
    title, fragments = split_document(
        "Privacy Policy\n==============\n\nIntro.\n\n## Cookies & you\n\nText.\n\n"
        "```\n## not a heading\n```\n\nSharing\n-------\n\nMore.\n\n## Cookies & you\n\nAgain.\n")
    assert title == "Privacy Policy"
    assert [name for name, _ in fragments] == [
        "10-introduction.md", "20-cookies-you.md", "30-sharing.md", "40-cookies-you-2.md"]
    assert fragments[1][1] == "## Cookies & you\n\nText.\n\n```\n## not a heading\n```\n"
    assert fragments[2][1] == "Sharing\n-------\n\nMore.\n"


def history_ids(site: Path, slug: str) -> list[str]:
    html = (site / slug / "history/index.html").read_text("utf-8")
    return re.findall(r'<li class="policy-version policy-version--\w+" id="v-([\w-]+)"', html)


def test_imported_history_builds_like_native_history(repo: GitRepo, tmp_path: Path) -> None:
    """The same dated texts, committed by hand and imported, give the same pages."""
    native = GitRepo.init(tmp_path / "native")
    write_config(native.path)
    native.commit("Site settings", "2026-01-05")
    dates = ["2014-09-07", "2016-03-01", "2019-11-20"]
    for day, text in zip(dates, VERSIONS.values(), strict=True):
        native.commit(f"Version of {day}", day, {"policies/privacy.md": text})
    write_config(repo.path)
    repo.commit("Site settings", "2026-01-05")
    folder = write_folder(tmp_path / "past", VERSIONS)
    assert run_import(repo, str(folder), "--to", "policies/privacy.md").code == 0
    sites = [build(r.path / "mkdocs.yml", strict=True) for r in (native, repo)]
    assert history_ids(sites[0], "privacy") == history_ids(sites[1], "privacy") == [
        "2019-11-20", "2016-03-01", "2014-09-07"]
    for version in ("2014-09-07", "2016-03-01", "2019-11-20"):
        pages = [page_text((s / "privacy/versions" / version / "index.html").read_text("utf-8"))
                 for s in sites]
        strip = [re.sub(r"\b[0-9a-f]{7,40}\b", "<sha>", p) for p in pages]
        assert strip[0] == strip[1]
    current = page_text((sites[1] / "privacy/index.html").read_text("utf-8"))
    assert "Last updated November 20, 2019" in current or "November 20, 2019" in current


def test_a_split_import_builds_with_sections(site: GitRepo, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "past", VERSIONS)
    assert run_import(site, str(folder), "--to", "policies/privacy/").code == 0
    assert sorted(p.name for p in (site.path / "policies/privacy").iterdir()) == [
        "10-introduction.md", "20-cookies.md", "30-logs.md", "policy.yml"]
    out = build(site.path / "mkdocs.yml", strict=True)
    assert history_ids(out, "privacy") == ["2019-11-20", "2016-03-01", "2014-09-07"]
    history = page_text((out / "privacy/history/index.html").read_text("utf-8"))
    assert "Logs" in history
    page = (out / "privacy/index.html").read_text("utf-8")
    assert 'id="section-logs"' in page and 'id="section-cookies"' in page
    assert "Privacy" in page_text(page)


def test_one_file_of_another_repository(corpus, site: GitRepo) -> None:
    """basecamp-policies' terms moved from terms.md to terms/index.md: the import follows it,
    keeps the original authors and dates, and the result builds."""
    clone = corpus("basecamp-policies")
    files = git(clone, "ls-files").split("\n")
    target = next(f for f in files if f.endswith("index.md") and "terms" in f)
    result = run_import(site, "--from-repo", str(clone), "--file", target,
                        "--to", "policies/terms.md")
    assert result.code == 0, result.output
    imported = log(site)
    assert len(imported) > 3
    days = [committed for _author, committed, _subject in imported]
    assert days == sorted(days)
    native = git(clone, "log", "--first-parent", "--follow", "--format=%cI", "--", target)
    assert days[0] >= native.split()[-1][:10]
    authors = git(site.path, "log", "--format=%an", "--", "policies/terms.md").split("\n")
    assert "Legal Editor" not in authors  # the original authors are kept
    again = run_import(site, "--from-repo", str(clone), "--file", target,
                       "--to", "policies/terms.md")
    assert "Nothing to import" in again.err
    write_config(site.path, extra={"site": {"email_support": "mailto:s@example.com",
                                            "email_security": "mailto:x@example.com"}})
    git(site.path, "commit", "-qam", "Variables")
    out = build(site.path / "mkdocs.yml")
    assert len(history_ids(out, "terms")) >= 2


def test_file_names_cannot_issue_workflow_commands(site: GitRepo, tmp_path: Path) -> None:
    """Issue 19 §2: the names of the versions' files are printed; in CI they stay text."""
    from tests.scripts.support import workflow_commands

    folder = write_folder(tmp_path / "past", {
        "2014-09-07\n::stop-commands::pwned.md": VERSIONS["2014-09-07.md"],
        "2016-03-01 ##[group]folded.md": VERSIONS["2016-03-01.md"],
    })
    result = run_script("import", str(folder), "--to", "policies/privacy.md", "--dry-run",
                        cwd=site.path)
    assert result.code == 0, result.output
    assert "stop-commands" in result.out and "folded" in result.out
    assert workflow_commands(result.output) == []

"""scripts/fetch-corpora: its arguments, and its clone → reset → filter → bundle steps on
throwaway origins (no network needed but PyPI's, for git-filter-repo 2.47.0)."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.support import FETCHED_CORPORA, ROOT, GitRepo, git

SCRIPTS = ROOT / "scripts"


def load_fetch_corpora() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fetch_corpora", SCRIPTS / "fetch_corpora.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


fetch_corpora = load_fetch_corpora()


def run_script(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, SCRIPTS / "fetch-corpora", *map(str, args)],
                          capture_output=True, text=True)


@pytest.fixture(scope="session")
def filter_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """git-filter-repo 2.47.0, installed from PyPI as the script installs it."""
    try:
        return fetch_corpora.install_filter_repo(tmp_path_factory.mktemp("filter-repo") / "venv")
    except fetch_corpora.FetchError as error:
        pytest.skip(f"git-filter-repo cannot be installed here (no PyPI?): {error}")


def corpus(name: str, origin: GitRepo, pinned: str) -> Any:  # a fetch_corpora.Corpus
    """The real corpus ``name`` (its filter), cloned from ``origin`` at ``pinned``."""
    real = next(c for c in fetch_corpora.CORPORA if c.name == name)
    return dataclasses.replace(real, url=str(origin.path), branch="main", pinned=pinned,
                               tip=None)


def bundle_files(bundle: Path, into: Path) -> set[str]:
    subprocess.run(["git", "clone", "-q", str(bundle), str(into)], check=True)
    return set(git(into, "-c", "core.quotePath=false", "ls-files").split("\n")) - {""}


def history(clone: Path) -> list[str]:
    """Every commit: subject, author, both dates and the number of parents."""
    return git(clone, "log", "--format=%s|%an|%aI|%cI|%P").splitlines()


def without_parents(lines: list[str]) -> list[str]:
    return [line.rsplit("|", 1)[0] + f"|{len(line.rsplit('|', 1)[1].split())}"
            for line in lines]


def test_help_names_every_corpus_and_option() -> None:
    shown = run_script("--help")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("usage: scripts/fetch-corpora")
    for word in [*fetch_corpora.NAMES, "--only", "--from", "--filter-repo", "--force"]:
        assert word in shown.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--only", "wikipedia"], "invalid choice: 'wikipedia'"),
        (["--from", "/nonexistent/mirrors"], "--from /nonexistent/mirrors: no such folder"),
        (["--filter-repo", "/nonexistent/git-filter-repo"], "no such file"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_argument_errors_are_explained(args: list[str], said: str) -> None:
    result = run_script(*args)
    assert result.returncode == 2
    assert said in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("x")
    result = run_script(tmp_path / "not-a-folder")
    assert result.returncode == 2
    assert "is not a folder" in result.stderr


def test_it_writes_where_the_tests_look() -> None:
    assert fetch_corpora.DEFAULT_DIR == FETCHED_CORPORA


def test_an_origin_without_the_pinned_commit_is_an_error_and_writes_nothing(
    tmp_path: Path,
) -> None:
    origin = GitRepo.init(tmp_path / "mirrors" / "basecamp-policies")
    origin.commit("Policies", "2020-01-01", {"privacy/index.md": "# Privacy\n"})
    git(origin.path, "branch", "-m", "master")
    # the filter is never reached: any existing file will do for --filter-repo
    result = run_script(tmp_path / "out", "--only", "basecamp-policies", "--from",
                        tmp_path / "mirrors", "--filter-repo", sys.executable)
    assert result.returncode == 1
    assert "error: basecamp-policies: git reset" in result.stderr
    assert fetch_corpora.CORPORA[0].pinned in result.stderr
    assert not list((tmp_path / "out").iterdir())


def test_a_bundle_already_there_is_kept_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "legalmattic.bundle").write_text("already here")
    result = run_script(tmp_path, "--only", "legalmattic", "--filter-repo", sys.executable)
    assert result.returncode == 0
    assert "already here (--force fetches it again)" in result.stderr
    assert (tmp_path / "legalmattic.bundle").read_text() == "already here"


def test_basecamps_filter_keeps_the_policies_and_their_history(
    tmp_path: Path, filter_repo: Path
) -> None:
    origin = GitRepo.init(tmp_path / "origin")
    origin.commit("Site", "2018-05-14T12:36:19-07:00", {
        "README.md": "# Policies\n", "LICENSE.md": "CC BY 4.0\n", "script.js": "go()\n",
        "privacy/index.md": "# Privacy\n", "docs/README.md": "# How to\n"})
    origin.branch("side")
    origin.commit("Only the script", "2018-06-01", {"script.js": "go(1)\n"})
    origin.checkout("main")
    origin.merge("side", "Merge the script", "2018-06-02")
    origin.branch("terms")
    origin.commit("Terms", "2018-07-01T09:00:00+02:00", {"terms.md": "# Terms\n"})
    origin.checkout("main")
    origin.merge("terms", "Merge the terms", "2018-07-02")
    pinned = origin.head()
    origin.commit("After the snapshot", "2019-01-01", {"terms.md": "# Terms, later\n"})

    first = tmp_path / "first.bundle"
    tip = fetch_corpora.fetch(corpus("basecamp-policies", origin, pinned), str(origin.path),
                              filter_repo, tmp_path / "work1", first)
    assert bundle_files(first, tmp_path / "clone") == {
        "privacy/index.md", "terms.md", "docs/README.md"}
    kept = without_parents(history(tmp_path / "clone"))
    everything = {line.split("|")[0]: line for line in without_parents(history(origin.path))}
    assert [line.split("|")[0] for line in kept] == [
        "Merge the terms", "Terms", "Site"]  # the script's commit and merge are gone
    assert kept == [everything[subject] for subject in ("Merge the terms", "Terms", "Site")]
    assert git(tmp_path / "clone", "rev-parse", "HEAD").strip() == tip

    # the same origin filters to the same commits, which the tip check relies on
    again = dataclasses.replace(corpus("basecamp-policies", origin, pinned), tip=tip)
    second = tmp_path / "second.bundle"
    assert fetch_corpora.fetch(again, str(origin.path), filter_repo, tmp_path / "work2",
                               second) == tip
    wrong = dataclasses.replace(again, tip="0" * 40)
    with pytest.raises(fetch_corpora.FetchError, match="not at 0000000000"):
        fetch_corpora.fetch(wrong, str(origin.path), filter_repo, tmp_path / "work3",
                            tmp_path / "third.bundle")
    assert not (tmp_path / "third.bundle").exists()


def test_mozillas_filter_keeps_the_locale_folders_markdown(
    tmp_path: Path, filter_repo: Path
) -> None:
    origin = GitRepo.init(tmp_path / "origin")
    origin.commit("Docs", "2013-01-01", {
        "README.md": "# Legal docs\n", "CODE_OF_CONDUCT.md": "Be kind\n", "top.md": "# Top\n",
        "en/firefox_privacy_notice.md": "# Notice\n", "en/archive/old.md": "# Old\n",
        "en/notice.pdf": b"%PDF-1.4\n", "de/firefox_privacy_notice.md": "# Hinweis\n",
        ".github/workflows/ci.yml": "on: push\n"})
    bundle = tmp_path / "mozilla.bundle"
    fetch_corpora.fetch(corpus("mozilla-legal-docs", origin, origin.head()), str(origin.path),
                        filter_repo, tmp_path / "work", bundle)
    assert bundle_files(bundle, tmp_path / "clone") == {
        "en/firefox_privacy_notice.md", "en/archive/old.md", "de/firefox_privacy_notice.md"}

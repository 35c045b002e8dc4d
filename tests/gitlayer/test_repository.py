"""The git layer on real throwaway repositories with pinned author and committer dates."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from policy_history.errors import GitError
from policy_history.loader import load_history
from policy_history.repository import open_repository
from tests.support import GitRepo

UTC = dt.timezone.utc
AS_OF = dt.datetime(2030, 1, 1, tzinfo=UTC)


def render(text: str) -> str:
    import markdown

    return markdown.markdown(text)


def test_first_parent_log_sees_a_merged_pull_request_as_one_commit(repo: GitRepo) -> None:
    repo.commit("First", "2020-01-01", {"policies/terms.md": "# Terms\n\nOne.\n", "README.md": "x"})
    repo.branch("edit")
    repo.commit("Edit 1", "2020-02-01", {"policies/terms.md": "# Terms\n\nTwo.\n"})
    repo.commit("Edit 2", "2020-02-02", {"policies/terms.md": "# Terms\n\nThree.\n"})
    repo.checkout("main")
    repo.commit("Unrelated", "2020-02-15", {"README.md": "y"})
    merge = repo.merge("edit", "Merge pull request #1", "2020-03-01")
    with open_repository(repo.path) as opened:
        head, shallow = opened.describe_head()
        commits = opened.first_parent_log(head, [":(top)policies"])
    assert head == merge and not shallow
    assert [c.subject for c in commits] == ["First", "Merge pull request #1"]
    assert commits[1].committed == dt.datetime(2020, 3, 1, 12, tzinfo=UTC)
    assert [(ch.status, ch.path) for ch in commits[1].changes] == [("M", "policies/terms.md")]


def test_paths_with_spaces_non_ascii_and_right_to_left_text(repo: GitRepo) -> None:
    names = ["policies/Privacy Policy.md", "policies/プライバシー.md", "policies/سياسة الخصوصية.md"]
    repo.commit("Add", "2020-01-01", {name: f"# {name}\n\nText.\n" for name in names})
    loaded = load_history(repo.path / "policies", render=render, as_of=AS_OF)
    assert sorted(loaded.site.policies) == sorted(
        ["privacy-policy", "プライバシー", "سياسة-الخصوصية"]
    )


def test_blobs_are_read_in_one_batch(repo: GitRepo) -> None:
    repo.commit("Add", "2020-01-01", {"policies/a.md": "A\n", "policies/b.md": "B" * 100_000})
    with open_repository(repo.path) as opened:
        commits = opened.first_parent_log("HEAD", [":(top)policies"])
        blobs = opened.read_blobs(ch.blob for ch in commits[0].changes if ch.blob)
    assert sorted(blobs.values()) == [b"A\n", b"B" * 100_000]


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    with pytest.raises(GitError) as error:
        load_history(tmp_path / "policies", render=render, as_of=AS_OF)
    assert "is not inside a git repository" in str(error.value)
    assert "git clone" in str(error.value)


def test_repository_without_commits(repo: GitRepo) -> None:
    (repo.path / "policies").mkdir()
    with pytest.raises(GitError, match="no commits yet"):
        load_history(repo.path / "policies", render=render, as_of=AS_OF)


def test_shallow_clone_names_the_ci_fix(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("One", "2020-01-01", {"policies/t.md": "One.\n"})
    repo.commit("Two", "2020-02-01", {"policies/t.md": "Two.\n"})
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)], check=True
    )
    with pytest.raises(GitError) as error:
        load_history(clone / "policies", render=render, as_of=AS_OF)
    assert "only part of the history" in str(error.value)
    assert "fetch-depth: 0" in str(error.value)


def test_uncommitted_edits_are_reported_not_published(repo: GitRepo) -> None:
    repo.commit("One", "2020-01-01", {"policies/t.md": "# T\n\nOne.\n"})
    repo.write({"policies/t.md": "# T\n\nDraft.\n", "policies/new.md": "# New\n"})
    loaded = load_history(repo.path / "policies", render=render, as_of=AS_OF)
    assert loaded.uncommitted == ["policies/new.md", "policies/t.md"]
    assert "One." in loaded.site.policies["t"].text.markdown
    assert "new" not in loaded.site.policies


def test_symlink_outside_the_repository_is_an_error(repo: GitRepo) -> None:
    repo.commit("One", "2020-01-01", {"policies/t.md": "# T\n"})
    (repo.path / "policies" / "evil.md").symlink_to("/etc/hostname")
    repo.commit("Link", "2020-02-01")
    loaded = load_history(repo.path / "policies", render=render, as_of=AS_OF)
    assert [str(e) for e in loaded.site.errors] == [
        "policies/evil.md: this is a symbolic link to '/etc/hostname', outside the repository "
        "— replace the link with the file's text"
    ]
    assert "evil" not in loaded.site.policies


def test_git_processes_do_not_grow_with_commits(repo: GitRepo, tmp_path: Path) -> None:
    """Counted with a real `git` wrapper on PATH, around a real `mkdocs build`."""
    from tests.support import build_cli, write_config

    shim_dir = tmp_path / "bin"
    shim_dir.mkdir()
    calls = tmp_path / "git-calls.log"
    real_git = subprocess.run(["which", "git"], capture_output=True, text=True).stdout.strip()
    shim = shim_dir / "git"
    shim.write_text(f'#!/bin/sh\necho "$1" >> "{calls}"\nexec "{real_git}" "$@"\n')
    shim.chmod(0o755)
    write_config(repo.path)
    counts = []
    made = 0
    for total in (3, 40):
        while made < total:
            repo.commit(
                f"Edit {made}",
                f"2020-01-01T00:{made // 60:02d}:{made % 60:02d}+00:00",
                {f"policies/p{made % 4}.md": f"# P{made % 4}\n\nText {made}.\n"},
            )
            made += 1
        calls.write_text("")
        result = build_cli(repo.path, env={"PATH": f"{shim_dir}:{os.environ['PATH']}"})
        assert result.returncode == 0, result.stderr
        counts.append(calls.read_text().splitlines())
    assert counts[0] == counts[1], "git processes must not depend on the number of commits"
    # GitPython asks `git version` twice when it starts; then rev-parse, log, cat-file, status.
    assert sorted(counts[0]) == sorted(
        ["version", "version", "rev-parse", "-c", "-c", "cat-file"]
    ), counts[0]

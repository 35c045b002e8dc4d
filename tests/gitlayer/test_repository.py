"""The git layer on real throwaway repositories with pinned author and committer dates."""

from __future__ import annotations

import ast
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
HOOKS = Path(__file__).resolve().parents[2] / "hooks"


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


#: the package that runs git: the site, the editors' tools and the importer ask it
GIT_PACKAGE = HOOKS / "policy_history" / "repository"
#: what starts a process (git or any other): imported or called only by GIT_PACKAGE
PROCESS_MODULES = {"subprocess", "git", "asyncio.subprocess", "pty"}
PROCESS_CALLS = {
    "run_git", "Popen", "check_output", "check_call", "system", "popen", "execute",
    "spawnl", "spawnlp", "spawnv", "spawnvp", "posix_spawn", "posix_spawnp",
    "execl", "execlp", "execv", "execve", "execvp", "execvpe",
    "create_subprocess_exec", "create_subprocess_shell", "cat_file",
}


def _process_uses(path: Path) -> list[str]:
    """Each import of a process module, and each call of a process-starting name, in ``path``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        else:
            names = []
        for name in names:
            if name in PROCESS_MODULES or name.split(".")[0] in PROCESS_MODULES:
                found.append((node.lineno, f"imports {name}"))
                break
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in PROCESS_CALLS:
                found.append((node.lineno, f"calls {called}"))
    return [f"{path.relative_to(HOOKS)}:{line}: {what}" for line, what in sorted(found)]


def test_git_is_run_by_one_module() -> None:
    """Only ``policy_history/repository/`` runs git (or any process) for the product: the
    site build, the editors' tools (check, preview) and the importer ask it, so a fix to how
    git is run or read reaches all of them.

    Every module under ``hooks/`` is read with ``ast``: none outside that package imports
    ``subprocess`` or GitPython (``git``), or calls something that starts a process
    (``run_git``, ``Popen``, ``os.system``, GitPython's ``execute`` …); inside it, only
    ``process.py`` starts processes. The developer tools in ``scripts/`` (bench,
    compare_builds, fetch_corpora, _bootstrap …) are outside the product and keep their own
    subprocess calls; they are not read here.
    """
    modules = sorted(HOOKS.rglob("*.py"))
    outside = [path for path in modules if GIT_PACKAGE not in path.parents]
    uses = [use for path in outside for use in _process_uses(path)]
    assert not uses, "only policy_history/repository/ may run git:\n" + "\n".join(uses)
    assert GIT_PACKAGE / "__init__.py" in modules
    inside = [use for path in modules if GIT_PACKAGE in path.parents
              for use in _process_uses(path)]
    # inside, processes start in one module (the others call its run_git); GitPython only
    # finds the repository
    starters = {use.split(":")[0] for use in inside
                if not use.endswith(("imports git", "calls run_git"))}
    assert starters == {"policy_history/repository/process.py"}, inside
    assert any(use.endswith("imports subprocess") for use in inside)  # the rule sees imports

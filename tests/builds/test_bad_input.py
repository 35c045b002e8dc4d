"""Each bad input of the foundation issue: a real `mkdocs build`, a plain message, no traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support import GitRepo, build_cli, build_fails, write_config

GOOD_META = """\
title: Privacy
changes:
  - effective: 2020-01-01
    summary: First.
"""
GOOD = {
    "policies/privacy/policy.yml": GOOD_META,
    "policies/privacy/10-intro.md": "We are {{ company.name }}.\n",
    "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies.\n",
}


def site_with(repo: GitRepo, files: dict[str, str | bytes | None], **config) -> GitRepo:
    write_config(repo.path, extra={"company": {"name": "Acme"}}, **config)
    repo.commit("Good", "2020-01-01", dict(GOOD))
    if files:
        repo.commit("Bad", "2020-02-01", files)
    return repo


def assert_fails_with(repo: GitRepo, *expected: str) -> str:
    return build_fails(repo, *expected)


CASES = {
    "invalid YAML": (
        {
            "policies/privacy/policy.yml": "title: Privacy\nchanges:\n  - effective: 2020-01-01\n"
            "   summary: First.\n"
        },
        ["policies/privacy/policy.yml:4: this is not valid YAML"],
    ),
    "misspelled key": (
        {"policies/privacy/policy.yml": GOOD_META + "descripton: x\n"},
        ["policies/privacy/policy.yml:5: unknown key 'descripton'", "did you mean 'description'?"],
    ),
    "malformed date": (
        {"policies/privacy/policy.yml": GOOD_META.replace("2020-01-01", "soon")},
        [
            "policies/privacy/policy.yml:3: expected a date (YYYY-MM-DD) for 'effective', "
            "but got 'soon'"
        ],
    ),
    "undefined variable": (
        {"policies/privacy/20-cookies.md": "## Cookies\n\nAsk {{ company.mail }}.\n"},
        [
            "policies/privacy/20-cookies.md:3: undefined variable 'company.mail'",
            "define it under 'extra:' in mkdocs.yml",
        ],
    ),
    "not UTF-8": (
        {"policies/privacy/20-cookies.md": "## Cookies\n\nCaf\xe9s.\n".encode("latin-1")},
        ["policies/privacy/20-cookies.md:3: this file is not UTF-8 text", "save it as UTF-8"],
    ),
    "empty policy": (
        {"policies/privacy/10-intro.md": "\n", "policies/privacy/20-cookies.md": ""},
        ["policies/privacy/policy.yml: this policy has no text"],
    ),
    "same slug twice": (
        {"policies/privacy.md": "# Privacy\n"},
        ["two policies would be published at '/privacy/'", "policies/privacy.md"],
    ),
    "section order names a missing fragment": (
        {
            "policies/privacy/policy.yml": GOOD_META + "sections:\n  - 10-intro.md\n"
            "  - 30-rights.md\n"
        },
        [
            "policies/privacy/policy.yml:7: 'sections' names '30-rights.md'",
            "fragments there: 10-intro.md, 20-cookies.md",
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_fails_the_build_with_file_line_and_fix(repo: GitRepo, case: str) -> None:
    files, expected = CASES[case]
    assert_fails_with(site_with(repo, files), *expected)


def test_a_broken_link_is_told_at_its_fragment_and_fails_a_strict_build(
        repo: GitRepo) -> None:
    # MkDocs checks links on the page it renders; an editor needs the fragment and line
    site_with(repo, {"policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies.\n\n"
                     "See [the list of them](cookie-list.md).\n"})
    told = ("WARNING -  policies/privacy/20-cookies.md:5: this text contains a link "
            "'cookie-list.md', but the target 'privacy/cookie-list.md' is not found among "
            "documentation files (it is published on the page 'privacy/index.md') — fix the "
            "link: a path is relative to this file; or add the page it leads to\n")
    strict = build_cli(repo.path, "--strict")
    assert strict.returncode != 0 and told in strict.stderr, strict.stderr
    assert "Traceback" not in strict.stderr and "Doc file" not in strict.stderr
    relaxed = build_cli(repo.path)
    assert relaxed.returncode == 0 and told in relaxed.stderr, relaxed.stderr


def test_symlink_outside_the_repository(repo: GitRepo) -> None:
    site_with(repo, {})
    (repo.path / "policies" / "leak.md").symlink_to("/etc/passwd")
    repo.commit("Link", "2020-02-01")
    assert_fails_with(
        repo, "policies/leak.md: this is a symbolic link to '/etc/passwd', outside the repository"
    )


def test_not_a_git_repository(tmp_path: Path) -> None:
    write_config(tmp_path)
    (tmp_path / "policies").mkdir()
    result = build_cli(tmp_path)
    assert result.returncode != 0
    assert "is not inside a git repository" in result.stderr
    assert "Traceback" not in result.stderr


def test_shallow_clone(repo: GitRepo, tmp_path: Path) -> None:
    site_with(repo, {"policies/privacy/20-cookies.md": "## Cookies\n\nNo cookies.\n"})
    clone = tmp_path / "ci-checkout"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)], check=True
    )
    result = build_cli(clone)
    assert result.returncode != 0
    assert "only part of the history" in result.stderr
    assert "fetch-depth: 0" in result.stderr


def test_bad_setting_names_the_key(repo: GitRepo) -> None:
    site_with(repo, {}, policies={"on_error": "ignore"})
    assert_fails_with(repo, "extra.policies.on_error")


def test_on_error_warn_leaves_the_policy_out_and_strict_still_fails(repo: GitRepo) -> None:
    site_with(
        repo,
        {
            "policies/privacy/20-cookies.md": "## C\n\n{{ nope }}\n",
            "policies/terms.md": "# Terms\n\nFine.\n",
        },
        policies={"on_error": "warn"},
    )
    result = build_cli(repo.path)
    assert result.returncode == 0, result.stderr
    assert "policies/privacy/20-cookies.md:3: undefined variable" in result.stderr
    assert "left out of the site" in result.stderr
    assert not (repo.path / "site" / "privacy").exists()
    assert (repo.path / "site" / "terms" / "index.html").exists()
    assert build_cli(repo.path, "--strict").returncode != 0


def test_uncommitted_policy_edit_warns_and_is_not_published(repo: GitRepo) -> None:
    site_with(repo, {})
    repo.write({"policies/privacy/20-cookies.md": "## Cookies\n\nDraft words.\n"})
    result = build_cli(repo.path)
    assert result.returncode == 0
    assert "differ from the last commit" in result.stderr
    assert "Draft words" not in (repo.path / "site/privacy/index.html").read_text("utf-8")
    assert build_cli(repo.path, "--strict").returncode != 0

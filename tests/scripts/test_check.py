"""scripts/check: every policy valid, every change of the words declared (bad input included)."""

from __future__ import annotations

import pytest

from policy_history.editors.check_cli import main as check_main
from policy_history.model.layout import discover
from tests.scripts.support import (
    COOKIES,
    FILES,
    POLICY_YML,
    editorial,
    make_site,
    material,
    meta,
    run_main,
    run_script,
)
from tests.support import ROOT, GitRepo, git


@pytest.fixture
def site(repo: GitRepo) -> GitRepo:
    return make_site(repo)


def check(site: GitRepo, *args: str):
    return run_main(check_main, *args, cwd=site.path)


def test_a_valid_site_passes(site: GitRepo) -> None:
    result = check(site)
    assert result.code == 0, result.output
    assert "Checked 2 policies in the working tree: no problems" in result.err


def test_the_sample_site_passes_as_a_script_against_its_own_history() -> None:
    result = run_script("check", "--base", "HEAD~3", cwd=ROOT)
    assert result.code == 0, result.output
    policies = discover(git(ROOT, "ls-files", "policies").split(), "policies")
    assert len(policies) >= 2  # the privacy policy and its German translation
    assert f"Checked {len(policies)} policies" in result.err


def test_an_undeclared_change_of_words_fails_with_the_file_line_and_fix(site: GitRepo) -> None:
    site.write({COOKIES: "## Cookies\n\nWe use cookies for 90 days.\n"})
    result = check(site, "--base", "main")
    assert result.code == 1
    assert (f"{POLICY_YML}:2: the words of 'Privacy' changed ('Cookies' changed), but no "
            "change entry was added — add an entry at the top of 'changes:'") in result.out
    assert "1 error" in result.err
    # without a base there is nothing to compare: the text itself is valid
    assert check(site).code == 0


@pytest.mark.parametrize("entry", [
    material("2030-01-01", "We keep cookies for 90 days."),
    editorial("Clarified the cookie period."),
])
def test_a_declared_change_passes(site: GitRepo, entry: str) -> None:
    site.write({COOKIES: "## Cookies\n\nWe use cookies for 90 days.\n",
                POLICY_YML: meta(entry)})
    result = check(site, "--base", "main")
    assert result.code == 0, result.output
    assert "1 changed since main" in result.err


def test_formatting_only_needs_no_entry(site: GitRepo) -> None:
    site.write({COOKIES: "## Cookies\n\nWe use   cookies\nfor 30 days.\n"})
    result = check(site, "--base", "main")
    assert result.code == 0, result.output
    assert "no words changed since main" in result.err


def test_a_policy_that_declares_nothing_may_change_without_entries(site: GitRepo) -> None:
    site.write({"policies/terms.md": "# Terms\n\nNew terms.\n"})
    assert check(site, "--base", "main").code == 0


def test_a_malformed_effective_date_fails(site: GitRepo) -> None:
    site.write({POLICY_YML: meta(material("next week", "Soon."))})
    result = check(site)
    assert result.code == 1
    assert (f"{POLICY_YML}:3: expected a date (YYYY-MM-DD) for 'effective', but got "
            "'next week' — write the date like 2026-12-01") in result.out


def test_an_effective_date_before_the_previous_versions_fails(site: GitRepo) -> None:
    site.write({COOKIES: "## Cookies\n\nWe use cookies for 90 days.\n",
                POLICY_YML: meta(material("2019-06-01", "Backdated."))})
    result = check(site, "--base", "main")
    assert result.code == 1
    assert (f"{POLICY_YML}:3: the effective date 2019-06-01 is before the previous version's "
            "(2020-01-01)") in result.out


def test_a_base_revision_that_does_not_exist_is_explained(site: GitRepo) -> None:
    result = run_script("check", "--base", "origin/nope", "--format", "github", cwd=site.path)
    assert result.code == 2
    assert "Traceback" not in result.output
    assert "the base revision 'origin/nope' does not exist in this repository" in result.err
    assert "fetch-depth: 0" in result.err
    assert result.out.startswith("::error title=Policy check::the base revision")


def test_github_format_prints_annotations(site: GitRepo) -> None:
    site.write({COOKIES: "## Cookies\n\nWe use cookies for 90 days.\n"})
    result = check(site, "--base", "main", "--format", "github")
    assert result.code == 1
    annotation = [line for line in result.out.splitlines() if line.startswith("::error")]
    assert annotation == [
        f"::error file={POLICY_YML},line=2,title=Policy check::the words of 'Privacy' "
        "changed ('Cookies' changed), but no change entry was added — add an entry at the top "
        "of 'changes:' in the same pull request: 'effective: YYYY-MM-DD' and 'summary: …' if "
        "what the policy says changed, or 'editorial: …' for a typo or formatting fix"
    ]


def test_removed_change_entries_fail(repo: GitRepo) -> None:
    site = make_site(repo, {POLICY_YML: meta(editorial("Typo."))})
    site.write({POLICY_YML: meta()})
    result = check(site, "--base", "main")
    assert result.code == 1
    assert "1 change entry was removed from 'Privacy'" in result.out


def test_every_undefined_variable_is_named(site: GitRepo) -> None:
    site.write({"policies/privacy/10-intro.md": "We are {{ company.nmae }}.\n",
                COOKIES: "## Cookies\n\nAsk {{ company.mail }}.\n"})
    result = check(site)
    assert result.code == 1
    assert "policies/privacy/10-intro.md:1: undefined variable 'company.nmae'" in result.out
    assert f"{COOKIES}:3: undefined variable 'company.mail'" in result.out


def test_a_file_that_is_not_utf8_fails(site: GitRepo) -> None:
    site.write({COOKIES: "## Cookies\n\nCaf\xe9\n".encode("latin-1")})
    result = check(site)
    assert result.code == 1
    assert f"{COOKIES}:3: this file is not UTF-8 text (byte 0xe9)" in result.out


@pytest.mark.parametrize(("text", "expected"), [
    ("See [x](#nowhere).", "the link '#nowhere' goes to no heading on this page"),
    ("See [x](20-cookies.md).", "the link '20-cookies.md' points at a section's fragment file"),
    ("See [x](../terms.md#missing).", "the link '../terms.md#missing' goes to '#missing', "
     "but the page of 'terms' has no such heading"),
    ("See [x](../cookies.md).", "the link '../cookies.md' points at 'policies/cookies.md', "
     "which is not a policy"),
])
def test_broken_links_and_anchors_fail(site: GitRepo, text: str, expected: str) -> None:
    site.write({"policies/privacy/10-intro.md": f"We are Acme.\n\n{text}\n"})
    result = check(site)
    assert result.code == 1
    assert f"policies/privacy/10-intro.md:3: {expected}" in result.out


def test_good_links_pass(site: GitRepo) -> None:
    site.write({"policies/privacy/10-intro.md":
                "See [terms](../terms.md#terms), [cookies](#section-cookies), "
                "[web](https://example.com/x.md) and [mail](mailto:a@example.com).\n"})
    assert check(site).code == 0


def test_section_order_problems(site: GitRepo) -> None:
    site.write({POLICY_YML: meta() + "sections:\n  - 20-cookies.md\n  - 20-cookies.md\n"
                "  - 30-rights.md\n"})
    result = check(site)
    assert result.code == 1
    assert f"{POLICY_YML}:7: 'sections' lists '20-cookies.md' twice" in result.out
    assert f"{POLICY_YML}:8: 'sections' names '30-rights.md', but there is no such fragment" \
        in result.out
    assert "warning: " in result.out and "'10-intro.md' is not listed in 'sections'" in result.out


def test_a_warning_alone_does_not_fail(site: GitRepo) -> None:
    site.write({COOKIES: "## Cookies\n\nWe use cookies for 90 days.\n",
                POLICY_YML: meta(material("2020-02-01", "Longer cookies."))})
    result = check(site, "--base", "main")
    assert result.code == 0, result.output
    assert "warning: " in result.out and "is in the past" in result.out


def test_check_reads_a_branch_without_checking_it_out(site: GitRepo) -> None:
    site.branch("longer-cookies")
    site.commit("Longer cookies", "2020-03-01",
                {COOKIES: "## Cookies\n\nWe use cookies for 90 days.\n"})
    site.checkout("main")
    result = check(site, "--base", "main", "--head", "longer-cookies")
    assert result.code == 1
    assert "no change entry was added" in result.out
    assert FILES[COOKIES] == (site.path / COOKIES).read_text("utf-8")


def test_no_mkdocs_yml_is_explained(tmp_path) -> None:
    git(tmp_path, "init", "-q")
    result = run_main(check_main, cwd=tmp_path)
    assert result.code == 2
    assert "there is no 'mkdocs.yml' here" in result.err


def test_a_typed_date_the_page_does_not_show_is_questioned(repo: GitRepo) -> None:
    """Issue 20: editors moving from typed dates to declared ones. The page shows the
    declared date of the version in force; a typed "Last updated" that differs misleads."""
    make_site(repo, {"policies/privacy/10-intro.md":
                     "# Privacy\n\n*Last updated: March 3, 2019*\n\nWe are {{ company.name }}.\n"})
    result = run_script("check", cwd=repo.path)
    assert result.code == 0, result.output  # a warning
    assert ("policies/privacy/10-intro.md:3: the text says 'Last updated: March 3, 2019', but "
            "the page shows 'Last updated' 2020-01-01 (the version in force, from 'changes:')"
            ) in result.output
    repo.write({"policies/privacy/10-intro.md":
                "# Privacy\n\n*Last updated: January 1, 2020*\n\nWe are {{ company.name }}.\n"})
    result = run_script("check", cwd=repo.path)
    assert "the text says" not in result.output, result.output


def test_translations_that_are_behind_warn_and_broken_ones_fail(site: GitRepo) -> None:
    """From the committed history, as the build reads it."""
    german = "title: Datenschutz\nchanges:\n  - effective: 2020-01-01\n    summary: Erste.\n"
    site.commit("German", "2020-01-05", {
        "policies/de/privacy/policy.yml": german,
        "policies/de/privacy/10-intro.md": "Wir achten Ihre Privatsphäre.\n"})
    assert check(site).code == 0 and "out of date" not in check(site).output
    site.commit("English 2", "2020-03-01", {
        "policies/privacy/policy.yml": meta(material("2020-03-01", "Shorter logs.")),
        "policies/privacy/10-intro.md": "We respect your privacy, and keep logs briefly.\n"})
    behind = check(site)
    assert behind.code == 0, behind.output
    assert ("policies/de/privacy/policy.yml: the German translation 'de/privacy' follows "
            "the English version 2020-01-01, but version 2020-03-01 of 'privacy' is in force "
            "since March 1, 2020: it is out of date") in behind.output
    assert "translates: 2020-03-01" in behind.output and "1 warning" in behind.err
    site.commit("Stray", "2020-03-05", {"policies/de/cookies.md": "# Kekse\n\nText.\n"})
    broken = check(site)
    assert broken.code == 1
    assert "policies/de/cookies.md: 'policies/de/cookies.md' is in the language folder" \
        in broken.output and "no policy at 'policies/cookies.md'" in broken.output

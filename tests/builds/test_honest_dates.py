"""Issue 20 on a small history made for it: the product's pages against the independent
oracle (tests/oracle), rule by rule, without the corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.oracle import scenario
from tests.oracle.compare import figures, report, verdicts
from tests.oracle.honest_dates import COMMIT_DATE, expected
from tests.support import GitRepo, build, write_config

NOTICE = "# Privacy Notice\n\nEffective {day}\n{{: datetime=\"{iso}\" }}\n\nWe keep {what}.\n"
LONG = "".join(f"Clause {n} of the agreement, long enough to be recognised.\n\n"
               for n in range(15))


def notice(day: str, iso: str, what: str) -> str:
    return NOTICE.format(day=day, iso=iso, what=what)


def make_history(repo: GitRepo) -> None:
    """The scenario's terms, a notice dated for machines whose commits land before and
    after its dates, and an agreement renamed with an edit."""
    scenario.write_history(repo)
    repo.commit("Notice", "2024-01-20", {
        "en/notice.md": notice("February 1, 2024", "2024-02-01", "logs")})
    repo.commit("Notice: typo", "2024-03-01", {
        "en/notice.md": notice("February 1, 2024", "2024-02-01", "logz")})
    repo.commit("Notice: next version, merged early", "2024-08-01", {
        "en/notice.md": notice("September 1, 2024", "2024-09-01", "no logs")})
    repo.commit("Translation, landing late", "2024-10-15", {
        "de/notice.md": notice("1. September 2024", "2024-09-01", "keine Logs")})
    repo.commit("Agreement", "2024-02-01", {"agreement.md": "# Agreement\n\n" + LONG})
    repo.commit("Agreement: moved, one more clause", "2024-03-01", {
        "agreement.md": None, "legal/agreement.md": "# Agreement\n\n" + LONG + "More.\n"})


def test_a_history_made_for_the_rules_is_dated_as_the_oracle_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo.init(tmp_path / "policies")
    make_history(repo)
    wanted = expected(repo.path, scenario.AS_OF, {})
    # the oracle's own view, so that agreement means something
    assert wanted[scenario.PATH].last_updated == scenario.LAST_UPDATED
    assert [str(v.effective) for v in wanted["en/notice.md"].history] == [
        "2024-02-01", "2024-09-01"]
    assert [str(v.effective) for v in wanted["de/notice.md"].history] == ["2024-09-01"]
    assert [v.source for v in wanted["legal/agreement.md"].history] == [COMMIT_DATE] * 2

    site_root = tmp_path / "site-root"
    site_root.mkdir()
    config = write_config(site_root, policies_dir=str(repo.path), home=False)
    monkeypatch.setenv("POLICY_AS_OF", f"{scenario.AS_OF.isoformat()}T00:00:00Z")
    site = build(config)
    results = verdicts(site, wanted)
    counted = figures(results)
    if counted.last_updated_disagree or counted.versions_disagree:
        pytest.fail("the site and the oracle disagree:\n" + report("scenario", results),
                    pytrace=False)

"""The oracle's revisions, versions and dates (issue 20's rules 1 and 4-7) on throwaway
repositories with pinned dates."""

from __future__ import annotations

import datetime as dt

from tests.oracle import scenario
from tests.oracle.git_history import address, first_parent_log, histories
from tests.oracle.honest_dates import COMMIT_DATE, expected
from tests.support import GitRepo, git


def test_the_scenario_gives_its_versions_and_last_updated(repo: GitRepo) -> None:
    scenario.write_history(repo)
    wanted = expected(repo.path, scenario.AS_OF, {})[scenario.PATH]
    assert [v.effective for v in wanted.history] == scenario.EFFECTIVE
    assert [v.source for v in wanted.history] == [
        "typed line", "typed line", COMMIT_DATE, "typed line"]
    assert wanted.revisions == len(scenario.HISTORY)
    assert wanted.last_updated == scenario.LAST_UPDATED
    # once the upcoming version is in force, it is the one
    assert expected(repo.path, dt.date(2027, 1, 1), {})[scenario.PATH].last_updated == (
        dt.date(2027, 1, 1))
    assert expected(repo.path, dt.date(2024, 1, 4), {})[scenario.PATH].last_updated is None


def test_without_declared_dates_every_change_of_words_is_a_version(repo: GitRepo) -> None:
    scenario.write_history(repo)
    wanted = expected(repo.path, scenario.AS_OF, {}, declared_dates=False)[scenario.PATH]
    assert [str(v.effective) for v in wanted.history] == [
        "2024-01-10", "2024-02-01", "2024-04-01", "2024-05-01", "2024-06-01"]
    assert wanted.last_updated == dt.date(2024, 6, 1)


def test_a_new_declared_date_with_the_same_words_dates_the_version_anew(
        repo: GitRepo) -> None:
    """mozilla's privacy policy: 'September 8' → 'September 9' in the text (words, the
    machine date unchanged: editorial), then the machine date alone: the version is
    dated as the text now says, with no new version."""
    repo.commit("First", "2024-01-10", {"a.md": '# A\n\nMay 4\n{: datetime="2024-05-04" }\n'})
    repo.commit("Words", "2024-02-10", {"a.md": '# A\n\nMay 5\n{: datetime="2024-05-04" }\n'})
    repo.commit("Machine date only", "2024-02-11",
                {"a.md": '# A\n\nMay 5\n{: datetime="2024-05-05" }\n'})
    wanted = expected(repo.path, scenario.AS_OF, {})["a.md"]
    assert [v.effective for v in wanted.history] == [dt.date(2024, 5, 5)]
    assert wanted.history[0].commit == first_parent_log(repo.path)[0].sha


def test_the_commit_day_is_the_committers_own(repo: GitRepo) -> None:
    """The committer's calendar day in the committer's zone: not the author's, not UTC."""
    (repo.path / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "A", env={
        "GIT_AUTHOR_DATE": "2020-01-01T12:00:00+00:00",
        "GIT_COMMITTER_DATE": "2024-05-01T23:30:00-05:00"})
    assert expected(repo.path, scenario.AS_OF, {})["a.md"].last_updated == dt.date(2024, 5, 1)


def by_address(repo: GitRepo, path: str) -> list[tuple[str, str]]:
    """(path, status) of each revision of the document at ``path`` at the tip."""
    found = histories(first_parent_log(repo.path)).get(address(path), [])
    return [(revision.path, revision.change.status) for revision in found]


def test_a_rename_to_a_new_address_carries_the_history(repo: GitRepo) -> None:
    text = "# Terms\n\n" + "".join(f"Clause {n} says something long enough.\n\n"
                                   for n in range(20))
    repo.commit("First", "2024-01-10", {"terms.md": text})
    repo.commit("Edit", "2024-02-10", {"terms.md": text + "One more clause.\n"})
    repo.commit("Move, and edit", "2024-03-10", {
        "terms.md": None, "legal/terms.md": text + "Two more clauses.\n"})
    assert by_address(repo, "legal/terms.md") == [
        ("terms.md", "A"), ("terms.md", "M"), ("legal/terms.md", "R")]
    assert expected(repo.path, scenario.AS_OF, {})["legal/terms.md"].versions == 3


def test_a_copy_starts_a_history_of_its_own(repo: GitRepo) -> None:
    """git --follow would take the notice's history for the preview (a 99 % copy); a new
    document at a new address is a new policy."""
    text = "# Notice\n\n" + "".join(f"Paragraph {n} of the notice.\n\n" for n in range(20))
    repo.commit("Notice", "2024-01-10", {"en/notice.md": text})
    repo.commit("Edit", "2024-02-10", {"en/notice.md": text + "More.\n"})
    repo.commit("Preview", "2024-03-10", {"en/preview.md": text + "More.\nNext.\n"})
    assert by_address(repo, "en/preview.md") == [("en/preview.md", "A")]
    assert len(by_address(repo, "en/notice.md")) == 2


def test_one_address_two_paths_and_a_return_after_deletion(repo: GitRepo) -> None:
    """``terms.md`` and ``terms/index.md`` are one address: moving between them, or
    deleting and adding again, goes on with one history (basecamp does both)."""
    repo.commit("First", "2024-01-10", {"terms.md": "# Terms\n\nOne.\n"})
    repo.commit("Gone", "2024-02-10", {"terms.md": None})
    repo.commit("Back", "2024-03-10", {"terms/index.md": "# Terms\n\nTwo words.\n"})
    assert by_address(repo, "terms/index.md") == [("terms.md", "A"), ("terms/index.md", "A")]
    assert address("Terms of Service/EN-Terms.md") == "terms-of-service/en-terms"
    assert address("Datenschutzerklärung.md") == "datenschutzerklärung"


def test_a_symlink_or_a_deletion_is_skipped_and_side_branches_are_not_revisions(
    repo: GitRepo,
) -> None:
    repo.commit("First", "2024-01-10", {"a.md": "# A\n\nOne.\n", "b.md": "# B\n"})
    (repo.path / "a.md").unlink()
    (repo.path / "a.md").symlink_to("b.md")
    repo.commit("A symlink for a while", "2024-02-10")
    repo.commit("Gone", "2024-03-10", {"a.md": None})
    repo.commit("Back", "2024-04-10", {"a.md": "# A\n\nOne, again.\n"})
    repo.branch("side")
    repo.commit("On the side", "2024-05-10", {"a.md": "# A\n\nSide words.\n"})
    repo.commit("More on the side", "2024-05-11", {"a.md": "# A\n\nMore side words.\n"})
    repo.checkout("main")
    merge = repo.merge("side", "Merge the side", "2024-06-10")
    wanted = expected(repo.path, scenario.AS_OF, {})["a.md"]
    assert [str(v.effective) for v in wanted.history] == ["2024-01-10", "2024-04-10",
                                                          "2024-06-10"]
    assert wanted.history[-1].commit == merge
    assert wanted.revisions == 3  # the symlink is not read, the deletion no revision


def test_paths_are_taken_literally(repo: GitRepo) -> None:
    names = ["Terms of Service/WordPress.com/EN-Terms.md", "[draft]*.md", "日本語 規約.md"]
    repo.commit("First", "2024-01-10", {name: f"# {n}\n" for n, name in enumerate(names)})
    repo.commit("Edit", "2024-02-10", {names[1]: "# Changed\n"})
    wanted = expected(repo.path, scenario.AS_OF, {})
    assert {name: wanted[name].versions for name in names} == dict(zip(names, [1, 2, 1],
                                                                        strict=True))

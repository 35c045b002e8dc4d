"""The replay on plain data: a state saved anywhere in the log and continued gives the
history that replaying the whole log gives; texts are shared, fingerprints are digests."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import pytest

from policy_history.errors import PolicyError
from policy_history.model.timeline import HistoryReplay, ReplayState, SiteHistory, build_history
from policy_history.repository import LogCommit
from tests.core.test_timeline import Log, material, meta, render

AS_OF = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
VARIABLES = {"company": "Fallback"}


def _problem(error: PolicyError) -> tuple[Any, ...]:
    return type(error).__name__, str(error)


def comparable(site: SiteHistory) -> tuple[Any, ...]:
    return (site.policies, site.head, [_problem(e) for e in site.errors],
            [_problem(e) for e in site.warnings],
            [(c, _problem(e)) for c, e in site.skipped],
            [(c, _problem(e)) for c, e in site.unfilled])


def history_log() -> Log:
    log = Log()
    log.commit("2020-01-01", {
        "mkdocs.yml": "extra:\n  company: Acme\n",
        "policies/privacy/policy.yml": meta(material("2020-01-01", "First.")),
        "policies/privacy/10-intro.md": "# Privacy\n\n{{ company }} collects your email.\n",
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies.\n",
        "policies/terms.md": "# Terms\n\nBe nice.\n\n## Payment\n\nPay {{ company }}.\n",
    })
    log.commit("2020-02-01", {"policies/privacy/20-cookies.md": "## Cookies\n\nMore.\n"})
    log.commit("2020-03-01", {"mkdocs.yml": "extra:\n  company: Acme Inc.\n"})
    log.commit("2020-04-01", {"policies/terms-of-use.md": "# Terms\n\nBe nice.\n\n"
                              "## Payment\n\nPay {{ company }}.\n"},
               renames={"policies/terms.md": "policies/terms-of-use.md"})
    log.commit("2020-05-01", {"policies/terms-of-use.md": "# Terms\n\n{{ compnay }}\n"})
    log.commit("2020-06-01", {"policies/terms-of-use.md": "# Terms\n\n{{ company }}!\n"})
    log.commit("2020-07-01", {"policies/terms_of_use.md": "# Clash\n"})
    log.commit("2020-08-01", {"policies/terms_of_use.md": None})
    log.commit("2020-09-01", {"policies/privacy/policy.yml": "title: [unclosed\n"})
    log.commit("2020-10-01", {"policies/privacy/policy.yml": meta(
        material("2026-12-01", "Later."), material("2020-01-01", "First."))})
    log.commit("2020-11-01", {"policies/terms-of-use.md": None})
    return log


def whole(log: Log, commits: list[LogCommit] | None = None) -> SiteHistory:
    return build_history(commits if commits is not None else log.commits, log.blobs,
                         policies_dir="policies", render=render, as_of=AS_OF,
                         site_variables=VARIABLES, config_path="mkdocs.yml")


def replay(log: Log, state: ReplayState, commits: list[LogCommit]) -> HistoryReplay:
    run = HistoryReplay(state, log.blobs, render=render, site_variables=VARIABLES,
                        templating=True)
    run.replay(commits)
    return run


def test_the_log_covers_what_the_replay_carries() -> None:
    site = whole(history_log())
    assert [c.committed.date().isoformat() for c, _ in site.skipped] == [
        "2020-07-01", "2020-09-01"]
    assert [c.committed.date().isoformat() for c, _ in site.unfilled] == ["2020-05-01"]
    assert list(site.policies) == ["privacy"] and site.warnings


@pytest.mark.parametrize("cut", range(12))
def test_a_state_saved_after_any_commit_and_continued_equals_the_whole_replay(
        cut: int) -> None:
    log = history_log()
    first = replay(log, ReplayState.start("policies", "mkdocs.yml", VARIABLES),
                   log.commits[:cut])
    # what the build at the cut saw: the cut as the tip, and as of two moments
    assert comparable(first.finish(AS_OF)) == comparable(whole(log, log.commits[:cut]))
    first.finish(dt.datetime(2020, 1, 2, tzinfo=dt.timezone.utc))
    saved = pickle.loads(pickle.dumps(first.state))
    continued = replay(log, saved, log.commits[cut:])
    assert continued.state.replayed == len(log.commits)
    assert comparable(continued.finish(AS_OF)) == comparable(whole(log))


def test_unchanged_sections_are_one_object_across_revisions_and_a_saved_state() -> None:
    log = Log()
    intro, cookies = "# Privacy\n\nWe collect your email.\n", "## Cookies\n\nWe use cookies.\n"
    log.commit("2020-01-01", {"policies/p.md": intro + "\n" + cookies})
    log.commit("2020-02-01", {"policies/p.md": intro + "\n" + cookies + "\nMore.\n"})
    log.commit("2020-03-01", {"policies/p.md": intro + "\n" + cookies + "\nMore!\n"})
    first = replay(log, ReplayState.start("policies", None, {}), log.commits[:2])
    continued = replay(log, pickle.loads(pickle.dumps(first.state)), log.commits[2:])
    revisions = continued.finish(AS_OF).policies["p"].revisions
    assert len(revisions) == 3
    intros = [revision.text.sections[0] for revision in revisions]
    assert intros[0] is intros[1] is intros[2]
    assert revisions[1].text.sections[1] is not revisions[2].text.sections[1]
    # a fingerprint is a digest of the visible text, not a copy of it
    assert all(len(digest) == 32 and "email" not in digest
               for revision in revisions for _, digest in revision.fingerprint)
    assert revisions[0].fingerprint[0] == revisions[2].fingerprint[0]
    assert revisions[1].fingerprint[1] != revisions[2].fingerprint[1]

"""The saved replay (policy_history.store.replays): a build replays only the commits since the
last one, and its result is exactly what replaying the whole history gives.

Every comparison is against ``load_history`` without a cache folder, which replays the
whole log; ``LoadedHistory.replayed`` says how many commits a load replayed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml

from policy_history.errors import PolicyError
from policy_history.loader import LoadedHistory, load_history
from policy_history.store import code_keys
from policy_history.store.replays import KEEP
from tests.support import GitRepo, git

LATER = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
EARLIER = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)  # before the announced version
SITE_VARIABLES = {"company": {"name": "Fallback Ltd"}}

_md = markdown.Markdown(extensions=["tables"])


def render(text: str) -> str:
    _md.reset()
    return _md.convert(text)


def load(repo: GitRepo, cache: Path | None, *, as_of: dt.datetime = LATER,
         **settings: Any) -> LoadedHistory:
    settings.setdefault("site_variables", SITE_VARIABLES)
    settings.setdefault("renderer_settings", (["tables"], {}))
    return load_history(repo.path / "policies", render=render, as_of=as_of,
                        config_file=repo.path / "mkdocs.yml", cache_dir=cache, **settings)


def _problem(error: PolicyError) -> tuple[Any, ...]:
    return type(error).__name__, str(error), error.file, error.line


def comparable(loaded: LoadedHistory) -> tuple[Any, ...]:
    """Everything the site gets from the model (problems compared by what they say, as
    exceptions compare by identity)."""
    site = loaded.site
    return (
        site.policies,
        site.head,
        [_problem(error) for error in site.errors],
        [_problem(error) for error in site.warnings],
        [(commit, _problem(error)) for commit, error in site.skipped],
        [(commit, _problem(error)) for commit, error in site.unfilled],
    )


def config(name: str) -> dict[str, str]:
    extra = {"company": {"name": name}, "policies": {"dir": "policies"}}
    return {"mkdocs.yml": yaml.safe_dump({"site_name": "Policies", "extra": extra})}


def privacy_yml(*entries: tuple[str, str]) -> str:
    lines = ["title: Privacy", "changes:"]
    for effective, summary in entries:
        lines += [f"  - effective: {effective}", f"    summary: {summary}"]
    return "\n".join(lines) + "\n"


#: A history with everything the replay carries from commit to commit: mkdocs.yml's
#: variables changing, a rename, an undeclared change (a warning), a template error at the
#: tip (an error, then a commit kept as written), two policies at one address at the tip
#: (an error, then a commit left out), a policy withdrawn, and an announced version.
STEPS: list[tuple[str, str, dict[str, str | None]]] = [
    ("First versions", "2020-01-01", {
        **config("Acme"),
        "policies/privacy/policy.yml": privacy_yml(("2020-01-01", "First.")),
        "policies/privacy/10-intro.md": "# Privacy\n\n{{ company.name }} collects your email.\n",
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies.\n",
        "policies/terms.md": "# Terms\n\nBe nice to {{ company.name }}.\n\n## Payment\n\nPay.\n",
    }),
    ("Undeclared edit", "2020-02-01", {
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use many cookies.\n",
    }),
    ("New company name", "2020-03-01", config("Acme Inc.")),
    ("Rename the terms", "2020-04-01", {
        "policies/terms.md": None,
        "policies/terms-of-use.md":
            "# Terms\n\nBe nice to {{ company.name }}.\n\n## Payment\n\nPay.\n",
    }),
    ("Announce a version", "2020-05-01", {
        "policies/privacy/policy.yml": privacy_yml(("2026-12-01", "Logs kept."),
                                                   ("2020-01-01", "First.")),
        "policies/privacy/10-intro.md": "# Privacy\n\n{{ company.name }} keeps logs.\n",
    }),
    ("Misspelled variable", "2020-06-01", {
        "policies/terms-of-use.md": "# Terms\n\nBe nice to {{ compnay.name }}.\n",
    }),
    ("Fix the variable", "2020-07-01", {
        "policies/terms-of-use.md": "# Terms\n\nBe nice to {{ company.name }}!\n",
    }),
    ("Two policies at one address", "2020-08-01", {
        "policies/terms_of_use.md": "# Terms again\n\nClash.\n",
    }),
    ("Remove the clash", "2020-09-01", {"policies/terms_of_use.md": None}),
    ("Withdraw the terms", "2020-10-01", {"policies/terms-of-use.md": None}),
]


def test_each_commit_replayed_on_the_snapshot_equals_the_whole_history_replayed(
        repo: GitRepo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for number, (message, date, files) in enumerate(STEPS, start=1):
        repo.commit(message, date, files)
        incremental = load(repo, cache)
        assert incremental.cache_problem is None
        assert incremental.replayed == (number if number == 1 else 1), message
        whole = load(repo, None)
        assert whole.replayed == number
        assert comparable(incremental) == comparable(whole), message
        # as_of is not part of the snapshot: the same commits seen from another day
        earlier = load(repo, cache, as_of=EARLIER)
        assert earlier.replayed == 0
        assert comparable(earlier) == comparable(load(repo, None, as_of=EARLIER)), message
    # the history went through every case the replay carries over
    site = whole.site
    assert list(site.policies) == ["privacy"]  # the terms were withdrawn
    assert [(c.subject, e.problem) for c, e in site.unfilled] == [
        ("Misspelled variable", "undefined variable 'compnay.name'")]
    assert [c.subject for c, _ in site.skipped] == ["Two policies at one address"]
    # the undeclared edit, the new name in the intro, an effective date six years ahead
    assert len(site.warnings) == 3
    privacy = site.policies["privacy"]
    assert "Acme Inc. keeps logs." in privacy.latest.text.markdown
    assert privacy.current is privacy.versions[-1]
    seen_earlier = load(repo, cache, as_of=EARLIER).site.policies["privacy"]
    assert [v.summary for v in seen_earlier.upcoming] == ["Logs kept."]


def test_problems_at_the_tip_come_out_as_a_whole_replay_gives_them(repo: GitRepo,
                                                                  tmp_path: Path) -> None:
    """An error at the tip is a left-out commit once another commit follows it."""
    cache = tmp_path / "cache"
    for message, date, files in STEPS[:8]:  # ends with two policies at one address
        repo.commit(message, date, files)
    at_tip = load(repo, cache)
    assert [e.problem for e in at_tip.site.errors] == [
        "two policies would be published at '/terms-of-use/': "
        "'policies/terms-of-use.md' and 'policies/terms_of_use.md'"]
    assert at_tip.site.skipped == []
    repo.commit(*STEPS[8][:2], STEPS[8][2])
    after = load(repo, cache)
    assert after.replayed == 1 and after.site.errors == []
    assert comparable(after) == comparable(load(repo, None))


def test_a_warm_load_replays_nothing_and_equals_the_cold_one(repo: GitRepo,
                                                            tmp_path: Path) -> None:
    for message, date, files in STEPS[:5]:
        repo.commit(message, date, files)
    calls: list[str] = []

    def counting(text: str) -> str:
        calls.append(text)
        return render(text)

    cache = tmp_path / "cache"
    cold = load_history(repo.path / "policies", render=counting, as_of=LATER,
                        config_file=repo.path / "mkdocs.yml", cache_dir=cache,
                        site_variables=SITE_VARIABLES, renderer_settings=(["tables"], {}))
    assert cold.replayed == 5 and calls
    calls.clear()
    warm = load_history(repo.path / "policies", render=counting, as_of=LATER,
                        config_file=repo.path / "mkdocs.yml", cache_dir=cache,
                        site_variables=SITE_VARIABLES, renderer_settings=(["tables"], {}))
    assert warm.replayed == 0 and calls == []
    assert warm.cache_problem is None
    assert comparable(warm) == comparable(cold)
    assert len(list(cache.glob("history-*.bin"))) == 1


def test_a_rewritten_history_is_replayed_whole(repo: GitRepo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for message, date, files in STEPS[:4]:
        repo.commit(message, date, files)
    assert load(repo, cache).replayed == 4
    # the last commit amended: the snapshot's commit is no longer in the log
    git(repo.path, "reset", "-q", "--hard", "HEAD~1")
    repo.commit("Rename the terms, amended", "2020-04-02", {
        "policies/terms.md": None,
        "policies/terms-and-conditions.md": "# Terms\n\nBe nice.\n",
    })
    rewritten = load(repo, cache)
    assert rewritten.replayed == 4
    assert comparable(rewritten) == comparable(load(repo, None))
    assert "terms-and-conditions" in rewritten.site.policies
    # the history cut back: the snapshot is past the end of the log
    git(repo.path, "reset", "-q", "--hard", "HEAD~2")
    shorter = load(repo, cache)
    assert shorter.replayed == 2
    assert comparable(shorter) == comparable(load(repo, None))
    # another branch, then back: each is replayed whole when it is not the snapshot's
    repo.branch("other")
    repo.commit("Other", "2020-05-01", {"policies/terms.md": "# Terms\n\nOther.\n"})
    assert load(repo, cache).replayed == 1  # continues the snapshot of two commits
    repo.checkout("main")
    back = load(repo, cache)
    assert back.replayed == 2
    assert comparable(back) == comparable(load(repo, None))


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "garbage", "empty",
                                    "another cache's file", "not a replay", "a folder"])
def test_a_damaged_snapshot_is_detected_and_rebuilt(repo: GitRepo, tmp_path: Path,
                                                   damage: str) -> None:
    cache = tmp_path / "cache"
    for message, date, files in STEPS[:3]:
        repo.commit(message, date, files)
    clean = load(repo, cache)
    [snapshot] = cache.glob("history-*.bin")
    data = snapshot.read_bytes()
    magic = data[: data.index(b"\n") + 1]
    if damage == "truncated":
        snapshot.write_bytes(data[: len(data) // 2])
    elif damage == "flipped byte":
        snapshot.write_bytes(data[:-10] + bytes([data[-10] ^ 0x01]) + data[-9:])
    elif damage == "garbage":
        snapshot.write_bytes(os.urandom(len(data)))
    elif damage == "empty":
        snapshot.write_bytes(b"")
    elif damage == "another cache's file":
        [fingerprints] = cache.glob("fingerprints-*.bin")
        snapshot.write_bytes(fingerprints.read_bytes())
    elif damage == "not a replay":  # a sound file holding something else
        payload = pickle.dumps({"replayed": 0})
        snapshot.write_bytes(magic + hashlib.sha256(payload).hexdigest().encode() + b"\n"
                             + payload)
    else:
        snapshot.unlink()
        snapshot.mkdir()
    rebuilt = load(repo, cache)
    assert rebuilt.cache_problem and "rebuilding it" in rebuilt.cache_problem
    assert str(snapshot) in rebuilt.cache_problem
    assert rebuilt.replayed == 3, "a damaged snapshot is never trusted"
    assert comparable(rebuilt) == comparable(clean)
    if damage == "a folder":  # cannot be replaced: every load replays, and says why
        assert load(repo, cache).replayed == 3
        return
    again = load(repo, cache)  # rewritten whole by the load that found it damaged
    assert again.replayed == 0 and again.cache_problem is None
    assert comparable(again) == comparable(clean)


def test_other_settings_use_another_snapshot(repo: GitRepo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for message, date, files in STEPS[:3]:
        repo.commit(message, date, files)
    first = load(repo, cache)
    assert first.replayed == 3
    other_variables = {"company": {"name": "Other Ltd"}}
    settings: list[dict[str, Any]] = [
        {"site_variables": other_variables},
        {"renderer_settings": (["tables", "toc"], {})},
        {"templating": False},
    ]
    for changed in settings:
        loaded = load(repo, cache, **changed)
        assert loaded.replayed == 3, changed
        assert comparable(loaded) == comparable(load(repo, None, **changed)), changed
    assert len(list(cache.glob("history-*.bin"))) == KEEP
    # templating off: the text as written
    assert "{{ company.name }}" in load(repo, cache, templating=False).site.policies[
        "privacy"].latest.text.markdown
    # the KEEP most recently used snapshots are kept: not the first settings' any more
    assert load(repo, cache, templating=False).replayed == 0
    assert load(repo, cache, **settings[0]).replayed == 0
    assert load(repo, cache).replayed == 3


def test_the_snapshot_key_covers_the_model_code_not_the_pages() -> None:
    """Which files: tests/core/test_code_keys.py; here, that pages and redlines are not."""
    names = {path.name for path in code_keys.closure(code_keys.ROOTS[code_keys.Kind.HISTORY])}
    assert {"timeline.py", "assemble.py", "layout.py", "metadata.py", "commits.py",
            "fingerprints.py", "loader.py", "renderer.py", "__init__.py"} <= names
    assert not names & {"pages.py", "archive.py", "engine.py", "redline_store.py"}


def test_source_keys_follow_the_files_and_the_variables(repo: GitRepo,
                                                       tmp_path: Path) -> None:
    for message, date, files in STEPS[:5]:
        repo.commit(message, date, files)
    privacy = load(repo, tmp_path / "cache").site.policies["privacy"]
    keys = [revision.source_key for revision in privacy.revisions]
    assert len(set(keys)) == len(keys)  # each revision: another file or other variables
    # the same files and variables: the same key, in another history
    repo.commit("Back to the first cookies", "2020-06-01", {
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies.\n"})
    repo.commit("And back again", "2020-07-01", {
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use many cookies.\n"})
    again = load(repo, tmp_path / "cache").site.policies["privacy"]
    assert again.revisions[-1].source_key == again.revisions[-3].source_key
    assert load(repo, None, templating=False).site.policies[
        "privacy"].latest.source_key != again.latest.source_key

"""The history model on plain data: log commits in, revisions and versions out."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import markdown
import pytest

from policy_history.model.timeline import EDITORIAL, MATERIAL, build_history
from policy_history.repository import FileChange, LogCommit

UTC = dt.timezone.utc
_md = markdown.Markdown(extensions=["tables"])


def render(text: str) -> str:
    _md.reset()
    return _md.convert(text)


class Log:
    """Builds the plain data ``git log --raw`` gives, for the pure history model."""

    def __init__(self) -> None:
        self.commits: list[LogCommit] = []
        self.blobs: dict[str, bytes] = {}

    def commit(
        self,
        date: str,
        files: dict[str, str | None],
        message: str = "Change",
        renames: dict[str, str] | None = None,
    ) -> LogCommit:
        changes = []
        for old, new in (renames or {}).items():
            data = files.pop(new).encode()
            sha = hashlib.sha1(data).hexdigest()
            self.blobs[sha] = data
            changes.append(FileChange("R", new, sha, "100644", old_path=old))
        for path, text in files.items():
            if text is None:
                changes.append(FileChange("D", path, None, "000000"))
                continue
            data = text.encode()
            sha = hashlib.sha1(data).hexdigest()
            self.blobs[sha] = data
            changes.append(FileChange("M", path, sha, "100644"))
        moment = dt.datetime.fromisoformat(date if "T" in date else f"{date}T12:00:00+00:00")
        commit = LogCommit(
            sha=f"{len(self.commits) + 1:040x}",
            parents=(),
            committed=moment,
            authored=moment,
            author="Editor",
            message=message,
            changes=tuple(changes),
        )
        self.commits.append(commit)
        return commit

    def history(self, as_of: str = "2030-01-01", **kwargs):
        return build_history(
            self.commits,
            self.blobs,
            policies_dir="policies",
            render=render,
            as_of=dt.datetime.fromisoformat(as_of).replace(tzinfo=UTC),
            **kwargs,
        )


META = "title: Privacy\nchanges:\n{entries}"


def meta(*entries: str) -> str:
    return META.format(entries="".join(entries))


def material(day: str, summary: str) -> str:
    return f"  - effective: {day}\n    summary: {summary}\n"


def editorial(note: str) -> str:
    return f"  - editorial: {note}\n"


def test_declared_versions_and_editorial_revisions() -> None:
    log = Log()
    log.commit(
        "2020-01-05",
        {
            "policies/privacy/policy.yml": meta(material("2020-01-01", "First.")),
            "policies/privacy/10-intro.md": "We collect your email.\n",
            "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies.\n",
        },
    )
    log.commit(
        "2021-03-01",
        {
            "policies/privacy/policy.yml": meta(
                editorial("Typo."), material("2020-01-01", "First.")
            ),
            "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies!\n",
        },
    )
    log.commit(
        "2022-06-10",
        {
            "policies/privacy/policy.yml": meta(
                material("2022-07-01", "We keep logs."),
                editorial("Typo."),
                material("2020-01-01", "First."),
            ),
            "policies/privacy/10-intro.md": "We collect your email and logs.\n",
        },
    )
    history = log.history(as_of="2023-01-01").policies["privacy"]
    kinds = [(r.kind, r.effective, r.summary, r.note) for r in history.revisions]
    assert kinds == [
        (MATERIAL, dt.date(2020, 1, 1), "First.", None),
        (EDITORIAL, None, None, "Typo."),
        (MATERIAL, dt.date(2022, 7, 1), "We keep logs.", None),
    ]
    assert [v.version_id for v in history.versions] == ["2020-01-01", "2022-07-01"]
    assert history.current is history.versions[-1]
    assert [(c.key, c.change) for c in history.revisions[1].sections_changed] == [
        ("cookies", "changed")
    ]
    marks = history.section_changed_on(history.current)
    assert marks["intro"].version_id == "2022-07-01"
    # the editorial fix of 'cookies' does not move its mark: editorial is not material
    assert marks["cookies"].version_id == "2020-01-01"


def test_whitespace_list_marker_and_front_matter_only_changes_are_editorial() -> None:
    log = Log()
    log.commit(
        "2020-01-01",
        {"policies/terms.md": "---\ntitle: Terms\n---\n# Terms\n\n* one\n* two\n\nSome   text.\n"},
    )
    log.commit(
        "2020-02-01",
        {"policies/terms.md": "---\ntitle: Terms\n---\n# Terms\n\n- one\n- two\n\nSome text.\n\n"},
    )
    log.commit(
        "2020-03-01",
        {
            "policies/terms.md": "---\ntitle: Terms\nlayout: page\n---\n"
            "# Terms\n\n- one\n- two\n\nSome text.\n"
        },
    )
    log.commit(
        "2020-04-01",
        {
            "policies/terms.md": "---\ntitle: Terms\nlayout: page\n---\n"
            "# Terms\n\n- one\n- three\n\nSome text.\n"
        },
    )
    history = log.history().policies["terms"]
    assert [r.kind for r in history.revisions] == [MATERIAL, EDITORIAL, EDITORIAL, MATERIAL]
    assert [r.reason for r in history.revisions] == [
        "imported",
        "unchanged",
        "unchanged",
        "imported",
    ]
    # nothing declared: each change of words is a version dated by its commit
    assert [v.effective for v in history.versions] == [dt.date(2020, 1, 1), dt.date(2020, 4, 1)]


def test_undeclared_change_in_a_declaring_policy_is_a_version_and_a_warning() -> None:
    log = Log()
    log.commit(
        "2020-01-01",
        {
            "policies/p/policy.yml": meta(material("2020-01-01", "First.")),
            "policies/p/a.md": "One.\n",
        },
    )
    log.commit("2020-05-05", {"policies/p/a.md": "Two.\n"}, message="Sneaky edit")
    site = log.history()
    history = site.policies["p"]
    assert history.current.effective == dt.date(2020, 5, 5)
    assert history.current.reason == "undeclared"
    assert len(site.warnings) == 1
    assert "Sneaky edit" in str(site.warnings[0]) and "without a change entry" in str(
        site.warnings[0]
    )


@pytest.mark.parametrize(
    ("as_of", "current", "upcoming"),
    [
        ("2026-11-30T23:59:59", "2020-01-01", ["2026-12-01"]),
        ("2026-12-01T00:00:00", "2026-12-01", []),
    ],
)
def test_future_effective_date_is_upcoming_until_the_as_of_time(
    as_of: str, current: str, upcoming: list[str]
) -> None:
    log = Log()
    log.commit(
        "2020-01-01",
        {
            "policies/p/policy.yml": meta(material("2020-01-01", "First.")),
            "policies/p/a.md": "One.\n",
        },
    )
    log.commit(
        "2026-11-01",
        {
            "policies/p/policy.yml": meta(
                material("2026-12-01", "Next."), material("2020-01-01", "First.")
            ),
            "policies/p/a.md": "Two.\n",
        },
    )
    history = log.history(as_of=as_of).policies["p"]
    assert history.current.version_id == current
    assert [v.version_id for v in history.upcoming] == upcoming


def test_two_versions_on_one_day_get_numbered_ids_in_commit_order() -> None:
    log = Log()
    log.commit("2020-01-01T09:00:00+00:00", {"policies/t.md": "One.\n"})
    log.commit("2020-01-01T15:00:00+00:00", {"policies/t.md": "Two.\n"})
    log.commit("2020-01-02T15:00:00+00:00", {"policies/t.md": "Three.\n"})
    ids = [v.version_id for v in log.history().policies["t"].versions]
    assert ids == ["2020-01-01", "2020-01-01-2", "2020-01-02"]


def test_commit_dates_use_the_committers_own_time_zone() -> None:
    log = Log()
    log.commit("2020-01-01T23:30:00-05:00", {"policies/t.md": "One.\n"})
    version = log.history().policies["t"].versions[0]
    assert version.effective == dt.date(2020, 1, 1)


def test_rename_to_a_new_slug_keeps_one_history() -> None:
    log = Log()
    log.commit("2020-01-01", {"policies/terms.md": "# Terms\n\nOne.\n"})
    log.commit(
        "2020-02-01",
        {"policies/terms-of-service.md": "# Terms\n\nOne.\n", "policies/terms.md": None},
        renames={"policies/terms.md": "policies/terms-of-service.md"},
    )
    log.commit("2020-03-01", {"policies/terms-of-service.md": "# Terms\n\nTwo.\n"})
    site = log.history()
    assert list(site.policies) == ["terms-of-service"]
    assert len(site.policies["terms-of-service"].revisions) == 3


def test_variable_change_in_config_is_a_revision_and_old_text_stays_frozen() -> None:
    log = Log()
    log.commit(
        "2020-01-01",
        {
            "mkdocs.yml": "extra:\n  company: {name: Acme}\n",
            "policies/t.md": "# Terms\n\n{{ company.name }} sells.\n",
        },
    )
    log.commit("2021-01-01", {"mkdocs.yml": "extra:\n  company: {name: Acme Global}\n"})
    history = log.history(config_path="mkdocs.yml").policies["t"]
    texts = [re.sub(r"\s+", " ", r.text.markdown) for r in history.revisions]
    assert texts == ["# Terms Acme sells. ", "# Terms Acme Global sells. "]


def test_broken_text_at_the_tip_is_an_error_but_in_the_past_is_kept_raw() -> None:
    log = Log()
    log.commit("2020-01-01", {"policies/t.md": "# T\n\n{% asset_path logo %}\n"})
    log.commit("2020-02-01", {"policies/t.md": "# T\n\nFixed.\n"})
    site = log.history()
    assert not site.errors
    assert "{% asset_path logo %}" in site.policies["t"].revisions[0].text.markdown
    log.commit("2020-03-01", {"policies/t.md": "# T\n\n{{ missing }}\n"})
    site = log.history()
    assert len(site.errors) == 1
    assert str(site.errors[0]).startswith("policies/t.md:3: undefined variable")

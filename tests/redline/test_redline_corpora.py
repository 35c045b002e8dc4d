"""Real changes from ../shared/corpora: ours marks what changed and nothing else.

The expected changes below were read off ``git show`` of each commit (the truth), not off
the engine's output.
"""

from __future__ import annotations

import subprocess
from itertools import pairwise
from pathlib import Path

import pytest
from redline_helpers import check_redline, find_commit, git_show, git_versions, mark_groups

from policy_history.redline import render_inline

BLUESKY_PRIVACY = "Bluesky/Privacy Policy.md"
BLUESKY_TERMS = "Bluesky/Terms of Service.md"
BASECAMP_PRIVACY = "privacy/index.md"
WPCOM_TERMS = "Terms of Service/WordPress.com/EN-Terms-of-Service.md"


def pair(repo: Path, commit: str, path: str) -> tuple[str, str]:
    return git_show(repo, f"{commit}~1", path), git_show(repo, commit, path)


@pytest.mark.parametrize(
    ("path", "needle"),
    [(BLUESKY_PRIVACY, "how Bluesky Social, PBC d.b.a."), (BLUESKY_TERMS, "mean Bluesky Social")],
)
def test_bluesky_pbc_rename_marks_one_word(clone, render, path: str, needle: str) -> None:
    repo = clone("ota-pga-versions")
    commit = find_commit(repo, needle, path)
    old, new = pair(repo, commit, path)
    redline = check_redline(old, new, render)
    assert (redline.stats.words_added, redline.stats.words_removed) == (1, 0)
    assert redline.stats.blocks_changed == 1
    (change,) = redline.changes
    assert change.op == "replace"
    assert mark_groups(change.inline_html, "ins") == ["Social"]
    assert mark_groups(change.inline_html, "del") == []


def test_list_marker_only_change_gives_an_empty_redline(clone, render) -> None:
    repo = clone("ota-pga-versions")
    target = None
    for commit in git_versions(repo, BLUESKY_PRIVACY)[1:]:
        stat = subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "diff",
                "--numstat",
                f"{commit}~1",
                commit,
                "--",
                BLUESKY_PRIVACY,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        blank = (
            subprocess.run(
                [
                    "git",
                    "-C",
                    str(repo),
                    "diff",
                    "-w",
                    "--quiet",
                    f"{commit}~1",
                    commit,
                    "--",
                    BLUESKY_PRIVACY,
                ]
            ).returncode
            == 0
        )
        if stat[:2] == ["131", "131"] and blank:
            target = commit
            break
    assert target is not None, "the 131-line `1. ` → `1.  ` commit is not in the corpus"
    old, new = pair(repo, target, BLUESKY_PRIVACY)
    assert old != new
    redline = check_redline(old, new, render)
    assert redline.is_empty
    assert "<ins" not in str(render_inline(redline))


def test_basecamp_ip_retention_clarification(clone, render) -> None:
    repo = clone("basecamp-policies")
    commit = find_commit(repo, "for all our apps except for HEY", BASECAMP_PRIVACY)
    old, new = pair(repo, commit, BASECAMP_PRIVACY)
    redline = check_redline(old, new, render)
    (change,) = redline.changes
    assert change.op == "replace" and change.kind == "paragraph"
    assert mark_groups(change.inline_html, "del") == []
    assert mark_groups(change.inline_html, "ins") == [
        "for all our apps except for HEY,",
        "For HEY, we keep the IP addresses used to sign up for a product account until the "
        "account is deleted from our servers.",
    ]
    assert (redline.stats.words_added, redline.stats.words_removed) == (30, 0)


def test_wordpress_fedex_shipping_terms(clone, render) -> None:
    repo = clone("legalmattic")
    commit = find_commit(repo, "If you ship with FedEx", WPCOM_TERMS)
    old, new = pair(repo, commit, WPCOM_TERMS)
    redline = check_redline(old, new, render)
    changes = redline.changes
    # One reordered list of carriers, one new paragraph, five new list items, and the DHL
    # paragraph split in two ("When using DHL’s services:" / "You are responsible …").
    assert [(c.op, c.kind, c.note) for c in changes] == [
        ("replace", "paragraph", ""),
        ("insert", "paragraph", ""),
        *[("insert", "list_item", "")] * 5,
        ("replace", "paragraph", "split"),
    ]
    carriers = changes[0].inline_html
    assert mark_groups(carriers, "ins") == ["DHL, FedEx,"]
    assert mark_groups(carriers, "del") == [", DHL"]
    assert 'href="https://www.fedex.com/"' in carriers
    split = changes[-1]
    assert mark_groups(split.inline_html, "del") == [", you"]
    assert mark_groups(split.inline_html, "ins") == [": You"]
    assert redline.stats.sections_changed == ["j. Ecommerce Services"]


def test_a_changed_link_target_in_real_text(clone, render) -> None:
    repo = clone("ota-pga-versions")
    path = "Spotify/Privacy Policy.md"
    commit = find_commit(repo, "(https://www.spotify.com/us/legal/privacy-policy/#optanon", path)
    old, new = pair(repo, commit, path)
    redline = check_redline(old, new, render, spaces=False)
    html = next(c.inline_html for c in redline.changes if "optanon-toggle" in c.inline_html)
    assert '<a href="#optanon-toggle-info-display"><del' in html
    assert '<a href="https://www.spotify.com/us/legal/privacy-policy/#optanon' in html


@pytest.mark.parametrize(
    ("corpus", "path"),
    [
        ("ota-pga-versions", BLUESKY_PRIVACY),
        ("ota-pga-versions", BLUESKY_TERMS),
        ("basecamp-policies", BASECAMP_PRIVACY),
        ("legalmattic", WPCOM_TERMS),
    ],
)
def test_properties_hold_on_every_real_version(clone, render, corpus: str, path: str) -> None:
    repo = clone(corpus)
    texts = [git_show(repo, commit, path) for commit in git_versions(repo, path)]
    assert len(texts) > 5
    for old, new in pairwise(texts):
        # Whitespace-only differences are "no change", so spacing is compared loosely.
        check_redline(old, new, render, spaces=False, thorough=False)

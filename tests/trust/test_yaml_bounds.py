"""Hostile YAML in a real repository and a real ``mkdocs build``: at the tip, the build stops
fast with the file, the line and the fix; in a past commit, fixed since, the commit is left
out of the history and the site is built.

Each bomb build runs under ``LIMITS`` (a minute, 3 GB of address space a process): before
the bounds, an alias bomb took 8.9 GB in a minute, and the test must fail, not the machine.
"""

from __future__ import annotations

import pytest

from tests.support import GitRepo, Limits
from tests.trust.sites import build_fails, build_ok, policy_yml, start, version_ids

LIMITS = Limits(seconds=60, memory_bytes=3 * 1024**3)
META = "policies/privacy/policy.yml"
COOKIES = "policies/privacy/20-cookies.md"
NO_ALIASES = "write the values out, without '&anchor' / '*alias'"


def laughs(key: str, indent: str = "") -> str:
    """A "billion laughs" under ``key``: nine anchors of nine aliases each, 9**10 values."""
    lines = [f"{key}:", f"{indent}  a0: &a0 [" + ", ".join(["ha"] * 9) + "]"]
    lines += [f"{indent}  a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]"
              for n in range(1, 10)]
    return "\n".join(lines) + "\n"


def bombed_policy_yml(bomb: str) -> str:
    return policy_yml(("2020-03-01", "No cookies."), ("2020-01-01", "First."), extra=bomb)


SIZE_BOMB = "description: |\n" + "  A long description of the policy.\n" * 40_000
#: the line of the policy.yml with its first byte past the limit
SIZE_BOMB_LINE = bombed_policy_yml(SIZE_BOMB).encode()[:1_000_000].count(b"\n") + 1

# policy.yml with each bomb (between 'title:' and 'changes:'), and what the build says
BOMBS = {
    "aliases": (laughs("variables"),
                f"{META}:4: this metadata expands to more than 10,000 values through its "
                f"aliases (*a0) — {NO_ALIASES}"),
    "an alias in itself": ("variables: &loop\n  again: *loop\n",
                           f"{META}:3: the alias '*loop' is used inside '&loop' itself, so it "
                           f"never ends — {NO_ALIASES}"),
    "flow nesting": ("variables:\n  deep: " + "[" * 10_000 + "]" * 10_000 + "\n",
                     f"{META}:3: this metadata nests more than 50 levels deep — write it with "
                     "fewer levels of lists and mappings"),
    "block nesting": ("variables:\n" + "".join("  " * (n + 1) + f"v{n}:\n" for n in range(600))
                      + "  " * 601 + "x\n",
                      f"{META}:52: this metadata nests more than 50 levels deep — write it "
                      "with fewer levels of lists and mappings"),
    "size": (SIZE_BOMB, f"{META}:{SIZE_BOMB_LINE}: this metadata is longer than the limit "
             "of 1,000,000 bytes; it passes it on this line — keep it short: a policy's text "
             "goes in its Markdown files, not in its metadata"),
}


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_a_yaml_bomb_in_policy_yml_fails_the_build_fast(repo: GitRepo, bomb: str) -> None:
    start(repo)
    text, message = BOMBS[bomb]
    repo.commit("Bomb", "2020-03-01", {META: bombed_policy_yml(text),
                                        COOKIES: "## Cookies\n\nWe use no cookies.\n"})
    build_fails(repo, message, limits=LIMITS)


@pytest.mark.parametrize("where, files, message", [
    ("policy file", {"policies/terms.md": "---\ntitle: Terms\n" + laughs("x-other-tool")
                     + "---\n# Terms\n\nBe nice.\n"},
     "policies/terms.md:5: this metadata expands to more than 10,000 values through its "
     f"aliases (*a0) — {NO_ALIASES}"),
    ("fragment", {COOKIES: "---\n" + laughs("x-other-tool") + "---\n## Cookies\n\nNone.\n"},
     f"{COOKIES}:4: this metadata expands to more than 10,000 values through its aliases "
     f"(*a0) — {NO_ALIASES}"),
], ids=["policy file", "fragment"])
def test_an_alias_bomb_in_front_matter_fails_the_build_fast(
        repo: GitRepo, where: str, files: dict[str, str | bytes | None], message: str) -> None:
    # under a key that is not ours: front matter is shared with other tools, and such keys
    # are not read, but the YAML is parsed whole
    start(repo)
    repo.commit(f"Bomb in a {where}", "2020-03-01", files)
    build_fails(repo, message, limits=LIMITS)


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_a_yaml_bomb_in_a_past_commit_is_left_out_of_the_history(
        repo: GitRepo, bomb: str) -> None:
    start(repo)
    text, message = BOMBS[bomb]
    repo.commit("Bomb", "2020-02-01", {META: bombed_policy_yml(text),
                                        COOKIES: "## Cookies\n\nWe use no cookies.\n"})
    repo.commit("Defused", "2020-03-01", {META: policy_yml(("2020-03-01", "No cookies."),
                                                           ("2020-01-01", "First."))})
    log = build_ok(repo, "--verbose", limits=LIMITS)
    # (--verbose: the replay says which commits it left out, and why, at the INFO level)
    assert "left out of the history, commit" in log and message in log, log
    assert version_ids(repo.path / "site") == ["2020-03-01", "2020-01-01"]


@pytest.mark.parametrize("bomb", [
    laughs("  bomb", indent="  "),
    "  deep: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "  loop: &loop\n    again: *loop\n",
], ids=["aliases", "nesting", "an alias in itself"])
def test_a_yaml_bomb_in_a_past_mkdocs_yml_is_not_read(repo: GitRepo, bomb: str) -> None:
    # mkdocs.yml's 'extra:' of each commit gives that commit's variables: a past one past
    # the bounds is read as having none (as invalid YAML is), and the build goes on
    start(repo, extra={"company": {"name": "Acme"}})
    config = (repo.path / "mkdocs.yml").read_text("utf-8")
    repo.commit("Bomb in the settings", "2020-02-01",
                {"mkdocs.yml": config.replace("extra:\n", "extra:\n" + bomb, 1)})
    repo.commit("Defused", "2020-03-01", {
        "mkdocs.yml": config,
        COOKIES: "## Cookies\n\n{{ company.name }} uses no cookies.\n",
        META: policy_yml(("2020-03-01", "No cookies."), ("2020-01-01", "First.")),
    })
    build_ok(repo, "--strict", limits=LIMITS)
    assert version_ids(repo.path / "site") == ["2020-03-01", "2020-01-01"]


# -- what YAML reads silently, or as another type ------------------------------------------


def test_a_key_given_twice_fails_the_build(repo: GitRepo) -> None:
    # YAML would keep the last 'title:' and say nothing: the editor's first one is lost
    start(repo)
    repo.commit("A second title", "2020-03-01", {
        META: policy_yml(("2020-03-01", "No cookies."), ("2020-01-01", "First."))
        + "title: Privacy Policy\n",
        COOKIES: "## Cookies\n\nWe use no cookies.\n",
    })
    build_fails(repo, f"{META}:7: 'title' is given twice (lines 1 and 7) — keep one of them")


def test_a_summary_given_as_a_list_fails_the_build(repo: GitRepo) -> None:
    # not "a material change needs a public 'summary'": there is one, of the wrong type
    start(repo)
    repo.commit("A summary in points", "2020-03-01", {
        META: "title: Privacy\nchanges:\n  - effective: 2020-03-01\n    summary:\n"
              "      - No cookies.\n      - Fewer logs.\n"
              "  - effective: 2020-01-01\n    summary: First.\n",
        COOKIES: "## Cookies\n\nWe use no cookies.\n",
    })
    build_fails(repo, f"{META}:4: expected text for 'summary', but got a list — write it as one "
                "line of plain text (a line that starts with '- ' or '[' is a list)")


def test_a_value_with_a_tag_it_is_not_fails_the_build(repo: GitRepo) -> None:
    # PyYAML fails on it with Python's ValueError: it was a traceback
    start(repo)
    repo.commit("A tagged date", "2020-03-01", {
        META: policy_yml(("2020-03-01", "No cookies."), ("2020-01-01", "First."))
        .replace("effective: 2020-03-01", "effective: !!timestamp 2020-13-01"),
        COOKIES: "## Cookies\n\nWe use no cookies.\n",
    })
    build_fails(repo, f"{META}:3: the value '2020-13-01' is not a valid !!timestamp — remove the "
                "'!!timestamp' tag: plain values need none")

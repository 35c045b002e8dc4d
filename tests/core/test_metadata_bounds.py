"""YAML from people we do not control: bounded parsing, and a PolicyError for anything else.

Policy metadata comes from pull requests and every past commit is replayed on each build,
so whatever the text, reading it must end quickly, in little memory, with the data or a
``file:line: problem — fix`` message: aliases that expand (a "billion laughs"), nesting
deeper than PyYAML's recursion, a huge file. mkdocs.yml's ``extra:`` of a past commit is
read under the same bounds, but a problem there leaves it out rather than failing.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from policy_history.errors import PolicyError
from policy_history.keys import stable_digest
from policy_history.model.assemble import decode
from policy_history.model.metadata import (
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    MAX_YAML_BYTES,
    load_yaml,
    parse_front_matter,
    parse_policy_yml,
    read_config_extra,
)

FILE = "policies/privacy/policy.yml"


def laughs(levels: int, width: int = 9, key: str = "lol", indent: str = "") -> str:
    """The "billion laughs": each anchor is a list of ``width`` aliases of the one before,
    so the last one stands for ``width ** levels`` values (a few lines of YAML)."""
    lines = [f"{key}:", f"{indent}  a0: &a0 [" + ", ".join(["ha"] * width) + "]"]
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"{indent}  a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def nested_flow(depth: int) -> str:
    return "title: " + "[" * depth + "]" * depth + "\n"


def nested_block(depth: int) -> str:
    return "title: P\nvariables:\n" + "".join(
        "  " * (level + 1) + f"v{level}:\n" for level in range(depth)) + "  " * (depth + 1) + "x\n"


def refused(text: str, file: str = FILE) -> PolicyError:
    started = time.perf_counter()
    with pytest.raises(PolicyError) as error:
        parse_policy_yml(text, file)
    assert time.perf_counter() - started < 2, "a hostile input is refused quickly"
    message = str(error.value)
    assert " — " in message and "Traceback" not in message, message
    return error.value


# -- aliases ------------------------------------------------------------------------------


def test_a_billion_laughs_is_refused_before_it_is_walked() -> None:
    error = refused("title: P\n" + laughs(levels=9, key="variables"))  # 9**10 values
    assert error.line == 4, "the line of the first alias"
    assert error.problem == (
        f"this metadata expands to more than {MAX_ALIAS_VALUES:,} values through its "
        "aliases (*a0)")
    assert error.fix == "write the values out, without '&anchor' / '*alias'"


def test_a_small_expansion_past_the_limit_is_refused_too() -> None:
    # 10**5 values: harmless today, but past the documented limit (the limit is the rule,
    # not whether this machine survives it)
    error = refused("title: P\n" + laughs(levels=4, width=10, key="variables"))
    assert error.line == 4 and "*a0" in error.problem


def test_aliases_under_an_unknown_key_of_front_matter_are_refused() -> None:
    # front matter may carry other tools' keys: they are not read, but they are parsed
    text = "---\ntitle: Terms\n" + laughs(levels=9, key="x-jekyll") + "---\n# Terms\n"
    with pytest.raises(PolicyError) as error:
        parse_front_matter(text, "policies/terms.md")
    assert str(error.value).startswith(
        f"policies/terms.md:5: this metadata expands to more than {MAX_ALIAS_VALUES:,} "
        "values through its aliases (*a0)")


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    error = refused("title: P\nvariables: &loop\n  again: *loop\n")
    assert error.line == 3
    assert error.problem == "the alias '*loop' is used inside '&loop' itself, so it never ends"


def test_nesting_through_aliases_counts_as_nesting() -> None:
    # each anchor is 30 levels deep and holds the one before: 60, 90 … levels once expanded
    text = "title: P\nvariables:\n"
    for level in range(3):
        inner = f"*n{level - 1}" if level else "x"
        text += f"  n{level}: &n{level} " + "[" * 30 + inner + "]" * 30 + "\n"
    error = refused(text)
    assert error.line == 4
    assert error.problem == (f"this metadata nests more than {MAX_DEPTH} levels deep through "
                             "its aliases (*n0)")


def test_a_key_given_twice_is_refused_wherever_it_is() -> None:
    # in a mapping of any level, under a key that is not read, and through an alias; keys
    # are compared as YAML reads them: '1' (text) and 1 (a number) are two keys
    for text, line, problem in [
        ("title: P\nvariables:\n  a:\n    b: 1\n    b: 2\n", 5,
         "'b' is given twice (lines 4 and 5)"),
        ("---\nx-other: {a: 1, a: 2}\n---\n", 2, "'a' is given twice (both on line 2)"),
        ("title: P\nvariables:\n  k: &k name\n  m:\n    *k : 1\n    *k : 2\n", 5,
         "'name' is given twice in this mapping, once through an alias"),
    ]:
        with pytest.raises(PolicyError) as error:
            if text.startswith("---"):
                parse_front_matter(text, FILE)
            else:
                parse_policy_yml(text, FILE)
        assert (error.value.line, error.value.problem) == (line, problem)
    meta = parse_policy_yml("title: P\nvariables:\n  '1': text\n  1: number\n", FILE)
    assert meta.variables == {"1": "text", 1: "number"}


def test_a_merged_key_may_be_given_again() -> None:
    # '<<: *base' brings the keys of 'base'; one given again overrides it, as YAML says
    meta = parse_policy_yml("title: P\nvariables:\n  base: &base {name: Acme, mail: a@b}\n"
                            "  shop:\n    <<: *base\n    name: Acme Shop\n", FILE)
    assert meta.variables["shop"] == {"name": "Acme Shop", "mail": "a@b"}


def test_aliases_under_the_limit_are_read() -> None:
    meta = parse_policy_yml(
        "title: P\nvariables:\n  company: &acme\n    name: Acme\n  seller: *acme\n"
        "  buyer:\n    <<: *acme\n    role: buyer\n", FILE)
    assert meta.variables == {"company": {"name": "Acme"}, "seller": {"name": "Acme"},
                              "buyer": {"name": "Acme", "role": "buyer"}}
    assert meta.line_of("variables", "buyer", "role") == 8


# -- nesting and size ---------------------------------------------------------------------


@pytest.mark.parametrize("text, line", [
    (nested_flow(10_000), 1),
    (nested_flow(MAX_DEPTH + 1), 1),
    (nested_block(600), MAX_DEPTH + 2),
    ("title: P\nchanges:\n" + "".join("  " * n + "- \n" for n in range(1, 600)), MAX_DEPTH + 2),
], ids=["flow 10000", "flow one past the limit", "block mappings", "block lists"])
def test_deep_nesting_is_refused_with_the_line_where_it_passes_the_limit(
        text: str, line: int) -> None:
    error = refused(text)
    assert (error.line, error.problem) == (
        line, f"this metadata nests more than {MAX_DEPTH} levels deep")
    assert error.fix == "write it with fewer levels of lists and mappings"


def test_nesting_up_to_the_limit_is_read() -> None:
    meta = parse_policy_yml("title: P\nvariables:\n  deep: " + "[" * (MAX_DEPTH - 2) + "x"
                            + "]" * (MAX_DEPTH - 2) + "\n", FILE)
    assert "deep" in meta.variables


def test_a_huge_file_is_refused_before_it_is_parsed() -> None:
    line = "  - editorial: " + "A long note. " * 20 + "\n"
    text = "title: P\nchanges:\n" + line * (MAX_YAML_BYTES // len(line) + 10)
    error = refused(text)
    assert error.problem == (f"this metadata is longer than the limit of {MAX_YAML_BYTES:,} "
                             "bytes; it passes it on this line")
    assert error.line == 2 + MAX_YAML_BYTES // len(line) + 1
    assert "Markdown" in (error.fix or "")


def test_a_file_just_under_the_size_limit_is_read() -> None:
    line = "  - editorial: " + "A long note. " * 20 + "\n"
    text = "title: P\nchanges:\n" + line * ((MAX_YAML_BYTES - 100) // len(line))
    assert len(text.encode()) < MAX_YAML_BYTES
    assert parse_policy_yml(text, FILE).changes


def test_the_size_limit_counts_bytes_not_characters() -> None:
    text = "title: P\ndescription: " + "é" * (MAX_YAML_BYTES // 2) + "\n"
    assert len(text) < MAX_YAML_BYTES < len(text.encode())
    assert "longer than the limit" in refused(text).problem


# -- front matter: the same, with the lines of the whole file -----------------------------


def test_front_matter_errors_name_lines_of_the_markdown_file() -> None:
    text = "---\ntitle: Terms\ndescription: x\ntitle: Terms of use\n---\n# Terms\n"
    with pytest.raises(PolicyError) as error:
        parse_front_matter(text, "policies/terms.md")
    assert str(error.value) == ("policies/terms.md:4: 'title' is given twice (lines 2 and 4) "
                                "— keep one of them")
    with pytest.raises(PolicyError) as error:
        parse_front_matter("---\ntitle: " + "[" * 60 + "\n---\nText\n", "policies/terms.md")
    assert str(error.value).startswith(
        f"policies/terms.md:2: this metadata nests more than {MAX_DEPTH} levels deep — ")


def test_a_root_that_is_not_a_mapping_says_what_it_is() -> None:
    with pytest.raises(PolicyError) as error:
        parse_front_matter("---\n- Terms\n---\nText\n", "policies/terms.md")
    assert str(error.value).startswith(
        "policies/terms.md:2: front matter must be a mapping of keys such as 'title:', "
        "but got a list — ")


# -- an old mkdocs.yml: the same bounds, but a problem leaves ``extra`` out ---------------


def is_empty(extra: dict) -> bool:
    """(Not ``assert extra == {}``: on failure pytest would print the expanded bomb.)"""
    return len(extra) == 0


@pytest.mark.parametrize("text", [
    "site_name: x\nextra:\n" + laughs(levels=9, key="  bomb", indent="  "),
    "site_name: x\nextra:\n  deep: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "site_name: x\nextra: &e\n  again: *e\n",
    "site_name: x\nextra:\n  note: " + "x" * (MAX_YAML_BYTES + 1) + "\n",
], ids=["aliases", "nesting", "an alias in itself", "size"])
def test_an_old_mkdocs_yml_past_the_bounds_gives_no_extra(text: str) -> None:
    started = time.perf_counter()
    extra = read_config_extra(text)
    assert time.perf_counter() - started < 2
    assert is_empty(extra), "a mkdocs.yml past the bounds is read as having no 'extra:'"


def test_an_old_mkdocs_yml_keeps_anchors_and_repeated_keys() -> None:
    # MkDocs itself reads mkdocs.yml so: anchors under the limit, the last of a repeated key
    text = ("site_name: x\nextra:\n  company: &acme\n    name: Acme\n  seller: *acme\n"
            "  company:\n    name: Acme Inc\n")
    assert read_config_extra(text) == {"company": {"name": "Acme Inc"},
                                       "seller": {"name": "Acme"}}


# -- any text: data or a PolicyError, and data that is safe to walk -----------------------

_PIECES = st.sampled_from([
    "title: ", "changes:\n", "  - effective: ", "    summary: ", "  - editorial: ",
    "variables:\n", "  company: ", "sections:\n", "description: ", "2026-12-01", "soon",
    "&a ", "*a", "&b ", "*b", "<<: ", "<<: *a\n", "[*a, *a, *a]", "{a: *a}", "? ", ": ",
    "- ", "  ", "    ", "\n", "\t", "[", "]", "{", "}", ",", "'", '"', "|\n", ">-\n", "#",
    "!!timestamp ", "!!int ", "!!float ", "!!binary ", "!!str ", "!!set ", "!!omap ",
    "!!python/object:os.system ", "!custom ", "%YAML 1.1\n", "---\n", "...\n", "~", "null",
    "yes", "0x1F", "1e400", ".nan", "9" * 30, "\\x", "\ufeff", "\x85", "\u2028", "é",
])
YAMLISH = st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=40).map("".join)

HOSTILE = [
    "title: P\n" + laughs(levels=9, key="variables"),
    "---\n" + laughs(levels=9, key="x") + "---\nText\n",
    nested_flow(10_000),
    "title: " + "{a: " * 5_000 + "}" * 5_000 + "\n",
    nested_block(600),
    "a: &a [*a]\n",
    "a: &a {<<: *a}\n",
    "title: !!timestamp 2026-13-45\n",
    "title: !!float x\n",
    "? [a, b]\n: c\n",
    "? {a: b}\n: c\n",
    "title: P\ntitle: Q\n",
    "x" * (MAX_YAML_BYTES + 10),
]


def walkable(data: object) -> bool:
    stable_digest(data)  # walks every value: a bomb that got through would never end
    return True


def assert_data_or_a_policy_error(text: str) -> None:
    """Every way the site reads YAML gives data that is safe to walk, or a PolicyError."""
    readers = [
        (FILE, lambda: load_yaml(text, FILE)[0]),
        (FILE, lambda: parse_policy_yml(text, FILE)),
        ("p.md", lambda: parse_front_matter(f"---\n{text}\n---\nText\n", "p.md")[0]),
    ]
    for file, read in readers:
        try:
            assert walkable(read())
        except PolicyError as error:
            assert error.file == file and error.problem, error
    assert walkable(read_config_extra(text))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
@example("")
@example("\x00")  # PyYAML's reader refuses it when the loader is made
@example("!!int ")  # an IndexError in PyYAML
@example("!!bool maybe")  # a KeyError in PyYAML
@example("!!timestamp soon")  # an AttributeError in PyYAML
def test_any_text_gives_data_or_a_policy_error(text: str) -> None:
    assert_data_or_a_policy_error(text)


@pytest.mark.parametrize("text", HOSTILE, ids=[str(n) for n in range(len(HOSTILE))])
def test_hostile_text_gives_data_or_a_policy_error_quickly(text: str) -> None:
    started = time.perf_counter()
    assert_data_or_a_policy_error(text)
    assert time.perf_counter() - started < 5


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_data_or_a_policy_error(data: bytes) -> None:
    try:
        walkable(parse_policy_yml(decode(data, FILE), FILE))
    except PolicyError as error:
        assert error.file == FILE

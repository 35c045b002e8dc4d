"""policy.yml and front matter: accepted shapes, and messages with file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from policy_history.errors import PolicyError
from policy_history.model.metadata import parse_front_matter, parse_policy_yml, read_config_extra

CASES = yaml.safe_load((Path(__file__).parent / "metadata_cases.yml").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES["errors"], ids=[c["name"] for c in CASES["errors"]])
def test_bad_metadata_gets_file_line_problem_and_fix(case: dict) -> None:
    with pytest.raises(PolicyError) as error:
        parse_policy_yml(case["yaml"], "policies/privacy/policy.yml")
    message = str(error.value)
    assert message.startswith(f"policies/privacy/policy.yml:{case['line']}: "), message
    for expected in case["message"]:
        assert expected in message
    assert " — " in message, "every message says how to fix it"


def test_change_entries_material_and_editorial() -> None:
    meta = parse_policy_yml(
        "title: Privacy\nchanges:\n"
        "  - effective: 2026-12-01\n    summary: Logs kept 30 days.\n"
        "  - editorial: Fixed a typo.\n"
        "  - effective: '2014-09-07'\n    summary: First version.\n",
        "p.yml",
    )
    assert meta.changes is not None
    first, second, third = meta.changes
    assert first.effective == dt.date(2026, 12, 1) and first.summary == "Logs kept 30 days."
    assert first.line == 3
    assert second.editorial == "Fixed a typo." and not second.is_material
    assert third.effective == dt.date(2014, 9, 7)


def test_no_changes_key_means_nothing_declared() -> None:
    assert parse_policy_yml("title: Privacy\n", "p.yml").changes is None
    assert parse_policy_yml("title: Privacy\nchanges:\n", "p.yml").changes == ()


def test_front_matter_allows_foreign_keys_but_not_misspellings() -> None:
    meta, body, offset = parse_front_matter(
        "---\ntitle: Terms\nlayout: page\n---\n# Terms\n", "terms.md"
    )
    assert meta.title == "Terms" and body == "# Terms\n" and offset == 4
    with pytest.raises(PolicyError) as error:
        parse_front_matter("---\ntitle: Terms\ndescripton: x\n---\nText\n", "terms.md")
    assert str(error.value).startswith("terms.md:3: unknown key 'descripton'")
    assert "did you mean 'description'?" in str(error.value)


def test_old_mkdocs_yml_extra_is_read_without_running_tags() -> None:
    text = (
        "site_name: x\nmarkdown_extensions:\n  - pymdownx.superfences:\n"
        "      custom_fences:\n        - format: !!python/name:os.system\n"
        "extra:\n  company:\n    name: Acme\n  key: !ENV [HOME, x]\n"
    )
    assert read_config_extra(text) == {"company": {"name": "Acme"}, "key": None}

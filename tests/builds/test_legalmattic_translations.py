"""Automattic/legalmattic (../shared/corpora) built as a site whose WordPress.com Terms of
Service had translations, against an oracle worked out from git alone.

legalmattic named each translation by its language, beside the English file:
``Terms of Service/WordPress.com/DE-Geschäftsbedingungen.md`` beside
``EN-Terms-of-Service.md``, and removed them all by 2019. The oracle reads, with
``git log`` and an uppercase-prefix regular expression (not the site's Babel), which
languages that folder ever held and on which day each language's last file went away.
The English history must list each of those languages, the last withdrawal of each on that
day, and each listed translation must keep its pages, saying it was withdrawn.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import lxml.html
import pytest

from tests.support import build, write_config

pytestmark = pytest.mark.corpus

AS_OF = "2026-12-01T00:00:00Z"
FOLDER = "Terms of Service/WordPress.com/"
SOURCE = "terms-of-service/wordpress-com/en-terms-of-service"
PREFIX = re.compile(r"([A-Z]{2}(?:-[A-Z]{2})?)-")


def git(clone: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=clone,
                          capture_output=True, check=True, text=True).stdout


def oracle(clone: Path) -> dict[str, str]:
    """language (lower case) → the day (ISO) of the last first-parent commit that touched
    a file of it in the folder: the day it was withdrawn."""
    at_tip = set(git(clone, "ls-files", "--", FOLDER).splitlines())
    last: dict[str, str] = {}
    day = ""
    for line in git(clone, "log", "--first-parent", "--format=@%cs", "--name-only", "--",
                    FOLDER).splitlines():
        if line.startswith("@"):
            day = line[1:]
            continue
        name = line.removeprefix(FOLDER)
        found = PREFIX.match(name)
        if not line.endswith(".md") or found is None or found.group(1) == "EN":
            continue
        assert line not in at_tip, "the oracle expects every translation removed"
        last.setdefault(found.group(1).lower(), day)  # newest first: the first seen
    return last


@pytest.fixture(scope="module")
def legalmattic(corpus, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    clone = corpus("legalmattic")
    root = tmp_path_factory.mktemp("legalmattic-site")
    config = write_config(root, policies_dir=str(clone))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POLICY_AS_OF", AS_OF)
        site = build(config, strict=True)
    return clone, site


def page(site: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(site / path / "index.html")).getroot()


def test_the_history_lists_every_language_the_folder_held(
        legalmattic: tuple[Path, Path]) -> None:
    clone, site = legalmattic
    expected = oracle(clone)
    assert len(expected) >= 13  # the corpus' README: 13 languages at least
    history = f"{SOURCE}/history"
    items = page(site, history).xpath(
        "//section[contains(concat(' ', @class, ' '), ' policy-translations ')]//li")
    listed: dict[str, list[str]] = {}
    for item in items:
        language = item.xpath("./a/@hreflang")[0].lower()
        withdrawn = item.xpath(".//time/@datetime")[-1]
        listed.setdefault(language, []).append(withdrawn)
        target = (site / history / item.xpath("./a/@href")[0]).resolve() / "index.html"
        assert target.is_file(), target
        current = lxml.html.parse(str(target.parent.parent / "index.html")).getroot()
        notice = current.xpath("//div[contains(@class, 'policy-translation--withdrawn')]")
        assert len(notice) == 1, target
        assert withdrawn in notice[0].xpath(".//time/@datetime"), target
    assert {language: max(days) for language, days in listed.items()} == expected


def test_the_english_pages_link_no_withdrawn_translation(
        legalmattic: tuple[Path, Path]) -> None:
    _, site = legalmattic
    current = page(site, SOURCE)
    assert not current.xpath("//nav[@class='policy-languages']")
    assert not current.xpath("//link[@rel='alternate'][@hreflang]")

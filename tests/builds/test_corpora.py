"""Existing policy repositories (../shared/corpora) published without any declared data."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import markdown
import pytest

from policykit.dates import human_date
from policykit.layout import discover
from policykit.metadata import split_front_matter
from tests.support import CORPUS_VARIABLES, build, write_config

pytestmark = pytest.mark.corpus


def tip_files(clone: Path) -> list[str]:
    out = subprocess.run(
        ["git", "-c", "core.quotePath=false", "ls-files", "-z"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [p for p in out.split("\0") if p.lower().endswith(".md")]


def independent_last_change(clone: Path, path: str) -> dt.date:
    """Last commit whose rendered words differ from the previous version (own code path:
    one `git log --follow` per file, front matter stripped, whitespace collapsed)."""
    log = subprocess.run(
        [
            "git",
            "-c",
            "core.quotePath=false",
            "log",
            "--first-parent",
            "--follow",
            "--name-only",
            "--format=%x00%H %cI",
            "--",
            path,
        ],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    entries = []
    for record in log.split("\0")[1:]:
        head, *names = record.strip().split("\n")
        sha, stamp = head.split(" ")
        entries.append((sha, stamp, [n for n in names if n][-1] if names else path))
    md = markdown.Markdown(extensions=["toc", "attr_list", "tables"])
    previous = None
    last = None
    for sha, stamp, name in reversed(entries):
        shown = subprocess.run(["git", "show", f"{sha}:{name}"], cwd=clone, capture_output=True)
        if shown.returncode:
            continue
        body = split_front_matter(shown.stdout.decode("utf-8", "replace"))[1]
        md.reset()
        rendered = re.sub(r"\s+", " ", md.convert(body)).strip()
        if rendered != previous:
            last = dt.datetime.fromisoformat(stamp).date()
        previous = rendered
    assert last is not None
    return last


@pytest.mark.parametrize("name", ["basecamp-policies", "legalmattic"])
def test_every_document_gets_a_page_dated_by_its_last_change_of_words(
    corpus, tmp_path: Path, name: str
) -> None:
    clone = corpus(name)
    config = write_config(tmp_path, policies_dir=str(clone), extra=CORPUS_VARIABLES, home=False)
    site = build(config)
    layouts = discover(tip_files(clone), "")
    assert len(layouts) == len(tip_files(clone))
    checked = 0
    for slug, layout in layouts.items():
        page = site / ("" if slug == "index" else slug) / "index.html"
        assert page.exists(), f"no page for {layout.path}"
        html = page.read_text("utf-8")
        found = re.search(r'Last updated</dt>\s*<dd><time datetime="([\d-]+)">([^<]+)</time>', html)
        assert found, f"no date on {slug}"
        expected = independent_last_change(clone, layout.path)
        assert found.group(1) == expected.isoformat(), layout.path
        assert found.group(2) == human_date(expected)
        checked += 1
    assert checked == len(layouts)

"""mozilla/legal-docs (../shared/corpora) built as a multilingual site, against an oracle
worked out from git alone, as mozilla's own CI reports outdated translations.

Each text states the date of the English version it follows, right under its title:
``{: datetime="2026-05-04" }``. For every translation at the tip that states one, the
oracle reads, with git and a regular expression, the dates its English document stated
over its history and the one it states now. When the translation's date is one of them,
the site must say the translation follows the English version of that date, and that it
is out of date exactly when that date is not the English text's current one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest

from tests.support import build, write_config

pytestmark = pytest.mark.corpus

AS_OF = "2030-01-01T00:00:00Z"  # every version in force: the oracle needs no calendar
DATETIME = re.compile(r'\{:\s*datetime="(\d{4}-\d{2}-\d{2})"\s*\}')


@dataclass(frozen=True)
class Expected:
    follows: str  # the date of the English version it follows
    outdated: bool


def git(clone: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=clone, input=data,
                          capture_output=True, check=True).stdout


def stated(text: bytes) -> str | None:
    found = DATETIME.search(text.decode("utf-8", "replace"))
    return found.group(1) if found else None


def oracle(clone: Path) -> tuple[dict[str, Expected], int]:
    """translation path → what the site must say; and how many translations state no
    date or one their English text never stated (left to the site's other rules)."""
    files = git(clone, "ls-files", "-z").decode().split("\0")
    english = {f for f in files if f.startswith("en/") and f.endswith(".md")}
    out: dict[str, Expected] = {}
    others = 0
    for path in sorted(f for f in files if f.endswith(".md") and not f.startswith("en/")):
        source = "en/" + path.split("/", 1)[1]
        if source not in english:
            continue
        own = stated((clone / path).read_bytes())
        commits = git(clone, "log", "--format=%H", "--", source).decode().split()
        requests = "".join(f"{sha}:{source}\n" for sha in commits).encode()
        history = {stated(blob) for blob in _blobs(git(clone, "cat-file", "--batch",
                                                       data=requests))}
        if own is None or own not in history:
            others += 1
            continue
        now = stated((clone / source).read_bytes())
        out[path] = Expected(follows=own, outdated=own != now)
    return out, others


def _blobs(batch: bytes) -> list[bytes]:
    blobs, at = [], 0
    while at < len(batch):
        header_end = batch.index(b"\n", at)
        header = batch[at:header_end].split()
        if header[-1] == b"missing":
            at = header_end + 1
            continue
        size = int(header[2])
        blobs.append(batch[header_end + 1:header_end + 1 + size])
        at = header_end + 1 + size + 1
    return blobs


def slug(path: str) -> str:
    stem = path.removesuffix(".md")
    return "/".join(re.sub(r"[^\w]+|_", "-", part.lower()).strip("-") for part in
                    stem.split("/"))


@pytest.fixture(scope="module")
def mozilla(corpus, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    clone = corpus("mozilla-legal-docs")
    root = tmp_path_factory.mktemp("mozilla-site")
    config = write_config(root, policies_dir=str(clone), home=False,
                          markdown_extensions=["toc", "attr_list", "tables"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POLICY_AS_OF", AS_OF)
        site = build(config)
    return clone, site


def test_every_translation_follows_the_english_version_the_oracle_names(
        mozilla: tuple[Path, Path]) -> None:
    clone, site = mozilla
    expected, others = oracle(clone)
    assert len(expected) > 200 and others < len(expected)
    wrong = []
    for path, want in expected.items():
        manifest = json.loads((site / slug(path) / "versions.json").read_text("utf-8"))
        source = json.loads((site / slug("en/" + path.split("/", 1)[1]) / "versions.json")
                            .read_text("utf-8"))
        shown = next(v for v in manifest["versions"] if v["id"] == manifest["current"])
        follows = next(v for v in source["versions"] if v["id"] == shown["follows"]["id"])
        got = Expected(follows=follows["effective"],
                       outdated=manifest["policy"]["translation_of"]["outdated"])
        if got != want:
            wrong.append(f"{path}: the site says {got}, the oracle {want}")
    assert not wrong, f"{len(wrong)} of {len(expected)} disagree:\n" + "\n".join(wrong[:20])


def test_outdated_translations_say_so_on_their_page(mozilla: tuple[Path, Path]) -> None:
    clone, site = mozilla
    expected, _ = oracle(clone)
    outdated = {path for path, want in expected.items() if want.outdated}
    assert outdated and len(outdated) < len(expected)
    for path, want in expected.items():
        page = lxml.html.parse(str(site / slug(path) / "index.html")).getroot()
        notices = page.xpath("//*[contains(concat(' ', @class, ' '), ' policy-translation ')]")
        assert len(notices) == 1, path
        warned = "policy-translation--outdated" in notices[0].get("class")
        assert warned == want.outdated, path
        language = path.split("/", 1)[0]
        assert page.xpath("//h1")[0].get("lang") == language, path
        assert dt.date.fromisoformat(want.follows).year > 2000

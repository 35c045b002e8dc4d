"""scripts/bench's output figures, on a folder laid out as a built site (no build)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import bench


def write(site: Path, files: dict[str, int]) -> None:
    for path, size in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(b"x" * size)


@pytest.mark.parametrize(("path", "archive"), [
    ("privacy/versions/2020-01-01/index.html", True),
    ("legal/privacy/versions/2020-01-01/index.html", True),
    ("privacy/compare/2020-01-01/2021-01-01/index.html", True),
    ("privacy/compare/index.html", True),
    ("privacy/index.html", False),
    ("privacy/history/index.html", False),
    ("privacy/versions/index.html", False),
    ("privacy/versions/2020-01-01/source.md", False),
    ("compare/index.html", False),  # a policy named "compare": its current page
    ("index.html", False),
])
def test_archive_pages_are_versions_and_redlines(path: str, archive: bool) -> None:
    assert bench.is_archive_page(path) is archive


def test_percentile_is_a_size_one_page_has() -> None:
    sizes = list(range(1, 101))
    assert bench.percentile(sizes, 95) == 95
    assert bench.percentile(sizes, 50) == 50
    assert bench.percentile([7], 95) == 7
    assert bench.percentile([1, 2, 3], 95) == 3


def test_output_figures(tmp_path: Path) -> None:
    versions = {f"privacy/versions/v{n}/index.html": 10_000 * n for n in range(1, 11)}
    redlines = {f"privacy/compare/v{n}/v{n + 1}/index.html": 50_000 for n in range(1, 10)}
    others = {"index.html": 3_000, "privacy/index.html": 900_000,
              "assets/big.js": 26 * 1024**2}
    write(tmp_path, {**versions, **redlines, **others})
    out = bench.measure_output(tmp_path)
    archive = sorted([*versions.values(), *redlines.values()])
    assert out.files == 22
    assert out.mb == pytest.approx(sum([*archive, *others.values()]) / 1e6)
    assert out.archive_pages == 19
    assert out.archive_kb_median == 50.0
    assert out.archive_kb_p95 == 100.0  # the 19th of 19, nearest rank
    assert out.fits == ["github-pages", "gitlab-pages"]  # the 26 MiB file: not Cloudflare


def test_the_table_and_the_json_carry_them(tmp_path: Path) -> None:
    result = bench.Result("sample", output=bench.Output(
        files=82, mb=3.7, archive_pages=8, archive_kb_median=27.4, archive_kb_p95=29.0,
        fits=["github-pages", "gitlab-pages", "cloudflare-pages"]))
    head, _, row = bench.table([result]).splitlines()
    cells = dict(zip(head.split(" | "), row.split(" | "), strict=True))
    assert cells["files"] == "82"
    assert cells["output MB"] == "3.7"
    assert cells["archive KB median"] == "27.4"
    assert cells["archive KB p95"] == "29.0"
    assert cells["fits"] == "github-pages, gitlab-pages, cloudflare-pages"
    record = json.loads(json.dumps(bench.as_json(result)))
    assert {key: record[key] for key in ("files", "output_mb", "archive_pages",
                                         "archive_kb_median", "archive_kb_p95", "fits")} == {
        "files": 82, "output_mb": 3.7, "archive_pages": 8, "archive_kb_median": 27.4,
        "archive_kb_p95": 29.0, "fits": ["github-pages", "gitlab-pages", "cloudflare-pages"]}


def test_a_site_without_archive_pages() -> None:
    empty = bench.Result("empty")
    assert "| 0 | 0.0 | – | – | none |" in bench.table([empty]).splitlines()[2]
    record = bench.as_json(empty)
    assert record["archive_kb_median"] is None and record["archive_kb_p95"] is None
    json.dumps(record, allow_nan=False)

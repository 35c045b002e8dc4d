"""The site's summary and the hosts' limits, on plain (path, size) data."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from policy_history import hosts
from policy_history.hosts import GB, MiB

PAGE = 40_000
FEW = [("index.html", PAGE), ("privacy/index.html", PAGE)]


def filler(total: int) -> list[tuple[str, int]]:
    """Files of ``total`` bytes in all, each under every per-file limit."""
    piece = 20 * 1000**2
    return [(f"media/{n}.bin", min(piece, total - n * piece))
            for n in range(-(-total // piece))]


def pages(count: int, size: int = PAGE) -> list[tuple[str, int]]:
    """``count`` archive pages, 100 to a folder, as a big archive has them."""
    return [(f"p{n // 100}/versions/{n}/index.html", size) for n in range(count)]


def test_summary_names_the_count_the_total_and_the_largest_file() -> None:
    files = [("index.html", 12_000), ("assets/bundle.js.map", 1_026_705),
             ("assets/a.js", 2_661_295)]
    assert hosts.summary(files) == \
        "site: 3 files, 3.7 MB (the largest: 'assets/a.js', 2.7 MB)"


def test_summary_of_small_and_empty_sites() -> None:
    assert hosts.summary([("index.html", 900)]) == \
        "site: 1 file, 900 bytes (the largest: 'index.html', 900 bytes)"
    assert hosts.summary([("a", 1_500), ("b", 1_500)]) == \
        "site: 2 files, 3.0 KB (the largest: 'a', 1.5 KB)"
    assert hosts.summary(pages(20_000, 60_000)).startswith("site: 20,000 files, 1.20 GB")
    assert hosts.summary([]) == "site: no files"


@pytest.mark.parametrize("host", list(hosts.HOSTS))
def test_a_small_site_fits_every_host(host: str) -> None:
    assert hosts.check(FEW, [host]) == []
    assert hosts.fits(FEW) == list(hosts.HOSTS)


@pytest.mark.parametrize("host", ["github-pages", "gitlab-pages"])
def test_site_size_of_1_gb(host: str) -> None:
    """1 GB counted as 10^9 bytes: the smaller reading, so a site we pass is not refused."""
    at_most = [*FEW, *filler(1 * GB - 2 * PAGE)]
    assert hosts.check(at_most, [host]) == []
    over = [*FEW, *filler(1 * GB - 2 * PAGE + 1)]
    [warning] = hosts.check(over, [host])
    assert warning.startswith(f"{hosts.HOSTS[host]} (host: {host}): ")
    assert "may be no larger than 1 GB (1,000,000,000 bytes); " \
        "this site is 1.00 GB (1,000,000,001 bytes). To fit," in warning
    assert "'compare_with_current: false'" in warning
    assert "'compare_every_pair_up_to'" in warning
    assert host not in hosts.fits(over)


def test_cloudflare_takes_20000_files() -> None:
    assert hosts.check(pages(20_000), ["cloudflare-pages"]) == []
    [warning] = hosts.check(pages(20_001), ["cloudflare-pages"])
    assert warning.startswith(
        "Cloudflare Pages on the free plan (host: cloudflare-pages): a site may hold at most "
        "20,000 files (paid plans: 100,000); this site has 20,001 files. To fit,")
    assert "'compare_with_current: false'" in warning
    assert hosts.fits(pages(20_001)) == ["github-pages", "gitlab-pages"]


def test_gitlab_counts_folders_as_entries() -> None:
    # 199,000 files in 1,990 folders under 10 top folders ("p0" … "p9" hold the rest)
    files = [(f"p{n // 20_000}/{n // 100}/f{n}.html", 10) for n in range(199_000)]
    folders = 10 + 1_990
    assert len(files) + folders == 201_000
    [warning] = hosts.check(files, ["gitlab-pages"])
    assert warning.startswith(
        "GitLab Pages on GitLab.com (host: gitlab-pages): a Pages site may hold at most "
        "200,000 entries (files and folders); this site has 201,000 (199,000 files in 2,000 "
        "folders).")
    assert hosts.check(files[: 200_000 - folders], ["gitlab-pages"]) == []


@pytest.mark.parametrize(("host", "most", "shown"), [
    ("cloudflare-pages", 25 * MiB, "25 MiB"),
    ("github-pages", 100 * MiB, "100 MiB"),
])
def test_largest_file(host: str, most: int, shown: str) -> None:
    assert hosts.check([*FEW, ("docs/report.pdf", most)], [host]) == []
    [warning] = hosts.check([*FEW, ("docs/report.pdf", most + 1)], [host])
    assert warning.startswith(f"{hosts.HOSTS[host]} (host: {host}): ")
    assert f" {shown} ({most:,} bytes)" in warning
    assert f"; 'docs/report.pdf' is {most / MiB:.2f} MiB ({most + 1:,} bytes). " in warning
    assert "Make it smaller, or publish it elsewhere" in warning


def test_a_push_to_github_is_what_refuses_a_large_file() -> None:
    [warning] = hosts.check([("film.mp4", 100 * MiB + 1)], ["github-pages"])
    assert "mkdocs gh-deploy" in warning


def test_many_large_files_are_named_largest_first_then_counted() -> None:
    big = [(f"media/{n}.mp4", 26 * MiB + n) for n in range(5)]
    [warning] = hosts.check([*FEW, *big], ["cloudflare-pages"])
    assert warning.index("'media/4.mp4'") < warning.index("'media/3.mp4'") \
        < warning.index("'media/2.mp4'")
    assert "'media/1.mp4'" not in warning
    assert "and 2 more files are larger. Make them smaller" in warning


def test_one_warning_per_limit_and_host() -> None:
    site = [*pages(20_001, 50_000), ("media/film.mp4", 101 * MiB)]
    warnings = hosts.check(site, ["github-pages", "cloudflare-pages", "gitlab-pages"])
    assert [w.split(":", 1)[0] for w in warnings] == [
        "GitHub Pages (host", "GitHub Pages (host", "GitLab Pages on GitLab.com (host",
        "Cloudflare Pages on the free plan (host", "Cloudflare Pages on the free plan (host"]
    rules = ["a published site may", "a push to GitHub", "a Pages site may be",
             "a site may hold", "a file may be"]
    assert all(f"): {rule}" in w for w, rule in zip(warnings, rules, strict=True))
    assert hosts.check(site, []) == []
    assert hosts.fits(site) == []


def test_an_unknown_host_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown host 'netlify': the known ones are "
                                         "github-pages, gitlab-pages, cloudflare-pages"):
        hosts.check(FEW, ["netlify"])


def test_checking_a_large_archive_takes_no_time() -> None:
    site = pages(20_000)
    start = time.perf_counter()
    hosts.summary(site)
    hosts.check(site, list(hosts.HOSTS))
    hosts.fits(site)
    assert time.perf_counter() - start < 0.5


def test_site_files_walks_the_folder_once(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "index.html").write_bytes(b"x" * 10)
    (tmp_path / "a" / "b" / "page.html").write_bytes(b"y" * 3)
    (tmp_path / "empty").mkdir()
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "link.html").symlink_to(tmp_path / "index.html")
    (tmp_path / "a" / "broken").symlink_to(tmp_path / "missing")
    assert sorted(hosts.site_files(tmp_path)) == [
        ("a/b/page.html", 3), ("a/link.html", 10), ("index.html", 10)]

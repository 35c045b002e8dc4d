"""Archive pages written from shells, reused across builds, computed on several cores.

Every check compares against a real MkDocs build: with ``stamp_archive: false`` every page
goes through MkDocs' own page pipeline, and a stamped build must give the same bytes.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from policy_history.store import results
from policy_history.store.results import ResultStore
from tests.support import GitRepo, build, build_cli, git, write_config

TITLES = ["Privacy & <Cookies>", "Privacy & <Cookies>", 'The "Privacy" Policy', "Privacy ’24"]


def policy_yml(version: int, description: bool) -> str:
    entries = "".join(f"  - effective: 2020-0{n}-01\n    summary: Version {n} & more.\n"
                      for n in range(version, 0, -1))
    lines = [f"title: '{TITLES[version - 1]}'"]
    if description:
        lines.append("description: What we do with <your> data & why.")
    return "\n".join(lines) + "\nchanges:\n" + entries


@pytest.fixture
def site(repo: GitRepo) -> GitRepo:
    """Two policies; the privacy policy's title and description change between versions,
    its text links to the other policy."""
    write_config(repo.path, site_url="https://example.com/policies/")
    for n in range(1, 5):
        repo.commit(f"Version {n}", f"2020-0{n}-01", {
            "policies/privacy/policy.yml": policy_yml(n, description=n >= 2),
            "policies/privacy/10-intro.md": f"We keep logs for {n * 10} days. "
                                            "See the [terms](../terms.md).\n",
            "policies/privacy/20-rights.md": "## Your rights\n\n" + "You may ask. " * n + "\n",
            **({"policies/terms.md": "# Terms\n\nRead the [privacy policy](privacy/index.md)."
                                     "\n"} if n == 1 else {}),
        })
    return repo


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def archive_log(caplog: pytest.LogCaptureFixture) -> str:
    lines = [r.getMessage() for r in caplog.records if "archive:" in r.getMessage()]
    assert lines, "the build did not report its archive pages"
    return lines[-1]


def test_stamped_pages_are_the_pages_mkdocs_renders(site: GitRepo, tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    stamped = files_of(build(site.path / "mkdocs.yml", site_dir=str(tmp_path / "stamped")))
    # shells: privacy's history, versions 1 (no description) and 2, first redline; stamped
    # from them: privacy's versions 3 and 4, five redlines, the terms' history and version
    assert "archive: 9 pages written" in archive_log(caplog)
    write_config(site.path, site_url="https://example.com/policies/",
                 policies={"stamp_archive": False})
    rendered = files_of(build(site.path / "mkdocs.yml", site_dir=str(tmp_path / "rendered")))
    assert sorted(stamped) == sorted(rendered)
    different = [path for path in stamped if stamped[path] != rendered[path]]
    assert different == []
    page = stamped["privacy/versions/2020-03-01/index.html"].decode()
    assert "<title>The &#34;Privacy&#34; Policy - Test policies</title>" in page
    assert 'content="What we do with &lt;your&gt; data &amp; why."' in page
    assert 'href="https://example.com/policies/privacy/versions/2020-03-01/"' in page
    sitemap = stamped["sitemap.xml"].decode()
    assert sitemap.count("/privacy/versions/") == 4 and sitemap.count("/compare/") == 6


def test_a_second_build_reuses_pages_and_rewrites_tampered_ones(
        site: GitRepo, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    first = files_of(build(site.path / "mkdocs.yml"))
    output = site.path / "site"
    for version in ("2020-02-01", "2020-03-01"):  # a shell's own page, a stamped page
        grown = output / f"privacy/versions/{version}/index.html"
        grown.write_bytes(grown.read_bytes() + b"<script>alert(1)</script>")
    same_size = output / "privacy/compare/2020-02-01/2020-03-01/index.html"
    stat = same_size.stat()
    data = same_size.read_bytes()
    same_size.write_bytes(data.replace(b"<ins", b"<del", 1))
    os.utime(same_size, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # a careful forger
    caplog.clear()
    second = files_of(build(site.path / "mkdocs.yml"))
    assert second == first
    since = [path for path in second if "/since/" in path]
    assert len(since) == 5  # one per version
    # 12 archive pages and sources, and the since pages
    assert f"2 pages written, {12 + len(since)} kept" in archive_log(caplog)


def test_a_new_version_rewrites_its_policy_pages_only(site: GitRepo) -> None:
    for n in (2, 3):  # a third version of the terms: a page stamped from its shell
        site.commit(f"Terms {n}", f"2020-0{n + 4}-01", {
            "policies/terms.md": f"# Terms\n\nVersion {n}.\n"})
    build(site.path / "mkdocs.yml")
    output = site.path / "site"
    terms = output / "terms/versions/2020-07-01/index.html"
    privacy = output / "privacy/versions/2020-02-01/index.html"
    terms_before, privacy_before = terms.stat().st_ino, privacy.read_text("utf-8")
    site.commit("Version 5", "2020-08-01", {
        "policies/privacy/policy.yml": policy_yml(4, True).replace(
            "changes:\n", "changes:\n  - effective: 2020-08-01\n    summary: Five.\n"),
        "policies/privacy/10-intro.md": "We keep logs for 50 days.\n"})
    build(site.path / "mkdocs.yml")
    assert terms.stat().st_ino == terms_before  # moved back, not written again
    assert privacy.read_text("utf-8") != privacy_before  # "next version" and links changed
    assert (output / "privacy/compare/2020-04-01/2020-08-01/index.html").is_file()


def test_pages_of_versions_that_are_gone_are_not_left_behind(site: GitRepo) -> None:
    build(site.path / "mkdocs.yml")
    assert (site.path / "site/privacy/versions/2020-04-01/index.html").is_file()
    git(site.path, "reset", "-q", "--hard", "HEAD~1")
    build(site.path / "mkdocs.yml")
    assert not (site.path / "site/privacy/versions/2020-04-01").exists()
    assert not list((site.path / "site/privacy/compare").rglob("2020-04-01"))


def _last_bytes_flipped(pack: bytes) -> bytes:
    """A pack of results whose every record's payload has its last byte changed."""
    data = bytearray(pack)
    offset = len(results._MAGIC)
    while offset < len(data):
        _, key_size, size = results._RECORD.unpack_from(data, offset)
        offset += results._RECORD.size + key_size + 32 + size
        data[offset - 1] ^= 0x01
    return bytes(data)


def test_damaged_caches_are_rebuilt_not_served(site: GitRepo,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    first = files_of(build(site.path / "mkdocs.yml"))
    cache = site.path / ".cache/policy-history"
    # every redline (and apart, the changes-only view of the three the feed shows); every
    # version's text, and each policy's feeds and versions.json
    assert len(ResultStore(cache / "redlines").keys()) == 6 + 3
    assert len(ResultStore(cache / "texts").keys()) == 5 + 2
    for pack in [*(cache / "redlines").glob("*.pack"), *(cache / "texts").glob("*.pack")]:
        pack.write_bytes(_last_bytes_flipped(pack.read_bytes()))
    record = next(cache.glob("outputs-*.json"))
    data = record.read_bytes()
    record.write_bytes(data[:-1] + (b"1" if data.endswith(b"0") else b"0"))  # its checksum
    caplog.clear()
    assert files_of(build(site.path / "mkdocs.yml")) == first
    assert "9 pages written, 0 kept" in archive_log(caplog)
    assert "6 redlines computed" in archive_log(caplog)
    damaged = [r.getMessage() for r in caplog.records if "checksum mismatch" in r.getMessage()]
    assert len(damaged) == 6 + 7 + 1, damaged  # each result, and the record of pages


def test_pages_written_by_worker_processes_equal_those_written_alone(
        repo: GitRepo, tmp_path: Path) -> None:
    """Two policies of eight versions: 56 redline pages, enough text for worker processes
    (a real CLI build); then one new version, written in the build's own process."""
    write_config(repo.path)
    words = " ".join(f"word{k}" for k in range(300))  # long clauses: work enough to fork
    for n in range(1, 9):
        repo.commit(f"Version {n}", f"2020-0{n}-01", {
            f"policies/{name}.md": f"# {name.title()}\n\n" + "".join(
                f"Clause {i} {'changed ' * (i == n)}applies: {words}.\n\n"
                for i in range(1, 9)) for name in ("terms", "privacy")})
    results = {}
    for jobs in (2, 1):
        write_config(repo.path, policies={"jobs": jobs})
        shutil.rmtree(repo.path / ".cache", ignore_errors=True)
        result = build_cli(repo.path, "-v", "-d", str(tmp_path / f"site-{jobs}"),
                           env={"POLICY_AS_OF": "2021-01-01"})
        assert result.returncode == 0, result.stderr
        assert "56 redlines computed" in result.stderr, result.stderr
        assert ("archive worker 2:" in result.stderr) == (jobs == 2), result.stderr
        # with two, what needs no shell is computed from the start, while MkDocs renders
        assert ("results before the shells:" in result.stderr) == (jobs == 2), result.stderr
        results[jobs] = files_of(tmp_path / f"site-{jobs}")
    assert results[2] == results[1]
    # the policies' feeds and versions.json too, written by the workers with their pages
    for name in ("terms", "privacy"):
        assert {f"{name}/feed.xml", f"{name}/feed.json", f"{name}/versions.json"} <= \
            results[2].keys()
    assert b"&lt;ins" in results[2]["feed.xml"]  # the site's feed, with the redlines
    repo.commit("Version 9", "2020-09-01", {"policies/terms.md": "# Terms\n\nAll new.\n"})
    write_config(repo.path, policies={"jobs": 2})
    result = build_cli(repo.path, "-v", "-d", str(tmp_path / "site-1"),
                       env={"POLICY_AS_OF": "2021-01-01"})
    assert result.returncode == 0, result.stderr
    assert "archive worker" not in result.stderr, result.stderr  # little to write
    assert "results before the shells" not in result.stderr, result.stderr
    # every pair of up to 12 versions has a page: the new one against each of the eight
    assert "8 redlines computed" in result.stderr, result.stderr


def test_links_from_the_policies_root_reach_their_pages(repo: GitRepo) -> None:
    """``[abuse](/abuse/index.md)`` is written from the policies folder's root, as GitHub
    reads it (basecamp's history has it): on every page it reaches the policy's page;
    a root link to anything but Markdown is the host's address and stays as written."""
    write_config(repo.path)
    repo.commit("First", "2020-01-01", {
        "policies/abuse/index.md": "# Abuse\n\nReport it.\n",
        "policies/privacy.md": "# Privacy\n\nSee [restricted uses](/abuse/index.md#top) and "
                               "[contact](/contact/).\n",
    })
    repo.commit("Second", "2020-02-01", {
        "policies/privacy.md": "# Privacy\n\nSee [restricted uses](/abuse/index.md#top) and "
                               "[contact](/contact/). We changed.\n",
    })
    site = build(repo.path / "mkdocs.yml")
    pages = {"privacy/index.html": "../abuse/#top",
             "privacy/versions/2020-01-01/index.html": "../../../abuse/#top",
             "privacy/compare/2020-01-01/2020-02-01/index.html": "../../../../abuse/#top"}
    for page, href in pages.items():
        html = (site / page).read_text("utf-8")
        assert f'href="{href}"' in html, page
        assert 'href="/contact/"' in html and "/abuse/index.md" not in html, page


def test_archive_pages_carry_their_own_policys_navigation(site: GitRepo, tmp_path: Path) -> None:
    """History, version and redline pages list the site's home, their policy's current
    page and its history, not the whole site's tree (which a large archive would repeat on
    every page); the current pages keep the site's navigation."""
    out = files_of(build(site.path / "mkdocs.yml", site_dir=str(tmp_path / "built")))

    def sidebar(path: str) -> str:
        page = out[path].decode()
        start = page.index('data-md-type="navigation"')
        return page[start:page.index("</nav>", start)]

    archive = [path for path in out if path.endswith("index.html")
               and ("/versions/" in path or "/compare/" in path or "/history/" in path)]
    assert len(archive) == 13  # each kind, stamped and rendered by MkDocs
    for path in archive:
        nav = sidebar(path)
        other = "terms" if path.startswith("privacy/") else "privacy"
        assert 'class="md-nav__link"' in nav and "All policies" in nav, path
        assert "Version history" in nav, path
        assert f"{other}/" not in nav, f"{path} lists the other policy: {nav}"
    assert 'aria-current="page"' in sidebar("privacy/history/index.html")
    current = sidebar("privacy/index.html")
    assert "terms/" in current and "All policies" not in current

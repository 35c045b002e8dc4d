"""Every build says what the site weighs; ``host:`` makes it warn past a host's limits."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import yaml
from mkdocs.config import base
from mkdocs.exceptions import Abort

from policy_history.site.config import PolicySiteConfig
from tests.support import (
    ROOT,
    GitRepo,
    build,
    build_fails,
    build_sample,
    git,
    sample_versions,
    write_config,
)

MiB = 1024**2
SUMMARY = re.compile(r"site: (\d+) files, ([\d.]+) MB \(the largest: '(.+)', ([\d.]+) MB\)")


def policies_log(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    """The plugin logger's messages at ``level``, without its "policies: " prefix."""
    return [r.getMessage().removeprefix("policies: ") for r in caplog.records
            if r.name.endswith(".policies") and r.levelno == level]


def test_the_sample_fits_and_logs_its_real_figures(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    if git(ROOT, "rev-parse", "--is-shallow-repository").strip() == "true":
        pytest.skip("this checkout is shallow; the sample needs the full history")
    caplog.set_level(logging.INFO)
    extra = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))["extra"]
    extra["policies"]["host"] = ["github-pages", "cloudflare-pages"]
    site = build_sample(tmp_path / "site", sample_versions()[-1], strict=True, extra=extra)
    assert policies_log(caplog, logging.WARNING) == []
    [line] = [m for m in policies_log(caplog, logging.INFO) if m.startswith("site: ")]
    found = SUMMARY.fullmatch(line)
    assert found is not None, line
    # an independent walk of the folder the build wrote
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size
             for p in site.rglob("*") if p.is_file()}
    largest = max(sizes, key=lambda path: (sizes[path], path))
    assert int(found[1]) == len(sizes)
    assert float(found[2]) == pytest.approx(sum(sizes.values()) / 1e6, abs=0.05)
    assert found[3] == largest
    assert float(found[4]) == pytest.approx(sizes[largest] / 1e6, abs=0.05)


@pytest.fixture
def large_file_site(repo: GitRepo) -> GitRepo:
    """A policy, and a 26 MiB download in docs/: over Cloudflare's 25 MiB per file."""
    repo.commit("Terms", "2020-01-01", {"policies/terms.md": "# Terms\n\nBe kind.\n"})
    (repo.path / "docs").mkdir()
    with (repo.path / "docs" / "handbook.pdf").open("wb") as handbook:
        handbook.truncate(26 * MiB)
    return repo


def test_a_file_over_cloudflares_limit_fails_a_strict_build(
        large_file_site: GitRepo, caplog: pytest.LogCaptureFixture) -> None:
    write_config(large_file_site.path, policies={"host": "cloudflare-pages"})
    with pytest.raises(Abort, match="Aborted with 1 warnings in strict mode"):
        build(large_file_site.path / "mkdocs.yml", strict=True)
    [warning] = policies_log(caplog, logging.WARNING)
    assert warning.startswith("Cloudflare Pages on the free plan (host: cloudflare-pages): "
                              "a file may be no larger than 25 MiB (26,214,400 bytes); "
                              "'handbook.pdf' is 26.00 MiB (27,262,976 bytes). Make it "
                              "smaller, or publish it elsewhere")


def test_the_same_file_fits_github_pages(large_file_site: GitRepo,
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    write_config(large_file_site.path, policies={"host": "github-pages"})
    site = build(large_file_site.path / "mkdocs.yml", strict=True)
    assert (site / "handbook.pdf").stat().st_size == 26 * MiB
    assert policies_log(caplog, logging.WARNING) == []
    [line] = [m for m in policies_log(caplog, logging.INFO) if m.startswith("site: ")]
    assert "(the largest: 'handbook.pdf', 27.3 MB)" in line


def test_an_unknown_host_stops_the_build_naming_the_known_ones(repo: GitRepo) -> None:
    repo.commit("Terms", "2020-01-01", {"policies/terms.md": "# Terms\n\nBe kind.\n"})
    write_config(repo.path, policies={"host": ["github-pages", "netlify"]})
    build_fails(repo, "mkdocs.yml: extra.policies.host: unknown host 'netlify': the known "
                      "ones are github-pages, gitlab-pages, cloudflare-pages")


@pytest.mark.parametrize(("value", "hosts"), [
    (None, []),
    ("gitlab-pages", ["gitlab-pages"]),
    (["cloudflare-pages", "github-pages", "cloudflare-pages"],
     ["cloudflare-pages", "github-pages"]),
])
def test_host_is_one_name_or_a_list(value: object, hosts: list[str]) -> None:
    settings = PolicySiteConfig()
    settings.load_dict({} if value is None else {"host": value})
    errors, _ = settings.validate()
    assert errors == []
    assert settings.host == hosts


def test_host_is_names_only() -> None:
    settings = PolicySiteConfig()
    settings.load_dict({"host": {"github-pages": True}})
    [(key, error)] = settings.validate()[0]
    assert key == "host"
    assert isinstance(error, base.ValidationError)
    assert "Expected a host's name or a list of them (github-pages, gitlab-pages, " \
        "cloudflare-pages)" in str(error)

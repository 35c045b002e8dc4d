"""scripts/verify-site: a built site passes; one built without the hook, or with a page,
a source or a manifest missing or changed, fails with the file and the fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from policy_history.editors.verify_cli import main as verify_main
from tests.scripts.support import make_site, material, meta, run_main, run_script
from tests.support import GitRepo, build


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A site of two policies (one with two versions) and its build: (repository, site)."""
    root = tmp_path_factory.mktemp("verify")
    repo = make_site(GitRepo.init(root))
    repo.commit("Keep cookies longer", "2021-03-01", {
        "policies/privacy/policy.yml": meta(material("2021-03-01", "Cookies last 60 days.")),
        "policies/privacy/20-cookies.md": "## Cookies\n\nWe use cookies for 60 days.\n"})
    return repo.path, build(root / "mkdocs.yml")


def verify(repo: Path, site: Path, *args: str):
    return run_main(verify_main, str(site), *args, cwd=repo)


def copy(site: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(site, tmp_path / "site"))


def test_a_built_site_has_everything_its_policies_need(built: tuple[Path, Path]) -> None:
    repo, site = built
    result = verify(repo, site)
    assert result.code == 0, result.output
    assert "Verified 2 policies" in result.err and "nothing missing" in result.err
    files = int(result.err.split("(")[1].split(" files")[0])
    manifests = [json.loads((site / slug / "versions.json").read_text()) for slug in
                 ("privacy", "terms")]
    # every page, feed and source each manifest names, and the manifests themselves
    named = sum(4 + sum(1 + 1 + (v["urls"]["redline"] is not None) for v in m["versions"])
                for m in manifests) + len(manifests)
    assert files == named


def test_a_site_built_without_the_hook_fails(built: tuple[Path, Path], tmp_path: Path
                                              ) -> None:
    """As Zensical builds it: mkdocs.yml read, hooks ignored (and with the hook the theme
    folder it adds)."""
    repo, _ = built
    config = yaml.safe_load((repo / "mkdocs.yml").read_text())
    del config["hooks"]
    config["site_dir"] = str(tmp_path / "plain")
    plain_config = repo / "plain.yml"
    plain_config.write_text(yaml.safe_dump(config))
    try:
        plain = build(plain_config)
    finally:
        plain_config.unlink()
    assert (plain / "index.html").is_file()  # a site, only without the policies' history
    result = verify(repo, plain)
    assert result.code == 1
    for slug in ("privacy", "terms"):
        assert (f"{plain}/{slug}/versions.json: the policy '{slug}' has no manifest"
                in result.out)
    assert "'mkdocs build' (MkDocs 1.6) or 'properdocs build'" in result.out
    assert "Verified 2 policies" in result.err and "2 problems" in result.err


def test_a_missing_version_page_is_named(built: tuple[Path, Path], tmp_path: Path) -> None:
    repo, site = built
    broken = copy(site, tmp_path)
    manifest = json.loads((broken / "privacy" / "versions.json").read_text())
    old = manifest["versions"][-1]["id"]
    (broken / "privacy" / "versions" / old / "index.html").unlink()
    result = verify(repo, broken)
    assert result.code == 1
    assert (f"{broken}/privacy/versions.json: the page of version {old} is missing: "
            f"'privacy/versions/{old}/index.html' — build the whole site again") in result.out


def test_a_changed_source_no_longer_matches_its_hash(built: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    repo, site = built
    broken = copy(site, tmp_path)
    source = next((broken / "privacy" / "versions").glob("*/source.md"))
    source.write_bytes(source.read_bytes() + b"\nA sentence nobody approved.\n")
    result = verify(repo, broken, "--format", "github")
    assert result.code == 1
    assert f"the source of version {source.parent.name} does not hash" in result.out
    assert "::error file=" in result.out and "title=Site check::" in result.out


@pytest.mark.parametrize("manifest, problem", [
    (b"{not json", "this is not JSON"),
    (b'{"manifest_version": 2, "policy": {}, "versions": []}',
     "this is not a Policy History manifest"),
    (b'{"manifest_version": 1, "policy": {"slug": "terms"}, "versions": []}',
     "this manifest is for 'terms', not 'privacy'"),
    (b"[" * 100_000 + b"]" * 100_000, "this is not"),
])
def test_a_bad_manifest_is_a_problem_not_a_traceback(built: tuple[Path, Path],
                                                      tmp_path: Path, manifest: bytes,
                                                      problem: str) -> None:
    repo, site = built
    broken = copy(site, tmp_path)
    (broken / "privacy" / "versions.json").write_bytes(manifest)
    result = verify(repo, broken)
    assert result.code == 1
    assert f"{broken}/privacy/versions.json: {problem}" in result.out
    assert "Traceback" not in result.output


def test_an_address_outside_the_site_is_missing_not_read(built: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    repo, site = built
    broken = copy(site, tmp_path)
    path = broken / "privacy" / "versions.json"
    manifest = json.loads(path.read_text())
    manifest["versions"][0]["urls"]["source"] = "https://policies.example.com/../../etc/passwd"
    path.write_text(json.dumps(manifest))
    result = verify(repo, broken)
    assert result.code == 1
    assert "the source of version" in result.out and "is missing" in result.out


def test_no_site_folder_is_a_clear_error(built: tuple[Path, Path], tmp_path: Path) -> None:
    repo, _ = built
    result = run_script("verify-site", str(tmp_path / "nowhere"), cwd=repo)
    assert result.code == 2
    assert f"error: the built site '{tmp_path / 'nowhere'}' is not a folder" in result.err
    assert "build the site first (mkdocs build)" in result.err


def test_a_site_without_manifests_cannot_be_verified(built: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    """Without site_url the build leaves versions.json out: say so, not "no hook"."""
    repo, site = built
    config = yaml.safe_load((repo / "mkdocs.yml").read_text())
    del config["site_url"]
    (repo / "no-url.yml").write_text(yaml.safe_dump(config))
    result = verify(repo, site, "-f", "no-url.yml")
    assert result.code == 2
    assert "publishes no versions.json" in result.err and "set site_url" in result.err
    assert "Zensical" not in result.err

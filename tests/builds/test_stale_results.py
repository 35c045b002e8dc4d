"""No cached result outlives the code or the libraries that made it
(policy_history.store.code_keys).

Real ``mkdocs build`` runs in subprocesses, with a copy of the hook and its package to
edit. What each build computed is read from its log ("archive: N pages written, M kept
from the previous build, K redlines computed") and from the cache folder: the history's
snapshot and the section prints are files named by their key, the redlines and versions'
texts records in packs (listed by the store's ``keys``).
"""

from __future__ import annotations

import importlib.metadata
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from policy_history.store.results import ResultStore
from tests.support import ROOT, GitRepo, build_cli, write_config

AS_OF = "2021-01-01"
VERSIONS = 4  # of the one policy: every pair has a redline page
PAIRS = VERSIONS * (VERSIONS - 1) // 2
#: each version's page, each redline's, the history's, less the three MkDocs renders (the
#: shells of the history, of a version and of a redline)
WRITTEN = VERSIONS + PAIRS + 1 - 3
#: those, and the versions' sources and "since" pages
KEPT = WRITTEN + 2 * VERSIONS


@dataclass(frozen=True)
class Built:
    """What one build did."""

    written: int
    kept: int
    redlines: int
    caches: dict[str, frozenset[str]]  # what is in each part of the cache folder
    site: dict[str, bytes]


@pytest.fixture
def hooks(tmp_path: Path) -> Path:
    """A copy of hooks/: the hook file and the policy_history package beside it."""
    copy = tmp_path / "hooks"
    shutil.copytree(ROOT / "hooks", copy,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return copy


@pytest.fixture
def site(repo: GitRepo, hooks: Path) -> GitRepo:
    write_config(repo.path, hooks=[str(hooks / "policy_history_hook.py")],
                 policies={"jobs": 1})
    for n in range(1, VERSIONS + 1):
        repo.commit(f"Version {n}", f"2020-0{n}-01", {
            "policies/terms.md": f"# Terms\n\nClause one, kept {n} days.\n\n"
                                 f"## More\n\nClause two{', again' * n}.\n"})
    return repo


def build(repo: GitRepo, pythonpath: Path | None = None) -> Built:
    result = build_cli(repo.path, env={"POLICY_AS_OF": AS_OF,
                                       **({"PYTHONPATH": str(pythonpath)} if pythonpath
                                          else {})})
    assert result.returncode == 0, result.stderr
    assert "cache: " not in result.stderr, result.stderr  # no cache file was refused
    found = re.search(r"archive: (\d+) pages written, (\d+) kept from the previous build, "
                      r"(\d+) redlines computed", result.stderr)
    assert found, result.stderr
    cache = repo.path / ".cache" / "policy-history"
    caches = {
        "history": frozenset(p.name for p in cache.glob("history-*.bin")),
        "prints": frozenset(p.name for p in cache.glob("fingerprints-*.bin")),
        "redlines": frozenset(ResultStore(cache / "redlines").keys()),
        "texts": frozenset(ResultStore(cache / "texts").keys()),
    }
    output = repo.path / "site"
    site = {p.relative_to(output).as_posix(): p.read_bytes()
            for p in sorted(output.rglob("*")) if p.is_file()}
    written, kept, redlines = map(int, found.groups())
    return Built(written, kept, redlines, caches, site)


def new(after: Built, before: Built) -> dict[str, frozenset[str]]:
    """The cache files a build added: the results it computed."""
    return {part: after.caches[part] - before.caches[part] for part in after.caches}


def test_an_unchanged_build_reuses_everything(site: GitRepo) -> None:
    """The reference for the tests below: what reuse looks like in the log and cache."""
    first = build(site)
    assert (first.written, first.kept, first.redlines) == (WRITTEN, 0, PAIRS)
    assert all(first.caches.values()), first.caches
    # each version's text, and the policy's feeds and versions.json
    assert len(first.caches["texts"]) == VERSIONS + 1
    again = build(site)
    assert (again.written, again.kept, again.redlines) == (0, KEPT, 0)
    assert not any(new(again, first).values())
    assert again.site == first.site


def test_an_edited_redline_engine_recomputes_redlines_and_pages_only(
        site: GitRepo, hooks: Path) -> None:
    first = build(site)
    engine = hooks / "policy_history" / "redline" / "engine.py"
    engine.write_text(engine.read_text("utf-8") + "\n# a change that changes nothing\n",
                      encoding="utf-8")
    edited = build(site)
    assert (edited.written, edited.kept, edited.redlines) == (WRITTEN, 0, PAIRS)
    added = new(edited, first)
    assert added["redlines"], "the redlines were computed again"
    # the history, the sections' prints and the versions' texts do not come from it; the
    # feeds do (they show redlines)
    assert not added["history"] and not added["prints"] and len(added["texts"]) == 1
    assert edited.site == first.site


@pytest.mark.parametrize("library", ["Markdown", "nh3"])
def test_a_new_version_of_a_library_recomputes_everything(site: GitRepo, tmp_path: Path,
                                                          library: str) -> None:
    """Markdown provides the site's extensions too (renderer_key); nh3 only sanitises."""
    first = build(site)
    # version 99 "installed" first on the path: its metadata, with the real one's entry
    # points (the extensions MkDocs names, as "toc", are found through Markdown's)
    fake = tmp_path / "newer" / f"{library}-99.dist-info"
    fake.mkdir(parents=True)
    fake.joinpath("METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {library}\nVersion: 99\n", encoding="utf-8")
    points = importlib.metadata.distribution(library).read_text("entry_points.txt")
    fake.joinpath("entry_points.txt").write_text(points or "", encoding="utf-8")
    newer = build(site, pythonpath=fake.parent)
    assert (newer.written, newer.kept, newer.redlines) == (WRITTEN, 0, PAIRS)
    added = new(newer, first)
    # the history replayed, the prints, the texts too
    assert len(added["history"]) == len(added["prints"]) == 1
    assert len(added["texts"]) == VERSIONS + 1
    assert newer.site == first.site
    back = build(site)  # the installed version again: the first build's results
    assert (back.written, back.kept, back.redlines) == (WRITTEN, 0, 0)
    assert not any(new(back, newer).values())


@pytest.mark.parametrize(("edited", "part"), [
    ("redline/engine.py", "redlines"),  # the redlines' code
    ("manifest.py", "texts"),  # the versions' texts' (and the feeds')
])
def test_results_no_page_shows_any_more_are_removed(site: GitRepo, hooks: Path, edited: str,
                                                    part: str) -> None:
    """Each edit of the code that makes some results leaves those of the code before it
    in the cache; once they outweigh the wanted ones (from any size here), they are
    removed, and the next build still finds everything it needs. The policy's pages,
    feeds and versions.json are written in a worker process (``jobs: 2``)."""
    write_config(site.path, hooks=[str(hooks / "policy_history_hook.py")],
                 policies={"jobs": 2})
    site.commit("Two jobs", "2020-05-01", {})
    store = hooks / "policy_history" / "store" / "results.py"
    code = store.read_text("utf-8")
    assert "\nPRUNE_FROM = " in code
    store.write_text(re.sub(r"\nPRUNE_FROM = .*", "\nPRUNE_FROM = 0", code), encoding="utf-8")
    module = hooks / "policy_history" / edited
    first = build(site)
    kinds = []
    for n in range(2):
        module.write_text(module.read_text("utf-8") + f"\n# edit {n}, changing nothing\n",
                          encoding="utf-8")
        kinds.append(build(site))
    last = kinds[-1]
    # only the last build's results are left: as many as the first build's (for texts:
    # the versions' and the feeds', which the worker stored)
    assert len(last.caches[part]) == len(first.caches[part])
    assert not last.caches[part] & (first.caches[part] | kinds[0].caches[part])
    assert len(list((site.path / ".cache" / "policy-history" / part).glob("*.pack"))) == 1
    again = build(site)
    assert (again.written, again.kept, again.redlines) == (0, KEPT, 0)
    assert again.caches == last.caches and again.site == last.site == first.site


def test_pruning_keeps_the_results_of_pages_kept_from_the_previous_build(
        site: GitRepo, hooks: Path) -> None:
    """A page kept from the previous build asks for nothing (the privacy policy's here, as
    only the terms change): its redline stays stored all the same (a later theme change
    writes it again from there)."""
    store = hooks / "policy_history" / "store" / "results.py"
    store.write_text(re.sub(r"\nPRUNE_FROM = .*", "\nPRUNE_FROM = 0", store.read_text("utf-8")),
                     encoding="utf-8")
    write_config(site.path, hooks=[str(hooks / "policy_history_hook.py")],
                 policies={"jobs": 2})  # two worker processes write the pages
    for n in range(1, 4):
        site.commit(f"Privacy {n}", f"2020-04-1{n}", {
            "policies/privacy.md": f"# Privacy\n\nWe keep logs for {n} days.\n"})
    first = build(site)
    for part in ("redlines", "texts"):
        folder = site.path / ".cache" / "policy-history" / part
        old = ResultStore(folder)  # results of older code, more than the wanted ones
        wanted = sum(path.stat().st_size for path in folder.glob("*.pack"))
        for n in range(3):
            old.put(f"{n:064x}", {"inline": secrets.token_hex(wanted)})
    site.commit("Version 5", "2020-05-01", {
        "policies/terms.md": "# Terms\n\nClause one, kept 5 days.\n\n## More\n\nClause two.\n"})
    second = build(site)
    assert second.kept > 0 and second.redlines < len(first.caches["redlines"])
    # what is gone is the stale (and the terms' feeds and versions.json, made anew)
    assert first.caches["redlines"] < second.caches["redlines"]
    assert len(first.caches["texts"] - second.caches["texts"]) == 1
    for part in ("redlines", "texts"):
        assert not any(key.startswith("0" * 60) for key in second.caches[part]), part

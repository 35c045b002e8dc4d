"""The on-disk fingerprint cache: reused when valid, rebuilt when not, never fatal."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import markdown

from policy_history.loader import load_history
from policy_history.store.section_prints import KEEP, FingerprintCache
from tests.support import GitRepo

AS_OF = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


def test_round_trip(tmp_path: Path) -> None:
    cache = FingerprintCache(tmp_path, "r1")
    cache["# Title\n\nText."] = "Title Text."
    cache.save()
    again = FingerprintCache(tmp_path, "r1")
    assert again.get("# Title\n\nText.") == "Title Text." and again.problem is None
    assert FingerprintCache(tmp_path, "other-renderer").get("# Title\n\nText.") is None


def test_corrupted_or_truncated_file_is_detected_and_rebuilt(tmp_path: Path) -> None:
    cache = FingerprintCache(tmp_path, "r1")
    cache["a"] = "A"
    cache.save()
    assert cache.path is not None
    data = cache.path.read_bytes()
    for broken in (data[:-7], data[:-1] + bytes([data[-1] ^ 0xFF]), b"garbage"):
        cache.path.write_bytes(broken)
        reread = FingerprintCache(tmp_path, "r1")
        assert reread.get("a") is None, "a damaged cache is never trusted"
        assert reread.problem and "rebuilding" in reread.problem
        reread["a"] = "A"
        reread.save()
        assert FingerprintCache(tmp_path, "r1").get("a") == "A"


def test_files_of_older_formats_are_deleted_others_kept(tmp_path: Path) -> None:
    older = tmp_path / "fingerprints-1-r1.bin"
    older.write_bytes(b"policy_history-fingerprints\n")
    other_renderer = FingerprintCache(tmp_path, "r2")
    other_renderer["a"] = "A"
    other_renderer.save()
    cache = FingerprintCache(tmp_path, "r1")
    cache["a"] = "A"
    cache.save()
    assert not older.exists()
    assert other_renderer.path is not None and other_renderer.path.exists()


def test_only_the_most_recently_used_files_are_kept(tmp_path: Path) -> None:
    """Each change of the renderer or its code makes a new file: the KEEP most recently
    used are kept, the rest deleted."""
    caches = [FingerprintCache(tmp_path, f"r{n}") for n in range(KEEP)]
    for n, cache in enumerate(caches):
        cache["a"] = "A"
        cache.save()
        assert cache.path is not None
        os.utime(cache.path, (n, n))  # written in this order, a second apart
    assert FingerprintCache(tmp_path, "r0").get("a") == "A"  # used again: the newest
    latest = FingerprintCache(tmp_path, "new")
    latest["b"] = "B"
    latest.save()  # one more than KEEP: the least recently used, r1, goes
    kept = {path.name for path in tmp_path.glob("fingerprints-*.bin")}
    assert kept == {c.path.name for c in [latest, caches[0], *caches[2:]] if c.path}


def test_unwritable_folder_is_not_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        cache = FingerprintCache(folder / "sub", "r1")
        cache["a"] = "A"
        cache.save()  # nothing raised
    finally:
        folder.chmod(0o700)


def test_a_warm_load_renders_nothing(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("One", "2020-01-01", {"policies/t.md": "# T\n\nOne.\n\n## B\n\nTwo.\n"})
    repo.commit("Two", "2020-02-01", {"policies/t.md": "# T\n\nOne!\n\n## B\n\nTwo.\n"})
    calls: list[str] = []

    def render(text: str) -> str:
        calls.append(text)
        return markdown.markdown(text)

    cold = load_history(repo.path / "policies", render=render, as_of=AS_OF,
                        cache_dir=tmp_path / "cache", renderer_settings=([], {}))
    assert calls, "a cold load renders"
    calls.clear()
    warm = load_history(repo.path / "policies", render=render, as_of=AS_OF,
                        cache_dir=tmp_path / "cache", renderer_settings=([], {}))
    assert calls == []
    assert [r.kind for r in warm.site.policies["t"].revisions] == [
        r.kind for r in cold.site.policies["t"].revisions]

"""The on-disk store of computed results (redlines, version texts): what is put is got
back exactly, from any process; a damaged, cut-short or forged record is reported and
never served; packs are merged before they pile up."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from policy_history.store import results
from policy_history.store.results import MAX_PACKS, ResultStore

VALUE = {
    "inline": "<p>Privacy — «policy»</p>\n" * 40,  # long: kept out of the JSON line
    "sections": ["<h2>Uses</h2>" * 30, "", "<p>\"quoted\" \\ back</p>" * 20],
    "words_added": 3,
    "empty": False,
    "sections_changed": ["Uses", "Sharing"],
    "note": "short",
}


def _key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _packs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pack"))


def test_round_trip_on_disk_and_in_memory(tmp_path: Path) -> None:
    key = _key("pair")
    on_disk = ResultStore(tmp_path / "results")
    on_disk.put(key, dict(VALUE))
    on_disk.put(_key("other"), {"note": "short"})
    assert on_disk.get(key) == VALUE, "read back by the process that stored it"
    reader = ResultStore(tmp_path / "results")
    assert reader.get(key) == VALUE and reader.has(_key("other"))
    assert not reader.has(_key("never stored")) and reader.get(_key("never stored")) is None
    assert reader.keys() == {key, _key("other")}
    [pack] = _packs(tmp_path / "results")
    assert list((tmp_path / "results").iterdir()) == [pack], \
        "one pack for the process's results, and no temporary file"
    in_memory = ResultStore(None)
    in_memory.put(key, dict(VALUE))
    assert in_memory.get(key) == VALUE and in_memory.has(key)


def test_long_values_are_stored_as_raw_bytes() -> None:
    body = results.encode(VALUE)
    head, _, rest = body.partition(b"\n")
    assert b"Privacy" not in head and "<p>Privacy — «policy»</p>".encode() in rest
    assert b'"note":"short"' in head
    assert results.decode(body) == VALUE


def test_each_process_appends_to_its_own_pack_and_sees_the_others(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "results")
    store.put(_key("parent"), {"note": "parent"})
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # a forked worker, as the build's writers are
        try:
            store.put(_key("child"), {"note": "child"})
            os.write(writer, b"ok" if store.get(_key("parent")) == {"note": "parent"} else b"no")
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    assert os.read(reader, 2) == b"ok"
    assert len(_packs(tmp_path / "results")) == 2, "the child did not write into the parent's"
    assert store.get(_key("child")) == {"note": "child"}, "a miss looks at the packs again"
    store.put(_key("parent, later"), {"note": "later"})
    assert ResultStore(tmp_path / "results").keys() == {
        _key("parent"), _key("child"), _key("parent, later")}


def _forge(payload: bytes) -> bytes:
    """A record with a valid checksum around ``payload`` (uncompressed)."""
    packed = zstandard.ZstdCompressor().compress(payload)
    return results.record(_key("pair"), packed, hashlib.sha256(packed).digest())


def _damaged(folder: Path, damage: Callable[[bytes], bytes]) -> tuple[str, Path]:
    """A folder holding one pack of one result, then damaged; the result's key, the pack."""
    key = _key("pair")
    ResultStore(folder).put(key, dict(VALUE))
    [pack] = _packs(folder)
    pack.write_bytes(damage(pack.read_bytes()))
    return key, pack


@pytest.mark.parametrize("damage", [
    lambda data: data[:-1] + bytes([data[-1] ^ 0x01]),  # one bit flipped
    lambda data: data[:-40] + b"\0" * 40,  # zeroed
    lambda data: data[:len(results._MAGIC)] + _forge(
        b'{"small":{},"long":[["inline",99999]]}\n<p>short</p>'),
    lambda data: data[:len(results._MAGIC)] + _forge(b'{"small":{},"long":[]}\nno value claims'),
    lambda data: data[:len(results._MAGIC)] + _forge(b"no header line"),
    lambda data: data[:len(results._MAGIC)] + _forge(
        b'{"small":{},"long":[["inline",2]]}\n\xff\xfe'),  # not UTF-8
    lambda data: data[:len(results._MAGIC)] + _forge(b'["not", "a", "result"]\n'),
])
def test_damaged_records_are_reported_and_never_served(tmp_path: Path, damage) -> None:
    key, pack = _damaged(tmp_path / "results", damage)
    reader = ResultStore(tmp_path / "results")
    assert reader.get(key) is None
    assert len(reader.problems) == 1 and str(pack) in reader.problems[0]
    reader.put(key, dict(VALUE))  # computed again, into a pack of its own
    later = ResultStore(tmp_path / "results")
    assert later.get(key) == VALUE, "the good copy is served, whichever pack is read first"


@pytest.mark.parametrize("damage", [
    lambda data: data[:-20],  # a killed build: its last record cut short
    lambda data: b"policy_history-results-3\n" + data[len(results._MAGIC):],  # another format
    lambda data: data[:len(results._MAGIC)] + b"junk" + data[len(results._MAGIC) + 4:],
])
def test_records_that_cannot_be_read_are_computed_again(tmp_path: Path, damage) -> None:
    key, _ = _damaged(tmp_path / "results", damage)
    reader = ResultStore(tmp_path / "results")
    assert not reader.has(key) and reader.get(key) is None
    reader.put(key, dict(VALUE))
    assert ResultStore(tmp_path / "results").get(key) == VALUE


def test_a_record_is_not_read_before_it_is_whole(tmp_path: Path) -> None:
    """Another process's record half written is skipped, and read once it is whole."""
    key = _key("pair")
    writer = ResultStore(tmp_path / "writer")
    writer.put(key, dict(VALUE))
    whole = _packs(tmp_path / "writer")[0].read_bytes()
    folder = tmp_path / "results"
    folder.mkdir()
    pack = folder / "1-00000000.pack"
    pack.write_bytes(whole[:len(whole) // 2])
    reader = ResultStore(folder)
    assert reader.get(key) is None and not reader.problems
    pack.write_bytes(whole)
    assert reader.get(key) == VALUE


def test_packs_are_merged_before_they_pile_up(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    for n in range(MAX_PACKS + 1):
        store = ResultStore(folder)
        store.put(_key(f"pair {n}"), {"n": n})
        store.put(_key("in every pack"), dict(VALUE))
    old_format = folder / "ab"
    old_format.mkdir()
    (old_format / _key("old")).write_bytes(b"a result of the one-file format")
    assert len(_packs(folder)) == MAX_PACKS + 1
    ResultStore(folder).tidy()
    assert len(_packs(folder)) == 1 and not old_format.exists()
    merged = ResultStore(folder)
    assert merged.keys() == {_key(f"pair {n}") for n in range(MAX_PACKS + 1)} | {
        _key("in every pack")}
    assert merged.get(_key("pair 3")) == {"n": 3} and merged.get(_key("in every pack")) == VALUE
    pack = _packs(folder)[0]
    assert pack.read_bytes().count(_key("in every pack").encode()) == 1
    before = pack.read_bytes()
    ResultStore(folder).tidy()
    assert _packs(folder) == [pack] and pack.read_bytes() == before, "few packs: left alone"


def test_a_key_must_be_short_ascii() -> None:
    with pytest.raises(ValueError, match="key"):
        results.record("x" * 256, b"", b"")


def test_a_folder_that_cannot_be_tidied_is_left_and_still_read(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    for n in range(MAX_PACKS + 1):
        ResultStore(folder).put(_key(f"pair {n}"), {"n": n})
    (folder / "zz-in-the-way.pack").mkdir()  # not a file: it can be neither read nor deleted
    store = ResultStore(folder)
    store.tidy()
    assert (folder / "zz-in-the-way.pack").is_dir()
    assert store.get(_key("pair 5")) == {"n": 5}
    assert store.keys() == {_key(f"pair {n}") for n in range(MAX_PACKS + 1)}


def test_after_a_failed_write_nothing_more_goes_into_that_pack(tmp_path: Path) -> None:
    """A write that fails part way (a full disk) leaves a record cut short: it must stay
    the pack's last, or the records after it would be misread."""
    store = ResultStore(tmp_path / "results")
    store.put(_key("before"), {"note": "before"})
    [pack] = _packs(tmp_path / "results")
    assert store._own is not None
    read_only = os.open(pack, os.O_RDONLY)
    os.dup2(read_only, store._own[2])  # the next write fails, as on a full disk
    os.close(read_only)
    store.put(_key("failed"), dict(VALUE))
    assert store.get(_key("failed")) == VALUE, "kept in memory for this build"
    pack.write_bytes(pack.read_bytes() + b"rslt\x40\x00\x00")  # what a torn write leaves
    store.put(_key("after"), {"note": "after"})
    reader = ResultStore(tmp_path / "results")
    assert reader.get(_key("before")) == {"note": "before"}
    assert reader.get(_key("after")) == {"note": "after"} and not reader.problems
    assert len(_packs(tmp_path / "results")) == 2


def test_packs_read_back_without_pread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where os.pread does not exist (Windows), a seek and a read do its work."""
    store = ResultStore(tmp_path / "results")
    for n in range(3):
        store.put(_key(f"pair {n}"), {"n": n, "inline": VALUE["inline"]})
    monkeypatch.delattr(os, "pread")
    reader = ResultStore(tmp_path / "results")
    assert [reader.get(_key(f"pair {n}")) for n in range(3)] == [
        {"n": n, "inline": VALUE["inline"]} for n in range(3)]


def _filled(folder: Path, names: list[str]) -> None:
    store = ResultStore(folder)
    for name in names:
        store.put(_key(name), {**VALUE, "name": name})


def test_results_no_build_wants_are_pruned_once_they_outweigh_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "PRUNE_FROM", 0)
    folder = tmp_path / "results"
    _filled(folder, ["old 1", "old 2", "old 3", "live"])
    _filled(folder, ["live", "asked for"])  # a second pack, with a second copy of "live"
    store = ResultStore(folder)
    assert store.get(_key("asked for")) is not None  # this process uses it: it stays
    freed = store.prune({_key("live")})
    assert freed > 3 * len(zstandard.ZstdCompressor(level=results.LEVEL).compress(
        results.encode(VALUE)))
    assert len(_packs(folder)) == 1
    after = ResultStore(folder)
    assert after.keys() == {_key("live"), _key("asked for")}
    assert after.get(_key("live")) == {**VALUE, "name": "live"}
    assert _packs(folder)[0].read_bytes().count(_key("live").encode()) == 1
    store.put(_key("new"), {"n": 1})  # the store goes on, in a pack of its own
    assert ResultStore(folder).get(_key("new")) == {"n": 1}


def test_a_folder_of_mostly_wanted_results_is_left_as_it_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "PRUNE_FROM", 0)
    folder = tmp_path / "results"
    _filled(folder, ["a", "b", "c", "stale"])
    before = {pack: pack.read_bytes() for pack in _packs(folder)}
    live = {_key(name) for name in ("a", "b", "c")}
    assert ResultStore(folder).prune(live) == 0
    assert {pack: pack.read_bytes() for pack in _packs(folder)} == before
    # nor is a small one, whatever it holds
    monkeypatch.setattr(results, "PRUNE_FROM", 1 << 30)
    assert ResultStore(folder).prune(set()) == 0
    assert {pack: pack.read_bytes() for pack in _packs(folder)} == before


def test_pruning_is_looked_at_once_the_folder_has_doubled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "PRUNE_FROM", 0)
    folder = tmp_path / "results"

    def build(*names: str) -> bool:
        store = ResultStore(folder)
        store.tidy()
        for name in names:
            store.put(_key(name), {**VALUE, "name": name})
        return store.prune_due()

    assert not build("a", "b")  # a new folder: its size is noted, nothing can be stale
    assert not build("c")  # grown by half
    assert build("d", "e")  # doubled: stale results may outweigh the others
    (folder / results._PRUNED_SIZE).unlink()
    assert build()  # a folder never pruned (a cache older than pruning) is looked at
    assert ResultStore(folder).prune({_key("a")}) > 0
    assert not build("f")  # its size after pruning is the new mark

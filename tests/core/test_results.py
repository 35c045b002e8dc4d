"""The on-disk store of computed results (redlines, version texts): what is put is got
back exactly; a damaged or forged entry is reported and never served."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import zstandard

from policy_history.store import results
from policy_history.store.results import ResultStore

VALUE = {
    "inline": "<p>Privacy — «policy»</p>\n" * 40,  # long: kept out of the JSON line
    "sections": ["<h2>Uses</h2>" * 30, "", "<p>\"quoted\" \\ back</p>" * 20],
    "words_added": 3,
    "empty": False,
    "sections_changed": ["Uses", "Sharing"],
    "note": "short",
}


def _entry(store: ResultStore, key: str) -> Path:
    assert store.folder is not None
    return store.folder / key[:2] / key


def test_round_trip_on_disk_and_in_memory(tmp_path: Path) -> None:
    key = hashlib.sha256(b"pair").hexdigest()
    on_disk = ResultStore(tmp_path / "results")
    on_disk.put(key, dict(VALUE))
    assert ResultStore(tmp_path / "results").get(key) == VALUE
    assert [p.name for p in (tmp_path / "results").rglob("*") if p.is_file()] == [key], \
        "no temporary file is left behind"
    in_memory = ResultStore(None)
    in_memory.put(key, dict(VALUE))
    assert in_memory.get(key) == VALUE and in_memory.has(key)


def test_long_values_are_stored_as_raw_bytes() -> None:
    body = results.encode(VALUE)
    head, _, rest = body.partition(b"\n")
    assert b"Privacy" not in head and "<p>Privacy — «policy»</p>".encode() in rest
    assert b'"note":"short"' in head
    assert results.decode(body) == VALUE


def _forge(payload: bytes) -> bytes:
    """An entry with a valid checksum around ``payload`` (uncompressed)."""
    packed = zstandard.ZstdCompressor().compress(payload)
    return results._MAGIC + hashlib.sha256(packed).hexdigest().encode() + b"\n" + packed


@pytest.mark.parametrize("damage", [
    lambda data: data[:-20],  # truncated
    lambda data: data[:-1] + bytes([data[-1] ^ 0x01]),  # one bit flipped
    lambda data: b"policy_history-result-2\n" + data[len(results._MAGIC):],  # an older format
    lambda data: results._MAGIC + hashlib.sha256(b"x").hexdigest().encode() + b"\nx",
    lambda data: _forge(b'{"small":{},"long":[["inline",99999]]}\n<p>short</p>'),
    lambda data: _forge(b'{"small":{},"long":[]}\nbytes no value claims'),
    lambda data: _forge(b"no header line"),
    lambda data: _forge(b'{"small":{},"long":[["inline",2]]}\n\xff\xfe'),  # not UTF-8
    lambda data: _forge(b'["not", "a", "result"]\n'),
])
def test_damaged_entries_are_reported_and_never_served(tmp_path: Path, damage) -> None:
    key = hashlib.sha256(b"pair").hexdigest()
    store = ResultStore(tmp_path / "results")
    store.put(key, dict(VALUE))
    path = _entry(store, key)
    path.write_bytes(damage(path.read_bytes()))
    reader = ResultStore(tmp_path / "results")
    assert reader.get(key) is None
    assert len(reader.problems) == 1 and str(path) in reader.problems[0]
    reader.put(key, dict(VALUE))  # computed again, and stored over the damaged entry
    assert ResultStore(tmp_path / "results").get(key) == VALUE

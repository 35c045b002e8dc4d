"""Results that take long to compute and never change for the same inputs (a redline, a
version's rendered text), kept on disk under a key of their inputs.

Each result is one file, ``<folder>/<key[:2]>/<key>``: a header, the SHA-256 of the
payload, and the payload, compressed with Zstandard: a line of JSON with the small values, then the
long strings' UTF-8 bytes one after another (the JSON gives their lengths). A result is
mostly one long string of HTML; kept out of JSON, it is neither escaped nor parsed (on a
cold build of a large archive, about a gigabyte of HTML goes through here). A file that
does not check out is ignored, reported and computed again, never used. Writes go to a
temporary file renamed into place, so a killed build leaves no half-written result.

Zstandard at level 1 compresses redline pages 2.8 times as fast as zlib at its fastest
level, and smaller (0.156 against 0.188 of their size; 800 ota redline pages, 143 MB).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import zstandard

_MAGIC = b"policy_history-result-3\n"
LEVEL = 1
#: strings (and lists of strings) at least this long are stored as raw bytes
LONG = 256


def _long(item: Any) -> list[str] | None:
    """``item`` as the strings stored raw (None: it goes into the JSON line)."""
    if isinstance(item, str):
        return [item] if len(item) >= LONG else None
    if isinstance(item, list) and item and all(isinstance(part, str) for part in item) \
            and sum(map(len, item)) >= LONG:
        return item
    return None


def encode(value: dict[str, Any]) -> bytes:
    """A result's payload before compression (see the module's docstring): the JSON line
    lists each long value's name and its bytes' length (a list of lengths for a list)."""
    small: dict[str, Any] = {}
    sizes: list[list[Any]] = []
    chunks: list[bytes] = []
    for name, item in value.items():
        parts = _long(item)
        if parts is None:
            small[name] = item
            continue
        data = [part.encode("utf-8") for part in parts]
        chunks += data
        lengths = [len(chunk) for chunk in data]
        sizes.append([name, lengths[0] if isinstance(item, str) else lengths])
    head = json.dumps({"small": small, "long": sizes}, separators=(",", ":")).encode()
    return b"".join([head, b"\n", *chunks])  # ASCII JSON has no raw newline in it


def decode(body: bytes) -> dict[str, Any]:
    """The result ``encode`` made ``body`` of (ValueError if it is not one)."""
    cut = body.find(b"\n")
    if cut < 0:
        raise ValueError("no header line")
    head = json.loads(body[:cut])
    if not isinstance(head, dict) or not isinstance(head.get("small"), dict) \
            or not isinstance(head.get("long"), list):
        raise ValueError("not a result")
    value: dict[str, Any] = dict(head["small"])
    offset = cut + 1

    def take(size: Any) -> str:
        nonlocal offset
        if not isinstance(size, int) or size < 0 or offset + size > len(body):
            raise ValueError("a long value runs past the end")
        offset += size
        return body[offset - size:offset].decode("utf-8")

    for name, size in head["long"]:
        value[name] = [take(part) for part in size] if isinstance(size, list) else take(size)
    if offset != len(body):
        raise ValueError("bytes left after the last value")
    return value


class ResultStore:
    """Content-keyed results on disk (or only in memory, without a cache folder)."""

    def __init__(self, folder: Path | None, problems: list[str] | None = None) -> None:
        """``problems``: where entries that did not read are reported (the build's)."""
        self.folder = folder
        self._memory: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = [] if problems is None else problems
        self._made: set[Path] = set()  # folders this process has made sure exist
        self._compressor = zstandard.ZstdCompressor(level=LEVEL)

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / key

    def get(self, key: str) -> dict[str, Any] | None:
        if self.folder is None:
            return self._memory.get(key)
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            if not raw.startswith(_MAGIC):
                raise ValueError("not a cached result")
            digest, payload = raw[len(_MAGIC):len(_MAGIC) + 64], raw[len(_MAGIC) + 65:]
            if hashlib.sha256(payload).hexdigest().encode() != digest:
                raise ValueError("checksum mismatch")
            return decode(zstandard.ZstdDecompressor().decompress(payload))
        except (ValueError, TypeError, zstandard.ZstdError) as error:  # UnicodeError too
            self.problems.append(f"{path}: {error}; computed again")
            return None

    def has(self, key: str) -> bool:
        return key in self._memory if self.folder is None else self._path(key).is_file()

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self.folder is None:
            self._memory[key] = value
            return
        payload = self._compressor.compress(encode(value))
        data = _MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        path = self._path(key)
        try:
            if path.parent not in self._made:  # 256 folders: mkdir is not free
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(path.parent)
            # The temporary's name is the key and this process's: no other writer makes it.
            temporary = path.with_name(f".{key}.{os.getpid()}")
            temporary.write_bytes(data)
            temporary.replace(path)
        except OSError:
            self._memory[key] = value  # a read-only cache: keep it for this build

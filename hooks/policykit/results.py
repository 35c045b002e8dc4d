"""Results that take long to compute and never change for the same inputs (a redline, a
version's rendered text), kept on disk under a key of their inputs.

Each result is one file, ``<folder>/<key[:2]>/<key>``: a header, the SHA-256 of the
payload, and the payload (zlib-compressed JSON). A file that does not check out is
ignored, reported and computed again, never used. Writes go to a temporary file renamed
into place, so a killed build leaves no half-written result.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from pathlib import Path
from typing import Any

_MAGIC = b"policykit-result-1\n"


class ResultStore:
    """Content-keyed results on disk (or only in memory, without a cache folder)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._memory: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = []

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
            value = json.loads(zlib.decompress(payload))
            if not isinstance(value, dict):
                raise ValueError("not a mapping")
            return value
        except (ValueError, zlib.error) as error:
            self.problems.append(f"{path}: {error}; computed again")
            return None

    def has(self, key: str) -> bool:
        return key in self._memory if self.folder is None else self._path(key).is_file()

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self.folder is None:
            self._memory[key] = value
            return
        payload = zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 1)
        data = _MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".result-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            Path(temporary).replace(path)
        except OSError:
            self._memory[key] = value  # a read-only cache: keep it for this build

"""An on-disk cache of what never changes: the visible text of a rendered section.

A section's fingerprint depends only on its Markdown and on how the site renders Markdown
(its extensions and their settings), so it is cached under a hash of both. The file is
written whole to a temporary name and renamed, so an interrupted build leaves the old
cache; a file that does not read back (truncated, corrupted, another format) is ignored
and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from pathlib import Path

FORMAT = 1
_MAGIC = b"policykit-fingerprints\n"


def renderer_key(settings: object) -> str:
    """A short hash of the rendering settings (``repr`` of extensions and their configs)."""
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:16]


class FingerprintCache:
    """Section source → visible text, loaded from and saved to one file per renderer."""

    def __init__(self, folder: Path | None, renderer: str) -> None:
        self.path = folder / f"fingerprints-{FORMAT}-{renderer}.bin" if folder else None
        self._data: dict[str, str] = {}
        self._loaded = 0
        self.problem: str | None = None
        if self.path is not None and self.path.exists():
            self._data = self._read(self.path)
            self._loaded = len(self._data)

    def _read(self, path: Path) -> dict[str, str]:
        try:
            raw = path.read_bytes()
            if not raw.startswith(_MAGIC):
                raise ValueError("not a fingerprint cache")
            body = raw[len(_MAGIC):]
            digest, payload = body[:64], body[65:]
            if hashlib.sha256(payload).hexdigest().encode() != digest:
                raise ValueError("checksum mismatch")
            data = json.loads(zlib.decompress(payload))
            if not isinstance(data, dict):
                raise ValueError("not a mapping")
            return {str(k): str(v) for k, v in data.items()}
        except (OSError, ValueError, zlib.error) as error:
            self.problem = f"{path}: {error}; rebuilding it"
            return {}

    @staticmethod
    def key(source: str) -> str:
        return hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    def get(self, source: str) -> str | None:
        return self._data.get(self.key(source))

    def __setitem__(self, source: str, value: str) -> None:
        self._data[self.key(source)] = value

    def __len__(self) -> int:
        return len(self._data)

    def save(self) -> None:
        """Write the cache if it grew; atomically, so a killed build cannot corrupt it.
        A read-only or missing place for it is not an error: the cache is optional."""
        if self.path is None or (len(self._data) == self._loaded and not self.problem):
            return
        payload = zlib.compress(json.dumps(self._data, sort_keys=True).encode(), 1)
        data = _MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".fingerprints-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            Path(temporary).replace(self.path)
            self._loaded = len(self._data)
        except OSError:
            pass

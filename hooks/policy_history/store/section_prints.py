"""An on-disk cache of what never changes: what the fingerprints keep of a rendered section.

A section's fingerprint depends only on its Markdown and on how the site renders Markdown
(its extensions, their settings and the code: policy_history.store.code_keys), so it is
cached under a hash of both. It spares the
rendering when the history is replayed whole (the first build, or after the code, the
variables or the history changed; otherwise the history snapshot, policy_history.
history_cache, spares the replay itself). The file is a policy_history.store.files: a file that
does not read back is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from contextlib import suppress
from pathlib import Path

from policy_history.keys import stable_digest
from policy_history.store import code_keys
from policy_history.store.code_keys import Kind
from policy_history.store.files import CacheFileError, open_checked, write_atomically

#: 3: values are fingerprints.section_print (digest and signatures); 2 held the digest
#: alone, 1 the visible text itself
FORMAT = 3
_MAGIC = b"policy_history-fingerprints %d\n" % FORMAT
#: files kept, the most recently used first: the key changes with the code, so each edit
#: of the renderer would otherwise leave a file behind (tens of MB for a long history)
KEEP = 3


class FingerprintCache:
    """Section source → its ``fingerprints.section_print``, in one file per renderer
    (code_keys.renderer_key) and code that renders and prints sections.

    The file is read on first use: a build that replays no commit never needs it.
    """

    def __init__(self, folder: Path | None, renderer: str) -> None:
        key = stable_digest(renderer, code_keys.key_for(Kind.SECTION_PRINTS))
        self.path = folder / f"fingerprints-{FORMAT}-{key}.bin" if folder else None
        self._data: dict[str, str] | None = None
        self._loaded = 0
        self.problem: str | None = None

    @property
    def data(self) -> dict[str, str]:
        if self._data is None:
            self._data = self._read(self.path) if self.path and self.path.exists() else {}
            self._loaded = len(self._data)
            if self._data and self.path:
                with suppress(OSError):
                    os.utime(self.path)  # recently used: kept when the folder is pruned
        return self._data

    def _read(self, path: Path) -> dict[str, str]:
        try:
            with open_checked(path, _MAGIC) as file:
                data = json.loads(zlib.decompress(file.read()))
            if not isinstance(data, dict):
                raise CacheFileError("not a mapping")
            return {str(k): str(v) for k, v in data.items()}
        except (OSError, ValueError, zlib.error) as error:
            self.problem = f"{path}: {error}; rebuilding it"
            return {}

    @staticmethod
    def key(source: str) -> str:
        return hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()

    def get(self, source: str) -> str | None:
        return self.data.get(self.key(source))

    def __setitem__(self, source: str, value: str) -> None:
        self.data[self.key(source)] = value

    def __len__(self) -> int:
        return len(self.data)

    def save(self) -> None:
        """Write the cache if it grew; atomically, so a killed build cannot corrupt it.
        A read-only or missing place for it is not an error: the cache is optional."""
        if (self.path is None or self._data is None
                or (len(self._data) == self._loaded and not self.problem)):
            return
        payload = zlib.compress(json.dumps(self._data, sort_keys=True).encode(), 1)
        try:
            write_atomically(self.path, _MAGIC, lambda out: out.write(payload))
            self._loaded = len(self._data)
            for older in range(1, FORMAT):  # never read again (format 1 took 27 MB on ota)
                for stale in self.path.parent.glob(f"fingerprints-{older}-*.bin"):
                    stale.unlink(missing_ok=True)
            current = sorted(self.path.parent.glob(f"fingerprints-{FORMAT}-*.bin"),
                             key=lambda path: path.stat().st_mtime, reverse=True)
            for stale in current[KEEP:]:
                stale.unlink(missing_ok=True)
        except OSError:
            pass

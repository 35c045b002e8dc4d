"""Cache files that are never trusted blindly.

A cache file is a magic line naming its kind and format, the SHA-256 of the payload (hex)
and a newline, then the payload. It is written whole under a temporary name in the same
folder and renamed over the old file, so an interrupted build leaves the old file or the
new one, never part of one. Read back, a file whose magic or checksum does not match
(truncated, damaged, another format, something else in its place) raises
``CacheFileError``: the caller ignores it and rebuilds it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

_DIGEST_SIZE = 64  # hex SHA-256


class CacheFileError(ValueError):
    """The file is not a sound cache file of the expected kind."""


@contextmanager
def open_checked(path: Path, magic: bytes) -> Iterator[BinaryIO]:
    """The cache file at ``path``, checked whole, open at the start of its payload (so a
    large payload is read straight into what it becomes, not into memory first). OSError
    if it cannot be read."""
    with path.open("rb") as file:
        header = file.read(len(magic) + _DIGEST_SIZE + 1)
        if not header.startswith(magic):
            raise CacheFileError("not a cache file of this kind or format")
        if len(header) < len(magic) + _DIGEST_SIZE + 1 or not header.endswith(b"\n"):
            raise CacheFileError("truncated header")
        digest = hashlib.sha256()
        buffer = bytearray(1 << 20)
        view = memoryview(buffer)
        while size := file.readinto(buffer):
            digest.update(view[:size])
        if digest.hexdigest().encode() != header[len(magic) : -1]:
            raise CacheFileError("checksum mismatch")
        # the same open file: a newer cache file renamed over this one does not change it
        file.seek(len(header))
        yield file


class _Checksummed:
    """A file-like writer that hashes what goes through it (pickle.dump writes here)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.digest = hashlib.sha256()

    def write(self, data: bytes | memoryview) -> int:
        self.digest.update(data)
        return self.out.write(data)


def write_atomically(path: Path, magic: bytes,
                     write_payload: Callable[[_Checksummed], object]) -> None:
    """Write a cache file whose payload ``write_payload`` streams into the writer it is
    given (so a large payload is never held whole in memory). Raises OSError when the
    folder cannot be written; the caller decides whether that matters."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(magic + b"0" * _DIGEST_SIZE + b"\n")  # the checksum, once known
            writer = _Checksummed(out)
            write_payload(writer)
            out.seek(len(magic))
            out.write(writer.digest.hexdigest().encode())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

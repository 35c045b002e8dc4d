"""Results that take long to compute and never change for the same inputs (a redline, a
version's rendered text), kept on disk under a key of their inputs.

Results are appended to pack files, ``<folder>/<pid>-<random>.pack``: each process that
stores a result appends to a pack of its own, so processes never write to the same file
and a build creates a few files, not one per result (creating a file is the costly part
of storing a small one: on a cold build of a large archive, 9,000 files took about as
long to create as all the site's pages). A pack is a magic line, then records: a header
(a marker, the key's and the payload's lengths), the key, the SHA-256 of the payload,
and the payload, compressed with Zstandard: a line of JSON with the small values, then
the long strings' UTF-8 bytes one after another (the JSON gives their lengths). A result
is mostly one long string of HTML; kept out of JSON, it is neither escaped nor parsed
(on a cold build of a large archive, about a gigabyte of HTML goes through here).

A record whose payload does not check out is ignored, reported and computed again, never
used; a pack whose records stop making sense is read no further. A record cut short (a
killed build, or one still being written by another process) is not read: a reader
looks at a pack again when it lacks a key. When a folder holds more than ``MAX_PACKS``
packs, ``tidy`` merges them into one.

Zstandard at level 1 compresses redline pages 2.8 times as fast as zlib at its fastest
level, and smaller (0.156 against 0.188 of their size; 800 ota redline pages, 143 MB).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import struct
import weakref
from pathlib import Path
from typing import Any, NamedTuple

import zstandard

_MAGIC = b"policy_history-results-4\n"
#: a record's header: its marker, the key's length, the payload's length
_RECORD = struct.Struct(">4sBI")
_MARK = b"rslt"
_DIGEST_SIZE = 32  # SHA-256
#: more packs than this in a folder are merged into one (``ResultStore.tidy``)
MAX_PACKS = 16
#: results no build wants any more are removed once they take more room than the others
#: and more than this (``ResultStore.prune``)
PRUNE_FROM = 8 * 1024 * 1024
#: the file, in a store's folder, of its size after its last ``prune`` (``prune_due``)
_PRUNED_SIZE = ".pruned-size"
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


class _Place(NamedTuple):
    """Where a record's payload is: its pack, its offset and size, and its SHA-256."""

    pack: str
    offset: int
    size: int
    digest: bytes


#: raw bytes (Windows would otherwise translate line ends)
_BINARY = getattr(os, "O_BINARY", 0)


def _read_at(fd: int, size: int, offset: int) -> bytes:
    """One read at ``offset``: ``os.pread`` where it exists (not on Windows); the file
    descriptors here are never shared between threads, so a seek is as good."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)


def _pread(fd: int, size: int, offset: int) -> bytes:
    """``size`` bytes at ``offset`` (fewer at the end of the file)."""
    chunks = []
    while size > 0:
        chunk = _read_at(fd, size, offset)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def record(key: str, payload: bytes, digest: bytes) -> bytes:
    """A pack's record of ``payload`` (compressed, ``digest`` its SHA-256) under ``key``."""
    name = key.encode("ascii")
    if not name or len(name) > 255:
        raise ValueError(f"a result's key is 1 to 255 ASCII characters, not {key!r}")
    return b"".join([_RECORD.pack(_MARK, len(name), len(payload)), name, digest, payload])


class ResultStore:
    """Content-keyed results on disk (or only in memory, without a cache folder)."""

    def __init__(self, folder: Path | None, problems: list[str] | None = None) -> None:
        """``problems``: where entries that did not read are reported (the build's)."""
        self.folder = folder
        self._memory: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = [] if problems is None else problems
        self._compressor = zstandard.ZstdCompressor(level=LEVEL)
        self._places: dict[str, list[_Place]] = {}  # by key; later copies after the first
        self._read: dict[str, int] = {}  # bytes of each pack read so far (-1: unreadable)
        self._own: tuple[int, str, int] | None = None  # (pid, pack, fd) appended to
        self._size = 0  # the size of this process's own pack
        #: the keys this process asked for or stored (``prune`` keeps them)
        self.touched: set[str] = set()
        self._at_start: dict[str, int] | None = None  # each pack's size at ``tidy``

    # -- reading ----------------------------------------------------------------------

    def _look(self) -> bool:
        """Read what is new in the folder's packs; whether any new record was found."""
        assert self.folder is not None
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return False
        found = False
        for entry in entries:
            done = self._read.get(entry.name, 0)
            if not entry.name.endswith(".pack") or entry.name.startswith(".") or done < 0:
                continue
            try:
                size = entry.stat().st_size
            except OSError:
                continue
            if size > done:
                found |= self._read_pack(entry.name, done, size)
        return found

    def _read_pack(self, pack: str, offset: int, size: int) -> bool:
        """Index the records of ``pack`` between ``offset`` and ``size``."""
        assert self.folder is not None
        try:
            fd = os.open(self.folder / pack, os.O_RDONLY | _BINARY)
        except OSError:
            return False
        found = False
        try:
            if offset == 0:
                if size < len(_MAGIC):
                    return False  # being created
                if _pread(fd, len(_MAGIC), 0) != _MAGIC:
                    return self._unreadable(pack, "not a pack of results of this format")
                offset = len(_MAGIC)
            while offset + _RECORD.size <= size:
                header = _pread(fd, _RECORD.size + 255 + _DIGEST_SIZE, offset)
                mark, key_size, payload_size = _RECORD.unpack_from(header)
                if mark != _MARK:
                    return self._unreadable(pack, f"no record at byte {offset}")
                start = offset + _RECORD.size + key_size + _DIGEST_SIZE
                if start + payload_size > size:
                    break  # cut short, or still being written
                key = header[_RECORD.size:_RECORD.size + key_size].decode("ascii", "replace")
                digest = header[start - offset - _DIGEST_SIZE:start - offset]
                place = _Place(pack, start, payload_size, digest)
                places = self._places.setdefault(key, [])
                if place not in places:
                    places.append(place)
                    found = True
                offset = start + payload_size
        except OSError:
            return found
        finally:
            os.close(fd)
        self._read[pack] = offset
        return found

    def _unreadable(self, pack: str, why: str) -> bool:
        assert self.folder is not None
        self._read[pack] = -1
        self.problems.append(f"{self.folder / pack}: {why}; its later results computed again")
        return False

    def _payload(self, place: _Place) -> bytes | None:
        """The record's payload if it checks out (else reported: None)."""
        assert self.folder is not None
        path = self.folder / place.pack
        try:
            fd = os.open(path, os.O_RDONLY | _BINARY)
            try:
                payload = _pread(fd, place.size, place.offset)
            finally:
                os.close(fd)
        except OSError:
            return None
        if len(payload) != place.size or hashlib.sha256(payload).digest() != place.digest:
            self.problems.append(f"{path}: checksum mismatch at byte {place.offset}; "
                                 "computed again")
            return None
        return payload

    def get(self, key: str) -> dict[str, Any] | None:
        self.touched.add(key)
        if self.folder is None or key in self._memory:
            return self._memory.get(key)
        places = self._places.get(key)
        if not places and self._look():
            places = self._places.get(key)
        while places:
            place = places[0]
            payload = self._payload(place)
            if payload is not None:
                try:
                    return decode(zstandard.ZstdDecompressor().decompress(payload))
                except (ValueError, TypeError, zstandard.ZstdError) as error:  # UnicodeError
                    self.problems.append(f"{self.folder / place.pack}: {error} at byte "
                                         f"{place.offset}; computed again")
            places.pop(0)  # another copy, if any (a result computed again), is next
        return None

    def has(self, key: str) -> bool:
        self.touched.add(key)
        if self.folder is None or key in self._memory:
            return key in self._memory
        if not self._places.get(key):
            self._look()
        return bool(self._places.get(key))

    def keys(self) -> set[str]:
        """The keys of every result stored (whether or not it would check out)."""
        if self.folder is None:
            return set(self._memory)
        self._look()
        return {key for key, places in self._places.items() if places} | set(self._memory)

    # -- writing ----------------------------------------------------------------------

    def _pack(self) -> tuple[str, int]:
        """This process's own pack (a forked process starts one of its own)."""
        assert self.folder is not None
        if self._own is None or self._own[0] != os.getpid():
            self.folder.mkdir(parents=True, exist_ok=True)
            pack = f"{os.getpid()}-{secrets.token_hex(4)}.pack"
            fd = os.open(self.folder / pack, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND
                         | _BINARY, 0o644)
            weakref.finalize(self, os.close, fd)
            _write_all(fd, _MAGIC)
            self._own = (os.getpid(), pack, fd)
            self._size = len(_MAGIC)
            self._read[pack] = self._size  # what it appends is indexed as it goes
        return self._own[1], self._own[2]

    def put(self, key: str, value: dict[str, Any]) -> None:
        self.touched.add(key)
        if self.folder is None:
            self._memory[key] = value
            return
        payload = self._compressor.compress(encode(value))
        digest = hashlib.sha256(payload).digest()
        data = record(key, payload, digest)
        try:
            pack, fd = self._pack()
            _write_all(fd, data)
        except OSError:
            # A read-only cache, or a full disk: keep it for this build. Nothing more is
            # appended to a pack a write failed in (a record cut short is its last).
            self._memory[key] = value
            self._own = None
            return
        start = self._size + len(data) - len(payload)
        self._size += len(data)
        self._read[pack] = self._size
        self._places.setdefault(key, []).insert(0, _Place(pack, start, len(payload), digest))

    def tidy(self) -> None:
        """Before a build's processes store anything: merge the folder's packs into one
        when there are more than ``MAX_PACKS`` (each record that checks out, once), and
        remove the folders of the older one-file-per-result format. A folder that cannot
        be tidied is left as it is (results are then only computed again)."""
        if self.folder is None or not self.folder.is_dir():
            return
        try:
            for old in self.folder.iterdir():
                if old.is_dir() and len(old.name) == 2:
                    shutil.rmtree(old, ignore_errors=True)
            packs = sorted(path.name for path in self.folder.glob("[!.]*.pack"))
            if len(packs) > MAX_PACKS and self._merge():
                for pack in packs:
                    (self.folder / pack).unlink(missing_ok=True)
        except OSError:
            pass
        self._places.clear()
        self._read.clear()
        self._at_start = self._pack_sizes()

    def _pack_sizes(self) -> dict[str, int]:
        assert self.folder is not None
        sizes = {}
        with contextlib.suppress(OSError):  # no folder yet: no packs
            for entry in os.scandir(self.folder):
                if entry.name.endswith(".pack") and not entry.name.startswith("."):
                    with contextlib.suppress(OSError):  # removed meanwhile
                        sizes[entry.name] = entry.stat().st_size
        return sizes

    def prune_due(self) -> bool:
        """Whether ``prune`` is worth the look (cheap: no key is read). Results go stale
        only as others are stored: where the folder held results before this build
        (``tidy``) and has more than doubled since the last ``prune`` (or was never
        pruned), the stale ones may outweigh the others. A new folder's size is noted."""
        if self.folder is None:
            return False
        size = sum(self._pack_sizes().values())
        last = self._pruned_size()
        if not self._at_start or (last is not None and size <= 2 * last):
            if last is None:
                self._note_size(size)
            return False
        return size > PRUNE_FROM

    def _pruned_size(self) -> int | None:
        assert self.folder is not None
        try:
            return int((self.folder / _PRUNED_SIZE).read_text("ascii"))
        except (OSError, ValueError):
            return None

    def _note_size(self, size: int) -> None:
        assert self.folder is not None
        note = self.folder / _PRUNED_SIZE
        temporary = note.with_name(f"{note.name}.{secrets.token_hex(4)}")
        try:
            temporary.write_text(str(size), "ascii")
            temporary.replace(note)
        except OSError:  # a read-only cache: looked at again next time
            temporary.unlink(missing_ok=True)

    def prune(self, live: set[str]) -> int:
        """Once a build is done: what this process touched is kept, with ``live`` (what
        other processes used). When what no key of those names (results of texts no
        longer built, a history rewritten, redlines against a version since replaced, a
        second copy of a result) takes more room than what it names, and more than
        ``PRUNE_FROM``, write what it names into one pack and remove the others. The bytes
        set free (0: nothing pruned). A result dropped that a later build wants (the
        build of another branch) is only computed again."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        self._look()
        live = live | self.touched
        kept = sum(_RECORD.size + len(key) + _DIGEST_SIZE + places[0].size
                   for key, places in self._places.items() if places and key in live)
        packs = self._pack_sizes()
        size = sum(packs.values())
        wasted = size - kept
        if wasted <= max(kept, PRUNE_FROM):
            self._note_size(size)
            return 0
        if not self._merge(live):
            return 0
        for pack in packs:
            (self.folder / pack).unlink(missing_ok=True)
        self._places.clear()
        self._read.clear()
        self._own = None  # appended to no more: it is gone
        self._note_size(sum(self._pack_sizes().values()))
        return wasted

    def _merge(self, live: set[str] | None = None) -> bool:
        """Write every result of the folder's packs (or those ``live`` names) into a new
        pack; whether it was."""
        assert self.folder is not None
        self._look()
        merged = self.folder / f"merged-{secrets.token_hex(4)}.pack"
        temporary = merged.with_name(f".{merged.name}")
        try:
            with temporary.open("wb") as out:
                out.write(_MAGIC)
                for key in sorted(self._places if live is None else live & self._places.keys()):
                    for place in self._places[key]:
                        payload = self._payload(place)
                        if payload is not None:
                            out.write(record(key, payload, place.digest))
                            break
            temporary.replace(merged)
        except OSError:
            temporary.unlink(missing_ok=True)
            return False
        return True

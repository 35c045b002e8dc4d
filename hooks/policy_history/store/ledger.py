"""Reuse the archived-version and redline pages of the previous build.

An archived page depends only on what it shows (the policy's history, the page's shell,
the code that wrote it), so a build records, for each such file it writes, a *key* made of
all of that. MkDocs empties the site folder before every build; just before, the folders
holding these pages are moved aside (one rename each, nothing is copied). After MkDocs has
written its pages, each folder is moved back whole (MkDocs' fresh files put back over it),
each page whose key is unchanged is kept, every other page is written anew, and files no
page claims are deleted.

A kept file must still be the file that was written: its size, inode, and modification
and change times (nanoseconds) must match the record, as git's index checks a work tree.
Writing to a file, or setting its modification time back, sets its change time to the
clock's; replacing it changes the inode; copying the site elsewhere changes both. So an
edited, truncated, swapped or forged file is written anew, never served, without reading
the gigabytes of pages a large archive keeps. A record that does not read back, or
belongs to another site folder, means nothing is reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

FORMAT = 2


@dataclass(frozen=True)
class Written:
    key: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    #: a value the writer wants back with the file (e.g. a hash of the page's text)
    note: str = ""


def _record(key: str, stat: os.stat_result, note: str) -> Written:
    return Written(key, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, note)


def _unchanged(stat: os.stat_result, old: Written) -> bool:
    """The file is the one recorded (see the module's docstring)."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino) == (
        old.size, old.mtime_ns, old.ctime_ns, old.inode)


class OutputLedger:
    """The reusable files under one site folder, and where they were moved aside to."""

    def __init__(self, cache_dir: Path | None, site_dir: Path, *,
                 written: dict[str, Written] | None = None,
                 reused: set[str] | None = None) -> None:
        """``written`` and ``reused``: where the build keeps what was written and kept."""
        self.site_dir = site_dir.resolve()
        self.record = cache_dir / f"outputs-{FORMAT}.json" if cache_dir else None
        self.aside = cache_dir / "outputs-aside" if cache_dir else None
        self.previous: dict[str, Written] = {}
        self.written: dict[str, Written] = {} if written is None else written
        self.folders: set[str] = set()  # site-relative folders whose files are recorded
        self.moved: dict[str, Path] = {}  # folder → where it was moved aside
        self.restored: set[str] = set()  # folders moved back
        self.fresh: set[str] = set()  # files MkDocs wrote into them meanwhile
        self.problem: str | None = None
        self.reused: set[str] = set() if reused is None else reused  # paths kept
        self._made: set[Path] = set()  # folders this build has made sure exist

    # -- before MkDocs empties the site folder ----------------------------------------------

    def set_aside(self) -> None:
        """Move the recorded folders out of the site folder, if the record is sound."""
        if self.record is None or self.aside is None:
            return
        if self.aside.exists():  # a build stopped half-way: its record cannot be trusted
            shutil.rmtree(self.aside, ignore_errors=True)
            self.problem = "the previous build did not finish; its pages are written anew"
            return
        self.previous, folders = self._read()
        if not self.previous or not self.site_dir.is_dir():
            self.previous = {}
            return
        try:
            self.aside.mkdir(parents=True)
            if self.aside.stat().st_dev != self.site_dir.stat().st_dev:
                raise OSError("the cache and the site folder are on different file systems")
            for number, folder in enumerate(sorted(folders)):
                source = self.site_dir / folder
                if source.is_dir() and not source.is_symlink():
                    target = self.aside / str(number)
                    source.rename(target)
                    self.moved[folder] = target
        except OSError as error:
            self.problem = f"pages of the previous build not reused: {error}"
            self.previous = {}

    def _read(self) -> tuple[dict[str, Written], list[str]]:
        assert self.record is not None
        try:
            raw = self.record.read_bytes()
        except OSError:
            return {}, []
        try:
            body, digest = raw[:-65], raw[-64:]
            if hashlib.sha256(body).hexdigest().encode() != digest:
                raise ValueError("checksum mismatch")
            data = json.loads(body)
            if data.get("format") != FORMAT or data.get("site_dir") != str(self.site_dir):
                return {}, []
            files = {path: Written(*values) for path, values in data["files"].items()}
            return files, list(data["folders"])
        except (ValueError, TypeError, KeyError) as error:
            self.problem = f"{self.record}: {error}; its pages are written anew"
            return {}, []

    # -- during the build ----------------------------------------------------------------------

    def read(self, folder: str, path: str, key: str) -> tuple[bytes, Written] | None:
        """The bytes of the file at ``path`` if it was written for ``key`` and is intact,
        wherever it is now (for a page MkDocs itself writes, before folders move back)."""
        old = self.previous.get(path)
        if old is None or old.key != key:
            return None
        aside = self.moved.get(folder)
        source = aside / path[len(folder) + 1:] if aside else self.site_dir / path
        try:
            if not _unchanged(source.stat(), old):
                return None
            data = source.read_bytes()
        except OSError:
            return None
        return data, old

    def restore(self, folder: str) -> None:
        """Move ``folder`` back from aside, keeping what MkDocs wrote into it meanwhile."""
        aside = self.moved.pop(folder, None)
        if aside is None:
            return
        target = self.site_dir / folder
        try:
            fresh = None
            if target.exists():
                fresh = aside.with_name(aside.name + "-fresh")
                target.rename(fresh)
            target.parent.mkdir(parents=True, exist_ok=True)
            aside.rename(target)
            self.restored.add(folder)
            if fresh is not None:
                for directory, _, names in os.walk(fresh):
                    for name in names:
                        source = Path(directory) / name
                        relative = source.relative_to(fresh).as_posix()
                        destination = target / relative
                        destination.parent.mkdir(parents=True, exist_ok=True)
                        source.replace(destination)
                        self.fresh.add(f"{folder}/{relative}")
                shutil.rmtree(fresh)
        except OSError as error:
            self.problem = f"pages of the previous build not reused: {error}"
            self.previous = {}

    def recorded(self, path: str, key: str) -> bool:
        """Whether the previous build wrote ``path`` for ``key`` (``reuse`` checks the
        file is still the one it wrote)."""
        old = self.previous.get(path)
        return old is not None and old.key == key

    def restore_all(self) -> None:
        """Move every folder set aside back (``reuse`` moves each when first asked)."""
        for folder in list(self.moved):
            self.restore(folder)

    def reuse(self, folder: str, path: str, key: str) -> Written | None:
        """Keep the file at site-relative ``path`` (under ``folder``) if it was written for
        ``key`` and is intact; its record, or None (then write it)."""
        old = self.previous.get(path)
        if old is None or old.key != key:
            return None
        self.restore(folder)
        if folder not in self.restored:
            return None
        target = self.site_dir / path
        try:
            if not _unchanged(target.stat(), old):
                return None
        except OSError:
            return None
        self.written[path] = old
        self.reused.add(path)
        return old

    def adopt(self, path: str, key: str, note: str = "") -> None:
        """Record a file someone else wrote (MkDocs, for the shells' own pages)."""
        try:
            stat = (self.site_dir / path).stat()
        except OSError:
            return
        self.written[path] = _record(key, stat, note)

    def write(self, path: str, key: str, data: bytes, note: str = "") -> None:
        target = self.site_dir / path
        if target.parent not in self._made:  # one folder per page: mkdir is not free
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        target.write_bytes(data)
        self.written[path] = _record(key, target.stat(), note)

    def add_folder(self, folder: str) -> None:
        """``folder`` (site-relative) holds only files written through this ledger or by
        MkDocs: the next build moves it aside before MkDocs empties the site folder."""
        self.folders.add(folder)

    # -- after the build ---------------------------------------------------------------------

    def finish(self) -> None:
        """Delete what no page claims; save the record of what this build wrote."""
        for folder in self.restored:
            self._prune(folder)
        if self.aside is not None:
            shutil.rmtree(self.aside, ignore_errors=True)
        if self.record is None:
            return
        files = {path: [w.key, w.size, w.mtime_ns, w.ctime_ns, w.inode, w.note]
                 for path, w in sorted(self.written.items())}
        body = json.dumps({"format": FORMAT, "site_dir": str(self.site_dir),
                           "folders": sorted(self.folders), "files": files},
                          separators=(",", ":")).encode()
        data = body + b"\n" + hashlib.sha256(body).hexdigest().encode()
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.record.parent, prefix=".outputs-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            Path(temporary).replace(self.record)
        except OSError:
            pass  # the record is optional: the next build writes every page

    def _prune(self, folder: str) -> None:
        """Files of a folder moved back that neither this build nor MkDocs wrote (pages of
        versions that are gone) are deleted, then the folders they leave empty."""
        # Plain strings, not pathlib: tens of thousands of files on a large archive.
        site = str(self.site_dir)
        top = os.path.join(site, folder)  # noqa: PTH118
        emptied: set[str] = set()
        for directory, _, names in os.walk(top, topdown=False):
            for name in names:
                full = os.path.join(directory, name)  # noqa: PTH118
                path = full[len(site) + 1:]
                if path not in self.written and path not in self.fresh:
                    os.unlink(full)  # noqa: PTH108
                    emptied.add(directory)
            if directory in emptied and directory != top and not os.listdir(directory):  # noqa: PTH208
                os.rmdir(directory)  # noqa: PTH106
                emptied.add(os.path.dirname(directory))  # noqa: PTH120

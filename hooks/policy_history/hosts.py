"""What a built site weighs, and the documented limits of the static hosts it may go to.

The build logs :func:`summary` after every build and warns with :func:`check` for the
hosts named by ``extra: policies: host:``; ``scripts/bench`` reports :func:`fits`. A deploy
that fails on a host's limit fails after the build, in another tool's log: said here, it
fails ``mkdocs build --strict`` instead, with the figure and what to change.

No MkDocs here: the figures are plain ``(path, size)`` pairs, read by :func:`site_files`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

KB = 1000
MB = 1000**2
GB = 1000**3
MiB = 1024**2

#: a file of the site: its path under the site folder ("privacy/index.html"), its bytes
SiteFile = tuple[str, int]

#: the ``host:`` names, and how the messages call each host
HOSTS = {
    "github-pages": "GitHub Pages",
    "gitlab-pages": "GitLab Pages on GitLab.com",
    "cloudflare-pages": "Cloudflare Pages on the free plan",
}

#: what makes an archive smaller: its redline pages are most of its files and bytes
SMALLER_ARCHIVE = (
    "To fit, publish fewer archive pages: set 'compare_with_current: false' under 'extra: "
    "policies:' in mkdocs.yml (no redline of every version against the current one), or "
    "lower 'compare_every_pair_up_to' (fewer policies get a redline for every pair of "
    "their versions).")
SMALLER_FILE = (
    "Make {it} smaller, or publish {it} elsewhere (a release download, object storage) and "
    "link to {it} from the site.")


@dataclass(frozen=True)
class Limit:
    """One documented limit of one host."""

    host: str  # a key of HOSTS
    #: what is measured: "site bytes", "files", "entries" (files and folders) or "file bytes"
    measure: str
    most: int  # the largest figure the host takes
    shown: str  # the limit as the host's documentation states it: "1 GB", "25 MiB"
    rule: str  # the limit in a sentence, "{limit}" standing for it
    source: str  # the documentation that states it


LIMITS = (
    Limit("github-pages", "site bytes", 1 * GB, "1 GB",
          "a published site may be no larger than {limit}",
          "https://docs.github.com/en/pages/getting-started-with-github-pages/"
          "github-pages-limits"),
    # Only a push meets it (mkdocs gh-deploy); an Actions artifact has no per-file limit.
    Limit("github-pages", "file bytes", 100 * MiB, "100 MiB",
          "a push to GitHub refuses a file over {limit}, and mkdocs gh-deploy pushes the "
          "site to the gh-pages branch",
          "https://docs.github.com/en/repositories/working-with-files/managing-large-files/"
          "about-large-files-on-github"),
    Limit("gitlab-pages", "site bytes", 1 * GB, "1 GB",
          "a Pages site may be no larger than {limit}",
          "https://docs.gitlab.com/user/gitlab_com/#gitlab-pages"),
    Limit("gitlab-pages", "entries", 200_000, "200,000",
          "a Pages site may hold at most {limit} entries (files and folders)",
          "https://docs.gitlab.com/administration/instance_limits/"
          "#number-of-files-per-gitlab-pages-website"),
    Limit("cloudflare-pages", "files", 20_000, "20,000",
          "a site may hold at most {limit} files (paid plans: 100,000)",
          "https://developers.cloudflare.com/pages/platform/limits/#files"),
    Limit("cloudflare-pages", "file bytes", 25 * MiB, "25 MiB",
          "a file may be no larger than {limit}",
          "https://developers.cloudflare.com/pages/platform/limits/#file-size"),
)

#: how many of the files over a per-file limit a message names
NAMED = 3


def site_files(folder: str | os.PathLike[str]) -> list[SiteFile]:
    """Every file under ``folder`` (paths with "/", relative to it) and its size: one pass
    of ``os.scandir``, whose entries say without a system call which are folders. A link
    counts as what it points to (what an upload reads); a link to a folder is not entered,
    so a loop of links cannot hold the build."""
    found: list[SiteFile] = []
    folders = [(os.fspath(folder), "")]
    while folders:
        path, prefix = folders.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.is_file():
                    found.append((prefix + entry.name, entry.stat().st_size))
    return found


def summary(files: Sequence[SiteFile]) -> str:
    """``site: 82 files, 3.7 MB (the largest: 'assets/…', 1.0 MB)``"""
    if not files:
        return "site: no files"
    path, size = largest(files)
    count = f"{len(files):,} file{'s' if len(files) != 1 else ''}"
    return (f"site: {count}, {human(sum(s for _, s in files))} "
            f"(the largest: '{path}', {human(size)})")


def largest(files: Sequence[SiteFile]) -> SiteFile:
    """The largest file; of equal ones, the first by path (the same line every build)."""
    return min(files, key=lambda file: (-file[1], file[0]))


def human(size: int) -> str:
    """A size as the summary shows it, in decimal units like the hosts' "1 GB"."""
    if size < KB:
        return f"{size} bytes"
    for unit, name in ((GB, "GB"), (MB, "MB"), (KB, "KB")):
        if size >= unit:
            return f"{size / unit:.{2 if unit == GB else 1}f} {name}"
    raise AssertionError(size)  # unreachable: size >= KB


def check(files: Sequence[SiteFile], hosts: Iterable[str]) -> list[str]:
    """A warning for each limit of ``hosts`` that the site exceeds (none: it fits them)."""
    hosts = list(hosts)
    unknown = [host for host in hosts if host not in HOSTS]
    if unknown:
        raise ValueError(f"unknown host '{unknown[0]}': the known ones are {known()}")
    measures = _Measures(files)
    return [warning for limit in LIMITS if limit.host in hosts
            if (warning := _over(limit, measures)) is not None]


def fits(files: Sequence[SiteFile]) -> list[str]:
    """The hosts whose every limit the site keeps to."""
    measures = _Measures(files)
    return [host for host in HOSTS
            if not any(_over(limit, measures) for limit in LIMITS if limit.host == host)]


def known() -> str:
    return ", ".join(HOSTS)


class _Measures:
    """The site's figures, each computed once, when a limit first needs it."""

    def __init__(self, files: Sequence[SiteFile]) -> None:
        self.files = files
        self._bytes: int | None = None
        self._folders: int | None = None

    @property
    def bytes(self) -> int:
        if self._bytes is None:
            self._bytes = sum(size for _, size in self.files)
        return self._bytes

    @property
    def folders(self) -> int:
        """The folders under the site folder that hold its files (MkDocs leaves no empty
        one); GitLab counts them as entries too."""
        if self._folders is None:
            seen: set[str] = set()
            for path, _ in self.files:
                folder = path.rpartition("/")[0]
                while folder and folder not in seen:
                    seen.add(folder)
                    folder = folder.rpartition("/")[0]
            self._folders = len(seen)
        return self._folders


def _over(limit: Limit, site: _Measures) -> str | None:
    return _CHECKS[limit.measure](limit, site)


def _head(limit: Limit) -> str:
    """Which host, and its limit: "GitHub Pages (host: github-pages): a published site may
    be no larger than 1 GB (1,000,000,000 bytes)"."""
    exact = f" ({limit.most:,} bytes)" if limit.measure.endswith("bytes") else ""
    rule = limit.rule.format(limit=limit.shown + exact)
    return f"{HOSTS[limit.host]} (host: {limit.host}): {rule}"


def _site_bytes(limit: Limit, site: _Measures) -> str | None:
    if site.bytes <= limit.most:
        return None
    return f"{_head(limit)}; this site is {_in_unit(site.bytes, limit)}. {SMALLER_ARCHIVE}"


def _files(limit: Limit, site: _Measures) -> str | None:
    if len(site.files) <= limit.most:
        return None
    return f"{_head(limit)}; this site has {len(site.files):,} files. {SMALLER_ARCHIVE}"


def _entries(limit: Limit, site: _Measures) -> str | None:
    entries = len(site.files) + site.folders
    if entries <= limit.most:
        return None
    return (f"{_head(limit)}; this site has {entries:,} ({len(site.files):,} files in "
            f"{site.folders:,} folders). {SMALLER_ARCHIVE}")


def _file_bytes(limit: Limit, site: _Measures) -> str | None:
    over = sorted((file for file in site.files if file[1] > limit.most),
                  key=lambda file: (-file[1], file[0]))
    if not over:
        return None
    named = ", ".join(f"'{path}' is {_in_unit(size, limit)}" for path, size in over[:NAMED])
    more = f", and {len(over) - NAMED:,} more files are larger" if len(over) > NAMED else ""
    fix = SMALLER_FILE.format(it="it" if len(over) == 1 else "them")
    return f"{_head(limit)}; {named}{more}. {fix}"


def _in_unit(size: int, limit: Limit) -> str:
    """``size`` in the unit the limit is stated in, and exactly: just over "1 GB" must not
    read as "1.00 GB" alone."""
    unit, name = (MiB, "MiB") if limit.shown.endswith("MiB") else (GB, "GB")
    return f"{size / unit:.2f} {name} ({size:,} bytes)"


_CHECKS: dict[str, Callable[[Limit, _Measures], str | None]] = {
    "site bytes": _site_bytes, "files": _files, "entries": _entries, "file bytes": _file_bytes}

"""The archive pages in ``sitemap.xml``: MkDocs listed the pages it rendered (the shells
among them); the pages stamped from the shells are added where MkDocs would have listed
them, with their ``lastmod`` from the history, never the build's date.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from pathlib import Path
from urllib.parse import quote as urlquote

import markupsafe

from policy_history.site import pages
from policy_history.site.archive import Archive
from policy_history.site.stamp import ShellError


def extend_sitemap(site_dir: Path, archive: Archive) -> None:
    """MkDocs listed the shells' pages in the sitemap: add the pages stamped from them,
    in the order MkDocs lists pages (as if it had rendered each)."""
    path = site_dir / "sitemap.xml"
    if not path.is_file():
        return
    base = archive.loc_base
    if base is None:
        return
    # MkDocs lists a policy's pages in the order of its files: current, history, versions,
    # redlines. The shells are listed where they were added: moved to their policy's place
    # (after its current page, the only one of its pages MkDocs always renders).
    after: dict[str, list[tuple[str, str | None]]] = {}
    for history, planned in archive.plan.policies():
        after[base + urlquote(pages.page_url(history))] = archive.sitemap_entries(
            planned, base)
    shells = {base + group.first.url for group in archive.plan.groups.values()}
    text = sitemap_with(path.read_text("utf-8"), after=after, without=shells)
    newest = max((date or "" for entries in after.values() for _, date in entries), default="")
    path.write_text(text, encoding="utf-8")
    gz_path = site_dir / "sitemap.xml.gz"
    if gz_path.is_file():
        # MkDocs dates the archive by its newest page: now including the stamped ones
        stamp = int.from_bytes(gz_path.read_bytes()[4:8], "little")
        if newest:
            stamp = max(stamp, int(dt.datetime.fromisoformat(newest).replace(
                tzinfo=dt.timezone.utc).timestamp()))
        with gz_path.open("wb") as out, gzip.GzipFile(fileobj=out, filename=str(gz_path),
                                                       mode="wb", mtime=stamp) as gz:
            gz.write(text.encode("utf-8"))


_SITEMAP_ENTRY = re.compile(r"(\s*)(<url>\s*<loc>([^<]*)</loc>.*?</url>)", re.S)
_LASTMOD = re.compile(r"<lastmod>[^<]*</lastmod>")


def sitemap_with(sitemap: str, *, after: dict[str, list[tuple[str, str | None]]],
                 without: set[str]) -> str:
    """``sitemap`` without the entries of the addresses in ``without``, and with an entry
    for each (address, lastmod) of ``after[address]`` right after that address's entry,
    laid out like it (MkDocs' own sitemap template). One pass over the sitemap."""
    escaped_without = {_xml_escape(loc) for loc in without}
    escaped_after = {_xml_escape(loc): entries for loc, entries in after.items()}
    out: list[str] = []
    position = placed = 0
    for match in _SITEMAP_ENTRY.finditer(sitemap):
        out.append(sitemap[position:match.start()])
        position = match.end()
        space, entry, loc = match.groups()
        if loc in escaped_without:
            continue
        out.append(match.group(0))
        for new_loc, date in escaped_after.get(loc, ()):
            added = entry.replace(f"<loc>{loc}</loc>", f"<loc>{_xml_escape(new_loc)}</loc>", 1)
            if date is not None:
                added = _LASTMOD.sub(f"<lastmod>{date}</lastmod>", added, count=1)
            out.append(space + added)
        placed += loc in escaped_after
    if placed != len(after):
        raise ShellError(f"the sitemap lists {placed} of the {len(after)} pages the archive "
                         "pages follow")
    out.append(sitemap[position:])
    return "".join(out)


def _xml_escape(text: str) -> str:
    """As MkDocs' sitemap template escapes an address (``| e``)."""
    return str(markupsafe.escape(text))

"""Archived-version and redline pages written from one rendered page ("stamping").

A long history has thousands of these pages, and all the pages of one kind of one policy
share everything around their content: the theme's header, navigation, footer, scripts, and
every relative link (they sit at the same depth). MkDocs renders one of them — the *shell* —
with marker strings in the places that differ (title, description, canonical address, the
content); every other page of that kind is the shell with its own values put back in. A
test compares every stamped page with the page MkDocs renders itself, byte for byte.

Plain strings in and out: nothing here knows MkDocs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

#: Plain words: they pass Jinja's escaping and filters unchanged, and no policy says them.
TITLE_MARK = "PolicykitStampTitle9f2c"
DESCRIPTION_MARK = "PolicykitStampDescription9f2c"
BODY_MARK = "<!-- policykit:stamp-body 9f2c -->"


class ShellError(ValueError):
    """The rendered shell does not have the shape stamping relies on."""


@dataclass(frozen=True)
class Shell:
    """A rendered page cut at its content, with markers for what differs per page."""

    head: str  # everything before the content: title, description, canonical markers
    tail: str  # everything after it
    canonical: str  # the shell's own canonical address, as printed ('' if none)
    #: identifies the shell's markup (the theme, the site's settings, the navigation)
    digest: str

    @classmethod
    def from_output(cls, html: str, canonical: str) -> Shell:
        if html.count(BODY_MARK) != 1:
            raise ShellError("the content marker is missing or repeated; is the theme's "
                             "'content' block overridden?")
        head, tail = html.split(BODY_MARK)
        if TITLE_MARK in tail or DESCRIPTION_MARK in tail:
            raise ShellError("the title or description is printed after the content")
        if canonical and head.count(f'href="{canonical}"') != 1:
            raise ShellError("the canonical address is missing or repeated")
        digest = hashlib.sha256(f"{head}\0{tail}\0{canonical}".encode()).hexdigest()
        return cls(head, tail, canonical, digest)

    def page(self, *, title: str, description: str, canonical: str, body: str) -> str:
        """The page: ``title`` and ``description`` as HTML (already escaped), ``body`` the
        page's content HTML."""
        head = self.head.replace(TITLE_MARK, title).replace(DESCRIPTION_MARK, description)
        if self.canonical:
            head = head.replace(f'href="{self.canonical}"', f'href="{canonical}"', 1)
        return f"{head}{body}{self.tail}"


_URL_ENTRY = r"[ \t]*<url>\s*<loc>{loc}</loc>.*?</url>"


def sitemap_with(sitemap: str, after_loc: str, entries: list[tuple[str, str | None]]) -> str:
    """``sitemap`` with an entry for each (address, lastmod) added after the entry of
    ``after_loc``, in the same layout as that entry (MkDocs' own sitemap template)."""
    pattern = re.compile(_URL_ENTRY.format(loc=re.escape(_xml_escape(after_loc))), re.S)
    match = pattern.search(sitemap)
    if match is None:
        raise ShellError(f"the sitemap has no entry for {after_loc}")
    model = match.group(0)
    separator = sitemap[match.start() - 1] if match.start() else "\n"
    lastmod = re.compile(r"<lastmod>[^<]*</lastmod>")
    added = []
    for loc, date in entries:
        entry = model.replace(f"<loc>{_xml_escape(after_loc)}</loc>",
                              f"<loc>{_xml_escape(loc)}</loc>", 1)
        if date is not None:
            entry = lastmod.sub(f"<lastmod>{date}</lastmod>", entry, count=1)
        added.append(separator + entry)
    return sitemap[: match.end()] + "".join(added) + sitemap[match.end():]


def sitemap_without(sitemap: str, loc: str) -> str:
    """``sitemap`` without the entry of ``loc`` (a second shell of one kind of page)."""
    pattern = re.compile(r"\s*" + _URL_ENTRY.format(loc=re.escape(_xml_escape(loc))), re.S)
    return pattern.sub("", sitemap, count=1)


def _xml_escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))

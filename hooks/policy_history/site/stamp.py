"""Archived-version and redline pages written from one rendered page ("stamping").

A long history has thousands of these pages, and all the pages of one kind at one depth of
the site share everything around their content: the theme's header, navigation, footer,
scripts, and every relative link. MkDocs renders one of them — the *shell* — with marker
strings in the places that differ (title, description, canonical address, the policy's feed
links, the content); every other such page, of any policy, is the shell with its own values
put back in. A
test compares every stamped page with the page MkDocs renders itself, byte for byte.

Plain strings in and out: nothing here knows MkDocs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import markupsafe

#: Plain words: they pass Jinja's escaping and filters unchanged, and no policy says them.
TITLE_MARK = "PolicykitStampTitle9f2c"
DESCRIPTION_MARK = "PolicykitStampDescription9f2c"
BODY_MARK = "<!-- policy_history:stamp-body 9f2c -->"
#: where the page's policy's feed links go (the only part of the head that is the policy's)
FEEDS_MARK = "<!-- policy_history:stamp-feeds 9f2c -->"
#: where the page's policy's navigation goes (partials/policy-nav.html)
NAV_MARK = "<!-- policy_history:stamp-nav 9f2c -->"


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
        if TITLE_MARK in tail or DESCRIPTION_MARK in tail or FEEDS_MARK in tail \
                or NAV_MARK in tail:
            raise ShellError("the title, description or navigation is printed after the "
                             "content")
        if head.count(FEEDS_MARK) != 1:
            raise ShellError("the feed links' marker is missing or repeated; is the theme's "
                             "'extrahead' block overridden?")
        if head.count(NAV_MARK) != 1:
            raise ShellError("the navigation's marker is missing or repeated; is the theme's "
                             "'site_nav' block overridden?")
        if canonical and head.count(f'href="{canonical}"') != 1:
            raise ShellError("the canonical address is missing or repeated")
        digest = hashlib.sha256(f"{head}\0{tail}\0{canonical}".encode()).hexdigest()
        return cls(head, tail, canonical, digest)

    def relocated(self, shell_url: str, page_url: str,
                  relative: Callable[[str, str], str]) -> Shell:
        """The shell as a page at ``page_url`` would have it: the theme links to other
        pages relative to the page (``relative(target, page_url)``, MkDocs'
        ``get_relative_url``), and the navigation differs between policies."""
        def move(match: re.Match[str]) -> str:
            url = match.group(2)
            if not url or _ABSOLUTE.match(url):
                return match.group(0)
            path, sep, rest = _split_url(url)
            parts: list[str] = []
            for part in f"{shell_url.rsplit('/', 1)[0]}/{path}".split("/"):
                if part == "..":
                    if parts:
                        parts.pop()
                elif part not in ("", "."):
                    parts.append(part)
            target = "/".join(parts) + ("/" if path.endswith("/") and parts else "")
            return f"{match.group(1)}{relative(target, page_url)}{sep}{rest}{match.group(3)}"

        head = _LINK.sub(move, self.head)
        tail = _LINK.sub(move, self.tail)
        return Shell(head, tail, self.canonical, self.digest)

    def page(self, *, title: str, description: str, canonical: str, feeds: str, nav: str,
             body: str) -> str:
        """The page: ``title`` and ``description`` as HTML (already escaped), ``feeds`` its
        policy's feed links, ``nav`` its policy's navigation, ``body`` the page's content
        HTML."""
        head = (self.head.replace(TITLE_MARK, title).replace(DESCRIPTION_MARK, description)
                .replace(FEEDS_MARK, feeds, 1).replace(NAV_MARK, nav, 1))
        if self.canonical:
            head = head.replace(f'href="{self.canonical}"', f'href="{canonical}"', 1)
        return f"{head}{body}{self.tail}"


_LINK = re.compile(r"""(\b(?:href|src)=")([^"]*)(")""")
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|#)")


def _split_url(url: str) -> tuple[str, str, str]:
    """(path, separator, query-and-fragment) of a relative URL."""
    for index, char in enumerate(url):
        if char in "?#":
            return url[:index], char, url[index + 1:]
    return url, "", ""


def _xml_escape(text: str) -> str:
    """As MkDocs' sitemap template escapes an address (``| e``)."""
    return str(markupsafe.escape(text))

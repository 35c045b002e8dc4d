"""``versions.json``: every version of a policy, for consent records (docs/feeds.md).

Pure: takes a policy's history, its absolute addresses and the hashes of the versions'
rendered text; returns plain data and bytes. The format is described by
``docs/schemas/versions.schema.json``.

Two hashes per version, SHA-256 in lower-case hex:

* ``sha256.source``: the version's **source Markdown**, exactly the bytes published at
  ``urls.source`` (``…/versions/<id>/source.md``): the sections' Markdown with variables
  filled in, each without leading and trailing newlines, joined by one blank line, ending
  with one newline, encoded as UTF-8. It depends only on the commit.
* ``sha256.text``: the version's **rendered text** as its archived page shows it:
  :func:`rendered_text` of the sections' HTML. On the page, that is the text content of
  each ``<section class="policy-section">`` inside ``<div class="policy-text">``, without
  the ``<p class="policy-section__changed">`` mark and ``<a class="headerlink">`` anchors,
  every run of ASCII whitespace turned into one space and trimmed, sections joined by a
  line feed (no final one), encoded as UTF-8. It follows the site's Markdown settings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

from policy_history.change_stats import StatsOf
from policy_history.feeds import Addresses
from policy_history.model.timeline import PolicyHistory, Revision

MANIFEST_VERSION = 1
#: elements whose text is not the policy's: classes that mark page chrome
CHROME_CLASSES = frozenset({"headerlink", "policy-section__changed"})
_ASCII_WHITESPACE = re.compile(r"[ \t\n\f\r]+")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_bytes(revision: Revision) -> bytes:
    """The bytes ``sha256.source`` hashes, published as ``versions/<id>/source.md``."""
    return revision.text.markdown.encode("utf-8")


class _TextContent(HTMLParser):
    """The text content of an HTML fragment (like the DOM's ``textContent``), leaving out
    elements with a chrome class and everything inside them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []  # tags opened inside a left-out element
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        if self.skipping:
            self.open.append(tag)
            return
        classes = next((value or "" for name, value in attrs if name == "class"), "")
        if CHROME_CLASSES.intersection(classes.split()):
            self.skipping = 1
            self.open = [tag]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if not self.skipping or tag not in self.open:
            return
        while self.open:
            if self.open.pop() == tag:
                break
        if not self.open:
            self.skipping = 0

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


#: numeric character references to controls and noncharacters: Python's parser drops
#: them, an HTML5 parser (a browser) keeps the character (a parse error, not a removal)
_CHARREF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_KEPT_BY_BROWSERS = frozenset(
    [*range(0x01, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F, *range(0xFDD0, 0xFDF0),
     *(plane + low for plane in range(0, 0x110000, 0x10000) for low in (0xFFFE, 0xFFFF))])


def _browser_charrefs(html: str) -> str:
    """``html`` with the references a browser keeps and Python drops written out."""
    if "&#" not in html:
        return html

    def write_out(match: re.Match[str]) -> str:
        hexadecimal, decimal = match.groups()
        number = int(hexadecimal, 16) if hexadecimal else int(decimal)
        return chr(number) if number in _KEPT_BY_BROWSERS else match.group(0)

    return _CHARREF.sub(write_out, html)


#: a tag or a comment as serialised HTML writes them (quoted values may hold ">"); a
#: comment with "--" inside is left to the parser (Python versions end it differently)
_MARKUP = re.compile(r"""<!--(?:(?!--).)*-->|</?[a-zA-Z](?:[^>"']|"[^"]*"|'[^']*')*>""",
                     re.S)
#: elements whose text a parser reads raw (not as markup): left to the parser
_RAW_TEXT = re.compile(r"<(?i:script|style|textarea|title|xmp|iframe|noembed|noframes"
                       r"|noscript|plaintext)\b")


def visible_text(html: str) -> str:
    """An HTML fragment's text as a browser reads it (its ``textContent``), chrome left
    out, ASCII whitespace collapsed and trimmed."""
    html = _browser_charrefs(html)
    text = _quick_text(html)
    if text is None:
        text = _parsed_text(html)
    return _ASCII_WHITESPACE.sub(" ", text).strip(" ")


def _parsed_text(html: str) -> str:
    parser = _TextContent()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _quick_text(html: str) -> str | None:
    """The text between the tags of ``html`` when that is all its text content: no chrome,
    no raw-text element, and every "<" a tag or a comment (sanitised HTML: a rendered
    policy's). A third of the parser's time; None when the parser must read it."""
    if any(name in html for name in CHROME_CLASSES) or _RAW_TEXT.search(html):
        return None
    texts = _MARKUP.split(html)
    if any("<" in text for text in texts):
        return None
    # Each text on its own, as the parser unescapes them: a reference never spans a tag.
    return "".join(map(html_lib.unescape, texts)) if "&" in html else "".join(texts)


def joined_visible_text(parts: Iterable[str]) -> str:
    """The ``visible_text`` of pieces of HTML written one after the other, whitespace
    between them, from each piece's: a piece's elements close in it (the sanitiser
    balances its tags), so nothing the parser tracks reaches into the next piece."""
    return " ".join(part for part in parts if part)


def rendered_text(section_htmls: Sequence[str],
                  visible: Callable[[str], str] = visible_text) -> str:
    """The rendered text ``sha256.text`` hashes: each section's text, one per line."""
    return "\n".join(visible(html) for html in section_htmls)


def text_sha256(section_htmls: Sequence[str],
                visible: Callable[[str], str] = visible_text) -> str:
    """``visible``: ``visible_text``, or what gives the same text from another handle on
    each section (a memo by source: sections repeat across versions)."""
    return sha256(rendered_text(section_htmls, visible).encode("utf-8"))


def _moment(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def edition_record(revision: Revision, text_hash: str,
                   source_hash: str | None = None) -> dict[str, Any]:
    """One edition of a version: the version as it took effect, or an editorial revision
    of it (``note``), with the hashes of its text."""
    return {
        "id": revision.page_id,
        "published": _moment(revision.commit.committed),
        "commit": revision.commit.sha,
        "note": None if revision.is_version else revision.kind_note,
        "sha256": {"text": text_hash,
                   "source": source_hash or sha256(source_bytes(revision))},
    }


def version_record(history: PolicyHistory, version: Revision, addresses: Addresses,
                   text_hash: str, following: Revision | None,
                   source_hash: str | None = None, *,
                   edition_hash: Callable[[Revision], str],
                   stats: StatsOf | None = None) -> dict[str, Any]:
    """``edition_hash``: the ``sha256.text`` of an editorial revision's text (rendered
    as the version's page renders it); ``stats``: its changes against the version before
    it, in numbers."""
    assert version.effective is not None and version.version_id is not None
    until = None
    if following is not None and following.effective and following.effective > \
            version.effective:
        until = (following.effective - dt.timedelta(days=1)).isoformat()
    return {
        "id": version.version_id,
        "cite": f"{history.slug}@{version.version_id}",
        "state": history.state_of(version),
        "effective": version.effective.isoformat(),
        "in_force_until": until,
        "published": _moment(version.commit.committed),
        "summary": version.summary,
        "declared": version.reason == "declared",
        "commit": version.commit.sha,
        "urls": {
            "text": addresses.version(version),
            "history": f"{addresses.history}#v-{version.version_id}",
            "source": addresses.source(version),
            "redline": None if version is history.versions[0] else addresses.redline(version),
            "since": addresses.since(version),
        },
        "changes": None if stats is None or (found := stats(version)) is None
        else found.record(),
        "sha256": {
            "text": text_hash,
            "source": source_hash or sha256(source_bytes(version)),
        },
        "editions": [edition_record(version, text_hash, source_hash)] + [
            edition_record(revision, edition_hash(revision))
            for revision in history.editorial_after(version)],
        **_follows(history, version, addresses),
    }


def _follows(history: PolicyHistory, version: Revision, addresses: Addresses
             ) -> dict[str, Any]:
    """A translated version: the source version it follows (none for a source)."""
    links = history.translation
    follows = links.follows.get(version.number) if links else None
    if links is None or follows is None:
        return {}
    return {"follows": {"id": follows.version_id, "how": follows.how,
                        "url": addresses.site(f"{links.source}/versions/{follows.version_id}/")}}


def _language(history: PolicyHistory, addresses: Addresses) -> dict[str, Any]:
    """The policy's language, and a translation's source."""
    out: dict[str, Any] = {"language": history.language or None}
    links = history.translation
    if links is not None:
        out["translation_of"] = {
            "slug": links.source, "language": links.source_language,
            "url": addresses.site(f"{links.source}/"),
            "outdated": links.behind(history.shown.number),
        }
    if history.withdrawn is not None:
        out["withdrawn"] = {"date": history.withdrawn.day.isoformat(),
                            "commit": history.withdrawn.commit}
    return out


def manifest(history: PolicyHistory, addresses: Addresses,
             text_hashes: Mapping[str, str],
             source_hashes: Mapping[str, str] | None = None, *,
             edition_hash: Callable[[Revision], str],
             stats: StatsOf | None = None) -> dict[str, Any]:
    """``versions.json`` of a policy: every version, newest first. ``text_hashes`` maps
    each version id to its ``sha256.text`` (computed from its archived page);
    ``source_hashes`` to its ``sha256.source``, where already known; ``edition_hash``
    gives an editorial revision's ``sha256.text``."""
    versions = history.versions
    records = []
    for index, version in enumerate(versions):
        following = versions[index + 1] if index + 1 < len(versions) else None
        assert version.version_id is not None
        records.append(version_record(history, version, addresses,
                                      text_hashes[version.version_id], following,
                                      (source_hashes or {}).get(version.version_id),
                                      edition_hash=edition_hash, stats=stats))
    current = history.current
    return {
        "manifest_version": MANIFEST_VERSION,
        "policy": {
            "slug": history.slug,
            "title": history.text.title,
            "url": addresses.current,
            "history_url": addresses.history,
            "feeds": {"atom": addresses.atom, "json": addresses.json},
            **_language(history, addresses),
        },
        "current": current.version_id if current else None,
        "upcoming": [v.version_id for v in history.upcoming],
        "versions": list(reversed(records)),
    }


def dumps(data: Mapping[str, Any]) -> bytes:
    """The manifest's bytes: UTF-8 JSON, two-space indent, keys in a fixed order."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

"""What a visitor reads in each section, kept as a short digest, and one copy of each text.

Each section is reduced to its visible text (words and link targets) and then to a
digest of it: the model only ever compares fingerprints for equality, and a digest is 32
characters where the visible text was a second copy of every section. The digests of a
long history still take a few megabytes; its section texts would take gigabytes if every
revision kept its own copies, so ``SharedText`` keeps one object per distinct section.

Whether the *words* of a policy changed is a question about the whole text, across any
cut into sections (a heading made one level deeper moves where sections begin, not a
word). So each section also keeps a *signature* of its words alone and of its link
targets alone (``signature``): the signatures of texts written one after the other
combine into the signature of the whole (``joined_signature``), without keeping the text.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache
from typing import NamedTuple, Protocol

from policy_history.model.assemble import PolicyText, Section, link_definitions, standalone_source

Renderer = Callable[[str], str]
#: (section key, digest of its visible text) for each section, in order
Fingerprint = tuple[tuple[str, str], ...]

_TARGET = re.compile(r"""\b(?:href|src)=(["'])(.*?)\1""")
_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
#: tags inside a line of text: they separate no words ("**Be**nice" reads "Benice", and a
#: link put on words that were there changes none of them), where the others do
_INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|"
    r"span|strong|sub|sup|time|u|var|wbr)(?=[\s/>])[^>]*>", re.I)


#: What ``visible_text`` reads of a piece of HTML: its words (whitespace collapsed) and
#: its link and image targets.
VisibleParts = tuple[str, tuple[str, ...]]


def visible_parts(html: str) -> VisibleParts:
    """The words and targets of ``html``. The parts of HTML written one after the other
    (with whitespace between) are the parts of each, joined: no tag, entity or target
    reaches from one into the next, so a section's are its pieces' (``joined_visible``)."""
    targets = tuple(match.group(2) for match in _TARGET.finditer(html))
    if "<" in html:
        if "<!--" in html:
            html = _COMMENT.sub(" ", html)  # a reader never sees them, whatever they hold
        words = _TAG.sub(" ", _INLINE_TAG.sub("", html))
    else:
        words = html
    text = " ".join(html_lib.unescape(words).split())  # as re.sub(r"\s+", " ", …).strip()
    return text, targets


def joined_visible(parts: Iterable[VisibleParts]) -> str:
    """The visible text of pieces of HTML written one after the other."""
    texts: list[str] = []
    targets: list[str] = []
    for text, found in parts:
        if text:
            texts.append(text)
        targets.extend(found)
    words, links = " ".join(texts), " ".join(targets)
    return f"{words} \u2192 {links}" if links else words


def visible_text(html: str) -> str:
    """Rendered text reduced to its words plus link and image targets (a changed target is
    a change), with whitespace collapsed. Markup is left out on purpose: bold to plain, a
    tight list made loose or a list renumbered is formatting, not a change of what the
    policy says."""
    return joined_visible([visible_parts(html)])


#: signatures are polynomial hashes of the text's characters (UTF-32: base 2**32, one term
#: per character) modulo this 127-bit safe prime, in which 2 has an order of about 2**126
#: (a Mersenne prime would let characters 127 apart swap unnoticed)
_SIGNATURE_PRIME = 2**127 - 2721


def _hashed(text: str) -> tuple[int, int]:
    """A text's signature as numbers: its hash, and how many characters it covers."""
    return int.from_bytes(text.encode("utf-32-be"), "big") % _SIGNATURE_PRIME, len(text)


def signature(text: str) -> str:
    """``text`` as ``hash:length``: equal texts, equal signatures; a collision between
    two different texts is as unlikely as 1 in 2**126 for text not made to collide."""
    value, length = _hashed(text)
    return f"{value:x}:{length}"


@lru_cache(maxsize=4096)
def _shift(count: int) -> int:
    """What a signature's hash is multiplied by when ``count`` characters follow it."""
    return pow(2, 32 * count, _SIGNATURE_PRIME)


def _joined(hashes: Iterable[tuple[int, int]]) -> str:
    """The signature of the texts of ``hashes`` (as ``_hashed`` gives them) joined by
    single spaces, the empty ones left out."""
    value, length = 0, 0
    for hashed, count in hashes:
        if not count:
            continue
        if length:  # the space between: ord(" ") is 32
            value = (value * 2**32 + 32) % _SIGNATURE_PRIME
            length += 1
        value = (value * _shift(count) + hashed) % _SIGNATURE_PRIME
        length += count
    return f"{value:x}:{length}"


def joined_signature(signatures: Iterable[str]) -> str:
    """The signature of the non-empty texts of ``signatures`` joined by single spaces."""
    return _joined((int(hashed, 16), int(size)) for hashed, _, size in
                   (text.partition(":") for text in signatures))


#: the word signatures of pieces, kept: a section shares most of its pieces with the
#: same section in other versions, and combining signatures costs less than one of its
#: whole text
PIECE_SIGNATURE_MEMO_SIZE = 32768
_piece_hash = lru_cache(maxsize=PIECE_SIGNATURE_MEMO_SIZE)(_hashed)


def section_print(parts: Iterable[VisibleParts]) -> str:
    """What is kept of a rendered section (the visible parts of its pieces, in order):
    ``"<digest> <words signature> <targets signature>"`` (``PrintedText`` reads it). The
    words' signature is that of the pieces' non-empty texts joined by spaces, combined
    from each piece's (``joined_signature``)."""
    pieces = list(parts)
    words = _joined(_piece_hash(text) for text, _ in pieces if text)
    targets = " ".join(target for _, found in pieces for target in found)
    return f"{digest_of(joined_visible(pieces))} {words} {signature(targets)}"


class PrintedText(NamedTuple):
    """A policy text's fingerprint (each section's digest), and the signatures of its
    words and of its link targets as a whole."""

    sections: Fingerprint
    words: str
    targets: str


def digest_of(visible: str) -> str:
    """16 bytes of BLAKE2b of a visible text (a collision would hide one change, and is
    not a practical risk)."""
    return hashlib.blake2b(visible.encode(), digest_size=16).hexdigest()


def visible_digest(html: str) -> str:
    """A digest of ``visible_text``: equal exactly when the visible texts are."""
    return digest_of(visible_text(html))


class FingerprintStore(Protocol):
    """Standalone section source → its ``section_print``: a dict, or the on-disk
    policy_history.store.section_prints."""

    def get(self, source: str, /) -> str | None: ...

    def __setitem__(self, source: str, value: str, /) -> None: ...


class SectionFingerprints:
    """Fingerprints of policy texts, each distinct section rendered at most once.

    The page is rendered whole, so a ``[text][ref]`` link resolves against definitions
    anywhere in the policy: a section's fingerprint is that of its Markdown with all the
    policy's definitions appended (``PolicyText.standalone_sections``).
    """

    def __init__(self, render: Renderer, store: FingerprintStore | None = None) -> None:
        self.render = render
        self.store: FingerprintStore = {} if store is None else store
        #: (section Markdown, the policy's link definitions) → (digest, words signature,
        #: targets signature). Both keys are shared strings (SharedText) whose hashes
        #: Python keeps, so a section seen before costs a dict lookup, not a hash of it.
        self._prints: dict[tuple[str, str], tuple[str, str, str]] = {}
        self._definitions_in: dict[str, frozenset[str]] = {}  # section Markdown → its own
        self._definitions: dict[str, str] = {}  # one object per distinct definitions text

    def of(self, text: PolicyText) -> PrintedText:
        definitions = self._definitions_of(text.sections)
        sections = []
        words = []
        targets = []
        for section in text.sections:
            key = (section.markdown, definitions)
            printed = self._prints.get(key)
            if printed is None:
                source = standalone_source(section.markdown, definitions)
                value = self.store.get(source)
                if value is None:
                    value = section_print([visible_parts(self.render(source))])
                    self.store[source] = value
                digest, section_words, section_targets = value.split(" ")
                printed = self._prints[key] = (digest, section_words, section_targets)
            digest, section_words, section_targets = printed
            sections.append((section.key, digest))
            words.append(section_words)
            targets.append(section_targets)
        return PrintedText(tuple(sections), joined_signature(words), joined_signature(targets))

    def _definitions_of(self, sections: Iterable[Section]) -> str:
        """As ``PolicyText.link_definitions``, each section searched once per history."""
        found: set[str] = set()
        for section in sections:
            own = self._definitions_in.get(section.markdown)
            if own is None:
                own = self._definitions_in[section.markdown] = link_definitions(section.markdown)
            found.update(own)
        joined = "\n".join(sorted(found))
        return self._definitions.setdefault(joined, joined)


class SharedText:
    """One object per distinct section (and section text) across revisions.

    Consecutive revisions share most of their sections, and the model keeps every
    revision's text: without sharing, a history of 4,840 revisions held 280 million
    characters of section text for 84 million distinct ones. Shared objects also make the
    saved snapshot (policy_history.store.replays) smaller, as pickle writes an object once.
    """

    def __init__(self) -> None:
        self._sections: dict[Section, Section] = {}
        self._strings: dict[str, str] = {}

    def remember(self, texts: Iterable[PolicyText]) -> None:
        """Share with texts already in the model (after a snapshot is loaded, the latest
        revisions: the next commit's sections are mostly theirs)."""
        for text in texts:
            for section in text.sections:
                self._sections.setdefault(section, section)
                self._strings.setdefault(section.markdown, section.markdown)

    def share(self, text: PolicyText) -> PolicyText:
        sections = tuple(self._section(section) for section in text.sections)
        if all(new is old for new, old in zip(sections, text.sections, strict=True)):
            return text
        return replace(text, sections=sections)

    def _section(self, section: Section) -> Section:
        known = self._sections.get(section)
        if known is not None:
            return known
        # the same text at another line, or under another title: share the text alone
        markdown = self._strings.setdefault(section.markdown, section.markdown)
        if markdown is not section.markdown:
            section = replace(section, markdown=markdown)
        self._sections[section] = section
        return section

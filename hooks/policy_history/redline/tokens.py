"""Rendered HTML as a stream of tags and text, and the word tokens the diff compares.

Each word token carries the whitespace that follows it (compared loosely) and its *inline
context*: the start tags of the inline elements around it (``<a href=…>``, ``<em>``…).
The context is part of the token's key, so a changed link target or added emphasis is a
change, and it lets a deleted word be re-emitted with its old formatting. Block-level
("structural") tags are never part of a key; a word just before one gets a space, so that
words of two cells or paragraphs never run together when written elsewhere.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from typing import NamedTuple

TAG_RE = re.compile(r"<!--.*?-->|<![^>]*>|<\?[^>]*>|</?[A-Za-z][^>]*>", re.S)
NAME_RE = re.compile(r"</?\s*([A-Za-z][\w:-]*)")
PIECE_RE = re.compile(
    r"(&#?\w+;|[^\W_]+(?:['’.,:@/-][^\W_]+)*|_+|[^\w\s])(\s*)|(\s+)",
)
WORD_RE = re.compile(r"[^\W_]+(?:['’.,:@/-][^\W_]+)*")
WORDCHAR_RE = re.compile(r"[^\W_]")
SPACE_RE = re.compile(r"\s+")


def _words(text: str) -> list[str]:
    return text.split()


STRUCTURAL = frozenset(
    _words(
        "address article aside blockquote body caption center col colgroup dd details dialog dir "
        "div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html "
        "li main menu nav ol p pre section summary table tbody td tfoot th thead tr ul iframe "
        "video audio canvas noscript object math svg template textarea select option legend map "
        "output progress"
    )
)
VOID = frozenset(_words("area base br col embed hr img input link meta param source track wbr"))
RAW_TEXT = frozenset({"script", "style"})
#: Elements that may not hold text: stray text directly inside them is left unmarked.
NO_TEXT = frozenset(_words("ul ol dl table thead tbody tfoot tr colgroup select"))

# Item kinds.
OPEN, CLOSE, EMPTY, TEXT, RAW = range(5)


# Items and tokens are named tuples: immutable once made, and tuples of strings and numbers
# drop out of the garbage collector's sight, which matters as streams are kept for reuse.


class Item(NamedTuple):
    kind: int
    text: str  # the HTML written for it ("" for a word: its token has the text)
    name: str = ""
    structural: bool = False


#: The item of every word: one shared placeholder, as the word's token holds its text.
_WORD = Item(TEXT, "")


class Token(NamedTuple):
    key: object
    word: str  # HTML of the word, punctuation mark, entity or inline void tag ("" if space)
    space: str  # the whitespace after it
    item: int  # index of its stream item
    ctx: tuple[str, ...]  # start tags of the inline elements around it, outermost first
    words: int = 0  # 1 when it counts as a word in the statistics
    boundary: bool = False  # a block element ends or starts right after it
    detached: bool = False  # its space is written by the markup after it, not with it
    space_item: int = -1  # the stream item holding that space (-1: a block boundary)

    @property
    def text(self) -> str:
        return self.word + self.space


_make_token = tuple.__new__
assert Token._fields[-3:] == ("boundary", "detached", "space_item")  # the order made above


@dataclass
class Stream:
    items: list[Item] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)


@lru_cache(maxsize=4096)  # the same tags come back in every block
def tag_name(tag: str) -> str:
    match = NAME_RE.match(tag)
    return match.group(1).lower() if match else ""


def count_words(text: str) -> int:
    """Words in plain text, by the same rule the tokenizer uses."""
    return len(WORD_RE.findall(text))


@lru_cache(maxsize=16384)  # words come back all the time
def _counts(word: str) -> int:
    if word.startswith("&"):
        word = htmllib.unescape(word)
    return 1 if WORDCHAR_RE.search(word) else 0


class _Tokenizer:
    def __init__(self) -> None:
        self.stream = Stream()
        self.stack: list[tuple[str, bool, str]] = []  # name, structural, start tag
        self.ctx: tuple[str, ...] = ()
        self.boundary = -1  # item index of the first structural tag since the last token
        self.in_pre = 0

    def _refresh_ctx(self) -> None:
        self.ctx = tuple(text for _, structural, text in self.stack if not structural)
        self.in_pre = sum(1 for name, _, _ in self.stack if name == "pre")

    def tag(self, text: str) -> None:
        items = self.stream.items
        if text.startswith(("<!", "<?")):
            items.append(Item(RAW, text))
            return
        name = tag_name(text)
        structural = name in STRUCTURAL
        if structural and self.boundary < 0:
            self.boundary = len(items)
        if text.startswith("</"):
            items.append(Item(CLOSE, text, name, structural))
            for depth in range(len(self.stack) - 1, -1, -1):
                if self.stack[depth][0] == name:
                    del self.stack[depth:]
                    self._refresh_ctx()
                    break
        elif name in VOID or text.endswith("/>"):
            if structural:
                items.append(Item(EMPTY, text, name, True))
            else:
                key = "<br>" if name == "br" else SPACE_RE.sub(" ", text)
                self._token(key, text, "", Item(EMPTY, text, name, False))
        else:
            items.append(Item(OPEN, text, name, structural))
            self.stack.append((name, structural, text))
            self._refresh_ctx()

    def text(self, text: str, next_tag: str) -> None:
        if not text:
            return
        items = self.stream.items
        if self.stack and self.stack[-1][0] in NO_TEXT:
            items.append(Item(RAW, text))
            return
        if text.isspace():
            previous = items[-1] if items else None
            at_edge = previous is None or previous.structural or previous.kind == RAW
            if at_edge or tag_name(next_tag) in STRUCTURAL or not next_tag:
                items.append(Item(RAW, text))
                return
        pieces = PIECE_RE.findall(text)  # (word, space after it, lone space): "" if absent
        if not pieces[0][0]:
            # Space after a tag: it separates the previous word from the next one. (Only the
            # first piece can be one: every word takes the whitespace after it along.)
            alone = pieces.pop(0)[2]
            tokens = self.stream.tokens
            if tokens and self.boundary < 0 and not tokens[-1].space:
                tokens[-1] = tokens[-1]._replace(space=alone, detached=True, space_item=len(items))
            items.append(Item(RAW, alone))
            if not pieces:
                return
        self._words(pieces)

    def _words(self, pieces: list[tuple[str, str, str]]) -> None:
        """Tokens for words (each with its space), all in the same inline context."""
        if self.boundary >= 0:
            self._after_boundary()
        items = self.stream.items
        ctx, first = self.ctx, len(items)
        spaced = self.in_pre > 0  # in <pre>, spaces are part of the key
        # Made as plain tuples of the Token type (all fields given), without the named
        # tuple's own constructor: most of a block's tokens are words.
        self.stream.tokens.extend(
            [
                _make_token(Token, ((word, ctx, space if spaced else ""), word, space, n, ctx,
                                    _counts(word), False, False, -1))
                for n, (word, space, _) in enumerate(pieces, first)
            ]
        )
        items.extend(repeat(_WORD, len(pieces)))

    def _token(self, key: object, word: str, space: str, item: Item) -> None:
        self._after_boundary()
        self.stream.tokens.append(Token(key, word, space, len(self.stream.items), self.ctx))
        self.stream.items.append(item)

    def _after_boundary(self) -> None:
        """A token follows: the one before it, if any, ends where a block element edges."""
        tokens = self.stream.tokens
        if self.boundary >= 0 and tokens:
            last = tokens[-1]
            tokens[-1] = last._replace(boundary=True, space=last.space or " ",
                                       detached=last.detached or not last.space)
        self.boundary = -1


def tokenize(html: str) -> Stream:
    """Split rendered HTML into stream items and diffable tokens."""
    tok = _Tokenizer()
    pos = 0
    length = len(html)
    while pos < length:
        match = TAG_RE.search(html, pos)
        if match is None:
            tok.text(html[pos:], "")
            break
        tok.text(html[pos : match.start()], match.group())
        tag = match.group()
        tok.tag(tag)
        pos = match.end()
        name = tag_name(tag)
        if name in RAW_TEXT and not tag.startswith("</"):
            close = re.compile(rf"</{name}\s*>", re.I).search(html, pos)
            end = close.start() if close else length
            if end > pos:
                tok.stream.items.append(Item(RAW, html[pos:end]))
            pos = end
    return tok.stream


def plain_text(html: str) -> str:
    """Text of an HTML fragment (tags dropped, entities decoded)."""
    return htmllib.unescape(TAG_RE.sub(" ", html))

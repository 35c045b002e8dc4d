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


@dataclass(slots=True)
class Item:
    kind: int
    text: str
    name: str = ""
    structural: bool = False


@dataclass(slots=True)
class Token:
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


@dataclass
class Stream:
    items: list[Item] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)


def tag_name(tag: str) -> str:
    match = NAME_RE.match(tag)
    return match.group(1).lower() if match else ""


def count_words(text: str) -> int:
    """Words in plain text, by the same rule the tokenizer uses."""
    return len(WORD_RE.findall(text))


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
        for match in PIECE_RE.finditer(text):
            word, space, alone = match.group(1), match.group(2), match.group(3)
            if word is None:
                # Space after a tag: it separates the previous word from the next one.
                last = self.stream.tokens[-1] if self.stream.tokens else None
                if last is not None and self.boundary < 0 and not last.space:
                    last.space, last.detached, last.space_item = alone, True, len(items)
                items.append(Item(RAW, alone))
            else:
                key = (word, self.ctx, space if self.in_pre else "")
                self._token(key, word, space, Item(TEXT, word + space), _counts(word))

    def _token(self, key: object, word: str, space: str, item: Item, words: int = 0) -> None:
        stream = self.stream
        if self.boundary >= 0 and stream.tokens:
            last = stream.tokens[-1]
            last.boundary = True
            if not last.space:
                last.space = " "
                last.detached = True
        self.boundary = -1
        stream.tokens.append(Token(key, word, space, len(stream.items), self.ctx, words))
        stream.items.append(item)


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

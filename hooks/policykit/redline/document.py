"""A Markdown document as :class:`~policykit.redline.model.Block` objects, and their HTML.

Blocks render lazily through the caller's Markdown function, each distinct source once.
Recently parsed documents are kept by their text, immutable (see ``memo``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache

from policykit.redline.blocks import Splitter, normalise, plain_title
from policykit.redline.model import Block


@dataclass
class Document:
    """A Markdown document as blocks, plus its reference-link definitions."""

    blocks: list[Block]
    refdefs: dict[str, str]


KEY_PREFIX = {
    "heading": "h",
    "paragraph": "p",
    "list_item": "li",
    "table_header": "th",
    "table_row": "tr",
    "blockquote": "q",
    "code": "code",
    "html": "html",
    "hr": "hr",
    "admonition": "adm",
}


LABEL_RE = re.compile(r"\[([^\[\]]+)\]")


def _used_refs(text: str, refdefs: dict[str, str]) -> list[str]:
    """Labels of the reference definitions the text uses, in first-use order."""
    if not refdefs or "[" not in text:
        return []
    found = (normalise(label.lower()) for label in LABEL_RE.findall(text))
    return list(dict.fromkeys(label for label in found if label in refdefs))


#: The Block fields parsing fills in, in Block's order: cached blocks are kept as tuples
#: of these and built positionally (the fastest way), so the orders must agree.
SPEC_FIELDS = (
    "kind", "source", "key", "text", "index", "line", "depth", "list_type", "ordinal",
    "level", "title", "section", "group",
)  # fmt: skip
assert tuple(f.name for f in fields(Block))[: len(SPEC_FIELDS)] == SPEC_FIELDS
_BlockSpec = tuple[str, str, str, str, int, int, int, str, int, int, str, str, int]


@dataclass(frozen=True)
class _Parsed:
    specs: tuple[_BlockSpec, ...]
    refdefs: tuple[tuple[str, str], ...]


#: Documents parsed lately, by their text: a site diffs each version against several
#: others. Entries are immutable; every caller gets Blocks of its own.
PARSE_CACHE_SIZE = 8


def parse(markdown_text: str, html_for: Callable[[Block], str] | None = None) -> Document:
    """Split ``markdown_text`` into blocks; ``html_for`` renders a block (see render_block)."""
    parsed = _parse_cached(markdown_text)
    return Document(
        [Block(*spec, _html=html_for) for spec in parsed.specs], dict(parsed.refdefs)
    )


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse_cached(markdown_text: str) -> _Parsed:
    splitter = Splitter(markdown_text)
    specs = tuple(_specs(splitter))
    return _Parsed(specs, tuple(splitter.refdefs.items()))


def _specs(splitter: Splitter) -> Iterator[_BlockSpec]:
    raws = splitter.split()
    refdefs = splitter.refdefs
    section = ""
    group = 0
    counters: dict[int, int] = {}
    previous_kind = ""
    for index, raw in enumerate(raws):
        kind = raw.kind
        if kind == "list_item":
            if previous_kind != "list_item":
                group += 1
                counters = {}
            counters = {d: c for d, c in counters.items() if d <= raw.depth}
            counters[raw.depth] = counters.get(raw.depth, 0) + 1
        elif kind == "table_header" or (
            kind == "table_row" and previous_kind not in ("table_header", "table_row")
        ):
            group += 1
        title = ""
        if kind == "heading":
            section = title = plain_title(raw.title)
        if kind == "code":
            source = "\n".join(raw.lines)
            body = raw.body
        elif kind in ("table_row", "table_header"):
            source = "\n".join(raw.header + ([] if kind == "table_header" else raw.lines))
            body = raw.body
        else:
            source = "\n".join(raw.lines)
            body = normalise(raw.body)
        refs = _used_refs(source, refdefs) if refdefs else []
        if refs:
            source += "\n\n" + "\n".join(refdefs[label] for label in refs)
        if kind == "heading":
            key = f"h:{raw.level}:{body}"
        elif kind == "list_item":
            key = f"li:{raw.list_type}:{raw.depth}:{body}"
        else:
            key = f"{KEY_PREFIX[kind]}:{body}"
        if refs:
            key += "\x00" + "\x00".join(normalise(refdefs[label]) for label in refs)
        yield (
            kind,
            source,
            key,
            body,  # text
            index,
            raw.line + 1,  # line
            raw.depth,
            raw.list_type,
            counters.get(raw.depth, 0) if kind == "list_item" else 0,  # ordinal
            raw.level,
            title,
            section,
            group,
        )
        previous_kind = kind


LI_RE = re.compile(r"<li\b[^>]*>(.*)</li>", re.S)
THEAD_TR_RE = re.compile(r"<thead>\s*(<tr\b.*?</tr>)", re.S)
TBODY_TR_RE = re.compile(r"<tbody>\s*(<tr\b.*?</tr>)", re.S)


HEADERLINK_RE = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)


def extract(kind: str, html: str) -> str:
    """Cut a block's own element out of the renderer's output for its source (permalink
    anchors of headings left out: they are navigation, not text)."""
    html = HEADERLINK_RE.sub("", html).strip()
    if kind == "list_item":
        match = LI_RE.search(html)
        return f"<li>{match.group(1)}</li>" if match else html
    if kind in ("table_header", "table_row"):
        match = (THEAD_TR_RE if kind == "table_header" else TBODY_TR_RE).search(html)
        return match.group(1) if match else html
    return html


@lru_cache(maxsize=8192)
def _extracted(kind: str, html: str) -> str:
    """``extract`` kept across redlines: the same blocks come back in every redline of a
    policy (and the same string objects then hash and compare at once downstream)."""
    return extract(kind, html)


class BlockRenderer:
    """Renders blocks through the caller's Markdown function, each distinct source once."""

    def __init__(self, render: Callable[[str], str]) -> None:
        self._render = render
        self._cache: dict[tuple[str, str], str] = {}

    def __call__(self, block: Block) -> str:
        key = (block.kind, block.source)
        html = self._cache.get(key)
        if html is None:
            html = _extracted(block.kind, self._render(block.source))
            self._cache[key] = html
        return html

"""Bounds on policy text, checked before Python-Markdown sees it.

Python-Markdown is pure Python and trusts its input: lists nested a few hundred deep end
in a ``RecursionError`` (before 3.11) or are flattened without a word (since 3.11), and
its time grows with the square of some shapes of text. A
policy text is refused, with its file and line, when it is larger or deeper than any real
policy, or holds the shape that costs quadratic time:

* a file larger than :data:`MAX_FILE_BYTES`;
* lists or block quotes nested deeper than :data:`MAX_NESTING` (the deepest of the
  corpora's 60,000 file versions nests 16);
* brackets left open: each ``[``, ``<`` or ``](`` that nothing closes makes Python-Markdown
  read the rest of its paragraph again, so their count times the paragraph's length is
  bounded by :data:`MAX_RESCANNED` (the corpora's worst text reaches 14,000; at the limit
  a text renders in about a second).

The figures and the time each limit allows are in docs/bad-inputs.md.
"""

from __future__ import annotations

import re

from policy_history.errors import PolicyError

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_NESTING = 32
MAX_RESCANNED = 2_000_000

#: a line whose start is long enough to be nested deeper than MAX_NESTING (a level takes
#: one character at least); one character class, so the search never backtracks, after
#: the newline that ends the line before (a literal first character is found fast, where
#: a ``^`` anchor is tried at every position)
_LONG_LINE_START = re.compile(rf"\n[ \t>*+\-\d.)]{{{MAX_NESTING + 1},}}")
_LIST_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])[ \t]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BRACKET = re.compile(r"\]\(|[\[\]<>)]")
_CLOSES = {"[": "]", "<": ">", "](": ")"}


def check_size(data: bytes, file: str) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise PolicyError(
            f"this file is {len(data) / 1_048_576:.1f} MB; a policy file may be at most "
            f"{MAX_FILE_BYTES // 1_048_576} MB",
            file=file,
            fix="split the text into several fragments (policies/<name>/10-….md, 20-….md)",
        )


def check_markdown(text: str, file: str, first_line: int = 1) -> None:
    """Refuse ``text`` (which starts on ``first_line`` of ``file``) if it is deeper, or
    costlier to render, than policy text may be. A text found fine is remembered: the
    sections of a long history repeat from one revision to the next."""
    if text in _FINE:
        return
    _check_nesting(text, file, first_line)
    _check_open_brackets(text, file, first_line)
    if len(_FINE) >= 50_000:
        _FINE.clear()
    _FINE[text] = None


_FINE: dict[str, None] = {}


def _check_nesting(text: str, file: str, first_line: int) -> None:
    text = "\n" + text  # every line, the first too, after a newline
    if _LONG_LINE_START.search(text) is None:
        return
    fences = _fenced_spans(text)
    for match in _LONG_LINE_START.finditer(text):
        levels = _levels(match.group(0).lstrip("\n"))
        if levels <= MAX_NESTING or any(start <= match.start() < end for start, end in fences):
            continue  # code is shown as written, never nested
        raise PolicyError(
            f"this text is nested {levels} levels deep (lists, block quotes or indentation); "
            f"policy text may nest at most {MAX_NESTING}",
            file=file,
            line=first_line - 1 + text.count("\n", 0, match.start() + 1),
            fix="flatten the lists or quotes; for code, put it in a fenced block (```)",
        )


def _levels(start: str) -> int:
    """How many containers a line's start opens: block quotes, list items, and four
    columns of indentation each."""
    levels = 0
    spaces = 0
    position = 0
    while position < len(start):
        char = start[position]
        marker = _LIST_MARKER.match(start, position)
        if char == " ":
            spaces += 1
            if spaces == 4:
                levels, spaces = levels + 1, 0
            position += 1
            continue
        spaces = 0
        if char in ">\t":
            levels += 1
            position += 1
        elif marker:
            levels += 1
            position = marker.end()
        else:
            break
    return levels


def _fenced_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    opened: re.Match[str] | None = None
    for fence in _FENCE.finditer(text):
        if opened is None:
            opened = fence
        elif fence.group(1)[0] == opened.group(1)[0] \
                and len(fence.group(1)) >= len(opened.group(1)):
            spans.append((opened.start(), fence.end()))
            opened = None
    if opened is not None:
        spans.append((opened.start(), len(text)))
    return spans


def _check_open_brackets(text: str, file: str, first_line: int) -> None:
    openers = text.count("[") + text.count("<")
    if openers * len(text) <= MAX_RESCANNED:
        return  # even if none closed, the text is within the limit
    total = 0
    start = 0
    for separator in [*_BLANK_LINE.finditer(text), None]:
        end = separator.start() if separator else len(text)
        block = text[start:end]
        if "[" in block or "<" in block:
            total += _unclosed(block) * len(block)
        if total > MAX_RESCANNED:
            raise PolicyError(
                "this paragraph holds so many '[', '<' or '](' that nothing closes that "
                "rendering it would take minutes",
                file=file,
                line=first_line + text.count("\n", 0, start),
                fix="close each bracket, or write a literal one as '\\[' or '&lt;'",
            )
        start = separator.end() if separator else end


def _unclosed(block: str) -> int:
    """How many of the block's openers no later closer matches (read from the end)."""
    available = {"]": 0, ">": 0, ")": 0}
    unclosed = 0
    for match in reversed(_BRACKET.findall(block)):
        if match in available:
            available[match] += 1
            continue
        if match == "](":
            available["]"] += 1  # it closes a '[' too
        closer = _CLOSES[match]
        if available[closer]:
            available[closer] -= 1
        else:
            unclosed += 1
    return unclosed

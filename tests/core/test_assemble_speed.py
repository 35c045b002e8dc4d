"""The fast readings of a text (headings found over the whole text, link definitions, the
first heading from a prefix, bytes checked before decoding) give exactly what reading it
line by line gives: the line-by-line rules are kept here as the reference."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from policy_history.errors import PolicyError
from policy_history.model.assemble import (  # _plain: a heading's text, tested on its own
    Section,
    _plain,
    decode,
    first_heading,
    headings,
    link_definitions,
    split_sections,
    standalone_source,
)
from policy_history.model.layout import slugify_part

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.M)


def reference_headings(lines: Sequence[str]) -> Iterator[tuple[int, int, str, bool]]:
    fence: str | None = None
    for index, line in enumerate(lines):
        marker = _FENCE.match(line)
        if marker:
            if fence is None:
                fence = marker.group(1)[0] * 3
            elif line.strip().startswith(fence):
                fence = None
            continue
        if fence:
            continue
        atx = _ATX.match(line)
        if atx:
            yield index, len(atx.group(1)), atx.group(2), False
        elif (index and _SETEXT.match(line) and lines[index - 1].strip()
              and not _ATX.match(lines[index - 1])
              and (index < 2 or not lines[index - 2].strip())):
            yield index - 1, 1 if line.strip()[0] == "=" else 2, lines[index - 1], True


def reference_split(text: str, source: str, line_offset: int = 0) -> list[Section]:
    lines = text.split("\n")
    starts = [(index, _plain(heading)) for index, level, heading, _ in
              reference_headings(lines) if level <= 2]
    if not starts or starts[0][0] != 0:
        starts.insert(0, (0, ""))
    sections = []
    seen: dict[str, int] = {}
    for number, (start, heading) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        chunk = "\n".join(lines[start:end]).strip("\n")
        if not chunk.strip():
            continue
        key = slugify_part(heading) or "preamble"
        seen[key] = seen.get(key, 0) + 1
        key = key if seen[key] == 1 else f"{key}-{seen[key]}"
        sections.append(Section(key, heading or "Introduction", source,
                                start + 1 + line_offset, chunk + "\n"))
    return sections


def reference_first_heading(markdown: str) -> str | None:
    previous = ""
    for line in markdown.splitlines():
        atx = _ATX.match(line)
        if atx:
            return _plain(atx.group(2))
        if previous.strip() and _SETEXT.match(line):
            return _plain(previous)
        previous = line
    return None


def reference_definitions(markdown: str) -> frozenset[str]:
    return frozenset(match.group(0).strip() for match in _LINK_DEFINITION.finditer(markdown))


#: pieces of Markdown that matter to the rules, and line breaks of every kind
PIECES = ["#", "## ", "### T", " ", "   ", "    ", "\t", "=", "===", "-", "---", "```",
          "~~~", "``", "a", "Word", "[x]: http://e.org", "[y]:", " [z]: t", "*b*",
          "[l](u)", "_", "\n", "\n", "\n", "\n\n", "\r", "\r\n", "\x0c", "\u2028", "é", "\u3000"]
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@settings(max_examples=600, deadline=None)
@given(texts)
@example("```\n~~~\n# In code\n```\n# Out\n")  # a fence closes with its own character
@example("~~~~\n```\n~~~\nTitle\n---\n")
@example("# T\n\nA\nB\n---\n\nC\n===\n")  # a paragraph's last line is no heading
def test_headings_and_sections_as_read_line_by_line(text: str) -> None:
    lines = text.split("\n")
    assert list(headings(lines)) == list(reference_headings(lines))
    assert split_sections(text, "f.md", 3) == reference_split(text, "f.md", 3)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_link_definitions_and_first_heading_as_read_line_by_line(text: str) -> None:
    assert link_definitions(text) == reference_definitions(text)
    assert first_heading(text) == reference_first_heading(text)


@pytest.mark.parametrize("boundary", [8192, 8192 * 4, 8192 * 16])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_the_first_heading_far_down_a_long_text(boundary: int, newline: str) -> None:
    """Read from growing prefixes: a line cut by a prefix's end is read whole later."""
    for heading in (f"# A heading{newline}", f"A heading{newline}====={newline}"):
        for cut in range(len(heading) + 2):  # where the prefix ends, inside the heading
            start = boundary - cut
            text = "w" * (start - len(newline)) + newline + heading + "Text." + newline
            assert first_heading(text) == reference_first_heading(text) == "A heading", cut
    assert first_heading("w" * boundary) is None


def test_standalone_sources_append_every_definition() -> None:
    definitions = "[a]: https://a.example\n[b]: https://b.example"
    assert standalone_source("Text [x][a].\n", definitions) == (
        "Text [x][a].\n\n\n" + definitions + "\n")
    assert standalone_source("Text.\n", "") == "Text.\n"


@pytest.mark.parametrize(("data", "text"), [
    (b"\xef\xbb\xbfA\r\nB\rC\n", "A\nB\rC\n"),
    (b"A\r\n", "A\n"),
    ("Caf\u00e9\r\n".encode(), "Caf\u00e9\n"),
])
def test_decoding(data: bytes, text: str) -> None:
    assert decode(data, "f.md") == text


def test_decoding_refuses_binary_and_names_the_line_of_bad_utf8() -> None:
    with pytest.raises(PolicyError, match="binary"):
        decode(b"A\0B", "f.md")
    with pytest.raises(PolicyError, match="not UTF-8") as caught:
        decode(b"A\nB\n\xff\0", "f.md")  # not UTF-8 is said first, as before
    assert caught.value.line == 3

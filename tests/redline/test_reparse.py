"""A text parsed from the one parsed before it (``document._reparsed``) is parsed as it is
whole: the same lines, piece starts and placed pieces, on random documents with random
edits and on the revisions of real policies, and it takes over the pieces it can."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from itertools import pairwise

import pytest
from redline_helpers import git_show, git_versions

from policy_history.redline import document

#: lines documents are made of: every kind of block, and what runs on past a blank line
#: (open fences, raw HTML, indented code and list continuations)
LINES = [
    "# Terms", "## Data we keep", "### Cookies", "Words we write.", "More words here,",
    "and on the next line.", "- an item", "* another item", "1. first", "2. second",
    "  - nested item", "    indented code or continuation", "> a quote", "> more quote",
    "| name | use |", "|------|-----|", "| a | b |", "```", "```python", "~~~", "<div>",
    "</div>", "<!-- a comment", "-->", "!!! note", "    inside the note", "***", "Term",
    ": its definition", "", "", "", " ", "   ", "\u00a0", "Effective May 4, 2026",
]


def whole(text: str) -> document._Parsed:
    """``text`` parsed from scratch, as when no text came before it."""
    return document._parsed_whole(text)


def shape(parsed: document._Parsed) -> tuple[object, ...]:
    """What parsing gives, by value: each piece's blocks and where it is placed."""
    return ([(piece.specs, piece.groups, piece.section, index, line, groups)
             for piece, index, line, groups in parsed.pieces],
            parsed.lines, parsed.starts, parsed.firsts, parsed.refdefs)


def random_text(rng: random.Random, lines: int) -> str:
    return "\n".join(rng.choice(LINES) for _ in range(lines)) + "\n" * rng.randint(0, 2)


def edited(rng: random.Random, text: str) -> str:
    """``text`` with one to three random edits of lines or characters."""
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        at = rng.randrange(len(lines) + 1)
        kind = rng.choice(("insert", "delete", "replace", "character", "characters"))
        if kind == "insert":
            lines[at:at] = [rng.choice(LINES) for _ in range(rng.randint(1, 4))]
        elif kind == "delete":
            del lines[at:at + rng.randint(1, 4)]
        elif kind == "replace" and at < len(lines):
            lines[at] = rng.choice(LINES)
        text = "\n".join(lines)
        if kind.startswith("character") and text:
            at = rng.randrange(len(text) + 1)
            cut = rng.randint(0, 3) if kind == "characters" else 0
            text = text[:at] + rng.choice(("", " ", "\n", "\n\n", "x", "-", "`", "<")) + \
                text[at + cut:]
    return text


def checked_reparses(seed: int, most_lines: int, edit: Callable[[random.Random, str], str]
                     ) -> Iterator[tuple[str, document._Parsed, document._Parsed]]:
    """3,000 random texts of up to ``most_lines`` lines, each edited by ``edit`` and
    reparsed from the text before, checked against parsing it whole: each edited text, the
    parse of the text before, and the reparse."""
    rng = random.Random(seed)
    for case in range(3000):
        old = random_text(rng, rng.randint(0, most_lines))
        new = edit(rng, old)
        base = whole(old)
        again = document._reparsed(new, base)
        if again is None:  # only an empty text has nothing to take
            assert not old
            continue
        assert shape(again) == shape(whole(new)), (case, old, new)
        yield new, base, again


def test_random_edits_parse_as_the_whole_text() -> None:
    taken = sum(again.pieces[:1] == base.pieces[:1]
                for _, base, again in checked_reparses(20261208, 60, edited))
    assert taken > 1000  # the first pieces were taken over in most cases


def edited_in_place(rng: random.Random, text: str) -> str:
    """``text`` with one to six of its lines replaced, each by a random line or by itself
    with a character changed: as many lines as before, the edits far apart or not."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(lines))
        if rng.random() < 0.5:
            lines[at] = rng.choice(LINES)
        else:
            column = rng.randint(0, len(lines[at]))
            lines[at] = lines[at][:column] + rng.choice(("", " ", "x", "-", "`", "<", "|")) + \
                lines[at][column + rng.randint(0, 2):]
    return "\n".join(lines)


def _lookups(parse: Callable[[], object]) -> int:
    """How many pieces ``parse`` looked up (parsed, or found parsed before)."""
    before = document._piece.cache_info()
    parse()
    after = document._piece.cache_info()
    return after.hits + after.misses - before.hits - before.misses


def test_random_edits_in_place_parse_as_the_whole_text() -> None:
    reparsing = parsing = 0
    for new, base, _ in checked_reparses(20261209, 300, edited_in_place):
        reparsing += _lookups(lambda: document._reparsed(new, base))  # noqa: B023
        parsing += _lookups(lambda: whole(new))  # noqa: B023
    # random texts have long pieces (open fences and raw HTML run on): most of them hold
    # an edit, and the test of long texts below counts what is taken between edits
    assert reparsing < parsing


def test_edits_in_place_far_apart_take_over_the_pieces_between() -> None:
    paragraphs = [f"## Section {n}\n\nParagraph {n} says [this](https://example.com/{n}).\n\n"
                  f"- item {n}\n- item" for n in range(400)]
    old = "\n\n".join(paragraphs) + "\n"
    new = old
    for n in (20, 200, 380):  # a link signed anew in three places
        new = new.replace(f"example.com/{n})", f"example.com/{n}?sig=abc)")
    base = whole(old)
    again = document._reparsed(new, base)
    assert again is not None and shape(again) == shape(whole(new))
    # each changed piece and the one before it (its sentinel line), at each edit
    assert _lookups(lambda: document._reparsed(new, base)) <= 3 * 3
    kept = sum(a[0] is b[0] for a, b in zip(again.pieces, base.pieces, strict=True))
    assert kept >= len(base.pieces) - 3 * 2


def test_a_text_is_not_parsed_from_one_with_definitions_returns_or_tabs() -> None:
    base = whole("# Terms\n\nSee [the rules][rules].\n\n[rules]: https://example.com/\n")
    assert document._reparsed("# Terms\n\nSee the rules.\n", base) is None
    plain = whole("# Terms\n\nWords.\n")
    for text in ("# Terms\n\nWords [x]: y\n", "# Terms\r\n\r\nWords.\r\n", "#\tTerms\n"):
        assert document._reparsed(text, plain) is None


def test_a_one_line_edit_of_a_long_text_takes_over_its_other_pieces() -> None:
    paragraphs = [f"## Section {n}\n\nParagraph {n} says what it says.\n\n- item {n}\n- item"
                  for n in range(400)]
    old = "\n\n".join(paragraphs) + "\n"
    new = old.replace("Paragraph 200 says", "Paragraph 200 now says")
    base = whole(old)
    before = document._piece.cache_info()
    again = document._reparsed(new, base)
    after = document._piece.cache_info()
    assert again is not None and shape(again) == shape(whole(new))
    looked_up = after.hits + after.misses - before.hits - before.misses
    assert len(again.pieces) == len(base.pieces) == 800
    assert looked_up <= 3  # the changed piece and the one before it (its sentinel line)
    kept = sum(a[0] is b[0] for a, b in zip(again.pieces, base.pieces, strict=True))
    assert kept >= len(base.pieces) - 2


@pytest.mark.parametrize("path", ["Facebook/Privacy Policy.md", "Instagram/Terms of Service.md"])
def test_the_revisions_of_real_policies_parse_as_their_whole_texts(clone, path: str) -> None:
    repo = clone("ota-pga-versions")
    commits = git_versions(repo, path)[:80]
    texts = [git_show(repo, commit, path) for commit in commits]
    for old, new in pairwise(texts):
        again = document._reparsed(new, whole(old))
        assert again is not None and shape(again) == shape(whole(new))
    # and through the cache, each text from the one before it
    for text in texts:
        assert shape(document._parse_cached(text)) == shape(whole(text))

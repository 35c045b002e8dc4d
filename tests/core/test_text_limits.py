"""Bounds on policy text before Python-Markdown sees it (policy_history.model.text_limits): hostile
shapes are refused with their line, real text of every corpus passes."""

from __future__ import annotations

import subprocess

import markdown
import pytest

from policy_history.errors import PolicyError
from policy_history.model.text_limits import (
    MAX_FILE_BYTES,
    MAX_NESTING,
    MAX_RESCANNED,
    check_markdown,
    check_size,
)

FILE = "policies/terms.md"


def nested_list(depth: int) -> str:
    return "".join("    " * level + f"- item {level}\n" for level in range(depth))


def nested_quotes(depth: int) -> str:
    return "".join(">" * (level + 1) + f" line {level}\n" for level in range(depth))


def refusal(text: str, first_line: int = 10) -> PolicyError:
    with pytest.raises(PolicyError) as raised:
        check_markdown(text, FILE, first_line)
    assert raised.value.file == FILE and raised.value.fix
    return raised.value


@pytest.mark.parametrize("make", [nested_list, nested_quotes])
def test_nesting_up_to_the_limit_passes_and_renders(make) -> None:
    text = make(MAX_NESTING)
    check_markdown(text, FILE)
    html = markdown.markdown(text)
    assert f"item {MAX_NESTING - 1}" in html or f"line {MAX_NESTING - 1}" in html


@pytest.mark.parametrize("make", [nested_list, nested_quotes])
def test_nesting_past_the_limit_is_refused_at_its_line(make) -> None:
    error = refusal("Intro.\n\n" + make(MAX_NESTING + 10), first_line=10)
    assert error.problem.startswith(f"this text is nested {MAX_NESTING + 1} levels deep")
    assert error.line == 10 + 2 + MAX_NESTING  # the first line past the limit


def test_what_python_markdown_does_with_the_refused_nesting() -> None:
    """Why the limit: Python-Markdown cannot render 400 levels.

    Before 3.11 it ends in a RecursionError; since 3.11 it stops nesting near the recursion
    limit and puts the deeper items at the wrong level, without a word: a silently wrong page.
    """
    depth = 400
    try:
        html = markdown.markdown(nested_list(depth))
    except RecursionError:
        pass
    else:
        assert html.count("<ul>") < depth
    refusal(nested_list(depth))


@pytest.mark.parametrize("line", [
    "> " * 40 + "deep",
    "- " * 40 + "deep",
    "1. " * 40 + "deep",
    "\t" * 40 + "deep",
    ">" * 5000 + " deep",
])
def test_nesting_on_one_line_counts(line: str) -> None:
    assert refusal(f"First.\n\n{line}\n", first_line=1).line == 3


@pytest.mark.parametrize("line", [
    "-" * 80,  # a thematic break
    "*" * 80,
    "1." * 40,
    "> " * MAX_NESTING + "as deep as may be",
])
def test_long_line_starts_that_do_not_nest_pass(line: str) -> None:
    check_markdown(f"Text.\n\n{line}\n", FILE)


def test_fenced_code_is_not_nesting() -> None:
    code = "".join("    " * level + "{\n" for level in range(60))
    check_markdown(f"Example:\n\n```json\n{code}```\n\nAfter.\n", FILE)
    check_markdown(f"~~~\n{code}", FILE)  # a fence left open runs to the end
    refusal(f"```\nx\n```\n\n{nested_list(40)}")


@pytest.mark.parametrize("opener", ["[", "[word ", "<http ", "<a ", "[a](", "![", "[ \n"])
def test_brackets_nothing_closes_are_refused(opener: str) -> None:
    error = refusal("Intro.\n\n" + opener * 5_000 + "\n\nAfter.\n", first_line=3)
    assert "nothing closes" in error.problem
    assert error.line == 5


def test_brackets_that_close_pass_however_many() -> None:
    links = "".join(f"[link {n}](https://example.com/{n}) <b>bold</b> " for n in range(5_000))
    check_markdown(links, FILE)


def test_the_limit_is_on_unclosed_brackets_times_paragraph_length() -> None:
    paragraph = "word " * 20_000  # 100,000 characters
    allowed = MAX_RESCANNED // (len(paragraph) + 200)
    check_markdown("[" * allowed + paragraph, FILE)
    refusal("[" * (allowed * 2) + paragraph)
    # the same brackets spread over short paragraphs cost little
    check_markdown("\n\n".join(["[ word"] * (allowed * 2)), FILE)


def test_file_size_limit() -> None:
    check_size(b"x" * MAX_FILE_BYTES, FILE)
    with pytest.raises(PolicyError) as raised:
        check_size(b"x" * (MAX_FILE_BYTES + 1), FILE)
    assert "a policy file may be at most 8 MB" in raised.value.problem


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["basecamp-policies", "legalmattic", "ota-pga-versions",
                                  "mozilla-legal-docs"])
def test_every_version_of_every_corpus_file_passes(corpus, name: str) -> None:
    """The limits sit far above real policies: every Markdown file any commit of the
    corpora held passes (60,000 file versions)."""
    clone = corpus(name)
    listing = subprocess.run(["git", "rev-list", "--objects", "--all"], cwd=clone,
                             capture_output=True, text=True, check=True).stdout
    blobs = [line.split(" ", 1) for line in listing.splitlines()
             if " " in line and line.endswith(".md")]
    batch = subprocess.run(["git", "cat-file", "--batch"], cwd=clone, check=True,
                           input="".join(f"{sha}\n" for sha, _ in blobs).encode(),
                           capture_output=True).stdout
    position, checked = 0, 0
    for _sha, path in blobs:
        header_end = batch.index(b"\n", position)
        size = int(batch[position:header_end].split()[2])
        data = batch[header_end + 1: header_end + 1 + size]
        position = header_end + 2 + size
        check_size(data, path)
        check_markdown(data.decode("utf-8", "replace"), path)
        checked += 1
    assert checked > 100

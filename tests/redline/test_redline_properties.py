"""Properties of the redline on generated Markdown (hypothesis).

For any old and new document: dropping the insertions gives the old text, dropping the
deletions gives the new text; the HTML parses strictly and marks never wrap block
elements; identical inputs give an empty redline; the same inputs give the same bytes.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redline_helpers import check_redline, make_render

from policy_history.redline import diff_documents, render_inline

RENDER = make_render()
WORDS = [
    "we",
    "you",
    "data",
    "share",
    "collect",
    "policy",
    "Bluesky",
    "PBC",
    "may",
    "not",
    "the",
    "of",
    "information",
    "services",
    "partners",
    "delete",
    "keep",
    "days",
    "30",
]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

word = st.sampled_from(WORDS)


@st.composite
def phrase(draw: st.DrawFn, low: int = 1, high: int = 8) -> str:
    """Words with some inline Markdown: emphasis, links, code."""
    parts = []
    for _ in range(draw(st.integers(low, high))):
        text = draw(word)
        style = draw(st.sampled_from(["", "", "", "**", "*", "link", "code", "punct"]))
        if style in ("**", "*"):
            text = f"{style}{text} {draw(word)}{style}"
        elif style == "link":
            text = f"[{text} {draw(word)}](https://example.com/{draw(st.integers(1, 3))})"
        elif style == "code":
            text = f"`{text}`"
        elif style == "punct":
            text += draw(st.sampled_from([",", ".", ";", ":"]))
        parts.append(text)
    return " ".join(parts)


@st.composite
def block(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["p", "p", "p", "h", "setext", "ul", "ol", "table", "quote"]))
    if kind == "h":
        return "#" * draw(st.integers(1, 4)) + " " + draw(phrase(1, 4))
    if kind == "setext":
        title = draw(phrase(1, 3))
        return title + "\n" + draw(st.sampled_from(["=", "-"])) * 4
    if kind in ("ul", "ol"):
        lines = []
        for n in range(draw(st.integers(1, 4))):
            depth = draw(st.integers(0, 1)) if n else 0
            marker = draw(st.sampled_from(["-", "*"])) if kind == "ul" else f"{n + 1}."
            gap = draw(st.sampled_from([" ", "  "]))
            lines.append("    " * depth + marker + gap + draw(phrase(1, 6)))
        return "\n".join(lines)
    if kind == "table":
        width = draw(st.integers(2, 3))
        rows = [[draw(phrase(1, 2)) for _ in range(width)] for _ in range(draw(st.integers(2, 4)))]
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(1, "|" + "---|" * width)
        return "\n".join(lines)
    if kind == "quote":
        return "> " + draw(phrase(2, 8))
    return draw(phrase(2, 14))


documents = st.lists(block(), min_size=1, max_size=8)


@st.composite
def edited(draw: st.DrawFn, blocks: list[str]) -> list[str]:
    """A plausible next version: words changed, blocks added, removed, moved or split."""
    new = list(blocks)
    for _ in range(draw(st.integers(0, 4))):
        action = draw(
            st.sampled_from(["word", "word", "insert", "delete", "move", "split", "marker"])
        )
        if not new:
            new.append(draw(block()))
            continue
        n = draw(st.integers(0, len(new) - 1))
        words = new[n].split(" ")
        if action == "word":
            k = draw(st.integers(0, len(words) - 1))
            choice = draw(st.sampled_from(["swap", "add", "drop"]))
            if choice == "swap" and words[k] in WORDS:
                words[k] = draw(word)
            elif choice == "add":
                words.insert(k + 1, draw(word))
            elif len(words) > 2 and words[k] in WORDS:
                del words[k]
            new[n] = " ".join(words)
        elif action == "insert":
            new.insert(n, draw(block()))
        elif action == "delete":
            del new[n]
        elif action == "move":
            new.insert(draw(st.integers(0, len(new) - 1)), new.pop(n))
        elif (
            action == "split"
            and "\n" not in new[n]
            and new[n][:1] not in "#>|"
            and (len(words) > 3)
        ):
            k = draw(st.integers(1, len(words) - 2))
            new[n : n + 1] = [" ".join(words[:k]), " ".join(words[k:])]
        elif action == "marker":
            new[n] = new[n].replace("- ", "* ").replace("1. ", "1.  ")
    return new


def join(blocks: list[str]) -> str:
    return "\n\n".join(blocks) + "\n"


@SETTINGS
@given(st.data())
def test_properties_hold_on_generated_edits(data: st.DataObject) -> None:
    old = data.draw(documents)
    new = data.draw(edited(old))
    check_redline(join(old), join(new), RENDER)


@SETTINGS
@given(documents)
def test_identical_documents_give_an_empty_redline(blocks: list[str]) -> None:
    redline = check_redline(join(blocks), join(blocks), RENDER)
    assert redline.is_empty


@settings(max_examples=30, deadline=None)
@given(documents, documents)
def test_unrelated_documents_keep_the_properties(old: list[str], new: list[str]) -> None:
    check_redline(join(old), join(new), RENDER)


@settings(max_examples=30, deadline=None)
@given(documents, documents)
def test_same_inputs_give_the_same_bytes_in_a_fresh_renderer(
    old: list[str], new: list[str]
) -> None:
    first = render_inline(diff_documents(join(old), join(new), render=make_render()))
    second = render_inline(diff_documents(join(old), join(new), render=make_render()))
    assert first == second

"""Writing a block's HTML with ``<ins>``/``<del>`` marks that never cross a tag.

The output follows one side's markup (the *base*): its tags are copied as they are, marks
wrap only runs of text *inside* the innermost element, and text from the other side
(deleted words in the inline view) is put back where it was, between the base's tags,
re-opening its own inline formatting (links, emphasis) inside the current block element.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import escape

from policy_history.redline.tokens import CLOSE, OPEN, Stream, Token, tag_name

SR_TEXT = {
    "ins": "[inserted: ",
    "del": "[deleted: ",
    "moved-to": "[moved here: ",
    "moved-from": "[moved away: ",
}


# Kept: a few labels, written thousands of times. Typed: Markup is not escaped, an equal
# str is, so they must not share an entry.
@lru_cache(maxsize=64, typed=True)
def sr(text: str) -> str:
    return f'<span class="redline-sr">{escape(text)}</span>'


@dataclass(frozen=True)
class Mark:
    tag: str  # "ins" or "del"
    cls: str  # CSS classes


@dataclass
class Foreign:
    """Tokens of the other side, written as one marked run at a point of the base."""

    tokens: Sequence[Token]
    mark: Mark
    sr: str
    lead: str = ""  # a space written first, inside the mark


@dataclass
class Plan:
    """How to write a base stream: a mark per token, screen-reader groups, foreign runs."""

    marks: list[Mark | None]
    starts: dict[int, str] = field(default_factory=dict)  # token → screen-reader opening
    ends: set[int] = field(default_factory=set)  # tokens closing a screen-reader group
    foreign: dict[int, list[Foreign]] = field(default_factory=dict)  # stream position → runs
    spaces: dict[int, str] = field(default_factory=dict)  # token → HTML replacing its space
    lead: dict[int, str] = field(default_factory=dict)  # token → space written before it
    raw: dict[int, str] = field(default_factory=dict)  # stream item → HTML replacing it

    def group(
        self,
        tokens: Sequence[Token],
        first: int,
        last: int,
        mark: Mark,
        text: str,
        *,
        last_space: bool = True,
    ) -> None:
        """Mark tokens[first:last] as one group announced with ``text`` (``last_space``:
        mark the space after the group too, when it is written apart from the word)."""
        real = list(range(first, last))
        quiet = all(not tokens[n].word for n in real)
        used = Mark(mark.tag, mark.cls + " redline-ws") if quiet else mark
        for n in range(first, last):
            if self.marks[n] is None:
                self.marks[n] = used
            token = tokens[n]
            if token.space_item >= 0 and (last_space or n < last - 1):
                self.raw[token.space_item] = (
                    f'<{mark.tag} class="{mark.cls} redline-ws">{token.space}</{mark.tag}>'
                )
        if real and not quiet:
            self.starts[real[0]] = text
            self.ends.add(real[-1])


def _lcp(a: Sequence[str], b: Sequence[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _close(tags: Sequence[str]) -> str:
    return "".join(f"</{tag_name(t)}>" for t in reversed(tags))


def _open(mark: Mark) -> str:
    return f'<{mark.tag} class="{mark.cls}">'


def _open_before(stream: Stream, p: int) -> list[str]:
    """Start tags of the inline elements open just before stream item ``p``."""
    open_tags: list[str] = []
    for item in stream.items[:p]:
        if item.structural:
            continue
        if item.kind == OPEN:
            open_tags.append(item.text)
        elif item.kind == CLOSE:
            for depth in range(len(open_tags) - 1, -1, -1):
                if tag_name(open_tags[depth]) == item.name:
                    del open_tags[depth:]
                    break
    return open_tags


def common_context(tokens: Sequence[Token]) -> tuple[str, ...]:
    ctx = tokens[0].ctx
    for token in tokens[1:]:
        ctx = ctx[: _lcp(ctx, token.ctx)]
    return ctx


def place(stream: Stream, j: int, ctx: Sequence[str], *, after: bool = False) -> int:
    """Where text from the other side goes: before base token ``j`` (or after it), inside
    the same block element, stepping out of inline elements the text was not in."""
    items, tokens = stream.items, stream.tokens
    if not tokens:
        p = 0
        while p < len(items) and items[p].kind == OPEN and items[p].structural:
            p += 1
        return p
    if after or j >= len(tokens):
        p = tokens[min(j, len(tokens) - 1)].item + 1
        open_tags = _open_before(stream, p)
        while (
            p < len(items)
            and items[p].kind == CLOSE
            and not items[p].structural
            and _lcp(open_tags, ctx) < len(open_tags)
        ):
            open_tags.pop()
            p += 1
        return p
    p = tokens[j].item
    open_tags = _open_before(stream, p)
    while (
        p > 0
        and items[p - 1].kind == OPEN
        and not items[p - 1].structural
        and _lcp(open_tags, ctx) < len(open_tags)
    ):
        open_tags.pop()
        p -= 1
    return p


def write(stream: Stream, plan: Plan) -> str:
    """The base stream's HTML with the plan's marks and foreign runs in it."""
    out: list[str] = []
    append = out.append  # (locals throughout: this runs for every word of changed blocks)
    items, tokens = stream.items, stream.tokens
    marks, starts, ends, lead, spaces = plan.marks, plan.starts, plan.ends, plan.lead, plan.spaces
    raw, foreign = plan.raw, plan.foreign
    open_inline: list[str] = []
    current: Mark | None = None
    n = 0  # the next token: tokens are in stream order
    next_token_item = tokens[0].item if tokens else -1
    for p, item in enumerate(items):
        if p in foreign:
            if current is not None:
                append(_closing(current))
                current = None
            for run in foreign[p]:
                append(_foreign(run, open_inline))
        if p != next_token_item:
            if current is not None:
                append(_closing(current))
                current = None
            append(raw.get(p, item.text))
            if item.kind == OPEN and not item.structural:
                open_inline.append(item.text)
            elif item.kind == CLOSE and not item.structural:
                for depth in range(len(open_inline) - 1, -1, -1):
                    if tag_name(open_inline[depth]) == item.name:
                        del open_inline[depth:]
                        break
            continue
        token = tokens[n]
        mark = marks[n]
        if mark is not current and mark != current:  # identity first: mostly the same mark
            if current is not None:
                append(_closing(current))
            if mark is not None:
                append(_open(mark))
            current = mark
        if current is not None and n in starts:
            append(sr(starts[n]))
        if n in lead:
            append(lead[n])
        space = spaces.get(n)
        if space is None:
            space = "" if token.detached else token.space
        append(token.word + space)
        if n in ends and current is not None:
            append(_closing(current, end_group=True))
            current = None
        n += 1
        next_token_item = tokens[n].item if n < len(tokens) else -1
    if current is not None:
        append(_closing(current))
    for run in foreign.get(len(items), ()):
        append(_foreign(run, open_inline))
    return "".join(out)


def _closing(mark: Mark, end_group: bool = False) -> str:
    """The end of an open mark (and of its screen-reader group)."""
    return (sr("]") if end_group else "") + f"</{mark.tag}>"


def _foreign(run: Foreign, open_inline: list[str]) -> str:
    """A run of the other side's tokens, in their own inline formatting, all marked."""
    tokens = run.tokens
    real = list(tokens)
    if not real:
        return ""
    keep = min(_lcp(open_inline, t.ctx) for t in real)
    quiet = all(not t.word for t in real)
    mark = Mark(run.mark.tag, run.mark.cls + " redline-ws") if quiet else run.mark
    out = [_close(open_inline[keep:])]
    cur: tuple[str, ...] = ()
    marked = announced = False
    for token in tokens:
        want = token.ctx[keep:]
        if want != cur:
            if marked:
                out.append(f"</{mark.tag}>")
                marked = False
            common = _lcp(cur, want)
            out.append(_close(cur[common:]))
            out.extend(want[common:])
            cur = want
        if not marked:
            out.append(_open(mark))
            marked = True
            if not quiet and not announced:
                out.append(sr(run.sr))
                announced = True
                out.append(run.lead)
        out.append(token.text)
    if marked:
        if announced:
            out.append(sr("]"))
        out.append(f"</{mark.tag}>")
    out.append(_close(cur))
    out.extend(open_inline[keep:])
    return "".join(out)


INS = Mark("ins", "redline-ins")
DEL = Mark("del", "redline-del")

"""Word-level diff inside a changed block, and the plans that mark it.

The tokens of both blocks' rendered HTML are aligned with ``SequenceMatcher``
(``sequences``; sentence by sentence first when a block is huge), tidied so a rewritten
phrase reads as one deletion and one insertion, then turned into a
:class:`~policy_history.redline.markup.Plan` for :func:`~policy_history.redline.markup.write`.
"""

from __future__ import annotations

from collections.abc import Sequence

from policy_history.redline.markup import (
    DEL,
    INS,
    SR_TEXT,
    Foreign,
    Mark,
    Plan,
    common_context,
    place,
)
from policy_history.redline.sequences import SequenceMatcher
from policy_history.redline.tokens import Stream, Token

#: Above this many token pairs a block is first aligned sentence by sentence.
PAIR_LIMIT = 1_000_000
CLAUSE_END = frozenset({".", ";", ":", "!", "?"})

Opcode = tuple[str, int, int, int, int]


def _chunks(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for n, token in enumerate(tokens):
        if token.boundary or token.word in CLAUSE_END:
            bounds.append((start, n + 1))
            start = n + 1
    if start < len(tokens):
        bounds.append((start, len(tokens)))
    return bounds


def _match(a: Sequence[object], b: Sequence[object]) -> list[Opcode]:
    return list(SequenceMatcher(None, a, b, autojunk=False).get_opcodes())


def align(a: Sequence[Token], b: Sequence[Token]) -> list[Opcode]:
    """Opcodes turning tokens ``a`` into ``b``, tidied for people (see :func:`tidy`)."""
    ka = [t.key for t in a]
    kb = [t.key for t in b]
    if len(ka) * len(kb) <= PAIR_LIMIT:
        return tidy(_match(ka, kb), a, b)
    ca, cb = _chunks(a), _chunks(b)
    ops: list[Opcode] = []
    chunk_ops = _match([tuple(ka[s:e]) for s, e in ca], [tuple(kb[s:e]) for s, e in cb])
    for tag, i1, i2, j1, j2 in chunk_ops:
        a1 = ca[i1][0] if i1 < len(ca) else len(ka)
        a2 = ca[i2 - 1][1] if i2 > i1 else a1
        b1 = cb[j1][0] if j1 < len(cb) else len(kb)
        b2 = cb[j2 - 1][1] if j2 > j1 else b1
        if tag == "equal":
            ops.append(("equal", a1, a2, b1, b2))
        elif (a2 - a1) * (b2 - b1) <= PAIR_LIMIT:
            ops.extend(
                (t, x1 + a1, x2 + a1, y1 + b1, y2 + b1)
                for t, x1, x2, y1, y2 in _match(ka[a1:a2], kb[b1:b2])
            )
        else:
            ops.append(("replace", a1, a2, b1, b2))
    return tidy(ops, a, b)


def _words(tokens: Sequence[Token]) -> int:
    return sum(t.words for t in tokens)


def tidy(ops: list[Opcode], a: Sequence[Token], b: Sequence[Token]) -> list[Opcode]:
    """Merge changes separated only by spaces or punctuation (or one short word between
    two longer changes), so a rewritten phrase reads as one deletion and one insertion."""
    out: list[Opcode] = []
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal" and out and out[-1][0] != "equal" and n + 1 < len(ops):
            nxt = ops[n + 1]
            equal_words = _words(a[i1:i2])
            weak = nxt[0] != "equal" and equal_words == 0
            if nxt[0] != "equal" and equal_words == 1 and i2 - i1 <= 2:
                _, x1, x2, y1, y2 = out[-1]
                left = _words(a[x1:x2]) + _words(b[y1:y2])
                right = _words(a[nxt[1] : nxt[2]]) + _words(b[nxt[3] : nxt[4]])
                weak = min(left, right) >= 6
            if weak:
                tag = "replace"
        if out and tag != "equal" and out[-1][0] != "equal":
            _, x1, _, y1, _ = out[-1]
            out[-1] = ("replace", x1, i2, y1, j2)
        else:
            out.append((tag, i1, i2, j1, j2))
    result: list[Opcode] = []
    for tag, i1, i2, j1, j2 in out:
        if tag != "equal":
            tag = "replace" if i1 < i2 and j1 < j2 else ("delete" if i1 < i2 else "insert")
        result.append((tag, i1, i2, j1, j2))
    return result


def _space_fix(old: Token, new: Token, plan: Plan, j: int) -> None:
    """An equal word followed by a space on one side only: mark that space."""
    if bool(old.space) == bool(new.space):
        return
    if old.space:
        plan.spaces[j] = f'<del class="redline-del redline-ws">{old.space}</del>'
    elif not new.detached:
        plan.spaces[j] = f'<ins class="redline-ins redline-ws">{new.space}</ins>'
    elif new.space_item >= 0:  # written after a closing tag
        plan.raw[new.space_item] = f'<ins class="redline-ins redline-ws">{new.space}</ins>'


def plan_inline(old: Stream, new: Stream, ops: list[Opcode]) -> Plan:
    """Track changes on the new block: insertions marked, deletions put back in place."""
    a, b = old.tokens, new.tokens
    plan = Plan([None] * len(b))
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                _space_fix(a[i], b[j], plan, j)
            continue
        # The space after the word before this change belongs inside the change when it
        # exists on one side only (``Bluesky|, PBC`` → ``Bluesky| Social, PBC``).
        last = j1 - 1
        moved_space = last in plan.spaces and a[i1 - 1].space != b[last].space
        glued = j1 < len(b) and last >= 0 and b[j1].item == b[last].item + 1
        if i2 > i1:
            # A deletion at the end of an old cell or paragraph stays at the end of one.
            after = j1 == j2 and j1 > 0 and a[i2 - 1].boundary and b[j1 - 1].boundary
            where = place(new, j1 - 1 if after else j1, common_context(a[i1:i2]), after=after)
            run = Foreign(a[i1:i2], DEL, SR_TEXT["del"])
            if i1 > 0 and j1 > 0 and a[i1 - 1].space:
                if moved_space and where == b[last].item + 1:
                    run.lead = a[i1 - 1].space  # the old-only space goes inside the run
                    plan.spaces[last] = ""
                elif last not in plan.spaces:
                    synthetic = b[last].boundary and b[last].detached
                    if not b[last].space or (after and synthetic):
                        run.lead = " "  # the base writes no space before the run
            plan.foreign.setdefault(where, []).append(run)
        if j2 > j1:
            if moved_space and b[last].space and glued:
                plan.lead[j1] = b[last].space
                plan.spaces[last] = ""
            # A space both sides have after the change is not part of it.
            shared = i2 > i1 and bool(a[i2 - 1].space)
            plan.group(b, j1, j2, INS, SR_TEXT["ins"], last_space=not shared)
    return plan


def plan_side(tokens: Sequence[Token], ops: list[Opcode], side: str) -> Plan:
    """One column of the side-by-side view: only that side's own changes marked."""
    plan = Plan([None] * len(tokens))
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        if side == "old" and i2 > i1:
            plan.group(tokens, i1, i2, DEL, SR_TEXT["del"])
        if side == "new" and j2 > j1:
            plan.group(tokens, j1, j2, INS, SR_TEXT["ins"])
    return plan


def plan_moved(tokens: Sequence[Token], ops: list[Opcode], side: str) -> Plan:
    """A moved block, wholly marked; words also edited on the way keep the plain mark."""
    base = INS if side == "new" else DEL
    moved = Mark(base.tag, base.cls + " redline-moved")
    plan = Plan([None] * len(tokens))
    for tag, i1, i2, j1, j2 in ops:
        first, last = (j1, j2) if side == "new" else (i1, i2)
        for n in range(first, last):
            plan.marks[n] = moved if tag == "equal" else base
    real = list(range(len(tokens)))
    if real:
        plan.starts[real[0]] = SR_TEXT["moved-to" if side == "new" else "moved-from"]
        plan.ends.add(real[-1])
    return plan


def changed_words(a: Sequence[Token], b: Sequence[Token], ops: list[Opcode]) -> tuple[int, int]:
    """(words added, words removed) by the opcodes."""
    added = removed = 0
    for tag, i1, i2, j1, j2 in ops:
        if tag != "equal":
            removed += _words(a[i1:i2])
            added += _words(b[j1:j2])
    return added, removed

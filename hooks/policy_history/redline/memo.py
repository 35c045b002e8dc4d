"""What the redline keeps from one call to the next, and how to forget it.

A site computes thousands of redlines between the versions of a few documents, so the
redline keeps recent results in bounded LRU caches (``functools.lru_cache``): parsed
documents and pieces of documents, blocks' HTML, tokenized blocks, word diffs, word bags,
anchors' digests. Every cached function is pure (its result depends only on its
arguments, all strings or numbers), so a redline is the same whether its parts were kept
or computed afresh.
"""

from __future__ import annotations

from types import ModuleType

from policy_history.redline import (
    align,
    blocks,
    document,
    engine,
    markup,
    runs,
    text,
    tokens,
    views,
    words,
)

MODULES: tuple[ModuleType, ...] = (
    align, blocks, document, engine, markup, runs, text, tokens, views, words,
)  # fmt: skip


def clear_caches() -> None:
    """Forget every kept result (e.g. to free memory in a long-running process)."""
    for module in MODULES:
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()
    document.forget_last_parse()

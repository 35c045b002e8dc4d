"""The redline: a Markdown-aware track-changes diff between two versions of a policy.

    redline = diff_documents(old_md, new_md, render=markdown_to_html)
    render_inline(redline)          # track changes
    render_side_by_side(redline)    # old | new
    render_summary(redline)         # words added/removed, sections changed

The engine aligns blocks first (headings, paragraphs, list items, table rows, quotes, code),
then words inside changed blocks; see ``align`` and ``words``. Recent results are kept
between calls (see ``memo``). No MkDocs imports here.
"""

from __future__ import annotations

from policy_history.redline.engine import diff_documents
from policy_history.redline.memo import clear_caches
from policy_history.redline.model import Block, BlockChange, Redline, RedlineStats
from policy_history.redline.text import extract_text
from policy_history.redline.views import render_inline, render_side_by_side, render_summary

__all__ = [
    "Block",
    "BlockChange",
    "Redline",
    "RedlineStats",
    "clear_caches",
    "diff_documents",
    "extract_text",
    "render_inline",
    "render_side_by_side",
    "render_summary",
]

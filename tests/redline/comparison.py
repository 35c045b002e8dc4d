"""Our redline next to difflib, ``redlines`` and lxml's ``htmldiff`` on real policy changes.

Helpers only (the test is ``test_redline_comparison.py``; ``scripts/compare_redlines.py``
writes ``docs/redline-comparison.md`` from the same functions). For each change, every tool
gets the same two Markdown versions and we count the **words it marks as changed**: words
it shows as deleted plus words it shows as inserted. The yardstick is the **truth**:

* A *word* is a run of letters and digits, joined across ``'``, ``’``, ``.`` and ``-``
  (``don’t``, ``third-party``, ``bsky.app`` are one word each); punctuation is not a word.
* A document's *word sequence* is the words of its visible text, in order, as rendered by
  Python-Markdown (extensions ``tables``, ``attr_list``, ``toc``); block elements (``p``,
  ``li``, ``td``…) and ``<br>`` separate words, inline tags do not. Each word is paired with
  the target of the link it sits in (``None`` outside links), so a changed link target
  changes the words of that link.
* The truth is ``difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)``:
  the words of its ``delete`` and ``replace`` opcodes on the old side plus those of its
  ``insert`` and ``replace`` opcodes on the new side.

How each tool's marks are counted, with the same notion of a word:

* **ours**: words inside ``<ins>``/``<del>`` of ``render_inline``, leaving out the
  screen-reader labels (``.redline-sr``) and notes (``.redline-note``).
* **difflib**: ``difflib.unified_diff`` of the Markdown lines (``n=0``): the words on every
  ``-`` and ``+`` line.
* **redlines**: the source text of its deletions and the test text of its insertions
  (``Redlines.changes``, the spans its ``output_markdown`` wraps in ``<del>``/``<ins>``).
* **lxml**: words inside ``<ins>``/``<del>`` of ``lxml.html.diff.htmldiff`` run on the two
  rendered versions (including the ``Link: …`` text it adds for a changed ``href``).

Words counted in Markdown source (difflib, redlines) leave out link targets ``](…)``, HTML
tags and list markers at the start of a line, so markup is not counted as words.
"""

from __future__ import annotations

import difflib
import html as htmllib
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import groupby
from pathlib import Path

from lxml.html.diff import htmldiff
from redline_helpers import find_commit, git_show, git_versions
from redlines import Redlines

from policy_history.redline import diff_documents, render_inline

Render = Callable[[str], str]

#: A word: letters and digits, joined across apostrophes, full stops and hyphens.
WORD_RE = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Elements whose edges separate words.
BLOCK_TAGS = _names(
    "address article aside blockquote body br caption dd details div dl dt figcaption figure "
    "footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td "
    "tfoot th thead tr ul"
)
VOID_TAGS = _names("area base br col embed hr img input link meta param source track wbr")
RAW_TEXT_TAGS = frozenset(("script", "style"))
HIDDEN_CLASSES = frozenset(("redline-sr", "redline-note"))
MARK_TAGS = ("ins", "del")
#: Elements whose children must be specific elements, never a mark.
STRICT_PARENTS = _names("ul ol table thead tbody tfoot tr")

#: Markdown syntax that is not words: link targets, autolink brackets, tags, list markers.
_LINK_TARGET_RE = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK_RE = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
_LIST_MARKER_RE = re.compile(r"(?m)^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]+")

TOOLS = ("ours", "difflib", "redlines", "lxml")
TOOL_NAMES = {
    "ours": "ours",
    "difflib": "difflib (lines)",
    "redlines": "redlines",
    "lxml": "lxml htmldiff",
}


# --- words --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marked:
    """Words a tool shows as deleted and as inserted."""

    deleted: int
    inserted: int

    @property
    def total(self) -> int:
        return self.deleted + self.inserted


@dataclass
class _Run:
    text: str
    href: str | None  # target of the enclosing link
    mark: str | None  # "ins", "del" or None


class _RunParser(HTMLParser):
    """Visible text of an HTML fragment as runs, each with its link target and mark."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[_Run] = []
        self.stack: list[tuple[str, str | None, bool]] = []  # (tag, href, hidden)

    def _state(self) -> tuple[str | None, str | None, bool]:
        href = next((h for tag, h, _ in reversed(self.stack) if tag == "a"), None)
        mark = next((tag for tag, _, _ in reversed(self.stack) if tag in MARK_TAGS), None)
        hidden = any(hide for _, _, hide in self.stack)
        return href, mark, hidden

    def _break(self) -> None:
        href, mark, _ = self._state()
        self.runs.append(_Run(" ", href, mark))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self._break()
        if tag in VOID_TAGS:
            return
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        hidden = bool(classes & HIDDEN_CLASSES) or tag in RAW_TEXT_TAGS
        self.stack.append((tag, values.get("href") if tag == "a" else None, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break
        if tag in BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        href, mark, hidden = self._state()
        if not hidden:
            self.runs.append(_Run(data, href, mark))


def _runs(html: str) -> list[_Run]:
    parser = _RunParser()
    parser.feed(html)
    parser.close()
    return parser.runs


def visible_words(html: str) -> list[tuple[str, str | None]]:
    """The words of rendered HTML, each paired with the target of its link (or None)."""
    runs = _runs(html)
    text = "".join(run.text for run in runs)
    owner: list[int] = []  # run index of each character
    for n, run in enumerate(runs):
        owner.extend([n] * len(run.text))
    return [(m.group(), runs[owner[m.start()]].href) for m in WORD_RE.finditer(text)]


def marked_words(html: str) -> dict[str, list[str]]:
    """Words inside ``<ins>`` and inside ``<del>``: ``{"ins": [...], "del": [...]}``.

    Consecutive runs with the same mark are joined first, so a mark that spans inline tags
    (``<ins>a <a>b</a></ins>``) or a word split across two runs is counted once.
    """
    found: dict[str, list[str]] = {"ins": [], "del": []}
    for mark, group in groupby(_runs(html), key=lambda run: run.mark):
        if mark is not None:
            found[mark].extend(WORD_RE.findall("".join(run.text for run in group)))
    return found


def markdown_words(text: str) -> list[str]:
    """Words of Markdown source, leaving out link targets, tags and list markers."""
    text = _LINK_TARGET_RE.sub("]", text.replace("¶", "\n"))
    text = _AUTOLINK_RE.sub(r"\1", text)
    text = htmllib.unescape(_TAG_RE.sub(" ", text))
    return WORD_RE.findall(_LIST_MARKER_RE.sub("", text))


def _count(found: dict[str, list[str]]) -> Marked:
    return Marked(deleted=len(found["del"]), inserted=len(found["ins"]))


# --- the tools ----------------------------------------------------------------------------


def truth(old_html: str, new_html: str) -> Marked:
    """What actually changed: SequenceMatcher over the (word, link target) sequences."""
    old, new = visible_words(old_html), visible_words(new_html)
    deleted = inserted = 0
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            deleted += i2 - i1
            inserted += j2 - j1
    return Marked(deleted, inserted)


def run_ours(old: str, new: str, render: Render) -> tuple[str, Marked]:
    """Our inline redline (the whole document) and the words it marks."""
    html = str(render_inline(diff_documents(old, new, render=render)))
    return html, _count(marked_words(html))


def ours_excerpt(old: str, new: str, render: Render) -> str:
    """Only the changed blocks of our inline redline."""
    redline = diff_documents(old, new, render=render)
    return str(render_inline(redline, changes_only=True, context=0))


def run_difflib(old: str, new: str) -> tuple[str, Marked]:
    """A line diff of the Markdown (``unified_diff``, no context) and the words on its lines."""
    lines = list(
        difflib.unified_diff(old.splitlines(), new.splitlines(), "old", "new", n=0, lineterm="")
    )
    deleted = inserted = 0
    for line in lines[2:]:
        if line.startswith("-"):
            deleted += len(markdown_words(line[1:]))
        elif line.startswith("+"):
            inserted += len(markdown_words(line[1:]))
    return "\n".join(lines), Marked(deleted, inserted)


def run_redlines(old: str, new: str) -> tuple[str, Marked]:
    """``redlines`` on the Markdown (``<ins>``/``<del>`` style) and the words it marks."""
    result = Redlines(old, new, markdown_style="none")
    deleted = inserted = 0
    for change in result.changes:
        deleted += len(markdown_words(change.source_text or ""))
        inserted += len(markdown_words(change.test_text or ""))
    return result.output_markdown, Marked(deleted, inserted)


def run_lxml(old_html: str, new_html: str) -> tuple[str, Marked]:
    """lxml's ``htmldiff`` on the rendered versions and the words it marks."""
    html = htmldiff(old_html, new_html)
    return html, _count(marked_words(html))


# --- the real changes ---------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def whitespace_only_commit(repo: Path, path: str, lines: int) -> str:
    """The first commit that changed exactly ``lines`` lines of ``path``, whitespace only."""
    for commit in git_versions(repo, path)[1:]:
        stat = _git(repo, "diff", "--numstat", f"{commit}~1", commit, "--", path).split()
        if stat[:2] != [str(lines), str(lines)]:
            continue
        if not _git(repo, "diff", "-w", f"{commit}~1", commit, "--", path).strip():
            return commit
    raise AssertionError(f"no {lines}-line whitespace-only change of {path}")


@dataclass(frozen=True)
class Case:
    """A real change: found by a string it added or removed (``git log -S``)."""

    key: str
    corpus: str
    path: str
    what: str  # the change, in a sentence, read off ``git show``
    needle: str = ""  # a string the commit added or removed (oldest such commit)
    whitespace_lines: int = 0  # or: the first whitespace-only change of this many lines
    #: ours may mark at most this many words more than the truth
    tolerance: int = 2

    def commit(self, repo: Path) -> str:
        if self.whitespace_lines:
            return whitespace_only_commit(repo, self.path, self.whitespace_lines)
        return find_commit(repo, self.needle, self.path)


CASES = (
    Case(
        key="bluesky-pbc",
        corpus="ota-pga-versions",
        path="Bluesky/Privacy Policy.md",
        needle="how Bluesky Social, PBC d.b.a.",
        what="One word: “Bluesky, PBC” became “Bluesky Social, PBC”.",
    ),
    Case(
        key="list-markers",
        corpus="ota-pga-versions",
        path="Bluesky/Privacy Policy.md",
        whitespace_lines=131,
        what="Nothing a reader sees: the markers of 131 list items got wider spacing "
        "(`1. ` → `1.  `, `* ` → `*   `); `git diff -w` is empty.",
        tolerance=0,
    ),
    Case(
        key="basecamp-ip",
        corpus="basecamp-policies",
        path="privacy/index.md",
        needle="for all our apps except for HEY",
        what="IP-retention clarification: “for all our apps except for HEY,” and a new "
        "sentence on how long HEY keeps sign-up IP addresses.",
    ),
    Case(
        key="fedex",
        corpus="legalmattic",
        path="Terms of Service/WordPress.com/EN-Terms-of-Service.md",
        needle="If you ship with FedEx",
        what="FedEx shipping terms: in the list of carriers DHL moved first and FedEx was "
        "added; a new paragraph and five list items; the DHL paragraph split in two.",
    ),
    Case(
        key="link-target",
        corpus="ota-pga-versions",
        path="Bluesky/Privacy Policy.md",
        needle="Please [contact us](#contact) using",
        what="A changed link target only: “contact us” went from "
        "`https://bsky.social/about/support/contact` to `#contact`.",
    ),
    Case(
        key="table-cell",
        corpus="ota-pga-versions",
        path="YouTube/Content Monetisation Policy.md",
        needle="distress (including showing minors in distress)",
        what="One table cell: “distress” became “distress (including showing minors in "
        "distress)” in a 120 KB document.",
    ),
    Case(
        key="table-rows",
        corpus="legalmattic",
        path="Cookie-Policy.md",
        needle="LKQD",
        what="Table rows: the Facebook row removed, the Lotame row renamed LKQD, and a new "
        "Lotame row with another address.",
    ),
)


# --- one comparison -----------------------------------------------------------------------


@dataclass
class Comparison:
    """Every tool's marks (and output) on one real change."""

    case: Case
    commit: str
    date: str
    subject: str
    truth: Marked
    marked: dict[str, Marked]
    outputs: dict[str, str] = field(repr=False)
    ours_changes: str = field(repr=False, default="")
    old_html: str = field(repr=False, default="")
    new_html: str = field(repr=False, default="")

    def ratio(self, tool: str) -> str:
        """Words marked per word that changed, as shown in the table."""
        marked, truth_total = self.marked[tool].total, self.truth.total
        if truth_total == 0:
            return "exact" if marked == 0 else "∞"
        ratio = marked / truth_total
        return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:.0f}×"


def compare(case: Case, repo: Path, render: Render) -> Comparison:
    commit = case.commit(repo)
    old, new = git_show(repo, f"{commit}~1", case.path), git_show(repo, commit, case.path)
    old_html, new_html = render(old), render(new)
    date, _, subject = _git(repo, "log", "-1", "--format=%as %s", commit).strip().partition(" ")
    outputs: dict[str, str] = {}
    marked: dict[str, Marked] = {}
    outputs["ours"], marked["ours"] = run_ours(old, new, render)
    outputs["difflib"], marked["difflib"] = run_difflib(old, new)
    outputs["redlines"], marked["redlines"] = run_redlines(old, new)
    outputs["lxml"], marked["lxml"] = run_lxml(old_html, new_html)
    return Comparison(
        case=case,
        commit=commit,
        date=date,
        subject=subject,
        truth=truth(old_html, new_html),
        marked=marked,
        outputs=outputs,
        ours_changes=ours_excerpt(old, new, render),
        old_html=old_html,
        new_html=new_html,
    )


# --- excerpts -----------------------------------------------------------------------------

_MARK_RE = re.compile(r"<(ins|del)\b[^>]*>.*?</\1>", re.S)


_SPACE_RE = re.compile(r"\s")


def _in_tag(text: str, pos: int) -> bool:
    return text.rfind("<", 0, pos) > text.rfind(">", 0, pos)


def _snap_start(text: str, start: int, limit: int) -> int:
    """Move a cut forward (not past ``limit``) out of a tag and to the start of a word."""
    if start == 0:
        return 0
    if _in_tag(text, start):
        close = text.find(">", start)
        return close + 1 if 0 <= close < limit else start
    space = _SPACE_RE.search(text, start, limit)
    return space.end() if space else start


def _snap_end(text: str, end: int, limit: int) -> int:
    """Move a cut back (not before ``limit``) out of a tag and to the end of a word."""
    if end >= len(text):
        return len(text)
    if _in_tag(text, end):
        opening = text.rfind("<", limit, end)
        return opening if opening >= limit else end
    space = max(text.rfind(" ", limit, end), text.rfind("\n", limit, end))
    return space if space >= limit else end


def _windows(text: str, spans: Iterator[tuple[int, int]], around: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for mark_start, mark_end in spans:
        start = _snap_start(text, max(0, mark_start - around), mark_start)
        end = _snap_end(text, min(len(text), mark_end + around), mark_end)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def excerpt(text: str, *, around: int = 80, limit: int = 1200) -> str:
    """The parts of a tool's output around its ``<ins>``/``<del>`` marks, cut at ``limit``."""
    windows = _windows(text, (m.span() for m in _MARK_RE.finditer(text)), around)
    parts = []
    for start, end in windows:
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(text) else ""
        parts.append(prefix + text[start:end].strip("\n") + suffix)
    out = "\n\n".join(parts) if parts else "(nothing marked)"
    if len(out) > limit:
        out = out[:limit].rstrip() + f"\n… ({len(out) - limit} more characters)"
    return out


def line_excerpt(diff: str, *, limit_lines: int = 12, width: int = 300) -> str:
    """The first lines of a line diff, long lines cut at ``width`` characters."""
    lines = diff.splitlines()[2:]
    shown = [line if len(line) <= width else line[:width] + " …" for line in lines[:limit_lines]]
    if len(lines) > limit_lines:
        shown.append(f"… ({len(lines) - limit_lines} more lines)")
    return "\n".join(shown) if shown else "(no lines)"


# --- failure modes seen in the outputs ----------------------------------------------------

_REDLINES_IN_URL_RE = re.compile(r"\]\([^)\s]*<(?:ins|del)>")
_LXML_LINK_TEXT_RE = re.compile(r"<(ins|del)>(?:(?!</\1>).)*?\bLink: ", re.S)
_STRUCTURE_RE = re.compile(r"<(li|tr)\b")


def one_side(marked: str, drop: str) -> str:
    """``redlines``' Markdown without its ``<del>`` (or ``<ins>``) spans, other marks kept."""
    return re.sub(rf"<{drop}>.*?</{drop}>", "", marked, flags=re.S)


def structure(html: str) -> dict[str, int]:
    """How many list items and table rows an HTML fragment has."""
    found = {"li": 0, "tr": 0}
    for match in _STRUCTURE_RE.finditer(html):
        found[match.group(1)] += 1
    return found


class _NestingParser(HTMLParser):
    """Marks around block elements, or directly inside ``ul``/``ol``/``table``/``tr``.

    Read off the tags as written: an HTML parser would move (foster-parent) a mark it finds
    directly inside a table row, hiding the error.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in MARK_TAGS and self.stack and self.stack[-1] in STRICT_PARENTS:
            self.errors.append(f"<{tag}> directly inside <{self.stack[-1]}>")
        mark = next((t for t in reversed(self.stack) if t in MARK_TAGS), None)
        if mark and tag in BLOCK_TAGS and tag != "br":
            self.errors.append(f"<{tag}> inside <{mark}>")
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag) :]


def misplaced_marks(html: str) -> list[str]:
    """``<ins>``/``<del>`` around block elements or directly inside lists, tables and rows."""
    parser = _NestingParser()
    parser.feed(html)
    parser.close()
    return parser.errors


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def failure_modes(result: Comparison, render: Render) -> list[tuple[str, str]]:
    """Problems visible in the tools' outputs for this change: ``(tool, sentence)`` pairs.

    Checked, not assumed: marks in invalid places in the HTML of ours and lxml; lxml's
    "Link: …" text; ``redlines``' marks inside link targets, and the list items or table rows
    lost when its Markdown is rendered (each side: its output without the other side's
    spans, against that version).
    """
    found: list[tuple[str, str]] = []
    for tool in ("ours", "lxml"):
        errors = misplaced_marks(result.outputs[tool])
        if errors:
            found.append(
                (tool, f"{_n(len(errors), 'mark')} in invalid places (e.g. `{errors[0]}`)")
            )
    link_texts = len(_LXML_LINK_TEXT_RE.findall(result.outputs["lxml"]))
    if link_texts:
        targets = _n(link_texts, "link target")
        found.append(("lxml", f"writes {targets} into the text, as “Link: …”"))
    marked = result.outputs["redlines"]
    in_urls = len(_REDLINES_IN_URL_RE.findall(marked))
    if in_urls:
        found.append(("redlines", f"puts `<ins>`/`<del>` inside {_n(in_urls, 'link target')}"))
    for side, drop, html in (("new", "del", result.new_html), ("old", "ins", result.old_html)):
        got, want = structure(render(one_side(marked, drop))), structure(html)
        for tag, name in (("li", "list items"), ("tr", "table rows")):
            if got[tag] < want[tag]:
                found.append(
                    (
                        "redlines",
                        f"its Markdown without the `<{drop}>` spans renders {got[tag]} of the "
                        f"{side} version's {want[tag]} {name}",
                    )
                )
    return sorted(found, key=lambda item: TOOLS.index(item[0]))

"""The redline preview of a pull request (``scripts/preview``): per policy, what visitors will
see change, the sections touched and what the change declares.

Two outputs from one :class:`Preview`: GitHub-flavoured Markdown for a PR comment (bounded in
size, linking to the full redline) and a standalone HTML page. The redline itself comes from
:mod:`policy_history.redline`; without it (an older checkout) a plain line diff stands in.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from policy_history.editors.check import editorial_concern
from policy_history.editors.comparison import Comparison, PolicyChange
from policy_history.errors import PolicyError
from policy_history.model.dates import human_date
from policy_history.model.timeline import DECLARED, IMPORTED, MATERIAL, UNDECLARED, SectionChange


def _engine() -> Any:
    """The redline engine, or None where it is missing (a line diff then stands in)."""
    try:
        return importlib.import_module("policy_history.redline")
    except ImportError:  # pragma: no cover - the redline engine is part of the project
        return None


_redline: Any = _engine()

#: The first line of every preview comment: the workflow finds its own comment by it.
COMMENT_MARKER = "<!-- policy-history:preview -->"
#: GitHub refuses comments over 65,536 characters.
GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_MAX_CHARS = 60_000
#: the longest a title, a section's title or a path is shown in the comment, and the
#: longest summary, note or problem: the comment has a size limit and the redline comes
#: after them (the HTML page shows everything whole)
NAME_LIMIT = 200
TEXT_LIMIT = 1_000
#: sections named in the comment's list of those changed (the HTML page names all)
SECTIONS_LISTED = 30


@dataclass
class PolicyPreview:
    slug: str
    title: str
    path: str  # the policy's folder or file
    status: str  # "added", "changed" or "removed"
    #: "material", "editorial", "undeclared", "imported" (declares nothing) or "unchanged"
    #: (the rendered text is the same: formatting only); "" for a removed policy
    declaration: str
    effective: dt.date | None = None
    summary: str | None = None
    note: str | None = None
    metadata_file: str | None = None
    sections: tuple[SectionChange, ...] = ()
    words_added: int = 0
    words_removed: int = 0
    redline: Any = None  # a policy_history.redline.Redline
    old_markdown: str = ""
    new_markdown: str = ""


@dataclass
class Preview:
    base_label: str
    head_label: str
    policies: list[PolicyPreview] = field(default_factory=list)
    #: policies that cannot be read at head (shown instead of their redline)
    problems: list[PolicyError] = field(default_factory=list)
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).date())

    @property
    def is_empty(self) -> bool:
        return not self.policies and not self.problems


def build_preview(comparison: Comparison, render: Callable[[str], str]) -> Preview:
    assert comparison.base is not None, "a preview compares with a base"
    preview = Preview(comparison.base.label, comparison.head.label,
                      problems=list(comparison.site.errors))
    for change in comparison.changes:
        preview.policies.append(_policy_preview(change, render))
    return preview


def _anchor_prefix(slug: str) -> str:
    return "r-" + (re.sub(r"[^A-Za-z0-9]+", "-", slug).strip("-") or "policy")


def _policy_preview(change: PolicyChange, render: Callable[[str], str]) -> PolicyPreview:
    after, before = change.after, change.before
    path = change.layout.path + ("/" if change.layout.kind == "folder" else "") if change.layout \
        else (
        before.text.meta.file if before and before.text.meta.file else change.slug)
    if after is None:
        return PolicyPreview(change.slug, change.title, path, "removed", "")
    item = PolicyPreview(change.slug, change.title, path, change.status, "",
                         metadata_file=after.text.meta.file, sections=after.sections_changed,
                         old_markdown=before.text.markdown if before else "",
                         new_markdown=after.text.markdown)
    if after.reason == DECLARED:
        item.declaration = "material" if after.kind == MATERIAL else "editorial"
        item.effective, item.summary, item.note = after.effective, after.summary, after.note
    elif after.reason in (UNDECLARED, IMPORTED):
        item.declaration = "undeclared" if after.reason == UNDECLARED else "imported"
        item.effective = after.effective
    else:
        item.declaration = "unchanged"
    if _redline is not None:
        item.redline = _redline.diff_documents(item.old_markdown, item.new_markdown,
                                               render=render,
                                               anchor_prefix=_anchor_prefix(change.slug))
        item.words_added = item.redline.stats.words_added
        item.words_removed = item.redline.stats.words_removed
    return item


# -- repository text in GitHub Markdown ---------------------------------------------------
#
# Titles, summaries, notes, section titles, paths and problems come from whoever opened the
# pull request; the comment is what reviewers read to approve it. Each piece goes in as
# text that GitHub shows word for word and that can change nothing around it: no HTML (an
# unclosed "<!--" would hide the redline after it), no Markdown structure, one line.

#: characters that would break the line or reorder what follows it: control characters
#: (line feed, carriage return, tab, NEL …), the Unicode line and paragraph separators,
#: and the bidirectional embeddings, overrides and isolates
_LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
#: the ASCII punctuation that means something to GitHub's Markdown (emphasis, code, links,
#: strikethrough, math, tables, headings' closing "#"s, list markers), escaped with a
#: backslash (CommonMark reads \* as a plain *); <, > and & become character references, so
#: there is never raw HTML; full stops, commas, colons and quotes are left as they are
_MARKDOWN_ESCAPES = str.maketrans(
    {**{c: "\\" + c for c in "\\`*_[]()#+-!|~$"}, "<": "&lt;", ">": "&gt;", "&": "&amp;"})
#: "1." starts an ordered list where a line begins (a summary is the first thing on its line)
_LIST_NUMBER = re.compile(r"^([0-9]+)\.")
#: "@name" as GitHub reads a mention (not the @ of an e-mail address)
_MENTION = re.compile(r"(?<![\w`])@(?=\w)")


def _unmentioned(text: str) -> str:
    """``text`` with a zero-width space after the @ of each "@name": the bot's comment
    would otherwise notify that person or team."""
    return _MENTION.sub("@\u200b", text)


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (line breaks and other controls as spaces), at most ``limit``
    characters (cut with "…")."""
    flat = _LINE_BREAKING.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def markdown_text(text: str, limit: int = TEXT_LIMIT) -> str:
    """Repository text for the comment: shown as it is, on one line, and inert — every
    Markdown mark escaped, no HTML, no mention."""
    escaped = _unmentioned(one_line(text, limit)).translate(_MARKDOWN_ESCAPES)
    return _LIST_NUMBER.sub(r"\1\\.", escaped)


def markdown_code(text: str, limit: int = NAME_LIMIT) -> str:
    """Repository text as an inline code span (a path): fenced by more backticks than any
    run of them in the text, so the text cannot close it, and on one line."""
    flat = one_line(text, limit)
    fence = "`" * (max((len(run) for run in re.findall("`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""  # `` ` `` is one `
    return f"{fence}{pad}{flat}{pad}{fence}"


def _markdown_url(url: str) -> str:
    """A link target that cannot end the link early (spaces, parentheses, angle brackets,
    quotes, backticks and line breaks percent-encoded)."""
    return quote(url, safe=":/?#[]@!$&*+,;=%~")


# -- what a change declares, in words -----------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _when(day: dt.date | None, today: dt.date) -> str:
    if day is None:
        return ""
    return f"{human_date(day)}" + (" (upcoming)" if day > today else "")


def declaration_text(item: PolicyPreview, today: dt.date) -> str:
    """One plain sentence: what merging this change will publish (Markdown)."""
    if item.status == "removed":
        return "**Removed**: this policy's page will no longer be published."
    new = "New policy. " if item.status == "added" else ""
    if item.declaration == "material":
        return f"{new}**Material change**, effective **{_when(item.effective, today)}**."
    if item.declaration == "editorial":
        concern = editorial_concern(
            [SectionChange(c.key, markdown_text(c.title), c.change) for c in item.sections],
            item.words_added, item.words_removed)
        warning = (f" ⚠️ **Is it material?** It is declared editorial, but {concern}: an "
                   "editorial change does not change what the policy says. If this one does, "
                   "declare it with `effective:` and `summary:`.") if concern else ""
        return f"{new}**Editorial change** (does not move “Last updated”).{warning}"
    if item.declaration == "undeclared":
        where = markdown_code(item.metadata_file) if item.metadata_file \
            else "the policy's metadata"
        return (f"{new}⚠️ **Not declared**: the words changed, but no change entry was added "
                f"to {where}. Add one at the top of `changes:`; the check fails until then.")
    if item.declaration == "imported":
        return (f"{new}This policy declares no changes (no `changes:`): it is published as a "
                "version effective on the day it is merged.")
    return (f"{new}**Formatting only**: what visitors read does not change "
            "(published as an editorial revision).")


def sections_text(item: PolicyPreview, most: int | None = None) -> str:
    """The sections changed (Markdown): "*Cookies* (changed), *Rights* (added)"; the first
    ``most`` of them and how many more (None: all)."""
    shown = item.sections if most is None else item.sections[:most]
    listed = [f"*{markdown_text(s.title, NAME_LIMIT)}* ({s.change})" for s in shown]
    if len(item.sections) > len(shown):
        listed.append(f"{len(item.sections) - len(shown)} more")
    return ", ".join(listed)


# -- Markdown for a pull-request comment ---------------------------------------------------

#: HTML's void elements: no end tag, nothing inside
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
#: classes of elements left out with what they hold: screen-reader labels and heading
#: links, which GitHub (without our stylesheet) would show as text
_LEFT_OUT = frozenset({"redline-sr", "headerlink"})
#: attributes that only serve our stylesheet and anchors (GitHub drops most of them)
_DROPPED = frozenset({"class", "id", "title", "style"})


class _CommentHTML(HTMLParser):
    """Redline HTML rewritten as GitHub's comment renderer should get it: whatever the
    policy's text holds, every element is closed inside the redline (a stray ``</details>``
    cannot end ours early, an unclosed ``<details>`` cannot swallow what follows), there are
    no comments (an unclosed ``<!--`` would hide the rest of the comment), ``<details>`` is
    open (nothing changed is folded away from the reviewer) and text is escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        #: elements written and not yet closed, innermost last: (tag, what closes it)
        self.open: list[tuple[str, str]] = []
        self.left_out = 0  # depth inside an element left out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if self.left_out or classes & _LEFT_OUT:
            self.left_out += tag not in _VOID
            return
        if tag == "a" and any(c.startswith("redline-note") for c in classes):
            self.out.append("<em>(")  # a note ("Moved: see the new place"), as text
            self.open.append((tag, ")</em> "))
            return
        kept = [(name, value) for name, value in attrs
                if name not in _DROPPED and not name.startswith("data-")]
        if tag == "details" and not any(name == "open" for name, _ in kept):
            kept.append(("open", None))
        written = "".join(f" {name}" if value is None else f' {name}="{escape(value)}"'
                          for name, value in kept)
        self.out.append(f"<{tag}{written}>")
        if tag not in _VOID:
            self.open.append((tag, f"</{tag}>"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.left_out:
            self.left_out -= 1
            return
        tags = [name for name, _closer in self.open]
        if tag not in tags:
            return  # closes nothing the redline opened: dropped
        innermost = len(tags) - 1 - tags[::-1].index(tag)
        while len(self.open) > innermost:
            self.out.append(self.open.pop()[1])

    def handle_data(self, data: str) -> None:
        if not self.left_out:
            self.out.append(escape(_unmentioned(data), quote=False))

    def html(self) -> str:
        self.close()
        while self.open:
            self.out.append(self.open.pop()[1])
        return "".join(self.out)


def github_html(html: str) -> str:
    """Redline HTML as GitHub's comment renderer keeps it: ``<ins>``/``<del>`` stay; classes,
    ids and screen-reader labels (which GitHub would show as text) go; whatever the policy
    holds, nothing in it can reach outside the redline (:class:`_CommentHTML`); no blank or
    indented lines, which would end the HTML block or start a code block in Markdown."""
    parser = _CommentHTML()
    parser.feed(html)
    return "\n".join(line.strip() for line in parser.html().splitlines() if line.strip())


def _redline_markdown(item: PolicyPreview, changes: int | None = None) -> tuple[str, int]:
    """The policy's redline for the comment, cut after ``changes`` changes (None: all);
    returns the text and how many changes were left out."""
    redline = item.redline
    if redline is None:
        diff = "\n".join(difflib.unified_diff(item.old_markdown.splitlines(),
                                              item.new_markdown.splitlines(),
                                              "before", "after", lineterm="", n=1))
        lines = diff.splitlines()[2:]
        shown = lines if changes is None else lines[:changes]
        body = "\n".join(shown)
        # a fence longer than any run of backticks in the text: no line of it can close it
        fence = "`" * max(3, max((len(run) for run in re.findall("`+", body)), default=0) + 1)
        return f"{fence}diff\n{body}\n{fence}", len(lines) - len(shown)
    total = [n for n, block in enumerate(redline.blocks) if block.op != "equal"]
    if changes is None or changes >= len(total):
        cut, left = redline, 0
    else:
        end = total[changes - 1] + 1 if changes else 0
        cut = type(redline)(redline.blocks[:end], redline.stats, redline.anchor_prefix)
        left = len(total) - changes
    html = github_html(str(_redline.render_inline(cut, changes_only=True, context=1)))
    return html, left


def _count_changes(item: PolicyPreview) -> int:
    if item.redline is None:
        return len(item.new_markdown.splitlines()) + len(item.old_markdown.splitlines())
    return len([b for b in item.redline.blocks if b.op != "equal"])


def preview_markdown(preview: Preview, *, max_chars: int = DEFAULT_MAX_CHARS,
                     full_url: str | None = None, full_path: str | None = None) -> str:
    """The PR comment: a heading, then per policy its declaration and redline; at most
    ``max_chars`` characters, cutting redlines (with a pointer to the full HTML) to fit."""
    max_chars = min(max_chars, GITHUB_COMMENT_LIMIT)
    full = (f"[the full redline]({_markdown_url(full_url)})" if full_url
            else f"the full redline in {markdown_code(full_path)}" if full_path
            else "the full redline")
    head = [COMMENT_MARKER, "### Policy changes: redline preview", ""]
    head.append(f"Compared with {markdown_code(preview.base_label)}.")
    if preview.is_empty:
        head += ["", "Nothing to show: no policy text changes in this pull request."]
        return "\n".join(head) + "\n"
    changed = len(preview.policies)
    head[-1] += f" {changed} polic{'y' if changed == 1 else 'ies'} changed."
    if full_url or full_path:
        head[-1] += f" See {full} (HTML)."
    parts: list[str] = ["\n".join(head)]
    parts += [_problem(problem) for problem in preview.problems]
    intros = [_intro(item, preview.today) for item in preview.policies]
    footer = "\n<sub>Made by scripts/preview. Inserted words are underlined, deleted words " \
             "struck through.</sub>\n"
    room = max_chars - sum(len(p) + 2 for p in parts) - sum(len(i) + 2 for i in intros) \
        - len(footer) - 400
    for item, intro in zip(preview.policies, intros, strict=True):
        parts.append(intro)
        if item.status == "removed" or (item.redline is not None and item.redline.is_empty):
            continue
        body, left = _fit(item, room)
        if body is None:
            parts.append(f"_The redline is too long for a comment: see {full}._")
            continue
        room -= len(body)
        note = f"\n\n_… {_plural(left, 'more change')} not shown: see {full}._" if left else ""
        parts.append(f"<details open>\n<summary>Redline</summary>\n\n{body}\n\n</details>{note}")
    return "\n\n".join(parts) + "\n" + footer


def _problem(problem: PolicyError) -> str:
    """A policy that cannot be read at head, as a warning (its words are the repository's)."""
    where = f"{markdown_code(problem.location)}: " if problem.location else ""
    fix = f" — {markdown_text(problem.fix)}" if problem.fix else ""
    return f"> [!WARNING]\n> {where}{markdown_text(problem.problem)}{fix}"


def _intro(item: PolicyPreview, today: dt.date) -> str:
    """The policy's heading and what its change declares; every piece of the repository's
    text in it is :func:`markdown_text` or :func:`markdown_code`."""
    lines = [f"#### {markdown_text(item.title, NAME_LIMIT)}", "",
             f"{markdown_code(item.path)} · {declaration_text(item, today)}"]
    if item.summary:
        lines += ["", f"> {markdown_text(item.summary)}"]
    if item.note:
        lines += ["", f"Editorial note: {markdown_text(item.note)}"]
    facts = []
    if item.redline is not None and item.status != "removed":
        facts.append(f"{_plural(item.words_added, 'word')} added, {item.words_removed} removed")
    if item.sections:
        facts.append(f"Sections: {sections_text(item, most=SECTIONS_LISTED)}")
    if facts:
        lines += ["", " · ".join(facts)]
    return "\n".join(lines)


def _fit(item: PolicyPreview, room: int) -> tuple[str | None, int]:
    """The largest prefix of the redline (in changes) that fits in ``room`` characters."""
    body, left = _redline_markdown(item)
    if len(body) <= room:
        return body, left
    low, high, best = 1, _count_changes(item) - 1, None
    while low <= high:
        middle = (low + high) // 2
        body, left = _redline_markdown(item, middle)
        if len(body) <= room:
            best, low = (body, left), middle + 1
        else:
            high = middle - 1
    return best if best else (None, 0)


# -- standalone HTML -----------------------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Policy changes: {{ preview.head_label }} against {{ preview.base_label }}</title>
<style>
body { font: 16px/1.6 system-ui, sans-serif; color: #1b1b1f; background: #fff; margin: 0; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-top: 1px solid #ccc; padding-top: 1rem; }
code { background: #f2f2f5; padding: 0 .2em; border-radius: 3px; }
.status { padding: .6rem .8rem; border-left: 4px solid #3f51b5; background: #f4f5fb; }
.status.undeclared { border-color: #c62828; background: #fdecea; }
blockquote { margin: .5rem 0; padding-left: 1rem; border-left: 3px solid #ccc; color: #444; }
ins { background: #d6f5dd; color: #0b4d1c; text-decoration: underline; }
del { background: #fbdcdc; color: #7a1414; text-decoration: line-through; }
.redline-sr { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
.redline-block.redline-insert, .redline-block.redline-delete, .redline-block.redline-replace,
.redline-block.redline-move { border-left: 3px solid #f0b400; padding-left: .6rem; }
.redline-skip { color: #666; font-style: italic; margin: .5rem 0; }
.redline-note { font-size: .85em; margin-right: .4em; }
.redline-table { border-collapse: collapse; } .redline-table td, .redline-table th {
  border: 1px solid #ccc; padding: .2rem .4rem; }
.headerlink { display: none; }
pre.diff { background: #f6f6f6; padding: .8rem; overflow-x: auto; }
@media (prefers-color-scheme: dark) {
  body { background: #17171c; color: #e6e6ea; } code, pre.diff { background: #26262e; }
  .status { background: #22243a; } .status.undeclared { background: #3a1f1f; }
  ins { background: #143d1f; color: #c9f2d3; } del { background: #4a1c1c; color: #f6c9c9; }
  blockquote { color: #bbb; }
}
</style>
</head>
<body>
<main>
<h1>Policy changes</h1>
<p>Changes in {{ preview.head_label }}, compared with <code>{{ preview.base_label }}</code>.
Inserted words are <ins>underlined</ins>, deleted words <del>struck through</del>.</p>
{% for problem in preview.problems %}
<p class="status undeclared"><code>{{ problem.location }}</code>: {{ problem.problem }}
{%- if problem.fix %} — {{ problem.fix }}{% endif %}</p>
{% endfor %}
{% if preview.is_empty %}
<p>Nothing to show: no policy text changed.</p>
{% endif %}
{% for item in items %}
<section id="policy-{{ item.anchor }}">
<h2>{{ item.title }}</h2>
<p class="status {{ item.declaration }}"><code>{{ item.path }}</code> · {{ item.declared }}</p>
{% if item.summary %}<blockquote><p>{{ item.summary }}</p></blockquote>{% endif %}
{% if item.note %}<p>Editorial note: {{ item.note }}</p>{% endif %}
{% if item.sections %}<p>Sections: {{ item.sections }}</p>{% endif %}
{{ item.summary_html }}
{{ item.redline_html }}
</section>
{% endfor %}
</main>
</body>
</html>
"""

_MD_BOLD = re.compile(r"\*\*(.+?)\*\*")
_MD_EM = re.compile(r"\*(.+?)\*")
#: what markdown_text and markdown_code write: a code span (any number of backticks), a
#: backslash-escaped character, a character reference
_MD_LITERAL = re.compile(r"(?P<fence>`+)(?P<code>.+?)(?<!`)(?P=fence)(?!`)"
                         r"|\\(?P<escaped>[!-/:-@\[-`{-~])"
                         r"|(?P<reference>&(?:[A-Za-z]+|#[0-9]+);)")


def _literal_html(match: re.Match[str]) -> str:
    """A code span, an escaped character or a character reference as HTML in which no
    ``*`` is left for the bold and emphasis patterns to take."""
    if match["escaped"]:
        return f"&#{ord(match['escaped'])};"
    if match["reference"]:
        return match["reference"]
    code = match["code"]
    if code.startswith(" ") and code.endswith(" ") and code.strip():
        code = code[1:-1]
    return f"<code>{escape(code).replace('*', '&#42;')}</code>"


def _inline_markdown(text: str) -> Markup:
    """The Markdown of declaration_text and sections_text as HTML: our own marks (bold,
    emphasis, code) and the repository's text as markdown_text and markdown_code wrote it."""
    pieces, done = [], 0
    for match in _MD_LITERAL.finditer(text):
        pieces += [escape(text[done:match.start()], quote=False), _literal_html(match)]
        done = match.end()
    html = "".join([*pieces, escape(text[done:], quote=False)])
    html = _MD_BOLD.sub(r"<strong>\1</strong>", html)
    return Markup(_MD_EM.sub(r"<em>\1</em>", html))


def preview_html(preview: Preview) -> str:
    """A standalone page (no external assets): every changed policy's whole redline."""
    items = []
    for item in preview.policies:
        summary_html: Markup | str = ""
        redline_html: Markup | str = ""
        if item.status != "removed":
            if item.redline is not None:
                summary_html = _redline.render_summary(item.redline)
                redline_html = _redline.render_inline(item.redline)
            else:
                diff = "\n".join(difflib.unified_diff(item.old_markdown.splitlines(),
                                                      item.new_markdown.splitlines(),
                                                      "before", "after", lineterm=""))
                redline_html = Markup('<pre class="diff">{}</pre>').format(diff)
        items.append({
            "anchor": _anchor_prefix(item.slug),
            "title": item.title,
            "path": item.path,
            "declaration": item.declaration,
            "declared": _inline_markdown(declaration_text(item, preview.today)),
            "summary": item.summary,
            "note": item.note,
            "sections": _inline_markdown(sections_text(item)) if item.sections else "",
            "summary_html": summary_html,
            "redline_html": redline_html,
        })
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.from_string(_PAGE).render(preview=preview, items=items)

"""HTML views of a :class:`Redline`: inline track changes, side by side, and a summary.

Block HTML comes from the caller's Markdown renderer and is trusted; what callers give this
module (labels, anchor prefixes and suffixes) is escaped: the views' frames go through Jinja2
templates with autoescape on, and the markup around each block (thousands per big document)
is written here, anchors escaped, with tags, ops, kinds and classes from fixed vocabularies.
Lists and tables stay valid: list items are re-assembled into ``<ul>``/``<ol>`` (with
``value`` so numbers match each version) and table rows into ``<table>``; marks only ever
sit inside an ``<li>``/``<td>``, never around one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from policy_history.redline.document import Piece, placed_blocks
from policy_history.redline.folds import Fold, NewSections, changes_with_folds
from policy_history.redline.markup import DEL, INS, SR_TEXT, Mark, sr
from policy_history.redline.model import Block, BlockChange, EqualSteps, Redline
from policy_history.redline.runs import EqualRun, anchor, piece_digests
from policy_history.redline.text import extract_text, mark_all

TEMPLATES = Path(__file__).resolve().parent / "templates"
HEADING_ID_RE = re.compile(r"(<h[1-6]\b[^>]*?)\s+id=\"[^\"]*\"")
OUTER_RE = re.compile(r"^\s*<(li|tr)\b[^>]*>(.*)</\1>\s*$", re.S)
FIRST_CELL_RE = re.compile(r"<t[dh]\b[^>]*>")
HTML_SPECIAL_RE = re.compile(r"[&<>'\"]")  # what markupsafe's escape replaces


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


_BODY = "<redline-body/>"  # where the body goes: escaped values can never contain a "<"


@lru_cache(maxsize=64, typed=True)  # typed: Markup labels are not escaped, equal strs are
def _frame(template: str, **values: object) -> tuple[str, str]:
    """A view's template rendered once around a placeholder body: the HTML before the
    body and after it. Views are big (a megabyte): this copies them once, not four times."""
    html = _env().get_template(template).render(body=Markup(_BODY), **values)
    before, after = html.split(_BODY)
    return before, after


# The markup around blocks, written directly: a template call per block cost more than the
# rest of the view. Anchors and move peers carry the caller's prefix and suffix and are
# escaped; tags, ops, kinds and classes come from this package's own fixed vocabularies.


def _escaped(text: str) -> str:
    """``escape(text)``, without its cost for the usual text that has nothing to escape."""
    return str(escape(text)) if HTML_SPECIAL_RE.search(text) else text


def _block_open(
    tag: str, anchor: str, op: str, kind: str, classes: str = "", value: int | None = None,
    old: str = "",
) -> str:
    extra = f" {classes}" if classes else ""
    number = f' value="{value}"' if value else ""
    return (
        f'<{tag} id="{_escaped(anchor)}" class="redline-block redline-{op} redline-kind-{kind}'
        f'{extra}"{number}{old}>'
    )


def _old_frame(change: BlockChange) -> str:
    """How the old block of an unchanged or replaced block was framed, where that differs
    from the new one the inline view shows: its kind, heading level, list and number, and
    where a merged paragraph broke. Data attributes (usually none) for the side-by-side
    view, which a site may build from the inline view instead of shipping both."""
    old, new = change.old, change.new
    if old is None or new is None or change.op not in ("equal", "replace"):
        return ""
    attrs = []
    if old.kind != new.kind:
        attrs.append(f' data-old-kind="{old.kind}"')
    if old.kind == "heading" and (new.kind != "heading" or old.level != new.level):
        attrs.append(f' data-old-level="{old.level}"')
    if old.kind == "list_item":
        tag = old.list_type or "ul"
        same_list = (new.kind == "list_item" and (new.list_type or "ul") == tag
                     and new.depth == old.depth)
        if not same_list:
            attrs.append(f' data-old-list="{tag} {old.depth}"')
        if tag == "ol" and not (same_list and new.ordinal == old.ordinal):
            attrs.append(f' data-old-number="{old.ordinal}"')
    if change.note == "merged":
        attrs.append(f' data-old-break="{_break(change.old_marked_html)}"')
    return "".join(attrs)


def _break(html: str) -> int:
    """Where the first of two merged paragraphs ended: how many characters of text, not
    counting spaces and screen-reader labels, come before it."""
    end = html.find("</p>")
    return sum(not c.isspace() for c in extract_text(html[:end])) if end >= 0 else 0


def _skip(count: int) -> str:
    plural = "" if count == 1 else "s"
    return f'<div class="redline-skip">… {count} unchanged block{plural} …</div>'


#: where the full version's address goes in a fold's link until the page's links are
#: resolved (``fill_full_text``): sanitised policy HTML never holds a NUL
FULL_TEXT = "\x00full-text"


def _fold(fold: Fold, keys: Sequence[str]) -> str:
    """A folded run: a link to its place in the full version, and where its units are."""
    plural = "" if fold.count == 1 else "s"
    fill = " ".join(str(span) for span in fold.spans)
    target = _escaped(f"section-{keys[fold.section]}") if keys else ""
    return (
        f'<div class="redline-skip redline-fold" data-fill="{fill}">'
        f'<a href="{FULL_TEXT}#{target}">{fold.count} unchanged block{plural}'
        '<span class="redline-fold__more">: read them in the full version</span></a></div>'
    )


#: an id, and a link to a place on the same page (``href="#…"``), each after a space: the
#: patterns start with their literal text, which the regex engine scans for fast, and look
#: behind it for the space (5 times as fast as starting with ``\s`` on redline pages)
ID_RE = re.compile(r'id="(?<=\sid=")([^"]*)"')
FRAGMENT_LINK_RE = re.compile(r'(href=")(?<=\shref=")#([^"]*)"')


def fill_full_text(html: str, url: str) -> str:
    """The page's inline view with its folds' links to the full version at ``url``; and
    the text's links to a place on its own page that a fold took away, to that place in
    the full version."""
    if "href=\"#" in html:  # most pages have no such link: their ids are not read
        ids = set(ID_RE.findall(html))

        def relink(match: re.Match[str]) -> str:
            if match.group(2) in ids:
                return match.group(0)
            return f'{match.group(1)}{FULL_TEXT}#{match.group(2)}"'

        html = FRAGMENT_LINK_RE.sub(relink, html)
    return html.replace(FULL_TEXT, _escaped(url))


def _move_note(role: str, peer: str) -> str:
    place = "new" if role == "from" else "old"
    return (
        f'<a class="redline-note redline-move-link" href="#{_escaped(peer)}">'
        f"Moved: see the {place} place</a>"
    )


def _list_open(tag: str, depth: int) -> str:
    return f'<{tag} class="redline-list redline-depth-{depth}">'


#: Results kept across redlines (pure functions of block HTML): a site renders the same
#: blocks in many redlines, e.g. every version against the newest.
MEMO_SIZE = 4096


@lru_cache(maxsize=MEMO_SIZE)
def _old_side(html: str) -> str:
    """HTML from the old version loses heading ids (the new version's headings keep them)."""
    if "<h" not in html:
        return html
    return HEADING_ID_RE.sub(r"\1", html)


def _inner(html: str) -> str:
    """The content of a lone ``<li>``/``<tr>`` element (the HTML itself if it is not one)."""
    for tag in ("li", "tr"):  # the usual case, without a regex over the whole block
        if html.startswith(f"<{tag}>") and html.endswith(f"</{tag}>"):
            return html[4:-5]
    match = OUTER_RE.match(html)
    return match.group(2) if match else html


@lru_cache(maxsize=MEMO_SIZE, typed=True)  # typed: the label is escaped unless Markup
def _marked_all(html: str, mark: Mark, announce: str) -> str:
    return mark_all(html, mark, announce)


def _textless_label(op: str) -> str:
    label = "[inserted block]" if op == "insert" else "[deleted block]"
    return sr(label)


@dataclass
class _Content:
    html: str  # the block's HTML with marks
    note: str = ""  # HTML placed at the start of the block (move links, labels)


def _content(change: BlockChange, side: str) -> _Content:
    """The HTML shown for a change on one side: "inline", "old" or "new"."""
    op = change.op
    note = ""
    if op == "move":
        note = _move_note(change.move_role, change.move_peer)
    if side == "inline":
        if op == "equal":
            return _Content(change.new_html)
        if op == "insert":
            html = change.new_html
            marked = _marked_all(html, INS, SR_TEXT["ins"])
            return _Content(marked, "" if marked != html else _textless_label(op))
        if op == "delete":
            html = _old_side(change.old_html)
            marked = _marked_all(html, DEL, SR_TEXT["del"])
            return _Content(marked, "" if marked != html else _textless_label(op))
        if op == "replace":
            return _Content(change.inline_html)
        if change.move_role == "from":
            return _Content(_old_side(change.old_marked_html), note)
        return _Content(change.inline_html, note)
    if side == "old":
        if op in ("equal",):
            return _Content(_old_side(change.old_html))
        if op == "delete":
            return _Content(_marked_all(_old_side(change.old_html), DEL, SR_TEXT["del"]))
        if op == "replace" or (op == "move" and change.move_role == "from"):
            return _Content(_old_side(change.old_marked_html), note)
        return _Content("")
    if op == "equal":
        return _Content(change.new_html)
    if op == "insert":
        return _Content(_marked_all(change.new_html, INS, SR_TEXT["ins"]))
    if op == "replace" or (op == "move" and change.move_role == "to"):
        return _Content(change.new_marked_html, note)
    return _Content("")


def _shown(change: BlockChange, side: str) -> Block | None:
    if side == "old":
        return change.old
    if side == "new":
        return change.new
    if change.op == "delete" or change.move_role == "from":
        return change.old
    return change.new


def _visible(redline: Redline, changes_only: bool, context: int) -> list[BlockChange | int]:
    """The changes to show, with runs of hidden unchanged blocks as their counts."""
    if changes_only:
        return _with_context(redline.items, context)
    return list(redline.blocks)


def _classes(change: BlockChange) -> str:
    """Extra classes of a block: moved from or to, split or merged."""
    if not (change.move_role or change.note):
        return ""
    return " ".join(
        filter(
            None,
            (
                f"redline-moved-{change.move_role}" if change.move_role else "",
                f"redline-{change.note}" if change.note else "",
            ),
        )
    )


class _Inline:
    """Assembles block HTML into one fragment, re-opening lists and tables as needed."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.lists: list[tuple[str, bool]] = []  # open list tags, each with an open <li>?
        self.table = ""  # "", "head" or "body"

    def close_lists(self, depth: int = 0) -> None:
        while len(self.lists) > depth:
            tag, item_open = self.lists.pop()
            self.out.append(("</li>" if item_open else "") + f"</{tag}>")

    def close_table(self) -> None:
        if self.table:
            self.out.append("</thead></table>" if self.table == "head" else "</tbody></table>")
            self.table = ""

    def close_all(self) -> None:
        self.close_lists()
        self.close_table()

    def skip(self, count: int) -> None:
        self.close_all()
        self.out.append(_skip(count))

    def fold(self, fold: Fold, keys: Sequence[str]) -> None:
        self.close_all()
        self.out.append(_fold(fold, keys))

    def add(self, change: BlockChange) -> None:
        block = _shown(change, "inline")
        if block is None:
            return
        content = _content(change, "inline")
        classes = _classes(change)
        anchor = change.anchor
        if block.kind == "list_item" and block.parts == 1:
            self.close_table()
            self._list_item(block, change, content, classes)
        elif block.kind in ("table_row", "table_header") and block.parts == 1:
            self.close_lists()
            head = block.kind == "table_header"
            if self.table == "body" and head:
                self.close_table()
            if not self.table:
                self.out.append('<table class="redline-table">')
                self.out.append("<thead>" if head else "<tbody>")
                self.table = "head" if head else "body"
            elif self.table == "head" and not head:
                self.out.append("</thead><tbody>")
                self.table = "body"
            cells = _inner(_with_note(block, content.html, content.note))
            old = _old_frame(change)
            self.out.append(_block_open("tr", anchor, change.op, block.kind, classes, old=old))
            self.out.append(cells + "</tr>")
        else:
            self.close_all()
            old = _old_frame(change)
            self.out.append(_block_open("div", anchor, change.op, block.kind, classes, old=old))
            self.out.append(_with_note(block, content.html, content.note) + "</div>")

    def _list_item(
        self, block: Block, change: BlockChange, content: _Content, classes: str
    ) -> None:
        depth, tag = block.depth, block.list_type or "ul"
        self.close_lists(depth + 1)
        if len(self.lists) == depth + 1 and self.lists[-1][0] != tag:
            self.close_lists(depth)
        if len(self.lists) == depth + 1 and self.lists[-1][1]:
            self.out.append("</li>")
            self.lists[-1] = (self.lists[-1][0], False)
        while len(self.lists) < depth + 1:
            if self.lists and not self.lists[-1][1]:
                self.out.append('<li class="redline-gap">')
                self.lists[-1] = (self.lists[-1][0], True)
            self.out.append(_list_open(tag, len(self.lists)))
            self.lists.append((tag, False))
        value = block.ordinal if tag == "ol" else None
        anchor = change.anchor
        old = _old_frame(change)
        self.out.append(_block_open("li", anchor, change.op, block.kind, classes, value, old))
        self.out.append(_inner(_with_note(block, content.html, content.note)))
        self.lists[-1] = (tag, True)

    def html(self) -> str:
        self.close_all()
        return "\n".join(self.out)


def render_inline(redline: Redline, *, changes_only: bool = False, context: int = 1,
                  full_text: NewSections | None = None) -> Markup:
    """Track changes: the new version with insertions and deletions marked in place.

    ``full_text``: the sections of the new version's page; the view then shows the changes
    and their surroundings only (``folds``), each fold a link to its place on that page
    (written ``FULL_TEXT#section-<key>``: see ``fill_full_text``)."""
    inline = _Inline()
    folded = changes_with_folds(redline, full_text, context) if full_text is not None else None
    if folded is not None and full_text is not None:
        for step in folded:
            if isinstance(step, Fold):
                inline.fold(step, full_text.keys)
            else:
                inline.add(step)
        before, after = _frame("inline.html", changes_only=True,
                               full_text=FULL_TEXT if any(isinstance(step, Fold)
                                                          for step in folded) else "",
                               sections=len(full_text.keys))
        return Markup("".join((before, inline.html(), after)))
    if changes_only:
        for shown in _with_context(redline.items, context):
            if isinstance(shown, int):
                inline.skip(shown)
            else:
                inline.add(shown)
    else:
        for item in redline.items:
            if isinstance(item, BlockChange):
                inline.add(item)
            elif redline.html_for is None or not isinstance(item, EqualRun):
                for change in item.steps():
                    inline.add(change)
            else:
                # A piece starts no list or table of the block before it: what is open
                # closes here, as its first block would close it.
                inline.close_all()
                for placed, counts in zip(item.new, item.counts, strict=True):
                    inline.out.extend(
                        _piece_markup(placed[0], item.prefix, counts, redline.html_for))
    before, after = _frame("inline.html", changes_only=changes_only, full_text="", sections=0)
    return Markup("".join((before, inline.html(), after)))


#: pieces of documents whose unchanged blocks' markup is kept: a redline of a long policy
#: shows hundreds of pieces the redline of the version before showed too
PIECE_MEMO_SIZE = 8192


@lru_cache(maxsize=PIECE_MEMO_SIZE)
def _piece_markup(piece: Piece, prefix: str, counts: tuple[int, ...],
                  html_for: Callable[[Block], str]) -> tuple[str, ...]:
    """The inline view's markup of an unchanged piece, from a fresh start (nothing open)
    to its end (everything closed); its anchors numbered from ``counts``."""
    inline = _Inline()
    blocks = placed_blocks((piece, 0, 0, 0), html_for)
    for block, digest, count in zip(blocks, piece_digests(piece), counts, strict=True):
        inline.add(BlockChange("equal", block, block, anchor(prefix, digest, count),
                               block.section))
    inline.close_all()
    return tuple(inline.out)


def _with_context(items: Sequence[BlockChange | EqualSteps], context: int
                  ) -> list[BlockChange | int]:
    """The steps to show in the changes-only view: each change and the ``context`` steps
    on each side of it; the hidden steps between them as their counts."""
    starts: list[int] = []
    changed: list[int] = []
    position = 0
    for item in items:
        starts.append(position)
        if isinstance(item, BlockChange):
            if item.op != "equal":
                changed.append(position)
            position += 1
        else:
            position += item.size
    kept: list[list[int]] = []  # [from, to) spans of steps shown, in order
    for step in changed:
        start, stop = max(0, step - context), min(position, step + context + 1)
        if kept and start <= kept[-1][1]:
            kept[-1][1] = max(kept[-1][1], stop)
        else:
            kept.append([start, stop])
    out: list[BlockChange | int] = []
    hidden = k = 0
    for start, item in zip(starts, items, strict=True):
        end = start + (1 if isinstance(item, BlockChange) else item.size)
        cursor = start
        while cursor < end:
            while k < len(kept) and kept[k][1] <= cursor:
                k += 1
            if k < len(kept) and kept[k][0] <= cursor:
                stop = min(end, kept[k][1])
                if hidden:
                    out.append(hidden)
                    hidden = 0
                if isinstance(item, BlockChange):
                    out.append(item)
                else:
                    out.extend(item.steps(cursor - start, stop - start))
            else:
                stop = min(end, kept[k][0]) if k < len(kept) else end
                hidden += stop - cursor
            cursor = stop
    if hidden:
        out.append(hidden)
    return out


def _with_note(block: Block, html: str, note: str) -> str:
    """Put a note at the start of a block: inside its <li> or its first table cell."""
    if not note:
        return html
    if block.kind in ("table_row", "table_header") and block.parts == 1:
        return FIRST_CELL_RE.sub(lambda m: m.group() + note, html, count=1)
    if block.kind == "list_item" and block.parts == 1:
        return f"<li>{note}{_inner(html)}</li>"
    return note + html


def _standalone(block: Block | None, content: _Content) -> str:
    """A list item or table row wrapped in its own list or table, for a table cell."""
    if block is None or not content.html:
        return ""
    return _alone(block, _with_note(block, content.html, content.note))


def _alone(block: Block, html: str) -> str:
    if block.parts > 1:
        return html
    if block.kind == "list_item":
        tag = block.list_type or "ul"
        value = f' value="{block.ordinal}"' if tag == "ol" else ""
        return (
            f'<{tag} class="redline-list redline-depth-{block.depth}">'
            f"<li{value}>{_inner(html)}</li></{tag}>"
        )
    if block.kind in ("table_row", "table_header"):
        section = "thead" if block.kind == "table_header" else "tbody"
        return f'<table class="redline-table"><{section}>{html}</{section}></table>'
    return html


def _cells(change: BlockChange, anchor_suffix: str) -> tuple[str, str]:
    """The old and the new cell of a change's row."""
    if change.op == "equal":  # most rows: no marks, no notes
        assert change.old is not None and change.new is not None
        old_html, new_html = _old_side(change.old.html), change.new.html
        return (
            _alone(change.old, old_html) if old_html else "",
            _alone(change.new, new_html) if new_html else "",
        )
    cells = []
    for side in ("old", "new"):
        content = _content(change, side)
        if content.note and change.move_peer:
            content.note = content.note.replace(
                f'href="#{change.move_peer}"', f'href="#{change.move_peer}{anchor_suffix}"'
            )
        cells.append(_standalone(_shown(change, side), content))
    return cells[0], cells[1]


def render_side_by_side(
    redline: Redline,
    *,
    changes_only: bool = False,
    context: int = 1,
    anchor_suffix: str = "",
    old_label: str = "Before",
    new_label: str = "After",
) -> Markup:
    """Two columns, old | new, one row per block; each side marks its own changes.

    Row ids are the change anchors plus ``anchor_suffix`` (use one when the inline view is
    on the same page, so ids stay unique).
    """
    rows: list[str] = []
    for item in _visible(redline, changes_only, context):
        if isinstance(item, int):
            rows.append(f'<tr class="redline-skip-row"><td colspan="2">{_skip(item)}</td></tr>\n')
            continue
        old_cell, new_cell = _cells(item, anchor_suffix)
        anchor = _escaped(item.anchor + anchor_suffix)
        rows.append(
            f'<tr id="{anchor}" class="redline-row redline-{item.op} redline-kind-{item.kind}">\n'
            f'<td class="redline-old">{old_cell}</td>\n'
            f'<td class="redline-new">{new_cell}</td>\n'
            "</tr>\n"
        )
    before, after = _frame(
        "side_by_side.html",
        changes_only=changes_only,
        old_label=old_label,
        new_label=new_label,
    )
    return Markup("".join((before, *rows, after)))


def render_summary(redline: Redline) -> Markup:
    """Words added and removed, blocks changed, and links to the sections changed."""
    anchors: dict[str, str] = {}
    for change in redline.blocks:
        if change.op != "equal":
            anchors.setdefault(change.section, change.anchor)
    return Markup(_env().get_template("summary.html").render(stats=redline.stats, anchors=anchors))

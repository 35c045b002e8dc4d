"""Shared checks for the redline tests: a Markdown renderer and the redline's properties."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib
import markdown

from policy_history.redline import (
    Redline,
    diff_documents,
    extract_text,
    render_inline,
    render_side_by_side,
)


def _words(text: str) -> list[str]:
    return text.split()


#: Elements an <ins>/<del> must never contain (they would break lists, tables, paragraphs).
BLOCK_ELEMENTS = frozenset(
    _words(
        "address article aside blockquote dd div dl dt figure footer h1 h2 h3 h4 h5 h6 header hr "
        "li main nav ol p pre section table tbody td tfoot th thead tr ul"
    )
)
#: Containers whose children must be specific elements, never <ins>/<del>.
STRICT_PARENTS = frozenset(_words("ul ol table thead tbody tfoot tr"))
SPACE_RE = re.compile(r"\s+")
VOID = frozenset(_words("area base br col embed hr img input link meta source track wbr"))


def make_render(extensions: tuple[str, ...] = ("tables", "attr_list", "toc")
                ) -> Callable[[str], str]:
    md = markdown.Markdown(extensions=list(extensions))

    def render(text: str) -> str:
        md.reset()
        return md.convert(text)

    return render


def parse_strict(html: str) -> Element:
    """Parse an HTML fragment with html5lib in strict mode (raises on any parse error)."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parseFragment(html)


def nesting_errors(root: Element) -> list[str]:
    """<ins>/<del> wrapping block elements, or sitting directly in ul/ol/table/tr."""
    errors = []
    for parent in root.iter():
        for child in parent:
            if child.tag in ("ins", "del"):
                if parent.tag in STRICT_PARENTS:
                    errors.append(f"<{child.tag}> directly inside <{parent.tag}>")
                errors.extend(
                    f"<{inner.tag}> inside <{child.tag}>"
                    for inner in child.iter()
                    if inner.tag in BLOCK_ELEMENTS
                )
    return errors


def element_text(element: Element) -> str:
    """Text of an element with screen-reader labels and notes left out, spaces collapsed."""
    parts: list[str] = []

    def walk(node: Element) -> None:
        if node.get("class", "").split() and {"redline-sr", "redline-note"} & set(
            node.get("class", "").split()
        ):
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return SPACE_RE.sub(" ", "".join(parts)).strip()


def marks_in(element: Element, tag: str) -> list[str]:
    """Text of each <ins> (or <del>) inside ``element``."""
    return [element_text(found) for found in element.iter(tag)]


def marks(html: str, tag: str) -> list[str]:
    """Text of each <ins> (or <del>) element of an HTML fragment."""
    return marks_in(parse_strict(html), tag)


class _Groups(HTMLParser):
    """Collects the text of each change: the pieces between "[inserted: " and "]"."""

    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag = tag
        self.stack: list[tuple[str, list[str]]] = []
        self.groups: list[list[str]] = []
        self.open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = next((v or "" for k, v in attrs if k == "class"), "").split()
        if self.open and tag in BLOCK_ELEMENTS:
            self.groups[-1].append(" ")
        if tag not in VOID:
            self.stack.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        marked = any(tag == self.tag for tag, _ in self.stack)
        if any("redline-sr" in classes for _, classes in self.stack):
            if marked and data.startswith("["):
                self.groups.append([])
                self.open = True
            elif marked and data == "]":
                self.open = False
        elif marked and self.open:
            self.groups[-1].append(data)


def mark_groups(html: str, tag: str) -> list[str]:
    """The text of each insertion (or deletion), however many elements it spans."""
    parser = _Groups(tag)
    parser.feed(html)
    return [SPACE_RE.sub(" ", "".join(group)).strip() for group in parser.groups]


def squash(text: str, *, spaces: bool) -> str:
    return SPACE_RE.sub(" ", text).strip() if spaces else SPACE_RE.sub("", text)


def check_redline(
    old: str, new: str, render: Callable[[str], str], *, spaces: bool = True, thorough: bool = True
) -> Redline:
    """Assert the redline properties for one pair and return the redline.

    ``spaces=False`` compares texts without whitespace: whitespace-only differences are
    "no change" by design, so the new version's spacing may show in an unchanged block.
    ``thorough=False`` skips the second diff and the full side-by-side view (for speed).
    """
    redline = diff_documents(old, new, render=render)
    inline = str(render_inline(redline))
    old_text, new_text = extract_text(render(old)), extract_text(render(new))
    assert squash(extract_text(inline, drop="ins"), spaces=spaces) == squash(
        old_text, spaces=spaces
    )
    assert squash(extract_text(inline, drop="del"), spaces=spaces) == squash(
        new_text, spaces=spaces
    )
    views = [inline, str(render_side_by_side(redline, changes_only=True, context=0))]
    if thorough:
        views += [str(render_side_by_side(redline)), str(render_inline(redline, changes_only=True))]
    for html in views:
        assert nesting_errors(parse_strict(html)) == []
    if not thorough:
        return redline
    again = diff_documents(old, new, render=render)
    assert str(render_inline(again)) == inline
    # Runs of shared pieces are written from kept markup: block by block, the same bytes.
    whole = Redline(redline.blocks, redline.stats, redline.anchor_prefix)
    assert str(render_inline(whole)) == inline
    assert str(render_inline(whole, changes_only=True)) == str(
        render_inline(redline, changes_only=True))
    assert [c.anchor for c in again.blocks] == [c.anchor for c in redline.blocks]
    assert len({c.anchor for c in redline.blocks}) == len(redline.blocks)
    if old == new:
        assert redline.is_empty
        assert "<ins" not in inline and "<del" not in inline
    return redline


def git_show(repo: Path, rev: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{rev}:{path}"],
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
    ).stdout


def git_versions(repo: Path, path: str) -> list[str]:
    """Commits that changed ``path``, oldest first."""
    out = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=%H", "--diff-filter=ACMRT", "--", path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.split()[::-1]


def find_commit(repo: Path, needle: str, path: str, subject: str = "") -> str:
    """The oldest commit that added or removed ``needle`` in ``path`` (``git log -S``)."""
    out = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=%H %s", "-S", needle, "--", path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in reversed(out.splitlines()):
        commit, _, title = line.partition(" ")
        if subject in title:
            return commit
    raise AssertionError(f"no commit touching {needle!r} in {path}")

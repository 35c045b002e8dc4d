"""The words a reader reads in a Markdown document, worked out without the product's code:
variables filled with Jinja2, Python-Markdown's HTML, and that HTML's text content."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import jinja2
import markdown
from jinja2.sandbox import SandboxedEnvironment

#: the Markdown extensions of the site (tests/support.py write_config)
EXTENSIONS = ["toc", "attr_list", "tables"]

_FRONT_MATTER_FENCE = re.compile(r"---[ \t]*\r?\n?")
_WHITESPACE = re.compile(r"\s+")
_TEMPLATES = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
_TEMPLATE_OPENINGS = ("{{", "{%", "{#")


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def lines_of(text: str, keepends: bool = False) -> list[str]:
    """The lines of ``text`` as Markdown sees them: ended by \\n, \\r\\n or \\r only (not
    by the form feeds and Unicode separators ``str.splitlines`` also breaks at)."""
    lines = _LINE.findall(text)
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def split_front_matter(text: str) -> tuple[str | None, str]:
    """The YAML between a ``---`` line at the very top and the next ``---`` line, and the
    body after it; (None, text) when the text does not start so."""
    lines = lines_of(text, keepends=True)
    if not lines or not _FRONT_MATTER_FENCE.fullmatch(lines[0]):
        return None, text
    for number, line in enumerate(lines[1:], start=1):
        if _FRONT_MATTER_FENCE.fullmatch(line):
            return "".join(lines[1:number]), "".join(lines[number + 1:])
    return None, text


def fill_variables(body: str, variables: dict[str, Any]) -> str:
    """``{{ }}`` and ``{% %}`` filled in; text that Jinja2 cannot fill in is kept as written
    (an imported repository may hold another tool's template syntax)."""
    if not any(opening in body for opening in _TEMPLATE_OPENINGS):
        return body  # nothing to fill: Jinja2 would change no word (it is slow on 240 MB)
    try:
        return _TEMPLATES.from_string(body).render(variables)
    except Exception:  # any failure to fill in, whatever its kind, keeps the text
        return body


class _TextContent(HTMLParser):
    """The text of an HTML fragment, as a browser's ``textContent`` without the contents
    of ``<script>`` and ``<style>``: tags and comments say nothing to a reader."""

    _SILENT = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._silent_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SILENT:
            self._silent_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SILENT and self._silent_depth:
            self._silent_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._silent_depth:
            self.parts.append(data)


def text_content(html: str) -> str:
    parser = _TextContent()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


_MARKDOWN = markdown.Markdown(extensions=EXTENSIONS)


def render(body: str) -> str:
    return _MARKDOWN.reset().convert(body)


def words(body: str, variables: dict[str, Any]) -> str:
    """The words of a document's body (after its front matter): every run of whitespace
    one space, trimmed."""
    text = text_content(render(fill_variables(body, variables)))
    return _WHITESPACE.sub(" ", text).strip()

"""Assemble a policy's text at one commit: metadata + fragments + variables → sections.

Pure: takes file contents as a mapping, returns plain data. A *section* is a fragment of a
folder policy, or a top-level (``#``/``##``) heading's part of a single-file policy; its
``key`` stays the same across versions so per-section history can follow it.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from policy_history.errors import PolicyError
from policy_history.model.layout import PolicyLayout, slugify_part
from policy_history.model.metadata import PolicyMeta, parse_front_matter, parse_policy_yml
from policy_history.model.templating import PolicyTemplates
from policy_history.model.text_limits import check_markdown, check_size


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    source: str  # repository path of the file the text comes from
    line: int  # first line of the section in that file
    markdown: str  # the published Markdown, variables filled in


@dataclass(frozen=True)
class PolicyText:
    """What a policy says at one commit."""

    slug: str
    title: str
    description: str | None
    sections: tuple[Section, ...]
    meta: PolicyMeta

    @property
    def markdown(self) -> str:
        return "\n\n".join(section.markdown.strip("\n") for section in self.sections) + "\n"

    def head(self, lines: int) -> str:
        """The start of ``markdown`` through its first ``lines`` non-blank lines (a line
        is blank if only whitespace is on it) and the newline after the last; all of it
        if it has fewer. What reads the top of a policy needs, without joining every
        section (nor keeping a long one whole)."""
        parts: list[str] = []
        for section in self.sections:
            part = section.markdown.strip("\n")
            position = 0
            while lines > 0 and position <= len(part):
                end = part.find("\n", position)
                end = len(part) if end < 0 else end
                if end > position and not part[position:end].isspace():
                    lines -= 1
                    if not lines:
                        parts.append(part[:end])
                        return "\n\n".join(parts) + "\n"
                position = end + 1
            parts.append(part)
        return "\n\n".join(parts) + "\n"

    def link_definitions(self) -> str:
        """Every ``[ref]: target`` definition in the policy, sorted, one per line."""
        found: set[str] = set()
        for section in self.sections:
            found.update(link_definitions(section.markdown))
        return "\n".join(sorted(found))

    def standalone_sections(self) -> list[str]:
        """Each section's Markdown, renderable on its own: the policy is one page, so a
        ``[text][ref]`` link may be defined in another section; all definitions are
        appended to every section."""
        definitions = self.link_definitions()
        return [standalone_source(section.markdown, definitions) for section in self.sections]


#: A link definition's line; after the first line, with the newline before it (a literal
#: first character is searched for fast, where ``^`` is tried at every position).
_LINK_DEFINITION = r" {0,3}\[[^\]\n]+\]:[ \t]*\S.*$"
_FIRST_LINK_DEFINITION = re.compile(_LINK_DEFINITION, re.M)
_NEXT_LINK_DEFINITION = re.compile("\n" + _LINK_DEFINITION, re.M)


def link_definitions(markdown: str) -> frozenset[str]:
    """The ``[ref]: target`` definitions in one section's Markdown (each stripped, so
    without the newline the search takes with it)."""
    found = {match.group(0).strip() for match in _NEXT_LINK_DEFINITION.finditer(markdown)}
    first = _FIRST_LINK_DEFINITION.match(markdown)
    if first:
        found.add(first.group(0).strip())
    return frozenset(found)


def standalone_source(markdown: str, definitions: str) -> str:
    """A section's Markdown with the policy's link definitions (``PolicyText.
    link_definitions``) appended, so that it renders alone as it does on the page."""
    return f"{markdown}\n\n{definitions}\n" if definitions else markdown

_ORDER_PREFIX = re.compile(r"^\d+[-_. ]*")
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
#: A line that can matter to the heading scan: a code fence, an ATX heading (as _ATX) or a
#: Setext underline (as _SETEXT), matched where a line starts.
_MARKED_LINE_AT = re.compile(r" {0,3}(?:(?P<fence>`{3,}|~{3,})"
                             r"|(?P<hashes>#{1,6})[ \t]+(?P<title>.+?)[ \t#]*$"
                             r"|(?P<underline>=+|-+)[ \t]*$)", re.M)
#: Where such a line may start, searched in the whole text at once: the regex engine skips
#: the other lines in C (matching each line in Python cost seconds on long histories).
#: It starts with the newline before the line, as a literal first character is found
#: fast, where a ``^`` anchor is tried at every position.
_MAYBE_MARKED_LINE = re.compile(r"\n {0,3}[`~#=-]")
_NOT_WHITESPACE = re.compile(r"\S")  # \S is what str.strip() keeps
_LINK_IN_HEADING = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS_MARKS = re.compile(r"(?<!\\)[*_`]")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_ATTR_LIST_AT_END = re.compile(r"[ \t]*\{:?[ \t]*[#.][^{}]*\}[ \t]*$")
_BACKSLASH_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>&])")


def make_environment() -> PolicyTemplates:
    """Variables in fragments: strict (an undefined name is an error), no HTML escaping,
    sandboxed and bounded (policy_history.model.templating)."""
    return PolicyTemplates()


def decode(data: bytes, file: str) -> str:
    check_size(data, file)
    if data.startswith(_LFS_POINTER):
        raise PolicyError(
            "this file is a Git LFS pointer, not the policy's text: git's history holds only "
            "the pointer, and the history is what the site is built from",
            file=file,
            fix="keep policies out of Git LFS: 'git lfs untrack' their pattern in "
            ".gitattributes, then 'git add --renormalize' the files and commit",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PolicyError(
            f"this file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
            file=file,
            line=line,
            fix="save it as UTF-8 in your editor (File → Save with encoding → UTF-8)",
        ) from None
    # NUL and CR are the same bytes in UTF-8, and bytes are searched faster than text
    if b"\0" in data:
        raise PolicyError(
            "this file is binary, not Markdown text",
            file=file,
            fix="remove it from the policies folder or rename it",
        )
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n") if b"\r" in data else text
    if b"<<<<<<<" in data:
        _refuse_conflict_markers(text, file)
    return text


_LFS_POINTER = b"version https://git-lfs.github.com/spec/"
#: the lines git writes into a file it could not merge (searched after a newline, as a
#: literal first character is found fast)
_CONFLICT_LINE = re.compile(r"\n(<{7}(?=[ \t\n])|={7}(?=[ \t]*\n)|>{7}(?=[ \t\n]))")


def _refuse_conflict_markers(text: str, file: str) -> None:
    """A '<<<<<<<' line, then a '=======' line, then a '>>>>>>>' line: a conflict git left.
    (A '=======' line alone underlines a heading.)"""
    opened: int | None = None
    divided = False
    for marker in _CONFLICT_LINE.finditer("\n" + text + "\n"):
        kind = marker.group(1)[0]
        if kind == "<":
            opened, divided = marker.start(), False
        elif kind == "=" and opened is not None:
            divided = True
        elif kind == ">" and divided and opened is not None:
            raise PolicyError(
                "this file holds an unresolved merge conflict (the lines '<<<<<<<', "
                "'=======' and '>>>>>>>' that git wrote)",
                file=file,
                line=text.count("\n", 0, opened) + 1,
                fix="keep the right text and delete the three marker lines, then commit",
            )


def fill_variables(
    env: PolicyTemplates | None,
    text: str,
    file: str,
    line_offset: int,
    variables: Mapping[str, Any],
) -> str:
    if env is None or not _TEMPLATE_MARK.search(text):
        return text
    return env.fill(text, variables, file, line_offset)


_TEMPLATE_MARK = re.compile(r"\{[{%#]")  # one search, where three `in` read the text thrice


def fragment_key(path: str) -> str:
    stem = posixpath.splitext(posixpath.basename(path))[0]
    return slugify_part(_ORDER_PREFIX.sub("", stem)) or slugify_part(stem) or "section"


def first_heading(markdown: str) -> str | None:
    # The first heading is usually near the top: lines are read from a growing prefix,
    # as splitting a whole long policy into lines cost more than the search.
    size = 8192
    while True:
        whole = size >= len(markdown)
        lines = (markdown if whole else markdown[:size]).splitlines()
        if not whole:
            lines.pop()  # may be cut short: it is read whole with the next prefix
        previous = ""
        for line in lines:
            atx = _ATX.match(line)
            if atx:
                return _plain(atx.group(2))
            if previous.strip() and _SETEXT.match(line):
                return _plain(previous)
            previous = line
        if whole:
            return None
        size *= 4


@functools.lru_cache(maxsize=8192)  # headings repeat in every revision
def _plain(heading: str) -> str:
    """A heading's text as a reader reads it: without its links' targets, emphasis marks,
    inline HTML tags (mozilla's ``<span class="…">MDN Plus</span>``), an attr_list
    (``{: #id }``) or backslash escapes; character references decoded."""
    text = _ATTR_LIST_AT_END.sub("", heading)
    text = _LINK_IN_HEADING.sub(r"\1", text)
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    text = _EMPHASIS_MARKS.sub("", text)
    if "\\" in text:
        text = _BACKSLASH_ESCAPE.sub(r"\1", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def assemble(
    layout: PolicyLayout,
    files: Mapping[str, bytes],
    site_variables: Mapping[str, Any],
    env: PolicyTemplates | None,
) -> PolicyText:
    """The policy's text from its files' bytes (``files`` maps repository path → bytes)."""
    if layout.kind == "folder":
        return _assemble_folder(layout, files, site_variables, env)
    return _assemble_file(layout, files, site_variables, env)


def _variables(site: Mapping[str, Any], meta: PolicyMeta, slug: str, title: str) -> dict[str, Any]:
    return {**site, **meta.variables, "policy": {"slug": slug, "title": title}}


def _assemble_folder(
    layout: PolicyLayout,
    files: Mapping[str, bytes],
    site_variables: Mapping[str, Any],
    env: PolicyTemplates | None,
) -> PolicyText:
    meta_path = layout.metadata_path
    assert meta_path is not None
    meta = parse_policy_yml(decode(files[meta_path], meta_path), meta_path)
    by_name = {posixpath.basename(path): path for path in layout.fragments}
    if meta.sections is not None:
        order = []
        for index, name in enumerate(meta.sections):
            if name not in by_name:
                known = ", ".join(sorted(by_name)) or "none"
                raise PolicyError(
                    f"'sections' names '{name}', but there is no such fragment in '{layout.path}/'",
                    file=meta_path,
                    line=meta.line_of("sections", index),
                    fix=f"fix the name or add the file (fragments there: {known})",
                )
            order.append(by_name[name])
        order += [
            path for path in layout.fragments if posixpath.basename(path) not in meta.sections
        ]
    else:
        order = list(layout.fragments)
    title = meta.title or posixpath.basename(layout.path).replace("-", " ").capitalize()
    variables = _variables(site_variables, meta, layout.slug, title)
    sections = []
    seen: dict[str, int] = {}
    for path in order:
        _fm, body, offset = parse_front_matter(decode(files[path], path), path)
        text = fill_variables(env, body, path, offset, variables)
        if not text.strip():
            continue
        key = _unique(fragment_key(path), seen)
        heading = first_heading(text) or key.replace("-", " ").capitalize()
        sections.append(Section(key, heading, path, offset + 1, text))
    if not sections:
        raise PolicyError(
            "this policy has no text: no fragment has any content",
            file=meta_path,
            fix=f"add a Markdown fragment such as '{layout.path}/10-introduction.md'",
        )
    _check_sections(sections)
    return PolicyText(layout.slug, title, meta.description, tuple(sections), meta)


def _assemble_file(
    layout: PolicyLayout,
    files: Mapping[str, bytes],
    site_variables: Mapping[str, Any],
    env: PolicyTemplates | None,
) -> PolicyText:
    path = layout.path
    meta, body, offset = parse_front_matter(decode(files[path], path), path)
    provisional = meta.title or first_heading(body) or posixpath.basename(layout.slug)
    text = fill_variables(
        env, body, path, offset, _variables(site_variables, meta, layout.slug, provisional)
    )
    if not text.strip():
        raise PolicyError(
            "this policy has no text",
            file=path,
            fix="write the policy below the front matter, or delete the file",
        )
    # the same heading when no variable was filled in (the same text)
    title = meta.title or (provisional if text is body else first_heading(text) or provisional)
    sections = tuple(split_sections(text, path, offset))
    _check_sections(sections)
    return PolicyText(layout.slug, title, meta.description, sections, meta)


def _check_sections(sections: Sequence[Section]) -> None:
    """Refuse text Python-Markdown cannot render in bounded time (model.text_limits)."""
    for section in sections:
        check_markdown(section.markdown, section.source, section.line)


def _unique(key: str, seen: dict[str, int]) -> str:
    count = seen.get(key, 0) + 1
    seen[key] = count
    return key if count == 1 else f"{key}-{count}"


class Heading(NamedTuple):
    line: int  # index of the heading's first line (a Setext heading's text line)
    offset: int  # where that line starts in the text
    level: int
    text: str  # as written, without the ATX markers
    setext: bool


def scan_headings(text: str) -> Iterator[Heading]:
    """Each heading outside fenced code. A Setext heading is its text line plus an
    underline of ``=`` (level 1) or ``-`` (level 2), with a blank line (or nothing) before
    the text line."""
    fence: str | None = None  # the fence character while inside fenced code
    line = 0
    counted_to = 0  # ``line`` counts the newlines before this offset
    for start, match in _marked_lines(text):
        line += text.count("\n", counted_to, start)
        counted_to = start
        marker = match.group("fence")
        if marker:
            if fence is None:
                fence = marker[0]
            elif marker[0] == fence:  # a fence closes with the character that opened it
                fence = None
            continue
        if fence:
            continue
        hashes = match.group("hashes")
        if hashes:
            yield Heading(line, start, len(hashes), match.group("title"), False)
            continue
        if line == 0:
            continue
        above_start = text.rfind("\n", 0, start - 1) + 1
        above = text[above_start : start - 1]
        if not above.strip() or _ATX.match(above):
            continue
        if line >= 2 and text[text.rfind("\n", 0, above_start - 1) + 1 : above_start - 1].strip():
            continue  # a paragraph's last line: the underline is a thematic break
        level = 1 if match.group("underline")[0] == "=" else 2
        yield Heading(line - 1, above_start, level, above, True)


def _marked_lines(text: str) -> Iterator[tuple[int, re.Match[str]]]:
    """Each line matching _MARKED_LINE_AT, with the offset where the line starts."""
    first = _MARKED_LINE_AT.match(text)
    if first:
        yield 0, first
    for candidate in _MAYBE_MARKED_LINE.finditer(text):
        start = candidate.start() + 1
        match = _MARKED_LINE_AT.match(text, start)
        if match:
            yield start, match


def headings(lines: Sequence[str]) -> Iterator[tuple[int, int, str, bool]]:
    """``scan_headings`` for text already split into lines: (first line, level, text,
    is Setext)."""
    for heading in scan_headings("\n".join(lines)):
        yield heading.line, heading.level, heading.text, heading.setext


def split_sections(text: str, source: str, line_offset: int = 0) -> list[Section]:
    """Split a single-file policy at its ``#`` and ``##`` headings (ATX or Setext)."""
    starts = [(heading.line, heading.offset, _plain(heading.text))
              for heading in scan_headings(text) if heading.level <= 2]
    if not starts or starts[0][0] != 0:
        starts.insert(0, (0, 0, ""))
    sections = []
    seen: dict[str, int] = {}
    for number, (line, offset, heading) in enumerate(starts):
        # up to the newline that ends the line before the next section's first line
        end = starts[number + 1][1] - 1 if number + 1 < len(starts) else len(text)
        # the chunk without the newlines around it, then one newline: sliced once, as the
        # sections of a long history add up to hundreds of megabytes
        while offset < end and text[offset] == "\n":
            offset += 1
        while end > offset and text[end - 1] == "\n":
            end -= 1
        if not _NOT_WHITESPACE.search(text, offset, end):
            continue
        chunk = text[offset : end + 1] if text.startswith("\n", end) else text[offset:end] + "\n"
        key = _unique(slugify_part(heading) or "preamble", seen)
        sections.append(
            Section(key, heading or "Introduction", source, line + 1 + line_offset, chunk)
        )
    return sections

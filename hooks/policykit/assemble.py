"""Assemble a policy's text at one commit: metadata + fragments + variables → sections.

Pure: takes file contents as a mapping, returns plain data. A *section* is a fragment of a
folder policy, or a top-level (``#``/``##``) heading's part of a single-file policy; its
``key`` stays the same across versions so per-section history can follow it.
"""

from __future__ import annotations

import posixpath
import re
import traceback
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from policykit.errors import PolicyError
from policykit.layout import PolicyLayout, slugify_part
from policykit.metadata import PolicyMeta, parse_front_matter, parse_policy_yml


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

    def standalone_sections(self) -> list[str]:
        """Each section's Markdown, renderable on its own: the policy is one page, so a
        ``[text][ref]`` link may be defined in another section; all definitions are
        appended to every section."""
        definitions = "\n".join(sorted({match.group(0).strip() for section in self.sections
                                         for match in _LINK_DEFINITION.finditer(
                                             section.markdown)}))
        if not definitions:
            return [section.markdown for section in self.sections]
        return [f"{section.markdown}\n\n{definitions}\n" for section in self.sections]


_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.M)
_ORDER_PREFIX = re.compile(r"^\d+[-_. ]*")
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class TemplateError(PolicyError):
    """A ``{{ variable }}`` or ``{% tag %}`` in policy text could not be filled in."""


def make_environment() -> jinja2.Environment:
    """Variables in fragments: strict (an undefined name is an error), no HTML escaping."""
    return jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
    )


def decode(data: bytes, file: str) -> str:
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
    if "\0" in text:
        raise PolicyError(
            "this file is binary, not Markdown text",
            file=file,
            fix="remove it from the policies folder or rename it",
        )
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def fill_variables(
    env: jinja2.Environment | None,
    text: str,
    file: str,
    line_offset: int,
    variables: Mapping[str, Any],
) -> str:
    if env is None or ("{{" not in text and "{%" not in text and "{#" not in text):
        return text
    try:
        return env.from_string(text).render(variables)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"template syntax error: {exc.message}",
            file=file,
            line=(exc.lineno or 0) + line_offset or None,
            fix="check the {{ }} and {% %} pairs; write {{ '{{' }} for a literal '{{'",
        ) from None
    except jinja2.UndefinedError as exc:
        line = _template_line(exc, file)
        name = _undefined_name(text, line, variables)
        raise TemplateError(
            f"undefined variable '{name}'" if name else f"undefined variable: {exc.message}",
            file=file,
            line=line + line_offset if line else None,
            fix="define it under 'extra:' in mkdocs.yml or 'variables:' in the policy's "
            "metadata, or fix its spelling",
        ) from None


_EXPRESSION = re.compile(r"\{[{%][-+]?\s*([A-Za-z_][\w.]*)")


def _undefined_name(text: str, line: int | None, variables: Mapping[str, Any]) -> str | None:
    """The dotted name on ``line`` that does not resolve, as the editor wrote it."""
    lines = text.split("\n")
    candidates = lines[line - 1 : line] if line else lines
    for candidate in candidates:
        for name in _EXPRESSION.findall(candidate):
            value: Any = variables
            for part in name.split("."):
                if isinstance(value, Mapping) and part in value:
                    value = value[part]
                else:
                    return name
    return None


def _template_line(exc: BaseException, file: str) -> int | None:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in ("<template>", file):
            return frame.lineno
    return None


def fragment_key(path: str) -> str:
    stem = posixpath.splitext(posixpath.basename(path))[0]
    return slugify_part(_ORDER_PREFIX.sub("", stem)) or slugify_part(stem) or "section"


def first_heading(markdown: str) -> str | None:
    previous = ""
    for line in markdown.splitlines():
        atx = _ATX.match(line)
        if atx:
            return _plain(atx.group(2))
        if previous.strip() and _SETEXT.match(line):
            return _plain(previous)
        previous = line
    return None


def _plain(heading: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[*_`]", "", text).strip()


def assemble(
    layout: PolicyLayout,
    files: Mapping[str, bytes],
    site_variables: Mapping[str, Any],
    env: jinja2.Environment | None,
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
    env: jinja2.Environment | None,
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
    return PolicyText(layout.slug, title, meta.description, tuple(sections), meta)


def _assemble_file(
    layout: PolicyLayout,
    files: Mapping[str, bytes],
    site_variables: Mapping[str, Any],
    env: jinja2.Environment | None,
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
    title = meta.title or first_heading(text) or provisional
    sections = tuple(split_sections(text, path, offset))
    return PolicyText(layout.slug, title, meta.description, sections, meta)


def _unique(key: str, seen: dict[str, int]) -> str:
    count = seen.get(key, 0) + 1
    seen[key] = count
    return key if count == 1 else f"{key}-{count}"


def headings(lines: Sequence[str]) -> Iterator[tuple[int, int, str, bool]]:
    """Each heading outside fenced code: (first line, level, text, is Setext). A Setext
    heading is its text line plus an underline of ``=`` (level 1) or ``-`` (level 2)."""
    fence: str | None = None
    for index, line in enumerate(lines):
        marker = _FENCE.match(line)
        if marker:
            if fence is None:
                fence = marker.group(1)[0] * 3
            elif line.strip().startswith(fence):
                fence = None
            continue
        if fence:
            continue
        atx = _ATX.match(line)
        if atx:
            yield index, len(atx.group(1)), atx.group(2), False
        elif (index and _SETEXT.match(line) and lines[index - 1].strip()
              and not _ATX.match(lines[index - 1])
              and (index < 2 or not lines[index - 2].strip())):
            yield index - 1, 1 if line.strip()[0] == "=" else 2, lines[index - 1], True


def split_sections(text: str, source: str, line_offset: int = 0) -> list[Section]:
    """Split a single-file policy at its ``#`` and ``##`` headings (ATX or Setext)."""
    lines = text.split("\n")
    starts = [(index, _plain(heading)) for index, level, heading, _ in headings(lines)
              if level <= 2]
    if not starts or starts[0][0] != 0:
        starts.insert(0, (0, ""))
    sections = []
    seen: dict[str, int] = {}
    for number, (start, heading) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        chunk = "\n".join(lines[start:end]).strip("\n")
        if not chunk.strip():
            continue
        key = _unique(slugify_part(heading) or "preamble", seen)
        sections.append(
            Section(key, heading or "Introduction", source, start + 1 + line_offset, chunk + "\n")
        )
    return sections

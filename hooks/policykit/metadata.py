"""Policy metadata (``policy.yml`` or front matter) and change entries, validated with lines.

Validation is our own rather than MkDocs' ``config_options``: the core must not import
MkDocs, and editors need the line of the offending key, which ``Config`` does not track.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from policykit.errors import PolicyError

KNOWN_KEYS = ("title", "description", "sections", "variables", "changes")
#: control characters (not tab or newline): invisible, invalid in XML, unsafe in a terminal
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
ENTRY_KEYS = ("effective", "summary", "editorial")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class ChangeEntry:
    """One entry of ``changes:``. Material entries have an effective date and a summary."""

    effective: dt.date | None
    summary: str | None
    editorial: str | None
    line: int | None = None

    @property
    def is_material(self) -> bool:
        return self.effective is not None


@dataclass(frozen=True)
class PolicyMeta:
    title: str | None = None
    description: str | None = None
    sections: tuple[str, ...] | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    #: None when the policy declares nothing (an imported repository): every change of
    #: the rendered words is then a version dated by its commit.
    changes: tuple[ChangeEntry, ...] | None = None
    file: str | None = None
    lines: Mapping[tuple[Any, ...], int] = field(default_factory=dict, compare=False)

    def line_of(self, *path: Any) -> int | None:
        return self.lines.get(path)


# -- YAML with line numbers -------------------------------------------------------------


class _DatesAsTextLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad one (2026-02-30) gets our message."""


_DatesAsTextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, file: str, line_offset: int = 0) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML safely and return the data plus the 1-based line of every key and item."""
    loader = _DatesAsTextLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        # YAML names the line where it noticed the problem; what was left open (a "[",
        # a quote) may have started lines before: say where, the editor's mistake is there
        started = ""
        if exc.context and exc.context_mark and line is not None \
                and exc.context_mark.line + 1 + line_offset != line:
            started = (f" ({exc.context.removeprefix('while ')}, which starts on line "
                       f"{exc.context_mark.line + 1 + line_offset})")
        raise PolicyError(
            f"this is not valid YAML: {exc.problem or exc}{started}",
            file=file,
            line=line,
            fix="check the indentation and quote text that contains ':' or '#'",
        ) from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"this is not valid YAML: {exc}", file=file) from None
    finally:
        loader.dispose()
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _index_lines(node, (), lines, line_offset)
    return data, lines


def _index_lines(
    node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int], offset: int
) -> None:
    lines[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1 + offset
            _index_lines(value_node, (*path, key), lines, offset)
            lines[(*path, key)] = key_node.start_mark.line + 1 + offset
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, index), lines, offset)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split ``---`` front matter from a Markdown file: (yaml or None, body, body's line offset)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return None, text, 0
    return match.group(1) or "", text[match.end() :], text[: match.end()].count("\n")


# -- policy metadata --------------------------------------------------------------------


def parse_policy_yml(text: str, file: str) -> PolicyMeta:
    data, lines = load_yaml(text, file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(
            "expected a mapping of keys such as 'title:' and 'changes:'",
            file=file,
            line=1,
            fix="see docs/editors.md for the format",
        )
    return _build_meta(data, lines, file, strict_keys=True)


def parse_front_matter(text: str, file: str) -> tuple[PolicyMeta, str, int]:
    """Metadata from a single-file policy's front matter, its body, and the body's line offset.

    Unknown keys are allowed here (front matter is shared with tools such as Jekyll), except
    ones that look like a misspelling of ours.
    """
    raw, body, offset = split_front_matter(text)
    if raw is None:
        return PolicyMeta(file=file), body, offset
    data, lines = load_yaml(raw, file, line_offset=1)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError(
            "front matter must be a mapping of keys such as 'title:'", file=file, line=2
        )
    return _build_meta(data, lines, file, strict_keys=False), body, offset


def _suggest(key: str, known: tuple[str, ...]) -> str | None:
    match = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return match[0] if match else None


def _build_meta(
    data: dict[Any, Any], lines: dict[tuple[Any, ...], int], file: str, strict_keys: bool
) -> PolicyMeta:
    for key in data:
        if key in KNOWN_KEYS:
            continue
        suggestion = _suggest(str(key), KNOWN_KEYS)
        if strict_keys or suggestion:
            hint = (
                f"did you mean '{suggestion}'?"
                if suggestion
                else (f"the keys are: {', '.join(KNOWN_KEYS)}")
            )
            raise PolicyError(f"unknown key '{key}'", file=file, line=lines.get((key,)), fix=hint)

    def text_value(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise PolicyError(
                f"expected text for '{key}', but got {_kind(value)}",
                file=file,
                line=lines.get((key,)),
                fix="write it as plain text",
            )
        return _CONTROL.sub("", str(value)).strip()

    sections = data.get("sections")
    if sections is not None:
        if not isinstance(sections, list) or not all(isinstance(s, str) for s in sections):
            raise PolicyError(
                "expected 'sections' to be a list of fragment file names",
                file=file,
                line=lines.get(("sections",)),
                fix="write one '- 10-intro.md' line per section",
            )
        sections = tuple(sections)

    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise PolicyError(
            f"expected 'variables' to be a mapping, but got {_kind(variables)}",
            file=file,
            line=lines.get(("variables",)),
            fix="write one 'name: value' line per variable",
        )

    changes = None
    if "changes" in data:
        changes = _parse_changes(data["changes"], lines, file)

    return PolicyMeta(
        title=text_value("title"),
        description=text_value("description"),
        sections=sections,
        variables=variables,
        changes=changes,
        file=file,
        lines=lines,
    )


def _parse_changes(
    value: Any, lines: dict[tuple[Any, ...], int], file: str
) -> tuple[ChangeEntry, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PolicyError(
            "expected 'changes' to be a list of entries, newest first",
            file=file,
            line=lines.get(("changes",)),
            fix="start each entry with '- effective: YYYY-MM-DD'",
        )
    entries = []
    for index, item in enumerate(value):
        where = lines.get(("changes", index))
        if not isinstance(item, dict):
            raise PolicyError(
                f"expected a change entry with 'effective' and 'summary', but got {_kind(item)}",
                file=file,
                line=where,
                fix="write '- effective: YYYY-MM-DD' and 'summary: …' on the next line",
            )
        for key in item:
            if key not in ENTRY_KEYS:
                suggestion = _suggest(str(key), ENTRY_KEYS)
                raise PolicyError(
                    f"unknown key '{key}' in a change entry",
                    file=file,
                    line=lines.get(("changes", index, key), where),
                    fix=f"did you mean '{suggestion}'?"
                    if suggestion
                    else "an entry has 'effective' and 'summary', or 'editorial'",
                )
        effective = _parse_date(
            item.get("effective"), file, lines.get(("changes", index, "effective"), where)
        )
        summary = item.get("summary")
        editorial = item.get("editorial")
        if effective is not None and editorial is not None:
            raise PolicyError(
                "a change entry is either material ('effective' and 'summary') "
                "or 'editorial', not both",
                file=file,
                line=where,
                fix="split it into two entries or remove one",
            )
        if effective is None and editorial is None:
            raise PolicyError(
                "a change entry needs an 'effective' date (material change) or an 'editorial' note",
                file=file,
                line=where,
                fix="add 'effective: YYYY-MM-DD' and 'summary: …', or 'editorial: what was fixed'",
            )
        if effective is not None and not (isinstance(summary, str) and summary.strip()):
            raise PolicyError(
                "a material change needs a public 'summary' of what changed",
                file=file,
                line=lines.get(("changes", index, "summary"), where),
                fix="add 'summary: …' in plain words for visitors",
            )
        if editorial is not None and not isinstance(editorial, str):
            raise PolicyError(
                "expected text for 'editorial'",
                file=file,
                line=lines.get(("changes", index, "editorial"), where),
            )
        entries.append(
            ChangeEntry(
                effective=effective,
                summary=_CONTROL.sub("", summary).strip() if isinstance(summary, str) else None,
                editorial=_CONTROL.sub("", editorial).strip() if isinstance(editorial, str)
                else None,
                line=where,
            )
        )
    return tuple(entries)


def _parse_date(value: Any, file: str, line: int | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PolicyError(
        f"expected a date (YYYY-MM-DD) for 'effective', but got '{value}'",
        file=file,
        line=line,
        fix="write the date like 2026-12-01",
    )


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return f"'{value}'"


# -- mkdocs.yml as of a past commit ----------------------------------------------------


class _TolerantLoader(yaml.SafeLoader):
    """Reads an old mkdocs.yml for its ``extra:`` without running its ``!!python`` tags."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_TolerantLoader.add_multi_constructor("", _ignore_tag)
_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:", _ignore_tag)


def read_config_extra(text: str) -> dict[str, Any]:
    """The ``extra:`` mapping of a mkdocs.yml text, or {} if it cannot be read."""
    try:
        data = yaml.load(text, Loader=_TolerantLoader)
    except yaml.YAMLError:
        return {}
    extra = data.get("extra") if isinstance(data, dict) else None
    return extra if isinstance(extra, dict) else {}

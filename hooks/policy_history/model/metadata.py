"""Policy metadata (``policy.yml`` or front matter) and change entries, validated with lines.

Validation is our own rather than MkDocs' ``config_options``: the core must not import
MkDocs, and editors need the line of the offending key, which ``Config`` does not track.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml

from policy_history.errors import PolicyError

KNOWN_KEYS = ("title", "description", "sections", "variables", "changes")
#: front matter keys that may state a single-file policy's date (model.declared_dates)
DATE_KEYS = ("effective", "effective_date", "last_updated", "last_modified", "updated", "date")
#: control characters (not tab or newline): invisible, invalid in XML, unsafe in a terminal
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
ENTRY_KEYS = ("effective", "summary", "editorial", "translates")
#: a version id: its effective date, and ``-2``, ``-3`` … for later ones of the same day
_VERSION_ID = re.compile(r"\d{4}-\d{2}-\d{2}(?:-[2-9]|-[1-9]\d+)?")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass(frozen=True)
class ChangeEntry:
    """One entry of ``changes:``. Material entries have an effective date and a summary."""

    effective: dt.date | None
    summary: str | None
    editorial: str | None
    line: int | None = None
    #: a translation's material entry: the id of the source version it translates
    translates: str | None = None

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
    #: front matter keys that may state the text's date (``effective``, ``date`` …), as
    #: written: read by policy_history.model.declared_dates for a policy that declares nothing
    dates: Mapping[str, Any] = field(default_factory=dict)

    def line_of(self, *path: Any) -> int | None:
        return self.lines.get(path)


# -- YAML with line numbers, within bounds ----------------------------------------------

#: Metadata comes from pull requests by people we do not control, and every past commit is
#: read again on each build: whatever the text, reading it must end quickly and in little
#: memory. Real metadata is a few kilobytes, a handful of levels deep and has no aliases;
#: these bounds are far above that and far below what hurts a build (docs/bad-inputs.md,
#: "Limits").
MAX_YAML_BYTES = 1_000_000
MAX_DEPTH = 50  # lists and mappings inside each other; PyYAML recurses at ~300
MAX_ALIAS_VALUES = 10_000  # values that '*alias'es repeat, in all (a "billion laughs": 10**9)
_NO_ALIASES = "write the values out, without '&anchor' / '*alias'"


class _Refused(Exception):
    """YAML past a bound, or a value its tag cannot give: problem, line, fix."""

    def __init__(self, problem: str, line: int | None, fix: str) -> None:
        super().__init__(problem)
        self.problem, self.line, self.fix = problem, line, fix


_MERGE = "tag:yaml.org,2002:merge"  # '<<: *defaults' merges a mapping; its keys may be overridden
_Collection = TypeVar("_Collection", yaml.SequenceNode, yaml.MappingNode)


class _Bounded(yaml.SafeLoader):
    """Composes the node graph within MAX_DEPTH, noting aliases, so that its size through
    the aliases is known before anything walks or constructs it (``_check_expansion``).
    A key given twice in a mapping is refused.

    Only lists, mappings and aliases pay for the bounds: scalars, most of a document, are
    composed as PyYAML does."""

    refuses_repeated_keys = True

    def __init__(self, text: str, line_offset: int = 0) -> None:
        self.line_offset = line_offset
        self.depth = 0
        self.alias_lines: dict[str, int | None] = {}  # each '*name', its first line
        self.anchors_of: dict[int, str] = {}  # id(list or mapping) → its '&name'
        super().__init__(text)

    def line_of(self, mark: Any) -> int | None:  # PyYAML's or libyaml's Mark; always set
        return mark.line + 1 + self.line_offset if mark is not None else None

    def fetch_alias(self) -> None:
        super().fetch_alias()
        token = self.tokens[-1]
        self.alias_lines.setdefault(token.value, self.line_of(token.start_mark))

    # (``anchor: Any``: types-PyYAML has the anchor of a mapping as a dict; it is its name)
    def compose_sequence_node(self, anchor: Any) -> yaml.SequenceNode:
        return self._nested(super().compose_sequence_node, anchor)

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        node = self._nested(super().compose_mapping_node, anchor)
        if self.refuses_repeated_keys:
            self._refuse_repeated_keys(node)
        return node

    def _refuse_repeated_keys(self, mapping: yaml.MappingNode) -> None:
        # YAML keeps the last of a repeated key, silently: an editor who adds a 'title:' or
        # a 'changes:' at the end, missing the one above, would not know which one counts.
        # Keys are compared as written (with their type): '1' and 1 differ, as in the data.
        seen: dict[tuple[str, str], yaml.Node] = {}
        for key_node, _value in mapping.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                continue
            key = (key_node.tag, key_node.value)
            if key in seen:
                raise self._repeated(key_node.value, seen[key], key_node, mapping)
            seen[key] = key_node

    def _repeated(self, name: str, first: yaml.Node, second: yaml.Node,
                  mapping: yaml.MappingNode) -> _Refused:
        if first is second:  # an anchored key given again through its alias: one node
            return _Refused(f"'{name}' is given twice in this mapping, once through an alias",
                            self.line_of(mapping.start_mark), "keep one of them")
        lines = self.line_of(first.start_mark), self.line_of(second.start_mark)
        where = f"lines {lines[0]} and {lines[1]}" if lines[0] != lines[1] \
            else f"both on line {lines[1]}"
        return _Refused(f"'{name}' is given twice ({where})", lines[1], "keep one of them")

    def _nested(self, compose: Callable[[Any], _Collection], anchor: str | None) -> _Collection:
        # PyYAML composes nested lists and mappings by recursion: stop well before
        # Python's limit, and before a deep document is read any further
        if self.depth == MAX_DEPTH:
            raise _Refused(f"this metadata nests more than {MAX_DEPTH} levels deep",
                           self.line_of(self.peek_event().start_mark),
                           "write it with fewer levels of lists and mappings")
        self.depth += 1
        try:
            node = compose(anchor)
        finally:
            self.depth -= 1
        if anchor is not None:
            self.anchors_of[id(node)] = anchor
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # PyYAML's constructors of tagged values ('!!timestamp soon', '!!int Privacy') fail
        # with Python's exceptions, not YAML's: say which value, where
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, OverflowError, LookupError):
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            value = f"'{node.value}'" if isinstance(node, yaml.ScalarNode) else "here"
            raise _Refused(f"the value {value} is not a valid {tag}",
                           self.line_of(node.start_mark),
                           f"remove the '{tag}' tag: plain values need none") from None

    def compose_bounded(self) -> yaml.Node | None:
        node = self.get_single_node()
        if node is not None and self.alias_lines:
            self._check_expansion(node)
        return node

    def _check_expansion(self, root: yaml.Node) -> None:
        alias, line = next(iter(self.alias_lines.items()))
        try:
            repeated, depth = _expansion(root)
        except _Loop as loop:
            name = self.anchors_of.get(id(loop.node), "")
            raise _Refused(f"the alias '*{name}' is used inside '&{name}' itself, so it "
                           "never ends", self.alias_lines.get(name, line), _NO_ALIASES) from None
        if depth > MAX_DEPTH:
            raise _Refused(f"this metadata nests more than {MAX_DEPTH} levels deep through "
                           f"its aliases (*{alias})", line, _NO_ALIASES)
        if repeated > MAX_ALIAS_VALUES:
            raise _Refused(f"this metadata expands to more than {MAX_ALIAS_VALUES:,} values "
                           f"through its aliases (*{alias})", line, _NO_ALIASES)


class _Loop(Exception):
    """An alias inside its own anchor: ``node`` contains itself."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__()
        self.node = node


_IN_PROGRESS = (-1, -1)


def _expansion(root: yaml.Node) -> tuple[int, int]:
    """How many values the aliases under ``root`` repeat, and how deep it nests, once each
    alias is read as a copy of its anchor (as the data is walked). Worked out once per node,
    children first, without recursion: a billion laughs costs what its few lines cost.
    Raises _Loop if a node contains itself."""
    done: dict[int, tuple[int, int]] = {}  # id(node) → (values, depth) through aliases
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        known = done.get(id(node))
        if not children_done:
            if known is _IN_PROGRESS:  # reached again from inside itself
                raise _Loop(node)
            if known is None:
                done[id(node)] = _IN_PROGRESS
                stack.append((node, True))
                stack.extend((child, False) for child in _children(node))
            continue
        children = [done[id(child)] for child in _children(node)]
        values = 1 + sum(values for values, _depth in children)
        depth = max((depth for _values, depth in children), default=0)
        done[id(node)] = (values, depth + (not isinstance(node, yaml.ScalarNode)))
    values, depth = done[id(root)]
    return values - len(done), depth


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_size(text: str, line_offset: int) -> None:
    if len(text) * 4 <= MAX_YAML_BYTES:  # UTF-8 takes at most 4 bytes a character
        return
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_YAML_BYTES:
        raise _Refused(
            f"this metadata is longer than the limit of {MAX_YAML_BYTES:,} bytes; it passes "
            "it on this line",
            data[:MAX_YAML_BYTES].count(b"\n") + 1 + line_offset,
            "keep it short: a policy's text goes in its Markdown files, not in its metadata",
        )


def _read(loader_class: type[_Bounded], text: str,
          line_offset: int = 0) -> tuple[yaml.Node | None, Any]:
    """The node graph and the data of ``text``, within the bounds. Raises _Refused or
    yaml.YAMLError."""
    _check_size(text, line_offset)
    loader = loader_class(text, line_offset)
    try:
        node = loader.compose_bounded()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


class _DatesAsTextLoader(_Bounded):
    """Leaves dates as text, so a bad one (2026-02-30) gets our message."""


_DatesAsTextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, file: str, line_offset: int = 0) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML safely and return the data plus the 1-based line of every key and item.

    Whatever the text: the data, or a PolicyError (never a hang, a RecursionError or a
    MemoryError)."""
    try:
        node, data = _read(_DatesAsTextLoader, text, line_offset)
    except _Refused as refused:
        raise PolicyError(refused.problem, file=file, line=refused.line,
                          fix=refused.fix) from None
    except yaml.MarkedYAMLError as exc:
        raise _invalid(exc, file, line_offset) from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"this is not valid YAML: {exc}", file=file) from None
    except (RecursionError, MemoryError):  # not expected within the bounds: a last guard
        raise PolicyError("this metadata is too large or too deeply nested to read", file=file,
                          fix="write it with fewer levels and fewer values") from None
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _index_lines(node, (), lines, line_offset)
    return data, lines


def _invalid(exc: yaml.MarkedYAMLError, file: str, line_offset: int) -> PolicyError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 + line_offset if mark else None
    # YAML names the line where it noticed the problem; what was left open (a "[",
    # a quote) may have started lines before: say where, the editor's mistake is there
    started = ""
    if exc.context and exc.context_mark and line is not None \
            and exc.context_mark.line + 1 + line_offset != line:
        started = (f" ({exc.context.removeprefix('while ')}, which starts on line "
                   f"{exc.context_mark.line + 1 + line_offset})")
    return PolicyError(
        f"this is not valid YAML: {exc.problem or exc}{started}",
        file=file,
        line=line,
        fix="check the indentation and quote text that contains ':' or '#'",
    )


def _index_lines(
    node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int], offset: int
) -> None:
    # recursion is safe: the bounds keep the depth, aliases included, within MAX_DEPTH
    lines[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
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
            f"expected a mapping of keys such as 'title:' and 'changes:', but got {_kind(data)}",
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
            f"front matter must be a mapping of keys such as 'title:', but got {_kind(data)}",
            file=file,
            line=2,
            fix="write one 'key: value' line per key between the '---' lines",
        )
    return _build_meta(data, lines, file, strict_keys=False), body, offset


def _suggest(key: str, known: tuple[str, ...]) -> str | None:
    match = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return match[0] if match else None


_Lines = dict[tuple[Any, ...], int]


def _build_meta(data: dict[Any, Any], lines: _Lines, file: str, strict_keys: bool) -> PolicyMeta:
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
        # a number is taken as the text it reads as (a title may be "1984")
        value = data.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        return _text(value, key, file, lines.get((key,)))

    changes = None
    if "changes" in data:
        changes = _parse_changes(data["changes"], lines, file)

    return PolicyMeta(
        title=text_value("title"),
        description=text_value("description"),
        sections=_parse_sections(data.get("sections"), lines, file),
        variables=_parse_variables(data.get("variables"), lines, file),
        changes=changes,
        file=file,
        lines=lines,
        dates={key: data[key] for key in DATE_KEYS if key in data} if not strict_keys else {},
    )


def _text(value: Any, key: str, file: str, line: int | None) -> str | None:
    """Text written for ``key``, without control characters; None if not given."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise PolicyError(f"expected text for '{key}', but got {_kind(value)}", file=file,
                          line=line, fix=_as_text(value))
    return _CONTROL.sub("", value).strip()


def _as_text(value: Any) -> str:
    """How to write ``value``, which YAML read as something else, as text."""
    if isinstance(value, (list, tuple, set)):
        return "write it as one line of plain text (a line that starts with '- ' or '[' is a list)"
    if isinstance(value, dict):
        return "write it as plain text on one line, in quotes if it contains ': '"
    if isinstance(value, bool):
        return "put it in quotes: YAML reads yes, no, on and off without quotes as true/false"
    if isinstance(value, (int, float, dt.date)):
        return "put it in quotes, so that it is kept as written"
    return "write it as plain text"


def _parse_sections(value: Any, lines: _Lines, file: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    fix = "write one '- 10-intro.md' line per section"
    if not isinstance(value, list):
        raise PolicyError(
            f"expected 'sections' to be a list of fragment file names, but got {_kind(value)}",
            file=file, line=lines.get(("sections",)), fix=fix)
    for index, name in enumerate(value):
        if not isinstance(name, str):
            raise PolicyError(
                f"expected a fragment file name in 'sections', but got {_kind(name)}",
                file=file, line=lines.get(("sections", index)), fix=fix)
    return tuple(value)


def _parse_variables(value: Any, lines: _Lines, file: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PolicyError(
            f"expected 'variables' to be a mapping, but got {_kind(value)}",
            file=file,
            line=lines.get(("variables",)),
            fix="write one 'name: value' line per variable",
        )
    _check_variable_values(value, ("variables",), lines, file)
    return value


def _check_variable_values(values: dict[Any, Any], path: tuple[Any, ...], lines: _Lines,
                           file: str) -> None:
    """Every value can be filled in: None would be published as "None", bytes as "b'…'".
    (Recursion is bounded: YAML nests at most MAX_DEPTH levels, aliases included.)"""
    for name, value in values.items():
        where, dotted = (*path, name), ".".join(str(part) for part in (*path[1:], name))
        if value is None:
            raise PolicyError(f"the variable '{dotted}' has no value", file=file,
                              line=lines.get(where),
                              fix=f"write its value after '{name}:', or remove the line")
        if isinstance(value, bytes):
            raise PolicyError(
                f"expected text, a number or a mapping for the variable '{dotted}', but got "
                f"{_kind(value)}", file=file, line=lines.get(where), fix="write it as plain text")
        if isinstance(value, dict):
            _check_variable_values(value, where, lines, file)


def _parse_changes(value: Any, lines: _Lines, file: str) -> tuple[ChangeEntry, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PolicyError(
            f"expected 'changes' to be a list of entries, newest first, but got {_kind(value)}",
            file=file,
            line=lines.get(("changes",)),
            fix="start each entry with '- effective: YYYY-MM-DD'",
        )
    return tuple(_parse_entry(item, index, lines, file) for index, item in enumerate(value))


def _parse_entry(item: Any, index: int, lines: _Lines, file: str) -> ChangeEntry:
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

    def line_of(key: str) -> int | None:
        return lines.get(("changes", index, key), where)

    # each value has the type it must have before the entry is judged as a whole, so a
    # summary given as a list is not taken for a missing one
    effective = _parse_date(item.get("effective"), file, line_of("effective"))
    summary = _text(item.get("summary"), "summary", file, line_of("summary"))
    editorial = _text(item.get("editorial"), "editorial", file, line_of("editorial"))
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
    if effective is not None and not summary:
        raise PolicyError(
            "a material change needs a public 'summary' of what changed",
            file=file,
            line=line_of("summary"),
            fix="add 'summary: …' in plain words for visitors",
        )
    translates = _parse_version_id(item.get("translates"), file, line_of("translates"))
    if translates is not None and effective is None:
        raise PolicyError(
            "'translates' belongs to a translation's material entry, with its 'effective' "
            "date", file=file, line=line_of("translates"),
            fix="move it to the entry of the version that translates that source version")
    return ChangeEntry(effective=effective, summary=summary, editorial=editorial, line=where,
                       translates=translates)


def _parse_version_id(value: Any, file: str, line: int | None) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, dt.date) else value
    if isinstance(text, str) and _VERSION_ID.fullmatch(text.strip()):
        return text.strip()
    raise PolicyError(
        f"expected the id of a version of the source policy for 'translates', but got "
        f"{_kind(value)}", file=file, line=line,
        fix="write the id the source version has in its address, like 2026-11-24 "
        "(/privacy/versions/2026-11-24/)")


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
        f"expected a date (YYYY-MM-DD) for 'effective', but got {_kind(value)}",
        file=file,
        line=line,
        fix="write the date like 2026-12-01",
    )


def _kind(value: Any) -> str:
    """What YAML read ``value`` as, in an editor's words."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if value is None:
        return "nothing"
    return f"'{value}'"


# -- mkdocs.yml as of a past commit ----------------------------------------------------


class _TolerantLoader(_Bounded):
    """Reads an old mkdocs.yml for its ``extra:`` without running its ``!!python`` tags."""

    refuses_repeated_keys = False  # as MkDocs reads it: the last one counts


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_TolerantLoader.add_multi_constructor("", _ignore_tag)
_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:", _ignore_tag)


def read_config_extra(text: str) -> dict[str, Any]:
    """The ``extra:`` mapping of a mkdocs.yml text, or {} if it cannot be read.

    A past commit's mkdocs.yml is read under the same bounds as policy metadata (it may
    come from a pull request too); past them it is unreadable, as invalid YAML is: its
    commit's text is read with the site's variables, never a hang."""
    try:
        _node, data = _read(_TolerantLoader, text)
    except (yaml.YAMLError, _Refused, RecursionError, MemoryError):
        return {}
    extra = data.get("extra") if isinstance(data, dict) else None
    return extra if isinstance(extra, dict) else {}

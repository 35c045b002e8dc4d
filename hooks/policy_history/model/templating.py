"""``{{ variables }}`` in policy text: a small, bounded language that cannot escape.

Policy text comes from pull requests, and every past commit is filled in again on each
build, so the template language is Jinja2's ``SandboxedEnvironment`` cut down to what a
legal text needs, with every way to do unbounded work taken out:

* **Data only.** ``a.b`` and ``a[b]`` read mappings and lists; no Python attribute or
  method of any object is reachable, and nothing can be called.
* **A short list of statements**: ``{{ … }}``, ``{% if %}``, ``{% for %}`` over a list,
  comments and ``{% raw %}``. No ``set``, ``macro``, ``include``, ``import`` … (checked
  on the parsed template, before any of it runs, with the line of the refused part).
* **A budget per fragment**: loop iterations and the items filters go through count
  against one allowance (:data:`MAX_STEPS`), the text the template adds against
  another (:data:`MAX_ADDED_CHARS`), and a deadline (:data:`MAX_SECONDS`) backs both.

Each limit is deterministic except the deadline, which only a template already far
past the others could reach. A refusal is :class:`TemplateRefused`: at the tip an error
naming the file and line; in a past commit, that commit is left out with a warning.
"""

from __future__ import annotations

import functools
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.filters import FILTERS
from jinja2.runtime import LoopContext
from jinja2.sandbox import SandboxedEnvironment
from jinja2.tests import TESTS

from policy_history.errors import PolicyError

#: loop iterations plus the items (or every 256 characters) that filters go through
MAX_STEPS = 200_000
#: characters a fragment's template may add to the fragment's own text
MAX_ADDED_CHARS = 1_000_000
#: a backstop for work the counts above do not see
MAX_SECONDS = 10.0
#: how deeply expressions and statements may nest in one template
MAX_NESTING = 40

TEMPLATING_OFF = ("if this text is not ours to change (another template language, such "
                  "as Liquid's {% … %}), set 'extra: policies: templating: false' in "
                  "mkdocs.yml to publish it as written")


class TemplateError(PolicyError):
    """A ``{{ variable }}`` or ``{% tag %}`` in policy text could not be filled in (an
    undefined name, a syntax error): a past commit's text is then kept as written."""


class TemplateRefused(PolicyError):
    """The template asks for something policy text may not do, or more work than it
    may: never run, and a past commit holding it is left out of the history."""


_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first",
    "float", "int", "items", "join", "last", "length", "list", "lower", "map", "max",
    "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select",
    "selectattr", "sort", "string", "striptags", "sum", "title", "trim", "truncate",
    "unique", "upper", "urlencode", "wordcount",
)
_TESTS = (
    "boolean", "defined", "divisibleby", "eq", "equalto", "even", "false", "float", "ge",
    "gt", "greaterthan", "in", "integer", "iterable", "le", "lower", "lessthan", "lt",
    "mapping", "ne", "none", "number", "odd", "sameas", "sequence", "string", "true",
    "undefined", "upper", "==", "!=", "<", "<=", ">", ">=",
)
#: names Jinja gives a meaning of its own
_SPECIAL_NAMES = frozenset({"self", "caller", "varargs", "kwargs"})
_LOOP_FIELDS = frozenset({"index", "index0", "revindex", "revindex0", "first", "last",
                          "length", "depth", "depth0", "previtem", "nextitem"})

#: the parts of a parsed template that only read data and write text
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.Name,
    nodes.Getattr, nodes.Getitem, nodes.Slice, nodes.Tuple, nodes.List, nodes.Dict,
    nodes.Pair, nodes.Keyword, nodes.If, nodes.CondExpr, nodes.And, nodes.Or, nodes.Not,
    nodes.Neg, nodes.Pos, nodes.Compare, nodes.Operand, nodes.Concat, nodes.Filter,
    nodes.Test, nodes.For, nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv,
    nodes.Mod,
)
#: what to say about the parts most often tried
_REFUSED_WHY = {
    nodes.Call: "calling a function or method",
    nodes.Assign: "'{% set %}'",
    nodes.AssignBlock: "'{% set %}'",
    nodes.Macro: "'{% macro %}'",
    nodes.CallBlock: "'{% call %}'",
    nodes.Include: "'{% include %}'",
    nodes.Import: "'{% import %}'",
    nodes.FromImport: "'{% from … import %}'",
    nodes.Extends: "'{% extends %}'",
    nodes.Block: "'{% block %}'",
    nodes.FilterBlock: "'{% filter %}'",
    nodes.With: "'{% with %}'",
    nodes.Scope: "'{% with %}'",
    nodes.Pow: "the power operator '**'",
}
_WHAT_IS_ALLOWED = ("policy text may use {{ variables }}, {% if %} … {% endif %} and "
                    "{% for item in list %} … {% endfor %}, with filters such as "
                    "{{ name | upper }}; put computed values in 'variables:' of the "
                    "policy's metadata or 'extra:' in mkdocs.yml")
_LOOP_BUDGET = "policy_loop_budget"  # the filter every loop's list is passed through


class _Budget:
    """What one fragment's template may still do."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.steps = MAX_STEPS
        self.deadline = time.monotonic() + MAX_SECONDS
        self.line: int | None = None

    def charge(self, steps: int) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise _OverBudget(f"this template does more than {MAX_STEPS:,} steps of work "
                              "(loop iterations and items filtered)")
        if time.monotonic() > self.deadline:
            raise _OverBudget(f"this template takes more than {MAX_SECONDS:g} seconds")


class _OverBudget(Exception):
    pass


def _cost(value: Any) -> int:
    if isinstance(value, jinja2.Undefined):
        return 1  # measuring it would raise: 'default' and 'defined' take it as it is
    if isinstance(value, str):
        return 1 + len(value) // 256
    try:
        return 1 + len(value)
    except TypeError:
        return 1


class PolicyTemplates(SandboxedEnvironment):
    """The environment policy text is filled in with (see the module's docstring)."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=False,
                         keep_trailing_newline=True, optimized=False)
        self.globals.clear()  # no range(), cycler(), namespace(), lipsum() …
        self.filters = {name: _counted(FILTERS[name], self) for name in _FILTERS}
        self.filters[_LOOP_BUDGET] = _loop_budget
        self.tests = {name: TESTS[name] for name in _TESTS}
        self.budget: _Budget | None = None
        self._prepared: dict[str, tuple[nodes.Template, jinja2.Template]] = {}

    # -- what a template may reach --------------------------------------------------------

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, LoopContext):
            if attribute in _LOOP_FIELDS:
                return getattr(obj, attribute)
        elif isinstance(obj, Mapping):
            try:
                return obj[attribute]
            except (KeyError, TypeError):
                pass
        return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, LoopContext) and isinstance(argument, str):
            return self.getattr(obj, argument)
        if isinstance(obj, Mapping):
            try:
                return obj[argument]
            except (KeyError, TypeError):
                pass
        elif isinstance(obj, (str, Sequence)) and isinstance(argument, (int, slice)) \
                and not isinstance(argument, bool):
            try:
                return obj[argument]
            except (IndexError, TypeError, ValueError):
                pass
        elif isinstance(argument, str):
            return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        raise jinja2.sandbox.SecurityError("policy text may not call functions")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if isinstance(left, jinja2.Undefined) or isinstance(right, jinja2.Undefined):
            # an undefined name (Jekyll's site.data.security-responders reads as a
            # subtraction): say so, as Jinja2 itself would, rather than refuse
            (left if isinstance(left, jinja2.Undefined) else right)._fail_with_undefined_error()
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool)
                      for v in (left, right))
        if operator == "+" and not numbers and type(left) is type(right) \
                and isinstance(left, (str, list, tuple)):
            return left + right  # as long as its two parts together
        if operator == "**" or not numbers:
            raise jinja2.sandbox.SecurityError(
                f"'{operator}' works on numbers only in policy text; join text with '~'")
        if operator == "*" and abs(left) > 1e15 and abs(right) > 1e15:
            raise jinja2.sandbox.SecurityError("numbers this large are not policy text")
        return self.binop_table[operator](left, right)

    # -- filling in ---------------------------------------------------------------------

    def fill(self, text: str, variables: Mapping[str, Any], file: str,
             line_offset: int) -> str:
        """``text`` with its variables filled in; TemplateError or TemplateRefused with the
        file and line."""
        prepared = self._prepared.get(text)
        if prepared is None:
            prepared = self._prepare(text, file, line_offset)
            if len(self._prepared) > 512:  # templates repeat across revisions; bounded
                self._prepared.clear()
            self._prepared[text] = prepared
        tree, template = prepared
        self.budget = _Budget(file)
        room = len(text) + MAX_ADDED_CHARS
        pieces: list[str] = []
        try:
            for piece in template.generate(variables):
                room -= len(piece)
                if room < 0:
                    raise _OverBudget(f"this template adds more than {MAX_ADDED_CHARS:,} "
                                      "characters to the text")
                pieces.append(piece)
        except _OverBudget as over:
            # raised in the template, or here while its output is counted: then the first
            # loop is where it comes from
            line = _line_in(over, file, line_offset) or _first_loop_line(tree, line_offset)
            raise TemplateRefused(str(over), file=file, line=line,
                                  fix="make the loop or list smaller, or write the text out"
                                  ) from None
        except jinja2.sandbox.SecurityError as refused:
            raise TemplateRefused(f"{refused}", file=file,
                                  line=_line_in(refused, file, line_offset),
                                  fix=_WHAT_IS_ALLOWED) from None
        except jinja2.UndefinedError as exc:
            line = _template_line(exc)
            name = _undefined_name(tree, line, variables)
            raise TemplateError(
                f"undefined variable '{name}'" if name else f"undefined variable: {exc.message}",
                file=file,
                line=line + line_offset if line else None,
                fix="define it under 'extra:' in mkdocs.yml or 'variables:' in the policy's "
                "metadata, or fix its spelling",
            ) from None
        except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
            raise TemplateError(
                f"this template cannot be filled in: {exc}", file=file,
                line=_line_in(exc, file, line_offset),
                fix="check the values the template uses and what the filters expect") from None
        except RecursionError:
            raise TemplateRefused("this template nests too deeply", file=file,
                                  fix="write the text out") from None
        finally:
            self.budget = None
        return "".join(pieces)

    def _prepare(self, text: str, file: str,
                 line_offset: int) -> tuple[nodes.Template, jinja2.Template]:
        try:
            tree = self.parse(text)
            _check(tree, file, line_offset)
            _budget_loops(tree)
            return tree, self.from_string(tree)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"template syntax error: {exc.message}",
                file=file,
                line=(exc.lineno or 0) + line_offset or None,
                fix=f"check the {{{{ }}}} and {{% %}} pairs; write {{{{ '{{{{' }}}} for a "
                f"literal '{{{{'; {TEMPLATING_OFF}",
            ) from None
        except (RecursionError, MemoryError):
            raise TemplateRefused(
                f"this template nests more than {MAX_NESTING} levels deep", file=file,
                fix="write the text out") from None


@jinja2.pass_environment
def _loop_budget(env: PolicyTemplates, items: Iterable[Any]) -> Iterator[Any]:
    """Each item of a loop's list charges the budget, as the loop takes it."""
    for item in items:
        if env.budget is not None:
            env.budget.charge(1)
        yield item


def _counted(func: Callable[..., Any], env: PolicyTemplates) -> Callable[..., Any]:
    """A filter that charges the template's budget for the value it goes through."""
    takes_first = getattr(func, "jinja_pass_arg", None) is not None

    @functools.wraps(func)
    def counted(*args: Any, **kwargs: Any) -> Any:
        value = args[1] if takes_first else args[0]
        if env.budget is not None:
            env.budget.charge(_cost(value))
        result = func(*args, **kwargs)
        if isinstance(result, str) and len(result) > MAX_ADDED_CHARS + _size(value):
            raise _OverBudget(f"a filter would make more than {MAX_ADDED_CHARS:,} characters")
        return result

    if func is FILTERS["replace"]:
        return _bounded_replace(counted)
    return counted


def _bounded_replace(replace: Callable[..., Any]) -> Callable[..., Any]:
    """``replace`` refuses, before it runs, a result it would make too long."""

    @functools.wraps(replace)
    def bounded(eval_ctx: Any, value: Any, old: Any, new: Any, count: Any = None) -> Any:
        if isinstance(value, str) and isinstance(old, str) and isinstance(new, str):
            times = value.count(old) if old else len(value) + 1
            if count is not None and isinstance(count, int):
                times = min(times, max(count, 0))
            if times * max(len(new) - len(old), 0) > MAX_ADDED_CHARS:
                raise _OverBudget(f"'replace' would make more than {MAX_ADDED_CHARS:,} "
                                  "characters")
        return replace(eval_ctx, value, old, new, count)

    return bounded


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _check(tree: nodes.Node, file: str, line_offset: int) -> None:
    """Refuse, with its line, the first part of the template policy text may not use."""
    stack: list[tuple[nodes.Node, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        line = getattr(node, "lineno", None)
        where = (line or 0) + line_offset or None
        if depth > MAX_NESTING:
            raise TemplateRefused(f"this template nests more than {MAX_NESTING} levels deep",
                                  file=file, line=where, fix="write the text out")
        if not isinstance(node, _ALLOWED_NODES) or isinstance(node, nodes.Pow):
            what = next((why for kind, why in _REFUSED_WHY.items() if isinstance(node, kind)),
                        f"'{type(node).__name__}'")
            raise TemplateRefused(
                f"{what} is not allowed in policy text", file=file, line=where,
                fix=_WHAT_IS_ALLOWED + (f"; {TEMPLATING_OFF}" if isinstance(
                    node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends)
                    else ""))
        if isinstance(node, nodes.Filter | nodes.Test):
            allowed = _FILTERS if isinstance(node, nodes.Filter) else _TESTS
            if node.name not in allowed:
                kind = "filter" if isinstance(node, nodes.Filter) else "test"
                raise TemplateRefused(
                    f"the {kind} '{node.name}' is not allowed in policy text", file=file,
                    line=where, fix=f"the {kind}s policy text may use: {', '.join(allowed)}")
        if (isinstance(node, nodes.Getattr) and node.attr.startswith("_")) or \
                (isinstance(node, nodes.Name) and node.name in _SPECIAL_NAMES):
            name = node.attr if isinstance(node, nodes.Getattr) else node.name
            raise TemplateRefused(f"the name '{name}' is not allowed in policy text",
                                  file=file, line=where,
                                  fix="rename the variable: names may not start with '_', "
                                  f"nor be one of {', '.join(sorted(_SPECIAL_NAMES))}")
        if isinstance(node, nodes.For) and node.recursive:
            raise TemplateRefused("a recursive '{% for %}' is not allowed in policy text",
                                  file=file, line=where, fix=_WHAT_IS_ALLOWED)
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())


def _budget_loops(tree: nodes.Node) -> None:
    """Every loop's list goes through the budget filter (after _check, so a template
    cannot name that filter itself)."""
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Filter(loop.iter, _LOOP_BUDGET, [], [], None, None,
                                 lineno=loop.lineno)


def _first_loop_line(tree: nodes.Template, line_offset: int) -> int | None:
    loop = tree.find(nodes.For)
    return loop.lineno + line_offset if loop is not None else None


def _template_line(exc: BaseException) -> int | None:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == "<template>":
            return frame.lineno
    return None


def _line_in(exc: BaseException, file: str, line_offset: int) -> int | None:
    line = _template_line(exc)
    return line + line_offset if line else None


def _undefined_name(tree: nodes.Template, line: int | None,
                    variables: Mapping[str, Any]) -> str | None:
    """The first dotted name (on ``line``, if known) that does not resolve, as written."""
    looped = {"loop"}
    for loop in tree.find_all(nodes.For):
        targets = [loop.target, *loop.target.find_all(nodes.Name)]
        looped.update(target.name for target in targets if isinstance(target, nodes.Name))
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        if line is not None and node.lineno != line:
            continue
        path = _dotted(node)
        if path is None or path[0] in looped:
            continue
        value: Any = variables
        for part in path:
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            else:
                return ".".join(path)
    return None


def _dotted(node: nodes.Node) -> list[str] | None:
    """``a.b['c']`` as ["a", "b", "c"]; None for anything else."""
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        inner = _dotted(node.node)
        return None if inner is None else [*inner, node.attr]
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
            and isinstance(node.arg.value, str):
        inner = _dotted(node.node)
        return None if inner is None else [*inner, node.arg.value]
    return None

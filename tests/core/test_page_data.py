"""The templates read only fields the page data has (``site/page_data.py``).

Every template under ``overrides/`` is parsed with Jinja's own parser, and every name it
reads from ``policy`` (``page.meta.policy``), from what it sets or loops over from it, or
from ``policy_index``, is looked up on the dataclass the template is given: a field renamed
on one side only fails here, where before it rendered as nothing. The check follows
``{% if policy.page == "…" %}`` (and ``and``, ``else``, ``… if … else …``): a name read
under such a test must be a field of every kind of page that passes it, and one read
outside any must be a field of every kind the template is given. It also refuses reading
page data as a dict (``["key"]``, ``in``, ``| dictsort``). That the fields hold what the
templates expect is checked by rendering them with ``StrictUndefined``
(tests/builds/test_templates_strict.py).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import jinja2
import pytest
from jinja2 import nodes

from policy_history.site.page_data import (
    ComparePage,
    CurrentPage,
    HistoryPage,
    IndexEntry,
    PageData,
    PageKind,
    ShellPage,
    SincePage,
    VersionPage,
)
from policy_history.site.theme import THEME_DIR as THEME

#: the kind of page each class of page data is for (``policy.page``)
KIND_OF: dict[type, PageKind] = {CurrentPage: PageKind.CURRENT, HistoryPage: PageKind.HISTORY,
                                 VersionPage: PageKind.VERSION, ComparePage: PageKind.COMPARE,
                                 ShellPage: PageKind.SHELL}
POLICY_PAGES = (CurrentPage, HistoryPage, VersionPage, ComparePage)

#: what ``policy`` and ``page.meta.policy`` are in each template: the pages that render
#: it (each ``{% include %}`` is checked against this too)
POLICY_OF: dict[str, tuple[type, ...]] = {
    "main.html": (*POLICY_PAGES, ShellPage),
    "partials/policy-content.html": (*POLICY_PAGES, ShellPage),
    # main.html prints a shell's own marker instead; the archive renders it for the others
    "partials/policy-feed-links.html": POLICY_PAGES,
    # the archive pages' navigation: main.html prints a shell's marker instead
    "partials/policy-nav.html": POLICY_PAGES,
    "partials/policy-page.html": (CurrentPage,),
    "partials/policy-dates.html": (CurrentPage,),
    "partials/policy-notice.html": (CurrentPage,),
    "partials/policy-banners.html": (CurrentPage, VersionPage),
    "partials/policy-sections.html": (CurrentPage, VersionPage),
    "partials/policy-history.html": (HistoryPage,),
    "partials/policy-subscribe.html": (HistoryPage,),
    "partials/policy-version.html": (VersionPage,),
    "partials/policy-compare.html": (ComparePage,),
    "partials/policy-index.html": (),  # the home page: ``policy_index`` only
    "partials/policy-since.html": (),  # a page of its own: ``since`` only
    "partials/policy-languages.html": POLICY_PAGES,
    "partials/policy-translation.html": POLICY_PAGES,
}
#: the other page data in the templates' context
CONTEXT: dict[str, Any] = {"policy_index": list[IndexEntry], "since": SincePage}
#: the names under which templates find the page data
ROOTS = ("policy", "page.meta.policy")


# -- the checker ---------------------------------------------------------------------------


def _members(hint: Any) -> set[Any]:
    """A type hint's alternatives, without None (templates test for it before reading)."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return {member for arg in typing.get_args(hint) for member in _members(arg)}
    return set() if hint is type(None) else {hint}


def _is_data(hint: Any) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def _elements(hints: set[Any]) -> set[Any]:
    """What iterating over or indexing a value of one of ``hints`` gives."""
    out: set[Any] = set()
    for hint in hints:
        args = typing.get_args(hint)
        origin = typing.get_origin(hint)
        if origin in (list, tuple) and args:
            out |= _members(args[0])
    return out


class Checker:
    """Walks one template's AST, knowing the types of what it reads from page data."""

    def __init__(self, name: str, source: str, roots: tuple[type, ...]) -> None:
        self.name = name
        self.ast = jinja2.Environment().parse(source)
        self.problems: list[str] = []
        self.includes: list[tuple[str, set[Any] | None]] = []  # (template, its `policy`)
        self.macros = {macro.name: macro for macro in self.ast.find_all(nodes.Macro)}
        self.scope: dict[str, set[Any] | None] = {name: {hint} for name, hint in
                                                  CONTEXT.items()}
        if roots:
            self.scope |= {root: set(roots) for root in ROOTS}

    # -- expressions -----------------------------------------------------------------------

    def types_of(self, node: nodes.Node, scope: dict[str, set[Any] | None]) -> set[Any] | None:
        """What ``node`` can be (None: not page data, or not known), checking what it reads."""
        path = _path(node)
        if path is not None and path in scope:
            return scope[path]
        if isinstance(node, nodes.Name):
            return None
        if isinstance(node, nodes.Getattr):
            return self.attribute(self.types_of(node.node, scope), node.attr, node, scope)
        if isinstance(node, nodes.Getitem):
            return self.item(node, scope)
        if isinstance(node, nodes.CondExpr):
            self.types_of(node.test, scope)
            yes, no = self.narrowed(node.test, scope)
            found = [self.types_of(node.expr1, yes),
                     self.types_of(node.expr2, no) if node.expr2 is not None else set()]
            known = [kinds for kinds in found if kinds is not None]
            return set().union(*known) if known else None
        if isinstance(node, nodes.Const) and node.value is None:
            return set()
        if isinstance(node, nodes.And | nodes.Or):
            self.types_of(node.left, scope)
            yes, no = self.narrowed(node.left, scope)
            self.types_of(node.right, yes if isinstance(node, nodes.And) else no)
            return None
        if isinstance(node, nodes.Compare):
            self.types_of(node.expr, scope)
            for operand in node.ops:
                kinds = self.types_of(operand.expr, scope)
                if operand.op in ("in", "notin") and kinds and any(map(_is_data, kinds)):
                    self.problem(node, "'in' reads page data as a dict")
            return None
        if isinstance(node, nodes.Filter):
            base = self.types_of(node.node, scope) if node.node is not None else None
            if node.name in ("dictsort", "items") and base and any(map(_is_data, base)):
                self.problem(node, f"'| {node.name}' reads page data as a dict")
            for child in [*node.args, *node.kwargs]:
                self.visit(child, scope)
            return _elements(base) if base and node.name in ("first", "last") else None
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) \
                and node.node.name in self.macros:
            self.call_macro(self.macros[node.node.name], node, scope)
            return None
        self.children(node, scope)
        return None

    def attribute(self, base: set[Any] | None, attr: str, node: nodes.Node,
                  scope: dict[str, set[Any] | None]) -> set[Any] | None:
        """What ``base.attr`` can be. Of a page, every kind ``base`` can still be must
        have the field (templates test ``policy.page`` first); of an item, the
        alternatives of one field's type (a version, or an editorial revision), one must:
        templates tell those apart by other fields (``policy.editorial``)."""
        if base is None:
            return None
        out: set[Any] = set()
        lacking = []
        for hint in base:
            if _is_data(hint):
                names = {field.name for field in dataclasses.fields(hint)}
                if attr in names:
                    out |= _members(typing.get_type_hints(hint)[attr])
                elif not callable(getattr(hint, attr, None)):
                    lacking.append(hint)
            elif not hasattr(typing.get_origin(hint) or hint, attr):
                lacking.append(hint)
        pages = all(hint in KIND_OF for hint in base)
        if lacking and (pages or len(lacking) == len(base)):
            names = " | ".join(sorted(_name(hint) for hint in lacking))
            self.problem(node, f"{names} has no field '{attr}'")
        return out or None

    def item(self, node: nodes.Getitem, scope: dict[str, set[Any] | None]) -> set[Any] | None:
        base = self.types_of(node.node, scope)
        arg = node.arg
        if isinstance(arg, nodes.Slice):
            for part in (arg.start, arg.stop, arg.step):
                if part is not None:
                    self.visit(part, scope)
            return base
        if isinstance(arg, nodes.Neg):
            arg = arg.node
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str) and base \
                and any(map(_is_data, base)):
            self.problem(node, f"['{arg.value}'] reads page data as a dict: use .{arg.value}")
            return None
        self.visit(arg, scope)
        if isinstance(arg, nodes.Const) and isinstance(arg.value, int) and base:
            return _elements(base)
        return None

    def narrowed(self, test: nodes.Node, scope: dict[str, set[Any] | None]
                 ) -> tuple[dict[str, set[Any] | None], dict[str, set[Any] | None]]:
        """``scope`` where ``test`` holds, and where it does not: ``x.page == "kind"``
        leaves of ``x`` the kinds of page it can be."""
        if isinstance(test, nodes.And):
            left, _ = self.narrowed(test.left, scope)
            both, _ = self.narrowed(test.right, left)
            return both, scope
        if isinstance(test, nodes.Compare) and len(test.ops) == 1 \
                and test.ops[0].op in ("eq", "ne") \
                and isinstance(test.expr, nodes.Getattr) and test.expr.attr == "page" \
                and isinstance(test.ops[0].expr, nodes.Const):
            path = _path(test.expr.node)
            kinds = scope.get(path) if path is not None else None
            if path is not None and kinds is not None:
                value = test.ops[0].expr.value
                match = {hint for hint in kinds if KIND_OF.get(hint) == value}
                yes, no = {**scope, path: match}, {**scope, path: kinds - match}
                return (yes, no) if test.ops[0].op == "eq" else (no, yes)
        return scope, scope

    # -- statements --------------------------------------------------------------------------

    def visit(self, node: nodes.Node, scope: dict[str, set[Any] | None]) -> None:
        if isinstance(node, nodes.Expr):
            self.types_of(node, scope)
        elif isinstance(node, nodes.Macro):
            return  # walked where it is called, with what it is called with
        elif isinstance(node, nodes.If):
            self.types_of(node.test, scope)
            yes, no = self.narrowed(node.test, scope)
            self.body(node.body, dict(yes))
            for branch in node.elif_:
                self.types_of(branch.test, no)
                yes, no = self.narrowed(branch.test, no)
                self.body(branch.body, dict(yes))
            self.body(node.else_, dict(no))
        elif isinstance(node, nodes.For):
            iterated = self.types_of(node.iter, scope)
            inner = dict(scope)
            if isinstance(node.target, nodes.Name):
                inner[node.target.name] = _elements(iterated) if iterated else None
            if node.test is not None:
                self.types_of(node.test, inner)
            self.body(node.body, inner)
            self.body(node.else_, dict(scope))
        elif isinstance(node, nodes.Assign):
            kinds = self.types_of(node.node, scope)
            if isinstance(node.target, nodes.Name):
                scope[node.target.name] = kinds
        elif isinstance(node, nodes.Include):
            if isinstance(node.template, nodes.Const):
                self.includes.append((node.template.value, scope.get("policy")))
        else:
            self.children(node, scope)

    def children(self, node: nodes.Node, scope: dict[str, set[Any] | None]) -> None:
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def body(self, statements: list[nodes.Node], scope: dict[str, set[Any] | None]) -> None:
        for statement in statements:
            self.visit(statement, scope)

    def call_macro(self, macro: nodes.Macro, call: nodes.Call,
                   scope: dict[str, set[Any] | None]) -> None:
        inner = dict(scope)
        for param, arg in zip(macro.args, call.args, strict=False):
            inner[param.name] = self.types_of(arg, scope)
        for arg in call.args[len(macro.args):]:
            self.types_of(arg, scope)
        self.body(macro.body, inner)

    def problem(self, node: nodes.Node, text: str) -> None:
        self.problems.append(f"{self.name}:{node.lineno}: {text}")

    def check(self) -> Checker:
        self.visit(self.ast, self.scope)
        return self


def _path(node: nodes.Node) -> str | None:
    """``page.meta.policy`` for that chain of names, else None."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _path(node.node)
        return f"{base}.{node.attr}" if base is not None else None
    return None


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint)


def _templates() -> Iterator[str]:
    for path in sorted(THEME.rglob("*.html")):
        yield path.relative_to(THEME).as_posix()


def _reads_policy(name: str) -> bool:
    """Whether a template reads ``policy`` (what its includer hands on), rather than
    ``page.meta.policy`` (which it finds itself) or no page data."""
    ast = jinja2.Environment().parse((THEME / name).read_text("utf-8"))
    return any(node.name == "policy" for node in ast.find_all(nodes.Name))


def _check(name: str) -> Checker:
    source = (THEME / name).read_text("utf-8")
    return Checker(name, source, POLICY_OF[name]).check()


# -- the tests -----------------------------------------------------------------------------


def test_every_template_is_given_its_page_data() -> None:
    assert set(_templates()) == set(POLICY_OF), "declare what each template is given"
    assert set(KIND_OF) == set(typing.get_args(PageData))


@pytest.mark.parametrize("name", list(_templates()))
def test_templates_read_only_fields_of_their_page_data(name: str) -> None:
    checker = _check(name)
    assert checker.problems == []
    for included, policy in checker.includes:
        if included in POLICY_OF and policy is not None and _reads_policy(included):
            assert policy <= set(POLICY_OF[included]), (
                f"{name} includes {included} with page data it is not declared for: "
                f"{sorted(_name(hint) for hint in policy - set(POLICY_OF[included]))}")


def test_the_templates_read_page_data_at_all() -> None:
    """Not vacuous: the checker follows the templates into the page data's items."""
    read: set[str] = set()

    class Recording(Checker):
        def attribute(self, base: set[Any] | None, attr: str, node: nodes.Node,
                      scope: dict[str, set[Any] | None]) -> set[Any] | None:
            for hint in base or ():
                read.add(f"{_name(hint)}.{attr}")
            return super().attribute(base, attr, node, scope)

    for name in _templates():
        Recording(name, (THEME / name).read_text("utf-8"), POLICY_OF[name]).check()
    assert {"CurrentPage.sections", "Section.html", "HistoryEntry.editorial",
            "EditorialEntry.sections_changed", "SectionChange.change", "RedlineView.inline",
            "ShellPage.stamp_body", "CompareIndex.pairs", "IndexEntry.upcoming",
            "VersionView.effective", "EditionView.version_url", "DateView.iso",
            "RecentChange.previous_url", "Feeds.manifest", "Draft.files"} <= read


@pytest.mark.parametrize(("source", "roots", "expected"), [
    ("{{ policy.titel }}", (CurrentPage,), "CurrentPage has no field 'titel'"),
    ("{% for s in policy.sections %}{{ s.htm }}{% endfor %}", (CurrentPage,),
     "Section has no field 'htm'"),
    ("{{ policy.version.effective.date }}", (CurrentPage,), "DateView has no field 'date'"),
    ("{{ policy['title'] }}", (CurrentPage,), "reads page data as a dict"),
    ("{% if 'title' in policy %}x{% endif %}", (CurrentPage,), "reads page data as a dict"),
    ("{{ policy | dictsort }}", (CurrentPage,), "reads page data as a dict"),
    ("{{ policy.get('title') }}", (CurrentPage,), "CurrentPage has no field 'get'"),
    ("{{ policy.shown.id }}", (CurrentPage, VersionPage), "CurrentPage has no field 'shown'"),
    ('{% if policy.page == "current" %}{{ policy.shown }}{% endif %}',
     (CurrentPage, VersionPage), "CurrentPage has no field 'shown'"),
    ('{% if policy.page != "version" %}{% else %}{{ policy.draft }}{% endif %}',
     (CurrentPage, VersionPage), "VersionPage has no field 'draft'"),
    ("{% set last = policy.corrections[-1] %}{{ last.when }}", (CurrentPage,),
     "Correction has no field 'when'"),
    ("{% macro m(r) %}{{ r.nope }}{% endmacro %}{{ m(policy.old) }}", (ComparePage,),
     "EditionView | VersionView has no field 'nope'"),
    ("{% for item in policy_index %}{{ item.name }}{% endfor %}", (),
     "IndexEntry has no field 'name'"),
    ("{{ (page.meta.policy if page else none).redline.words }}", (ComparePage,),
     "RedlineView has no field 'words'"),
])
def test_the_checker_finds_a_name_no_field_has(source: str, roots: tuple[type, ...],
                                              expected: str) -> None:
    problems = Checker("t.html", source, roots).check().problems
    assert problems and expected in problems[0], problems


@pytest.mark.parametrize("source", [
    '{% if policy.page == "version" %}{{ policy.shown.id }}{% endif %}',
    '{% if policy.page == "current" and policy.draft %}{{ policy.draft.files }}{% endif %}',
    '{{ policy.shown.id if policy.page == "version" else policy.title }}',
    '{% if policy.page != "compare" %}{{ policy.sections }}{% endif %}',
    '{% if policy.page == "compare" %}{{ policy.old.note }}{% endif %}',  # an edition's
])
def test_the_checker_follows_tests_of_the_kind_of_page(source: str) -> None:
    assert Checker("t.html", source, (CurrentPage, VersionPage, ComparePage)).check() \
        .problems == []


@pytest.mark.parametrize("kind", list(PageKind))
def test_a_page_kind_prints_and_compares_as_its_text(kind: PageKind) -> None:
    """What kinds were as plain strings, on every Python the project runs on: a site's
    override comparing ``policy.page == "current"``, JSON, and what a template prints."""
    assert kind == kind.value and hash(kind) == hash(kind.value)
    assert str(kind) == f"{kind}" == format(kind, "") == f"{kind:>0}" == kind.value
    assert "%s" % kind == kind.value  # noqa: UP031 (printf-style formatting too)
    assert json.dumps({"page": kind}) == json.dumps({"page": kind.value})
    template = jinja2.Environment().from_string('{{ k }}|{{ k | e }}|{{ "x-" ~ k }}|'
                                                '{{ k == v }}|{{ [k] | tojson }}')
    assert template.render(k=kind, v=kind.value) == \
        f'{kind.value}|{kind.value}|x-{kind.value}|True|["{kind.value}"]'
    assert PageKind(kind.value) is kind


def test_page_data_is_typed_all_the_way_down() -> None:
    """Every field's type resolves (a typo in an annotation would make the checker blind),
    and every item a page holds is itself a dataclass, a plain value or a mapping."""
    seen: set[type] = set()
    pending: list[Any] = [*KIND_OF, IndexEntry]
    while pending:
        hint = pending.pop()
        if not _is_data(hint) or hint in seen:
            continue
        seen.add(hint)
        for field_name, field_hint in typing.get_type_hints(hint).items():
            for member in _members(field_hint):
                origin = typing.get_origin(member) or member
                assert origin in (str, int, bool, list, tuple, dict, PageKind,
                                  typing.Literal) or _is_data(member) or (
                    isinstance(origin, type) and issubclass(origin, Mapping | str)), (
                    f"{hint.__name__}.{field_name}: {member}")
                pending += [member, *_elements({member})]
    assert len(seen) > 15

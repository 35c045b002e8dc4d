"""The content check run on every pull request (``scripts/check``).

Validates every policy as the build would read it (metadata, change entries, variables,
UTF-8, section order) plus what a build only notices later or not at all: links and
``#anchors`` between policies, effective dates that go backwards and, against a base
revision, a change of the rendered words that no new change entry declares.

Every problem is a :class:`PolicyError` (``file:line: what is wrong — how to fix``) with a
severity; errors make the check fail, warnings are shown.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import itertools
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from policy_history.editors.comparison import Comparison, PolicyChange
from policy_history.errors import PolicyError
from policy_history.model.assemble import (
    PolicyText,
    decode,
    fill_variables,
    fragment_key,
    make_environment,
)
from policy_history.model.declared_dates import declared_date
from policy_history.model.layout import PolicyLayout
from policy_history.model.metadata import (
    PolicyMeta,
    parse_front_matter,
    parse_policy_yml,
    read_config_extra,
)
from policy_history.model.timeline import (
    DECLARED,
    FAR_AHEAD_DAYS,
    UNDECLARED,
    Renderer,
    Revision,
    SectionChange,
)

ERROR = "error"
WARNING = "warning"

#: an editorial change (a typo, formatting, a link) changes a few words at most: past
#: this many words added and removed, or with a section added or removed, the check and
#: the preview ask whether it is material
EDITORIAL_WORDS = 10

ENTRY_FIX = (
    "add an entry at the top of 'changes:' in the same pull request: 'effective: YYYY-MM-DD' "
    "and 'summary: …' if what the policy says changed, or 'editorial: …' for a typo or "
    "formatting fix"
)


@dataclass(frozen=True)
class Problem:
    severity: str  # ERROR or WARNING
    error: PolicyError

    def __str__(self) -> str:
        return str(self.error)


@dataclass
class CheckReport:
    policies: int
    base_label: str | None
    problems: list[Problem] = field(default_factory=list)
    #: slugs of the policies whose text differs from the base
    changed: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, severity: str, error: PolicyError) -> None:
        key = (error.file, error.line, error.problem)
        if any((p.error.file, p.error.line, p.error.problem) == key for p in self.problems):
            return
        self.problems.append(Problem(severity, error))


def check(
    comparison: Comparison,
    *,
    render: Renderer,
    policies_dir: str,
    config_path: str | None = None,
    site_variables: Mapping[str, Any] | None = None,
    templating: bool = True,
    today: dt.date | None = None,
) -> CheckReport:
    """Every problem in the head of ``comparison``, and in its change against the base."""
    head = comparison.head
    report = CheckReport(len(comparison.layouts),
                         comparison.base.label if comparison.base else None)
    variables: dict[str, Any] = dict(site_variables or {})
    if config_path and config_path in head.files:
        variables.update(read_config_extra(head.files[config_path].data.decode("utf-8",
                                                                               "replace")))
    env = make_environment() if templating else None
    for layout in comparison.layouts.values():
        _check_files(report, layout, {p: head.files[p].data for p in layout.source_paths
                                      if p in head.files}, variables, env)
    for error in comparison.site.errors:
        report.add(ERROR, error)
    _check_links(report, comparison, render, policies_dir)
    day = today or dt.datetime.now(dt.timezone.utc).date()
    for revision in comparison.texts.values():
        _check_typed_date(report, revision.text, day)
    if comparison.base is not None:
        for change in comparison.changes:
            _check_change(report, change, day, render)
            if change.after is not None and change.after.sections_changed:
                report.changed.append(change.slug)
    report.problems.sort(key=lambda p: (p.error.file or "", p.error.line or 0))
    return report


# -- each policy's files ------------------------------------------------------------------


def _check_files(report: CheckReport, layout: PolicyLayout, files: Mapping[str, bytes],
                 variables: Mapping[str, Any], env: Any) -> None:
    texts: dict[str, str] = {}
    for path, data in files.items():
        try:
            texts[path] = decode(data, path)
        except PolicyError as error:
            report.add(ERROR, error)
    meta_path = layout.metadata_path or layout.path
    if meta_path not in texts:
        return
    try:
        if layout.kind == "folder":
            meta = parse_policy_yml(texts[meta_path], meta_path)
        else:
            meta = parse_front_matter(texts[meta_path], meta_path)[0]
    except PolicyError as error:
        report.add(ERROR, error)
        return
    _check_entries(report, meta)
    if layout.kind == "folder":
        _check_sections(report, layout, meta)
    title = meta.title or layout.slug
    scope = {**variables, **meta.variables, "policy": {"slug": layout.slug, "title": title}}
    for path in layout.fragments:
        if path not in texts:
            continue
        try:
            _fm, body, offset = parse_front_matter(texts[path], path)
            fill_variables(env, body, path, offset, scope)
        except PolicyError as error:
            report.add(ERROR, error)


def _check_entries(report: CheckReport, meta: PolicyMeta) -> None:
    """Effective dates never go backwards: each version takes effect on or after the one
    before it (entries are newest first)."""
    material = [e for e in meta.changes or () if e.effective is not None]
    for newer, older in itertools.pairwise(material):
        assert newer.effective is not None and older.effective is not None
        if newer.effective < older.effective:
            report.add(ERROR, PolicyError(
                f"the effective date {newer.effective.isoformat()} is before the previous "
                f"version's ({older.effective.isoformat()})",
                file=meta.file,
                line=newer.line,
                fix="a new version takes effect on or after the one before it: fix the date "
                "(entries are listed newest first)",
            ))


def _check_sections(report: CheckReport, layout: PolicyLayout, meta: PolicyMeta) -> None:
    names = [posixpath.basename(p) for p in layout.fragments]
    if meta.sections is not None:
        seen: set[str] = set()
        for index, name in enumerate(meta.sections):
            line = meta.line_of("sections", index)
            if name in seen:
                report.add(ERROR, PolicyError(
                    f"'sections' lists '{name}' twice", file=meta.file, line=line,
                    fix="list each fragment once, in the order to show them"))
            elif name not in names:
                known = ", ".join(sorted(names)) or "none"
                report.add(ERROR, PolicyError(
                    f"'sections' names '{name}', but there is no such fragment in "
                    f"'{layout.path}/'", file=meta.file, line=line,
                    fix=f"fix the name or add the file (fragments there: {known})"))
            seen.add(name)
        for name in names:
            if name not in seen:
                report.add(WARNING, PolicyError(
                    f"'{name}' is not listed in 'sections', so it is shown after the listed ones",
                    file=meta.file, line=meta.line_of("sections"),
                    fix=f"add '- {name}' where it belongs in the list"))
    keys: dict[str, str] = {}
    for path in layout.fragments:
        key = fragment_key(path)
        if key in keys:
            report.add(WARNING, PolicyError(
                f"'{posixpath.basename(path)}' and '{posixpath.basename(keys[key])}' are both "
                f"the section '{key}', so their histories are told apart only by position",
                file=path, fix="give the fragments different names after the number"))
        keys.setdefault(key, path)


# -- links and anchors --------------------------------------------------------------------

_MARKER = "<!-- policy_history:check {} -->"
_MARKER_RE = re.compile(r"<!-- policy_history:check (\d+) -->")
_HREF_RE = re.compile(r"<a\b[^>]*?\shref=\"([^\"]*)\"")
_ID_RE = re.compile(r"\sid=\"([^\"]+)\"")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_MARKDOWN = (".md", ".markdown")


@dataclass
class _Page:
    revision: Revision
    ids: set[str]
    links: list[list[str]]  # per section: the hrefs in it


def _render_page(revision: Revision, render: Renderer) -> _Page:
    """Render the policy's page once, as one document (heading ids are unique page-wide)."""
    sections = revision.text.sections
    source = "\n\n".join(f"{_MARKER.format(n)}\n\n{s.markdown.strip()}\n"
                         for n, s in enumerate(sections))
    html = render(source)
    pieces = _MARKER_RE.split(html)
    links: list[list[str]] = [[] for _ in sections]
    for i in range(1, len(pieces) - 1, 2):
        links[int(pieces[i])] = [html_lib.unescape(h) for h in _HREF_RE.findall(pieces[i + 1])]
    ids = {html_lib.unescape(i) for i in _ID_RE.findall(html)}
    ids.update(f"section-{s.key}" for s in sections)
    return _Page(revision, ids, links)


def _check_links(report: CheckReport, comparison: Comparison, render: Renderer,
                 policies_dir: str) -> None:
    pages = {slug: _render_page(rev, render) for slug, rev in comparison.texts.items()}
    # repository path a link may point at → the slug whose page it is
    targets: dict[str, str] = {}
    fragments: dict[str, str] = {}
    for slug, layout in comparison.layouts.items():
        if layout.kind == "file":
            targets[layout.path] = slug
        else:
            targets[posixpath.join(layout.path, "index.md")] = slug
            for path in layout.fragments:
                fragments[path] = slug
    for slug, page in pages.items():
        for section, hrefs in zip(page.revision.text.sections, page.links, strict=True):
            for href in hrefs:
                problem = _link_problem(href, section.source, slug, pages, targets, fragments)
                if problem:
                    what, fix = problem
                    report.add(ERROR, PolicyError(what, file=section.source,
                                                  line=_line_of(href, section.markdown,
                                                                section.line), fix=fix))


def _link_problem(href: str, source: str, slug: str, pages: Mapping[str, _Page],
                  targets: Mapping[str, str], fragments: Mapping[str, str]
                  ) -> tuple[str, str] | None:
    if not href or _SCHEME_RE.match(href) or href.startswith(("/", "?")):
        return None  # web addresses, mail links and site-absolute paths are not checked
    path, _, anchor = href.partition("#")
    path = unquote(path.split("?", 1)[0])
    if not path:
        target = slug
    elif not path.lower().endswith(_MARKDOWN):
        return None  # a folder or a file of the site: not a policy source
    else:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        if resolved in fragments:
            owner = pages.get(fragments[resolved])
            key = fragment_key(resolved)
            return (f"the link '{href}' points at a section's fragment file, which has no page "
                    "of its own",
                    f"link to the section's anchor instead, e.g. '#section-{key}'"
                    + ("" if owner is None or fragments[resolved] == slug
                       else " on its policy's page"))
        found = targets.get(resolved)
        if found is None:
            return (f"the link '{href}' points at '{resolved}', which is not a policy",
                    "fix the path: it is relative to this file, like "
                    "'../terms/index.md' or 'cookies.md'")
        target = found
    page = pages.get(target)
    if anchor and page is not None and unquote(anchor) not in page.ids:
        near = sorted(i for i in page.ids if not i.startswith("section-"))[:5]
        what = (f"the link '{href}' goes to no heading on this page" if not path else
                f"the link '{href}' goes to '#{anchor}', but the page of '{target}' has no "
                "such heading")
        return (what,
                "use a heading's anchor (its text in lower case, words joined by '-')"
                + (f"; there: {', '.join('#' + n for n in near)}" if near else ""))
    return None


def _line_of(href: str, markdown: str, first: int) -> int:
    path = href.split("#", 1)[0]
    for needle in (href, f"({path}", path):
        if not needle:
            continue
        for index, line in enumerate(markdown.split("\n")):
            if needle in line:
                return first + index
    return first


# -- the change against the base ----------------------------------------------------------


def _check_typed_date(report: CheckReport, text: PolicyText, today: dt.date) -> None:
    """In a policy that declares its changes, a date typed in the text ("Last updated:
    …") that is not the date its page shows misleads readers: the page shows both."""
    entries = text.meta.changes
    if not entries:
        return
    stated = declared_date(text.markdown)
    if stated is None or stated.kind == "front matter":
        return
    shown = next((e.effective for e in entries
                  if e.effective is not None and e.effective <= today), None)
    if stated.date == shown:
        return
    file, line = _source_line(text, stated.line)
    page = (f"the page shows 'Last updated' {shown.isoformat()} (the version in force, from "
            "'changes:')" if shown else "the page shows no date yet (no version is in force)")
    report.add(WARNING, PolicyError(
        f"the text says '{stated.written}', but {page}", file=file, line=line,
        fix="remove the typed date (the page shows the date of the version in force above "
        "the text), or make it the date the page shows"))


def _source_line(text: PolicyText, line: int) -> tuple[str, int]:
    """The file and line of ``line`` of ``text.markdown`` (its sections joined by a blank
    line, each without its leading and trailing blank lines)."""
    first = 1
    for section in text.sections:
        body = section.markdown.strip("\n")
        lines = body.count("\n") + 1
        if line < first + lines:
            leading = len(section.markdown) - len(section.markdown.lstrip("\n"))
            return section.source, section.line + leading + line - first
        first += lines + 1
    return text.sections[-1].source, text.sections[-1].line


def editorial_concern(sections: Iterable[SectionChange], words_added: int,
                      words_removed: int) -> str | None:
    """Why a change declared editorial may be material, in words; None if it looks
    editorial (no section added or removed, a few words at most)."""
    whole = [f"'{s.title}' {s.change}" for s in sections if s.change in ("added", "removed")]
    if whole:
        return f"whole sections were added or removed ({', '.join(whole)})"
    if words_added + words_removed > EDITORIAL_WORDS:
        return (f"{words_added} words were added and {words_removed} removed (an editorial "
                f"fix changes {EDITORIAL_WORDS} at most)")
    return None


def _words_changed(old: str, new: str, render: Renderer) -> tuple[int, int]:
    from policy_history.redline import diff_documents  # the redline engine, only when needed

    stats = diff_documents(old, new, render=render).stats
    return stats.words_added, stats.words_removed


def _check_change(report: CheckReport, change: PolicyChange, today: dt.date,
                  render: Renderer) -> None:
    after, before = change.after, change.before
    if after is None:
        return
    meta = after.text.meta
    entries = meta.changes
    line = meta.line_of("changes") or 1
    old = before.text.meta.changes if before is not None else None
    sections = ", ".join(f"'{s.title}' {s.change}" for s in after.sections_changed)
    if old is not None and entries is None:
        report.add(ERROR, PolicyError(
            f"the 'changes:' list of '{after.text.title}' was removed",
            file=meta.file, line=1,
            fix="change entries are a record: put the list back and add the new entry on top"))
        return
    if entries is not None and old is not None and len(entries) < len(old):
        count = len(old) - len(entries)
        report.add(ERROR, PolicyError(
            f"{count} change entr{'y was' if count == 1 else 'ies were'} removed from "
            f"'{after.text.title}'", file=meta.file, line=line,
            fix="change entries are a record: correct their wording, but do not delete them"))
        return
    if after.reason == UNDECLARED:
        report.add(ERROR, PolicyError(
            f"the words of '{after.text.title}' changed ({sections}), but no change entry was "
            "added", file=meta.file, line=line, fix=ENTRY_FIX))
        return
    if after.reason != DECLARED or entries is None:
        return
    if not after.is_version and before is not None:
        concern = editorial_concern(after.sections_changed,
                                    *_words_changed(before.text.markdown,
                                                    after.text.markdown, render))
        if concern:
            report.add(WARNING, PolicyError(
                f"the change of '{after.text.title}' is declared editorial, but {concern}",
                file=meta.file, line=line,
                fix="an editorial change does not change what the policy says: if this one "
                "does, declare it with 'effective:' and 'summary:' instead"))
    added = entries[: len(entries) - len(old or ())]
    material = [e for e in added if e.effective is not None]
    if len(material) > 1:
        report.add(WARNING, PolicyError(
            f"{len(material)} material change entries were added; merged as one pull request "
            "they make one version, with the first entry's date and summary",
            file=meta.file, line=material[1].line,
            fix="keep one entry per pull request (or merge the changes separately)"))
    for entry in material:
        assert entry.effective is not None
        if entry.effective < today:
            report.add(WARNING, PolicyError(
                f"the effective date {entry.effective.isoformat()} is in the past: the site "
                "will show this version as in force since then",
                file=meta.file, line=entry.line,
                fix="if the new text applies from when it is published, use that day or later"))
        elif (entry.effective - today).days > FAR_AHEAD_DAYS:
            report.add(WARNING, PolicyError(
                f"the effective date {entry.effective.isoformat()} is more than "
                f"{FAR_AHEAD_DAYS // 365} years away", file=meta.file, line=entry.line,
                fix="check the year: the site announces this version as upcoming until then"))
    if material and not after.sections_changed:
        report.add(WARNING, PolicyError(
            f"a material change of '{after.text.title}' is declared, but its words did not "
            "change", file=meta.file, line=material[0].line,
            fix="change the text in the same pull request, or remove the entry"))

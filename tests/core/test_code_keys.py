"""The key of "the code that made this" (policy_history.store.code_keys): which files and
versions each kind of cached output depends on, checked against what is found here
independently (the modules' syntax trees, the installed distributions)."""

from __future__ import annotations

import ast
import functools
import platform
import shutil
import sys
from collections.abc import Iterable, Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from markdown.extensions.toc import TocExtension

from policy_history.store import code_keys
from policy_history.store.code_keys import ROOTS, Kind
from tests.support import HOOK


@pytest.fixture(autouse=True)
def _fresh_keys() -> Iterator[None]:
    """Keys are cached per process: each test starts and ends without those cached."""
    code_keys.forget()
    yield
    code_keys.forget()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of policy_history to edit."""
    copy = tmp_path / "policy_history"
    shutil.copytree(code_keys.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _source(name: str, package: Path) -> Path | None:
    parts = name.split(".")
    if parts[0] != "policy_history":
        return None
    for path in (package.joinpath(*parts[1:]).with_suffix(".py") if parts[1:] else None,
                 package.joinpath(*parts[1:], "__init__.py")):
        if path is not None and path.is_file():
            return path
    return None


def ast_closure(roots: Iterable[str], package: Path = code_keys.PACKAGE) -> set[Path]:
    """The reference: the policy_history modules ``roots`` import, transitively, read from
    the modules' syntax trees (relative imports resolved), with the packages above each."""
    found: set[Path] = set()
    todo = ["policy_history", "policy_history.store.code_keys", *roots]
    while todo:
        name = todo.pop()
        path = _source(name, package)
        if path is None or path in found:
            continue
        found.add(path)
        todo.append(name.rpartition(".")[0])
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        todo += _imports(here, path.read_bytes())
    return found


@functools.cache  # the same sources are parsed for every kind and every edit
def _imports(here: str, source: bytes) -> list[str]:
    """What a module of the package ``here`` imports (for ``from a import b``: ``a`` and
    ``a.b``, which may be a module)."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = ".".join(here.split(".")[: len(here.split(".")) - node.level + 1])
                module = f"{base}.{module}" if module else base
            names += [module, *(f"{module}.{alias.name}" for alias in node.names)]
    return names


def expected_files(kind: Kind, package: Path = code_keys.PACKAGE) -> set[Path]:
    """The modules of the kind's closure, and the files that are not Python whose nearest
    package (a folder with ``__init__.py``) is in it."""
    modules = ast_closure(ROOTS[kind], package)
    data = set()
    for path in package.rglob("*"):
        if not path.is_file() or path.suffix in (".py", ".pyc"):
            continue
        owner = next(folder for folder in path.parents if (folder / "__init__.py").exists())
        if owner / "__init__.py" in modules:
            data.add(path)
    return modules | data


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kinds_closure_is_what_the_syntax_trees_import(kind: Kind) -> None:
    modules = code_keys.closure(ROOTS[kind])
    assert set(modules) == ast_closure(ROOTS[kind])
    assert set(modules) | set(code_keys.data_files(modules)) == expected_files(kind)


SYNTHETIC = {
    "__init__.py": "",
    "store/__init__.py": "",
    "store/code_keys.py": "",
    "a.py": """from __future__ import annotations

import os, policy_history.b as bee
from policy_history.c import (
    thing,  # a comment
    other as renamed,
)
from policy_history import d
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policy_history.e import E


def later() -> None:
    import policy_history.sub.f
""",
    "b.py": "", "c.py": "thing = other = 1\n", "d.py": "", "e.py": "E = 1\n",
    "sub/__init__.py": "", "sub/f.py": "from policy_history.sub import g\n", "sub/g.py": "",
    "sub/templates/page.html": "<p></p>\n",  # data of the package sub
    "unused.py": "import policy_history.a\n",  # imports a, imported by nothing
    "other/__init__.py": "", "other/data.txt": "",  # a package nothing imports
}


def test_every_form_of_import_is_followed(tmp_path: Path) -> None:
    package = tmp_path / "policy_history"
    for name, text in SYNTHETIC.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text, encoding="utf-8")
    modules = code_keys.closure(["policy_history.a"], package)
    assert set(modules) == ast_closure(["policy_history.a"], package)
    assert {p.relative_to(package).as_posix() for p in modules} == {
        "__init__.py", "store/__init__.py", "store/code_keys.py", "a.py", "b.py", "c.py",
        "d.py", "e.py", "sub/__init__.py", "sub/f.py", "sub/g.py"}
    assert code_keys.data_files(modules, package) == [package / "sub/templates/page.html"]


def test_what_each_kind_covers() -> None:
    names = {kind: {p.relative_to(code_keys.PACKAGE).as_posix()
                    for p in expected_files(kind)} for kind in Kind}
    templates = {f"redline/templates/{p.name}" for p in
                 (code_keys.PACKAGE / "redline" / "templates").iterdir()}
    assert templates and templates <= names[Kind.REDLINES] <= names[Kind.PAGES]
    assert not names[Kind.HISTORY] & {"redline/engine.py", "site/archive.py",
                                      *templates}
    assert {"site/renderer.py", "model/fingerprints.py"} <= names[Kind.SECTION_PRINTS]
    # a section's print comes from the renderer: the history keeps them
    assert names[Kind.SECTION_PRINTS] <= names[Kind.HISTORY] <= names[Kind.TEXTS]
    assert "manifest.py" in names[Kind.TEXTS]
    assert all("store/code_keys.py" in files for files in names.values())


def test_the_pages_key_covers_every_module_the_hook_imports() -> None:
    """The hook hands the archive's pages to these modules: a module it starts to use is
    added to ROOTS[PAGES] (or imported by one of them)."""
    hook = set()
    for node in ast.walk(ast.parse(HOOK.read_bytes())):
        if isinstance(node, ast.ImportFrom) and node.module:
            hook |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            hook |= {alias.name for alias in node.names}
    used = {name for name in hook if _source(name, code_keys.PACKAGE)}
    # the hook is thin: what it hands the build to imports the rest
    reached = set(code_keys.closure(tuple(sorted(used))))
    assert len(reached) > 10, reached
    assert reached <= set(code_keys.closure(ROOTS[Kind.PAGES]))


def test_editing_a_file_changes_exactly_the_keys_it_is_part_of(package: Path) -> None:
    before = {kind: code_keys.code_key(ROOTS[kind], package) for kind in Kind}
    covers = {kind: expected_files(kind, package) for kind in Kind}
    files = [path for path in sorted(package.rglob("*")) if path.is_file()]
    assert len(files) > 50
    for path in files:
        data = path.read_bytes()
        path.write_bytes(data + b"\n# edited\n")
        code_keys.forget()
        changed = {kind for kind in Kind if code_keys.code_key(ROOTS[kind], package)
                   != before[kind]}
        assert changed == {kind for kind in Kind if path in covers[kind]}, path
        path.write_bytes(data)
    code_keys.forget()
    assert {kind: code_keys.code_key(ROOTS[kind], package) for kind in Kind} == before


def test_moving_a_module_changes_the_keys(package: Path) -> None:
    """``model/dates.py`` made the package ``model/dates/``: every file holds the same bytes
    and every import still finds it, but it is another file."""
    before = {kind: code_keys.code_key(ROOTS[kind], package) for kind in Kind}
    (package / "model" / "dates").mkdir()
    (package / "model" / "dates.py").rename(package / "model" / "dates" / "__init__.py")
    code_keys.forget()
    for kind in Kind:
        moved = code_keys.code_key(ROOTS[kind], package)
        covered = any(p.name == "dates.py" for p in expected_files(kind, code_keys.PACKAGE))
        assert (moved != before[kind]) == covered, kind
    assert covered  # PAGES, the last, shows dates


@pytest.mark.parametrize("library", code_keys.LIBRARIES)
def test_a_new_version_of_a_library_changes_every_key(
        library: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = {kind: code_keys.key_for(kind) for kind in Kind}
    assert code_keys.library_versions()[library] is not None, "the library is installed"
    real = code_keys.installed
    monkeypatch.setattr(code_keys, "installed",
                        lambda name: "99" if name == library else real(name))
    code_keys.forget()
    assert all(code_keys.key_for(kind) != before[kind] for kind in Kind)


def test_another_python_changes_every_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = {kind: code_keys.key_for(kind) for kind in Kind}
    monkeypatch.setattr(platform, "python_version", lambda: "3.99.0")
    code_keys.forget()
    assert all(code_keys.key_for(kind) != before[kind] for kind in Kind)


def test_every_third_party_import_is_a_listed_library_or_shapes_no_output() -> None:
    modules: set[str] = set()
    for path in code_keys.PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    third_party = modules - set(sys.stdlib_module_names) - {"__future__", "policy_history"}
    providers = packages_distributions()
    unlisted = {module for module in third_party
                if not set(providers.get(module, ())) & set(code_keys.LIBRARIES)}
    assert unlisted == set(code_keys.NO_OUTPUT)  # and no name listed for nothing
    assert {"markdown", "nh3", "jinja2", "markupsafe", "yaml", "mkdocs", "git"} <= third_party


def test_the_renderer_key_follows_the_extensions_distributions(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toc = TocExtension()
    settings = {"toc": (["toc"], {}), "instance": ([toc], {}),
                "pymdownx": (["pymdownx.superfences"], {})}
    before = {name: code_keys.renderer_key(*args) for name, args in settings.items()}
    assert code_keys.renderer_key(["toc"], {"toc": {"permalink": True}}) != before["toc"]
    assert code_keys.renderer_key(["toc"], {}, "sanitiser") != before["toc"]
    real = code_keys.installed
    for library, changes in (("Markdown", {"toc", "instance"}),
                             ("pymdown-extensions", {"pymdownx"})):
        monkeypatch.setattr(code_keys, "installed",
                            lambda name, library=library: "99" if name == library
                            else real(name))
        after = {name: code_keys.renderer_key(*args) for name, args in settings.items()}
        assert {name for name in settings if after[name] != before[name]} == changes
    monkeypatch.setattr(code_keys, "installed", real)
    # a site's own extension, of no distribution: its source
    monkeypatch.syspath_prepend(str(tmp_path))
    own = tmp_path / "our_extension.py"
    own.write_text("EXTENSION = 1\n", encoding="utf-8")
    first = code_keys.renderer_key(["our_extension"], {})
    own.write_text("EXTENSION = 2\n", encoding="utf-8")
    assert code_keys.renderer_key(["our_extension"], {}) != first


def test_keys_are_computed_once_per_process(package: Path) -> None:
    key = code_keys.key_for(Kind.REDLINES)
    assert key == code_keys.code_key(ROOTS[Kind.REDLINES])
    assert code_keys.key_for(Kind.REDLINES) is key
    assert code_keys.code_key(ROOTS[Kind.REDLINES], package) == key  # the same bytes

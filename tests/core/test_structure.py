"""The package's structure: no module imports, through any chain, a module that imports
it back, typing-only imports (``if TYPE_CHECKING:``) included. A cycle makes the order of
imports matter and the modules impossible to read one at a time."""

from __future__ import annotations

from pathlib import Path

from policy_history.store import code_keys
from tests.core.test_code_keys import _imports


def module_graph(package: Path = code_keys.PACKAGE) -> dict[str, set[str]]:
    """Each module of the package → the modules of the package it imports."""
    paths = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package.parent).with_suffix("").parts
        paths[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in paths.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        # a module's own packages are imported before it in any case: ``from pkg import
        # sub`` in pkg.other is an edge to pkg.sub, not to pkg
        graph[name] = {target for target in _imports(here, path.read_bytes())
                       if target in paths and target != name
                       and not name.startswith(target + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of more than one module."""
    found, done = [], set()
    for start in sorted(graph):
        if start in done:
            continue
        stack, on_path = [(start, iter(sorted(graph[start])))], [start]
        while stack:
            node, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                stack.pop()
                on_path.pop()
                done.add(node)
            elif target in on_path:
                found.append([*on_path[on_path.index(target):], target])
            elif target not in done:
                stack.append((target, iter(sorted(graph[target]))))
                on_path.append(target)
    return found


def test_no_import_cycle_in_the_package() -> None:
    graph = module_graph()
    assert len(graph) > 50
    assert cycles(graph) == []


def test_a_cycle_is_found(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..a import thing\n")
    assert cycles(module_graph(package)) == [["pkg.a", "pkg.sub.b", "pkg.a"]]

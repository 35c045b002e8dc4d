"""The oracle shares nothing with the product: no module under tests/oracle imports
``policy_history``, directly or through what it imports."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

ORACLE = Path(__file__).resolve().parent
MODULES = sorted(ORACLE.glob("*.py"))

CHECK = """
import importlib, importlib.util, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "policy_history")
assert not loaded, f"the oracle loaded {loaded}"
assert importlib.util.find_spec("policy_history") is not None, "policy_history: not importable"
"""


def imported_names(source: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text("utf-8"), str(source))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_oracle_module_imports_policy_history() -> None:
    assert len(MODULES) >= 8
    for module in MODULES:
        named = {n for n in imported_names(module) if n.split(".")[0] == "policy_history"}
        assert not named, f"{module.name} imports {named}"


def test_importing_the_oracle_loads_no_product_code() -> None:
    """In a fresh interpreter where policy_history could be imported (hooks/ on the path),
    importing every module of the oracle and of its tests loads none of it."""
    names = [f"tests.oracle.{module.stem}" for module in MODULES if module.stem != "__main__"]
    environment = {**os.environ,
                   "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "hooks")])}
    result = subprocess.run([sys.executable, "-c", CHECK, *names], cwd=ROOT,
                            capture_output=True, text=True, env=environment)
    assert result.returncode == 0, result.stderr

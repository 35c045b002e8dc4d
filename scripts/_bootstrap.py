"""Start a Python command of scripts/ in the project's environment.

Prefers the project's .venv (made by scripts/setup); without one, uses the Python that
runs the script if it has the dependencies, else runs scripts/setup first.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
_GUARD = "POLICYKIT_BOOTSTRAPPED"


def _has_dependencies() -> bool:
    try:
        import jinja2  # noqa: F401
        import markdown  # noqa: F401
        import mkdocs  # noqa: F401
        import nh3  # noqa: F401
        import yaml  # noqa: F401
    except ImportError:
        return False
    return True


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def run(module: str) -> None:
    python = VENV / "bin" / "python"
    if not os.environ.get(_GUARD):
        if not python.exists() and not _has_dependencies():
            print("Setting up .venv first (scripts/setup)…", file=sys.stderr)
            if subprocess.run([str(ROOT / "scripts" / "setup")], stdout=sys.stderr).returncode:
                sys.exit(2)
        if python.exists() and not _in_venv():
            os.environ[_GUARD] = "1"
            os.execv(str(python), [str(python), sys.argv[0], *sys.argv[1:]])
    if not _has_dependencies():
        print("error: the project's dependencies are missing — run scripts/setup",
              file=sys.stderr)
        sys.exit(2)
    sys.path.insert(0, str(ROOT / "hooks"))
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    sys.exit(importlib.import_module(module).main())

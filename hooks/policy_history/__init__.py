"""Policy History: policies kept in git, published with their history.

The layout: ``model`` (the history model, pure), ``repository`` (the one module that runs
git), ``loader`` (git → model), ``store`` (what a build keeps for the next), ``rendering``
and ``redline`` (Markdown to HTML, and the diff), ``feeds`` and ``manifest`` (what
subscribers and programs read), ``editors`` (the check, preview and import tools) and
``site`` (the MkDocs-facing layer). Nothing imports MkDocs but ``site`` and the command
lines of ``editors``: the rest takes plain data, so it can be tested, benchmarked and
reused by ``scripts/``.
"""

from __future__ import annotations

__all__ = ["PolicyError", "__version__"]

#: the release (pyproject.toml reads it from here; CHANGELOG.md says what each one holds)
__version__ = "0.1.0"

from policy_history.errors import PolicyError

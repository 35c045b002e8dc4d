"""The only package that runs git, for the site build, the editors' tools and the importer.

- :mod:`.process` starts every git process: one command's output, or many objects through
  one ``cat-file --batch``;
- :mod:`.commits` parses what git says about commits (the log, commit dates);
- :mod:`.build` asks the site build's questions, a fixed number of processes per build;
- :mod:`.revisions` says which commits: what a name means (the editors' base and head),
  which changed a file (the importer's sources and targets);
- :mod:`.trees` reads files at a commit or in the working tree;
- :mod:`.writing` adds commits on top of HEAD (the importer's one write).

Each question is one function; each failure is a :class:`~policy_history.errors.GitError`.
The build's and the model's names are re-exported here. The editors import the modules
they use, so the history snapshot key, which follows the model's imports, does not cover
``revisions`` and ``writing``.
"""

from __future__ import annotations

from policy_history.repository.build import Repository, open_repository
from policy_history.repository.commits import (
    GITLINK_MODE,
    SYMLINK_MODE,
    FileChange,
    LogCommit,
    committer_date,
    parse_log,
)

__all__ = [
    "GITLINK_MODE",
    "SYMLINK_MODE",
    "FileChange",
    "LogCommit",
    "Repository",
    "committer_date",
    "open_repository",
    "parse_log",
]

"""The only package that runs git, for the site build, the editors' tools and the importer.

- :mod:`.process` starts every git process: one command's output, or many objects through
  one ``cat-file --batch``;
- :mod:`.commits` parses what git says about commits (the log, commit dates);
- :mod:`.build` asks the site build's questions, a fixed number of processes per build;
- :mod:`.revisions` says which commit a name means (the editors' base and head);
- :mod:`.trees` reads files at a commit or in the working tree.

Each question is one function; each failure is a :class:`~policy_history.errors.GitError`.
The build's and the model's names are re-exported here; the editors import the modules
they use, so the build's cache keys, which follow its imports, do not cover their code.
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

"""A small history that goes through every rule of issue 20, with what it must give: for
the oracle's own tests and for a build of the product judged by the oracle."""

from __future__ import annotations

import datetime as dt

from tests.support import GitRepo

AS_OF = dt.date(2026, 12, 1)
PATH = "terms.md"


def terms(date_line: str, retention: str = "30 days", link: str = "/logs/") -> str:
    return (f"---\ntitle: Terms\n---\n\n# Terms\n\n{date_line}\n\n"
            f"We keep [server logs]({link}) for {retention}.\n")


#: (commit day, text, what the commit is): the expected versions' effective dates follow
HISTORY = [
    ("2024-01-10", terms("*Last updated: January 5, 2024*"), "version: its declared date"),
    ("2024-02-01", terms("*Last updated: January 5, 2024*", "30 dayz"),
     "editorial: new words, the same declared date"),
    ("2024-02-15", terms("*Last updated: January 5, 2024*", "30 dayz", "/server-logs/"),
     "editorial: a link target only"),
    ("2024-04-01", terms("*Last updated: March 30, 2024*", "60 days"),
     "version: new words, a new declared date"),
    ("2024-05-01", terms("Effective for new accounts.", "90 days"),
     "version: no declared date, dated by its commit"),
    ("2024-06-01", terms("Effective: January 1, 2027", "120 days"),
     "version: upcoming, declared after the as-of day"),
    ("2024-07-01", terms("Effective: January 1, 2027", "120 days").replace("# Terms", "## Terms"),
     "editorial: the words did not change"),
]
EFFECTIVE = [dt.date(2024, 1, 5), dt.date(2024, 3, 30), dt.date(2024, 5, 1), dt.date(2027, 1, 1)]
LAST_UPDATED = dt.date(2024, 5, 1)


def write_history(repo: GitRepo) -> None:
    """Commit HISTORY in ``repo``."""
    for day, text, subject in HISTORY:
        repo.commit(subject, day, {PATH: text})

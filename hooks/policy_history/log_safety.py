"""Text that may quote the repository, made safe for a log or a terminal.

Titles, paths, commit subjects and the problems quoting them come from people the site's
owner does not control, and CI runners read a step's output for commands: GitHub Actions
acts on a line starting with "::" (``::stop-commands::``, ``::add-mask::``, ``::error``)
and on "##[" in any line. Both the build's log (``LogSafe``) and the editor tools' output
(``editors.output``) go through :func:`log_safe`.
"""

from __future__ import annotations

import logging
import re

#: what would break a line of the log or change the terminal: controls other than the line
#: feed and tab (a carriage return starts a new line for GitHub's runner, escape sequences
#: drive terminals), and the Unicode line and paragraph separators
LOG_BREAKING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
#: what GitHub Actions' runner reads as a workflow command in any line of a step's output:
#: "::" at the start of the line (after any spaces) and "##[" anywhere in it
_WORKFLOW_COMMAND = re.compile(r"^([^\S\n]*:)(?=:)|(#)(?=#\[)", re.MULTILINE)


def log_safe(text: str) -> str:
    """Text for stdout or stderr that may hold the repository's text (titles, paths, commit
    subjects, error messages quoting them): it cannot issue a workflow command — a title
    "::stop-commands::x" would otherwise silence the check's annotations — nor break a line
    or drive the terminal. A zero-width space goes between the two characters that would
    start a command, so the text still reads as it is written."""
    text = LOG_BREAKING.sub(" ", text)
    return _WORKFLOW_COMMAND.sub(lambda m: (m[1] or m[2]) + "\u200b", text)




class LogSafe(logging.Filter):
    """Makes every message of a logger :func:`log_safe`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = log_safe(record.getMessage()), None
        return True


def make_log_safe(logger: logging.Logger) -> None:
    """Filter ``logger``'s messages through :func:`log_safe`, once (``mkdocs serve``
    imports the hook again on reload; the logger is the same)."""
    if not any(type(f).__name__ == "LogSafe" for f in logger.filters):
        logger.addFilter(LogSafe())

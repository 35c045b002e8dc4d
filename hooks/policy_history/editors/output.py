"""What the command-line tools print: lines for people, and GitHub Actions annotations.

Both may carry the repository's text (titles, paths, commit subjects, problems quoting
them), and CI runners read a step's output for commands: GitHub Actions acts on a line
starting with "::" (``::stop-commands::``, ``::add-mask::``, ``::error``) and on "##[" in
any line. Lines for people go through :func:`say`; the annotations are the only lines we
print that start with "::", their text escaped as the runner unescapes it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from policy_history import __version__
from policy_history.errors import PolicyError
from policy_history.log_safety import LOG_BREAKING, log_safe


def say(text: str, stream: TextIO | None = None) -> None:
    """Print a line for people (stdout by default), made :func:`log_safe`."""
    print(log_safe(text), file=stream or sys.stdout)


def _escape_data(text: str) -> str:
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return LOG_BREAKING.sub(" ", escaped)  # the line is in the log too


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(severity: str, error: PolicyError, title: str = "Policy check") -> str:
    """A GitHub Actions workflow command: shown on the pull request's "Files changed" tab.

    The one line we print that starts with "::" on purpose: the repository's text in it is
    escaped as the runner unescapes it (data: %, CR, LF; properties: also ":" and ","), so
    it cannot end the command early or add properties."""
    props = []
    if error.file:
        props.append(f"file={_escape_property(error.file)}")
        if error.line:
            props.append(f"line={error.line}")
    props.append(f"title={_escape_property(title)}")
    message = error.problem + (f" — {error.fix}" if error.fix else "")
    if error.detail:
        message += "\n" + error.detail.strip()
    return f"::{severity} {','.join(props)}::{_escape_data(message)}"


def add_version(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``--version``: which release of Policy History a tool is (for a bug report)."""
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s (Policy History {__version__})")
    return parser

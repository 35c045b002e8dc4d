"""The one exception the core raises for bad input, formatted for people, not programmers."""

from __future__ import annotations


class PolicyError(Exception):
    """Bad input: names the file and line, what was expected, and how to fix it.

    Rendered as ``file:line: problem — fix`` so editors, CI logs and GitHub annotations
    all point at the same place.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        line: int | None = None,
        fix: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.line = line
        self.fix = fix
        self.detail = detail
        super().__init__(str(self))

    @property
    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        text = f"{self.location}: {self.problem}" if self.location else self.problem
        if self.fix:
            text += f" — {self.fix}"
        if self.detail:
            indented = "\n".join("    " + line for line in self.detail.strip().splitlines())
            text += f"\n{indented}"
        return text


class GitError(PolicyError):
    """git failed or the repository cannot give an honest history (carries git's stderr)."""

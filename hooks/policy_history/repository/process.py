"""The one place that starts git: a command's output, or many objects through one process.

Every git process of the site build, the editors' tools and the importer starts here, with
the same environment (C locale, so messages and dates do not depend on the machine; no
password prompt), and every failure is a :class:`~policy_history.errors.GitError` carrying
git's own words.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from policy_history.errors import GitError

GIT_ENV = {"LC_ALL": "C", "LANG": "C", "GIT_TERMINAL_PROMPT": "0"}
FSCK_FIX = "run 'git fsck' to check the repository"


def run_git(root: Path, *args: str, input: bytes | None = None,
            allow_fail: bool = False) -> bytes:
    """The output of one git command run in ``root``.

    A failure is a :class:`GitError` named after the command (the first argument after
    any ``-c name=value``) with git's error output; with ``allow_fail`` it is not: the
    output, often empty, is the answer.
    """
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=root,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            env={**os.environ, **GIT_ENV},
        )
    except FileNotFoundError:  # pragma: no cover - depends on the machine
        raise _not_installed() from None
    if result.returncode and not allow_fail:
        raise GitError(f"git {_command(args)} failed",
                       detail=result.stderr.decode("utf-8", "replace"))
    return result.stdout


def read_objects(root: Path, names: Iterable[str]) -> dict[str, bytes]:
    """The content of many objects (blob ids, ``commit:path``, commit ids) through one
    ``git cat-file --batch``, streamed: the request is written while the answer is read."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    try:
        proc = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **GIT_ENV},
        )
    except FileNotFoundError:  # pragma: no cover - depends on the machine
        raise _not_installed() from None
    stdin, stdout = proc.stdin, proc.stdout
    assert stdin is not None and stdout is not None  # both are pipes
    request = "".join(f"{name}\n" for name in wanted).encode("utf-8", "surrogateescape")
    writer = threading.Thread(target=_feed, args=(stdin, request), daemon=True)
    writer.start()
    objects: dict[str, bytes] = {}
    try:
        for name in wanted:
            header = stdout.readline().split()
            if len(header) != 3 or not header[2].isdigit():  # "<name> missing"
                raise GitError(f"git could not read object {name}", fix=FSCK_FIX)
            objects[name] = _read_exactly(stdout, int(header[2]))
            stdout.read(1)  # the newline after each object
    finally:
        stdout.close()  # an early error: git stops at its next write
        writer.join()
        proc.wait()
    return objects


def _feed(stdin: IO[bytes], request: bytes) -> None:
    with contextlib.suppress(BrokenPipeError):  # git stopped early; the reader says why
        stdin.write(request)
    with contextlib.suppress(BrokenPipeError):
        stdin.close()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise GitError("git cat-file ended early", fix=FSCK_FIX)
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _command(args: tuple[str, ...]) -> str:
    """The git command in ``args``: the first argument after any ``-c name=value``."""
    i = 0
    while i < len(args) - 1 and args[i] == "-c":
        i += 2
    return args[i] if args else "git"


def _not_installed() -> GitError:
    return GitError("git is not installed or not on PATH",
                    fix="install git (https://git-scm.com/)")

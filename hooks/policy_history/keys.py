"""Hashes of plain data that are the same in every process, for cache keys."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping


def stable_digest(*parts: object) -> str:
    """A short hash of plain data (what YAML and settings hold: mappings, sequences,
    strings, numbers, dates, None), the same from one build to the next.

    Mappings are hashed in key order (``{a, b}`` and ``{b, a}`` are the same variables).
    Other objects count by ``repr``: one whose ``repr`` changes from run to run (a memory
    address) only makes a cache miss, never a wrong hit.
    """
    return hashlib.blake2b(_canonical(parts).encode(), digest_size=16).hexdigest()


def _canonical(value: object) -> str:
    if isinstance(value, Mapping):
        items = sorted(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_canonical(item) for item in value)) + "}"
    return f"{type(value).__name__}:{value!r}"

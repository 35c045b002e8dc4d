"""``SequenceMatcher``: cydifflib's C++ port of ``difflib``'s where it is installed (about
ten times as fast on a block's words), else the standard library's.

Both give the same opcodes for the same sequences (``tests/redline/test_sequences.py``
checks it), so a redline is the same either way; cydifflib has no wheels for every Python
(none for 3.14 yet), hence the fallback.
"""

from __future__ import annotations

try:
    from cydifflib import SequenceMatcher
except ImportError:  # pragma: no cover - the test environment installs it
    from difflib import SequenceMatcher

__all__ = ["SequenceMatcher"]

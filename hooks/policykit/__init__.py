"""Policy History core: turns policies kept in git into a history of revisions and versions.

Nothing in this package imports MkDocs except ``policykit.site`` (the MkDocs-facing layer);
the core takes plain data so it can be tested, benchmarked and reused by ``scripts/``.
"""

from __future__ import annotations

__all__ = ["PolicyError"]

from policykit.errors import PolicyError

"""Redline pages: which pairs of versions get one, and the data their template shows.

Every version is compared with the one before it and with the current version; a policy
with few versions gets every pair, so the history page's compare control can reach any
pair on a static host. (The trade-off is in docs/reference.md.)
"""

from __future__ import annotations

from policy_history.model.timeline import PolicyHistory, Revision
from policy_history.site.page_data import (
    CompareChoice,
    CompareIndex,
    ComparePage,
    PageKind,
    date_of,
)
from policy_history.site.pages import (
    VersionOrder,
    _common,
    _revision_view,
    compare_url,
    editorial_pairs,
    history_url,
)


def pairs(history: PolicyHistory, every_pair_up_to: int, with_current: bool = True
          ) -> list[tuple[Revision, Revision]]:
    """(older, newer) pairs of versions that get a redline page, in a stable order, then
    each editorial revision that changed what a visitor sees with the revision before it.
    ``with_current``: in a long history, each version against the current one too."""
    versions = history.versions
    wanted: dict[tuple[int, int], None] = {}
    if len(versions) <= every_pair_up_to:
        for new in range(len(versions)):
            for old in range(new):
                wanted[(old, new)] = None
    else:
        for new in range(1, len(versions)):
            wanted[(new - 1, new)] = None
        if with_current and history.current in versions:
            current = versions.index(history.current)
            for old in range(current):
                wanted[(old, current)] = None
            for new in range(current + 1, len(versions)):  # upcoming, against the current
                wanted[(current, new)] = None
    return [(versions[old], versions[new]) for old, new in sorted(wanted)] + \
        editorial_pairs(history)


def compare_meta(history: PolicyHistory, old: Revision, new: Revision,
                 order: VersionOrder | None = None) -> ComparePage:
    """``page.meta.policy`` for a redline page (the hook adds the rendered redline)."""
    order = order or VersionOrder(history)
    consecutive = new.is_version and order.index(new) == order.index(old) + 1
    return ComparePage(
        **_common(history, PageKind.COMPARE, order, shows=new),
        title=history.text.title,
        old=_revision_view(history, old, order),
        new=_revision_view(history, new, order),
        consecutive=consecutive,
        editorial=not new.is_version,
        summary=new.summary if consecutive else None,
    )


def compare_index(history: PolicyHistory, every_pair_up_to: int, with_current: bool = True
                  ) -> CompareIndex:
    """For the history page's compare control: the versions, and the pairs with a page."""
    return CompareIndex(
        versions=tuple(_choice(v, history.language, bool(history.translation))
                       for v in reversed(history.versions)),
        pairs={f"{old.version_id}/{new.version_id}": compare_url(history, old, new)
               for old, new in pairs(history, every_pair_up_to, with_current)
               if new.is_version},
        history_url=history_url(history),
    )


def _choice(version: Revision, language: str, mark: bool) -> CompareChoice:
    effective = date_of(version.effective, language, mark)
    # a version always has a date; without one, it would print as nothing, as it did
    return CompareChoice(id=version.version_id, iso=effective.iso if effective else "",
                         text=effective.text if effective else "")

"""What each policy page hands its templates: ``page.meta.policy``.

``PageKind``: which kind of page a policy page is. The hook, the archive and the sitemap's
dates tell the kinds apart by it, and ``policy.page`` holds it for the templates.
"""

from __future__ import annotations

from enum import Enum


class PageKind(str, Enum):
    """Which kind of page a policy page is (``policy.page`` in the templates).

    A ``str`` as well, so that what compares or prints a kind sees the same text as when
    kinds were plain strings: ``policy.page == "current"`` in a site's own override, JSON,
    digests. ``str()`` and ``format()`` are pinned to the value: a mixed-in enum's
    ``str()`` is ``PageKind.CURRENT``, which is what Jinja prints, and from Python 3.12
    so is its ``format()`` (tests/core/test_page_data.py checks what str(), format(),
    JSON and Jinja print; checked on Python 3.10 to 3.13).
    """

    CURRENT = "current"  # the policy's own address: the text in force
    HISTORY = "history"  # /<slug>/history/
    VERSION = "version"  # /<slug>/versions/<id>/
    COMPARE = "compare"  # /<slug>/compare/<old>/<new>/: a redline
    #: a shell MkDocs renders for a group of archive pages, which are stamped from it
    #: (``site/stamp.py``); its templates print the stamp's markers
    SHELL = "stamp"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

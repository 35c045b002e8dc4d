"""The theme files this package brings (``policy_history/theme``): the page template, the
policy partials, the script and the stylesheet. A site does not copy them: the hook puts
the folder among the theme's, after the site's own ``custom_dir``, which may override any
of them, and before Material's."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

THEME_DIR = Path(__file__).resolve().parents[1] / "theme"


def add_theme(theme: Any) -> None:
    """Add ``THEME_DIR`` to ``theme.dirs`` (MkDocs' ``Theme``) once, where it belongs."""
    folder = str(THEME_DIR)
    dirs: list[str] = theme.dirs
    if any(os.path.realpath(d) == folder for d in dirs):
        return
    custom = getattr(theme, "custom_dir", None)
    first_is_custom = bool(custom and dirs and
                           os.path.realpath(dirs[0]) == os.path.realpath(custom))
    dirs.insert(1 if first_is_custom else 0, folder)

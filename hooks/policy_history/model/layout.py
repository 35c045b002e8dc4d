"""Which files make which policy: the layout of the policies folder at one commit.

Two shapes, which may be mixed:

* a **folder policy** ``<dir>/policy.yml`` plus section fragments ``<dir>/*.md``;
* a **file policy**: any other Markdown file, ``<name>.md`` or ``<name>/index.md``.

The slug (the URL path) comes from the path: lower case, runs of anything but letters and
digits become ``-`` (letters of any script are kept), ``index`` names its folder.
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from policy_history.errors import PolicyError

METADATA_FILE = "policy.yml"
MARKDOWN_SUFFIXES = (".md", ".markdown")
ROOT_INDEX_SLUG = "index"


@dataclass(frozen=True)
class PolicyLayout:
    slug: str
    kind: str  # "folder" or "file"
    path: str  # the folder, or the file, relative to the repository root
    fragments: tuple[str, ...]  # repository paths of the Markdown sources, sorted by name

    @property
    def metadata_path(self) -> str | None:
        return posixpath.join(self.path, METADATA_FILE) if self.kind == "folder" else None

    @property
    def source_paths(self) -> tuple[str, ...]:
        meta = self.metadata_path
        return (meta, *self.fragments) if meta else self.fragments


@functools.lru_cache(maxsize=8192)  # section headings repeat in every revision
def slugify_part(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    return _NOT_SLUG.sub("-", text).strip("-")


_NOT_SLUG = re.compile(r"[^\w]+|_")


def slug_for(relative: str) -> str:
    """The slug of a policy whose folder or file is at ``relative`` (from the policies dir)."""
    parts = relative.split("/")
    stem = parts[-1]
    for suffix in MARKDOWN_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    parts[-1] = stem
    if parts[-1].lower() == "index":
        if len(parts) == 1:
            return ROOT_INDEX_SLUG
        parts.pop()
    slugs = [slugify_part(part) for part in parts]
    return "/".join(slugs) if all(slugs) else ""


def _is_hidden(relative: str) -> bool:
    return any(part.startswith((".", "_")) for part in relative.split("/"))


def discover(paths: Iterable[str], policies_dir: str) -> dict[str, PolicyLayout]:
    """Group repository paths under ``policies_dir`` into policies, keyed by slug.

    Raises PolicyError when two sources would publish to the same slug or a name has
    no usable characters.
    """
    prefix = f"{policies_dir.strip('/')}/" if policies_dir.strip("/.") else ""
    relative = sorted(p[len(prefix) :] for p in paths if p.startswith(prefix))
    relative = [p for p in relative if not _is_hidden(p)]
    folders = {posixpath.dirname(p) for p in relative if posixpath.basename(p) == METADATA_FILE}

    fragments: dict[str, list[str]] = {folder: [] for folder in folders}
    files: list[str] = []
    for rel in relative:
        if not rel.lower().endswith(MARKDOWN_SUFFIXES):
            continue
        folder = posixpath.dirname(rel)
        if folder in folders:
            fragments[folder].append(rel)
        elif not any(rel.startswith(f"{f}/") for f in folders if f):
            files.append(rel)

    layouts: dict[str, PolicyLayout] = {}

    def add(layout: PolicyLayout, shown: str) -> None:
        if not layout.slug or ".." in layout.slug.split("/"):
            raise PolicyError(
                f"'{shown}' gives no usable web address",
                file=shown,
                fix="rename it with letters or digits",
            )
        other = layouts.get(layout.slug)
        if other is not None:
            raise PolicyError(
                f"two policies would be published at '/{layout.slug}/': "
                f"'{other.path}' and '{layout.path}'",
                file=layout.path,
                fix="rename or remove one of them",
            )
        layouts[layout.slug] = layout

    for folder in sorted(folders):
        slug = slug_for(folder) if folder else ROOT_INDEX_SLUG
        add(
            PolicyLayout(
                slug,
                "folder",
                prefix + folder if folder else prefix.rstrip("/"),
                tuple(prefix + f for f in sorted(fragments[folder])),
            ),
            prefix + folder,
        )
    for rel in files:
        add(PolicyLayout(slug_for(rel), "file", prefix + rel, (prefix + rel,)), prefix + rel)
    return dict(sorted(layouts.items()))

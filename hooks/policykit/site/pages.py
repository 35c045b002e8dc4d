"""What the site layer publishes for a policy: the page's Markdown and its ``page.meta``.

Plain data in, plain data out; the markup is in ``overrides/partials/policy-*.html``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import Any

import yaml

from policykit.dates import date_view
from policykit.layout import ROOT_INDEX_SLUG
from policykit.timeline import PolicyHistory, Revision

#: Between sections of the page's Markdown; Markdown passes HTML comments through, so the
#: rendered page can be cut back into sections for the template.
SECTION_MARKER = "<!-- policykit:section {key} -->"
_MARKER_RE = re.compile(r"<!-- policykit:section (\S+) -->")


def page_path(history: PolicyHistory) -> str:
    """Where the page sits among the site's files: where its source sits among the
    policies (names slugified), so relative links between policies keep working."""
    slug, layout = history.slug, history.layout
    if (
        slug == ROOT_INDEX_SLUG
        and layout is not None
        and layout.path.rsplit("/", 1)[-1].lower().startswith("index.")
    ):
        return "index.md"
    if (
        layout is not None
        and layout.kind == "file"
        and not posixpath.basename(layout.path).lower().startswith("index.")
    ):
        return f"{slug}.md"
    return f"{slug}/index.md"


def page_url(history: PolicyHistory) -> str:
    """The page's URL relative to the site root (directory URLs)."""
    path = page_path(history)
    return (
        ""
        if path == "index.md"
        else path.removesuffix("index.md").removesuffix(".md")
        + ("" if path.endswith("index.md") else "/")
    )


def page_markdown(history: PolicyHistory) -> str:
    """The Markdown MkDocs renders for ``/<slug>/``: front matter plus marked sections."""
    text = history.text
    front = {"title": text.title}
    if text.description:
        front["description"] = text.description
    parts = ["---", yaml.safe_dump(front, allow_unicode=True, sort_keys=True).strip(), "---", ""]
    for section in text.sections:
        parts += [SECTION_MARKER.format(key=section.key), "", section.markdown.strip("\n"), ""]
    return "\n".join(parts)


def split_sections(html: str) -> dict[str, str]:
    """Cut the rendered page back into its sections' HTML, keyed by section key."""
    pieces = _MARKER_RE.split(html)
    return {pieces[i]: pieces[i + 1].strip() for i in range(1, len(pieces) - 1, 2)}


def _version_view(revision: Revision | None) -> dict[str, Any] | None:
    if revision is None:
        return None
    return {
        "id": revision.version_id,
        "commit": revision.commit.sha,
        "effective": date_view(revision.effective),
        "published": date_view(revision.published),
        "summary": revision.summary,
        "reason": revision.reason,
    }


def policy_meta(history: PolicyHistory, edit_url: Any = None) -> dict[str, Any]:
    """``page.meta.policy`` for the current page (documented in docs/reference.md)."""
    current = history.current
    shown = current or history.latest
    marks = history.section_changed_on(shown) if shown.is_version else {}
    return {
        "slug": history.slug,
        "title": shown.text.title,
        "description": shown.text.description,
        "state": "current" if current else "upcoming",
        "last_updated": date_view(current.effective) if current else None,
        "effective": date_view(current.effective) if current else None,
        "version": _version_view(current),
        "upcoming": [_version_view(v) for v in history.upcoming],
        "revisions": len(history.revisions),
        "versions": len(history.versions),
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "source": section.source,
                "edit_url": edit_url(section.source) if edit_url else None,
                "changed_on": date_view(marks[section.key].effective)
                if section.key in marks
                else None,
                "html": "",
            }
            for section in shown.text.sections
        ],
    }


def policy_index(histories: Iterable[PolicyHistory]) -> list[dict[str, Any]]:
    """What the home page lists: every policy with its dates."""
    out = []
    for history in histories:
        meta = policy_meta(history)
        out.append(
            {
                key: meta[key]
                for key in (
                    "slug",
                    "title",
                    "description",
                    "state",
                    "last_updated",
                    "effective",
                    "upcoming",
                )
            }
        )
        out[-1]["url"] = page_url(history)
    return sorted(out, key=lambda item: (item["title"].lower(), item["slug"]))

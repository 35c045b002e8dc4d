"""The page events of a build: what each generated page shows (``page.meta.policy``), its
HTML put in place, and the archive's shells handed to the archive once MkDocs rendered
them. The pages MkDocs renders of the archive are its shells (or, with stamping off, every
archive page); all other archive pages are written by ``archive`` from the shells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import markupsafe

from policy_history import manifest
from policy_history.rendering import sanitise
from policy_history.site import archive, comparisons, pages
from policy_history.site.archive import Archive
from policy_history.site.archive_plan import Group
from policy_history.site.build import PolicyBuild, failure
from policy_history.site.page_data import PageKind
from policy_history.site.stamp import Shell, ShellError

if TYPE_CHECKING:
    from mkdocs.structure.pages import Page


def on_page_markdown(build: PolicyBuild, markdown_text: str, page: Page) -> str:
    """``page.meta`` of a generated page: its policy data, title, dates."""
    loaded = build.loaded
    ref = build.pages.get(page.file.src_uri)
    if ref is None:
        if loaded.head_committed:
            # the sitemap's lastmod of the other pages: the built commit's day, not the build's
            page.update_date = loaded.head_committed.date().isoformat()
        return markdown_text
    history = loaded.site.policies[ref.slug]
    if ref.kind == PageKind.SHELL:
        assert ref.group is not None
        first = ref.group.first
        page.meta["title"], description = archive.shell_front(first)
        page.meta.pop("description", None)
        if description:
            page.meta["description"] = description
        page.meta["policy"] = archive.shell_meta()
        page.update_date = build.following.lastmod(history, first.kind, first.version)
        return markdown_text
    plan = build.plan_settings
    if ref.kind == PageKind.HISTORY:
        page.meta["policy"] = pages.history_meta(history)
        page.meta["policy"].compare = comparisons.compare_index(
            history, plan.every_pair_up_to, plan.with_current)
    elif ref.kind == PageKind.VERSION:
        assert ref.version is not None
        page.meta["policy"] = pages.version_meta(history, ref.version)
    elif ref.kind == PageKind.COMPARE:
        assert ref.version is not None and ref.old is not None
        page.meta["policy"] = comparisons.compare_meta(history, ref.old, ref.version)
        page.meta["title"] = (f"{history.text.title}: changes from "
                              f"{ref.old.page_id} to {ref.version.page_id}")
    else:
        meta = pages.policy_meta(history, build.edit_url)
        draft = loaded.drafts.get(ref.slug)
        if draft is not None:
            meta = pages.with_draft(meta, draft, loaded.uncommitted)
        page.meta["policy"] = meta
        if meta.last_updated:
            page.meta["revision_date"] = meta.last_updated.text
        page.edit_url = build.edit_url(history.text.meta.file or history.text.sections[0].source)
    for key in ("title", "description"):  # Material prints them unescaped, as HTML
        if isinstance(page.meta.get(key), str):
            page.meta[key] = markupsafe.escape(page.meta[key])
    page.meta["policy"].follow(build.following.meta(history))
    page.update_date = build.following.lastmod(history, ref.kind, ref.version)
    return markdown_text


def on_page_content(build: PolicyBuild, html: str, page: Page) -> str:
    """The rendered sections of a generated page, put where its templates show them."""
    policy = page.meta.get("policy")
    ref = build.pages.get(page.file.src_uri)
    if not policy or ref is None or ref.kind == PageKind.SHELL:
        return html
    renderer = build.renderer
    if ref.kind == PageKind.CURRENT:
        html = sanitise.sanitise(html)  # raw HTML in policy text: nothing that runs
        # MkDocs leaves links from the policies' root
        html = renderer.links(html, written_at=page.file.src_uri, shown_at=page.url,
                              root_only=True)
        rendered = pages.split_sections(html)
        for section in policy.sections:
            section.html = rendered.get(section.key, "")
        return html
    history = build.loaded.site.policies[ref.slug]
    written_at = pages.page_path(history)  # where the policy's links were written
    if ref.kind == PageKind.VERSION:
        assert ref.version is not None
        text = ref.version.text
        for section, source in zip(policy.sections, text.standalone_sections(),
                                   strict=True):
            section.html = renderer.links(renderer.markdown(source), written_at=written_at,
                                             shown_at=page.url)
    elif ref.kind == PageKind.COMPARE:
        assert ref.group is not None and build.content is not None
        policy.redline = build.content.redline(ref.group.first)
    return html


def on_post_page(build: PolicyBuild, output: str, page: Page) -> str:
    """A shell's page: the archive writes its group's first page from it (and, once every
    shell is rendered, the other archive pages start being written on every core)."""
    ref = build.pages.get(page.file.src_uri)
    archive_ = build.archive
    if ref is None or archive_ is None:
        return output
    if ref.kind == PageKind.SHELL and ref.group is not None:
        return _shell_written(build, archive_, ref.slug, ref.group, output, page)
    if ref.kind == PageKind.VERSION and ref.version is not None and ref.version.version_id \
            and page.meta.get("policy"):
        sections = [section.html for section in page.meta["policy"].sections]
        build.results.text_sha256[(ref.slug, ref.version.version_id)] = \
            manifest.text_sha256(sections)
    if ref.kind in (PageKind.VERSION, PageKind.COMPARE):
        # Written: a long history has thousands of these; keep none of their HTML around.
        page.content = None
        page.meta["policy"].drop_html()
    return output


def _shell_written(build: PolicyBuild, archive_: Archive, slug: str, group: Group,
                   output: str, page: Page) -> str:
    try:
        shell = Shell.from_output(output, page.canonical_url or "")
    except ShellError as error:
        raise failure(
            f"the archive pages of '{slug}' cannot be written from "
            f"'{page.file.src_uri}': {error}. Set 'extra: policies: stamp_archive: "
            "false' in mkdocs.yml to render each of them through MkDocs") from None
    if archive_.loc_base is None:
        loc = page.canonical_url or page.abs_url or ""
        archive_.loc_base = loc[: -len(page.url)] if page.url and loc.endswith(page.url) \
            else loc if not page.url else None
    html = archive_.write_group(group, shell)
    if archive_.shells_ready and build.writers is not None:
        build.writers.start(archive_)  # the rest, on every core
    return html

"""MkDocs hook: publishes the policies kept in git (see docs/reference.md).

Only event functions live here; the work is done by the ``policy_history`` package beside this
file (MkDocs puts this folder on ``sys.path`` while it imports the hook).
"""

from __future__ import annotations

import datetime as dt
import gc
import gzip
import hashlib
import logging
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote as urlquote

import markupsafe
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File, InclusionLevel

from policy_history import manifest
from policy_history.editors.output import log_safe
from policy_history.errors import PolicyError
from policy_history.loader import LoadedHistory, load_history
from policy_history.model.templating import TemplateRefused
from policy_history.model.timeline import Revision
from policy_history.rendering import quick_inline
from policy_history.rendering import sanitise as safe_html
from policy_history.rendering.chunks import Chunker
from policy_history.site import comparisons, feed_files, following, pages
from policy_history.site.archive import Archive, Group, RedlineError, Settings
from policy_history.site.config import PolicySiteConfig, as_of_from
from policy_history.site.feed_files import FeedOptions
from policy_history.site.page_data import Following, PageKind
from policy_history.site.redline_store import Redlines
from policy_history.site.renderer import PolicyRenderer, markdown_renderer
from policy_history.site.stamp import Shell, ShellError, sitemap_with
from policy_history.site.workers import thaw
from policy_history.site.writers import ArchiveWriters
from policy_history.store.ledger import OutputLedger
from policy_history.store.results import ResultStore
from policy_history.store.section_prints import renderer_key

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

log = get_plugin_logger("policies")


class _LogSafe(logging.Filter):
    """Messages quote the repository (titles, paths, commit subjects): in a CI log they
    must not issue workflow commands ("::stop-commands::", "##[…]") nor drive a terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = log_safe(record.getMessage()), None
        return True


if not any(isinstance(f, logging.Filter) and type(f).__name__ == "_LogSafe"
           for f in log.logger.filters):  # mkdocs serve imports the hook again on reload
    log.logger.addFilter(_LogSafe())


def _failure(message: str) -> PluginError:
    """The error that stops the build, made log-safe like the log's messages."""
    return PluginError(log_safe(message))
_CODE = Path(__file__).resolve().parent / "policy_history"


@dataclass(frozen=True)
class _PageRef:
    """What a generated page shows: a policy's current text, its history, or one version."""

    slug: str
    kind: PageKind  # CURRENT, HISTORY, VERSION, COMPARE or SHELL
    version: Revision | None = None
    old: Revision | None = None  # for COMPARE: the older version
    #: an archive page rendered by MkDocs: the shell of its group, or (stamping off) alone
    group: Group | None = None


class _Build:
    """Per-build state. The hook module lives as long as ``mkdocs serve``: reset each build."""

    command: ClassVar[str] = "build"
    loaded: ClassVar[LoadedHistory | None] = None
    pages: ClassVar[dict[str, _PageRef]] = {}  # src_uri of a generated page → what it shows
    edit_base: ClassVar[str | None] = None
    every_pair_up_to: ClassVar[int] = 12
    with_current: ClassVar[bool] = True
    stamp: ClassVar[bool] = True
    workers: ClassVar[int] = 1
    renderer: ClassVar[PolicyRenderer | None] = None
    cache_dir: ClassVar[Path | None] = None
    ledger: ClassVar[OutputLedger | None] = None
    archive: ClassVar[Archive | None] = None
    writers: ClassVar[ArchiveWriters | None] = None


def on_startup(*, command: str, dirty: bool) -> None:
    _Build.command = command


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _Build.loaded, _Build.pages = None, {}
    settings = PolicySiteConfig()
    settings.load_dict(dict(config.extra.get("policies") or {}))
    errors, warnings = settings.validate()
    for key, warning in warnings:
        log.warning("extra.policies.%s: %s", key, warning)
    if errors:
        raise _failure(
            "\n".join(f"mkdocs.yml: extra.policies.{key}: {error}" for key, error in errors)
        )
    config_dir = Path(config.config_file_path or ".").resolve().parent
    _close()
    thaw()  # the previous build's objects (mkdocs serve) may be collected now
    _Build.cache_dir = config_dir / ".cache" / "policy-history"
    # One renderer for the whole build: the history's fingerprints and the archived
    # pages render the same sections, so each is rendered once.
    renderer = _Build.renderer = PolicyRenderer(
        markdown_renderer(config.markdown_extensions, config.mdx_configs),
        visible=manifest.visible_text,
        chunker=Chunker.for_extensions(_extensions(config), config.mdx_configs))
    workers = settings.jobs or os.cpu_count() or 1
    try:
        as_of = as_of_from(settings)
        loaded = load_history(
            config_dir / settings.dir,
            render=_Build.renderer.markdown,
            as_of=as_of,
            site_variables={k: v for k, v in config.extra.items() if k != "policies"},
            config_file=config.config_file_path,
            templating=settings.templating,
            text_dates=settings.text_dates,
            drafts=_Build.command == "serve",
            cache_dir=_Build.cache_dir,
            renderer_settings=_renderer_settings(config),  # rendered text is sanitised
            prerender=lambda groups: renderer.prerender(
                groups, workers if _Build.command == "build" else 1),
        )
    except (PolicyError, ValidationError) as error:
        raise _failure(str(error)) from None
    for problem in loaded.site.errors:
        if settings.on_error == "fail":
            raise _failure(str(problem))
        log.warning("%s (this policy is left out of the site)", problem)
    if loaded.cache_problem:
        log.info("cache: %s", loaded.cache_problem)
    for problem in loaded.site.warnings:
        log.warning("%s", problem)
    for commit, problem in loaded.site.skipped:
        refused = isinstance(problem, TemplateRefused) and not any(
            len(known) >= 7 and commit.sha.startswith(known.lower())
            for known in settings.acknowledged_commits)
        (log.warning if refused else log.info)(
            "left out of the history, commit %s: %s%s", commit.sha[:10], problem,
            " (once you have looked at it, list the commit under 'extra: policies: "
            "acknowledged_commits:' in mkdocs.yml)" if refused else "")
    for commit, problem in loaded.site.unfilled:
        log.info("kept as written, commit %s: %s", commit.sha[:10], problem)
    if loaded.uncommitted:
        if _Build.command == "serve":
            log.info("showing uncommitted edits as drafts (not published until committed): %s",
                     ", ".join(loaded.uncommitted))
        else:
            log.warning("these policy files differ from the last commit and are not "
                        "published until committed: %s", ", ".join(loaded.uncommitted))
    for problem in loaded.draft_errors:
        log.warning("draft: %s", problem)
    _Build.loaded = loaded
    # The history lives until the build ends: the collector need not walk its millions of
    # objects again and again (0.6 s of a warm ota build's 7.9 s). Thawed by the next build.
    gc.freeze()
    _Follow.start(config, settings, as_of)
    _Build.edit_base = settings.edit_url or _edit_base(config)
    _Build.every_pair_up_to = settings.compare_every_pair_up_to
    _Build.with_current = settings.compare_with_current
    _Build.stamp = settings.stamp_archive
    _Build.workers = workers
    if not any(isinstance(e, quick_inline.QuickInline) for e in config.markdown_extensions):
        # MkDocs renders every page with it too: the same HTML, sooner (the history's
        # renderer above was made without it and installs it itself)
        config.markdown_extensions.append(quick_inline.QuickInline())
    log.info("%d policies, %d revisions read from git as of %s", len(loaded.site.policies),
             sum(len(h.revisions) for h in loaded.site.policies.values()),
             as_of.isoformat(timespec="seconds"))
    return config


def on_pre_build(*, config: MkDocsConfig) -> None:
    """Before MkDocs empties the site folder: set the previous archive pages aside."""
    if _Build.loaded is None:
        return
    _Build.ledger = OutputLedger(_Build.cache_dir, Path(config.site_dir))
    _Build.ledger.set_aside()
    if _Build.ledger.problem:
        log.info("cache: %s", _Build.ledger.problem)


@event_priority(-50)  # after other plugins have added their files
def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    loaded, renderer = _Build.loaded, _Build.renderer
    if loaded is None or renderer is None:
        return files
    ledger = _Build.ledger or OutputLedger(None, Path(config.site_dir))
    taken = {file.src_uri for file in files}
    added: list[File] = []
    shells: list[File] = []

    def add(src_uri: str, content: str, ref: _PageRef, in_nav: bool = True) -> None:
        inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
        file = File.generated(config, src_uri, content=content, inclusion=inclusion)
        (shells if ref.kind == PageKind.SHELL else added).append(file)
        _Build.pages[src_uri] = ref

    def check(src_uri: str, slug: str) -> None:
        if src_uri in taken:
            raise _failure(f"'{config.docs_dir}/{src_uri}' would hide a page of the policy "
                              f"'{slug}'; rename or remove one of them")

    archive = _Build.archive = Archive(
        Settings(code=_code_digest("**/*.py"),
                 redline_code=_code_digest("redline/**/*", *_RENDERING, "site/redline_store.py"),
                 text_code=_code_digest(*_RENDERING, "manifest.py"),
                 renderer=renderer_key(_renderer_settings(config)),
                 files="", templates="", every_pair_up_to=_Build.every_pair_up_to,
                 with_current=_Build.with_current),
        ledger=ledger,
        redlines=Redlines(ResultStore(_Build.cache_dir / "redlines" if _Build.cache_dir
                                      else None),
                          renderer, _links(renderer),
                          together=renderer.keeps_to_blocks),
        bodies=ResultStore(_Build.cache_dir / "texts" if _Build.cache_dir else None),
        renderer=renderer, site_url=_Follow.site_url,
        follow=_Follow.meta, lastmod=_Follow.lastmod)
    options = _feed_options(config)
    if options is not None:  # written with each policy's archive pages, on every core
        archive.write_following = lambda history: feed_files.write_policy_files(
            archive, history, options)
        archive.note_feeds(feed_files.shown_redlines(loaded.site.policies.values(), options))
    for slug, history in loaded.site.policies.items():
        check(pages.page_path(history), slug)
        add(pages.page_path(history), pages.page_markdown(history, loaded.drafts.get(slug)),
            _PageRef(slug, PageKind.CURRENT))
        started = archive.plan(history, stamp=_Build.stamp)
        for page in archive.planned(slug):
            check(page.src_uri, slug)
        for group in started:
            add(group.first.src_uri, group.first.markdown(),
                _PageRef(slug, PageKind.SHELL if _Build.stamp else group.first.kind,
                         group.first.version, group.first.old, group), in_nav=False)
    # The shells first: MkDocs writes pages in this order, and the other archive pages
    # are written (on every core) from the shells while it writes the rest.
    files = type(files)([*shells, *files, *added])
    if files.get_file_from_path("index.md") is None:
        files.append(File.generated(config, "index.md", content=f"# {config.site_name}\n"))
    renderer.files = files
    # Links in policy text resolve against the site's files: part of every archive key.
    archive.settings.files = hashlib.sha256(
        "\n".join(sorted(file.src_uri for file in files)).encode()).hexdigest()
    _Build.writers = ArchiveWriters(archive, _Build.workers if _Build.command == "build"
                                    else 1)
    _Build.writers.prepare()  # what needs no shell, computed while MkDocs renders pages
    return files


def on_nav(nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
    """A folder made only for a policy's page shows as the page, under the policy's title."""
    nav.items = [_unwrap(item) for item in nav.items]
    return nav


def on_page_markdown(markdown_text: str, *, page: Page, config: MkDocsConfig,
                     files: Files) -> str:
    ref = _Build.pages.get(page.file.src_uri)
    if ref is None and _Build.loaded is not None and _Build.loaded.head_committed:
        # the sitemap's lastmod of the other pages: the built commit's day, not the build's
        page.update_date = _Build.loaded.head_committed.date().isoformat()
    if ref is None or _Build.loaded is None:
        return markdown_text
    history = _Build.loaded.site.policies[ref.slug]
    if ref.kind == PageKind.SHELL:
        assert ref.group is not None and _Build.archive is not None
        first = ref.group.first
        page.meta["title"], description = _Build.archive.shell_front(first)
        page.meta.pop("description", None)
        if description:
            page.meta["description"] = description
        page.meta["policy"] = _Build.archive.shell_meta()
        page.update_date = _Follow.lastmod(history, first.kind, first.version)
        return markdown_text
    if ref.kind == PageKind.HISTORY:
        page.meta["policy"] = pages.history_meta(history)
        page.meta["policy"].compare = comparisons.compare_index(
            history, _Build.every_pair_up_to, _Build.with_current)
    elif ref.kind == PageKind.VERSION:
        assert ref.version is not None
        page.meta["policy"] = pages.version_meta(history, ref.version)
    elif ref.kind == PageKind.COMPARE:
        assert ref.version is not None and ref.old is not None
        page.meta["policy"] = comparisons.compare_meta(history, ref.old, ref.version)
        page.meta["title"] = (f"{history.text.title}: changes from "
                              f"{ref.old.page_id} to {ref.version.page_id}")
    else:
        meta = pages.policy_meta(history, _edit_url)
        draft = _Build.loaded.drafts.get(ref.slug)
        if draft is not None:
            meta = pages.with_draft(meta, draft, _Build.loaded.uncommitted)
        page.meta["policy"] = meta
        if meta.last_updated:
            page.meta["revision_date"] = meta.last_updated.text
        page.edit_url = _edit_url(history.text.meta.file or history.text.sections[0].source)
    for key in ("title", "description"):  # Material prints them unescaped, as HTML
        if isinstance(page.meta.get(key), str):
            page.meta[key] = markupsafe.escape(page.meta[key])
    _Follow.page(page, history, ref)
    return markdown_text


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    policy = page.meta.get("policy")
    ref = _Build.pages.get(page.file.src_uri)
    if not policy or ref is None or _Build.loaded is None or ref.kind == PageKind.SHELL:
        return html
    if ref.kind == PageKind.CURRENT:
        html = safe_html.sanitise(html)  # raw HTML in policy text: nothing that runs
        if _Build.renderer is not None:  # MkDocs leaves links from the policies' root
            html = _Build.renderer.links(html, written_at=page.file.src_uri,
                                         shown_at=page.url, root_only=True)
        rendered = pages.split_sections(html)
        for section in policy.sections:
            section.html = rendered.get(section.key, "")
        return html
    history = _Build.loaded.site.policies[ref.slug]
    renderer = _Build.renderer
    assert renderer is not None and _Build.archive is not None
    written_at = pages.page_path(history)  # where the policy's links were written
    if ref.kind == PageKind.VERSION:
        assert ref.version is not None
        text = ref.version.text
        for section, source in zip(policy.sections, text.standalone_sections(),
                                   strict=True):
            section.html = renderer.links(renderer.markdown(source), written_at=written_at,
                                             shown_at=page.url)
    elif ref.kind == PageKind.COMPARE:
        assert ref.group is not None
        policy.redline = _Build.archive.redline(ref.group.first)
    return html


def on_page_context(context: dict[str, Any], *, page: Page, config: MkDocsConfig,
                    nav: Navigation) -> dict[str, Any]:
    if _Build.writers is not None:  # once every shell is written: the rest, on every core
        _Build.writers.start()
    if _Build.loaded is not None and page.is_homepage:
        context["policy_index"] = pages.policy_index(_Build.loaded.site.policies.values())
    return context


def on_shutdown() -> None:
    _close()
    _Build.loaded, _Build.pages = None, {}


def on_build_error(*, error: Exception) -> None:
    _close()


def _close() -> None:
    """Stop the archive's workers; the previous pages set aside are dropped (next build
    writes them anew)."""
    if _Build.writers is not None:
        _Build.writers.close()
    _Build.archive, _Build.ledger, _Build.writers = None, None, None


# -- helpers ------------------------------------------------------------------------------


def _unwrap(item: Any) -> Any:
    children = getattr(item, "children", None)
    if not children:
        return item
    item.children = [_unwrap(child) for child in children]
    only = item.children[0] if len(item.children) == 1 else None
    if only is not None and getattr(only, "file", None) is not None \
            and only.file.src_uri in _Build.pages:
        only.parent = item.parent
        return only
    return item


def _renderer_settings(config: MkDocsConfig) -> object:
    return (_extensions(config), config.mdx_configs, safe_html.SETTINGS)


def _extensions(config: MkDocsConfig) -> list[Any]:
    """The site's Markdown extensions (without the one this hook adds for MkDocs: a
    config is reused by ``mkdocs serve``)."""
    return quick_inline.without_quick_inline(config.markdown_extensions)


#: the modules that turn a policy's files into its text (a revision's source_key names
#: the files), and its Markdown into the HTML pages show
_RENDERING = ("model/*.py", "site/renderer.py", "rendering/*.py")


def _code_digest(*patterns: str) -> str:
    """The source of this package's files matching ``patterns``: a cached result is
    reused only by the code that computed it."""
    paths = sorted({path for pattern in patterns for path in _CODE.glob(pattern)
                    if path.is_file() and "__pycache__" not in path.parts})
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(_CODE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _links(renderer: PolicyRenderer) -> Any:
    def links_for(written_at: str, shown_at: str) -> Any:
        return lambda html: renderer.links(html, written_at=written_at, shown_at=shown_at)

    return links_for


def _edit_base(config: MkDocsConfig) -> str | None:
    """``repo_url`` + ``edit_uri`` without its docs folder: edit links to repository paths."""
    if not config.repo_url or not config.edit_uri:
        return None
    edit_uri = config.edit_uri.rstrip("/")
    docs = posixpath.basename(config.docs_dir.rstrip("/"))
    if edit_uri.endswith("/" + docs):
        edit_uri = edit_uri[: -len(docs) - 1]
    return config.repo_url.rstrip("/") + "/" + edit_uri.strip("/") + "/{path}"


def _edit_url(path: str) -> str | None:
    return _Build.edit_base.replace("{path}", path) if _Build.edit_base else None


# -- following changes: feeds, manifests, the recent-change notice, sitemap dates ---------


class _Follow:
    """Per-build state of feeds and manifests (docs/feeds.md)."""

    settings: ClassVar[PolicySiteConfig | None] = None
    as_of: ClassVar[dt.datetime | None] = None
    site_url: ClassVar[str] = ""

    @classmethod
    def start(cls, config: MkDocsConfig, settings: PolicySiteConfig, as_of: dt.datetime) -> None:
        if settings.feeds and not config.site_url:
            raise _failure(
                "mkdocs.yml: 'site_url' is not set, but the policies' feeds and versions.json "
                "need absolute addresses: set 'site_url: https://policies.example.com/' (the "
                "address the site is published at), or turn them off with "
                "'extra: policies: feeds: false'")
        cls.settings, cls.as_of = settings, as_of
        cls.site_url = config.site_url or ""

    @classmethod
    def meta(cls, history: Any) -> Following:
        """What every page of a policy shows of its feeds and recent changes."""
        settings, as_of = cls.settings, cls.as_of
        if settings is None or as_of is None:
            return Following()
        return following.follow_meta(history, as_of=as_of, feeds=settings.feeds,
                                     recent_days=settings.recent_change_days)

    @classmethod
    def lastmod(cls, history: Any, kind: PageKind, version: Revision | None) -> str:
        assert cls.as_of is not None
        return following.lastmod(history, kind, version, cls.as_of)

    @classmethod
    def page(cls, page: Page, history: Any, ref: _PageRef) -> None:
        if cls.settings is None or cls.as_of is None:
            return
        page.meta["policy"].follow(cls.meta(history))
        page.update_date = cls.lastmod(history, ref.kind, ref.version)


def on_env(env: Any, *, config: MkDocsConfig, files: Files) -> Any:
    settings, loaded = _Follow.settings, _Build.loaded
    feeds_on = bool(settings and settings.feeds and loaded is not None)
    env.globals["policy_feeds"] = following.SITE_FEEDS if feeds_on else None
    if feeds_on and loaded is not None:
        written = list(following.SITE_FEEDS.values())
        for history in loaded.site.policies.values():
            written += following.feed_paths(history).values()
        for path in written:
            if files.get_file_from_path(path) is not None:
                raise _failure(f"'{config.docs_dir}/{path}' would be overwritten by a feed "
                                  "of the policies; rename or remove it")
    env.globals["policy_asset_versions"] = _asset_versions(config)
    archive = _Build.archive
    if archive is not None:
        content = env.get_template("partials/policy-content.html")
        feed_links = env.get_template("partials/policy-feed-links.html")
        archive.render_content = lambda context: content.render({**context, "config": config})
        archive.render_feeds = lambda context: feed_links.render({**context, "config": config})
        # the policy templates, as the theme resolves them (a custom_dir may override them);
        # listing every template of the theme instead costs a third of a second
        names = sorted({path.name for folder in config.theme.dirs
                        for path in Path(folder).glob("partials/policy-*.html")})
        digest = hashlib.sha256()
        for name in names:
            source, _, _ = env.loader.get_source(env, f"partials/{name}")
            digest.update(name.encode() + b"\0" + source.encode())
        archive.settings.templates = digest.hexdigest()
    return env


#: the theme's own files, linked with a digest of their content so that a browser never
#: pairs a new page with a script or stylesheet it cached from an older build
_ASSETS = {"css": "assets/stylesheets/policy-history.css",
           "js": "assets/javascripts/policy-history.js"}


def _asset_versions(config: MkDocsConfig) -> dict[str, str]:
    versions = {}
    for kind, path in _ASSETS.items():
        found = next((Path(folder) / path for folder in config.theme.dirs
                      if (Path(folder) / path).is_file()), None)
        data = found.read_bytes() if found is not None else b""
        versions[kind] = hashlib.sha256(data).hexdigest()[:12]
    return versions


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    ref = _Build.pages.get(page.file.src_uri)
    archive = _Build.archive
    if ref is not None and ref.kind == PageKind.SHELL and ref.group is not None \
            and archive is not None:
        try:
            shell = Shell.from_output(output, page.canonical_url or "")
        except ShellError as error:
            raise _failure(
                f"the archive pages of '{ref.slug}' cannot be written from "
                f"'{page.file.src_uri}': {error}. Set 'extra: policies: stamp_archive: "
                "false' in mkdocs.yml to render each of them through MkDocs") from None
        loc = page.canonical_url or page.abs_url or ""
        ref.group.loc_base = loc[: -len(page.url)] if page.url and loc.endswith(page.url) \
            else loc if not page.url else None
        return archive.write_group(ref.group, shell)
    if ref is not None and ref.kind == PageKind.VERSION and ref.version is not None \
            and ref.version.version_id and page.meta.get("policy") and archive is not None:
        sections = [section.html for section in page.meta["policy"].sections]
        archive.text_sha256[(ref.slug, ref.version.version_id)] = manifest.text_sha256(sections)
    if ref is not None and ref.kind in (PageKind.VERSION, PageKind.COMPARE):
        # Written: a long history has thousands of these; keep none of their HTML around.
        page.content = None
        page.meta["policy"].drop_html()
    return output


def on_post_build(*, config: MkDocsConfig) -> None:
    """Write the archive pages MkDocs did not render, add them to the sitemap; write each
    policy's feeds, versions.json and versions' source.md, and the site's feeds."""
    archive, writers = _Build.archive, _Build.writers
    if archive is None or writers is None:
        return
    try:
        writers.finish()
    except RedlineError as error:
        raise _failure(str(error)) from None
    for line in writers.log:
        log.debug("%s", line)
    try:
        _extend_sitemap(Path(config.site_dir), archive)
    except ShellError as error:
        raise _failure(f"sitemap.xml: {error}. Set 'extra: policies: stamp_archive: "
                          "false' in mkdocs.yml to render every page through MkDocs"
                          ) from None
    options, loaded = _feed_options(config), _Build.loaded
    if options is not None and loaded is not None:
        feed_files.write_site_feeds(archive, loaded.site.policies.values(), options)
        log.info("feeds and versions.json written for %d policies", len(loaded.site.policies))
    for warning in archive.warnings:
        log.warning("%s", warning)
    archive.ledger.finish()
    log.info("archive: %d pages written, %d kept from the previous build, %d redlines "
             "computed", archive.written, archive.ledger.reused, len(archive.redlines.computed))
    for problem in [*archive.redlines.store.problems, *archive.bodies.problems]:
        log.info("cache: %s", problem)


def _extend_sitemap(site_dir: Path, archive: Archive) -> None:
    """MkDocs listed the shells' pages in the sitemap: add the pages stamped from them,
    in the order MkDocs lists pages (as if it had rendered each)."""
    path = site_dir / "sitemap.xml"
    if not path.is_file():
        return
    base = archive.loc_base()
    if base is None:
        return
    # MkDocs lists a policy's pages in the order of its files: current, history, versions,
    # redlines. The shells are listed where they were added: moved to their policy's place
    # (after its current page, the only one of its pages MkDocs always renders).
    after: dict[str, list[tuple[str, str | None]]] = {}
    for history, planned in archive.by_policy():
        after[base + urlquote(pages.page_url(history))] = archive.sitemap_entries(
            planned, base)
    shells = {base + group.first.url for group in archive.groups.values()}
    text = sitemap_with(path.read_text("utf-8"), after=after, without=shells)
    newest = max((date or "" for entries in after.values() for _, date in entries), default="")
    path.write_text(text, encoding="utf-8")
    gz_path = site_dir / "sitemap.xml.gz"
    if gz_path.is_file():
        # MkDocs dates the archive by its newest page: now including the stamped ones
        stamp = int.from_bytes(gz_path.read_bytes()[4:8], "little")
        if newest:
            stamp = max(stamp, int(dt.datetime.fromisoformat(newest).replace(
                tzinfo=dt.timezone.utc).timestamp()))
        with gz_path.open("wb") as out, gzip.GzipFile(fileobj=out, filename=str(gz_path),
                                                       mode="wb", mtime=stamp) as gz:
            gz.write(text.encode("utf-8"))


def _feed_options(config: MkDocsConfig) -> FeedOptions | None:
    """What the feeds show (None: the site has none)."""
    settings, as_of = _Follow.settings, _Follow.as_of
    if settings is None or as_of is None or not settings.feeds:
        return None
    return FeedOptions(site_dir=Path(config.site_dir), site_url=_Follow.site_url,
                       site_name=config.site_name,
                       author=config.site_author or config.site_name, as_of=as_of,
                       entries=settings.feed_entries, editorial=settings.feed_editorial,
                       takes_effect=settings.feed_takes_effect)

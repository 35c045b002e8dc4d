"""One build of the site: the history read from git, the pages made from it, the archive
written — the state the hook's events share, made anew for every build (``mkdocs serve``
rebuilds included) and dropped with it.

The hook (``site.hook``, which a site's hook file star-imports) hands each MkDocs event
to the method of the same name; the pages' own events are in ``site.page_events``.
"""

from __future__ import annotations

import gc
import hashlib
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config.base import ValidationError
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure import pages as mkdocs_pages
from mkdocs.structure.files import File, InclusionLevel

from policy_history import hosts, manifest
from policy_history.errors import PolicyError
from policy_history.loader import LoadedHistory, load_history
from policy_history.log_safety import log_safe, make_log_safe
from policy_history.model.templating import TemplateRefused
from policy_history.model.timeline import Revision
from policy_history.rendering import quick_inline
from policy_history.rendering import sanitise as safe_html
from policy_history.rendering.chunks import Chunker
from policy_history.site import comparisons, feed_files, following, pages, sitemap
from policy_history.site.archive import Archive, PageKeys, Templates
from policy_history.site.archive_content import ArchiveContent, ContentKeys, RedlineError
from policy_history.site.archive_plan import ArchivePlan, Group, PlanSettings
from policy_history.site.archive_results import ArchiveResults
from policy_history.site.config import PolicySiteConfig, as_of_from
from policy_history.site.feed_files import FeedOptions
from policy_history.site.following import FollowOptions
from policy_history.site.languages import wording_for
from policy_history.site.link_warnings import LinkWarnings
from policy_history.site.page_data import PageKind
from policy_history.site.redline_store import Redlines
from policy_history.site.renderer import PolicyRenderer, markdown_renderer
from policy_history.site.stamp import ShellError
from policy_history.site.theme import add_theme
from policy_history.site.writers import ArchiveWriters
from policy_history.store import code_keys
from policy_history.store.ledger import OutputLedger
from policy_history.store.results import ResultStore

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation

log = get_plugin_logger("policies")
make_log_safe(log.logger)

def failure(message: str) -> PluginError:
    """The error that stops the build, made log-safe like the log's messages."""
    return PluginError(log_safe(message))


@dataclass(frozen=True)
class PageRef:
    """What a generated page shows: a policy's current text, its history, one version,
    a redline, or the shell of an archive group."""

    slug: str
    kind: PageKind  # CURRENT, HISTORY, VERSION, COMPARE or SHELL
    version: Revision | None = None
    old: Revision | None = None  # for COMPARE: the older version
    #: an archive page rendered by MkDocs: the shell of its group, or (stamping off) alone
    group: Group | None = None


class PolicyBuild:
    """The state of one build, from ``on_config`` to ``on_post_build``."""

    def __init__(self, config: MkDocsConfig, *, command: str) -> None:
        """Read the settings and the history (``on_config``); raises PluginError on an
        error that stops the build."""
        self.command = command
        self.settings = _settings(config)
        add_theme(config.theme)
        config_dir = Path(config.config_file_path or ".").resolve().parent
        self.cache_dir = config_dir / ".cache" / "policy-history"
        self.workers = self.settings.jobs or os.cpu_count() or 1
        # One renderer for the whole build: the history's fingerprints and the archived
        # pages render the same sections, so each is rendered once.
        self.renderer = PolicyRenderer(
            markdown_renderer(config.markdown_extensions, config.mdx_configs),
            visible=manifest.visible_text,
            chunker=Chunker.for_extensions(_extensions(config), config.mdx_configs))
        self.as_of = as_of_from(self.settings)
        #: the language the policies are written in; translations name their own
        self.language = str(self.settings.language or config.theme.get("language") or "en")
        self.loaded = self._load(config, config_dir)
        self._link_languages()
        # The history lives until the build ends: the collector need not walk its millions
        # of objects again and again (0.6 s of a warm ota build's 7.9 s). Thawed by the
        # next build.
        gc.freeze()
        #: feeds and versions.json need absolute addresses: without site_url they are left
        #: out (a warning, so --strict stops), as a new site has none until it is published
        self.feeds_on = self.settings.feeds and bool(config.site_url)
        if self.settings.feeds and not config.site_url:
            log.warning(
                "mkdocs.yml: 'site_url' is not set, so the policies' feeds and versions.json "
                "are left out (they need absolute addresses): set 'site_url: "
                "https://policies.example.com/' (the address the site is published at), or "
                "turn them off with 'extra: policies: feeds: false'")
        self.following = FollowOptions(self.as_of, feeds=self.feeds_on,
                                   recent_days=self.settings.recent_change_days)
        self.site_url = config.site_url or ""
        self.edit_base = self.settings.edit_url or _edit_base(config)
        self.plan_settings = PlanSettings(self.settings.compare_every_pair_up_to,
                                          self.settings.compare_with_current,
                                          self.settings.stamp_archive)
        self.pages: dict[str, PageRef] = {}  # src_uri of a generated page → what it shows
        #: MkDocs' warnings about a policy page's links, told at the fragment and line
        self.link_warnings = LinkWarnings({}, logger=mkdocs_pages.__name__)
        self.results = ArchiveResults()
        self.ledger: OutputLedger | None = None
        self.plan: ArchivePlan | None = None
        self.content: ArchiveContent | None = None
        self.archive: Archive | None = None
        self.writers: ArchiveWriters | None = None
        if not any(isinstance(e, quick_inline.QuickInline) for e in config.markdown_extensions):
            # MkDocs renders every page with it too: the same HTML, sooner (the history's
            # renderer above was made without it and installs it itself)
            config.markdown_extensions.append(quick_inline.QuickInline())
        log.info("%d policies, %d revisions read from git as of %s",
                 len(self.loaded.site.policies),
                 sum(len(h.revisions) for h in self.loaded.site.policies.values()),
                 self.as_of.isoformat(timespec="seconds"))

    def _load(self, config: MkDocsConfig, config_dir: Path) -> LoadedHistory:
        settings, renderer = self.settings, self.renderer
        parallel = self.workers if self.command == "build" else 1
        try:
            loaded = load_history(
                config_dir / settings.dir,
                render=renderer.markdown,
                as_of=self.as_of,
                site_variables={k: v for k, v in config.extra.items() if k != "policies"},
                config_file=config.config_file_path,
                templating=settings.templating,
                text_dates=settings.text_dates,
                drafts=self.command == "serve",
                cache_dir=self.cache_dir,
                renderer_settings=_renderer_settings(config),  # rendered text is sanitised
                prerender=lambda groups: renderer.prerender(groups, parallel),
                language=self.language,
                translations=settings.translations,
            )
        except (PolicyError, ValidationError) as error:
            raise failure(str(error)) from None
        self._report(loaded)
        return loaded

    def _report(self, loaded: LoadedHistory) -> None:
        """What reading the history found: stop, warn or tell."""
        for problem in loaded.site.errors:
            if self.settings.on_error == "fail":
                raise failure(str(problem))
            log.warning("%s (this policy is left out of the site)", problem)
        if loaded.cache_problem:
            log.info("cache: %s", loaded.cache_problem)
        for problem in loaded.site.warnings:
            log.warning("%s", problem)
        for commit, problem in loaded.site.skipped:
            refused = isinstance(problem, TemplateRefused) and not any(
                len(known) >= 7 and commit.sha.startswith(known.lower())
                for known in self.settings.acknowledged_commits)
            (log.warning if refused else log.info)(
                "left out of the history, commit %s: %s%s", commit.sha[:10], problem,
                " (once you have looked at it, list the commit under 'extra: policies: "
                "acknowledged_commits:' in mkdocs.yml)" if refused else "")
        for commit, problem in loaded.site.unfilled:
            log.info("kept as written, commit %s: %s", commit.sha[:10], problem)
        if loaded.uncommitted:
            if self.command == "serve":
                log.info("showing uncommitted edits as drafts (not published until "
                         "committed): %s", ", ".join(loaded.uncommitted))
            else:
                log.warning("these policy files differ from the last commit and are not "
                            "published until committed: %s", ", ".join(loaded.uncommitted))
        for problem in loaded.draft_errors:
            log.warning("draft: %s", problem)

    # -- the site's files ----------------------------------------------------------------------

    def on_pre_build(self, config: MkDocsConfig) -> None:
        """Before MkDocs empties the site folder: set the previous archive pages aside."""
        self.ledger = OutputLedger(self.cache_dir, Path(config.site_dir),
                                   written=self.results.records, reused=self.results.reused)
        self.ledger.set_aside()
        if self.ledger.problem:
            log.info("cache: %s", self.ledger.problem)

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """The policies' pages and the archive's shells, added to the site's files; the
        redlines and versions' texts the cache lacks computed meanwhile, on every core."""
        policies = self.loaded.site.policies
        if self.ledger is None:
            self.ledger = OutputLedger(None, Path(config.site_dir),
                                       written=self.results.records, reused=self.results.reused)
        plan = self.plan = ArchivePlan.make(policies.values(), self.plan_settings)
        for folder in plan.folders():
            self.ledger.add_folder(folder)
        taken = {file.src_uri for file in files}
        added: list[File] = []
        shells: list[File] = []

        def add(src_uri: str, content: str, ref: PageRef, in_nav: bool = True) -> None:
            inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, src_uri, content=content, inclusion=inclusion)
            (shells if ref.kind == PageKind.SHELL else added).append(file)
            self.pages[src_uri] = ref

        def check(src_uri: str, slug: str) -> None:
            if src_uri in taken:
                raise failure(f"'{config.docs_dir}/{src_uri}' would hide a page of the "
                              f"policy '{slug}'; rename or remove one of them")

        stamp = self.plan_settings.stamp
        for slug, history in policies.items():
            check(pages.page_path(history), slug)
            draft = self.loaded.drafts.get(slug)
            # a translation is reached from its source (the switcher, the home page),
            # not listed in the navigation as a policy of its own
            add(pages.page_path(history), pages.page_markdown(history, draft),
                PageRef(slug, PageKind.CURRENT), in_nav=history.translation is None)
            self.link_warnings.pages[pages.page_path(history)] = \
                (draft or history.text).sections
            for page in plan.planned(slug):
                check(page.src_uri, slug)
            for group in plan.started[slug]:
                first = group.first
                add(first.src_uri, first.markdown(),
                    PageRef(slug, PageKind.SHELL if stamp else first.kind, first.version, first.old,
                            group), in_nav=False)
        # The shells first: MkDocs writes pages in this order, and the other archive pages
        # are written (on every core) from the shells while it writes the rest.
        files = type(files)([*shells, *files, *added])
        self.link_warnings.attach()
        if files.get_file_from_path("index.md") is None:
            files.append(File.generated(config, "index.md", content=f"# {config.site_name}\n"))
        self.renderer.files = files
        self.content = self._content(plan, config, files)
        self.writers = ArchiveWriters(self.results,
                                      self.workers if self.command == "build" else 1)
        # what needs no shell, computed while MkDocs renders pages
        self.writers.prepare(self.content, self.ledger.previous)
        return files

    def _content(self, plan: ArchivePlan, config: MkDocsConfig, files: Files
                 ) -> ArchiveContent:
        renderer = self.renderer
        feeds = self.feed_options(config)
        redlines, texts = (ResultStore(self.cache_dir / name, self.results.problems)
                           for name in ("redlines", "texts"))
        for store in (redlines, texts):
            store.tidy()  # before any process of this build stores a result
        return ArchiveContent(
            plan, ContentKeys(
                redline_code=code_keys.key_for(code_keys.Kind.REDLINES),
                text_code=code_keys.key_for(code_keys.Kind.TEXTS),
                renderer=code_keys.renderer_key(*_renderer_settings(config)),
                files=_files_digest(files)),
            redlines=Redlines(redlines, renderer, _links(renderer),
                              together=renderer.keeps_to_blocks, computed=self.results.computed),
            bodies=texts,
            renderer=renderer,
            feed_pairs=feed_files.shown_redlines(self.loaded.site.policies.values(), feeds)
            if feeds is not None else ())

    def on_nav(self, nav: Navigation) -> Navigation:
        """A folder made only for a policy's page shows as the page, under the policy's
        title."""
        nav.items = [self._unwrap(item) for item in nav.items]
        return nav

    def _unwrap(self, item: Any) -> Any:
        children = getattr(item, "children", None)
        if not children:
            return item
        item.children = [self._unwrap(child) for child in children]
        only = item.children[0] if len(item.children) == 1 else None
        if only is not None and getattr(only, "file", None) is not None \
                and only.file.src_uri in self.pages:
            only.parent = item.parent
            return only
        return item

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        """The templates' globals; the archive, made with the theme's policy templates."""
        feeds_on = self.feeds_on
        env.globals["policy_feeds"] = following.SITE_FEEDS if feeds_on else None
        if feeds_on:
            written = list(following.SITE_FEEDS.values())
            for history in self.loaded.site.policies.values():
                written += following.feed_paths(history).values()
                written += following.site_feed_paths(following.feed_language(history)).values()
            for path in written:
                if files.get_file_from_path(path) is not None:
                    raise failure(f"'{config.docs_dir}/{path}' would be overwritten by a feed "
                                  "of the policies; rename or remove it")
        env.globals["policy_asset_versions"] = _asset_versions(config)
        if self.content is None or self.plan is None or self.ledger is None:
            return env
        content = env.get_template("partials/policy-content.html")
        feed_links = env.get_template("partials/policy-feed-links.html")
        nav = env.get_template("partials/policy-nav.html")
        since = env.get_template("partials/policy-since.html")
        self.archive = Archive(
            self.plan, self.content,
            PageKeys(code=code_keys.key_for(code_keys.Kind.PAGES),
                     renderer=self.content.keys.renderer,
                     files=self.content.keys.files, templates=_templates_digest(env, config)),
            templates=Templates(
                content=lambda context: content.render({**context, "config": config}),
                feeds=lambda context: feed_links.render({**context, "config": config}),
                nav=lambda context: nav.render({**context, "config": config}),
                since=lambda context: since.render({**context, "config": config})),
            ledger=self.ledger, results=self.results, following=self.following,
            feeds=self.feed_options(config), site_url=self.site_url)
        return env

    def on_page_context(self, context: dict[str, Any], page: Any) -> dict[str, Any]:
        if page.is_homepage:
            context["policy_index"] = pages.policy_index(self.loaded.site.policies.values())
        return context

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Write the archive pages MkDocs did not render, add them to the sitemap; write
        each policy's feeds, versions.json and versions' source.md, and the site's feeds.
        Then say what the site weighs, against the limits of the hosts named."""
        archive, writers = self.archive, self.writers
        if archive is not None and writers is not None:
            self._finish_archive(archive, writers, config)
        self._weigh_site(Path(config.site_dir))

    def _finish_archive(self, archive: Archive, writers: ArchiveWriters,
                        config: MkDocsConfig) -> None:
        try:
            writers.finish(archive)
        except RedlineError as error:
            raise failure(str(error)) from None
        for line in writers.log:
            log.debug("%s", line)
        try:
            sitemap.extend_sitemap(Path(config.site_dir), archive)
        except ShellError as error:
            raise failure(f"sitemap.xml: {error}. Set 'extra: policies: stamp_archive: "
                          "false' in mkdocs.yml to render every page through MkDocs"
                          ) from None
        options = self.feed_options(config)
        if options is not None:
            feed_files.write_site_feeds(archive, self.loaded.site.policies.values(), options)
            log.info("feeds and versions.json written for %d policies",
                     len(self.loaded.site.policies))
        for warning in self.results.warnings:
            log.warning("%s", warning)
        archive.ledger.finish()
        log.info("archive: %d pages written, %d kept from the previous build, %d redlines "
                 "computed", len(self.results.written), len(self.results.reused),
                 len(self.results.computed))
        self._prune_results(archive.content)
        for problem in self.results.problems:
            log.info("cache: %s", problem)

    def _prune_results(self, content: ArchiveContent) -> None:
        """Once every page is written: drop the stored results no page of this history
        shows any more, when they take more room than the others (see ``prune``): looked
        at only when a store has grown enough for that (``prune_due``)."""
        stores = (content.redlines.store, content.bodies)
        due = [store.prune_due() for store in stores]  # (each store notes a new size)
        if not any(due):
            return
        for store, live, looked_at in zip(stores, content.live_keys(), due, strict=True):
            freed = store.prune(live) if looked_at else 0
            if freed:
                log.info("stored results no page shows any more: %.1f MB removed from %s",
                         freed / 1e6, store.folder)

    def _weigh_site(self, site_dir: Path) -> None:
        """Last, once every file is written and the stale ones deleted: the site as a host
        will get it. One walk of the folder; it writes nothing."""
        files = hosts.site_files(site_dir)
        log.info("%s", hosts.summary(files))
        for warning in hosts.check(files, self.settings.host):
            log.warning("%s", warning)

    def close(self) -> None:
        """Stop the archive's workers; the previous pages set aside are dropped (the next
        build writes them anew)."""
        self.link_warnings.detach()
        if self.writers is not None:
            self.writers.close()
        self.archive, self.ledger, self.writers = None, None, None

    def _link_languages(self) -> None:
        """Give each translation what its notice needs from the site: which redlines its
        source publishes, and the wording for its language."""
        policies = self.loaded.site.policies
        every = self.settings.compare_every_pair_up_to
        with_current = self.settings.compare_with_current
        compared: dict[str, frozenset[tuple[str, str]]] = {}  # per source, not per language
        for history in policies.values():
            links = history.translation
            if links is None or links.source not in policies:
                continue
            if links.source not in compared:
                compared[links.source] = frozenset(
                    (str(old.version_id), str(new.version_id))
                    for old, new in comparisons.pairs(policies[links.source], every,
                                                      with_current)
                    if new.is_version)
            links.source_compared = compared[links.source]
            links.wording, links.wording_language = wording_for(
                history.language, self.settings.translation_wording)

    # -- shared by the events ------------------------------------------------------------------

    def feed_options(self, config: MkDocsConfig) -> FeedOptions | None:
        """What the feeds show (None: the site has none)."""
        settings = self.settings
        if not self.feeds_on:
            return None
        return FeedOptions(site_dir=Path(config.site_dir), site_url=self.site_url,
                           site_name=config.site_name,
                           author=config.site_author or config.site_name, as_of=self.as_of,
                           entries=settings.feed_entries, editorial=settings.feed_editorial,
                           takes_effect=settings.feed_takes_effect)

    def edit_url(self, path: str) -> str | None:
        return self.edit_base.replace("{path}", path) if self.edit_base else None


def _settings(config: MkDocsConfig) -> PolicySiteConfig:
    """``extra: policies:`` of mkdocs.yml, validated."""
    settings = PolicySiteConfig()
    settings.load_dict(dict(config.extra.get("policies") or {}))
    errors, warnings = settings.validate()
    for key, warning in warnings:
        log.warning("extra.policies.%s: %s", key, warning)
    if errors:
        raise failure(
            "\n".join(f"mkdocs.yml: extra.policies.{key}: {error}" for key, error in errors))
    return settings


def _renderer_settings(config: MkDocsConfig) -> tuple[Any, ...]:
    return (_extensions(config), config.mdx_configs, safe_html.SETTINGS)


def _extensions(config: MkDocsConfig) -> list[Any]:
    """The site's Markdown extensions (without the one this hook adds for MkDocs: a
    config is reused by ``mkdocs serve``)."""
    return quick_inline.without_quick_inline(config.markdown_extensions)


def _files_digest(files: Files) -> str:
    """Links in policy text resolve against the site's files: part of every archive key."""
    return hashlib.sha256("\n".join(sorted(file.src_uri for file in files)).encode()).hexdigest()


def _templates_digest(env: Any, config: MkDocsConfig) -> str:
    """The policy templates, as the theme resolves them (a custom_dir may override them),
    and what of the config they print beside page data (the since pages: the site's name
    and language); listing every template of the theme instead costs a third of a
    second."""
    names = sorted({path.name for folder in config.theme.dirs
                    for path in Path(folder).glob("partials/policy-*.html")})
    digest = hashlib.sha256(f"{config.site_name}\0{config.theme.get('language')}\0".encode())
    for name in names:
        source, _, _ = env.loader.get_source(env, f"partials/{name}")
        digest.update(name.encode() + b"\0" + source.encode())
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

"""The MkDocs event functions of Policy History.

A site's hook file star-imports them (``hooks/policy_history_hook.py``: ``from
policy_history.site.hook import *``), so MkDocs finds them on the hook module while the
code stays in the installed package and moves with it. Each build's state is one
``PolicyBuild`` (made in ``on_config``, dropped when the next build starts or MkDocs
shuts down); each function only hands its event to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mkdocs.plugins import event_priority

from policy_history.site import page_events
from policy_history.site.build import PolicyBuild
from policy_history.site.workers import thaw

__all__ = [  # noqa: RUF022 (in the order MkDocs runs them)
    "on_startup",
    "on_config",
    "on_pre_build",
    "on_files",
    "on_nav",
    "on_env",
    "on_page_markdown",
    "on_page_content",
    "on_page_context",
    "on_post_page",
    "on_post_build",
    "on_build_error",
    "on_shutdown",
]

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

#: ``mkdocs build``, ``serve`` or ``gh-deploy`` (``on_startup``)
_command = "build"
#: the build under way (None: no policies are built, or the last build failed early)
_build: PolicyBuild | None = None


def on_startup(*, command: str, dirty: bool) -> None:
    global _command
    _command = command


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _build
    _end_build()
    thaw()  # the previous build's objects (mkdocs serve) may be collected now
    _build = PolicyBuild(config, command=_command)
    return config


def on_pre_build(*, config: MkDocsConfig) -> None:
    if _build is not None:
        _build.on_pre_build(config)


@event_priority(-50)  # after other plugins have added their files
def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    return _build.on_files(files, config) if _build is not None else files


def on_nav(nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
    return _build.on_nav(nav) if _build is not None else nav


def on_env(env: Any, *, config: MkDocsConfig, files: Files) -> Any:
    return _build.on_env(env, config, files) if _build is not None else env


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    if _build is None:
        return markdown
    return page_events.on_page_markdown(_build, markdown, page)


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    return page_events.on_page_content(_build, html, page) if _build is not None else html


def on_page_context(context: dict[str, Any], *, page: Page, config: MkDocsConfig,
                    nav: Navigation) -> dict[str, Any]:
    return _build.on_page_context(context, page) if _build is not None else context


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    return page_events.on_post_page(_build, output, page) if _build is not None else output


def on_post_build(*, config: MkDocsConfig) -> None:
    if _build is not None:
        _build.on_post_build(config)


def on_build_error(*, error: Exception) -> None:
    if _build is not None:
        _build.close()


def on_shutdown() -> None:
    _end_build()


def _end_build() -> None:
    global _build
    if _build is not None:
        _build.close()
    _build = None

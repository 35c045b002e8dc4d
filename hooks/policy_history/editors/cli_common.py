"""What the command-line tools share: the site's settings, its Markdown, git trees, output."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from policy_history.editors.comparison import Comparison, Tree, compare, tree_at, working_tree
from policy_history.editors.output import annotation, say
from policy_history.errors import PolicyError
from policy_history.loader import relative_to_repo
from policy_history.repository.revisions import (
    head_commit,
    merge_base,
    repository_root,
    resolve_revision,
)
from policy_history.site.renderer import markdown_renderer


@dataclass
class Site:
    """A site's settings, as the build reads them from mkdocs.yml."""

    config_file: Path
    root: Path  # the repository that holds the policies
    policies_dir: str  # relative to ``root``, posix ('' for the root itself)
    config_path: str | None  # mkdocs.yml relative to ``root`` when it is inside it
    variables: dict[str, Any]  # ``extra:`` without ``policies``
    templating: bool
    text_dates: str
    render: Callable[[str], str]
    manifests: bool  # whether the build writes versions.json (feeds on, site_url set)
    language: str = "en"  # the policies' own language (extra.policies.language)
    translations: list[str] | None = None  # the language folders (None: found)
    cache_dir: Path | None = None  # the build's cache, which the history is read with

    @property
    def paths(self) -> list[str]:
        """The repository paths a tree of this site is made of."""
        return [self.policies_dir, *([self.config_path] if self.config_path else [])]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _quiet_mkdocs() -> Iterator[_Collect]:
    """MkDocs' own log while it reads mkdocs.yml: errors are collected, not printed."""
    logger = logging.getLogger("mkdocs")
    level, propagate, handlers = logger.level, logger.propagate, logger.handlers[:]
    collect = _Collect()
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    logger.handlers = [collect]
    try:
        yield collect
    finally:
        logger.setLevel(level)
        logger.propagate = propagate
        logger.handlers = handlers


def load_site(config_file: str | None) -> Site:
    """Read mkdocs.yml (``config_file``, default ./mkdocs.yml) with MkDocs' own loader."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from policy_history.site.config import PolicySiteConfig

    path = Path(config_file or "mkdocs.yml")
    if not path.is_file():
        raise PolicyError(
            f"there is no '{path}' here",
            fix="run this in the site's folder (where mkdocs.yml is), or pass "
            "--config-file path/to/mkdocs.yml",
        )
    with _quiet_mkdocs() as log:
        try:
            config = load_config(str(path))
        except (MkDocsException, OSError) as exc:
            problem = log.messages[0] if log.messages else str(exc)
            raise PolicyError(f"this is not a usable MkDocs configuration: {problem}",
                              file=str(path), fix="fix it as 'mkdocs build' asks",
                              detail="\n".join(log.messages[1:]) or None) from None
    settings = PolicySiteConfig()
    settings.load_dict(dict(config.extra.get("policies") or {}))
    errors, _warnings = settings.validate()
    if errors:
        key, error = errors[0]
        raise PolicyError(f"extra.policies.{key}: {error}", file=str(path))
    policies = (path.resolve().parent / settings.dir).resolve()
    if not policies.is_dir():
        raise PolicyError(
            f"the policies folder '{settings.dir}' does not exist", file=str(path),
            fix="create it, or set 'extra: policies: dir:' to the folder that holds the policies",
        )
    root = repository_root(policies)
    policies_rel = relative_to_repo(policies, root) or ""
    return Site(
        config_file=path,
        root=root,
        policies_dir=policies_rel,
        config_path=relative_to_repo(path, root),
        variables={k: v for k, v in config.extra.items() if k != "policies"},
        templating=settings.templating,
        text_dates=settings.text_dates,
        render=markdown_renderer(config.markdown_extensions, config.mdx_configs),
        manifests=settings.feeds and bool(config.site_url),
        language=str(settings.language or config.theme.get("language") or "en"),
        translations=settings.translations,
        cache_dir=path.resolve().parent / ".cache" / "policy-history",
    )


def short(sha: str) -> str:
    return sha[:10]


def base_tree(site: Site, base: str, head: str | None = None) -> Tree:
    """The site's files where ``head`` (default HEAD) branched from ``base``."""
    sha = resolve_revision(site.root, base)
    tip = resolve_revision(site.root, head) if head else head_commit(site.root)
    start = merge_base(site.root, sha, tip) if tip else sha
    label = f"{base} ({short(start)})"
    return tree_at(site.root, start, site.paths, label)


def head_tree(site: Site, head: str | None) -> Tree:
    """``head`` (a revision), or the working tree when None."""
    if head is None:
        return working_tree(site.root, site.paths)
    sha = resolve_revision(site.root, head)
    return tree_at(site.root, sha, site.paths, f"{head} ({short(sha)})")


def compare_site(site: Site, base: Tree | None, head: Tree) -> Comparison:
    inside = site.config_path is not None
    return compare(
        base,
        head,
        policies_dir=site.policies_dir,
        render=site.render,
        config_path=site.config_path,
        site_variables=None if inside else site.variables,
        templating=site.templating,
        text_dates=site.text_dates,
    )


def fail(error: PolicyError, *, github: bool = False, stream: TextIO | None = None) -> int:
    """Print a problem that stops the command and return the exit status (2)."""
    if github:
        print(annotation("error", error), file=sys.stdout)
    say(f"error: {error}", stream or sys.stderr)
    return 2

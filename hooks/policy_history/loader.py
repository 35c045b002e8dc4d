"""Read a repository's policy history: three git processes whatever the history's size.

The replay of the history is saved after each build (policy_history.store.replays): a build
reads the whole first-parent log, but replays, and reads the files of, only the commits
since the previous build's.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policy_history.errors import GitError, PolicyError
from policy_history.model.assemble import PolicyText, assemble, make_environment
from policy_history.model.fingerprints import PrintedText, SectionFingerprints
from policy_history.model.layout import discover
from policy_history.model.timeline import HistoryReplay, Renderer, ReplayState, SiteHistory
from policy_history.model.translations import Languages, link_translations
from policy_history.repository import (
    GITLINK_MODE,
    LogCommit,
    Repository,
    committer_date,
    open_repository,
)
from policy_history.store.code_keys import renderer_key
from policy_history.store.replays import HistorySnapshots, snapshot_key
from policy_history.store.section_prints import FingerprintCache

SHALLOW_FIX = (
    "fetch the full history: 'git fetch --unshallow' locally, or in GitHub Actions set "
    "'fetch-depth: 0' on actions/checkout (GitLab CI: GIT_DEPTH: 0)"
)


@dataclass
class LoadedHistory:
    site: SiteHistory
    repository_root: Path
    policies_dir: str  # relative to the repository root, posix ('' for the root itself)
    #: files under the policies folder that differ from the built commit (drafts)
    uncommitted: list[str]
    #: slug → the text in the working tree, for policies with uncommitted edits (serve only)
    drafts: dict[str, PolicyText] = field(default_factory=dict)
    #: problems in draft text (shown as warnings while serving)
    draft_errors: list[PolicyError] = field(default_factory=list)
    #: a cache file that could not be read (it was rebuilt)
    cache_problem: str | None = None
    #: when the built commit (HEAD) was committed: the date of pages that are not policies
    head_committed: dt.datetime | None = None
    #: commits replayed by this load: all of the log, or those after the saved snapshot's
    replayed: int = 0
    #: each policy's language, and which translates which
    languages: Languages = field(default_factory=lambda: Languages("en"))


def relative_to_repo(path: Path, root: Path) -> str | None:
    """``path`` relative to the repository root, posix-style, or None if outside it."""
    try:
        rel = path.resolve().relative_to(root)
    except ValueError:
        return None
    text = rel.as_posix()
    return "" if text == "." else text


def load_history(
    policies_dir: str | os.PathLike[str],
    *,
    render: Renderer,
    as_of: dt.datetime,
    site_variables: Mapping[str, Any] | None = None,
    config_file: str | os.PathLike[str] | None = None,
    templating: bool = True,
    text_dates: str = "all",
    repository: Repository | None = None,
    check_working_tree: bool = True,
    drafts: bool = False,
    cache_dir: Path | None = None,
    renderer_settings: Sequence[Any] = (),
    prerender: Prerender | None = None,
    language: str = "en",
    translations: Sequence[str] | None = None,
) -> LoadedHistory:
    """The history of every policy under ``policies_dir`` on the checked-out branch.

    ``prerender`` renders batches of sections (on several cores, say, each batch as it
    comes) and gives each one's fingerprint digest: a long replay from scratch then
    renders the sections it needs first, in batches while a dry replay finds them.
    ``renderer_settings``: what ``render`` renders with, as the arguments of
    code_keys.renderer_key (the site's Markdown extensions, their configs, more).
    ``language`` is the policies' own; ``translations`` their language folders (None:
    found, policy_history.model.translations)."""
    policies_path = Path(policies_dir)
    if not policies_path.is_dir():
        raise PolicyError(
            f"the policies folder '{policies_dir}' does not exist",
            fix="create it, or set 'extra: policies: dir:' in mkdocs.yml to the "
            "folder that holds your policies",
        )
    repo = repository or open_repository(policies_path)
    try:
        root = repo.root
        head, shallow = repo.describe_head()
        if shallow:
            raise GitError(
                "this clone has only part of the history, so dates and versions would be wrong",
                file=str(root),
                fix=SHALLOW_FIX,
            )
        if head is None:
            raise GitError(
                "the repository has no commits yet, so there is no history to publish",
                file=str(root),
                fix="commit the policies first (git add policies && git commit)",
            )
        policies_rel = relative_to_repo(policies_path, root)
        if policies_rel is None:
            raise PolicyError(
                f"the policies folder '{policies_dir}' is outside the repository at '{root}'",
                fix="move it into the repository",
            )
        config_rel = relative_to_repo(Path(config_file), root) if config_file else None
        pathspecs = [f":(top){policies_rel}" if policies_rel else ":(top)"]
        if config_rel:
            pathspecs.append(f":(top){config_rel}")
        commits = repo.first_parent_log(head, pathspecs)
        variables = site_variables or {}
        renderer = renderer_key(*renderer_settings)
        snapshots = HistorySnapshots(cache_dir, snapshot_key(
            policies_dir=policies_rel, config_path=config_rel, site_variables=variables,
            templating=templating, renderer=renderer, text_dates=text_dates))
        state = snapshots.load(commits)
        fresh = state is None
        if state is None:
            state = ReplayState.start(policies_rel, config_rel, variables)
        new_commits = commits[state.replayed:]
        wanted = {change.blob for commit in new_commits for change in commit.changes
                  if change.blob and change.mode != GITLINK_MODE}  # a submodule's commit
        if new_commits:  # a policy is read whole when one of its files changes
            wanted.update(entry.blob for entry in state.tree.values())
        blobs = repo.read_blobs([*wanted, head])  # HEAD's commit object too: same process
        head_committed = committer_date(blobs.pop(head), head)
        uncommitted = repo.working_tree_changes([pathspecs[0]]) if check_working_tree else []
    finally:
        if repository is None:
            repo.close()
    fingerprints = FingerprintCache(cache_dir, renderer)
    texts: dict[tuple[str, bool], PolicyText] = {}
    if prerender is not None and fresh and len(new_commits) >= PRERENDER_FROM:
        _prerender(ReplayState.start(policies_rel, config_rel, variables), blobs, new_commits,
                   fingerprints, prerender, variables, templating, texts)
    replay = HistoryReplay(state, blobs, render=render, site_variables=variables,
                           templating=templating, fingerprints=fingerprints, texts=texts,
                           text_dates=text_dates)
    replay.replay(new_commits, release_blobs=True)
    del blobs  # the largest part of a long history, no longer needed
    replay.blobs = {}
    fingerprints.save()
    if fresh or new_commits:
        snapshots.save(state)
    site = replay.finish(as_of)
    languages = link_translations(site, policies_rel, language, translations)
    site.errors.extend(languages.errors)
    site.warnings.extend(languages.warnings)
    loaded = LoadedHistory(site, root, policies_rel, uncommitted, head_committed=head_committed,
                           replayed=len(new_commits), languages=languages)
    loaded.cache_problem = "; ".join(
        problem for problem in (snapshots.problem, fingerprints.problem) if problem) or None
    if drafts and uncommitted:
        _read_drafts(loaded, site_variables or {}, templating)
    return loaded


#: renders the sections of each policy (slug → their Markdown, standalone) of each batch
#: as it comes (the next is made meanwhile), each distinct piece once, and gives what the
#: fingerprints keep of each (``section_print`` of its HTML)
Prerender = Callable[[Iterator[dict[str, list[str]]]], dict[str, str]]

#: a replay from scratch of this many commits renders its sections in batches first
#: (below it, the dry replay and the worker processes cost more than they save)
PRERENDER_FROM = 64
#: the dry replay hands its sections over this many times (the workers start on the
#: first while it goes on), in slices of at least PRERENDER_FROM commits
PRERENDER_BATCHES = 8


class _DryStore:
    """The fingerprint cache, read only: a dry replay's made-up digests stay here."""

    def __init__(self, cache: FingerprintCache) -> None:
        self.cache = cache
        self.made_up: dict[str, str] = {}

    def get(self, source: str, /) -> str | None:
        return self.made_up.get(source) or self.cache.get(source)

    def __setitem__(self, source: str, value: str, /) -> None:
        self.made_up[source] = value


class _Noting(SectionFingerprints):
    """A dry replay's fingerprints: which sections each policy's revisions would render."""

    def __init__(self, store: _DryStore) -> None:
        super().__init__(self._note, store)
        self.wanted: dict[str, dict[str, None]] = {}
        self._slug = ""

    def of(self, text: PolicyText) -> PrintedText:
        self._slug = text.slug
        return super().of(text)

    def take(self) -> dict[str, list[str]]:
        """The sections noted since the last ``take`` (a section is noted once)."""
        taken = {slug: list(sources) for slug, sources in self.wanted.items()}
        self.wanted = {}
        return taken

    def _note(self, source: str) -> str:
        self.wanted.setdefault(self._slug, {})[source] = None
        return ""


def _prerender(state: ReplayState, blobs: Mapping[str, bytes], commits: list[LogCommit],
               fingerprints: FingerprintCache, prerender: Prerender,
               variables: Mapping[str, Any], templating: bool,
               texts: dict[tuple[str, bool], PolicyText]) -> None:
    """Find the sections the replay will render (a dry replay: which texts are read does
    not depend on what they render to), render them in batches as they are found, cache
    their digests. The texts the dry replay assembles are kept in ``texts`` for the real
    one. The dry replay reads no dates in the texts: which texts are read does not depend
    on them either."""
    dry = HistoryReplay(state, blobs, render=lambda source: "", site_variables=variables,
                        templating=templating, texts=texts, text_dates="off")
    noting = dry.fingerprints = _Noting(_DryStore(fingerprints))
    step = max(PRERENDER_FROM, -(-len(commits) // PRERENDER_BATCHES))

    def batches() -> Iterator[dict[str, list[str]]]:
        for start in range(0, len(commits), step):
            dry.replay(commits[start:start + step])
            yield noting.take()

    for source, digest in prerender(batches()).items():
        fingerprints[source] = digest


def _read_draft(path: Path, rel: str, top: Path, root: Path) -> bytes:
    """An uncommitted file's bytes, read under the build's rule for committed ones: a
    symbolic link is followed only to a file of the policies folder, never into git's own
    folder (whose config may hold a token) or out of the repository."""
    real = path.resolve()
    if not real.is_relative_to(top) or ".git" in real.relative_to(root).parts:
        target = path.readlink() if path.is_symlink() else real
        raise PolicyError(f"this is a symbolic link to '{target}', outside the policies "
                          "folder", file=rel, fix="replace the link with the file's text")
    return real.read_bytes()


def _read_drafts(loaded: LoadedHistory, variables: Mapping[str, Any], templating: bool) -> None:
    """The working tree's text of each policy with uncommitted edits (for ``mkdocs serve``).

    Files are read only inside the repository; a link leading out of it is an error.
    """
    root = loaded.repository_root
    top = root / loaded.policies_dir if loaded.policies_dir else root
    paths: dict[str, Path] = {}
    for folder, dirs, names in os.walk(top):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            path = Path(folder) / name
            paths[path.relative_to(root).as_posix()] = path
    try:
        layouts = discover(paths, loaded.policies_dir)
    except PolicyError as error:
        loaded.draft_errors.append(error)
        return
    changed = set(loaded.uncommitted)
    env = make_environment() if templating else None
    for slug, layout in layouts.items():
        if not changed.intersection(layout.source_paths):
            continue
        try:
            files = {}
            for rel in layout.source_paths:
                files[rel] = _read_draft(paths[rel], rel, top.resolve(), root)
            loaded.drafts[slug] = assemble(layout, files, variables, env)
        except PolicyError as error:
            loaded.draft_errors.append(error)
        except OSError as error:
            loaded.draft_errors.append(PolicyError(str(error), file=layout.path))

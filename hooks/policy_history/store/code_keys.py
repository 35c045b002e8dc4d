"""One key for "the code that made this": a cached result is reused only by the same code.

Each kind of cached output names the modules that make it (ROOTS). Its key (key_for)
hashes:

- the policy_history modules those roots import, transitively, each file as its path in
  the package and its bytes: moving or renaming a module changes the key as editing it
  does;
- the data files of the packages in that closure (the redline's templates): every file
  that is not Python in a package's folder or in its folders that are not packages;
- the versions of Python and of every library that shapes the output (LIBRARIES).

renderer_key adds what the site's Markdown is rendered with: its extensions, their
settings and the versions of the distributions that provide them.

Keys are computed once per process: the code running does not change while it runs
(``mkdocs serve`` imports the hook again on reload, not this package), so a key taken
later from edited files would name code that is not the one running.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import platform
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from markdown.util import get_installed_extensions

from policy_history.keys import stable_digest

PACKAGE = Path(__file__).resolve().parents[1]  # policy_history/

#: the distributions whose code a page goes through (their version, when one is
#: installed, is part of every key): Markdown renders, nh3 sanitises, Jinja2 and
#: MarkupSafe fill the templates, MkDocs and Material make the pages, PyYAML reads
#: policy.yml, GitPython opens the repository, Babel knows the languages and their dates,
#: cydifflib aligns a redline's words (as difflib does, when it is not installed)
LIBRARIES = ("Markdown", "nh3", "Jinja2", "MarkupSafe", "mkdocs", "mkdocs-material",
             "PyYAML", "GitPython", "babel", "cydifflib")
#: third-party modules policy_history imports that shape no output (tests check that every
#: other third-party import comes from LIBRARIES): zstandard compresses the result cache,
#: whose payload is checked after decompression
NO_OUTPUT = ("zstandard",)


class Kind(enum.Enum):
    """A kind of cached output."""

    SECTION_PRINTS = "section prints"  # what the fingerprints keep of a rendered section
    HISTORY = "history"  # the replay of the history (store.replays)
    TEXTS = "texts"  # a version's rendered sections (the archive's result store)
    REDLINES = "redlines"  # a redline's views (the archive's result store)
    PAGES = "pages"  # the archive's pages, feeds, versions.json and sources


#: the section prints come from the renderer's HTML
_PRINTS = ("policy_history.model.fingerprints", "policy_history.site.renderer")
#: the replay keeps each section's print, and every text shown comes from it
_REPLAY = ("policy_history.loader", "policy_history.store.replays",
           "policy_history.model.timeline", *_PRINTS)

#: the modules each kind of output is made by (with what they import); how keys are made
#: is part of every key
ROOTS: dict[Kind, tuple[str, ...]] = {
    Kind.SECTION_PRINTS: _PRINTS,
    Kind.HISTORY: _REPLAY,
    # site.archive only asks for these (the renderer's HTML, manifest's hash of it): the
    # pages' code may change without rendering the texts and redlines again
    Kind.TEXTS: (*_REPLAY, "policy_history.manifest"),
    Kind.REDLINES: (*_REPLAY, "policy_history.redline", "policy_history.site.redline_store"),
    # the hook's events and the modules they hand the pages to (a test checks that every
    # policy_history module the hook file imports is in this closure)
    Kind.PAGES: (*_REPLAY, "policy_history.site.hook", "policy_history.site.build",
                 "policy_history.site.page_events",
                 "policy_history.site.archive", "policy_history.site.writers",
                 "policy_history.site.feed_files", "policy_history.site.comparisons",
                 "policy_history.site.config", "policy_history.editors.output"),
}


@functools.cache
def key_for(kind: Kind) -> str:
    """The key of the code that makes ``kind``, as this process runs it."""
    return code_key(ROOTS[kind])


def code_key(roots: Iterable[str], package: Path = PACKAGE) -> str:
    """A hash of the modules of ``package`` that ``roots`` import (transitively), their
    packages' data files, and the versions of Python and of LIBRARIES."""
    digest = hashlib.sha256()
    modules = closure(roots, package)
    for path in [*modules, *data_files(modules, package)]:
        # where the file is in the package, and what it holds
        digest.update(f"{path.relative_to(package).as_posix()}\0{_file_digest(path)}\n".encode())
    digest.update(json.dumps(library_versions()).encode())
    return digest.hexdigest()


@functools.cache  # the kinds share most files: each is read once
def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the closure of imports ---------------------------------------------------------------

#: ``import policy_history…`` and ``from policy_history… import …`` statements (a regex:
#: parsing the modules took 50 ms of a 400 ms build; a test compares it with ``ast``)
_IMPORT = re.compile(r"^[ \t]*(?:import[ \t]+([^\n#;]+)"
                     r"|from[ \t]+(policy_history[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+))",
                     re.M)


def closure(roots: Iterable[str], package: Path = PACKAGE) -> list[Path]:
    """The files of ``roots`` and of the policy_history modules they import, transitively
    (and of the packages above each: a package's ``__init__`` runs before its modules)."""
    found: set[Path] = set()
    seen: set[str] = set()
    todo = ["policy_history", "policy_history.store.code_keys", *roots]
    while todo:
        name = todo.pop()
        if name in seen or not name.startswith("policy_history"):
            continue
        seen.add(name)
        path = _module_file(name, package)
        if path is None:
            continue
        found.add(path)
        todo.append(name.rpartition(".")[0])
        todo += _imported(path)
    return sorted(found)


def _module_file(name: str, package: Path) -> Path | None:
    """The source of a policy_history module or package (None for other names)."""
    return _modules(package).get(name)


@functools.cache  # one walk of the package, not two lookups for every imported name
def _modules(package: Path) -> dict[str, Path]:
    """Module name → its file, for every module and package of ``package``."""
    found: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(("policy_history", *parts))] = path
    return found


@functools.cache  # each kind's closure reads mostly the same files
def _imported(path: Path) -> list[str]:
    """The modules a file imports, and for ``from a import b`` also ``a.b`` (which may be a
    module): names outside policy_history are dropped by the caller."""
    names: list[str] = []
    for match in _IMPORT.finditer(path.read_text("utf-8")):
        modules, parent, items = match.groups()
        if modules:
            names += [item.split()[0] for item in modules.split(",") if item.strip()]
        else:
            names.append(parent)
            names += [f"{parent}.{item.split()[0]}"
                      for item in items.strip("()").split(",") if item.strip()]
    return names


def data_files(modules: Sequence[Path], package: Path = PACKAGE) -> list[Path]:
    """The files that are not Python in the folders of the packages among ``modules``, and
    in their folders that are not packages (``redline/templates/``): what a module reads
    beside itself is found without a list to keep."""
    found: set[Path] = set()
    for init in (path for path in modules if path.name == "__init__.py"):
        todo = [init.parent]
        while todo:
            folder = todo.pop()
            for entry in folder.iterdir():
                if entry.is_dir():
                    if entry.name != "__pycache__" and not (entry / "__init__.py").exists():
                        todo.append(entry)
                elif entry.suffix not in (".py", ".pyc"):
                    found.add(entry)
    return sorted(found)


# -- versions -----------------------------------------------------------------------------


def installed(distribution: str) -> str | None:
    """The installed version of ``distribution`` (None: not installed)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.cache
def library_versions() -> dict[str, str | None]:
    """Python's version and each of LIBRARIES'."""
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return {"Python": python, **{name: installed(name) for name in LIBRARIES}}


def renderer_key(extensions: Iterable[object] = (), configs: Mapping[str, Any] | None = None,
                 *more: object) -> str:
    """A hash of what Markdown is rendered with: the ``extensions`` (names or instances,
    as MkDocs' ``markdown_extensions`` holds them), their ``configs``, anything ``more``
    the rendering depends on, and where each extension's code comes from (the versions of
    the distributions that provide it). An instance counts by ``repr``: one that shows a
    memory address only makes a cache miss."""
    extensions = list(extensions)
    return stable_digest(extensions, configs or {}, list(more),
                         [_extension_origin(extension) for extension in extensions])


@functools.cache
def _distributions() -> Mapping[str, list[str]]:
    # 0.1 s on a machine with 80 distributions: asked only for an extension that is no
    # entry point, once per process
    return importlib.metadata.packages_distributions()


def _extension_origin(extension: object) -> object:
    """The distributions (and their versions) that provide an extension, or for a module
    of no distribution (a site's own), a hash of its source."""
    if isinstance(extension, str):
        # as Python-Markdown finds it: an entry point's name first, then a module path
        # (its own list of entry points: read once, for it and for this)
        for point in get_installed_extensions():
            if point.name == extension and point.dist is not None:
                return [[point.dist.name, installed(point.dist.name)]]
        module = extension.partition(":")[0]
    else:
        module = type(extension).__module__
    top = module.partition(".")[0]
    if top == "policy_history":  # the site's code, not an installed release
        return code_key([module])
    distributions = sorted(set(_distributions().get(top, ())))
    if distributions:
        return [[name, installed(name)] for name in distributions]
    return _source_digest(module)


def _source_digest(module: str) -> str | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not Path(spec.origin).is_file():
        return None
    return hashlib.sha256(Path(spec.origin).read_bytes()).hexdigest()


def forget() -> None:
    """Compute every key anew (for tests that change files or versions)."""
    key_for.cache_clear()
    _imported.cache_clear()
    _file_digest.cache_clear()
    _modules.cache_clear()
    library_versions.cache_clear()
    _distributions.cache_clear()

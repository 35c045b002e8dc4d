"""Test helpers: throwaway git repositories and real MkDocs builds (no mocks)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: the real repositories beside the project (../shared/corpora/README.md)
SHARED_CORPORA = ROOT.parent / "shared" / "corpora"
#: where scripts/fetch-corpora writes them by default
FETCHED_CORPORA = ROOT / ".cache" / "corpora"
#: the start of the reason of every test skipped for want of a corpus (tests/conftest.py
#: counts them for the summary's last line)
MISSING_CORPUS = "corpus bundle missing"
HOOK = ROOT / "hooks" / "policy_history_hook.py"
THEME = ROOT / "hooks" / "policy_history" / "theme"
POLICY_CSS = ROOT / "docs" / "stylesheets" / "policy.css"


SAMPLE_POLICY = ROOT / "policies" / "privacy"

#: the variables the corpora's text uses (basecamp-policies: Jekyll's ``site.*``)
CORPUS_VARIABLES = {
    "site": {
        "email_support": "mailto:support@example.com",
        "email_security": "mailto:security@example.com",
    }
}


def sample_versions() -> list[dt.date]:
    """The sample privacy policy's declared effective dates, oldest first."""
    meta = yaml.safe_load((SAMPLE_POLICY / "policy.yml").read_text("utf-8"))
    return sorted(entry["effective"] for entry in meta["changes"] if "effective" in entry)


def build_sample(site_dir: Path, as_of: dt.date, **overrides: Any) -> Path:
    """Build the README's sample site "as of" a day (POLICY_AS_OF), into ``site_dir``."""
    previous = os.environ.get("POLICY_AS_OF")
    os.environ["POLICY_AS_OF"] = as_of.isoformat()
    try:
        return build(ROOT / "mkdocs.yml", site_dir=str(site_dir), **overrides)
    finally:
        if previous is None:
            del os.environ["POLICY_AS_OF"]
        else:
            os.environ["POLICY_AS_OF"] = previous


def corpora_folders() -> list[Path]:
    """Where corpus bundles are looked for, in order: $POLICY_CORPORA alone when set, else
    ../shared/corpora, then the folder scripts/fetch-corpora writes to."""
    chosen = os.environ.get("POLICY_CORPORA")
    if chosen:
        return [Path(chosen).expanduser()]
    return [SHARED_CORPORA, FETCHED_CORPORA]


def corpus_bundle(name: str) -> Path | None:
    """The bundle of the corpus ``name`` (``basecamp-policies``), if one is here."""
    for folder in corpora_folders():
        bundle = folder / f"{name}.bundle"
        if bundle.is_file():
            return bundle
    return None


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    if result.returncode:
        raise AssertionError(f"git {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def clone_bundle(bundle: Path, target: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(bundle), str(target)], check=True)
    return target


@dataclass
class GitRepo:
    path: Path

    @classmethod
    def init(cls, path: Path) -> GitRepo:
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q", "-b", "main")
        git(path, "config", "user.name", "Legal Editor")
        git(path, "config", "user.email", "legal@example.com")
        git(path, "config", "commit.gpgsign", "false")
        return cls(path)

    def write(self, files: dict[str, str | bytes | None]) -> None:
        for name, content in files.items():
            target = self.path / name
            if content is None:
                if target.is_symlink() or target.exists():
                    target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():  # replace the link; never write through it
                target.unlink()
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")

    def commit(
        self,
        message: str,
        date: str,
        files: dict[str, str | bytes | None] | None = None,
    ) -> str:
        """Commit ``files`` (None deletes) with both author and committer date pinned."""
        if files:
            self.write(files)
        git(self.path, "add", "-A")
        stamp = date if "T" in date else f"{date}T12:00:00+00:00"
        git(
            self.path,
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            message,
            env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp},
        )
        return self.head()

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD").strip()

    def branch(self, name: str) -> None:
        git(self.path, "checkout", "-q", "-b", name)

    def checkout(self, name: str) -> None:
        git(self.path, "checkout", "-q", name)

    def merge(self, branch: str, message: str, date: str) -> str:
        stamp = date if "T" in date else f"{date}T12:00:00+00:00"
        git(
            self.path,
            "merge",
            "-q",
            "--no-ff",
            branch,
            "-m",
            message,
            env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp},
        )
        return self.head()


def write_config(
    root: Path,
    *,
    policies_dir: str = "policies",
    extra: dict[str, Any] | None = None,
    policies: dict[str, Any] | None = None,
    home: bool = True,
    **config: Any,
) -> Path:
    """A mkdocs.yml in ``root`` using the project's hook, templates and styles."""
    settings = {"dir": policies_dir, **(policies or {})}
    data: dict[str, Any] = {
        "site_name": "Test policies",
        "site_url": "https://policies.example.com/",
        "docs_dir": "docs",
        "site_dir": "site",
        "theme": {"name": "material", "language": "en",
                  "font": False},
        "hooks": [str(HOOK)],
        "markdown_extensions": ["toc", "attr_list", "tables"],
        "extra": {**(extra or {}), "policies": settings},
        **config,
    }
    (root / "docs").mkdir(exist_ok=True)
    if home and not (root / "docs" / "index.md").exists():
        (root / "docs" / "index.md").write_text("# Test policies\n", encoding="utf-8")
    path = root / "mkdocs.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


#: what builds the test sites: "mkdocs", or "properdocs" (POLICY_TEST_BUILDER), the
#: maintained fork of MkDocs 1.x; scripts/test runs the build tests under both
BUILDER = os.environ.get("POLICY_TEST_BUILDER", "mkdocs")


def build(config_file: Path, *, strict: bool = False, command: str = "build",
          **overrides: Any) -> Path:
    """Run a real MkDocs build in-process and return the site folder.

    ``command="serve"`` builds as ``mkdocs serve`` does (drafts shown), without a server.
    """
    # under ProperDocs these are its modules (tests/conftest.py)
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    logging.getLogger(BUILDER).setLevel(logging.INFO)
    config = load_config(str(config_file), strict=strict, **overrides)
    config.plugins.on_startup(command=command, dirty=False)
    try:
        mkdocs_build(config)
    finally:
        config.plugins.on_shutdown()
    return Path(config.site_dir)


@dataclass(frozen=True)
class Limits:
    """Bounds for a build that is fed hostile input: a build that overruns them fails its
    test (``subprocess.TimeoutExpired``, or a MemoryError in its output) instead of taking
    the machine down."""

    seconds: float = 60
    memory_bytes: int = 3 * 1024**3  # address space of each process of the build


def build_cli(
    cwd: Path, *args: str, env: dict[str, str] | None = None, limits: Limits | None = None
) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` (or ProperDocs'): as a user runs it, in a subprocess (for messages
    and exit codes)."""
    return subprocess.run(
        [str(Path(os.sys.executable).parent / BUILDER), "build", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=limits.seconds if limits else None,
        preexec_fn=_memory_limit(limits.memory_bytes) if limits else None,
    )


def _memory_limit(size: int) -> Callable[[], None]:
    def limit() -> None:  # in the child, before mkdocs starts
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    return limit


def build_fails(repo: GitRepo, *expected: str, as_of: str | None = None,
                limits: Limits | None = None) -> str:
    """``mkdocs build`` in a subprocess must fail, without a traceback, saying each of
    ``expected``; its output. ``as_of``: POLICY_AS_OF for the build."""
    result = build_cli(repo.path, env={"POLICY_AS_OF": as_of} if as_of else None,
                       limits=limits)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    for text in expected:
        assert text in output, output
    return output


def page_text(html: str) -> str:
    """Visible text of an HTML page with whitespace collapsed (for assertions)."""
    import html as html_lib
    import re

    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def counted(render: Callable[[str], str]) -> tuple[Callable[[str], str], list[str]]:
    """``render``, and the texts it is called with (to count a renderer's calls)."""
    calls: list[str] = []

    def counting(text: str) -> str:
        calls.append(text)
        return render(text)

    return counting, calls

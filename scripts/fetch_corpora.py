"""Fetch the real policy repositories the corpus tests use, as git bundles.

    scripts/fetch-corpora [DIR] [--only NAME] [--from FOLDER] [--filter-repo PATH] [--force]

Each public repository is cloned at its pinned commit and filtered to its policy documents
with git-filter-repo 2.47.0, exactly as ../shared/corpora/README.md's recipes say; the
result must end at the same commit as the bundles the project's tests were written
against, and is written as DIR/<name>.bundle (default: .cache/corpora, where the tests
look after $POLICY_CORPORA and ../shared/corpora). Needs git, Python 3 and the network
(GitHub, and PyPI for git-filter-repo unless --filter-repo is given).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import venv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: where the tests look for bundles when neither $POLICY_CORPORA nor ../shared/corpora has them
DEFAULT_DIR = ROOT / ".cache" / "corpora"
FILTER_REPO = "git-filter-repo==2.47.0"


@dataclass(frozen=True)
class Corpus:
    name: str
    url: str
    branch: str
    pinned: str  # the origin's commit the snapshot was taken at
    filter_args: tuple[str, ...]  # what git filter-repo keeps
    tip: str | None  # the filtered tip: the same commit as the project's bundle


CORPORA = (
    Corpus(
        "basecamp-policies", "https://github.com/basecamp/policies.git", "master",
        "d39f6f17bbd90d82b1df9fa7a0df845edd487de0",
        ("--path-regex", r"^(?!README\.md$|LICENSE\.md$).*\.md$"),
        "2d630e36a28122b972c4cb79966474563f415a8d",
    ),
    Corpus(
        "legalmattic", "https://github.com/Automattic/legalmattic.git", "master",
        "2f412dc4995bbec73504d077a04198a94ddd3c90",
        ("--invert-paths", "--path", "README.md", "--path", "LICENSE.txt", "--path",
         ".github/", "--path", "Offer Letters/", "--path", "DMCA/Predefined Replies/",
         "--path", "DMCA/readme.md"),
        "166149ebd9700a0b9db4b7dc505231ec4d98bf0c",
    ),
    Corpus(
        "ota-pga-versions", "https://github.com/OpenTermsArchive/pga-versions.git", "main",
        "577430aa7c115d45fd805c9c06f9fc67c1fda441",
        ("--invert-paths", "--path", "README.md", "--path", "LICENSE"),
        "cd98f30dcfcd504f2e24418a46ff84c3fb5bbd54",
    ),
    Corpus(
        "mozilla-legal-docs", "https://github.com/mozilla/legal-docs.git", "main",
        "f098c17556ff822c17f4b6bd591c9b459be2f183",
        ("--path-regex",
         r"^(?!README\.md$|LICENSE\.md$|CODE_OF_CONDUCT\.md$)[^/]+/.*\.md$"),
        "94e88d543810ddd0ce31062479c8c2ff6c734084",
    ),
)
NAMES = [corpus.name for corpus in CORPORA]


class FetchError(Exception):
    """A step failed; the message says which and what git or pip answered."""


def run(command: Sequence[str | Path], cwd: Path | None = None) -> str:
    result = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True,
                            text=True)
    if result.returncode:
        said = (result.stderr or result.stdout).strip()
        raise FetchError(f"{' '.join(map(str, command))} failed:\n{said}")
    return result.stdout


def install_filter_repo(folder: Path) -> Path:
    """git-filter-repo 2.47.0 in a virtual environment of its own, in ``folder``."""
    try:
        venv.create(folder, with_pip=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise FetchError(
            f"could not make a virtual environment ({error}); install git-filter-repo "
            f"yourself (pip install --user {FILTER_REPO}) and pass --filter-repo PATH"
        ) from error
    bin_dir = folder / ("Scripts" if os.name == "nt" else "bin")
    run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         FILTER_REPO])
    return bin_dir / "git-filter-repo"


def fetch(corpus: Corpus, origin: str, filter_repo: Path, work: Path, target: Path) -> str:
    """Clone ``origin``'s branch, reset it to the pinned commit, filter it and bundle it
    into ``target``; the filtered tip commit."""
    clone = work / corpus.name
    run(["git", "clone", "--quiet", "--single-branch", "--branch", corpus.branch, "--no-tags",
         origin, clone])
    run(["git", "reset", "--quiet", "--hard", corpus.pinned], cwd=clone)
    run([filter_repo, "--force", "--quiet", *corpus.filter_args], cwd=clone)
    tip = run(["git", "rev-parse", "HEAD"], cwd=clone).strip()
    if corpus.tip and tip != corpus.tip:
        raise FetchError(
            f"the filtered history ends at {tip}, not at {corpus.tip} as the project's "
            f"bundle does: the origin or git-filter-repo ({FILTER_REPO}) differs")
    partial = target.with_name(target.name + ".partial")
    run(["git", "bundle", "create", "--quiet", partial, "HEAD", corpus.branch], cwd=clone)
    partial.replace(target)
    return tip


def origin_of(corpus: Corpus, mirrors: Path | None) -> str:
    """The public URL, or the local clone in ``mirrors`` (``<name>`` or ``<name>.git``)."""
    if mirrors is None:
        return corpus.url
    for candidate in (mirrors / corpus.name, mirrors / f"{corpus.name}.git"):
        if candidate.is_dir():
            return str(candidate.resolve())
    raise FetchError(f"--from: neither {mirrors / corpus.name} nor "
                     f"{mirrors / corpus.name}.git is a folder")


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/fetch-corpora",
        description="Fetch the public policy repositories the corpus tests use, filtered "
                    "as ../shared/corpora/README.md says, as DIR/<name>.bundle.",
    )
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR,
                        help="where to write the bundles (default: .cache/corpora, where "
                             "the tests look)")
    parser.add_argument("--only", action="append", choices=NAMES, metavar="NAME",
                        help=f"fetch only this corpus (repeatable): {', '.join(NAMES)}")
    parser.add_argument("--from", dest="mirrors", type=Path, metavar="FOLDER",
                        help="clone from local clones FOLDER/<name> instead of GitHub")
    parser.add_argument("--filter-repo", type=Path, metavar="PATH",
                        help=f"an installed git-filter-repo (default: {FILTER_REPO} "
                             "from PyPI, into a temporary virtual environment)")
    parser.add_argument("--force", action="store_true",
                        help="fetch again a corpus whose bundle is already there")
    args = parser.parse_args(argv)
    if args.dir.exists() and not args.dir.is_dir():
        parser.error(f"{args.dir} is not a folder")
    if args.mirrors is not None and not args.mirrors.is_dir():
        parser.error(f"--from {args.mirrors}: no such folder")
    if args.filter_repo is not None and not args.filter_repo.is_file():
        parser.error(f"--filter-repo {args.filter_repo}: no such file")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    wanted = [c for c in CORPORA if not args.only or c.name in args.only]
    args.dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="fetch-corpora-") as scratch:
        work = Path(scratch)
        filter_repo = args.filter_repo
        for corpus in wanted:
            target = args.dir / f"{corpus.name}.bundle"
            if target.exists() and not args.force:
                print(f"{corpus.name}: {target} is already here (--force fetches it again)",
                      file=sys.stderr)
                continue
            try:
                origin = origin_of(corpus, args.mirrors)
                if filter_repo is None:
                    print(f"installing {FILTER_REPO} from PyPI…", file=sys.stderr)
                    filter_repo = install_filter_repo(work / "venv")
                print(f"{corpus.name}: cloning {origin} at {corpus.pinned[:12]}, filtering…",
                      file=sys.stderr)
                tip = fetch(corpus, origin, filter_repo, work, target)
            except FetchError as error:
                print(f"error: {corpus.name}: {error}", file=sys.stderr)
                failed += 1
                continue
            print(f"{corpus.name}: {target} (tip {tip[:12]})", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

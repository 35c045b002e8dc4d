"""Build the same sites with two revisions of Policy History and compare every file.

    scripts/compare-builds BEFORE [AFTER]      # AFTER: the working tree (default)
    scripts/compare-builds HEAD~3 --sites sample,basecamp-policies

For each site — the sample site of this repository and each corpus of ../shared/corpora
(or $POLICY_CORPORA) — the code of each revision (hooks/, and overrides/ before the theme
moved into the package, of that commit)
builds it into a folder of its own, with the same "as of" moment, the same time zone and
locale, no cache; then every file of the two builds is compared byte for byte. The sites'
content is the same for both (the sample's policies, docs and mkdocs.yml as the working
tree has them, on this repository's history; a corpus's history): only the code differs.
Exit status 0 when every file is identical, 1 otherwise (the first differences are
printed), 2 when something could not run.

A refactoring that must not change the output (docs/benchmarks.md, "Proving a change
changes nothing") is checked with it.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
AS_OF = "2026-12-01T00:00:00Z"
#: the corpora's site: as tests/support.py's write_config makes it, with the variables of
#: tests/builds/test_corpora.py
CORPUS_CONFIG = """\
site_name: Corpus
site_url: https://policies.example.com/
docs_dir: docs
site_dir: site
theme:
  name: material
{custom_dir}  language: en
  font: false
hooks:
  - {hook}
markdown_extensions: [toc, attr_list, tables]
extra:
  site:
    email_support: mailto:support@example.com
    email_security: mailto:security@example.com
  policies:
    dir: {corpus}
"""


def corpora_folder() -> Path:
    return Path(os.environ.get("POLICY_CORPORA") or DEFAULT_CORPORA)


def site_with_code(revision: str | None, into: Path) -> Path:
    """A clone of this repository (its history: the sample site is built from it) whose
    sample content is the working tree's, and whose code (hooks/, overrides/) is that of
    ``revision`` (None: the working tree's). Only the code differs between two of them."""
    subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(into)], check=True)
    for folder in ("hooks", "overrides", "docs", "policies"):  # overrides/: older code
        shutil.rmtree(into / folder, ignore_errors=True)
    for name in ("docs", "policies", "mkdocs.yml"):  # the content, as the working tree has it
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, into / name)
        else:
            shutil.copy2(source, into / name)
    if revision is None:
        shutil.copytree(ROOT / "hooks", into / "hooks",
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    else:
        code = [folder for folder in ("hooks", "overrides") if subprocess.run(
            ["git", "cat-file", "-e", f"{revision}:{folder}"], cwd=ROOT,
            capture_output=True).returncode == 0]
        archive = subprocess.run(["git", "archive", revision, *code], cwd=ROOT,
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    # the sample's mkdocs.yml names the hook file of this revision's code (it was renamed)
    config = into / "mkdocs.yml"
    hook = hook_of(into).relative_to(into).as_posix()
    text = re.sub(r"(?m)^(\s*- )hooks/\S+\.py$", rf"\g<1>{hook}", config.read_text("utf-8"))
    if (into / "overrides").is_dir():  # older code: its templates were a custom_dir
        text = re.sub(r"(?m)^(  name: material\n)", r"\g<1>  custom_dir: overrides\n", text)
    config.write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=into, check=True)
    stamp = "2026-01-01T00:00:00Z"
    subprocess.run(["git", "-c", "user.name=compare", "-c", "user.email=compare@localhost",
                    "commit", "-q", "--allow-empty", "-m", "content and code to compare"],
                   cwd=into, check=True,
                   env={**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
    return into


def hook_of(code: Path) -> Path:
    """The hook file of ``code``: the one Python file directly in its hooks/."""
    found = sorted((code / "hooks").glob("*.py"))
    if len(found) != 1:
        raise SystemExit(f"error: expected one hook file in {code / 'hooks'}, found {found}")
    return found[0]


def build(code: Path, site: str, out: Path) -> None:
    """Build ``site`` ("sample" or a corpus' name) with the code in ``code`` into ``out``."""
    env = {**os.environ, "POLICY_AS_OF": AS_OF, "TZ": "UTC", "LC_ALL": "C.UTF-8",
           "NO_MKDOCS_2_WARNING": "1", "PYTHONHASHSEED": "0"}
    mkdocs = str(Path(sys.executable).parent / "mkdocs")
    if site == "sample":
        # the sample site as this revision of the code has it, built from its own clone
        command = [mkdocs, "build", "-q", "-f", str(code / "mkdocs.yml"), "-d", str(out)]
        subprocess.run(command, cwd=code, env=env, check=True)
        return
    bundle = corpora_folder() / f"{site}.bundle"
    work = out.parent / f"{out.name}-work"
    corpus = work / site
    subprocess.run(["git", "clone", "-q", str(bundle), str(corpus)], check=True)
    (work / "docs").mkdir()
    config = work / "mkdocs.yml"
    custom_dir = f"  custom_dir: {code}/overrides\n" if (code / "overrides").is_dir() else ""
    config.write_text(CORPUS_CONFIG.format(custom_dir=custom_dir, hook=hook_of(code),
                                           corpus=corpus), encoding="utf-8")
    subprocess.run([mkdocs, "build", "-q", "-f", str(config), "-d", str(out)], cwd=work,
                   env=env, check=True)


def files_of(site: Path) -> dict[str, Path]:
    return {path.relative_to(site).as_posix(): path
            for path in sorted(site.rglob("*")) if path.is_file()}


def differences(one: Path, two: Path, show: int = 5) -> list[str]:
    """What differs between two built sites: files only in one, files whose bytes differ
    (the first ``show`` with a diff of their start)."""
    a, b = files_of(one), files_of(two)
    out = [f"only before: {name}" for name in sorted(a.keys() - b.keys())]
    out += [f"only after: {name}" for name in sorted(b.keys() - a.keys())]
    differing = [name for name in sorted(a.keys() & b.keys())
                 if a[name].read_bytes() != b[name].read_bytes()]
    for number, name in enumerate(differing):
        out.append(f"differs: {name}")
        if number < show:
            before = a[name].read_bytes().decode("utf-8", "replace").splitlines()
            after = b[name].read_bytes().decode("utf-8", "replace").splitlines()
            diff = list(difflib.unified_diff(before, after, "before", "after", lineterm="", n=1))
            out += ["    " + line[:200] for line in diff[:30]]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/compare-builds",
        description=textwrap.dedent(__doc__ or "").split("\n\n")[1] if __doc__ else None)
    parser.add_argument("before", help="the revision whose code builds the reference sites")
    parser.add_argument("after", nargs="?", help="the revision to compare (default: the "
                        "working tree's code)")
    parser.add_argument("--sites", default="",
                        help="comma-separated: sample and corpus names (default: all)")
    parser.add_argument("--keep", metavar="DIR", help="keep the builds in DIR")
    args = parser.parse_args(argv)
    sites = [s for s in args.sites.split(",") if s] or ["sample", *sorted(
        path.name.removesuffix(".bundle") for path in corpora_folder().glob("*.bundle"))]
    missing = [s for s in sites if s != "sample"
               and not (corpora_folder() / f"{s}.bundle").is_file()]
    if missing:
        print(f"error: no corpus {', '.join(missing)} in {corpora_folder()}", file=sys.stderr)
        return 2
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="compare-builds-"))
    work.mkdir(parents=True, exist_ok=True)
    identical = True
    try:
        before_code = site_with_code(args.before, work / "code-before")
        after_code = site_with_code(args.after, work / "code-after")
        for site in sites:
            build(before_code, site, work / f"{site}-before")
            build(after_code, site, work / f"{site}-after")
            found = differences(work / f"{site}-before", work / f"{site}-after")
            count = len(files_of(work / f"{site}-after"))
            if found:
                identical = False
                print(f"{site}: {len(found)} differences in {count} files")
                print("\n".join("  " + line for line in found[:60]))
            else:
                print(f"{site}: {count} files, every one byte-identical")
    except subprocess.CalledProcessError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())

"""``scripts/import``: turn dated past versions of a policy into git history.

    scripts/import past-versions/ --to policies/privacy.md
    scripts/import --from-repo ../old-site --file "legal/privacy.md" --to policies/privacy/

A target ending in ``.md`` is a single-file policy; any other target is a folder policy,
each version split into section fragments at its ``##`` headings, plus a policy.yml.
Run it with --dry-run first to see the commits it would add. Exit status: 0 when done (or
nothing to add), 2 on a problem (nothing is written then).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from policy_history.editors.importer import (
    plan_import,
    versions_from_folder,
    versions_from_repository,
    write_import,
)
from policy_history.editors.output import add_version, say
from policy_history.errors import PolicyError


def parser(prog: str = "scripts/import") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Import a policy's past versions as commits with their real dates, in "
        "date order, on top of the current branch (history is never rewritten; running it "
        "twice adds nothing).",
    )
    add_version(p)
    p.add_argument("folder", nargs="?", type=Path,
                   help="a folder of versions named by date (2014-09-07.md) or with "
                   "'date:' in their front matter")
    p.add_argument("--from-repo", type=Path, metavar="PATH",
                   help="instead of a folder: another repository whose file history to import")
    p.add_argument("--file", metavar="PATH", help="with --from-repo: the file, inside it")
    p.add_argument("--rev", default="HEAD", metavar="REV",
                   help="with --from-repo: the branch to read (default: its HEAD)")
    p.add_argument("--dates", choices=("committer", "author"), default="committer",
                   help="with --from-repo: date versions by when they landed (committer, the "
                   "default, as the site dates commits) or when they were written (author)")
    p.add_argument("--to", required=True, type=Path, metavar="PATH",
                   help="the policy to write: policies/terms.md (one file) or "
                   "policies/terms/ (fragments by '##' heading + policy.yml)")
    p.add_argument("--title", help="with a folder target: the title for policy.yml "
                   "(default: the document's '#' heading)")
    p.add_argument("--author", metavar="'NAME <EMAIL>'",
                   help="author of the commits (default: the original authors with "
                   "--from-repo, else you)")
    p.add_argument("--allow-older", action="store_true",
                   help="append versions even if they are older than a commit already "
                   "touching the target (the older text then becomes the newest)")
    p.add_argument("-n", "--dry-run", action="store_true",
                   help="show the commits it would add, and write nothing")
    return p


def main(argv: Sequence[str] | None = None, prog: str = "scripts/import") -> int:
    command = parser(prog)
    args = command.parse_args(argv)
    if (args.folder is None) == (args.from_repo is None):
        command.error("give a folder of dated versions, or --from-repo with --file")
    if args.from_repo is not None and not args.file:
        command.error("--from-repo needs --file (the file's path inside that repository)")
    author = None
    if args.author:
        match = re.fullmatch(r"\s*(.+?)\s*<([^>]+)>\s*", args.author)
        if not match:
            command.error("--author must look like 'Jane Doe <jane@example.com>'")
        author = (match.group(1), match.group(2))
    try:
        if args.from_repo is not None:
            versions = versions_from_repository(args.from_repo, args.file, args.rev, args.dates)
            origin = f"{args.from_repo}"
        else:
            versions = versions_from_folder(args.folder)
            origin = str(args.folder)
        target = Path(str(args.to).rstrip("/")) if str(args.to) not in ("/", "") else args.to
        plan = plan_import(target, versions, title=args.title, allow_older=args.allow_older,
                           origin=origin)
        for planned in plan.commits:
            files = ", ".join(sorted(planned.files)) if len(planned.files) <= 3 else \
                f"{len(planned.files)} files"
            say(f"{planned.version.when.date().isoformat()}  {planned.version.source} → {files}")
        skipped = []
        if plan.already:
            skipped.append(f"{plan.already} already imported")
        if plan.unchanged:
            skipped.append(f"{plan.unchanged} unchanged from the version before")
        note = f" ({', '.join(skipped)})" if skipped else ""
        if not plan.commits:
            say(f"Nothing to import into {plan.target}{note}.", sys.stderr)
            return 0
        if args.dry_run:
            say(f"Would add {len(plan.commits)} commits to {plan.target}{note}; "
                "nothing written (--dry-run).", sys.stderr)
            return 0
        written = write_import(plan, author)
    except PolicyError as error:
        say(f"error: {error}", sys.stderr)
        return 2
    say(f"Imported {len(written)} versions into {plan.target}{note}, "
        f"{plan.commits[0].version.when.date().isoformat()} to "
        f"{plan.commits[-1].version.when.date().isoformat()}.", sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

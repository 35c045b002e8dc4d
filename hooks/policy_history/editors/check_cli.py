"""``scripts/check``: validate every policy, and with ``--base`` that changed words are declared.

    scripts/check                              # the working tree
    scripts/check --base origin/main           # … and what changed since it branched off main
    scripts/check --base origin/main --format github   # annotations for GitHub Actions

Exit status: 0 when there is no error (warnings are shown), 1 when there is one, 2 when the
check could not run (no mkdocs.yml, a base revision that does not exist, …).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence

from policy_history.editors.check import ERROR, check
from policy_history.editors.cli_common import base_tree, compare_site, fail, head_tree, load_site
from policy_history.editors.output import add_version, annotation, say
from policy_history.editors.translation_check import check_translations
from policy_history.errors import PolicyError


def parser(prog: str = "scripts/check") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Check the policies: metadata, change entries, variables, encoding, links "
        "and section order; with --base, also that every change of the words is declared.",
    )
    add_version(p)
    p.add_argument("--base", metavar="REV",
                   help="compare with this branch, tag or commit (where the current branch "
                   "left it), e.g. origin/main")
    p.add_argument("--head", metavar="REV",
                   help="check this revision instead of the working tree")
    p.add_argument("-f", "--config-file", metavar="FILE",
                   help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    p.add_argument("--format", choices=("text", "github"), default="text",
                   help="'github' also prints ::error annotations for GitHub Actions")
    p.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    return p


def main(argv: Sequence[str] | None = None, prog: str = "scripts/check") -> int:
    command = parser(prog)
    args = command.parse_args(argv)
    github = args.format == "github"
    started = time.perf_counter()
    try:
        site = load_site(args.config_file)
        head = head_tree(site, args.head)
        base = base_tree(site, args.base, args.head) if args.base else None
        comparison = compare_site(site, base, head)
        report = check(
            comparison,
            render=site.render,
            policies_dir=site.policies_dir,
            config_path=site.config_path,
            site_variables=site.variables,
            templating=site.templating,
        )
        if args.head is None:  # translations: read from the committed history, as built
            check_translations(report, site, dt.datetime.now(dt.timezone.utc))
    except PolicyError as error:
        return fail(error, github=github)
    for problem in report.problems:
        label = "" if problem.severity == ERROR else "warning: "
        say(f"{label}{problem}")
        if github:
            print(annotation(problem.severity, problem.error))
    if not args.quiet:
        count = report.policies
        what = f"{count} polic{'y' if count == 1 else 'ies'} in {head.label}"
        if base is not None:
            changed = len(report.changed)
            what += (f", {changed} changed since {base.label}" if changed
                     else f", no words changed since {base.label}")
        errors, warnings = len(report.errors), len(report.warnings)
        verdict = "no problems" if not report.problems else (
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
        elapsed = time.perf_counter() - started
        say(f"Checked {what}: {verdict} ({elapsed:.2f} s).", sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())

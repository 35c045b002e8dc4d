"""``scripts/verify-site``: fail when a built site lacks what its policies need.

    scripts/verify-site site/                 # the policies of mkdocs.yml, as committed
    scripts/verify-site site/ -f other.yml --format github
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from policy_history.editors.cli_common import fail, head_tree, load_site
from policy_history.editors.output import add_version, annotation, say
from policy_history.editors.verify import verify_site
from policy_history.errors import PolicyError
from policy_history.model.layout import discover


def parser(prog: str = "scripts/verify-site") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Check a built site before it is published: every committed policy "
        "has its manifest, pages, history, redlines and feeds, and each version's source "
        "matches its hash. A builder that skipped the hook fails it.",
    )
    add_version(p)
    p.add_argument("site_dir", type=Path, metavar="SITE_DIR", help="the built site (site/)")
    p.add_argument("-f", "--config-file", metavar="FILE",
                   help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    p.add_argument("--format", choices=("text", "github"), default="text",
                   help="github: also print each problem as a GitHub Actions annotation")
    return p


def main(argv: Sequence[str] | None = None, prog: str = "scripts/verify-site") -> int:
    command = parser(prog)
    args = command.parse_args(argv)
    github = args.format == "github"
    try:
        site = load_site(args.config_file)
        if not site.manifests:
            raise PolicyError(
                "this site publishes no versions.json ('site_url' is not set, or "
                "'extra: policies: feeds' is false), and verify-site reads them",
                file=str(site.config_file),
                fix="set site_url (the address the site is published at) and keep feeds on")
        committed = head_tree(site, "HEAD")
        slugs = discover(committed.files, site.policies_dir)
        report = verify_site(args.site_dir, slugs)
    except PolicyError as error:
        return fail(error, github=github)
    for problem in report.problems:
        say(str(problem))
        if github:
            print(annotation("error", problem, title="Site check"))
    count = report.policies
    verdict = (f"{len(report.problems)} problem{'s' * (len(report.problems) != 1)}"
               if report.problems else "nothing missing")
    say(f"Verified {count} polic{'y' if count == 1 else 'ies'} in {args.site_dir} "
        f"({report.files} files): {verdict}.", sys.stderr)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())

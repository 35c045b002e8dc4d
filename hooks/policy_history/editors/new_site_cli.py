"""``scripts/new-site`` (``policy-history new-site``): start a company's policy site.

    scripts/new-site ../acme-policies --name "Acme"
    scripts/new-site ../acme-policies --name "Acme" --policy privacy.md --effective 2027-01-01 \\
        --url https://policies.acme.com/ --repo-url https://github.com/acme/policies

Exit status: 0 when the site is made and committed, 2 when it could not be (nothing is
written over; a folder left behind holds every file, uncommitted).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from policy_history import __version__
from policy_history.editors.cli_common import fail
from policy_history.editors.new_site import SiteSpec, create_site
from policy_history.editors.output import add_version, say
from policy_history.errors import PolicyError


def parser(prog: str = "scripts/new-site") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Make a new policy site in a new folder: mkdocs.yml, the hook, a "
        "policy with its first change entry, a home page, the pull-request check and "
        "deploy workflows, a README for its editors, and a first commit.",
    )
    add_version(p)
    p.add_argument("folder", type=Path, help="the new site's folder (new, or empty)")
    p.add_argument("--name", required=True, help="the company's name, e.g. \"Acme\"")
    p.add_argument("--policy", type=Path, metavar="FILE",
                   help="start from this Markdown policy ('# Title' first, cut into "
                   "sections at its '## ' headings) instead of the starter privacy policy")
    p.add_argument("--slug", help="the imported policy's address (default: from FILE's name)")
    p.add_argument("--effective", metavar="YYYY-MM-DD", type=_date,
                   help="when the first version takes effect (default: today, UTC)")
    p.add_argument("--url", help="the address the site is published at (default: the "
                   "deploy workflow's GitHub Pages address, SITE_URL)")
    p.add_argument("--repo-url", help="the site's repository, for 'edit this page' links")
    p.add_argument("--requirement", default=f"policy-history=={__version__}",
                   help="what the site's workflows install (default: %(default)s)")
    return p


def main(argv: Sequence[str] | None = None, prog: str = "scripts/new-site") -> int:
    args = parser(prog).parse_args(argv)
    # The one date the tool writes: declared in policy.yml, shown by the command below,
    # and committed, so the site's dates still come from its files and git.
    effective = args.effective or dt.datetime.now(dt.timezone.utc).date()
    spec = SiteSpec(name=args.name, effective=effective, site_url=args.url,
                    repo_url=args.repo_url, requirement=args.requirement,
                    policy_file=args.policy, policy_slug=args.slug)
    try:
        files, commit = create_site(args.folder, spec)
    except PolicyError as error:
        return fail(error)
    policies = sorted({f.split("/")[1] for f in files if f.startswith("policies/")})
    say(f"Made {args.folder} ({len(files)} files, first commit {commit[:12]}): "
        f"{', '.join(policies)} effective {effective.isoformat()}.")
    say("Next:")
    say(f"  cd {args.folder}")
    say("  python -m venv .venv && .venv/bin/pip install -r requirements.txt")
    say("  .venv/bin/mkdocs serve      # the site, on http://127.0.0.1:8000/")
    if args.policy is None:
        say("The privacy policy's text is a starter: have it replaced with your own "
            "before you first publish (or start again with --policy your-policy.md).")
    if args.url is None:
        say("site_url comes from SITE_URL (set by the GitHub Pages workflow): for another "
            "host, write the site's address in mkdocs.yml.")
    say("Then push it to a repository of its own; README.md there is for its editors.")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2027-01-01, but got '{text}'") from None


if __name__ == "__main__":
    sys.exit(main())

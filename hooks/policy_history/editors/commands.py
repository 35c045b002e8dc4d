"""``policy-history``: the package's one console command, for sites that install it.

    policy-history new-site DIR --name "Acme"
    policy-history check --base origin/main
    policy-history preview --base origin/main --html redline.html
    policy-history import …
    policy-history verify-site site

Each subcommand is the same program as this repository's ``scripts/<name>``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from policy_history import __version__

#: subcommand → (module, one line of help)
SUBCOMMANDS = {
    "new-site": ("new_site_cli", "make a new policy site in a new folder"),
    "check": ("check_cli", "check the policies (with --base: that changes are declared)"),
    "preview": ("preview_cli", "the redline of a branch, as Markdown and HTML"),
    "import": ("import_cli", "import a policy's past versions into its history"),
    "verify-site": ("verify_cli", "check that a built site holds every policy's history"),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_usage())
        return 0 if args else 2
    if args[0] == "--version":
        print(f"policy-history {__version__}")
        return 0
    name, rest = args[0], args[1:]
    if name not in SUBCOMMANDS:
        print(f"policy-history: unknown command '{name}'\n\n{_usage()}", file=sys.stderr)
        return 2
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    module = importlib.import_module(f"policy_history.editors.{SUBCOMMANDS[name][0]}")
    result: int = module.main(rest, prog=f"policy-history {name}")
    return result


def _usage() -> str:
    width = max(map(len, SUBCOMMANDS))
    lines = [f"  {name:<{width}}  {about}" for name, (_, about) in SUBCOMMANDS.items()]
    return ("usage: policy-history COMMAND [options]   (policy-history COMMAND --help)\n\n"
            "commands:\n" + "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())

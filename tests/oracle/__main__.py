"""Check a built site against the oracle: python -m tests.oracle CLONE SITE [--as-of DAY]

CLONE is the policies repository the site was built from, SITE the built site's folder.
Prints the figures and every disagreement; exits 1 when any document disagrees.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from tests.oracle.compare import report, verdicts
from tests.oracle.honest_dates import expected
from tests.support import CORPUS_VARIABLES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.oracle", description=__doc__)
    parser.add_argument("clone", type=Path, help="the policies repository")
    parser.add_argument("site", type=Path, help="the site built from it")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 12, 1),
                        help="the build's POLICY_AS_OF day (default: 2026-12-01)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    wanted = expected(args.clone, args.as_of, CORPUS_VARIABLES)
    print(f"oracle: {time.monotonic() - started:.1f} s", file=sys.stderr)
    results = verdicts(args.site, wanted)
    print(report(args.clone.name, results))
    return 0 if all(v.agrees for v in results) else 1


if __name__ == "__main__":
    sys.exit(main())

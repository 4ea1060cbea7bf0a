"""``python -m tests.chaos [-n 200]``: the chaos suite, big, against a stack of its own.

Prints the report and exits non-zero unless nothing was lost, duplicated or parked.
"""

from __future__ import annotations

import argparse
import sys

from tests.chaos.journeys import Chaos
from tests.support.local_stack import serving


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("-n", "--journeys", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--verbose", action="store_true", help="the stack logs its functions' own lines too"
    )
    args = parser.parse_args(argv)
    with serving(*(["--verbose"] if args.verbose else [])) as stack:
        print(f"local stack up in {stack.startup_seconds:.1f}s; {args.journeys} journeys")
        report = Chaos(stack, args.journeys, seed=args.seed).run(workers=args.workers)
    print(report.render())
    print(f"the stack's log: {stack.log_path}")
    return 0 if report.totals == (0, 0, 0) else 1


if __name__ == "__main__":
    sys.exit(main())

"""python -m liaison.bench {store,tui,sync,inbox,office,all} [--records N] [--sizes N,M,...] [--runs K]
[--keep DIR] [--clusters-only]"""

from __future__ import annotations

import argparse
import sys


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of record counts: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"record counts must be positive: {text!r}")
    return sizes


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m liaison.bench")
    p.add_argument("what", choices=["store", "tui", "sync", "inbox", "office", "all"], help="which benchmark")
    p.add_argument("--records", type=int, default=None,
                   help="one size (default 50 000; 600 000 for office; store and sync: see --sizes)")
    p.add_argument("--sizes", type=_sizes, default=None,
                   help="store: sizes to compare, default 10000,50000,200000; sync: default 5000,50000")
    p.add_argument("--runs", type=int, default=None,
                   help="sync: runs at each size, each printed (default 1); office: runs of each report and of "
                        "the clusters at the full size, median and spread printed (default 3)")
    p.add_argument("--saves", type=int, default=200, help="timed saves per engine")
    p.add_argument("--keep", metavar="DIR", default=None,
                   help="office: build each size's city in DIR and leave it there; a later run reuses it")
    p.add_argument("--clusters-only", action="store_true", help="office: only hq clusters (no reports, no dashboard)")
    args = p.parse_args()
    records = args.records or (600_000 if args.what == "office" else 50_000)
    if args.what in ("store", "all"):
        from . import store

        store.run(records=args.records, saves=args.saves, sizes=args.sizes or store.SIZES)
    if args.what in ("tui", "all"):
        from . import tui

        tui.run(records=records)
    if args.what in ("sync", "all"):
        from . import sync

        sync.run(records=args.records, sizes=args.sizes, runs=args.runs or 1)
    if args.what in ("inbox", "all"):
        from . import inbox

        inbox.run()  # 20 stations x 200 consultations per bundle: --records is for the others
    if args.what == "office":  # not in "all": a city's year takes many minutes to set up
        from . import office

        office.run(records=records, keep=args.keep, clusters_only=args.clusters_only, runs=args.runs or 3)
    return 0


def entry() -> int:
    try:
        return main()
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a benchmark that cannot run says why in one line, not a traceback
        print(f"python -m liaison.bench: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(entry())

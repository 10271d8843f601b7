"""python -m liaison.bench {store,tui,sync,inbox,all} [--records N] [--sizes N,N,...]"""

from __future__ import annotations

import argparse
import sys


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m liaison.bench")
    p.add_argument("what", choices=["store", "tui", "sync", "inbox", "all"], help="which benchmark")
    p.add_argument("--records", type=int, default=None, help="one size (default 50 000; store: see --sizes)")
    p.add_argument("--sizes", default=None,
                   help="store: the sizes to measure and compare, default 10000,50000,200000 (--records: one)")
    p.add_argument("--saves", type=int, default=200, help="timed saves per engine")
    args = p.parse_args()
    sizes = tuple(int(x) for x in args.sizes.split(",")) if args.sizes else None
    records = args.records or 50_000
    if args.what in ("store", "all"):
        from . import store

        store.run(records=args.records, saves=args.saves, sizes=sizes or store.SIZES)
    if args.what in ("tui", "all"):
        from . import tui

        tui.run(records=records)
    if args.what in ("sync", "all"):
        from . import sync

        sync.run(records=records)
    if args.what in ("inbox", "all"):
        from . import inbox

        inbox.run()  # 20 stations x 200 consultations per bundle: --records is for the others
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

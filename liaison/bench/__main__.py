"""python -m liaison.bench {store,tui,sync,inbox,office,all} [--records N]"""

from __future__ import annotations

import argparse
import sys


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m liaison.bench")
    p.add_argument("what", choices=["store", "tui", "sync", "inbox", "office", "all"], help="which benchmark")
    p.add_argument("--records", type=int, default=None, help="default 50 000; 600 000 for office")
    p.add_argument("--saves", type=int, default=200, help="timed saves per engine")
    args = p.parse_args()
    if args.records is None:
        args.records = 600_000 if args.what == "office" else 50_000
    if args.what in ("store", "all"):
        from . import store

        store.run(records=args.records, saves=args.saves)
    if args.what in ("tui", "all"):
        from . import tui

        tui.run(records=args.records)
    if args.what in ("sync", "all"):
        from . import sync

        sync.run(records=args.records)
    if args.what in ("inbox", "all"):
        from . import inbox

        inbox.run()  # 20 stations x 200 consultations per bundle: --records is for the others
    if args.what == "office":  # not in "all": a city's year takes many minutes to set up
        from . import office

        office.run(records=args.records)
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

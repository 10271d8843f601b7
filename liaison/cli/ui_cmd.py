"""Opening the officer's interface on a data folder (the only CLI path into textual).

`liaison ui [--lock-after SECONDS]` (and `liaison` alone, and `liaison demo`) open the
app on its unlock screen; it locks itself after SECONDS without a key or mouse event
(default 300, or $LIAISON_LOCK_AFTER).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from ..home import remember, resolve_home
from . import exitcodes as ec
from .typed_ahead import kept_for_the_app

DEFAULT_LOCK_AFTER = 300.0
MIN_LOCK_AFTER, MAX_LOCK_AFTER = 10.0, 3600.0


def lock_seconds(text: str) -> float:
    """--lock-after: seconds, 10 … 3600 (an unlocked laptop in a public room must lock)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是秒数 (not a number of seconds): {text!r}") from None
    if not MIN_LOCK_AFTER <= value <= MAX_LOCK_AFTER:
        raise argparse.ArgumentTypeError(
            f"应在 {MIN_LOCK_AFTER:.0f} 到 {MAX_LOCK_AFTER:.0f} 秒之间 "
            f"(must be between {MIN_LOCK_AFTER:.0f} and {MAX_LOCK_AFTER:.0f} seconds): {text}")
    return value


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ui", parents=[common], help="open the officer's interface (the default) / 打开界面")
    p.add_argument("--lock-after", type=lock_seconds, default=None, metavar="SECONDS",
                   help=f"lock the screen after SECONDS without a key or mouse event "
                        f"(default {DEFAULT_LOCK_AFTER:.0f}, or $LIAISON_LOCK_AFTER)")
    p.set_defaults(handler=run_ui)


def default_lock_after() -> float:
    env = os.environ.get("LIAISON_LOCK_AFTER", "").strip()
    if env:
        try:
            return lock_seconds(env)
        except argparse.ArgumentTypeError:
            pass  # a bad value must not leave the screen unlocked: the default applies
    return DEFAULT_LOCK_AFTER


def check_ready(home: Path) -> None:
    """Store.check_ready — a clear CLI error (not set up) before the screen opens —
    without loading the store's package (TinyDB …) before the first frame when the
    folder is plainly set up: meta.json holds TinyDB's table "meta" with document 1.
    Anything else goes to Store.check_ready, which says what is wrong."""
    try:
        if isinstance(json.loads((Path(home) / "meta.json").read_bytes())["meta"]["1"], dict):
            return
    except (OSError, ValueError, LookupError, TypeError):
        pass
    from ..store import Store

    Store.check_ready(home)


def open_ui(home: Path, lock_after: float | None = None) -> int:
    check_ready(home)
    from ..tui.app import build_app  # imported here: the nightly job never loads textual

    while True:
        remember(home)
        # The app ends with another station's folder when the officer switches station
        # (`s` on the dashboard): that one opens afresh, at its own unlock screen.
        chosen = build_app(home, idle_lock=lock_after or default_lock_after()).run()
        if not isinstance(chosen, Path):
            return ec.OK
        home = chosen
        check_ready(home)


def run_ui(args: argparse.Namespace) -> int:
    with kept_for_the_app():  # a PIN typed at once is neither echoed nor loses its Enter
        return open_ui(resolve_home(args.home), getattr(args, "lock_after", None))

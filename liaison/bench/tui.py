"""TUI benchmark at N stored consultations, encryption at rest on, each figure from a
fresh process.

- cold start: the `liaison` console script in a pseudo-terminal until its unlock screen
  is painted, beside a bare Textual app launched the same way (bench.cold_start);
- unlock: the app started at its unlock screen, the officer's PIN typed, and the time
  from its Enter to the dashboard painted with its figures (scrypt, audit entry, the
  sealed store opened, the figures computed);
- then, three times back to back (a fresh process each, started unlocked): time from
  pressing `l` to the list's first rows on screen; keystroke to updated list while
  typing searches (Chinese, pinyin, phone digits); peak RSS of the app process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import print_table, stats, verdict

LIAISON_START = """
import sys, time
from pathlib import Path
from textual import events
from liaison.tui.app import LiaisonApp, build_app
from liaison.tui.screens.dashboard import DashboardScreen

marks = {}
mount = LiaisonApp.on_mount
def on_mount(self):  # the real app, with an officer typing the PIN
    mount(self)
    self.set_timer(0.05, lambda: type_pin(self))
LiaisonApp.on_mount = on_mount

def type_pin(app):
    # The officer at the unlock screen: once the form knows the officer (its facts are
    # read in a worker), the PIN is typed; the clock starts as its Enter is posted.
    screen = app.screen
    if type(screen).__name__ != "UnlockScreen" or not screen.officers:
        app.set_timer(0.01, lambda: type_pin(app))
        return
    screen.query_one("#u-pin").value = sys.argv[2]
    def enter():
        marks["enter"] = time.perf_counter()
        app.post_message(events.Key("enter", "\\r"))
    app.call_after_refresh(enter)

show = DashboardScreen.show
def timed_show(self, *args, **kwargs):  # the figures are set: time the repaint that shows them
    show(self, *args, **kwargs)
    if "enter" in marks:
        self.app.call_after_refresh(lambda: (marks.setdefault("data", time.perf_counter()), self.app.exit()))
DashboardScreen.show = timed_show

app = build_app(Path(sys.argv[1]))  # no session: it starts at its unlock screen
app.run(headless=True, size=(120, 40))
print(marks["data"] - marks["enter"])
"""

INTERACTIVE = """
import asyncio, json, sys, time
from pathlib import Path
from liaison.security.session import unlock
from liaison.tui.app import build_app
from liaison.tui.screens.consultations import ConsultationsScreen
from liaison.tui.widgets.record_list import RecordList
from liaison.bench.common import peak_rss_mb

# Instrumentation: timestamps where Textual hands us the event and where the updated
# list has been painted. Pilot's own waits (~100 ms a key) are not part of the app.
marks = {}
orig_list, orig_run, orig_show = None, ConsultationsScreen.run_search, ConsultationsScreen._show

def run_search(self, *args, **kwargs):
    before = self._asked
    t = time.perf_counter()
    orig_run(self, *args, **kwargs)
    if self._asked != before:
        marks.setdefault("asked", {})[self._asked] = t

def show(self, asked, *rest):
    orig_show(self, asked, *rest)
    if self.shown == asked:
        self.app.call_after_refresh(lambda: marks.setdefault("painted", {}).setdefault(asked, time.perf_counter()))

ConsultationsScreen.run_search = run_search
ConsultationsScreen._show = show

async def main():
    app = build_app(Path(sys.argv[1]), session=unlock(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
    action_list = app.action_list
    async def timed_list():  # the action the `l` binding runs, as it is started
        marks["l"] = time.perf_counter()
        await action_list()
    app.action_list = timed_list
    out = {"keys": []}
    async with app.run_test(size=(120, 40)) as pilot:
        # The app has settled (figures shown, search prepared): what the officer meets
        # from the second visitor on.
        while app.store is None or not app.store.index.warm_ready:
            await asyncio.sleep(0.01)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("l")
        while not marks.get("painted"):
            await asyncio.sleep(0.001)
        out["list_ms"] = (min(marks["painted"].values()) - marks["l"]) * 1000
        out["list_rows"] = len(app.screen.query_one(RecordList).rows)
        screen = app.screen
        for term in ["欠薪", "噪音", "动迁", "zhang", "lsf", "5678", "补偿", "骑手罚款"]:
            for ch in [*term, *["backspace"] * len(term)]:
                asked = screen._asked
                await pilot.press(ch)
                while asked + 1 not in marks.get("painted", {}):
                    await asyncio.sleep(0.001)
                if ch != "backspace":
                    out["keys"].append((marks["painted"][asked + 1] - marks["asked"][asked + 1]) * 1000)
        out["rss_mb"] = peak_rss_mb()
    print(json.dumps(out))

asyncio.run(main())
"""


ECHO = """
import asyncio, json, time
from textual.app import App
from textual.widgets import Footer, Header, Input, Static

class Echo(App):  # the anchor: what Textual itself costs from a keystroke to a repaint
    marks = []
    def compose(self):
        yield Header(); yield Input(); yield Static(); yield Footer()
    def on_input_changed(self, event):
        t = time.perf_counter()
        self.query_one(Static).update(event.value)
        self.call_after_refresh(lambda: self.marks.append((time.perf_counter() - t) * 1000))

async def main():
    app = Echo()
    async with app.run_test(size=(120, 40)) as pilot:
        for ch in "欠薪噪音动迁zhanglsf5678补偿骑手罚款":
            n = len(app.marks)
            await pilot.press(ch)
            while len(app.marks) == n:
                await asyncio.sleep(0.001)
    print(json.dumps(app.marks))

asyncio.run(main())
"""


def _py(code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip()


def run(records: int, rounds: int = 5, runs: int = 3) -> None:
    from .store import OFFICER, PIN, sealed_seed

    with tempfile.TemporaryDirectory(prefix="liaison-bench-tui-") as tmp:
        home = Path(tmp) / "station"
        sealed_seed(home, Path(tmp) / "office", records)
        from .cold_start import run as cold_start  # the officer's path, `liaison` to its unlock screen: own table
        cold_start(home, records)
        unlocked = []
        for _ in range(rounds):
            unlocked.append(float(_py(LIAISON_START, str(home), PIN)) * 1000)
        # The budgets must hold in every run, not only in a quiet one: back to back,
        # each in a fresh process.
        inter = [json.loads(_py(INTERACTIVE, str(home), OFFICER, PIN)) for _ in range(runs)]
        echo = json.loads(_py(ECHO))

    u = stats(unlocked)
    e_med, e_p95 = stats(echo)
    table = [
        ("PIN Enter to dashboard with figures, median / worst", f"{u[0]:.0f} / {max(unlocked):.0f} ms", "",
         "scrypt n=2^16 + sealed open; target <= 1 s", verdict(max(unlocked) <= 1000)),
    ]
    for i, run_ in enumerate(inter, 1):
        k_med, k_p95 = stats(run_["keys"])
        table += [
            (f"run {i}: press l to first rows of the list", f"{run_['list_ms']:.0f} ms",
             f"{run_['list_rows']:,} rows", "target <= 100 ms", verdict(run_["list_ms"] <= 100)),
            (f"run {i}: keystroke to updated list, median / p95", f"{k_med:.1f} / {k_p95:.1f} ms",
             f"Textual echo {e_med:.1f} / {e_p95:.1f} ms", "p95 target <= 20 ms", verdict(k_p95 <= 20)),
            (f"run {i}: peak RSS of the app process", f"{run_['rss_mb']:.0f} MB", "", "target <= 200 MB",
             verdict(run_["rss_mb"] <= 200)),
        ]
    print_table(f"TUI benchmark at {records:,} consultations, sealed ({rounds} unlocks; {runs} interactive runs back to back, each a fresh process)", table)

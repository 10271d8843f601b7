"""TUI benchmark at N stored consultations, encryption at rest on, each figure from a
fresh process. The app starts unlocked (`build_app(home, session=session)`), as after
the officer typed the PIN; the unlock itself (scrypt, audit entry) is timed apart,
since at a real start the first frame (the unlock screen) comes before any PIN.

- cold start to the first dashboard frame, beside a bare Textual app started the same
  way in the same run (and to the dashboard with its figures);
- time from pressing `l` to the list's first rows on screen;
- keystroke to updated list while typing searches (Chinese, pinyin, phone digits);
- peak RSS of the app process with the records loaded and searched.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import print_table, stats, verdict

BARE = """
import sys, time
t0 = float(sys.argv[1])
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header(); yield Static("hello"); yield Footer()
    def on_mount(self):
        self.call_after_refresh(self.done)
    def done(self):
        print(time.time() - t0); self.exit()
Bare().run(headless=True, size=(120, 40))
"""

LIAISON_START = """
import sys, time
t0 = float(sys.argv[1])
from pathlib import Path
t = time.time()
from liaison.security.session import unlock
session = unlock(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
unlock_s = time.time() - t
t0 += unlock_s  # the PIN is typed at the unlock screen, after the first frame: not start-up
from liaison.tui.app import LiaisonApp, build_app
from liaison.tui.screens.dashboard import DashboardScreen

first = {}
mount = LiaisonApp.on_mount
def on_mount(self):  # the real app, instrumented: when did frames reach the screen
    mount(self)
    self.call_after_refresh(lambda: first.setdefault("frame", time.time() - t0))
LiaisonApp.on_mount = on_mount

show = DashboardScreen.show
def timed_show(self, *args, **kwargs):  # the figures are set: time the repaint that shows them
    show(self, *args, **kwargs)
    self.app.call_after_refresh(lambda: (first.setdefault("data", time.time() - t0), self.app.exit()))
DashboardScreen.show = timed_show

app = build_app(Path(sys.argv[2]), session=session)
app.run(headless=True, size=(120, 40))
print(first["frame"], first["data"], unlock_s)
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
    def timed_list():
        marks["l"] = time.perf_counter()
        action_list()
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


def run(records: int, rounds: int = 5) -> None:
    from .store import OFFICER, PIN, sealed_seed

    with tempfile.TemporaryDirectory(prefix="liaison-bench-tui-") as tmp:
        home = Path(tmp) / "station"
        sealed_seed(home, Path(tmp) / "office", records)
        from .cold_start import run as cold_start  # the officer's path, `liaison` to its unlock screen: own table
        cold_start(home, records)
        bare, frame, data, unlocks = [], [], [], []
        for _ in range(rounds):  # interleaved, so both see the same machine load
            bare.append(float(_py(BARE, str(time.time()))) * 1000)
            f, d, u = _py(LIAISON_START, str(time.time()), str(home), OFFICER, PIN).split()
            frame.append(float(f) * 1000)
            data.append(float(d) * 1000)
            unlocks.append(float(u) * 1000)
        inter = json.loads(_py(INTERACTIVE, str(home), OFFICER, PIN))
        echo = json.loads(_py(ECHO))

    b, f, d, u = stats(bare)[0], stats(frame)[0], stats(data)[0], stats(unlocks)[0]
    k_med, k_p95 = stats(inter["keys"])
    e_med, e_p95 = stats(echo)
    print_table(f"TUI benchmark at {records:,} consultations, sealed, started unlocked "
                f"(medians of {rounds} cold starts)", [
        ("cold start to first dashboard frame", f"{f:.0f} ms", f"bare Textual app {b:.0f} ms",
         f"{f / b:.2f}x (target <= 1.3x)", verdict(f <= 1.3 * b)),
        ("cold start to dashboard with figures", f"{d:.0f} ms", "", "(store unlocked in a worker)", ""),
        ("unlock before build_app (not in the above)", f"{u:.0f} ms", "", "(imports, scrypt, audit entry)", ""),
        ("press l to first rows of the list", f"{inter['list_ms']:.0f} ms", f"{inter['list_rows']:,} rows",
         "target <= 100 ms", verdict(inter["list_ms"] <= 100)),
        ("keystroke to updated list, median / p95", f"{k_med:.1f} / {k_p95:.1f} ms",
         f"Textual echo {e_med:.1f} / {e_p95:.1f} ms", "p95 target <= 20 ms", verdict(k_p95 <= 20)),
        ("peak RSS of the app process", f"{inter['rss_mb']:.0f} MB", "", "target <= 200 MB",
         verdict(inter["rss_mb"] <= 200)),
    ])

"""Type-ahead through a real terminal (issue 13): the real `liaison ui` in tmux at 80×24,
unlocked and a walk-in typed with `tmux send-keys` back to back (no pause between keys,
not even for the PIN check or the form to open), then the saved record read back with
`liaison list --json`. Skipped where tmux is not installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from liaison.demo import DEMO_PIN
from liaison.domain.timeutil import today
from liaison.domain.vocab import CATEGORIES, CATEGORY_DETAILS
from tests.tui.terminal import TMUX, Terminal
from tests.tui.test_typeahead import HIDDEN, REFERRAL_WORDS, WALK_INS
from tests.tui.unlocked import OFFICER, PIN

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
LIAISON = str(Path(sys.executable).with_name("liaison"))


def saved(home: Path, env: dict[str, str], seconds: float = 30) -> list[dict]:
    """The records `liaison list --json` gives, once there is one."""
    end = time.monotonic() + seconds
    while True:
        run = subprocess.run([LIAISON, "--home", str(home), "list", "--json", "--officer", OFFICER],
                             env={**env, "LIAISON_PIN": PIN}, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        rows = json.loads(run.stdout)
        if rows or time.monotonic() > end:
            return rows
        time.sleep(0.2)


@pytest.mark.parametrize("sid", ["H", "S2"])
def test_walk_in_typed_back_to_back_in_a_real_terminal(home, tmp_path, sid):
    w = WALK_INS[sid]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "TMUX"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", HOME=str(tmp_path))
    term = Terminal([LIAISON, "--home", str(home), "ui"], env)
    try:
        term.wait_for(OFFICER)  # the unlock screen, with the one officer filled in
        # From here on no waiting: PIN, Enter, then the whole walk-in while the PIN is checked.
        term.text(PIN)
        term.keys("Enter", "n", str(list(CATEGORIES).index(w["category"]) + 1), "Space", "Tab")
        term.text(w["name"])
        term.keys("Tab")
        term.text(w["phone"])
        term.keys("Tab", "End", "BSpace")
        term.text(str(w["party"]))
        for key in CATEGORY_DETAILS.get(w["category"], ()):  # one Tab per field shown, as in the Pilot test
            if key in HIDDEN.get(w["category"], ()):
                continue
            term.keys("Tab")
            if w["details"].get(key):
                term.text(w["details"][key])
        for field in ("summary", "requests", "advice"):
            term.keys("Tab")
            term.text(w[field])
        term.keys("Tab")
        term.text(REFERRAL_WORDS[w["referral"]])  # the referral filter; Enter ticks the best match
        term.keys("Enter", "F6" if w["weeks"] == 2 else "F5", "C-s")
        rows = saved(home, env)
    finally:
        term.close()
    assert len(rows) == 1, rows
    c = rows[0]
    visit = today()
    assert c["category"] == w["category"]
    assert c["visitor"]["name"] == w["name"] and c["visitor"]["phone"] == w["phone"]
    assert c["visitor"]["consent"] is True and c["visitor"]["anonymous"] is False
    assert c["visitor"]["party_size"] == w["party"]
    assert {k: str(v) for k, v in (c.get("details") or {}).items()} == w["details"]
    assert (c["summary"], c["requests"], c["advice"]) == (w["summary"], w["requests"], w["advice"])
    assert c["referrals"] == [w["referral"]]
    assert c["status"] == "open"
    assert c["follow_up_on"] == (visit + timedelta(weeks=w["weeks"])).isoformat()
    assert c["officer"] == OFFICER


def test_the_demo_pin_typed_as_soon_as_it_is_printed_unlocks_and_is_not_echoed(tmp_path):
    """README command 1 as a person follows it: `liaison demo` prints the demo officer's
    PIN, then prepares its data and opens the app; the PIN and Enter typed at once reach
    the terminal before the app has it, and the app while it builds its first screen.
    They unlock (the PIN was lost whole or in part in 6 of 8 launches, and its Enter
    always: the terminal turned it into a newline), the PIN is never echoed on the
    shell's screen, and the terminal's settings are as they were once the app exits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "TMUX"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", HOME=str(tmp_path),
               LIAISON_HOME=str(tmp_path / "demo"))
    before, after = tmp_path / "stty-before", tmp_path / "stty-after"
    term = Terminal([f"stty -g > {before}; {LIAISON} demo; stty -g > {after}; sleep 30"], env)
    try:
        term.wait_for(DEMO_PIN)  # the demo's own line, printed before the app starts
        term.text(DEMO_PIN)
        term.keys("Enter")
        term.wait_for("二维码")  # the dashboard's key bar
        term.keys("C-q")
        end = time.monotonic() + 30
        while not after.exists() and time.monotonic() < end:
            time.sleep(0.1)
        shell = term.screen()
    finally:
        term.close()
    assert after.read_text() == before.read_text()  # echo and line editing back as they were
    assert shell.count(DEMO_PIN) == 1, shell  # the demo's own line: what was typed was not echoed

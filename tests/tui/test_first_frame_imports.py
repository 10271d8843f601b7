"""Nothing is imported before the unlock screen's first frame that the frame does not
need (issue 14): `liaison --home STATION` — the console script's own entry point — in a
real pseudo-terminal, and the modules loaded at the moment the terminal is sent the
first frame that shows the unlock form. Crypto, the store (TinyDB), pinyin, the
office's HTTP server, spreadsheets and QR codes load later: when the PIN is checked,
the records opened, or a screen that uses them first shown."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from liaison.bench.cold_start import UNLOCK_MARK, launch
from liaison.security.keyring import Keyring
from liaison.tui.screens.unlock_facts import clear_facts, has_keyring, station_name

NOT_BEFORE_FIRST_FRAME = ("cryptography", "tinydb", "pypinyin", "aiohttp", "openpyxl", "qrcode", "PIL",
                          "liaison.store", "liaison.security", "liaison.sync", "liaison.hq")

SETUP_MARK = "设置第一名警员".encode()  # the set-up form's title ("set up the first officer")

# The console script, with the stream Textual writes its frames to (stderr) tapped: the
# first write that carries the unlock form notes the modules loaded at that moment.
LAUNCHER = """
import os, sys

MARK, WATCHED, REPORT = sys.argv[1], sys.argv[2].split(","), sys.argv[3]


class Tap:
    def __init__(self, stream):
        self._stream, self._seen = stream, False

    def write(self, text):
        if not self._seen and MARK in text:
            self._seen = True
            names = list(sys.modules)  # one step (other threads import meanwhile)
            loaded = sorted(m for m in names if any(m == w or m.startswith(w + ".") for w in WATCHED))
            with open(REPORT, "w") as f:
                f.write("\\n".join(["painted", *loaded]))
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


sys.__stderr__ = sys.stderr = Tap(sys.__stderr__)
sys.argv = ["liaison", *sys.argv[4:]]
from liaison.cli import entry

entry()
"""


def loaded_at_first_frame(home: Path, tmp_path: Path, mark: bytes = UNLOCK_MARK) -> list[str]:
    report = tmp_path / "loaded.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8")
    launch([sys.executable, "-c", LAUNCHER, mark.decode(), ",".join(NOT_BEFORE_FIRST_FRAME), str(report),
            "--home", str(home)], mark, env=env, timeout=30)
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "painted"
    return lines[1:]


def test_the_unlock_screen_is_painted_before_crypto_the_store_and_the_rest_load(home, tmp_path):
    loaded = loaded_at_first_frame(home, tmp_path)
    assert loaded == [], loaded


def test_a_station_without_officers_is_painted_as_light(home, tmp_path):
    (home / "keys" / "officers.json").unlink()  # the set-up form (first officer)
    loaded = loaded_at_first_frame(home, tmp_path, SETUP_MARK)
    assert loaded == [], loaded


def test_a_demo_folder_opened_again_is_painted_as_light(tmp_path):
    """`liaison --home <demo folder>` (what `liaison demo` prints to open it again): its
    unlock screen also shows the demo's PIN, which must not bring the demo's seeding,
    and with it the keyring's crypto, before the first frame."""
    from liaison.demo import seed_demo

    home = seed_demo(tmp_path / "demo")["fengqiao-yuanfang"]
    loaded = loaded_at_first_frame(home, tmp_path)
    assert loaded == [], loaded


def test_the_light_keyring_check_agrees_with_the_keyring(home, tmp_path):
    assert has_keyring(home) and Keyring.exists(home)
    assert not has_keyring(tmp_path) and not Keyring.exists(tmp_path)


def full_facts(home: Path) -> tuple[str, bool, list[str], str]:
    """What the unlock screen showed before issue 14: the store's and the keyring's readers."""
    from liaison.tui.screens.unlock import station_facts

    sid, name, demo = station_facts(home)
    return sid, demo, [o.name for o in Keyring.open(home).officers()], name


def light_facts(home: Path) -> tuple[str, bool, list[str], str]:
    sid, demo, officers = clear_facts(home)
    return sid, demo, officers, station_name(sid)


def test_the_clear_facts_are_those_of_the_store_and_the_keyring(home, tmp_path):
    from liaison.demo import seed_demo
    from tests.tui.unlocked import OFFICER, PIN

    assert light_facts(home) == full_facts(home)
    Keyring(home).add_officer(OFFICER, PIN, "艾检察官", "another-pin-9513")  # sorted before 王
    assert light_facts(home) == full_facts(home) and len(clear_facts(home)[2]) == 2
    assert clear_facts(home, officers=False)[2] == []
    demo = seed_demo(tmp_path / "demo")["fengqiao-yuanfang"]
    assert light_facts(demo) == full_facts(demo) and clear_facts(demo)[1] is True
    assert station_name("no-such-station") == "no-such-station"


def test_a_damaged_file_is_left_to_the_store_and_the_keyring_to_explain(home):
    ring = home / "keys" / "officers.json"
    good = ring.read_bytes()
    for damaged in (b"", b"{not json", b'{"format": "liaison-keyring"}', good.replace(b'"version": 2', b'"version": 9')):
        ring.write_bytes(damaged)
        assert clear_facts(home) is None
    ring.write_bytes(good)
    (home / "meta.json").write_bytes(b'{"meta": {}}')
    assert clear_facts(home) is None
    (home / "meta.json").unlink()
    assert clear_facts(home) is None

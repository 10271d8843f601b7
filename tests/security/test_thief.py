"""The thief's test (issue 6): the laptop is taken after a day's work.

Three sealed stations, set up as an officer gets them (an empty data folder, the
office's key installed and the station enrolled, one officer with a PIN), log all of
S1–S12 (14 visits) through the running app: S1 typed key by key into the
new-consultation form, the others saved through the app's own save worker, as the
form does. At 枫桥远坊 and the other two stations alike the officer then opens a
record's detail ("view"), adds a note there ("edit"), leaves a half-typed form with a
resident's name and phone, locks with ctrl+l (the form becomes a sealed draft), types
one wrong PIN on the lock screen ("unlock_failed") and quits. Then cron's nightly
`liaison sync` runs with no PIN and no terminal, writing bundles to the outbox and
delivering them to a folder.

What the thief has is every file: the data folders (records, index, drafts, audit
log, keys, outbox, receipts, lock files, anything) and the delivery folder. None of
them may contain, as raw bytes, any visitor's name, phone (as typed or as stored),
any 3-character span of any summary, the half-typed draft, the note, or a PIN or
recovery code. And, so the test cannot pass on an empty disk: the same data comes
back in full with the PIN, and the office reads it all from the delivered bundles.
The second test shows the scan finds all of it in a plain (unsealed) store.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import date
from pathlib import Path

from liaison.cli import exitcodes as ec
from liaison.demo_data import BAN, DEMO_OFFICERS, RIDER, SCENARIO_IDS, YUANFANG, scenarios
from liaison.domain.intake import fields_from_input
from liaison.domain.timeutil import parse_datetime
from liaison.domain.validation import normalize_phone
from liaison.domain.vocab import CATEGORIES, REFERRALS, STATUSES
from liaison.security import keys
from liaison.security.keyring import Keyring
from liaison.security.session import drafts, open_store, unlock
from liaison.store import Store
from liaison.store.drafts import Drafts
from liaison.tui.app import build_app
from liaison.tui.screens.detail import DetailScreen
from liaison.tui.screens.detail_dialogs import TextPrompt
from liaison.tui.screens.intake import IntakeScreen
from liaison.tui.screens.unlock import UnlockScreen
from tests.sync._sync_world import LIAISON, World
from tests.tui.unlocked import audit_entries, screen_text, settle, type_text, until

TODAY = date(2026, 11, 28)
SIZE = (120, 40)
STATIONS = {YUANFANG: "FQYF", BAN: "FQB", RIDER: "QSYH"}
PINS = {YUANFANG: "kx-4711-lotus", BAN: "桥头调解2024", RIDER: "river-5150-moon"}
WRONG_PIN = "not-the-pin-42"
TYPED = "S1"  # typed key by key, its phone as a resident dictates it
TYPED_PHONE = "138 0000 1234"
NOTE = "已将材料清单交给陈阿姨女儿，约定两周后电话回访复议进展。"  # S1's note, typed on its detail screen
# What each station's officer had half-typed when they locked: a resident's name and phone.
DRAFTS = {YUANFANG: ("钱小梅", "137 2468 1357", "楼上漏水"),
          BAN: ("欧阳娟", "186-2233-4455", "物业收费"),
          RIDER: ("郭骑士", "15911113333", "电瓶被扣")}
PLAN = list(zip(SCENARIO_IDS, scenarios(TODAY), strict=True))  # (S-id, (station, mapping)), 14 visits


# -- the scan ---------------------------------------------------------------------------------
def spans(text: str, n: int = 3) -> list[str]:
    """Every n-character span of `text`, except those of ASCII only: "228", "800" or
    "27名"'s "27" part alone occur by chance in any base64/hex ciphertext or date.
    Every ASCII run in the scenarios' summaries sits next to Chinese text, so the
    spans that reach across its edge (e.g. "于228", "228街") still catch it."""
    return sorted({text[i:i + n] for i in range(len(text) - n + 1) if not text[i:i + n].isascii()})


def encodings(secret: str) -> set[bytes]:
    """The secret as raw UTF-8 and as a JSON writer with ensure_ascii leaves it (\\uXXXX)."""
    escaped = json.dumps(secret)[1:-1]
    upper = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), escaped)
    return {secret.encode(), escaped.encode(), upper.encode()}


def scenario_secrets(stored: dict[str, tuple[str | None, str | None]] | None = None) -> list[tuple[str, str]]:
    """(label, secret) for every scenario: name, phone as input (and, for S1, as typed),
    phone as stored (`stored`: S-id+index → (name, phone) read back from the records),
    and every 3-character span of its summary."""
    out: list[tuple[str, str]] = []
    for i, (sid, (_, m)) in enumerate(PLAN):
        tag = f"{sid}#{i}"
        v = m.get("visitor") or {}
        if v.get("name"):
            out.append((f"{tag} name", v["name"]))
        if v.get("phone"):
            out.append((f"{tag} phone (input)", v["phone"]))
            out.append((f"{tag} phone (normalised)", normalize_phone(v["phone"])))
            if sid == TYPED:
                out.append((f"{tag} phone (as typed)", TYPED_PHONE))
        if stored and tag in stored:
            name, phone = stored[tag]
            out += [(f"{tag} name (stored)", name)] if name else []
            out += [(f"{tag} phone (stored)", phone)] if phone else []
        out += [(f"{tag} summary span", s) for s in spans(m["summary"])]
    return out


def other_secrets(recovery_codes: dict[str, str]) -> list[tuple[str, str]]:
    out = [("note typed on the detail screen", s) for s in spans(NOTE)]
    for sid, (name, phone, summary) in DRAFTS.items():
        out += [(f"draft at {sid}: name", name), (f"draft at {sid}: phone (as typed)", phone),
                (f"draft at {sid}: phone (normalised)", normalize_phone(phone)),
                (f"draft at {sid}: summary", summary)]
    for sid, pin in PINS.items():
        out.append((f"PIN of {DEMO_OFFICERS[sid]}", pin))
    out.append(("the wrong PIN typed", WRONG_PIN))
    out += [(f"recovery code of {sid}", code) for sid, code in recovery_codes.items()]
    return out


def scan(roots: list[Path], secrets: list[tuple[str, str]], base: Path) -> tuple[list[str], list[Path]]:
    """Which secret appears in which file (raw bytes), and the files read."""
    files = sorted({p for r in roots for p in r.rglob("*") if p.is_file()})
    needles = [(label, secret, encodings(secret)) for label, secret in secrets]
    hits = []
    for path in files:
        raw = path.read_bytes()
        for label, secret, forms in needles:
            if any(f in raw for f in forms):
                hits.append(f"{label} {secret!r} in {path.relative_to(base)}")
    return hits, files


def leak_report(hits: list[str]) -> str:
    return f"{len(hits)} secret(s) readable without a key:\n  " + "\n  ".join(hits[:60]) + \
        ("\n  …" if len(hits) > 60 else "")


# -- the stations and the app ---------------------------------------------------------------
def new_station(world: World, sid: str) -> tuple[Path, str]:
    """An empty station as an officer gets it: office key installed and enrolled, one
    officer with a PIN. Returns the data folder and the recovery code printed at init."""
    home = world.root / sid
    Store.init(home, station=sid, code=STATIONS[sid], officer=DEMO_OFFICERS[sid]).close()
    pub = keys.ensure_station_keys(home, sid)
    keys.install_office_key(home, world.pub)
    with world.office() as o:
        o.enroll(pub)
    return home, Keyring.create(home, sid, DEMO_OFFICERS[sid], PINS[sid])


async def into(pilot, widget_id: str, text: str | None = None) -> None:
    """Put the focus on a field (as a click would) and type `text` into it, key by key."""
    pilot.app.screen.query_one(f"#{widget_id}").focus()
    await pilot.pause()
    if text is not None:
        await type_text(pilot, text)


async def type_scenario(app, pilot, m: dict) -> None:
    """Scenario `m`, typed into a new consultation form and saved with ctrl+s."""
    await pilot.press("n")
    await settle(app, pilot)
    assert isinstance(app.screen, IntakeScreen)
    await pilot.press(str(list(CATEGORIES).index(m["category"]) + 1))
    await pilot.pause()
    field = app.screen.query_one("#f-visited")
    field.value = ""
    await into(pilot, "f-visited", parse_datetime(m["visited_at"]).strftime("%Y-%m-%d %H:%M"))
    v = m["visitor"]
    await into(pilot, "f-consent")
    await pilot.press("space")
    await into(pilot, "f-name", v["name"])
    await into(pilot, "f-phone", TYPED_PHONE)
    for key, value in (m.get("details") or {}).items():
        await into(pilot, f"f-d-{key}", str(value))
    for name in ("summary", "requests", "advice"):
        await into(pilot, f"f-{name}", m[name])
    await into(pilot, "f-referrals")
    for code in m["referrals"]:
        await pilot.press("home", *["down"] * list(REFERRALS).index(code), "space")
    await into(pilot, "f-status")
    await pilot.press("enter", *["down"] * list(STATUSES).index(m["status"]), "enter")
    await into(pilot, "f-follow", m["follow_up_on"])
    await pilot.press("ctrl+s")
    await settle(app, pilot)
    assert not isinstance(app.screen, IntakeScreen), f"not saved: {[str(t.render()) for t in app.screen.query('Toast')]}"


async def a_day_at(home: Path, sid: str, exports: Path) -> dict[str, str]:
    """The station's officer logs its scenarios in the app, views a detail and adds a
    note, leaves a half-typed form, locks, types a wrong PIN and quits. Returns
    {S-id#index: consultation id}."""
    officer = DEMO_OFFICERS[sid]
    session = unlock(home, officer, PINS[sid])
    mine = [(f"{s}#{i}", m) for i, (s, (station, m)) in enumerate(PLAN) if station == sid]
    made: dict[str, str] = {}
    app = build_app(home, session=session, today=TODAY, idle_lock=None, exports_dir=exports)
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # a refusal's toast says why
        await until(pilot, lambda: app.store is not None)
        await settle(app, pilot)
        for tag, m in mine:
            before = set(app.store.index.by_id)
            if tag.startswith(TYPED + "#"):
                await type_scenario(app, pilot, m)
            else:  # the form's own save path: checked input, the app's save worker, audited
                fields = fields_from_input(m, officer=session.officer)
                app.save(lambda store, f=fields: store.create(f), app.screen, created=True, audit=("create", None))
                await settle(app, pilot)
            (made[tag],) = set(app.store.index.by_id) - before

        # A record's detail ("view"), and a note added on it ("edit").
        target = next((cid for tag, cid in made.items() if tag.startswith(TYPED + "#")), next(iter(made.values())))
        app.open_detail(target)
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("n")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, NOTE)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("escape")
        await settle(app, pilot)

        # A resident starts to tell their story; the officer is called away and locks.
        name, phone, summary = DRAFTS[sid]
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press(str(list(CATEGORIES).index("other") + 1))
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press("space")  # consent: the box has the focus first
        await into(pilot, "f-name", name)
        await into(pilot, "f-phone", phone)
        await into(pilot, "f-summary", summary)
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        lock = app.screen
        assert isinstance(lock, UnlockScreen) and app.locked
        assert name not in screen_text(app)

        # Someone tries a PIN.
        assert app.focused.id == "u-pin"
        await type_text(pilot, WRONG_PIN)
        await pilot.press("enter")
        await until(pilot, lambda: not lock.busy)
        await settle(app, pilot)
        assert app.locked and app.screen is lock
        await pilot.press("ctrl+q")
        await settle(app, pilot)

    actions = [e["action"] for e in audit_entries(home)]
    assert actions.count("create") == len(mine), actions
    for action in ("unlock", "view", "edit", "lock", "unlock_failed"):
        assert action in actions, (sid, action, actions)
    assert (home / "drafts" / "intake.json").exists()
    return made


def nightly_sync(home: Path, to: Path, cwd: Path) -> subprocess.CompletedProcess:
    """What cron runs: the real command, its own session (no /dev/tty), no LIAISON_PIN."""
    env = {k: v for k, v in os.environ.items() if k not in ("LIAISON_PIN", "LIAISON_HOME")}
    return subprocess.run([*LIAISON, "--home", str(home), "sync", "--to", str(to)], env=env, cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
                          start_new_session=True)


# -- the tests ----------------------------------------------------------------------------------
async def test_a_thief_with_every_file_reads_no_resident(tmp_path):
    world = World(tmp_path)
    exports = tmp_path / "exports"
    homes, recovery, made = {}, {}, {}
    for sid in STATIONS:
        homes[sid], recovery[sid] = new_station(world, sid)
    for sid in STATIONS:
        made.update(await a_day_at(homes[sid], sid, exports))
    assert len(made) == len(PLAN) == 14

    # The night: each station's sync runs locked, with no PIN, and delivers to the folder.
    for sid, home in homes.items():
        r = nightly_sync(home, world.drop, tmp_path)
        assert r.returncode == ec.SYNC_PENDING, (sid, r.returncode, r.stdout, r.stderr)

    secrets = scenario_secrets() + other_secrets(recovery)
    roots = [*homes.values(), world.drop]
    hits, files = scan(roots, secrets, tmp_path)
    assert not hits, leak_report(hits)
    # The scan read what it should have: drafts, the audit log, keys, outbox, the delivery.
    read = {p.relative_to(tmp_path).as_posix() for p in files}
    for sid in STATIONS:
        for must in ("drafts/intake.json", "audit/log.jsonl"):
            assert f"{sid}/{must}" in read, must
        assert any(f.startswith(f"{sid}/keys/") for f in read)
        assert any(f.startswith(f"{sid}/outbox/") for f in read), "the sync wrote no bundle to the outbox"
    delivered = sorted((world.drop / "inbox").glob("*.bundle"))
    assert len(delivered) >= 3

    # The office opens the delivered bundles with its key: everything is there, in full.
    summary = world.ingest()
    assert summary["accepted"] == len(PLAN), summary
    at_office = list(world.records().values())
    assert sorted(r["visitor"]["name"] or "" for r in at_office) == \
        sorted((m.get("visitor") or {}).get("name") or "" for _, (_, m) in PLAN)
    assert sorted(r["summary"] for r in at_office) == sorted(m["summary"] for _, (_, m) in PLAN)
    assert any(n["text"] == NOTE for r in at_office for n in r["notes"])

    # The receipts come back on the next night; still nothing readable anywhere.
    for sid, home in homes.items():
        r = nightly_sync(home, world.drop, tmp_path)
        assert r.returncode == ec.OK, (sid, r.returncode, r.stdout, r.stderr)

    # With the PIN, each station has everything back: records, the note, the draft.
    stored: dict[str, tuple[str | None, str | None]] = {}
    for sid, home in homes.items():
        session = unlock(home, DEMO_OFFICERS[sid], PINS[sid])
        store = open_store(session)
        try:
            for tag, cid in made.items():
                if PLAN[int(tag.split("#")[1])][1][0] != sid:
                    continue
                c = store.get(cid)
                m = PLAN[int(tag.split("#")[1])][1][1]
                v = m.get("visitor") or {}
                assert c.summary == m["summary"] and c.visitor.name == v.get("name"), tag
                assert c.visitor.phone == (normalize_phone(v["phone"]) if v.get("phone") else None), tag
                stored[tag] = (c.visitor.name, c.visitor.phone)
                if tag.startswith(TYPED + "#"):  # typed into the form, field by field
                    assert (c.category, c.status, c.referrals, c.details) == \
                        (m["category"], m["status"], tuple(m["referrals"]), m["details"]), tag
                    assert c.requests == m["requests"] and c.advice == m["advice"], tag
                    assert c.notes[-1].text == NOTE and c.notes[-1].officer == DEMO_OFFICERS[sid]
        finally:
            store.close()
        draft = drafts(session).load()
        assert draft is not None, sid
        name, phone, summary_text = DRAFTS[sid]
        assert (draft[0]["name"], draft[0]["phone"], draft[0]["summary"]) == (name, phone, summary_text)
        assert Drafts(home).load() is None  # without the key, no draft
    assert stored[next(t for t in stored if t.startswith(TYPED + "#"))][1] == normalize_phone(TYPED_PHONE)

    # Scanned again after the receipts and the unlocks, with the stored forms too.
    hits, _ = scan([*homes.values(), world.drop], scenario_secrets(stored) + other_secrets(recovery), tmp_path)
    assert not hits, leak_report(hits)


def test_the_scan_finds_every_secret_in_a_plain_store(tmp_path):
    """The checker works: a station without a PIN keeps all of it in clear, and the scan
    finds every name, phone and summary span (and the draft) there."""
    home = tmp_path / "plain"
    Store.init(home, station=YUANFANG, code="FQYF", officer="王检察官").close()
    store = Store.open(home)
    made = store.create_many([fields_from_input(m, officer="王检察官") for _, (_, m) in PLAN])
    store.close()
    name, phone, summary = DRAFTS[YUANFANG]
    Drafts(home).save({"name": name, "phone": phone, "summary": summary})

    stored = {f"{s}#{i}": (c.visitor.name, c.visitor.phone) for i, ((s, _), c) in enumerate(zip(PLAN, made, strict=True))}
    wanted = [(label, s) for label, s in scenario_secrets(stored) if "as typed" not in label]
    wanted += [(label, s) for label, s in other_secrets({}) if label.startswith(f"draft at {YUANFANG}")
               and "normalised" not in label]
    hits, _ = scan([home], wanted, tmp_path)
    found = {h.split(" in ")[0] for h in hits}
    missed = [f"{label} {s!r}" for label, s in wanted if f"{label} {s!r}" not in found]
    assert not missed, f"the scan missed {len(missed)} secret(s) stored in clear: {missed[:20]}"
    assert len(wanted) > 500  # names, phones, and every span of every summary

    # … and a name written by a JSON writer that escapes non-ASCII (\\uXXXX) is found too.
    (tmp_path / "escaped").mkdir()
    (tmp_path / "escaped" / "x.json").write_text(json.dumps({"n": "陈秀英"}))
    hits, _ = scan([tmp_path / "escaped"], [("S1 name", "陈秀英")], tmp_path)
    assert hits == ["S1 name '陈秀英' in escaped/x.json"]

"""Sealed stations for the TUI tests: a keyring with a known PIN, the records sealed
under its data key, and the unlocked session the app is built with
(`build_app(home, session=session_for(home))`, as after the unlock screen)."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from liaison.demo_data import SCENARIO_IDS, YUANFANG, scenarios
from liaison.domain.intake import fields_from_input
from liaison.security.keyring import Keyring
from liaison.security.session import Session, open_store, unlock
from liaison.store import Store

PIN = "kx-4711-lotus"
OFFICER = "王检察官"
TODAY = date(2026, 11, 28)  # the `seeded` fixture's day

_sessions: dict[Path, Session] = {}


def seal(home: Path, station: str, officer: str = OFFICER, pin: str = PIN) -> Session:
    """Give an initialised (plain) station its first officer and seal its records."""
    Keyring.create(home, station, officer, pin)
    session = unlock(home, officer, pin)
    open_store(session).close()
    _sessions[Path(home)] = session
    return session


def session_for(home: Path) -> Session:
    """The session `seal` made for `home` (or a fresh unlock with the test PIN)."""
    home = Path(home)
    if home not in _sessions:
        _sessions[home] = unlock(home, OFFICER, PIN)
    return _sessions[home]


def opened(home: Path) -> Store:
    """The station's records, opened with its key (Store.open alone refuses: sealed)."""
    return open_store(session_for(home))


def new_station(root: Path, station: str, code: str, officer: str = OFFICER) -> Path:
    home = Path(root) / station
    Store.init(home, station=station, code=code, officer=officer).close()
    seal(home, station, officer)
    return home


def seed_scenarios(home: Path, today, synthetic: int = 0) -> dict:
    """The 枫桥远坊 scenarios (S1, S2, S9, S10, S12) by scenario id, plus `synthetic`
    generated records by 陆检察官."""
    store = opened(home)
    made = {}
    try:
        for sid, (station, mapping) in zip(SCENARIO_IDS, scenarios(today), strict=True):
            if station == YUANFANG:
                made[sid] = store.create(fields_from_input(mapping, officer=OFFICER))
        if synthetic:
            from liaison.synth import generate

            store.create_many([fields_from_input(m, officer="陆检察官")
                               for m in generate(synthetic, seed=11, station=YUANFANG, start=today, days=400)])
    finally:
        store.close()
    return made


async def type_text(pilot, text: str) -> None:
    """Type `text` into the focused widget as the key events a terminal sends (Chinese
    and punctuation included, which `pilot.press` cannot type)."""
    from textual import events

    for ch in text:
        pilot.app.post_message(events.Key(key_name(ch), ch))
    await keys_taken(pilot)


async def keys_taken(pilot, seconds: float = 10.0) -> None:
    """Until the app has been given every key typed, then until it is idle. Pilot's own
    wait for idle gives up after a second, which a long burst on a loaded machine can
    outlast; this one waits on the keys themselves (bounded: a test never hangs here)."""
    deadline = time.monotonic() + seconds
    while getattr(pilot.app, "keys_on_their_way", False) and time.monotonic() < deadline:
        await pilot.pause(0.005)
    await pilot.pause()


# Textual's names for punctuation keys that differ from the character's Unicode name
_RENAMED = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
            "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore", "space": "space"}


def key_name(ch: str) -> str:
    """The key a terminal reports for the character `ch` (as Textual names it)."""
    if ch.isalnum():
        return ch
    import unicodedata

    name = unicodedata.name(ch, ch).lower().replace("-", "_").replace(" ", "_")
    return _RENAMED.get(name, name)


def screen_text(app) -> str:
    """Everything the terminal shows now (Textual's screenshot as text, toasts included)."""
    from tests.tui.rendered import lines

    return "\n".join(lines(app.export_screenshot()))


def toast_texts(app) -> list[str]:
    """The notices (toasts) on the screen now; the app must run with notifications=True."""
    return [str(t.render()) for t in app.screen.query("Toast")]


def widgets_text(screen, *, with_lists: bool = False) -> str:
    """What the screen's text widgets draw: the whole of each, scrolled into view or not
    (`with_lists`: the option lists too, where pickers show their numbered choices)."""
    from textual.geometry import Region
    from textual.widgets import OptionList, Static

    lines = []
    for w in [*screen.query(Static), *(screen.query(OptionList) if with_lists else ())]:
        if w.display and w.outer_size.area:
            lines += [s.text for s in w.render_lines(Region(0, 0, *w.outer_size))]
    return "\n".join(lines)


def audit_entries(home: Path) -> list[dict]:
    import orjson

    path = Path(home) / "audit" / "log.jsonl"
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


async def settle(app, pilot) -> None:
    """Workers finished and their messages handled."""
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()


@asynccontextmanager
async def running(home: Path, *, size: tuple[int, int], today=TODAY, notifications: bool = True, **options):
    """`home`'s app from the one factory with its officer already unlocked (as after the
    unlock screen), under Pilot, its first workers finished: yields (app, pilot)."""
    from liaison.tui.app import build_app

    app = build_app(home, session=session_for(home), today=today, **options)
    async with app.run_test(size=size, notifications=notifications) as pilot:
        await settle(app, pilot)
        yield app, pilot


async def until(pilot, check, seconds: float = 10.0) -> None:
    """Wait (in Pilot time) until `check()` is true."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")

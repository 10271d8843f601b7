"""Issue 13, cases 6 and 7: every screen at 80×24 in one language only, with F1 help
and the language switch visible, and nothing cut with "…" that had room to show.

What may appear in the other language is small and named here: in Chinese mode key
names, the program's name, the language switch's own label (English), the station's
code in references, and the records' and station's own data (names, summaries, station
names, the place); in English mode only that data. A screen is read as the terminal
shows it (`rendered.lines`, from Textual's public screenshot)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from rendered import lines
from rich.cells import cell_len

from liaison.demo import DEMO_PIN, seed_demo
from liaison.security.session import unlock
from liaison.tui.app import build_app
from liaison.tui.i18n import tr

TODAY = date(2026, 11, 28)
SIZE = (80, 24)

# Chinese mode: ASCII words that are not English text. Keys as the key bar and help
# name them, the program's name in the header, the switch to English (written in the
# language it switches to), a PIN, and a date pattern the officer types.
ALLOWED_WORDS = {
    "ctrl", "esc", "Esc", "Enter", "Tab", "Delete", "Del", "PgUp", "PgDn", "Space",
    "liaison", "English", "zs", "PIN", "YYYY", "MM", "DD", "HH", "Excel", "XLSX", "QR",
}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}")
KEY_NAME = re.compile(r"^(f\d+|[A-Z]{2,5})$")  # f1 … f9; station codes and refs (FQYF-…)


def _open_s2(app) -> None:
    row = next(r for r in app.store.index.newest_first() if r.party_size == 27)
    app.open_detail(row.id)


SCREENS = {
    "dashboard": [],
    "list": ["l"],
    "detail": [_open_s2],
    "status": [_open_s2, "s"],
    "category": ["n"],
    "intake": ["n", "2"],
    "followups": ["f"],
    "ledger": ["t"],
    "help": ["f1"],
    "qr": ["q"],
    "palette": ["ctrl+p"],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return seed_demo(tmp_path_factory.mktemp("lang"), on=TODAY)["fengqiao-yuanfang"]


@pytest.fixture(scope="module")
def session(demo):
    return unlock(demo, "王检察官", DEMO_PIN)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _data(app) -> list[str]:
    """The records' and the station's own text: shown as it was typed, in any language
    (the consent statement is the station's, read aloud to the visitor in Chinese)."""
    records = [c.to_dict() for c in app.store.load(app.store.index.newest_first(include_deleted=True))]
    st = app.station
    return _strings(records) + [st.name, st.short_name, st.place, st.schedule, st.consent_text, app.session.officer]


def foreign(screen: list[str], lang: str, data: list[str]) -> list[str]:
    """Text on `screen` in the other language (that is not the records' own)."""
    text = re.sub(r"https?://\S+", "", "\n".join(screen))  # a link is a link in both languages

    def is_data(run: str) -> bool:
        return any(run in d for d in data)
    if lang == "en":  # 中文: the switch back, written in the language it switches to
        return [r for r in CJK.findall(text) if r != "中文" and not is_data(r)]
    return [w for w in WORD.findall(text)
            if w not in ALLOWED_WORDS and not KEY_NAME.match(w) and not is_data(w)]


def cut_with_room(screen: list[str]) -> list[str]:
    """Lines with a column cut short ("…" with more columns after it): the row had room
    to give it. A cut in the last column (text running off the right) is fine."""
    return [line for line in screen if re.search(r"…\S*\s+\S", line.rstrip())]


async def _show(app, pilot, steps) -> list[str]:
    while app.store is None:
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()
    for step in steps:
        if callable(step):
            step(app)
        else:
            await pilot.press(step)
        await app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.pause(0.1)  # the palette lists its commands after a short debounce
    return lines(app.export_screenshot())


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(SCREENS))
async def test_screen_in_one_language(demo, session, lang, name):
    app = build_app(demo, session=session, today=TODAY, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _show(app, pilot, SCREENS[name])
        shown = "\n".join(screen)
        assert foreign(screen, lang, _data(app)) == [], shown
        assert cut_with_room(screen) == [], shown
        for field_label in app.screen.query(".field-label"):  # the form's labels keep a gap to the field
            text, room = str(field_label.render()), field_label.content_size.width
            assert room == 0 or cell_len(text) <= room, text  # 0: another category's, hidden
        if name == "dashboard":  # each card's last line ("3 人次") shows: the titles fit on one line
            assert f" {tr('people', lang)}" in shown, shown
        if name not in ("palette",):  # the palette covers the key bar
            keybar = screen[-1]
            assert ("f1 帮助" if lang == "zh" else "f1 Help") in keybar, keybar
            assert ("^g English" if lang == "zh" else "^g 中文") in keybar, keybar


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_unlock_screen_in_one_language(demo, lang):
    app = build_app(demo, today=TODAY, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = lines(app.export_screenshot())
        data = ["枫桥远坊·行政争议实质性化解综合履职检察联络站", "王检察官 陆检察官", DEMO_PIN]  # station, officers, the demo's PIN
        assert foreign(screen, lang, data) == [], "\n".join(screen)
        assert ("^g English" if lang == "zh" else "^g 中文") in screen[-1], screen[-1]

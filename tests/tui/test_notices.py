"""Issue 13, case 9: a "saved" notice is short (gone within 4 s), never covers the field
the officer types in next, and notices do not pile up; an error stays until dismissed.
Toasts are read from the screen's DOM (Textual's Toast widgets and their regions)."""

from __future__ import annotations

from conftest import TODAY
from unlocked import settle, type_text

from liaison.tui.app import build_app
from liaison.tui.messages import StoreFailed


def _toasts(app):
    """The notices on screen (a toast hidden behind a newer one takes no room)."""
    return [t for t in app.screen.query("Toast") if t.region.area]


async def _open_detail(app, pilot, seeded, sid="S2"):
    await settle(app, pilot)
    app.open_detail(seeded[sid].id)
    await settle(app, pilot)


async def test_saved_note_notice_is_short_and_clear_of_the_next_note(home, session, seeded):
    app = build_app(home, session=session, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _open_detail(app, pilot, seeded)
        for text in ("已电话回访", "对方表示已收到款项"):
            await pilot.press("n")
            await pilot.pause()
            await type_text(pilot, text)
            await pilot.press("enter")
            await settle(app, pilot)
        await pilot.press("n")  # a third note: its field must be in the clear
        await pilot.pause()
        field = app.focused
        assert field is not None and field.region.area
        toasts = _toasts(app)
        assert len(toasts) == 1, [str(t.render()) for t in toasts]  # the second replaced the first
        assert not any(t.region.overlaps(field.region) for t in toasts), (toasts[0].region, field.region)
        await pilot.pause(4.2)  # an officer glancing up four seconds later: gone
        assert _toasts(app) == []


async def test_clue_note_field_is_not_covered(home, session, seeded):
    app = build_app(home, session=session, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _open_detail(app, pilot, seeded)
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "已电话回访")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        field = app.focused
        assert _toasts(app) and field is not None
        assert not any(t.region.overlaps(field.region) for t in _toasts(app))


async def test_error_notice_stays(home, session, seeded):
    app = build_app(home, session=session, today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        app.post_message(StoreFailed("磁盘已满 (disk full)"))
        await pilot.pause(4.2)
        assert any("disk full" in str(t.render()) for t in _toasts(app))

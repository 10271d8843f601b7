"""A QR code for residents to scan from the laptop screen: the station's service list
(key q on the dashboard), one consultation's receipt (key r on its detail screen), or
the resident-facing view (F9).

The code is drawn black on white with explicit colours, never theme colours, with its
4-module quiet zone; the station name and caption sit beside it, so the code gets the
full height of the window: at 80×24 that is a version-5 code. The payload is chosen
for the space there is (`payloads.*_texts`, fullest wording first). If even the most
compact one cannot be drawn whole, the officer is told the size needed; a resident is
never shown that, but the station name and where the poster is. A clipped code is
worse than none: a phone may read a wrong or partial code without complaint.
"""

from __future__ import annotations

from typing import Callable

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from ...qr.payloads import Payload, PayloadTooLong, receipt_payload, service_payload
from ...qr.render import QUIET, half_block_lines, matrix, max_version_for
from ..base import LiaisonScreen
from ..widgets.keybar import KeyBar

# Pure black and white: the terminal's theme must not tint the code.
CODE_STYLE = Style(color="rgb(0,0,0)", bgcolor="rgb(255,255,255)")
SIDE_W = 26  # columns of the name and caption beside the code, at least
SIDE_MAX = 52  # and at most: a long station name on one line, where there is room
GAP = 2  # columns between the code and the text

class QrCode(Static):
    """The half-block code, exactly as many cells as it needs."""

    lines: list[str] = []

    def show(self, payload: Payload) -> None:
        self.lines = half_block_lines(matrix(payload))
        self.styles.width = len(self.lines[0])
        self.styles.height = len(self.lines)
        self.update(Text("\n".join(self.lines), style=CODE_STYLE, no_wrap=True, overflow="crop"))


class QrScreen(LiaisonScreen):
    DEFAULT_CSS = f"""
    #qr-layout {{ width: auto; height: auto; }}
    #qr-side {{ width: {SIDE_W}; height: auto; margin-left: {GAP}; }}
    #qr-title {{ text-style: bold; margin-bottom: 1; }}
    #qr-note {{ margin-top: 1; color: $text-muted; }}
    """
    BINDINGS = [Binding("escape", "app.pop_screen", "返回", id="back")]
    RESIDENT = False
    CHROME_ROWS = 1  # the key bar

    def __init__(self, consultation_id: str | None = None):
        super().__init__()
        self.consultation_id = consultation_id  # None: the station's service list
        self.make: Callable[[int], Payload] | None = None  # max_version → the payload
        self.full: str | None = None  # the fullest wording (with no size limit)
        self.payload: Payload | None = None
        self.ref: str | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="qr-layout"):
            yield QrCode(id="qr-code")
            with Vertical(id="qr-side"):
                yield Static(id="qr-title")
                yield Static(id="qr-text")
                yield Static(id="qr-note")
        yield Static(id="qr-message")
        if not self.RESIDENT:
            yield KeyBar()

    def on_mount(self) -> None:
        super().on_mount()
        self.build()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def build(self) -> None:
        """The record and profiles off the UI thread: the office profile and the record
        are on disk. The payload itself is made for the window size, on resize too."""
        from ...profiles import office_for

        try:
            station = self.app.opened_station
            office = office_for(station)
            if self.consultation_id is None:
                make, ref = (lambda v: service_payload(station, office, v)), None
            else:
                c = self.app.opened_store.get(self.consultation_id)
                make, ref = (lambda v: receipt_payload(c, station, office, v)), c.ref
            full = make(40).text
        except Exception as e:  # shown on the screen, the officer goes back with Esc
            self.app.call_from_thread(self._built, None, None, None, str(e))
            return
        self.app.call_from_thread(self._built, make, full, ref, None)

    def _built(self, make, full: str | None, ref: str | None, error: str | None) -> None:
        self.make, self.full, self.ref, self.error = make, full, ref, error
        self.apply_lang()

    def max_version(self, cols: int, rows: int) -> int:
        """The largest code that fits beside the text panel, above the key bar."""
        return max_version_for(cols - SIDE_W - GAP, rows - self.CHROME_ROWS)

    def _payload_for(self, cols: int, rows: int) -> Payload | None:
        try:
            return self.make(self.max_version(cols, rows)) if self.make else None
        except PayloadTooLong:
            return None

    def needed(self) -> tuple[int, int]:
        """(columns, rows) of the smallest window that shows a whole code."""
        make = self.make
        assert make is not None, "asked before the payload is built"
        for version in range(1, 41):
            try:
                make(version)
            except PayloadTooLong:
                continue
            n = 17 + 4 * version + 2 * QUIET
            return n + GAP + SIDE_W, (n + 1) // 2 + self.CHROME_ROWS
        return 0, 0

    def apply_lang(self) -> None:
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        layout, message = self.query_one("#qr-layout"), self.query_one("#qr-message", Static)
        lang, st = self.app.lang, self.app.opened_station
        have_w, have_h = self.size
        payload = self._payload_for(have_w, have_h) if have_w and have_h else None
        if payload is None:
            layout.display, message.display = False, True
            if self.make is None:
                message.update(self.error or self.tr("loading"))
            elif self.RESIDENT:  # a resident is never asked to resize anything
                message.update(f"{st.name}\n\n{self.tr('qr_resident_poster')}")
            else:
                w, h = self.needed()
                message.update(self.tr("qr_too_small", w=w, h=h, cw=have_w, ch=have_h))
            self.payload = None
            return
        if payload != self.payload:
            self.payload = payload
            self.query_one(QrCode).show(payload)
        layout.display, message.display = True, False
        code_w = len(self.query_one(QrCode).lines[0])
        self.query_one("#qr-side").styles.width = max(SIDE_W, min(SIDE_MAX, have_w - code_w - GAP - 2))
        self.query_one("#qr-title", Static).update(st.name if lang == "zh" else f"{st.short_name} ({st.code})")
        if self.ref:
            caption = self.tr("qr_caption_receipt", ref=self.ref)
        elif payload.kind == "url":
            caption = self.tr("qr_caption_url", url=payload.text)
        else:
            caption = self.tr("qr_caption_services")
        if self.RESIDENT:  # nothing for a resident to press: no key hint
            caption = caption.rsplit(" · ", 1)[0]
        self.query_one("#qr-text", Static).update(caption)
        note = self.query_one("#qr-note", Static)
        short = payload.kind == "services" and payload.text != self.full
        note.display = short and not self.RESIDENT
        note.update(self.tr("qr_short_list") if short else "")


class ResidentScreen(QrScreen):
    """The resident-facing view (F9): the station's service-list code and nothing else,
    no key bar. Esc, Enter or F9 bring up the unlock form: only an officer's PIN leaves
    it. The app counts as locked meanwhile (no action, no notification, no idle lock)."""

    SHOWN_WHILE_LOCKED = True
    RESIDENT = True
    CHROME_ROWS = 0
    BINDINGS = [Binding("escape,enter,f9", "leave", "返回", id="back", show=False)]

    def __init__(self) -> None:
        super().__init__(None)

    def action_leave(self) -> None:
        from .unlock import UnlockScreen

        officer = self.app.session.officer if self.app.session else ""
        self.app.open_screen(UnlockScreen("resident", officer=officer, station_name=self.app.opened_station.name))

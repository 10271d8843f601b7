"""A QR code for residents to scan from the laptop screen: the station's service list
(key q on the dashboard) or one consultation's receipt (key r on its detail screen).

The code is drawn black on white with explicit colours, never theme colours, with its
4-module quiet zone, centred, the station name and one caption line under it. When the
terminal is too small the screen says how large it must be: a clipped code is worse
than none, since a phone may read a wrong or partial code without complaint.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Static

from ...qr.payloads import Payload, PayloadTooLong, receipt_payload, service_payload
from ...qr.render import half_block_lines, matrix
from ..base import LiaisonScreen
from ..widgets.keybar import KeyBar

# Pure black and white: the terminal's theme must not tint the code.
CODE_STYLE = Style(color="rgb(0,0,0)", bgcolor="rgb(255,255,255)")
CHROME_ROWS = 3  # name, caption, key bar


class QrCode(Static):
    """The half-block code, exactly as many cells as it needs."""

    lines: list[str] = []

    def show(self, payload: Payload) -> None:
        self.lines = half_block_lines(matrix(payload))
        self.styles.width = len(self.lines[0])
        self.styles.height = len(self.lines)
        self.update(Text("\n".join(self.lines), style=CODE_STYLE, no_wrap=True, overflow="crop"))


class QrScreen(LiaisonScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "返回", id="back")]
    RESIDENT = False

    def __init__(self, consultation_id: str | None = None):
        super().__init__()
        self.consultation_id = consultation_id  # None: the station's service list
        self.payload: Payload | None = None
        self.ref: str | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="qr-box"):
            with Center():  # centres the code alone: the box aligns its children as one block
                yield QrCode(id="qr-code")
            yield Static(id="qr-name")
            yield Static(id="qr-caption")
        yield Static(id="qr-message")
        yield KeyBar()

    def on_mount(self) -> None:
        super().on_mount()
        self.build()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def build(self) -> None:
        """The payload off the UI thread: the office profile and the record are on disk."""
        from ...profiles import office_for

        try:
            station = self.app.station
            office = office_for(station)
            if self.consultation_id is None:
                payload, ref = service_payload(station, office), None
            else:
                c = self.app.store.get(self.consultation_id)
                payload, ref = receipt_payload(c, station, office), c.ref
        except PayloadTooLong as e:
            self.app.call_from_thread(self._built, None, None, e.zh if self.app.lang == "zh" else e.en)
            return
        except Exception as e:  # shown on the screen, the officer goes back with Esc
            self.app.call_from_thread(self._built, None, None, str(e))
            return
        self.app.call_from_thread(self._built, payload, ref, None)

    def _built(self, payload: Payload | None, ref: str | None, error: str | None) -> None:
        self.payload, self.ref, self.error = payload, ref, error
        if payload is not None:
            self.query_one(QrCode).show(payload)
        self.apply_lang()

    def needed(self) -> tuple[int, int]:
        """(columns, rows) the whole screen needs: the code, name, caption, key bar."""
        code = self.query_one(QrCode)
        return len(code.lines[0]), len(code.lines) + CHROME_ROWS

    def apply_lang(self) -> None:
        box, message = self.query_one("#qr-box"), self.query_one("#qr-message", Static)
        if self.payload is None:
            box.display = False
            message.display = True
            message.update(self.error or self.tr("loading"))
            return
        st = self.app.station
        self.query_one("#qr-name", Static).update(st.name if self.app.lang == "zh" else f"{st.short_name} ({st.code})")
        if self.ref:
            caption = self.tr("qr_caption_receipt", ref=self.ref)
        elif self.payload.kind == "url":
            caption = self.tr("qr_caption_url", url=self.payload.text)
        else:
            caption = self.tr("qr_caption_services")
        if self.RESIDENT:  # nothing for a resident to press: no key hint
            caption = caption.rsplit(" · ", 1)[0]
        self.query_one("#qr-caption", Static).update(caption)
        self._fit()

    def on_resize(self) -> None:
        if self.payload is not None:
            self._fit()

    def _fit(self) -> None:
        need_w, need_h = self.needed()
        have_w, have_h = self.size
        fits = have_w >= need_w and have_h >= need_h
        self.query_one("#qr-box").display = fits
        message = self.query_one("#qr-message", Static)
        message.display = not fits
        if not fits:
            message.update(self.tr("qr_too_small", w=need_w, h=need_h, cw=have_w, ch=have_h))


class ResidentScreen(QrScreen):
    """The resident-facing view (F9): the station's service-list code and nothing else,
    no key bar. Esc, Enter or F9 bring up the unlock form: only an officer's PIN leaves
    it. The app counts as locked meanwhile (no action, no notification, no idle lock)."""

    SHOWN_WHILE_LOCKED = True
    RESIDENT = True
    BINDINGS = [Binding("escape,enter,f9", "leave", "返回", id="back", show=False)]

    def __init__(self) -> None:
        super().__init__(None)

    def compose(self) -> ComposeResult:
        with Vertical(id="qr-box"):
            with Center():
                yield QrCode(id="qr-code")
            yield Static(id="qr-name")
            yield Static(id="qr-caption")
        yield Static(id="qr-message")

    def action_leave(self) -> None:
        from .unlock import UnlockScreen

        officer = self.app.session.officer if self.app.session else ""
        self.app.push_screen(UnlockScreen("resident", officer=officer, station_name=self.app.station.name))

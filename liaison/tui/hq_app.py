"""The district office's dashboard (`liaison hq`). `build_hq_app` is the one way to make it.

A separate small App from the station's: the office has no station store, no intake
and no PIN, only the SQLite database the nightly ingest fills. It shares the station
app's stylesheet, key bar, language switch and screen base (`app.store` is the opened
Office here; screens reload when `revision` grows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive

from .bindings import localize_bindings
from .messages import StoreFailed
from .screens.hq_dashboard import HqDashboardScreen

if TYPE_CHECKING:
    from ..hq.office import Office


@dataclass
class OfficeOpened(Message):
    office: "Office"


class HqApp(App[None]):
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"
    TITLE = "liaison hq"
    BINDINGS = [
        Binding("ctrl+g", "toggle_lang", "English", id="lang"),
        Binding("ctrl+t", "toggle_theme", "明暗", id="theme", show=False),
        Binding("ctrl+q", "quit", "退出", id="quit", priority=True),
    ]

    lang: reactive[str] = reactive("zh")
    revision: reactive[int] = reactive(0)  # bumped to make the screens read the database again

    def __init__(self, home: Path, *, today: date | None = None, lang: str = "zh"):
        super().__init__()
        self.home = Path(home)
        self._today = today
        self.set_reactive(HqApp.lang, lang)
        self.store: Office | None = None
        self.theme = "textual-dark"

    def today(self) -> date:
        """Today in Shanghai (fixed in tests so the figures are known)."""
        if self._today is None:
            from ..domain.timeutil import today

            return today()
        return self._today

    def get_default_screen(self) -> HqDashboardScreen:
        return HqDashboardScreen()

    def on_mount(self) -> None:
        localize_bindings(self, self.lang)
        self.call_after_refresh(self.open_office)  # the frame first, then the disk

    @work(thread=True, exit_on_error=False, group="store")
    def open_office(self) -> None:
        from ..hq.office import Office

        try:
            office = Office(self.home)
        except Exception as e:  # shown on screen; the app stays usable to quit
            self.post_message(StoreFailed(str(e)))
            return
        self.post_message(OfficeOpened(office))

    def on_office_opened(self, message: OfficeOpened) -> None:
        self.store = message.office
        self.sub_title = message.office.name
        self.revision += 1

    def on_store_failed(self, message: StoreFailed) -> None:
        self.notify(message.error, severity="error", timeout=30)

    def action_reload(self) -> None:
        if self.store is not None:
            self.revision += 1

    def watch_lang(self, lang: str) -> None:
        localize_bindings(self, lang)

    def action_toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()


def build_hq_app(home: Path, *, today: date | None = None, lang: str = "zh") -> HqApp:
    return HqApp(home, today=today, lang=lang)

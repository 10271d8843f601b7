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
from textual.message import Message

from .app_base import BaseApp
from .bindings import localize_bindings
from .messages import StoreFailed
from .screens.hq_dashboard import HqDashboardScreen

if TYPE_CHECKING:
    from ..hq.office import Office


@dataclass
class OfficeOpened(Message):
    office: "Office"


class HqApp(BaseApp):
    TITLE = "liaison hq"

    def __init__(self, home: Path, *, today: date | None = None, lang: str = "zh"):
        super().__init__(home, today=today, lang=lang)
        self.store: Office | None = None

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

    def action_reload(self) -> None:
        if self.store is not None:
            self.revision += 1



def build_hq_app(home: Path, *, today: date | None = None, lang: str = "zh") -> HqApp:
    return HqApp(home, today=today, lang=lang)

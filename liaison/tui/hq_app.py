"""The district office's dashboard (`liaison hq`). `build_hq_app` is the one way to make it.

A separate small App from the station's: the office has no station store and no
intake, only the SQLite database the nightly ingest fills. The CLI unlocks it with an
office officer's PIN before the app starts (hq.staff) and hands over the Staff; the
app shares the station app's stylesheet, key bar, language switch and screen base
(`app.store` is the Office here; screens reload when `revision` grows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual.message import Message

from .app_base import BaseApp
from .bindings import localize_bindings
from .screens.hq_dashboard import HqDashboardScreen

if TYPE_CHECKING:
    from ..hq.office import Office
    from ..hq.staff import Staff


@dataclass
class OfficeOpened(Message):
    office: "Office"


class HqApp(BaseApp):
    TITLE = "liaison hq"

    def __init__(self, staff: "Staff", *, today: date | None = None, lang: str = "zh"):
        super().__init__(staff.office.home, today=today, lang=lang)
        self.staff = staff
        self.store: Office | None = None

    def get_default_screen(self) -> HqDashboardScreen:
        return HqDashboardScreen()

    def on_mount(self) -> None:
        localize_bindings(self, self.lang)
        self.call_after_refresh(self.post_message, OfficeOpened(self.staff.office))  # the frame first

    def on_office_opened(self, message: OfficeOpened) -> None:
        self.store = message.office
        self.sub_title = message.office.name
        self.revision += 1

    def action_reload(self) -> None:
        if self.store is not None:
            self.revision += 1



def build_hq_app(staff: "Staff", *, today: date | None = None, lang: str = "zh") -> HqApp:
    return HqApp(staff, today=today, lang=lang)

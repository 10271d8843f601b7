"""Follow-ups due today and overdue, oldest first; Enter opens one."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from ..base import LiaisonScreen
from ..widgets.keybar import KeyBar
from ..widgets.record_list import RecordList


class FollowUpsScreen(LiaisonScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "返回", id="back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="followups-title", classes="section-title")
        yield RecordList(id="followups")
        yield KeyBar()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(RecordList).focus()

    def apply_lang(self) -> None:
        self.query_one(RecordList).lang = self.app.lang
        self.query_one(RecordList).refresh()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        rows = self.app.opened_store.index.search("", due_by=self.app.today())
        rows.sort(key=lambda r: (r.follow_up_on, r.ref))
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list) -> None:
        today = self.app.today().isoformat()
        overdue = sum(1 for r in rows if r.follow_up_on < today)
        self.query_one("#followups-title", Static).update(
            f"{self.tr('due_today')}: {len(rows) - overdue}    {self.tr('overdue')}: {overdue}")
        self.query_one(RecordList).set_rows(rows)

    def on_record_list_chosen(self, event: RecordList.Chosen) -> None:
        if event.row is not None:
            self.app.open_detail(event.row.id)

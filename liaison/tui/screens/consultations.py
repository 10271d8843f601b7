"""Every consultation of the station, newest first, with search-as-you-type and filters."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Input, Select, Static

from ...domain.search import Query
from ...domain.vocab import CATEGORIES, STATUSES
from ..base import LiaisonScreen
from ..i18n import category, status
from ..widgets.record_list import RecordList


class ConsultationsScreen(LiaisonScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "返回", id="back"),
        Binding("ctrl+n", "app.new", "新建", id="new"),
        Binding("ctrl+f", "focus_search", "搜索", id="search"),
        Binding("ctrl+d", "toggle_due", "到期", id="due"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._last: tuple[Query, list] | None = None  # previous result, to narrow
        self.due_only = False
        self._asked = 0  # numbers searches, so a late answer to an older one is dropped
        self.shown = 0  # the number of the search whose answer is on screen

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(id="search")
        with Horizontal(id="filters"):
            yield Select([], id="status-filter", allow_blank=True)
            yield Select([], id="category-filter", allow_blank=True)
            yield Static(id="count")
        yield RecordList(id="records")
        yield Footer()

    def apply_lang(self) -> None:
        lang = self.app.lang
        self.query_one("#search", Input).placeholder = self.tr("search_placeholder")
        sf = self.query_one("#status-filter", Select)
        sf.prompt = self.tr("all_statuses")
        sf.set_options([(status(c, lang), c) for c in STATUSES])
        cf = self.query_one("#category-filter", Select)
        cf.prompt = self.tr("all_categories")
        cf.set_options([(category(c, lang), c) for c in CATEGORIES])
        self.query_one(RecordList).lang = lang
        self.query_one(RecordList).refresh()

    def refresh_data(self) -> None:
        self._last = None
        self.run_search()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#search", Input).focus()

    @on(Input.Changed, "#search")
    @on(Select.Changed)
    def _criteria_changed(self) -> None:
        self.run_search()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_toggle_due(self) -> None:
        self.due_only = not self.due_only
        self._last = None
        self.run_search()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(RecordList).focus()

    def _filters(self) -> tuple[str | None, str | None]:
        def value(sel: Select) -> str | None:
            return None if sel.is_blank() else str(sel.value)
        return value(self.query_one("#status-filter", Select)), value(self.query_one("#category-filter", Select))

    def run_search(self) -> None:
        if self.app.store is None:
            return
        text = self.query_one("#search", Input).value
        st, cat = self._filters()
        self._asked += 1
        self._search(self._asked, text, st, cat, self.due_only)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def _search(self, asked: int, text: str, st: str | None, cat: str | None, due: bool) -> None:
        """Off the UI thread. A thread cannot be interrupted, so an older search may
        still finish after a newer one started: its answer is then dropped."""
        index = self.app.store.index
        q = Query.parse(text)
        within = None
        if self._last is not None and not q.empty and q.narrows(self._last[0]) and not (st or cat or due):
            within = self._last[1]  # typing more letters: filter the last result only
        rows = index.search(q, status=st, category=cat, due_by=self.app.today() if due else None, within=within)
        self.app.call_from_thread(self._show, asked, rows, (q, rows) if not (st or cat or due) else None)

    def _show(self, asked: int, rows: list, last: tuple | None) -> None:
        if asked != self._asked:
            return
        self._last = last
        self.shown = asked
        self.query_one(RecordList).set_rows(rows)
        due = f" · {self.tr('due')}" if self.due_only else ""
        self.query_one("#count", Static).update(self.tr("count", n=len(rows)) + due)

    def on_record_list_chosen(self, event: RecordList.Chosen) -> None:
        self.app.open_detail(event.row.id)

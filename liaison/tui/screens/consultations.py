"""Every consultation of the station, newest first, with search-as-you-type and filters."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Input, Static
from textual.worker import Worker, WorkerState

from ...domain.search import Query
from ...domain.vocab import CATEGORIES, STATUSES
from ..base import LiaisonScreen
from ..i18n import category, status
from ..typeahead import TypeAhead, typeahead_bindings
from ..widgets.keybar import KeyBar
from ..widgets.record_list import RecordList
from .modals import PickScreen

# Filtering the previous result row by row beats a fresh scan of the whole index (one
# C-level pass, ~6 ms at 50 000 records) only while that result is small.
NARROW_MAX = 5_000
# The first answer to a keystroke: a few screenfuls of the newest matches, found by a
# scan that stops early; the whole result follows from a worker.
FIRST_PAGE = 200


class ConsultationsScreen(TypeAhead, LiaisonScreen):
    BINDINGS = [
        # Enter in the search (on to the rows), arrows, Tab: taken in turn with what is
        # typed (typeahead.py), so `停车⏎⏎` searches first and then opens.
        *typeahead_bindings(),
        Binding("escape", "app.pop_screen", "返回", id="back", priority=True),
        Binding("ctrl+n", "app.new", "新建", id="new"),
        Binding("ctrl+f", "focus_search", "搜索", id="search"),
        # priority: the search box has focus and would take ctrl+d / F-keys itself
        Binding("f2", "pick_status", "状态", id="status", priority=True),
        Binding("f3", "pick_category", "类别", id="category", priority=True),
        Binding("ctrl+d", "toggle_due", "到期", id="due", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._last: tuple[Query, list] | None = None  # previous result, to narrow
        self.due_only = False
        self.status: str | None = None
        self.category: str | None = None
        self._asked = 0  # numbers searches, so a late answer to an older one is dropped
        self.shown = 0  # the number of the search whose answer is on screen
        self.complete = True  # whether that answer is the whole result
        self._criteria: tuple | None = None  # what the last search was asked for
        self._open_pending = False  # Enter came before the answer to the latest search

    def compose(self) -> ComposeResult:
        # Filters are a line of text and two pick dialogs, not Select widgets: each
        # Select is a dozen nodes to style, and the list must open in under 100 ms.
        yield Header()
        yield Input(id="search", placeholder=self.tr("search_placeholder"))
        yield Static(id="filters")
        yield RecordList(id="records")
        yield KeyBar()

    def apply_lang(self) -> None:
        self.query_one("#search", Input).placeholder = self.tr("search_placeholder")
        self.query_one(RecordList).lang = self.app.lang
        self.query_one(RecordList).refresh()
        self._show_filters()

    AUTO_FOCUS = "#search"

    def on_mount(self) -> None:
        # Not super().on_mount(): Textual calls LiaisonScreen.on_mount itself (every class
        # of the MRO gets the event), and calling it here too ran the first search twice
        # and watched `revision` twice (two searches after every save).
        self.set_focus(self.query_one("#search", Input))  # now: keys typed after `l` search

    def refresh_data(self) -> None:
        self._last = None
        if self in self.app.screen_stack:
            self.run_search(force=True)
        else:
            # Built ahead (app.prepare_list) or left with Esc: nobody sees it, so no
            # search per save; the next `l` searches afresh (start_over).
            self._criteria = None

    @on(Input.Changed, "#search")
    def _criteria_changed(self) -> None:
        self.run_search()

    def action_pick_status(self) -> None:
        lang = self.app.lang
        choices = [(status(c, lang), c) for c in STATUSES]  # numbered as everywhere; "all" is 0
        self.app.open_screen(PickScreen(self.tr("status"), choices, self.status or "",
                                        all_label=self.tr("all_statuses")), self._set_status)

    def action_pick_category(self) -> None:
        lang = self.app.lang
        choices = [(category(c, lang), c) for c in CATEGORIES]
        self.app.open_screen(PickScreen(self.tr("category"), choices, self.category or "",
                                        all_label=self.tr("all_categories")), self._set_category)

    def _set_status(self, value: str | None) -> None:
        if value is not None:
            self.status = value or None
            self.run_search()

    def _set_category(self, value: str | None) -> None:
        if value is not None:
            self.category = value or None
            self.run_search()

    def start_over(self) -> None:
        """Opened again from elsewhere (`l`): an empty search with the focus, so what
        the officer types next searches. Synchronous (before the screen is shown), so
        keys typed right after `l` already land in the search box."""
        if not self.is_mounted:
            return  # the first time: built fresh, with AUTO_FOCUS on the search
        search = self.query_one("#search", Input)
        self._end_pending()
        self.status = self.category = None  # as a screen built afresh: no filter left over
        self.due_only = False
        if search.value:
            search.value = ""  # its Changed event comes later and finds nothing new to ask
        self.run_search()  # only if what it would ask or the records changed since
        self.set_focus(search)

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_toggle_due(self) -> None:
        self.due_only = not self.due_only
        self._last = None
        self.run_search()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(RecordList).focus()

    def _filters(self) -> tuple[str | None, str | None]:
        return self.status, self.category

    def _show_filters(self, count: int | None = None, partial: int | None = None) -> None:
        lang = self.app.lang
        parts = [
            f"[b]F2[/b] {status(self.status, lang) if self.status else self.tr('all_statuses')}",
            f"[b]F3[/b] {category(self.category, lang) if self.category else self.tr('all_categories')}",
            f"[b]^D[/b] {self.tr('due')}: {'✓' if self.due_only else '—'}",
        ]
        if count is not None:
            self._count = count
        if count is None and partial is not None:
            parts.append(self.tr("count", n=f"{partial}+"))  # the rest is being counted
        elif getattr(self, "_count", None) is not None:
            parts.append(self.tr("count", n=self._count))
        # Fixed height in the stylesheet, so no relayout of the screen per keystroke.
        self.query_one("#filters", Static).update("   ".join(parts), layout=False)

    def run_search(self, force: bool = False) -> None:
        if self.app.store is None:
            return
        text = self.query_one("#search", Input).value
        st, cat = self._filters()
        criteria = (text, st, cat, self.due_only)
        if criteria == self._criteria and not force:
            return  # e.g. a Select re-labelled on a language switch: nothing to search
        self._criteria = criteria
        self._asked += 1
        if self.app.store.index.warm_ready:
            # A warm index answers a first screenful in a few ms, less than a round
            # trip through a worker thread costs (~25 ms measured), so the keystroke is
            # answered right here; a large result is then completed in a worker.
            rows, last, complete = self._query(text, st, cat, self.due_only, limit=FIRST_PAGE)
            self._show(self._asked, rows, last, complete)
            if not complete:  # after the first screenful is painted: the worker takes the GIL
                self.call_after_refresh(self._search, self._asked, text, st, cat, self.due_only)
            return
        self._search(self._asked, text, st, cat, self.due_only)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def _search(self, asked: int, text: str, st: str | None, cat: str | None, due: bool) -> None:
        """The whole result, off the UI thread (and the first search after start,
        while the index is still being prepared). A thread cannot be interrupted, so
        an older search may still finish after a newer one started: its answer is
        then dropped."""
        if asked != self._asked:
            return  # typed on already: a newer search is coming
        self.app.call_from_thread(self._show, asked, *self._query(text, st, cat, due))

    def _query(self, text: str, st: str | None, cat: str | None, due: bool,
               limit: int | None = None) -> tuple[list, tuple | None, bool]:
        """(rows, what later keystrokes may narrow, whether rows is the whole result)"""
        index = self.app.opened_store.index
        q = Query.parse(text)
        within = None
        if (self._last is not None and not q.empty and q.narrows(self._last[0])
                and len(self._last[1]) <= NARROW_MAX and not (st or cat or due)):
            within = self._last[1]  # typing more letters: filter the last result only
        limited = limit is not None and within is None and not q.empty and not (st or cat or due)
        rows = index.search(q, status=st, category=cat, due_by=self.app.today() if due else None,
                            within=within, limit=limit if limited else None)
        complete = limit is None or not limited or len(rows) < limit
        return rows, ((q, rows) if complete and not (st or cat or due) else None), complete

    def _show(self, asked: int, rows: list, last: tuple | None, complete: bool = True) -> None:
        if asked != self._asked:
            return
        self._last = last
        self.shown = asked
        self.complete = complete
        self.query_one(RecordList).set_rows(rows)
        self._show_filters(len(rows) if complete else None, partial=len(rows))
        if self._open_pending:  # Enter was typed ahead of this answer: open its first row
            current = self.query_one(RecordList).current
            if current is not None:
                self.app.open_detail(current.id)  # holds the keys itself, for the record
            self._end_pending()

    def _end_pending(self) -> None:
        self._open_pending = False
        self.app.release_keys(self)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "search" and event.state == WorkerState.ERROR:
            self._end_pending()  # no answer is coming: what was typed goes on to the list

    def on_unmount(self) -> None:
        self.app.release_keys(self)

    def on_record_list_chosen(self, event: RecordList.Chosen) -> None:
        self.run_search()  # the search typed just before Enter may not be asked yet
        if self.shown != self._asked:
            # The rows on screen answer an older search: the officer's Enter is for the
            # one just typed, so it opens that answer's highlighted row when it comes.
            self._open_pending = True
            self.app.hold_keys(self)  # what is typed next (`e` …) is for that record's screen
            return
        rows = self.query_one(RecordList)
        # Rows answering that search may have come between the Enter and now (its last
        # character's change reached the screen after the list's Enter): the Enter is
        # for them, so it opens their highlighted row, not the one it was pressed on.
        row = event.row if event.shown == rows.shown else rows.current
        if row is not None:
            self.app.open_detail(row.id)

"""The first screen: today's session, visits, follow-ups due, what is not yet exported."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Static

from ...reports.station_summary import Summary, summarise
from ..base import LiaisonScreen
from ..i18n import category
from ..widgets.keybar import KeyBar
from ..widgets.record_list import RecordList


def figures(home, rows: list, today) -> tuple[Summary, dict | None, int]:
    """(the dashboard's figures of `rows` — an index's newest_first(include_deleted=True)
    — the last sync, and the export checkpoint the figures count from)."""
    from ...sync.status import sync_status  # here: it loads orjson, not needed for the unlock screen

    sync = sync_status(home)
    return summarise(rows, today, sync["checkpoint"]), sync["last_sync"], sync["checkpoint"]


class DashboardScreen(LiaisonScreen):
    BINDINGS = [
        # priority: done (the screen up) before the app takes the next key, so what is
        # typed right after `n` or `l` lands on the new screen (issue 13, type-ahead)
        Binding("n", "app.new", "新建", id="new", priority=True),
        Binding("l", "app.list", "列表", id="list", priority=True),
        Binding("f", "app.followups", "回访", id="followups"),
        Binding("q", "app.qr", "二维码", id="qr"),
        Binding("t", "app.ledger", "台账", id="ledger"),
        Binding("f9", "app.resident", "居民模式", id="resident"),
        Binding("s", "switch_station", "站点", id="switch_station"),
    ]

    def action_switch_station(self) -> None:
        from .stations import open_station_switch

        open_station_switch(self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="dashboard"):
            yield Static(id="station-line")
            with Horizontal(id="tiles"):
                for tile in ("today", "week", "due", "overdue", "unexported"):
                    yield Static(id=f"tile-{tile}", classes="tile")
            yield Static(id="by-category")
            yield Static(id="due-title", classes="section-title")
            yield RecordList(id="due-list")
        yield KeyBar()

    _refreshed = False  # refresh_data has run: a language switch recomputes, as a data change does

    def apply_lang(self) -> None:
        self.query_one(RecordList).lang = self.app.lang
        if self.app.store is None or not self._refreshed:
            # At mount the figures follow at once (LiaisonScreen.on_mount): not twice.
            self.query_one("#station-line", Static).update(self.tr("loading"))
        else:
            self.refresh_data()

    def refresh_data(self) -> None:
        self._refreshed = True
        ready = self.app.take_figures()  # counted as the store opened
        if ready is not None:
            self.show(*ready[:2])  # before the first frame of the screen: it is painted once, with them
        else:
            self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def compute(self) -> None:
        store = self.app.opened_store
        summary, last_sync, _ = figures(store.home, store.index.newest_first(include_deleted=True), self.app.today())
        self.app.call_from_thread(self.show, summary, last_sync)

    def _last_sync(self, last: dict | None) -> str:
        if not last:
            return f"{self.tr('sync_short')} {self.tr('never')}"
        ok = last.get("result") == "ok"
        when = str(last.get("at", ""))[5:16].replace("T", " ")
        return f"{self.tr('sync_short')} {when} {'✓' if ok else '⚠'}"

    def show(self, s: Summary, last_sync: dict | None = None) -> None:
        st = self.app.opened_station
        lang = self.app.lang
        name = st.name if lang == "zh" else f"{st.short_name} ({st.code})"
        self.query_one("#station-line", Static).update(
            f"[b]{name}[/b]\n{st.place} · {self.tr('schedule')}: {st.schedule}"
        )
        tiles = {
            "today": (self.tr("tile_today"), f"{s.visits_today}", f"{s.people_today} {self.tr('people')}"),
            "week": (self.tr("week_visits"), f"{s.visits_week}", ""),
            # Short titles: five tiles share 80 columns on a small laptop screen.
            "due": (self.tr("tile_due"), f"{len(s.due_today)}", ""),
            "overdue": (self.tr("tile_overdue"), f"{len(s.overdue)}", ""),
            "unexported": (self.tr("tile_unexported"), f"{s.unexported}", self._last_sync(last_sync)),
        }
        for key, (title, number, sub) in tiles.items():
            tile = self.query_one(f"#tile-{key}", Static)
            tile.update(f"{title}\n[b]{number}[/b]\n[dim]{sub}[/dim]")
            tile.set_class(key == "overdue" and len(s.overdue) > 0, "-alert")
        cats = "  ".join(f"{category(c, lang)} {n}" for c, n in s.week_by_category.items()) or "—"
        self.query_one("#by-category", Static).update(f"{self.tr('by_category')}: {cats}")
        due = s.overdue + s.due_today
        self.query_one("#due-title", Static).update(
            f"{self.tr('due_today')} / {self.tr('overdue')}" if due else self.tr("nothing_due"))
        self.query_one(RecordList).set_rows(due)
        # Once these figures are painted: preparing search competes for the GIL.
        self.set_timer(0.3, self.app.warm_search)

    def on_record_list_chosen(self, event: RecordList.Chosen) -> None:
        if event.row is not None:
            self.app.open_detail(event.row.id)

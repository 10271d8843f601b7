"""The monthly ledger (台账) on screen: the rows the district office expects, totals,
the summary paragraph; `[` / `]` change month, `x` writes it as XLSX.

The column headings stay Chinese in both languages: the ledger is an official form.
A month has tens to a few hundred rows, so a DataTable is the right widget here."""

from __future__ import annotations


from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from ...reports import ledger as lg
from ..base import LiaisonScreen
from ..widgets.keybar import KeyBar


def _shift(month: str, delta: int) -> str:
    y, m = int(month[:4]), int(month[5:7]) + delta
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return f"{y:04d}-{m:02d}"


class LedgerScreen(LiaisonScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "返回", id="back"),
        Binding("left_square_bracket", "month(-1)", "上月", id="prev_month", key_display="["),
        Binding("right_square_bracket", "month(1)", "下月", id="next_month", key_display="]"),
        Binding("x", "export", "导出Excel", id="export_xlsx"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.month = ""
        self.ledger: lg.Ledger | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="ledger"):
            yield Static(id="ledger-title", classes="section-title")
            yield DataTable(id="ledger-rows", zebra_stripes=True, cursor_type="row")
            yield Static(id="ledger-totals")
            yield Static(id="ledger-summary")
        yield KeyBar()

    def on_mount(self) -> None:
        self.month = self.app.today().isoformat()[:7]
        super().on_mount()
        table = self.query_one(DataTable)
        for h, w in zip(lg.HEADERS, (4, 10, 18, 12, 40, 24, 30, 8, 10)):
            table.add_column(h, width=w)

    def refresh_data(self) -> None:
        self.load(self.month)

    def action_month(self, delta: int) -> None:
        self.month = _shift(self.month, delta)
        self.load(self.month)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self, month: str) -> None:
        store = self.app.store
        wanted = [r for r in store.index.newest_first() if r.visited_at[:7] == month]
        records = [c.to_dict() for c in store.load(wanted)]
        ledger = lg.build(records, month, self.app.station.name, self.app.today())
        self.app.call_from_thread(self._show, ledger)

    def _show(self, ledger: lg.Ledger) -> None:
        self.ledger = ledger
        self.query_one("#ledger-title", Static).update(f"{ledger.title}   [dim]{ledger.month}[/dim]")
        table = self.query_one(DataTable)
        table.clear()
        for row in ledger.rows:
            table.add_row(*(str(c) for c in row))
        cats = "  ".join(f"{lab} {n}" for lab, n in ledger.by_category if n)
        stats = "  ".join(f"{lab} {n}" for lab, n in ledger.by_status if n)
        self.query_one("#ledger-totals", Static).update(
            f"{lg.CAT_SECTION}: {cats or '—'}\n{lg.STATUS_SECTION}: {stats or '—'}\n{lg.TOTAL}: {len(ledger.rows)}")
        self.query_one("#ledger-summary", Static).update(ledger.summary)

    def action_export(self) -> None:
        if self.ledger is not None:
            self._export(self.ledger)

    @work(thread=True, exit_on_error=False)
    def _export(self, ledger: lg.Ledger) -> None:
        path = self.app.exports_dir / f"{self.app.station.id}-{ledger.month}.xlsx"
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            lg.write_xlsx(ledger, path)
        except OSError as e:
            self.app.call_from_thread(self.notify, f"{self.tr('save_failed', error=e.strerror)}", severity="error")
            return
        self.app.audit_now("report", ledger.month, {"count": len(ledger.rows), "xlsx": path.name})
        self.app.call_from_thread(self.notify, self.tr("ledger_written", path=str(path)), timeout=15)

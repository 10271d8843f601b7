"""The monthly ledger (台账) on screen: the rows the district office expects, totals,
the summary paragraph; `[` / `]` change month, `x` writes it as XLSX.

The exported XLSX is the official form and stays Chinese; on screen the ledger follows
the interface language (an English-reading officer checks the same rows and totals).
A month has tens to a few hundred rows, so a DataTable is the right widget here."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from ...domain.masking import mask_name, mask_phone
from ...domain.text import safe_value
from ...domain.vocab import CATEGORIES, DONE_STATUSES, REFERRALS, STATUSES, label
from ...reports import ledger as lg
from ..app_base import ERROR_TIMEOUT
from ..base import LiaisonScreen
from ..widgets.keybar import KeyBar

EN_HEADERS = ("No.", "Date", "Visitor", "Category", "Summary", "Requests", "Handling / referrals", "Status",
              "Follow-up")
WIDTHS = (4, 10, 18, 12, 40, 24, 30, 8, 10)


def _en_row(i: int, r: dict) -> tuple[str, ...]:
    """A ledger row in English (lg.build makes the Chinese one the office receives)."""
    v = r.get("visitor") or {}
    who = " ".join(x for x in (mask_name(v.get("name")), mask_phone(v.get("phone"))) if x)
    who = "anonymous" if v.get("anonymous") or not who else who
    if int(v.get("party_size") or 1) > 1:
        who += f" +{v['party_size']}"
    refs = ", ".join(label(REFERRALS, c, "en") for c in r.get("referrals") or ())
    handling = "\n".join(x for x in ((r.get("advice") or "").strip(), f"Referred to: {refs}" if refs else "") if x)
    return tuple(map(safe_value, (str(i), r["visited_at"][:10], who, label(CATEGORIES, r["category"], "en"),
                                  r["summary"], r.get("requests") or "", handling,
                                  label(STATUSES, r["status"], "en"), r.get("follow_up_on") or "")))


def _en_text(ledger: "lg.Ledger", mine: list[dict]) -> tuple[str, str, str]:
    """Title, totals and summary in English, from the same rows as the Chinese ledger."""
    n = len(mine)
    cats = "  ".join(f"{label(CATEGORIES, c, 'en')} {k}" for c in CATEGORIES
                     if (k := sum(r["category"] == c for r in mine)))
    stats = "  ".join(f"{label(STATUSES, s, 'en')} {k}" for s in STATUSES
                      if (k := sum(r["status"] == s for r in mine)))
    totals = f"By category: {cats or '—'}\nBy status: {stats or '—'}\nTotal: {n}"
    if not n:
        return f"Visits ledger {ledger.month}", totals, f"{ledger.month}: no consultations were logged."
    people = sum(int((r.get("visitor") or {}).get("party_size") or 1) for r in mine)
    done = sum(r["status"] in DONE_STATUSES for r in mine)
    late = f" ({', '.join(ledger.overdue_refs)})" if ledger.overdue_refs else ""
    summary = (f"{ledger.month}: {n} consultations, {people} people. Resolved or closed {done} "
               f"({done / n:.1%}); still being handled {n - done}. "
               f"Follow-ups overdue: {len(ledger.overdue_refs)}{late}.")
    return f"Visits ledger {ledger.month}", totals, summary


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
        self._records: list[dict] = []

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

    def apply_lang(self) -> None:
        if self.ledger is not None:
            self._show(self.ledger, self._records)

    def refresh_data(self) -> None:
        self.load(self.month)

    def action_month(self, delta: int) -> None:
        self.month = _shift(self.month, delta)
        self.load(self.month)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self, month: str) -> None:
        store = self.app.opened_store
        wanted = [r for r in store.index.newest_first() if r.visited_at[:7] == month]
        records = [c.to_dict() for c in store.load(wanted)]
        ledger = lg.build(records, month, self.app.opened_station.name, self.app.today())
        mine = sorted((r for r in records if not r.get("deleted")), key=lambda r: (r["visited_at"], r["ref"]))
        self.app.call_from_thread(self._show, ledger, mine)

    def _show(self, ledger: lg.Ledger, mine: list[dict]) -> None:
        self.ledger, self._records = ledger, mine
        zh = self.app.lang == "zh"
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for h, w in zip(lg.HEADERS if zh else EN_HEADERS, WIDTHS, strict=True):
            table.add_column(h, width=w)
        if zh:
            cats = "  ".join(f"{lab} {n}" for lab, n in ledger.by_category if n)
            stats = "  ".join(f"{lab} {n}" for lab, n in ledger.by_status if n)
            title, summary = ledger.title, ledger.summary
            totals = f"{lg.CAT_SECTION}: {cats or '—'}\n{lg.STATUS_SECTION}: {stats or '—'}\n{lg.TOTAL}: {len(ledger.rows)}"
            rows = ledger.rows
        else:
            title, totals, summary = _en_text(ledger, mine)
            rows = [_en_row(i, r) for i, r in enumerate(mine, 1)]
        for row in rows:
            table.add_row(*(str(c) for c in row))
        self.query_one("#ledger-title", Static).update(f"{title}   [dim]{ledger.month}[/dim]")
        self.query_one("#ledger-totals", Static).update(totals)
        self.query_one("#ledger-summary", Static).update(summary)

    def action_export(self) -> None:
        if self.ledger is not None:
            self._export(self.ledger)

    @work(thread=True, exit_on_error=False)
    def _export(self, ledger: lg.Ledger) -> None:
        path = self.app.exports_dir / f"{self.app.opened_station.id}-{ledger.month}.xlsx"
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            lg.write_xlsx(ledger, path)
        except OSError as e:
            self.app.call_from_thread(self.notify, f"{self.tr('save_failed', error=e.strerror)}", severity="error",
                                 timeout=ERROR_TIMEOUT)
            return
        self.app.audit_now("report", ledger.month, {"count": len(ledger.rows), "xlsx": path.name})
        self.app.call_from_thread(self.notify, self.tr("ledger_written", path=str(path)))

"""The office dashboard: each station's sync state, this week's visits with an eight-week
sparkline, this week by category, open clusters (类案) and overdue follow-ups.

The figures come from liaison.hq.report (the same numbers as `liaison hq report`),
computed in a worker; this screen only lays them out as text. Plain text bars keep
the dashboard free of a charting dependency and readable over SSH.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Header, Static

from ...hq.lock import OfficeBusy
from ...hq.quarantine import Quarantine
from ...hq.report import build_report
from ...hq.visits import iso_week, week_start
from ...security.errors import SecurityError
from ..base import LiaisonScreen
from ..i18n import category
from ..widgets.keybar import KeyBar
from ..widgets.overdue_lines import OverdueLines, OverdueView, overdue_view, station_label
from ..widgets.record_list import fit, row

if TYPE_CHECKING:
    from ...hq.office import Office
    from ...security.records_key import Opener
    from ..hq_app import HqApp

WEEKS = 8  # the sparkline's span: two months shows a trend without crowding the tile
CLUSTER_DAYS = 90  # "open" clusters: those with visits in the last three months
BLOCKS = "▁▂▃▄▅▆▇█"
PENDING = object()  # the clusters are being counted
# What a locked, busy or damaged office database (or an unreadable quarantine folder,
# a sealed part that does not open) raises: said on screen, and the app stays usable.
# Anything else is a bug, and surfaces as one (the crash log).
UNREADABLE = (sqlite3.Error, OSError, OfficeBusy, SecurityError)


def sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    if not top:
        return "·" * len(values)
    # Any visit shows at least the lowest block, so a quiet week is not mistaken for none.
    return "".join("·" if v == 0 else BLOCKS[max(0, round(v / top * len(BLOCKS)) - 1)] for v in values)


def bar(share: float, width: int) -> str:
    """A horizontal bar `share` (0–1) of `width` cells, in eighths of a cell; any
    share shows at least one eighth."""
    eighths = max(1, round(share * width * 8))
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def open_clusters(office: Office, opener: Opener, since: date, altered: list[str] | None = None) -> int:
    """How many clusters liaison.reports.clusters finds among visits since `since`
    (a part of the office's view that did not open is named in `altered`)."""
    from ...hq import cluster_index
    from ...reports.clusters import find_clusters_columns  # numpy and numba: not before the figures

    # Only the window's records are read: the clusters would drop the others.
    return len(find_clusters_columns(cluster_index.columns(office.db, opener, since.isoformat(), altered=altered),
                                     since=since.isoformat()))


class HqDashboardScreen(LiaisonScreen):
    BINDINGS = [
        Binding("r", "app.reload", "刷新", id="reload"),
        Binding("tab", "app.focus_next", "切换列表", id="next-list"),  # the tables, the panels, the overdue list
        Binding("q", "app.quit", "退出", id="quit"),
    ]

    @property
    def hq(self) -> HqApp:
        """The office's app (`self.app` is typed as the station's, whose screens are the
        rest): its `store` is the Office, and it has the unlocked `staff`."""
        return cast("HqApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="hq-dashboard"):
            yield Static(id="hq-title")
            yield Static(id="hq-sync-title", classes="section-title")
            yield Static(id="hq-sync-head")  # the columns' names and the quarantine stay in view
            with VerticalScroll(id="hq-sync-box"):  # a city's 192 stations would push all below off screen
                yield Static(id="hq-sync")
            yield Static(id="hq-quarantine")
            with Horizontal(id="hq-panels"):  # a line per station or category: each scrolls on its own
                with VerticalScroll(id="hq-week-box", classes="hq-panel"):
                    yield Static(id="hq-week")
                with VerticalScroll(id="hq-categories-box", classes="hq-panel"):
                    yield Static(id="hq-categories")
                yield Static(id="hq-clusters", classes="hq-panel")
            yield Static(id="hq-overdue-title", classes="section-title")
            yield Static(id="hq-overdue-head")
            with VerticalScroll(id="hq-overdue-box"):
                yield OverdueLines(id="hq-overdue")
        yield KeyBar()

    def on_mount(self) -> None:
        self.figures: dict[str, Any] | None = None
        self.overdue: OverdueView | None = None  # the overdue lines shown, laid out for `figures`
        self.clusters: int | None | object = PENDING
        self.query_one("#hq-clusters").display = False  # shown once counting starts
        super().on_mount()

    def apply_lang(self) -> None:
        if self.figures is None:
            self.query_one("#hq-title", Static).update(self.tr("loading"))
        else:
            self.show(self.figures, self.overdue)
        self._show_clusters_panel()

    def on_resize(self) -> None:
        # The panels' lines are fitted to their width: fitted again once the new one is laid out.
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if self.figures is not None:
            self.show(self.figures, self.overdue)

    def refresh_data(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False, group="hq-figures")
    def compute(self) -> None:
        office, staff, today = self.hq.store, self.hq.staff, self.hq.today()
        if office is None:
            return  # not open yet: opening it bumps `revision`, and this runs again
        try:
            quarantined = Quarantine(office.quarantine).summary()["files"]
            start = week_start(today) - timedelta(weeks=WEEKS - 1)
            # Counted from the clear columns in SQL: the dashboard shows no referral nor
            # resolution time, so no personal part is opened for it.
            rep = build_report(office.db, staff.opener, start=start, end=today, today=today,
                               quarantined=quarantined, personal=False)
            rep["spark_weeks"] = [iso_week(start + timedelta(weeks=i)) for i in range(WEEKS)]
        except UNREADABLE as e:  # a locked or damaged database: say so, keep the app usable
            self.hq.call_from_thread(self.hq.notify, str(e), severity="error", timeout=30)
            return
        self.hq.call_from_thread(self.show, rep, overdue_view(rep, self.hq.lang))
        # The clusters open three months of personal parts: counted after the figures
        # are on screen (one after the other, not competing for the interpreter).
        self.hq.call_from_thread(self.count_clusters)

    @work(thread=True, exclusive=True, exit_on_error=False, group="hq-clusters")
    def count_clusters(self) -> None:
        self.clusters = PENDING
        self.hq.call_from_thread(self._show_clusters_panel)
        office, staff, today = self.hq.store, self.hq.staff, self.hq.today()
        if office is None:
            return  # as in compute
        since = today - timedelta(days=CLUSTER_DAYS)
        altered: list[str] = []
        try:
            clusters = open_clusters(office, staff.opener, since, altered)
            for name in altered:  # counted from the records instead (hq/views.py): said, and audited
                staff.audit("view_altered", name)
                self.hq.call_from_thread(self.hq.notify, name, severity="warning", timeout=30)
        except UNREADABLE as e:  # a locked or damaged database: say so, keep the app usable
            self.hq.call_from_thread(self.hq.notify, str(e), severity="error", timeout=30)
            clusters = None  # the panel is hidden
        self.hq.call_from_thread(self.show_clusters, clusters)

    def show_clusters(self, clusters: int | None) -> None:
        self.clusters = clusters
        self._show_clusters_panel()

    def _show_clusters_panel(self) -> None:
        box, clusters = self.query_one("#hq-clusters", Static), self.clusters
        box.display = clusters is not None
        if clusters is not None:
            n = self.tr("hq_clusters_pending") if clusters is PENDING else clusters
            box.update(Text(f"{self.tr('hq_clusters')}\n\n{n}", justify="center"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="hq-overdue")
    def lay_out_overdue(self, rep: dict[str, Any], lang: str) -> None:
        """The overdue lines in another language, off the UI thread."""
        self.hq.call_from_thread(self.show_overdue, rep, overdue_view(rep, lang))

    def show_overdue(self, rep: dict[str, Any], view: OverdueView) -> None:
        if rep is not self.figures or view.lang != self.hq.lang:
            return  # newer figures, or the language changed again: their own lines are coming
        self.overdue = view
        self.query_one("#hq-overdue-title", Static).update(view.title)
        self.query_one("#hq-overdue-head", Static).update(Text(view.head, style="bold"))
        self.query_one("#hq-overdue", OverdueLines).show_lines(view.lines, view.widest)

    def _station_label(self, rep: dict[str, Any], station: str) -> str:
        return station_label(rep, station, self.hq.lang)

    def show(self, rep: dict[str, Any], overdue: OverdueView | None) -> None:
        """Everything but the clusters panel (`show_clusters`); the overdue lines as laid
        out with the figures, or, in another language, once a worker has laid them out."""
        self.figures = rep
        lang, tr = self.hq.lang, self.tr
        this_week = rep["spark_weeks"][-1]
        week_rows = [w for w in rep["weekly"] if w["week"] == this_week]
        self.query_one("#hq-title", Static).update(Text.from_markup(tr(
            "hq_title", day=rep["period"]["as_of"], week=this_week, n=sum(w["count"] for w in week_rows),
            stations=len(rep["sync"]))))
        self.query_one("#hq-sync-title", Static).update(tr("hq_sync_title"))
        head, rows = self._sync_text(rep)
        self.query_one("#hq-sync-head", Static).update(head)
        self.query_one("#hq-sync", Static).update(rows)
        q = rep["quarantined"]
        self.query_one("#hq-quarantine", Static).update(Text(tr("hq_quarantine", n=q), style="bold red" if q else "dim"))
        self.query_one("#hq-week", Static).update(self._week_text(rep, this_week))
        by_cat: dict[str, int] = {}
        for w in week_rows:
            by_cat[w["category"]] = by_cat.get(w["category"], 0) + w["count"]
        top = max(by_cat.values(), default=0)
        shown = sorted(by_cat.items(), key=lambda kv: (-kv[1], kv[0]))
        # One line each: the labels as wide as the widest shown, cut so that the bar and the
        # whole count fit the panel (a city's week counts thousands).
        digits = max((len(str(n)) for _, n in shown), default=1)
        width = min(15, max((cell_len(category(c, lang)) for c, _ in shown), default=0),
                    self._panel_cells("#hq-categories") - 4 - digits - 2)
        lines = [tr("hq_week_by_category")] + [f"{fit(category(c, lang), width)} {bar(n / top, 4):<4} {n:>{digits}}"
                                               for c, n in shown]
        self.query_one("#hq-categories", Static).update(Text("\n".join(lines if by_cat else lines + ["—"])))
        if overdue is not None and overdue.lang == lang:
            self.show_overdue(rep, overdue)
        else:
            self.lay_out_overdue(rep, lang)

    def _sync_text(self, rep: dict[str, Any]) -> tuple[Text, Text]:
        """(the columns' names, a line per station)."""
        tr = self.tr
        widths = (20, 8, 11, 12, 9, 7)
        head = row(tuple(tr(k) for k in ("hq_col_station", "hq_col_last", "hq_col_when", "hq_col_gaps",
                                         "hq_col_conflicts", "hq_col_records")), widths)
        text = Text()
        # Stations with a missing bundle or a conflict first: at 80x24 the table shows five
        # of a city's 192, and those are the ones the office has to act on.
        for n, s in enumerate(sorted(rep["sync"], key=lambda s: not (s["gaps"] or s["conflicts"]))):
            gaps = ",".join(map(str, s["gaps"]))
            when = (s["last_received_at"] or "")[5:16].replace("T", " ") or tr("never")
            cells = (self._station_label(rep, s["station"]), f"#{s['last_bundle']}", when,
                     tr("hq_missing", gaps=gaps) if gaps else "—", str(s["conflicts"]), str(s["records"]))
            text.append(("\n" if n else "") + row(cells, widths), style="bold yellow" if gaps or s["conflicts"] else "")
        return Text(head, style="bold"), text

    def _week_text(self, rep: dict[str, Any], this_week: str) -> Text:
        weeks = rep["spark_weeks"]
        per: dict[str, dict[str, int]] = {}
        for w in rep["weekly"]:
            per.setdefault(w["station"], {}).setdefault(w["week"], 0)
            per[w["station"]][w["week"]] += w["count"]
        lines = [self.tr("hq_week_totals", weeks=len(weeks))]
        stations = sorted({*per, *(x["station"] for x in rep["sync"])})
        labels = [self._station_label(rep, s) for s in stations]
        counts = [[per.get(s, {}).get(w, 0) for w in weeks] for s in stations]
        digits = max([3, *(len(str(c[-1])) for c in counts)])
        # as the categories beside it: one line each, the label cut for the whole count
        width = min(12, max(map(cell_len, labels), default=0), self._panel_cells("#hq-week") - digits - len(weeks) - 2)
        for name, c in zip(labels, counts, strict=True):
            lines.append(f"{fit(name, width)} {c[-1]:>{digits}} {sparkline(c)}")
        return Text("\n".join(lines))

    def _panel_cells(self, selector: str) -> int:
        """How many cells a panel's line may take: its width once laid out (a third of
        80 columns, less its border, padding and scrollbar, is 24)."""
        return max(self.query_one(selector).size.width or 24, 16)  # a label keeps a few cells

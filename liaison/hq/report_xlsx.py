"""The district office report as an Excel workbook: one sheet per section.

Headers are Chinese, bold and frozen so they stay visible while scrolling; numbers
are written as numbers (not text) so the office can sum and chart them in Excel.
The file is written to a temporary name beside the target and moved into place, so
an interrupted export never leaves a half-written workbook under the real name.

The workbook is laid out for the person who opens it, and that also bounds its size:
openpyxl spends ~11 µs on each cell, and a city's year written as the JSON is laid out
(72 000 weekly rows × 4, 51 000 overdue follow-ups × 6) was ~595 000 cells, 7–11 s.
- 周统计 is a cross table: one row per station and category, one column per ISO week,
  and a total (~78 000 cells for a city's year instead of ~288 000);
- 逾期回访 gives each station its overdue count, how many are past 30 and 90 days, the
  longest and the oldest due day: what the office follows up with a station about;
- 逾期明细 lists each station's OLDEST_PER_STATION longest-overdue follow-ups (the
  station's own list, `liaison list --due`, holds the rest; the HTML and JSON reports
  list all); `all_overdue=True` (`hq report --xlsx F --all-overdue`) lists every one.
The sheets are write-only: rows stream to the file (with lxml, openpyxl's fast writer)
and plain values need no cell object (reports.cells.plain_row keeps the data-only rule);
column widths are therefore measured before the rows are written.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from rich.cells import cell_len  # display width of CJK text (rich is not textual)

from ..domain.vocab import CATEGORIES, REFERRALS, STATUSES, label
from ..reports.cells import clean, plain_row

HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E8F0F8")

SHEETS = ("周统计", "转介", "逾期回访", "逾期明细", "化解用时", "数据包")
OLDEST_PER_STATION = 20


def _width(header: str, values: Sequence[Any]) -> int:
    # Values repeat (stations, categories, weeks, days): each distinct one measured once.
    return max([cell_len(str(header)), *(cell_len(str(v)) for v in set(values) if v is not None)])


def _sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, h in enumerate(headers, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(60, _width(h, [r[i - 1] for r in rows]) + 2)
    head = []
    for h in headers:
        c = WriteOnlyCell(ws, value=clean(h))
        c.data_type, c.font, c.fill = "s", HEAD_FONT, HEAD_FILL
        head.append(c)
    ws.append(head)
    for r in rows:
        ws.append(plain_row(ws, r))


def _weekly_table(rep: dict[str, Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """周统计 as a cross table: station and category down, ISO weeks across, then the total."""
    names = rep["station_names"]
    weeks = sorted({w["week"] for w in rep["weekly"]})
    col = {w: i for i, w in enumerate(weeks)}
    grid: dict[tuple[str, str], list[Any]] = {}
    for w in rep["weekly"]:
        row = grid.get((w["station"], w["category"]))
        if row is None:
            row = grid[(w["station"], w["category"])] = [None] * len(weeks)
        row[col[w["week"]]] = (row[col[w["week"]]] or 0) + w["count"]
    cats = {c: label(CATEGORIES, c) for _, c in grid}
    rows = [(names.get(s, s), cats[c], *counts, sum(n for n in counts if n))
            for (s, c), counts in sorted(grid.items())]
    return ["站点", "类别", *weeks, "合计"], rows


def _overdue_summary(rep: dict[str, Any], shown: int | None) -> list[tuple[Any, ...]]:
    names = rep["station_names"]
    stations = sorted({*rep["totals"]["per_station"], *rep["overdue"]})
    rows = []
    for s in stations:
        items = rep["overdue"].get(s, [])
        days = [o["days_overdue"] for o in items]
        rows.append((names.get(s, s), len(items), sum(d > 30 for d in days), sum(d > 90 for d in days),
                     max(days, default=None), min((o["follow_up_on"] for o in items), default=None)))
    note = ("逾期明细列出全部逾期回访" if shown is None else
            f"逾期明细列出每站逾期最久的 {shown} 件；全部见 HTML/JSON 报告或 --all-overdue")
    return [(*r, note if i == 0 else None) for i, r in enumerate(rows)]


def workbook(rep: dict[str, Any], *, all_overdue: bool = False) -> Workbook:
    names = rep["station_names"]
    shown = None if all_overdue else OLDEST_PER_STATION
    wb = Workbook(write_only=True)  # no default sheet: every sheet is a section
    _sheet(wb, SHEETS[0], *_weekly_table(rep))
    _sheet(wb, SHEETS[1], ("转介", "件数", "其中已化解/已办结"),
           [(label(REFERRALS, r["referral"]), r["count"], r["resolved"]) for r in rep["referrals"]])
    _sheet(wb, SHEETS[2], ("站点", "逾期件数", "逾期超过30天", "逾期超过90天", "最长逾期天数", "最早回访日期", "说明"),
           _overdue_summary(rep, shown))
    # Each station's list is sorted by its follow-up day: its head is the longest overdue.
    _sheet(wb, SHEETS[3], ("站点", "编号", "来访日期", "回访日期", "逾期天数", "状态"),
           [(names.get(o["station"], o["station"]), o["ref"], o["visited_on"], o["follow_up_on"], o["days_overdue"],
             label(STATUSES, o["status"] or "open")) for items in rep["overdue"].values() for o in items[:shown]])
    per = rep["resolution"]["per_station"]
    _sheet(wb, SHEETS[4], ("站点", "接待件数", "已化解/办结", "中位用时(天)", "说明"),
           [(names.get(s, s), n, per.get(s, {}).get("resolved", 0), per.get(s, {}).get("median_days"),
             rep["resolution"]["method"] if i == 0 else None)
            for i, (s, n) in enumerate(rep["totals"]["per_station"].items())])
    _sheet(wb, SHEETS[5], ("站点", "已收数据包", "最后包号", "最后接收时间", "缺号", "冲突", "记录数"),
           [(names.get(s["station"], s["station"]), s["bundles"], s["last_bundle"], s["last_received_at"],
             ",".join(map(str, s["gaps"])), s["conflicts"], s["records"]) for s in rep["sync"]])
    return wb


def write_xlsx(rep: dict[str, Any], path: Path, *, all_overdue: bool = False) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        # Opened before the sheets start streaming: an unwritable folder fails here,
        # with no half-written sheet left to complain when it is collected.
        with open(tmp, "wb") as f:
            wb = workbook(rep, all_overdue=all_overdue)
            try:
                wb.save(f)
            except BaseException:
                for ws in wb.worksheets:  # a failed save (disk full) leaves the row writers open
                    with contextlib.suppress(Exception):
                        ws.close()
                raise
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

"""The district office report as an Excel workbook: one sheet per section.

Headers are Chinese, bold and frozen so they stay visible while scrolling; numbers
are written as numbers (not text) so the office can sum and chart them in Excel.
The file is written to a temporary name beside the target and moved into place, so
an interrupted export never leaves a half-written workbook under the real name.

A city's whole-year report holds ~600 000 cells (the overdue and weekly sheets), so
the workbook is write-only: rows stream to the file (with lxml, openpyxl's fast
writer) and plain values need no cell object (reports.cells.plain_row keeps the
data-only rule); column widths are therefore measured before the rows are written.
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

SHEETS = ("周统计", "转介", "逾期回访", "化解用时", "数据包")


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


def workbook(rep: dict[str, Any]) -> Workbook:
    names = rep["station_names"]
    wb = Workbook(write_only=True)  # no default sheet: every sheet is a section
    _sheet(wb, SHEETS[0], ("站点", "类别", "周", "件数"),
           [(names.get(w["station"], w["station"]), label(CATEGORIES, w["category"]), w["week"], w["count"])
            for w in rep["weekly"]])
    _sheet(wb, SHEETS[1], ("转介", "件数", "其中已化解/已办结"),
           [(label(REFERRALS, r["referral"]), r["count"], r["resolved"]) for r in rep["referrals"]])
    _sheet(wb, SHEETS[2], ("站点", "编号", "来访日期", "回访日期", "逾期天数", "状态"),
           [(names.get(o["station"], o["station"]), o["ref"], o["visited_on"], o["follow_up_on"], o["days_overdue"],
             label(STATUSES, o["status"] or "open")) for items in rep["overdue"].values() for o in items])
    per = rep["resolution"]["per_station"]
    _sheet(wb, SHEETS[3], ("站点", "接待件数", "已化解/办结", "中位用时(天)", "说明"),
           [(names.get(s, s), n, per.get(s, {}).get("resolved", 0), per.get(s, {}).get("median_days"),
             rep["resolution"]["method"] if i == 0 else None)
            for i, (s, n) in enumerate(rep["totals"]["per_station"].items())])
    _sheet(wb, SHEETS[4], ("站点", "已收数据包", "最后包号", "最后接收时间", "缺号", "冲突", "记录数"),
           [(names.get(s["station"], s["station"]), s["bundles"], s["last_bundle"], s["last_received_at"],
             ",".join(map(str, s["gaps"])), s["conflicts"], s["records"]) for s in rep["sync"]])
    return wb


def write_xlsx(rep: dict[str, Any], path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        # Opened before the sheets start streaming: an unwritable folder fails here,
        # with no half-written sheet left to complain when it is collected.
        with open(tmp, "wb") as f:
            wb = workbook(rep)
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

"""The station's monthly ledger (台账): one row per consultation in the official column
order, totals by category and status, and a summary paragraph in Chinese.

Pure on record dicts (the shape of `Consultation.to_dict()`, also what the office
keeps), so the same ledger can be drawn from a station folder or from the office's copy.
Writers: CSV in UTF-8 *with* a BOM (without it Excel on a Chinese Windows reads the
file as GBK and shows mojibake) and XLSX through openpyxl.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

from ..domain.masking import mask_name, mask_phone
from ..domain.text import safe_value
from ..domain.vocab import CATEGORIES, DETAIL_KINDS, DETAIL_LABELS, DONE_STATUSES, REFERRALS, STATUSES, label
from .cells import append_row, csv_row

HEADERS = ("序号", "日期", "来访人", "类别", "事由摘要", "诉求", "处理情况/转介", "状态", "回访日期")
WIDTHS = (6, 12, 22, 15, 48, 30, 44, 10, 12)  # XLSX columns, in character cells
CAT_SECTION, STATUS_SECTION, TOTAL = "按类别合计", "按状态合计", "合计"
REFERRAL_SECTION, REFERRED = "转介合计", "转介相关部门"
_ORDER = {c: i for i, c in enumerate(CATEGORIES)}  # ties in the paragraph: vocabulary order


class BadMonth(ValueError):
    """The --month text is not a calendar month."""


def parse_month(text: str) -> tuple[date, date]:
    """(first day, last day) of 'YYYY-MM'; BadMonth with a bilingual message otherwise."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", (text or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
        raise BadMonth(f"月份格式应为 YYYY-MM，例如 2026-11：{text!r} (month must be YYYY-MM, e.g. 2026-11)")
    first = date(int(m.group(1)), int(m.group(2)), 1)
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


@dataclass(frozen=True)
class Ledger:
    title: str
    month: str  # YYYY-MM
    rows: list[tuple[Any, ...]]
    by_category: list[tuple[str, int]]  # (label, count), every category in vocabulary order
    by_status: list[tuple[str, int]]
    summary: str
    overdue_refs: list[str]
    referred: int = 0  # is_referred: the totals' line and the paragraph's figure

    def totals(self) -> list[tuple[str, str, int]]:
        """(section, label, count) lines printed under the rows."""
        n = len(self.rows)
        return ([(CAT_SECTION, lab, c) for lab, c in self.by_category] + [(CAT_SECTION, TOTAL, n)]
                + [(STATUS_SECTION, lab, c) for lab, c in self.by_status] + [(STATUS_SECTION, TOTAL, n)]
                + [(REFERRAL_SECTION, REFERRED, self.referred)])


def is_referred(r: dict[str, Any]) -> bool:
    """Referred to another body: the status says so, or a referral is recorded. One
    definition for the totals and the paragraph, so the two never disagree (a status
    已转介 whose referral was not ticked is still a referral)."""
    return r.get("status") == "referred" or bool(r.get("referrals"))


# The category fields that help the officer advise, shown under the category (the
# official columns stay as they are; employer, project and platform are in the summary).
LEDGER_DETAILS = ("amount_lost", "paid_via", "paid_at", "reported_to_police", "agency", "decision",
                  "decision_known_on", "dispute_on", "other_party", "place", "relation")


def visitor_cell(v: dict[str, Any] | None) -> str:
    """Masked: 张* 138****5678; 匿名 when the visitor declined; 未留姓名 when they gave
    no name without asking for anonymity; '等27人' for a group."""
    v = v or {}
    who = " ".join(x for x in (mask_name(v.get("name")), mask_phone(v.get("phone"))) if x)
    if v.get("anonymous"):
        who = "匿名"
    elif not who:
        who = "未留姓名"
    if int(v.get("party_size") or 1) > 1:
        who += f" 等{v['party_size']}人"
    return who


def category_cell(r: dict[str, Any]) -> str:
    """The category, and under it the advising fields the record has (被骗金额(元) 5,000 …)."""
    d = r.get("details") or {}
    parts = []
    for key in LEDGER_DETAILS:
        value = d.get(key)
        if value is None or value == "":
            continue
        kind = DETAIL_KINDS.get(key)
        if kind == "flag":
            value = "是" if value else "否"
        elif kind == "amount" and isinstance(value, (int, float)):
            value = f"{value:,}"
        elif kind == "datetime":
            value = str(value)[:16].replace("T", " ")
        parts.append(f"{label(DETAIL_LABELS, key)} {value}")
    return "\n".join([label(CATEGORIES, r["category"]), *(["；".join(parts)] if parts else [])])


def handling_cell(r: dict[str, Any]) -> str:
    refs = "、".join(label(REFERRALS, c) for c in r.get("referrals") or ())
    return "\n".join(x for x in ((r.get("advice") or "").strip(), f"转介：{refs}" if refs else "") if x)


def build(records: Iterable[dict[str, Any]], month: str, station_name: str, today: date) -> Ledger:
    first, last = parse_month(month)
    key = first.isoformat()[:7]
    mine = sorted((r for r in records if not r.get("deleted") and r["visited_at"][:7] == key),
                  key=lambda r: (r["visited_at"], r["ref"]))
    # safe_value: a record stored before control characters were refused must not
    # break the workbook (openpyxl refuses them) or reach a terminal.
    rows = [tuple(map(safe_value, (i, r["visited_at"][:10], visitor_cell(r.get("visitor")),
                                   category_cell(r), r["summary"], r.get("requests") or "",
                                   handling_cell(r), label(STATUSES, r["status"]), r.get("follow_up_on") or "")))
            for i, r in enumerate(mine, 1)]
    cats, stats = Counter(r["category"] for r in mine), Counter(r["status"] for r in mine)
    # A month that is over is judged at its end (a follow-up due in it and not done is
    # late); the current month is judged today.
    as_of = last if last < today else today
    cutoff = (last + timedelta(days=1) if last < today else today).isoformat()
    overdue = [r["ref"] for r in mine
               if r.get("follow_up_on") and r["follow_up_on"] < cutoff and r["status"] not in DONE_STATUSES]
    title = f"{station_name} 来访咨询台账（{first.year}年{first.month}月）"
    return Ledger(title, key, rows, [(label(CATEGORIES, c), cats[c]) for c in CATEGORIES],
                  [(label(STATUSES, s), stats[s]) for s in STATUSES],
                  _paragraph(mine, first, station_name, as_of, overdue, cats), overdue,
                  sum(1 for r in mine if is_referred(r)))


def _paragraph(mine: list[dict[str, Any]], first: date, station: str, as_of: date,
               overdue: list[str], cats: Counter) -> str:
    when = f"{first.year}年{first.month}月"
    n = len(mine)
    if n == 0:
        return f"{when}，{station}无来访咨询登记。"
    people = sum(int((r.get("visitor") or {}).get("party_size") or 1) for r in mine)
    groups = sum(1 for r in mine if int((r.get("visitor") or {}).get("party_size") or 1) > 1)
    done = sum(1 for r in mine if r["status"] in DONE_STATUSES)
    referred = sum(1 for r in mine if is_referred(r))
    parts = "、".join(f"{label(CATEGORIES, c)}{k}件" for c, k in sorted(cats.items(), key=lambda x: (-x[1], _ORDER.get(x[0], 99))))
    text = (f"{when}，{station}共接待来访咨询{n}件，涉及{people}人"
            + (f"（其中群体来访{groups}件）" if groups else "") + f"。按类别：{parts}。"
            f"已化解或办结{done}件，占{done / n:.1%}；转介相关部门{referred}件；尚在处理中{n - done}件。"
            f"截至{as_of.isoformat()}，逾期未回访{len(overdue)}件")
    return text + (f"（{'、'.join(overdue)}）。" if overdue else "。")


def write_csv(ledger: Ledger, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(csv_row(HEADERS))
        w.writerows(csv_row(r) for r in ledger.rows)
        w.writerow([])
        w.writerows(csv_row(["", sec, lab, n]) for sec, lab, n in ledger.totals())
        w.writerow([])
        w.writerow(csv_row(["", "本月小结", ledger.summary]))


def write_xlsx(ledger: Ledger, path: Path) -> None:
    from openpyxl import Workbook  # only the XLSX export pays for importing it
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = ledger.month
    ncol, last_col = len(HEADERS), get_column_letter(len(HEADERS))
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    append_row(ws, [ledger.title])
    ws.merge_cells(f"A1:{last_col}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    append_row(ws, list(HEADERS))
    for c in range(1, ncol + 1):
        cell = ws.cell(row=2, column=c)
        cell.font, cell.border = Font(bold=True), box
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, w in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for row in ledger.rows:
        append_row(ws, list(row))
        for c in range(1, ncol + 1):
            cell = ws.cell(row=ws.max_row, column=c)
            cell.alignment, cell.border = wrap, box
    ws.freeze_panes = "A3"  # title and header stay in view while scrolling
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    append_row(ws, [])
    for sec, lab, n in ledger.totals():
        append_row(ws, ["", sec, lab, n])
        if lab == TOTAL:
            for c in (2, 3, 4):
                ws.cell(row=ws.max_row, column=c).font = Font(bold=True)
    append_row(ws, [])
    append_row(ws, ["本月小结"])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    append_row(ws, [ledger.summary])
    r = ws.max_row
    ws.merge_cells(f"A{r}:{last_col}{r}")
    ws.cell(row=r, column=1).alignment = wrap
    ws.row_dimensions[r].height = 15 * (2 + len(ledger.summary) // 90)
    wb.save(path)

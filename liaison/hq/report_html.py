"""The district office report as one self-contained HTML file.

The office may sit on an isolated network, so the file loads nothing: styles are
inline, charts are inline SVG drawn here (a line per station over the ISO weeks, a bar
per category), and no script is needed to read it. Labels are Chinese.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any, Sequence

from ..domain.vocab import CATEGORIES, REFERRALS, STATUSES, label

# Distinct on white and for the common colour-vision deficiencies (Okabe–Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
W, H, PAD_L, PAD_B, PAD_T, PAD_R = 760, 300, 48, 56, 24, 44
NL = "\n"
LABELS = 12  # week labels under the line chart's axis, at most (53 overprinted each other)

STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 24px;
       color: #1a1a1a; background: #fff; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 2px solid #0072B2; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; }
th { background: #e8f0f8; } td.n { text-align: right; }
.note { color: #555; font-size: 12px; } .legend span { margin-right: 16px; font-size: 13px; }
svg text { font-size: 11px; fill: #333; }
"""


def _y(v: float, top: float) -> float:
    return PAD_T + (H - PAD_T - PAD_B) * (1 - (v / top if top else 0))


def _axes(top: int) -> list[str]:
    out = [f'<line x1="{PAD_L}" y1="{H - PAD_B}" x2="{W - PAD_R}" y2="{H - PAD_B}" stroke="#333"/>',
           f'<line x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{H - PAD_B}" stroke="#333"/>']
    for v in sorted({0, top // 2, top}):
        y = _y(v, top)
        out.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{v}</text>'
                   f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{W - PAD_R}" y2="{y:.1f}" stroke="#ddd"/>')
    return out


def _lines(series: dict[str, list[int]], names: dict[str, str]) -> tuple[list[tuple[str, str, list[Any]]], str]:
    """(station, label, values) of each line drawn, and a note when not every station is
    one: a city's 192 lines tangle and their colours repeat, so past the palette's size
    the busiest stations are drawn, and the others as one line of their weekly average."""
    if len(series) <= len(PALETTE):
        return [(st, names.get(st, st), v) for st, v in series.items()], ""
    shown = sorted(series, key=lambda s: (-sum(series[s]), s))[:len(PALETTE) - 1]
    rest = [v for s, v in series.items() if s not in shown]  # six names: a list is as quick as a set
    average = [round(sum(week) / len(rest), 1) for week in zip(*rest, strict=True)]
    note = (f"站点较多（{len(series)} 个站点）：图中为接待量最多的 {len(shown)} 个站点，其余 {len(rest)} "
            f"个站点画作一条周平均线；各站各周件数见下表。")
    return [*((st, names.get(st, st), series[st]) for st in shown), ("", f"其余 {len(rest)} 个站点（平均）", average)], note


def _week_labels(n: int) -> list[int]:
    """Which of n weeks are labelled under the axis: a dozen at most (a label is ~55 px
    of the axis's 668), the first and the last always."""
    stride = max(1, -(-n // LABELS))
    shown = list(range(0, n, stride))
    if shown and shown[-1] != n - 1:
        shown[-1] = n - 1  # the last week in place of the label too close before it
    return shown


def line_chart(weeks: Sequence[str], series: dict[str, list[int]], names: dict[str, str]) -> str:
    """One polyline with a circle per week for each station (see `_lines` past seven)."""
    lines, note = _lines(series, names)
    top = max([1, *(math.ceil(n) for _, _, v in lines for n in v)])  # the others' average may be a fraction
    step = (W - PAD_L - PAD_R) / max(1, len(weeks) - 1) if len(weeks) > 1 else 0
    x0 = PAD_L + (0 if len(weeks) > 1 else (W - PAD_L - PAD_R) / 2)
    parts = _axes(top)
    for i in _week_labels(len(weeks)):
        parts.append(f'<text class="week" x="{x0 + i * step:.1f}" y="{H - PAD_B + 16}" text-anchor="middle">'
                     f'{escape(weeks[i])}</text>')
    legend = []
    for k, (st, name, values) in enumerate(lines):
        colour = PALETTE[k % len(PALETTE)]
        pts = [(x0 + i * step, _y(v, top)) for i, v in enumerate(values)]
        parts.append(f'<polyline class="series" data-station="{escape(st)}" fill="none" stroke="{colour}" '
                     f'stroke-width="2" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in pts)}"/>')
        for (x, y), v, w in zip(pts, values, weeks, strict=True):
            parts.append(f'<circle class="point" data-station="{escape(st)}" data-week="{escape(w)}" '
                         f'data-value="{v}" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                         f'<title>{escape(name)} {escape(w)}: {v}</title></circle>')
        legend.append(f'<span style="color:{colour}">■ {escape(name)}</span>')
    return (f'<svg id="weekly-chart" class="chart line-chart" xmlns="http://www.w3.org/2000/svg" width="{W}" '
            f'height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="各站每周接待量">{"".join(parts)}</svg>'
            f'<div class="legend">{"".join(legend)}</div>' + (f'<p class="note">{escape(note)}</p>' if note else ""))


def bar_chart(counts: dict[str, int], labels: dict[str, str], chart_id: str, aria: str) -> str:
    top = max([1, *counts.values()])
    slot = (W - PAD_L - PAD_R) / max(1, len(counts))
    bw = min(60.0, slot * 0.6)
    parts = _axes(top)
    for i, (code, n) in enumerate(counts.items()):
        x = PAD_L + i * slot + (slot - bw) / 2
        y = _y(n, top)
        parts.append(f'<rect class="bar" data-key="{escape(code)}" data-value="{n}" x="{x:.1f}" y="{y:.1f}" '
                     f'width="{bw:.1f}" height="{H - PAD_B - y:.1f}" fill="{PALETTE[i % len(PALETTE)]}">'
                     f'<title>{escape(labels.get(code, code))}: {n}</title></rect>'
                     f'<text x="{x + bw / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{n}</text>'
                     f'<text x="{x + bw / 2:.1f}" y="{H - PAD_B + 16}" text-anchor="middle">'
                     f'{escape(labels.get(code, code))}</text>')
    return (f'<svg id="{chart_id}" class="chart bar-chart" xmlns="http://www.w3.org/2000/svg" width="{W}" '
            f'height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(aria)}">{"".join(parts)}</svg>')


def _cell(c: Any) -> str:
    return f'<td class="n">{c}</td>' if isinstance(c, (int, float)) else f"<td>{escape(str(c))}</td>"


def _column(col: Sequence[Any]) -> list[str]:
    """`_cell` of each value. A column all of numbers or all of text is joined by
    newlines, escaped and cut again in C, unless a cell holds a newline itself: the
    weekly and overdue tables have 120 000 rows."""
    texts = list(map(str, col))
    numbers = [issubclass(k, (int, float)) for k in set(map(type, col))]
    joined = "\n".join(texts)
    if all(numbers):
        td = '<td class="n">'
    elif any(numbers) or joined.count("\n") != len(texts) - 1:
        return list(map(_cell, col))
    else:
        td, joined = "<td>", escape(joined)
    return f"{td}{joined.replace(NL, '</td>' + NL + td)}</td>".split(NL)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], table_id: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    cols = [_column(col) for col in zip(*rows, strict=True)]
    body = f"<tr>{'</tr><tr>'.join(map(''.join, zip(*cols, strict=True)))}</tr>" if rows else ""
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_html(rep: dict[str, Any], office_name: str = "院本部") -> str:
    names = rep["station_names"]
    cat = {c: label(CATEGORIES, c) for c in CATEGORIES}
    p = rep["period"]
    period = f"{p['from'] or '最早'} 至 {p['to'] or '最新'}（回访逾期按 {p['as_of']} 计）"
    per_station = rep["totals"]["per_station"]
    sections = [
        f"<h1>{escape(office_name)} · 联络站咨询情况报告</h1><p>统计期间：{escape(period)}；"
        f"共 {rep['totals']['consultations']} 件，{rep['totals']['people']} 人次。</p>",
        "<h2>各站每周接待量</h2>" + line_chart(rep["weeks"], rep["station_weeks"], names),
        "<h2>类别分布</h2>" + bar_chart(rep["by_category"], cat, "category-chart", "各类别咨询件数"),
        "<h2>按站点、类别、周统计</h2>" + _table(
            ("站点", "类别", "周", "件数"),
            [(names.get(w["station"], w["station"]), cat.get(w["category"], w["category"]), w["week"], w["count"])
             for w in rep["weekly"]], "weekly-table"),
        "<h2>转介去向及办结情况</h2>" + _table(
            ("转介", "件数", "其中已化解/已办结"),
            [(label(REFERRALS, r["referral"]), r["count"], r["resolved"]) for r in rep["referrals"]],
            "referrals-table"),
        "<h2>逾期未回访</h2>" + _table(
            ("站点", "逾期件数"), [(names.get(s, s), n) for s, n in rep["overdue_counts"].items()], "overdue-counts")
        + _table(("站点", "编号", "来访日期", "回访日期", "逾期天数", "状态"),
                 [(names.get(o["station"], o["station"]), o["ref"], o["visited_on"], o["follow_up_on"],
                   o["days_overdue"], label(STATUSES, o["status"] or "open"))
                  for items in rep["overdue"].values() for o in items], "overdue-table"),
        "<h2>来访至化解用时（中位数，天）</h2>" + _table(
            ("站点", "接待件数", "已化解/办结", "中位用时(天)"),
            [(names.get(s, s), n, rep["resolution"]["per_station"].get(s, {}).get("resolved", 0),
              rep["resolution"]["per_station"].get(s, {}).get("median_days", "—")) for s, n in per_station.items()],
            "resolution-table") + f'<p class="note">{escape(rep["resolution"]["method"])}</p>',
        "<h2>数据包接收与缺号</h2>" + _table(
            ("站点", "已收数据包", "最后包号", "最后接收时间", "缺号", "冲突", "记录数"),
            [(names.get(s["station"], s["station"]), s["bundles"], s["last_bundle"], s["last_received_at"] or "—",
              ",".join(map(str, s["gaps"])) or "—", s["conflicts"], s["records"]) for s in rep["sync"]],
            "sync-table") + f'<p class="note">隔离区文件：{rep["quarantined"]} 个</p>'
        + "".join(f'<p class="note audit-break">审计日志断链：{escape(names.get(s["station"], s["station"]))} '
                  f'第 {b["n"]} 条，{escape(b["reason"])}（第 {b["bundle"]} 号数据包）</p>'
                  for s in rep["sync"] for b in s.get("audit_breaks", ())),
    ]
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(office_name)} 联络站咨询情况报告</title><style>{STYLE}</style></head>"
            f"<body>{''.join(sections)}</body></html>\n")

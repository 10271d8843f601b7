"""Reading paper records typed into a spreadsheet (CSV) as consultation input.

Headers are the dotted JSON keys (`visitor.name`, `details.employer` …) or their
Chinese names as they appear on the paper form. Excel on a Chinese Windows saves
CSV as GB18030 unless told otherwise, so that is tried when UTF-8 fails.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

HEADER_ALIASES = {
    "来访时间": "visited_at", "来访日期": "visited_at", "日期": "visited_at",
    "类别": "category", "事由摘要": "summary", "摘要": "summary", "事由": "summary",
    "诉求": "requests", "答复意见": "advice", "处理意见": "advice", "处理情况": "advice",
    "来访人": "visitor.name", "姓名": "visitor.name", "电话": "visitor.phone", "手机": "visitor.phone",
    "人数": "visitor.party_size", "同意记录": "visitor.consent", "匿名": "visitor.anonymous",
    "转介": "referrals", "状态": "status", "回访日期": "follow_up_on",
    "公益诉讼线索": "clue.flag", "线索说明": "clue.note", "接待人": "officer",
    "项目": "details.project", "争议事项": "details.issue", "用人单位": "details.employer",
    "涉及人数": "details.workers", "欠薪金额": "details.amount_owed", "平台": "details.platform",
    "站点": "details.delivery_site",
}


class CsvProblem(ValueError):
    pass


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise CsvProblem(f"{path}: 既不是 UTF-8 也不是 GB18030 编码 (not UTF-8 or GB18030 text)")


def mappings(text: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, nested mapping) per non-empty row; blank cells are left out."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvProblem("文件为空 (the file is empty)") from None
    keys = [HEADER_ALIASES.get(h.strip(), h.strip()) for h in header]
    out = []
    for row in reader:
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(keys):
            raise CsvProblem(f"第{reader.line_num}行的列数多于表头 (line {reader.line_num} has more cells than the header)")
        nested: dict[str, Any] = {}
        for key, cell in zip(keys, row, strict=False):  # a short row: the cells left off are empty
            cell = cell.strip()
            if not cell:
                continue
            head, _, rest = key.partition(".")
            if rest:
                nested.setdefault(head, {})[rest] = cell
            else:
                nested[key] = cell
        out.append((reader.line_num, nested))
    return out

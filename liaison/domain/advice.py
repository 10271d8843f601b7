"""What the officer should tell the resident now, worked out from a record's details:
the urgent steps after a fraud, and the statutory periods of an administrative or
labour dispute as dates. Pure: the form, the detail screen and the receipt use it.

The periods are guidance (参考): the law counts from the day the resident learned of the
decision (行政复议法 art. 20: 60 days; 行政诉讼法 art. 46: six months) or the day the
labour dispute arose (劳动争议调解仲裁法 art. 27: one year); exceptions (interruption,
suspension, a longer period set by another law) are for the lawyer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from .timeutil import TZ

URGENT_HOURS = 72  # money gone less than this long ago may still be stopped

URGENT_STEPS = (
    "紧急：立即拨打110或96110反诈专线报警；立即联系付款银行申请紧急止付，保留转账记录和聊天记录。",
    "Urgent: call 110 or the 96110 anti-fraud line now; ask the bank for an emergency "
    "stop-payment (紧急止付); keep the transfer record and the chats.",
)


def _details(record: Any) -> tuple[str, Mapping[str, Any]]:
    """(category, details) of a Consultation or of its dict form."""
    if isinstance(record, Mapping):
        return record.get("category", ""), record.get("details") or {}
    return record.category, record.details or {}


def _at(text: Any) -> datetime | None:
    try:
        t = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=TZ)


def money_recent(record: Any, now: datetime) -> bool:
    """A fraud whose money left within the last 72 hours."""
    category, d = _details(record)
    paid = _at(d.get("paid_at")) if category == "fraud" and d.get("paid_at") else None
    return paid is not None and timedelta(0) <= now - paid <= timedelta(hours=URGENT_HOURS)


def urgent_steps(record: Any, now: datetime, lang: str = "zh") -> str | None:
    """The urgent steps for a fraud whose money left within 72 hours of `now`; else None.
    `record` is a Consultation or its dict (`to_dict()`)."""
    if not money_recent(record, now):
        return None
    return URGENT_STEPS[0 if lang == "zh" else 1]


@dataclass(frozen=True, slots=True)
class Deadline:
    zh: str
    en: str
    due: date

    def days_left(self, today: date) -> int:
        return (self.due - today).days


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):  # 8-31 + 6 months: the last day of February
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def deadlines(category: str, details: Mapping[str, Any]) -> list[Deadline]:
    """The statutory periods that apply, as dates (empty without the starting date)."""
    try:
        if category == "administrative" and details.get("decision_known_on"):
            known = date.fromisoformat(str(details["decision_known_on"]))
            return [Deadline("行政复议", "Administrative review", known + timedelta(days=60)),
                    Deadline("行政诉讼", "Administrative lawsuit", _add_months(known, 6))]
        if category == "labour" and details.get("dispute_on"):
            arose = date.fromisoformat(str(details["dispute_on"]))
            return [Deadline("劳动仲裁", "Labour arbitration", _add_months(arose, 12))]
    except ValueError:
        return []
    return []


def deadline_text(category: str, details: Mapping[str, Any], today: date, lang: str = "zh") -> str:
    """One line: 参考期限：行政复议 2027-01-27（还剩60天）…, or "" when none applies."""
    items = []
    for d in deadlines(category, details):
        n = d.days_left(today)
        if lang == "zh":
            left = f"还剩{n}天" if n >= 0 else f"已过{-n}天"
            items.append(f"{d.zh} {d.due.isoformat()}（{left}）")
        else:
            left = f"{n} days left" if n >= 0 else f"{-n} days ago"
            items.append(f"{d.en} {d.due.isoformat()} ({left})")
    if not items:
        return ""
    return ("参考期限：" + "；".join(items)) if lang == "zh" else ("Deadlines (guidance): " + "; ".join(items))


def visitor_label(name: str | None, anonymous: bool, lang: str = "zh") -> str:
    """Who came: the name; （匿名） only when the visitor asked for anonymity; 未留姓名
    when they simply gave no name (different for the officer: consent may still be asked)."""
    if anonymous:
        return "（匿名）" if lang == "zh" else "(anonymous)"
    if name:
        return name
    return "未留姓名" if lang == "zh" else "no name given"

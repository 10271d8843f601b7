"""The district office report: figures from the office database, as plain data.

One pass over the office's current records (deleted ones left out) gives every
section; the HTML, XLSX and text renderings and the dashboard only format this dict,
so all of them show the same numbers. `--json` prints it as it is.

The office keeps only the latest version of each record, not its history, so the day
a consultation was resolved is approximated by the `updated_at` of records whose
status is now resolved/closed (a later note moves it); the report says so.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any, Iterable

from ..domain.timeutil import parse_date, parse_datetime
from ..domain.vocab import DONE_STATUSES
from ..security.records_key import Opener
from .db import OfficeDB

RESOLUTION_METHOD = ("办结时间按当前状态为已化解/已办结记录的最后修改时间近似计算（院本部只保存最新版本）"
                     "(resolution time approximated by the last change of records now resolved/closed: "
                     "the office keeps only the latest version)")


def iso_week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def station_names(ids: Iterable[str]) -> dict[str, str]:
    """Short Chinese names from the station profiles; the id where a profile is missing
    (a report must still print when a profile folder is broken)."""
    try:
        from ..profiles import load_all

        known = load_all()[0]
    except Exception:  # ProfileError or an unreadable folder: ids are still readable
        known = {}
    return {s: (known[s].short_name if s in known else s) for s in ids}


def _days(a: str, b: str) -> float:
    return (parse_datetime(b) - parse_datetime(a)).total_seconds() / 86400


def figures(records: Iterable[dict[str, Any]], *, start: date | None, end: date | None,
            as_of: date) -> dict[str, Any]:
    """The record-based sections. `start`/`end` bound the visit date (inclusive);
    overdue follow-ups are a state on `as_of`, for visits up to that day."""
    weekly: Counter[tuple[str, str, str]] = Counter()
    by_category: Counter[str] = Counter()
    per_station: Counter[str] = Counter()
    people: Counter[str] = Counter()
    ref_total: Counter[str] = Counter()
    ref_done: Counter[str] = Counter()
    durations: dict[str, list[float]] = defaultdict(list)
    overdue: dict[str, list[dict[str, Any]]] = defaultdict(list)
    day = as_of.isoformat()
    for r in records:
        visited = parse_datetime(r["visited_at"]).date()
        fu = r.get("follow_up_on")
        if fu and fu < day and visited <= as_of and r.get("status") not in DONE_STATUSES:
            overdue[r["station"]].append({
                "id": r["id"], "ref": r["ref"], "station": r["station"], "category": r["category"],
                "status": r.get("status"), "visited_on": visited.isoformat(), "follow_up_on": fu,
                "days_overdue": (as_of - parse_date(fu)).days})
        if (start and visited < start) or (end and visited > end):
            continue
        st = r["station"]
        weekly[(st, r["category"], iso_week(visited))] += 1
        by_category[r["category"]] += 1
        per_station[st] += 1
        people[st] += int((r.get("visitor") or {}).get("party_size", 1))
        done = r.get("status") in DONE_STATUSES
        for ref in dict.fromkeys(r.get("referrals") or ()):  # a referral listed twice counts once
            ref_total[ref] += 1
            ref_done[ref] += done
        if done and r.get("updated_at"):
            durations[st].append(max(0.0, _days(r["visited_at"], r["updated_at"])))
    weeks = sorted({w for _, _, w in weekly})
    stations = sorted(per_station)
    return {
        "totals": {"consultations": sum(per_station.values()), "people": sum(people.values()),
                   "per_station": dict(sorted(per_station.items())), "people_per_station": dict(sorted(people.items()))},
        "weeks": weeks,
        "weekly": [{"station": s, "category": c, "week": w, "count": n} for (s, c, w), n in sorted(weekly.items())],
        "station_weeks": {s: [sum(n for (s2, _, w2), n in weekly.items() if s2 == s and w2 == w) for w in weeks]
                          for s in stations},
        "by_category": dict(by_category.most_common()),
        "referrals": [{"referral": k, "count": n, "resolved": ref_done[k]} for k, n in
                      sorted(ref_total.items(), key=lambda kv: (-kv[1], kv[0]))],
        "overdue": {s: sorted(v, key=lambda x: (x["follow_up_on"], x["ref"])) for s, v in sorted(overdue.items())},
        "resolution": {
            "method": RESOLUTION_METHOD,
            "per_station": {s: {"resolved": len(v), "median_days": round(statistics.median(v), 1)}
                            for s, v in sorted(durations.items())},
            "all": ({"resolved": sum(map(len, durations.values())),
                     "median_days": round(statistics.median([d for v in durations.values() for d in v]), 1)}
                    if durations else {"resolved": 0, "median_days": None}),
        },
    }


def sync_state(db: OfficeDB) -> list[dict[str, Any]]:
    """Bundles, gaps and the audit chain per station (the whole history, not the period).
    A break in a station's audit log is shown, never hidden: see hq.audit_chain."""
    out = []
    for s in db.stations():
        st = db.station_status(s)
        a = st["audit"]
        out.append({**{k: st[k] for k in ("station", "enrolled", "bundles", "last_bundle", "last_received_at",
                                          "gaps", "records", "conflicts")},
                    "audit_entries": a["entries"], "audit_head": a["head"], "audit_ok": a["ok"],
                    "audit_breaks": a["breaks"]})
    return out


def build_report(db: OfficeDB, opener: Opener, *, start: date | None = None, end: date | None = None,
                 today: date | None = None, quarantined: int = 0) -> dict[str, Any]:
    """The whole report. Overdue is judged on `end` if given, else on `today`."""
    if today is None:
        from ..domain.timeutil import today as _today

        today = _today()
    as_of = end or today
    rep = figures(db.records(opener), start=start, end=end, as_of=as_of)
    rep["sync"] = sync_state(db)
    rep["quarantined"] = quarantined
    rep["audit_breaks"] = sum(len(s["audit_breaks"]) for s in rep["sync"])
    ids = sorted({*rep["totals"]["per_station"], *rep["overdue"], *(s["station"] for s in rep["sync"])})
    rep["period"] = {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
                     "as_of": as_of.isoformat()}
    rep["station_names"] = station_names(ids)
    rep["overdue_counts"] = {s: len(rep["overdue"].get(s, [])) for s in ids}
    return {"period": rep.pop("period"), **rep}  # the period first: it is what a reader checks first

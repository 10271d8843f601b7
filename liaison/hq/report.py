"""The district office report: figures from the office database, as plain data.

The office's current records (deleted ones left out) give every section: SQLite
counts the clear fields kept as columns at merge (see visits.py), and only the
referrals of the period's visits are opened; the HTML, XLSX and text renderings and the dashboard only format this dict,
so all of them show the same numbers. `--json` prints it as it is.

The office keeps only the latest version of each record, not its history, so the day
a consultation was resolved is approximated by the `updated_at` of records whose
status is now resolved/closed (a later note moves it); the report says so.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date
from functools import partial
from typing import Any, Callable, Iterable

import orjson

from ..domain.timeutil import parse_date
from ..domain.vocab import DONE_STATUSES
from ..security.records_key import Opener
from ..store.gcpause import paused
from . import report_referrals
from .db import OfficeDB
from .visits import days_between as _days
from .visits import iso_week
from .visits import visit_day as _visit_day

RESOLUTION_METHOD = ("办结时间按当前状态为已化解/已办结记录的最后修改时间近似计算（院本部只保存最新版本）"
                     "(resolution time approximated by the last change of records now resolved/closed: "
                     "the office keeps only the latest version)")


def station_names(ids: Iterable[str]) -> dict[str, str]:
    """Short Chinese names from the station profiles; the id where a profile is missing
    (a report must still print when a profile folder is broken)."""
    try:
        from ..profiles import load_all

        known = load_all()[0]
    except Exception:  # ProfileError or an unreadable folder: ids are still readable
        known = {}
    return {s: (known[s].short_name if s in known else s) for s in ids}


class Tally:
    """The record-based sections, one record at a time (see `figures`). A record's
    referrals are personal: `add` asks `referrals()` for them only for a visit in the
    period, so the office path opens no other personal part."""

    def __init__(self, *, start: date | None, end: date | None, as_of: date):
        self.start, self.end, self.as_of, self.day = start, end, as_of, as_of.isoformat()
        self.weekly: Counter[tuple[str, str, str]] = Counter()
        self.by_category: Counter[str] = Counter()
        self.first: dict[str, tuple[str, str]] = {}  # category -> its first record in the office's order
        self.per_station: Counter[str] = Counter()
        self.people: Counter[str] = Counter()
        self.ref_total: Counter[str] = Counter()
        self.ref_done: Counter[str] = Counter()
        self.durations: dict[str, list[float]] = defaultdict(list)
        # ({station: (resolved, median days)}, (all, median)) when SQLite found them instead
        self.medians: tuple[dict[str, tuple[int, float]], tuple[int, float] | None] | None = None
        self.overdue: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._weeks: dict[date, str] = {}

    def add_overdue(self, r: dict[str, Any], visited: date) -> None:
        fu = r["follow_up_on"]
        self.overdue[r["station"]].append({
            "id": r["id"], "ref": r["ref"], "station": r["station"], "category": r["category"],
            "status": r.get("status"), "visited_on": visited.isoformat(), "follow_up_on": fu,
            "days_overdue": (self.as_of - parse_date(fu)).days})

    def note_first(self, cat: str, key: tuple[str, str]) -> None:
        """Ties in by_category keep the order of the office's records (latest visit
        first, then id), whatever order the records came in: `key` is (visited_at, id)."""
        first = self.first.get(cat)
        if first is None or key[0] > first[0] or (key[0] == first[0] and key[1] < first[1]):
            self.first[cat] = key

    def add(self, r: dict[str, Any], referrals: Callable[[], Any] | None = None) -> None:
        visited = _visit_day(r["visited_at"])
        fu = r.get("follow_up_on")
        if fu and fu < self.day and visited <= self.as_of and r.get("status") not in DONE_STATUSES:
            self.add_overdue(r, visited)
        if (self.start and visited < self.start) or (self.end and visited > self.end):
            return
        st, cat = r["station"], r["category"]
        week = self._weeks.get(visited)
        if week is None:
            week = self._weeks[visited] = iso_week(visited)
        self.weekly[(st, cat, week)] += 1
        self.by_category[cat] += 1
        self.note_first(cat, (r["visited_at"], r["id"]))
        self.per_station[st] += 1
        self.people[st] += int((r.get("visitor") or {}).get("party_size", 1))
        done = r.get("status") in DONE_STATUSES
        for ref in dict.fromkeys((referrals() if referrals else r.get("referrals")) or ()):  # listed twice: once
            self.ref_total[ref] += 1
            self.ref_done[ref] += done
        if done and r.get("updated_at"):
            self.durations[st].append(max(0.0, _days(r["visited_at"], r["updated_at"])))

    def result(self) -> dict[str, Any]:
        weekly = self.weekly
        weeks = sorted({w for _, _, w in weekly})
        col = {w: i for i, w in enumerate(weeks)}
        station_weeks = {s: [0] * len(weeks) for s in sorted(self.per_station)}
        for (s, _, w), n in weekly.items():
            station_weeks[s][col[w]] += n
        neg = {c: (_desc(v), i) for c, v, i in ((c, *self.first[c]) for c in self.by_category)}
        return {
            "totals": {"consultations": sum(self.per_station.values()), "people": sum(self.people.values()),
                       "per_station": dict(sorted(self.per_station.items())),
                       "people_per_station": dict(sorted(self.people.items()))},
            "weeks": weeks,
            "weekly": [{"station": s, "category": c, "week": w, "count": n} for (s, c, w), n in sorted(weekly.items())],
            "station_weeks": station_weeks,
            "by_category": dict(sorted(self.by_category.items(), key=lambda kv: (-kv[1], neg[kv[0]]))),
            "referrals": [{"referral": k, "count": n, "resolved": self.ref_done[k]} for k, n in
                          sorted(self.ref_total.items(), key=lambda kv: (-kv[1], kv[0]))],
            "overdue": {s: sorted(v, key=lambda x: (x["follow_up_on"], x["ref"]))
                        for s, v in sorted(self.overdue.items())},
            "resolution": {"method": RESOLUTION_METHOD, **self._resolution()},
        }

    def _resolution(self) -> dict[str, Any]:
        if self.medians is not None:
            per, whole = self.medians
        else:
            d = self.durations
            per = {s: (len(v), statistics.median(v)) for s, v in d.items()}
            whole = (sum(map(len, d.values())), statistics.median([x for v in d.values() for x in v])) if d else None
        return {"per_station": {s: {"resolved": n, "median_days": round(m, 1)} for s, (n, m) in sorted(per.items())},
                "all": ({"resolved": whole[0], "median_days": round(whole[1], 1)} if whole
                        else {"resolved": 0, "median_days": None})}


def _desc(text: str) -> tuple[int, ...]:
    """A key sorting `text` in descending order."""
    return tuple(-ord(c) for c in text) + (1,)


def figures(records: Iterable[dict[str, Any]], *, start: date | None, end: date | None,
            as_of: date) -> dict[str, Any]:
    """The record-based sections from whole records. `start`/`end` bound the visit date
    (inclusive); overdue follow-ups are a state on `as_of`, for visits up to that day."""
    t = Tally(start=start, end=end, as_of=as_of)
    for r in records:
        t.add(r)
    return t.result()


def office_figures(db: OfficeDB, opener: Opener, *, start: date | None, end: date | None,
                   as_of: date, personal: bool = True, later: list[Callable[[], bool]] | None = None,
                   altered: list[str] | None = None) -> dict[str, Any]:
    """`figures` of the office's current records. SQLite counts the rows whose tallied
    columns were filled at merge (visits.derived); the rare other rows are counted from
    their clear parts in Python. Referrals are personal: they come from each merge's
    sealed view and indexes (report_referrals); keeping the view of the blocks it had to
    list row by row goes into `later`, to be called once the caller's snapshot ends; a
    view that did not open is named in `altered`.
    `personal=False` (the dashboard, which shows neither referrals nor resolution
    times) leaves those two sections empty and opens nothing."""
    t = Tally(start=start, end=end, as_of=as_of)
    for clear, blob, batch in db.untallied():
        # bound now: `add` calls it at once, but the loop rebinds the names
        t.add(clear, partial(_referrals_of, db, opener, clear, blob, batch) if personal else tuple)
    lo, hi = start.isoformat() if start else None, end.isoformat() if end else None
    _count_groups(t, db, lo, hi)
    if personal:
        seen, keep = report_referrals.count(db, opener, lo, hi, altered)
        for (refs, done), n in seen.items():
            for ref in dict.fromkeys(refs):  # listed twice: counted once, as Tally.add does
                t.ref_total[ref] += n
                t.ref_done[ref] += done * n
        if later is not None:
            later.append(keep)
        if t.durations:  # resolved rows counted in Python too (rare): every value, as before
            durations = t.durations  # (a local: the loop runs once per resolved visit)
            for st, days in db.tally_durations(lo, hi):
                durations[st].append(days)
        else:
            t.medians = db.tally_medians(lo, hi)
    else:
        t.durations.clear()  # the untallied rows' own, if any: the section is left out as a whole
    _count_overdue(t, db)
    return t.result()


def _referrals_of(db: OfficeDB, opener: Opener, clear: dict[str, Any], blob: bytes | None,
                  batch: int | None) -> Any:
    return db.open_personal(opener, clear, blob, batch).get("referrals")


def _count_overdue(t: Tally, db: OfficeDB) -> None:
    """`Tally.add_overdue` of the tallied rows, from their columns (a city has ~50 000
    overdue rows, and a few hundred distinct follow-up days): the clear part is read
    only for a row whose `ref` is not a column."""
    late: dict[str, int] = {}
    loads = orjson.loads
    for rid, st, cat, status, fu, day, ref, doc in db.tally_overdue(t.day):
        days = late.get(fu)
        if days is None:
            days = late[fu] = (t.as_of - parse_date(fu)).days
        t.overdue[st].append({"id": rid, "ref": loads(doc)["ref"] if ref is None else ref, "station": st,
                              "category": cat, "status": status, "visited_on": day, "follow_up_on": fu,
                              "days_overdue": days})


def _count_groups(t: Tally, db: OfficeDB, lo: str | None, hi: str | None) -> None:
    latest: dict[str, tuple[str, list[str]]] = {}  # category -> (latest visit, stations with it)
    # dict.get, not Counter's +=, whose __missing__ is a Python call: 70 000 groups a year
    weekly, by_category, per_station, people = t.weekly, t.by_category, t.per_station, t.people
    for st, cat, week, n, party, last in db.tally_groups(lo, hi):
        key = (st, cat, week)
        weekly[key] = weekly.get(key, 0) + n
        by_category[cat] = by_category.get(cat, 0) + n
        per_station[st] = per_station.get(st, 0) + n
        people[st] = people.get(st, 0) + party
        have = latest.get(cat)
        if have is None or last > have[0]:
            latest[cat] = (last, [st])
        elif last == have[0]:
            have[1].append(st)
    for cat, (last, stations) in latest.items():
        t.note_first(cat, (last, min(db.first_id(st, cat, last) for st in stations)))


def sync_state(db: OfficeDB) -> list[dict[str, Any]]:
    """Bundles, gaps and the audit chain per station (the whole history, not the period).
    A break in a station's audit log is shown, never hidden: see hq.audit_chain."""
    out = []
    for st in db.sync_rows():
        a = st["audit"]
        out.append({**{k: st[k] for k in ("station", "enrolled", "bundles", "last_bundle", "last_received_at",
                                          "gaps", "records", "conflicts")},
                    "audit_entries": a["entries"], "audit_head": a["head"], "audit_ok": a["ok"],
                    "audit_breaks": a["breaks"]})
    return out


def build_report(db: OfficeDB, opener: Opener, *, start: date | None = None, end: date | None = None,
                 today: date | None = None, quarantined: int = 0, personal: bool = True,
                 altered: list[str] | None = None) -> dict[str, Any]:
    """The whole report. Overdue is judged on `end` if given, else on `today`.
    `personal=False`: without the referral and resolution sections (see office_figures).
    `altered`: where a view that did not open is named (office_figures)."""
    if today is None:
        from ..domain.timeutil import today as _today

        today = _today()
    as_of = end or today
    later: list[Callable[[], bool]] = []
    # A city's year is ~70 000 merges' counts and ~50 000 overdue rows: small trees of
    # lists and dicts, no cycle (see store.gcpause); with the collector on, its passes
    # over them took as long again as the work.
    with paused():
        with db.snapshot():  # every section from one state of the office, merges or not
            rep = office_figures(db, opener, start=start, end=end, as_of=as_of, personal=personal, later=later,
                                 altered=altered)
            rep["sync"] = sync_state(db)
        for keep in later:  # a write: after the read snapshot, and skipped if the office is busy
            keep()
    rep["quarantined"] = quarantined
    rep["audit_breaks"] = sum(len(s["audit_breaks"]) for s in rep["sync"])
    ids = sorted({*rep["totals"]["per_station"], *rep["overdue"], *(s["station"] for s in rep["sync"])})
    rep["period"] = {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
                     "as_of": as_of.isoformat()}
    rep["station_names"] = station_names(ids)
    rep["overdue_counts"] = {s: len(rep["overdue"].get(s, [])) for s in ids}
    return {"period": rep.pop("period"), **rep}  # the period first: it is what a reader checks first

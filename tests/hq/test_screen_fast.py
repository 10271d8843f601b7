"""The office's quick pass (hq.screen_fast) may only spare the full rules, never
overrule them: every record it calls sound passes screen.problems, over sound records
of every category and thousands of mutations (types, bounds, dates, control
characters, missing fields). And it does call the usual records sound, or it spares
nothing."""

from __future__ import annotations

import copy
import random
from datetime import timedelta

import pytest

from liaison.domain.intake import fields_from_input, new_consultation
from liaison.domain.timeutil import iso, now
from liaison.domain.vocab import CATEGORY_DETAILS
from liaison.hq.screen import problems, screen
from liaison.hq.screen_fast import Quick
from liaison.sync.fields import record_problem
from liaison.synth import generate

SID = "fengqiao-yuanfang"


def _records(n: int, seed: int) -> list[dict]:
    out = []
    for i, m in enumerate(generate(n, seed=seed)):
        c = new_consultation(fields_from_input(m, officer="王检察官"), station=SID, ref=f"FQYF-20260101-{i + 1:03d}")
        out.append(c.to_dict())
    return out


@pytest.fixture(scope="module")
def sound_records() -> list[dict]:
    return _records(300, seed=5)


LATER = iso(now() + timedelta(days=3))
VALUES = [None, "", " ", "  \n", 0, 1, -1, 10_001, True, False, 1.5, float("nan"), float("inf"), 10**12, [], {},
          ["x"], ["mediation"], ["mediation", "mediation"], "x" * 60, "x" * 201, "x" * 2001, "x" * 4001, "a\x00b",
          "a\nb", "a\tb", "\u202eab", "\ud800", "王", "2024-02-30", "2024-02-23", "20240223", "2024-W08-5",
          "+3", "+2w", "2024/2/23", "2024-02-23T11:30:00+08:00", "2024-02-23T11:30:00", "2024-02-23T11:30:00+09:00",
          "2024-02-23T11:30:00+0800", "2024-02-23 11:30:00+08:00", " 2024-02-23T11:30:00+08:00",
          "1999-12-31T23:59:59+08:00", "2000-01-01T00:00:00+08:00", "9999-12-31T23:59:59+08:00",
          "0001-01-01T00:00:00+08:00", LATER, "2099-01-01", "1999-01-01", "labour", "fraud", "open", "closed",
          "13800000000", "13800000000\n", "12345", "FQYF-20260101-001", ["FQYF-20260101-001"],
          ["FQYF-20260101-002", "FQYF-20260101-002"], {"name": "张三"}, {"at": "2024-02-23T11:30:00+08:00"},
          [{"at": "2024-02-23T11:30:00+08:00", "officer": "王", "text": "好"}], [{"text": "好"}]]
DETAIL_KEYS = sorted({k for keys in CATEGORY_DETAILS.values() for k in keys} | {"nonsense"})
TOP = ["id", "ref", "station", "officer", "visited_at", "category", "status", "summary", "visitor", "details",
       "requests", "advice", "referrals", "clue", "notes", "follow_up_on", "version", "seq", "created_at",
       "updated_at", "deleted", "related_to"]
DROP = object()


def _paths(r: dict) -> list[tuple]:
    paths = [(k,) for k in TOP]
    paths += [("visitor", k) for k in ("name", "phone", "party_size", "consent", "anonymous")]
    paths += [("clue", k) for k in ("flag", "note")]
    paths += [("details", k) for k in DETAIL_KEYS]
    if r.get("notes"):
        paths += [("notes", 0, k) for k in ("at", "officer", "text")]
    return paths


def _set(r: dict, path: tuple, value) -> None:
    target = r
    for p in path[:-1]:
        if isinstance(target, dict):
            target = target.get(p)
        elif isinstance(target, list) and isinstance(p, int) and p < len(target):
            target = target[p]
        else:
            return
    if isinstance(target, dict):
        if value is DROP:
            target.pop(path[-1], None)
        else:
            target[path[-1]] = value


def _mutants(records: list[dict], rng: random.Random, n: int):
    for _ in range(n):
        r = copy.deepcopy(rng.choice(records))
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            path = rng.choice(_paths(r))
            _set(r, path, DROP if rng.random() < 0.1 else copy.deepcopy(rng.choice(VALUES)))
        yield r


def _decidable(r: dict) -> bool:
    """A shape the full rules answer for (some crash inside check, quick pass or not)."""
    if record_problem(r) is not None:
        return True
    try:
        problems(r)
    except Exception:
        return False
    return True


def test_the_usual_records_are_sound(sound_records):
    q = Quick()
    assert all(problems(r) == [] for r in sound_records)
    assert all(q.sound(r) for r in sound_records)
    cats = {r["category"] for r in sound_records}
    assert len(cats) >= 5, cats  # every category's details went through the quick pass


def test_sound_implies_the_full_rules_pass(sound_records):
    rng = random.Random(14)
    q = Quick()
    said_sound = 0
    for r in _mutants(sound_records, rng, 6000):
        if record_problem(r) is not None or not q.sound(r):
            continue  # the full rules decide, as before
        said_sound += 1
        assert problems(r) == [], r
    assert said_sound > 500  # harmless mutations (a valid other value) are still spared


def test_each_single_value_everywhere(sound_records):
    """Every value of VALUES at every path of a few records, one at a time."""
    q = Quick()
    for base in sound_records[:12]:
        for path in _paths(base):
            for value in [DROP, *VALUES]:
                r = copy.deepcopy(base)
                _set(r, path, copy.deepcopy(value))
                if record_problem(r) is None and q.sound(r):
                    assert problems(r) == [], (path, value)


def test_screen_decides_as_the_full_rules_alone(sound_records):
    rng = random.Random(3)
    records = [*copy.deepcopy(sound_records[:50]), *filter(_decidable, _mutants(sound_records, rng, 400))]
    records.append({**copy.deepcopy(sound_records[0]), "station": "rider-friendly"})
    kept, refused, foreign = screen(copy.deepcopy(records), SID)

    want_kept, want_refused, want_foreign = [], [], 0
    for r in records:
        if (shape := record_problem(r)) is not None:
            want_refused.append([shape])
        elif r["station"] != SID:
            want_foreign += 1
        elif why := problems(r):
            want_refused.append(why)
        else:
            want_kept.append(r)
    assert kept == want_kept
    assert [why for _, why in refused] == want_refused
    assert len(foreign) == want_foreign >= 1


def test_a_visit_written_in_another_offset_is_judged_on_shanghai_dates(sound_records):
    """00:30 at +09:00 is the day before in Shanghai: a dispute dated that day is after
    the visit there. The quick pass reads only +08:00 times, so the full rules decide."""
    base = next(r for r in sound_records if r["category"] == "labour")
    r = {**copy.deepcopy(base), "visited_at": "2024-02-23T00:30:00+09:00", "follow_up_on": None,
         "created_at": "2024-02-24T10:00:00+08:00", "notes": []}
    r["details"] = {**r["details"], "dispute_on": "2024-02-23"}
    assert problems(r) != []
    assert not Quick().sound(r)
    r["visited_at"] = "2024-02-23T00:30:00+08:00"
    assert problems(r) == [] and Quick().sound(r)


class _Opener:
    def __init__(self, parts: dict):
        self.parts = parts

    def personal(self, shard: str, doc: str) -> dict:
        return dict(self.parts[doc])


def test_screen_skips_the_shape_check_only_when_the_join_left_the_shape_alone(sound_records):
    """bundle._made_whole checks each record's id, version, seq, station and related_to
    before its personal part is joined; the screen trusts that only if no personal part
    named one of them (a station's edited shard could carry `station`)."""
    from liaison.domain.personal import split
    from liaison.sync.bundle import _made_whole

    def bundle_of(records, extra=None):
        clear, parts = [], {}
        for i, r in enumerate(copy.deepcopy(records)):
            c, p = split(r)
            parts[str(i)] = {**p, "_v": r["version"], **(extra or {})}
            clear.append({**c, "_o": {"shard": "s", "doc": str(i)}})
        return clear, _Opener(parts)

    records = sound_records[:5]
    whole, shaped = _made_whole(*bundle_of(records))
    assert shaped and whole == records
    whole, shaped = _made_whole(*bundle_of(records, {"station": "rider-friendly"}))
    assert not shaped
    kept, refused, foreign = screen(whole, SID, shaped)
    assert kept == [] and len(foreign) == 5
    clear, opener = bundle_of(records)
    clear.append(copy.deepcopy(records[0]))  # a whole record, no sealed part: not checked there
    assert _made_whole(clear, opener)[1] is False

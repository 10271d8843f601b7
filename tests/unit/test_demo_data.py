"""The demo scenarios and the synthetic generator produce input the intake accepts."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from liaison.demo_data import DEMO_OFFICERS, SCENARIO_IDS, scenarios
from liaison.domain.intake import fields_from_input, new_consultation
from liaison.synth import generate

TODAY = date(2026, 11, 20)
HAN = re.compile(r"[\u4e00-\u9fff]")
STATIONS = ("fengqiao-yuanfang", "fengqiao-ban", "rider-friendly")


def _by_id() -> dict[str, list[tuple[str, dict]]]:
    out: dict[str, list[tuple[str, dict]]] = {}
    for sid, pair in zip(SCENARIO_IDS, scenarios(TODAY), strict=True):
        out.setdefault(sid, []).append(pair)
    return out


def _accept(station: str, mapping: dict):
    """fields_from_input, then the full check a saved record gets."""
    fields = fields_from_input(mapping, officer="值班检察官")
    return new_consultation(fields, station=station, ref="DEMO-20261120-001",
                            at=datetime(2026, 11, 20, 18, 0, tzinfo=fields["visited_at"].tzinfo))


def test_every_scenario_is_accepted():
    pairs = scenarios(TODAY)
    assert len(pairs) == len(SCENARIO_IDS) == 14
    assert set(_by_id()) == {f"S{i}" for i in range(1, 13)}
    for station, mapping in pairs:
        assert station in STATIONS
        c = _accept(station, mapping)
        assert c.officer == DEMO_OFFICERS[station]
        assert c.requests and c.advice and HAN.search(c.summary)
        assert c.visited_at.date() < TODAY
        if c.visitor.name or c.visitor.phone:
            assert c.visitor.consent


def test_s2_is_one_group_record():
    [(station, m)] = _by_id()["S2"]
    f = fields_from_input(m, officer="x")
    assert station == "fengqiao-yuanfang"
    assert f["visitor"].party_size == 27
    assert f["details"]["workers"] == 27 and f["details"]["amount_owed"] == 600000
    assert f["details"]["employer"]
    assert f["referrals"] == ("labour_inspection",)


def test_s12_keeps_no_personal_data():
    [(station, m)] = _by_id()["S12"]
    f = fields_from_input(m, officer="x")
    assert station == "fengqiao-yuanfang"
    assert f["visitor"].anonymous and f["visitor"].name is None and f["visitor"].phone is None
    assert f["clue"].flag and f["clue"].note


def test_s7_has_several_referrals():
    [(_, m)] = _by_id()["S7"]
    refs = fields_from_input(m, officer="x")["referrals"]
    assert len(refs) >= 3 and {"police", "judicial_aid", "counselling"} <= set(refs)


def test_s5_is_three_riders_of_one_site_on_different_days():
    riders = [fields_from_input(m, officer="x") for _, m in _by_id()["S5"]]
    assert len(riders) == 3
    assert len({(f["details"]["platform"], f["details"]["delivery_site"]) for f in riders}) == 1
    assert len({f["visited_at"].date() for f in riders}) == 3
    assert len({f["summary"] for f in riders}) == 3


def test_follow_ups_are_both_overdue_and_upcoming():
    dues = [fields_from_input(m, officer="x").get("follow_up_on") for _, m in scenarios(TODAY)]
    dues = [d for d in dues if d]
    assert any(d < TODAY for d in dues) and any(d > TODAY for d in dues)
    s11 = fields_from_input(_by_id()["S11"][0][1], officer="x")
    assert s11["status"] == "resolved"


@pytest.mark.parametrize("station", STATIONS)
def test_synthetic_mappings_are_accepted(station):
    maps = list(generate(1000, seed=11, station=station, start=TODAY))
    assert len(maps) == 1000
    for m in maps:
        c = _accept(station, m)
        assert HAN.search(c.summary) and HAN.search(c.requests) and HAN.search(c.advice)
        assert 40 <= len(c.summary) <= 150
        assert c.visited_at.date() <= TODAY
    named = sum(1 for m in maps if m["visitor"].get("name")) / len(maps)
    assert 0.55 <= named <= 0.75


def test_synthetic_is_deterministic():
    a = list(generate(1000, seed=5, start=TODAY))
    assert a == list(generate(1000, seed=5, start=TODAY))
    assert a != list(generate(1000, seed=6, start=TODAY))


def test_synthetic_mix_follows_station_focus():
    cats = [m["category"] for m in generate(2000, station="rider-friendly", start=TODAY)]
    assert cats.count("rider") > len(cats) / 2

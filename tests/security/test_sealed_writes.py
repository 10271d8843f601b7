"""Sealed shards written save after save (the storage reuses the split of unchanged
documents between writes): what a fresh process reads back is exactly what was saved."""

from __future__ import annotations

import os
from datetime import date

from liaison.demo_data import scenarios
from liaison.domain.intake import fields_from_input
from liaison.security.seal import Sealer
from liaison.store import Store

STATION = "fengqiao-yuanfang"
MAPPINGS = [m for s, m in scenarios(date(2026, 11, 20)) if s == STATION]


def test_every_save_reads_back_after_reopening(tmp_path):
    key = os.urandom(32)
    Store.init(tmp_path, station=STATION, code="FQYF", officer="王").close()
    store = Store.open(tmp_path, cipher=Sealer(key))
    made = [store.create(fields_from_input(m, officer="王")) for m in MAPPINGS]
    a, b = made[0], made[1]
    store.edit(a.id, {"visitor.phone": "13911112222", "summary": "改过一次的摘要"})
    store.add_note(b.id, "第一次回访")
    store.edit(a.id, {"advice": "再改一次"})
    store.add_note(b.id, "第二次回访")
    store.create_many([fields_from_input(MAPPINGS[0], officer="王")])
    store.delete(made[2].id)
    expected = {c.id: store.get(c.id).to_dict() for c in made}
    store.close()

    again = Store.open(tmp_path, cipher=Sealer(key))
    got = {i: again.get(i).to_dict() for i in expected}
    assert got == expected
    assert got[a.id]["visitor"]["phone"] == "13911112222" and got[a.id]["advice"] == "再改一次"
    assert [n["text"] for n in got[b.id]["notes"]][-2:] == ["第一次回访", "第二次回访"]
    assert got[made[2].id]["deleted"] is True
    again.close()

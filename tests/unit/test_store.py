import json
import os

import pytest
from tinydb import TinyDB  # only to write a legacy (v0) folder the way the prototype did

from liaison.domain.intake import fields_from_input
from liaison.store import NotFound, NotInitialised, Store, VersionConflict
from liaison.store.shards import SHARD_CAPACITY


def fields(summary="工资被拖欠三个月", **extra):
    data = {"category": "labour", "summary": summary,
            "visitor": {"name": "张三", "phone": "13800001234", "consent": True}, **extra}
    return fields_from_input(data, officer="王检察官")


def test_round_trip_through_a_reopened_store(home):
    s = Store.open(home)
    c = s.create(fields(details={"employer": "某建筑劳务公司", "amount_owed": 600000, "workers": 27},
                        referrals=["labour_inspection"], follow_up_on="+1w"))
    s.close()
    again = Store.open(home).get(c.ref)
    assert again == c
    assert again.to_dict()["visitor"] == {"name": "张三", "phone": "13800001234", "party_size": 1,
                                          "consent": True, "anonymous": False}


def test_files_are_utf8_json_without_escapes(store):
    store.create(fields(summary="邻居噪音"))
    raw = (store.home / "consultations" / "000001.json").read_bytes()
    assert "邻居噪音".encode() in raw and b"\\u" not in raw
    json.loads(raw)  # plain JSON any tool can read


def test_references_count_per_day_and_sequence_numbers_grow(store):
    a = store.create(fields(visited_at="2026-11-20T10:00:00+08:00"))
    b = store.create(fields(visited_at="2026-11-20T11:00:00+08:00"))
    c = store.create(fields(visited_at="2026-11-21T09:00:00+08:00"))
    assert [a.ref, b.ref, c.ref] == ["FQYF-20261120-001", "FQYF-20261120-002", "FQYF-20261121-001"]
    e = store.edit(a.ref, {"status": "referred"})
    assert [a.seq, b.seq, c.seq, e.seq] == [1, 2, 3, 4] and e.version == 2


def test_edit_note_delete_make_new_versions_and_tombstones(store):
    c = store.create(fields())
    n = store.add_note(c.id, "已电话回访")
    assert n.version == 2 and n.notes[-1].text == "已电话回访" and n.notes[-1].officer == "王检察官"
    d = store.delete(c.ref)
    assert d.deleted and d.version == 3
    assert store.index.search("") == []  # hidden from lists …
    assert [x["id"] for x in Store.read_changes(store.home, n.seq)[1]] == [c.id]  # … but exported


def test_stale_version_is_refused(store):
    c = store.create(fields())
    store.save(c.evolve(summary="第一次修改"))
    with pytest.raises(VersionConflict):
        store.save(c.evolve(summary="基于旧版本的修改"))


def test_sharding_bounds_the_file_a_save_rewrites(store):
    batch = [fields(summary=f"第{i}号来访") for i in range(SHARD_CAPACITY * 2 + 5)]
    store.create_many(batch)
    folder = store.home / "consultations"
    assert sorted(p.name for p in folder.glob("*.json")) == ["000001.json", "000002.json", "000003.json"]
    first = (folder / "000001.json").stat()
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    store.create(fields(summary="新的一条"))
    after = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    assert [k for k in after if after[k] != before.get(k)] == ["000003.json"]  # only the newest shard
    assert (folder / "000001.json").stat().st_size == first.st_size
    s2 = Store.open(store.home)
    assert len(s2.index) == SHARD_CAPACITY * 2 + 6 and s2.index.max_seq == SHARD_CAPACITY * 2 + 6


def test_lookup_by_id_prefix_and_reference(store):
    c = store.create(fields())
    assert store.get(c.id[:8]).id == c.id and store.get(c.ref.lower()).id == c.id
    with pytest.raises(NotFound):
        store.get("FQYF-20000101-001")


def test_search_through_the_store(store):
    store.create(fields(summary="楼上漏水", visitor={"name": "钱大伟", "phone": "13912345678", "consent": True}))
    store.create(fields(summary="欠薪三个月"))
    assert [r.name for r in store.index.search("漏水")] == ["钱大伟"]
    assert [r.name for r in store.index.search("5678")] == ["钱大伟"]
    assert [r.name for r in store.index.search("qdw")] == ["钱大伟"]
    assert len(store.index.search("", category="labour")) == 2


def test_not_initialised_folder_says_how_to_fix(tmp_path):
    with pytest.raises(NotInitialised, match="liaison init"):
        Store.open(tmp_path / "nowhere")


def test_migration_from_the_single_file_prototype(tmp_path):
    """v0 kept everything in one TinyDB JSONStorage file; opening migrates to shards."""
    home = tmp_path / "old"
    home.mkdir()
    ref_store = Store.init(tmp_path / "ref", station="fengqiao-ban", code="FQB")
    made = ref_store.create_many([fields(summary=f"旧记录{i}") for i in range(250)])
    legacy = TinyDB(home / "consultations.json")
    legacy.table("consultations").insert_multiple(c.to_dict() for c in made)
    legacy.close()
    TinyDB(home / "meta.json").table("meta").insert({"station": "fengqiao-ban", "code": "FQB", "officer": ""})
    s = Store.open(home)
    assert len(s.index) == 250 and s.get(made[17].ref) == made[17]
    assert s.meta.get()["schema"] == 1
    assert (home / "consultations.json.v0-migrated").exists()  # nothing thrown away
    assert len(list((home / "consultations").glob("*.json"))) == -(-250 // SHARD_CAPACITY)
    assert Store.open(home).get(made[249].id) == made[249]  # re-open: no second migration


def test_data_files_are_owner_only(store):
    store.create(fields())
    mode = os.stat(store.home / "consultations" / "000001.json").st_mode & 0o777
    assert mode == 0o600


def test_a_limited_search_is_exactly_the_newest_of_the_full_result(store):
    """The list's first answer to a keystroke (limit) must be the top of the real answer,
    also when records changed since the search segment was built."""
    store.create_many([fields(summary=f"欠薪第{i}次来访", visited_at=f"2026-10-{1 + i % 28:02d}T10:00:00+08:00")
                       for i in range(300)])
    store.index.warm()
    late = store.create(fields(summary="欠薪，新来的", visited_at="2026-10-15T11:00:00+08:00"))
    full = store.index.search("欠薪")
    assert len(full) == 301 and late.id in {r.id for r in full}
    for n in (1, 7, 50, 200, 400):
        assert [r.id for r in store.index.search("欠薪", limit=n)] == [r.id for r in full[:n]]
    by_pinyin = store.index.search("zhang")
    assert len(by_pinyin) == 301 and [r.id for r in store.index.search("zhang", limit=3)] == [r.id for r in by_pinyin[:3]]

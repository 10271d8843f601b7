"""Clusters of similar complaints (类案): pairwise precision and recall on a hand-labelled
set, S5 found exactly, key normalisation, the time window, and `liaison hq clusters`
end to end through a real office folder (station → bundle → ingest → clusters)."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import date

from liaison.cli import exitcodes as ec
from liaison.cli import main
from liaison.domain.intake import fields_from_input, new_consultation
from liaison.reports.cluster_keys import normalise_employer, normalise_project, rider_theme
from liaison.reports.clusters import SIMILAR, find_clusters
from liaison.synth import generate
from tests.reports.cluster_fixtures import FIXTURES
from tests.sync._sync_world import AS_OFFICE, PIN, World, run, seed  # a real office and stations


def _labelled() -> tuple[list[dict], dict[str, str | None]]:
    recs, truth = [], {}
    for n, (lab, station, m) in enumerate(FIXTURES):
        d = new_consultation(fields_from_input(m, officer="测试"), station=station, ref=f"T-{n:03d}").to_dict()
        recs.append(d)
        truth[d["id"]] = lab
    return recs, truth


def _pairs(groups) -> set[frozenset]:
    return {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}


def precision_recall(clusters, truth) -> tuple[float, float]:
    found = _pairs([m["id"] for m in c.members] if hasattr(c, "members") else c for c in clusters)
    by_label: dict[str, list[str]] = {}
    for i, lab in truth.items():
        if lab is not None:
            by_label.setdefault(lab, []).append(i)
    true = _pairs(by_label.values())
    hit = len(found & true)
    return (hit / len(found) if found else 1.0), (hit / len(true) if true else 1.0)


def test_labelled_set_precision_recall_and_s5_exact():
    recs, truth = _labelled()
    assert len(recs) >= 40 and len({r["station"] for r in recs}) == 3
    clusters = find_clusters(recs)
    p, r = precision_recall(clusters, truth)
    print(f"\ncluster quality on {len(recs)} labelled consultations: precision={p:.3f} recall={r:.3f} "
          f"(threshold {SIMILAR}, window 90 days, {len(clusters)} clusters)")
    for t in (0.25, 0.3, 0.5, 0.6):  # how the choice of threshold moves the figures
        pt, rt = precision_recall(find_clusters(recs, threshold=t), truth)
        print(f"  threshold {t}: precision={pt:.3f} recall={rt:.3f}")
    s5 = {i for i, lab in truth.items() if lab == "S5"}
    assert [c for c in clusters if {m["id"] for m in c.members} & s5] == \
           [c for c in clusters if {m["id"] for m in c.members} == s5]  # one cluster, exactly the three
    [c5] = [c for c in clusters if {m["id"] for m in c.members} == s5]
    assert c5.action == "public_interest" and c5.stations == ["rider-friendly"]
    assert c5.keys == [{"kind": "platform_site", "label": "平台+站点+问题", "value": "速达外卖·控江路·隐性扣款"}]
    assert p >= 0.9 and r >= 0.8


def test_actions_and_keys_per_kind_of_cluster():
    recs, truth = _labelled()
    by_label = {}
    for c in find_clusters(recs):
        labels = Counter(truth[m["id"]] for m in c.members)
        by_label[labels.most_common(1)[0][0]] = c
    assert by_label["wage"].action == "labour_inspection" and by_label["wage"].keys[0]["value"] == "某建筑劳务"
    assert by_label["wage"].stations == ["fengqiao-ban", "fengqiao-yuanfang"]
    assert by_label["reloc-228"].action == "procuratorial_suggestion" and len(by_label["reloc-228"].stations) == 2
    assert by_label["lecture"].keys[0]["kind"] == "summary" and len(by_label["lecture"].stations) == 3
    assert by_label["injury-kj"].action == "public_interest"  # S4 joined by a second injured rider
    d = by_label["wage"].to_dict()
    assert d["member_ids"] == [m["id"] for m in d["members"]] and d["first"] <= d["last"]


def test_normalised_keys():
    variants = ("某建筑劳务有限公司", "某建筑劳务公司", "某 建筑劳务 有限公司", "某建筑劳务公司（分包单位）", "某建筑劳务有限责任公司。")
    assert {normalise_employer(v) for v in variants} == {"某建筑劳务"}
    assert normalise_employer("某建筑装饰公司") != normalise_employer("某建筑劳务公司")
    assert normalise_employer("某公司") == "" and normalise_employer(None) == ""  # too vague to link on
    assert {normalise_project(v) for v in ("228街坊旧改地块", "228街坊旧改项目", "228 街坊动迁基地")} == {"228街坊"}
    assert rider_theme({"details": {"issue": "工资单“系统扣款”无说明"}})[0] == "deduction"
    assert rider_theme({"details": {"issue": "不实投诉导致封号并扣罚800元"}})[0] == "ban"
    assert rider_theme({"summary": "送餐途中被车撞伤"})[0] == "injury"


def test_window_and_since():
    recs, truth = _labelled()
    late = next(r for r in recs if r["visited_at"].startswith("2026-03-02"))
    wage = {i for i, lab in truth.items() if lab == "wage"}
    def cluster_of(clusters, rid):
        return next(({m["id"] for m in c.members} for c in clusters if rid in {m["id"] for m in c.members}), set())
    assert cluster_of(find_clusters(recs), late["id"]) == set()
    assert cluster_of(find_clusters(recs, window_days=365), late["id"]) == wage | {late["id"]}
    recent = find_clusters(recs, since="2026-11-15")
    assert all(m["date"] >= "2026-11-15" for c in recent for m in c.members)
    deleted = [dict(r, deleted=True) if truth[r["id"]] == "S5" else r for r in recs]
    assert not any(truth[m["id"]] == "S5" for c in find_clusters(deleted) for m in c.members)


def test_synthetic_load_is_partitioned():
    recs = [new_consultation(fields_from_input(m, officer="t"), station=s, ref=f"{s}-{k}").to_dict()
            for s in ("fengqiao-yuanfang", "fengqiao-ban", "rider-friendly")
            for k, m in enumerate(generate(1500, seed=11, station=s, start=date(2026, 11, 20), days=365))]
    clusters = find_clusters(recs)
    ids = [m["id"] for c in clusters for m in c.members]
    assert len(ids) == len(set(ids)) and all(len(c.members) >= 2 for c in clusters)


def test_members_read_as_the_list_of_their_dicts():
    """A cluster's members are made into dicts only when read (Members): read by index,
    from the end, by slice or whole, they are the same dicts, oldest first."""
    recs, _ = _labelled()
    by_id = {r["id"]: r for r in recs}
    for c in find_clusters(recs):
        whole = list(c.members)
        assert [m["id"] for m in whole] == c.to_dict()["member_ids"] and len(c.members) == len(whole) >= 2
        assert c.members[0] == whole[0] and c.members[-1] == whole[-1] and c.members[-2:] == whole[-2:]
        assert c.members == whole and c.members != whole[1:] and c.to_dict()["members"] == whole
        assert (whole[0]["date"], whole[-1]["date"]) == (c.first, c.last)
        assert [m["date"] for m in whole] == sorted(m["date"] for m in whole)
        for m in whole:
            r = by_id[m["id"]]
            assert m == {"id": r["id"], "ref": r["ref"], "station": r["station"], "date": r["visited_at"][:10],
                         "category": r["category"], "summary": r["summary"]}


def _office_with_fixtures(world: World) -> dict[str, str | None]:
    recs, truth = _labelled()
    with world.office() as o:
        for n, station in enumerate(sorted({r["station"] for r in recs}), 1):
            mine = [r for r in recs if r["station"] == station]
            o.db.merge(station, 1, f"digest-{n}", "2026-11-28T00:00:00+08:00", mine, lambda counts: b"receipt")
    return truth


def test_cli_on_an_office_with_the_labelled_set(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LIAISON_PIN", PIN)  # the office officer (AS_OFFICE) unlocks
    world = World(tmp_path)
    truth = _office_with_fixtures(world)
    assert main(["hq", "clusters", "--home", str(world.hq), "--json", *AS_OFFICE]) == ec.OK
    out = json.loads(capsys.readouterr().out)
    assert out["window_days"] == 90 and out["threshold"] == SIMILAR
    p, r = precision_recall([c["member_ids"] for c in out["clusters"]], truth)
    assert p >= 0.9 and r >= 0.8
    assert main(["hq", "clusters", "--home", str(world.hq), *AS_OFFICE]) == ec.OK
    text = capsys.readouterr()
    assert "速达外卖·控江路·隐性扣款" in text.out and "公益诉讼线索" in text.out and "骑手友好站" in text.out
    assert "clusters; window 90 days" in text.err
    assert main(["hq", "clusters", "--home", str(world.hq), "--since", "2026-13-01", *AS_OFFICE]) == ec.INVALID
    assert "expected a date" in capsys.readouterr().err
    assert main(["hq", "clusters", "--home", str(world.hq), "--window-days", "0", *AS_OFFICE]) == ec.INVALID
    assert main(["hq", "clusters", "--home", str(tmp_path / "nowhere")]) == ec.NOT_SET_UP
    assert main(["hq", "clusters", "--home", str(world.hq), "--since", "2027-01-01", *AS_OFFICE]) == ec.OK
    assert "no clusters found" in capsys.readouterr().err


def test_s5_end_to_end_from_stations_through_bundles(tmp_path):
    world = World(tmp_path)
    homes = {sid: world.station(sid) for sid in ("fengqiao-yuanfang", "rider-friendly")}
    ids = {sid: seed(home, sid) for sid, home in homes.items()}
    for home in homes.values():
        assert run("--home", str(home), "sync", "--to", str(world.drop)).returncode == ec.SYNC_PENDING
    assert world.ingest()["accepted"] == sum(map(len, ids.values()))
    r = run("hq", "clusters", "--home", str(world.hq), "--json", *AS_OFFICE, pin=True)
    assert r.returncode == ec.OK, r.stderr
    clusters = json.loads(r.stdout)["clusters"]
    s5 = set(ids["rider-friendly"][2:5])  # the rider station's visits in scenario order: S3, S4, S5 ×3
    assert [set(c["member_ids"]) for c in clusters if set(c["member_ids"]) & s5] == [s5]
    [c] = [c for c in clusters if set(c["member_ids"]) == s5]
    assert c["action"]["code"] == "public_interest" and c["stations"] == ["rider-friendly"]


def test_the_text_lists_each_clusters_latest_members(tmp_path, capsys, monkeypatch):
    """`hq clusters` is read in a terminal: each cluster lists its latest --members visits
    (20 by default, 0 for all) and says how many earlier ones --json lists."""
    monkeypatch.setenv("LIAISON_PIN", PIN)
    world = World(tmp_path)
    _office_with_fixtures(world)
    assert main(["hq", "clusters", "--home", str(world.hq), "--json", *AS_OFFICE]) == ec.OK
    clusters = json.loads(capsys.readouterr().out)["clusters"]
    assert max(c["size"] for c in clusters) > 2
    for members in ("2", "0"):
        assert main(["hq", "clusters", "--home", str(world.hq), "--members", members, *AS_OFFICE]) == ec.OK
        blocks = capsys.readouterr().out.split("\n\n")
        assert len([b for b in blocks if b.startswith("类案 ")]) == len(clusters)
        for c, block in zip(clusters, blocks, strict=False):
            assert block.startswith(f"类案 {c['id']} · {c['size']}件")
            lines = block.strip("\n").splitlines()
            rows = lines[next(i for i, line in enumerate(lines) if line.startswith("-----")) + 1:]
            want = c["members"][-2:] if members == "2" else c["members"]
            assert [row.split()[0] for row in rows] == [m["ref"] for m in want], block
            earlier = f"此前还有 {c['size'] - 2} 件"
            assert (earlier in block) == (members == "2" and c["size"] > 2)
    assert main(["hq", "clusters", "--home", str(world.hq), "--members", "-1", *AS_OFFICE]) == ec.INVALID


def test_a_cluster_heading_counts_its_stations_past_six():
    """A heading names up to six stations; more are counted (a city's largest clusters
    span all 192 of its stations, a heading line of 192 names)."""
    from liaison.cli.hq_clusters import station_list

    names = [f"站{n}" for n in range(1, 193)]
    assert station_list(names[:1]) == "站1"
    assert station_list(names[:6]) == "站1、站2、站3、站4、站5、站6"
    assert station_list(names[:7]) == "站1、站2、站3、站4、站5 等 7 个站点 (7 stations)"
    assert station_list(names) == "站1、站2、站3、站4、站5 等 192 个站点 (192 stations)"

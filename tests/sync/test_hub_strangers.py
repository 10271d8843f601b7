"""Issue 12: the office as a hub strangers cannot harm (cases 3, 4 and 10)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import orjson
import pytest

from liaison.cli import exitcodes as ec
from liaison.security import keys
from liaison.sync import bundle
from liaison.sync.export import export
from tests.sync._sync_world import run, seed, station_records, upload_headers

FQ, RF = "fengqiao-yuanfang", "rider-friendly"


def forge(home, records, *, station=FQ, number=2) -> bytes:
    """A bundle signed with the real key of the station at `home`."""
    return bundle.build(records, station=station, number=number, prev_digest="",
                        signing_key=keys.station_signing_key(home), office=keys.office_public(home).x25519).data


@pytest.fixture
def fq(world):
    home = world.station(FQ)
    return home, seed(home, FQ)


BAD_MANIFESTS = [("station", "a\u0000b"), ("station", "x" * 300), ("station", "../../etc"),
                 ("station", "Fengqiao"), ("bundle", 2**63), ("bundle", 0), ("count", -1)]


@pytest.mark.parametrize("field,value", BAD_MANIFESTS)
def test_bad_manifest_field_is_quarantined_and_the_rest_go_in(world, fq, field, value):
    home, ids = fq
    good = export(home).path
    kw = {"station": value} if field == "station" else {"number": value} if field == "bundle" else {}
    bad = forge(home, [], **kw)
    if field == "count":
        doc = orjson.loads(bad)
        doc["manifest"]["count"] = value
        bad = orjson.dumps(doc)
    inbox = world.drop / "inbox"
    (inbox / "aaa-000001.bundle").write_bytes(bad)  # sorts before the real bundle
    (inbox / good.name).write_bytes(good.read_bytes())
    r = run("hq", "ingest", "--home", str(world.hq), str(inbox), "--json")
    assert r.returncode == ec.QUARANTINED, r.stderr
    assert "Traceback" not in r.stderr
    s = json.loads(r.stdout)
    assert (s["quarantined"], s["accepted"]) == (1, len(ids))
    reasons = list((world.hq / "quarantine").glob("*.reason.txt"))
    assert len(reasons) == 1 and field in reasons[0].read_text()
    assert not list(inbox.glob("*.bundle"))  # it does not stay to stop the next night


def test_bad_manifest_over_http_is_a_400(world, fq, server):
    home, _ = fq
    for data in (forge(home, [], station="a\u0000b"), forge(home, [], station="x" * 300),
                 forge(home, [], number=2**63)):
        req = urllib.request.Request(server + "/bundles", data=data, method="POST",
                                     headers={"X-Bundle-Name": "y" * 300 + ".bundle",
                                              **upload_headers(home, data)})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=30)
        assert e.value.code == 400
        assert "manifest field" in json.loads(e.value.read())["error"]


@pytest.fixture
def two(world):
    """Both stations' records at the office."""
    fq_home, rf_home = world.station(FQ), world.station(RF)
    fq_ids, rf_ids = seed(fq_home, FQ), seed(rf_home, RF)
    for h in (fq_home, rf_home):
        (world.drop / "inbox" / f"{h.name}.bundle").write_bytes(export(h).path.read_bytes())
    assert world.ingest()["accepted"] == len(fq_ids) + len(rf_ids)
    return fq_home, rf_home, fq_ids, rf_ids


def _count(world, station):
    return sum(r["station"] == station for r in world.records(include_deleted=False).values())


def test_a_station_cannot_take_over_another_stations_record(world, two):
    fq_home, rf_home, fq_ids, rf_ids = two
    before = world.records()[rf_ids[0]]
    stolen = dict(station_records(rf_home)[rf_ids[0]], station=FQ, version=99, summary="改写")
    own = dict(station_records(fq_home)[fq_ids[0]], version=99)
    (world.drop / "inbox" / "f.bundle").write_bytes(forge(fq_home, [stolen, own]))
    s = world.ingest()
    assert (s["foreign"], s["accepted"], s["quarantined"]) == (1, 1, 0)  # the rest of the bundle goes in
    assert world.records()[rf_ids[0]] == before and _count(world, RF) == len(rf_ids)
    reason = (world.hq / "quarantine" / bundle.file_name(FQ, 2)).with_suffix(".bundle.foreign.reason.txt")
    assert rf_ids[0] in reason.read_text() and FQ in reason.read_text() and RF in reason.read_text()
    status = json.loads(run("hq", "status", "--home", str(world.hq), "--json").stdout)
    assert status["foreign"] == 1
    assert {s["station"]: s["foreign"] for s in status["stations"]} == {FQ: 1, RF: 0}


def test_a_record_naming_another_station_is_refused_alone(world, two):
    fq_home, rf_home, fq_ids, rf_ids = two
    theirs = dict(station_records(rf_home)[rf_ids[1]], version=99, summary="改写")  # station field: RF
    own = dict(station_records(fq_home)[fq_ids[0]], version=99)
    (world.drop / "inbox" / "f.bundle").write_bytes(forge(fq_home, [theirs, own]))
    s = world.ingest()
    assert (s["foreign"], s["accepted"], s["quarantined"]) == (1, 1, 0)
    assert world.records()[rf_ids[1]]["version"] == 1 and world.records()[fq_ids[0]]["version"] == 99
    r = run("hq", "status", "--home", str(world.hq))
    assert rf_ids[1] in r.stderr and FQ in r.stderr and RF in r.stderr


def _reserialised(data: bytes, how: str) -> bytes:
    """The same manifest, the same signature, other bytes."""
    doc = orjson.loads(data)
    if how == "key-order":
        doc["manifest"] = dict(reversed(list(doc["manifest"].items())))
        return orjson.dumps(doc)
    if how == "indent":
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2)
    # a duplicate key: parsers disagree on which one counts
    return data.replace(b'"station":', b'"station":"rider-friendly","station":', 1) if how == "dup" else b""


@pytest.mark.parametrize("how", ["key-order", "indent", "dup"])
def test_signature_covers_the_bytes_received(world, fq, how):
    home, ids = fq
    good = export(home).path.read_bytes()
    (world.drop / "inbox" / "x.bundle").write_bytes(_reserialised(good, how))
    s = world.ingest()
    assert (s["quarantined"], s["accepted"]) == (1, 0)
    (world.drop / "inbox" / "y.bundle").write_bytes(good)
    assert world.ingest()["accepted"] == len(ids)


def test_the_signed_part_is_the_manifest_as_sent(fq):
    home, _ = fq
    data = export(home).path.read_bytes()
    p = bundle.parse(data)
    assert p.signed in data and orjson.loads(data)["format"] == "liaison-bundle/2"
    keys.station_signing_key(home).public_key().verify(p.signature, p.signed)

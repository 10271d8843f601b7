"""Issue 12: the office as a hub strangers cannot harm (cases 3, 4 and 10)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import orjson
import pytest

from _sync_world import World, run, seed, station_records
from liaison.cli import exitcodes as ec
from liaison.sync import bundle, keys
from liaison.sync.export import export

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
                                     headers={"X-Bundle-Name": "y" * 300 + ".bundle"})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=30)
        assert e.value.code == 400
        assert "manifest field" in json.loads(e.value.read())["error"]

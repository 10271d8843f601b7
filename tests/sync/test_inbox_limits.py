"""The inbox's connection limits (guard.py), its minimum body rate (receive.py) and its
header check that never waits behind a merge (keybook.py). A real inbox (make_app
behind GuardedSite, as `liaison hq serve` runs it) on 127.0.0.1 in a thread; short
limits so each test is quick; every wait bounded; no timing asserted."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from liaison.hq import server as hq_server
from liaison.hq.server import make_app
from liaison.security import keys
from liaison.sync.export import export
from liaison.sync.upload_auth import sign_headers
from tests.sync._inbox_thread import inbox_in_thread
from tests.sync._sync_world import seed

FQ = "fengqiao-yuanfang"


@pytest.fixture
def fq(world):
    home = world.station(FQ)
    seed(home, FQ)
    return home, export(home).path.read_bytes()


def read_all(s: socket.socket, within: float = 15.0) -> bytes:
    """What the server sends until it closes the connection (or `within` runs out)."""
    s.settimeout(within)
    got, end = b"", time.monotonic() + within
    try:
        while time.monotonic() < end:
            chunk = s.recv(4096)
            if not chunk:
                return got
            got += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return got + b"<not closed>"


def health(port: int, timeout: float = 5.0) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=timeout) as r:
        return json.loads(r.read())


def test_a_silent_connection_gets_408_and_is_closed(world):
    with inbox_in_thread(make_app(world.hq), head_timeout=1.0) as (_, port, guard):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        got = read_all(s)
        s.close()
        assert got.startswith(b"HTTP/1.1 408") and got.endswith(b"(request head too slow)\n")
        assert guard.timed_out == 1 and health(port)["ok"] is True


def test_a_trickled_head_is_cut_off(world):
    with inbox_in_thread(make_app(world.hq), head_timeout=1.0) as (_, port, guard):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST /bundles HTTP/1.1\r\nHost: x\r\n")
        stop = time.monotonic() + 15
        try:
            while time.monotonic() < stop:  # a header byte every 0.1 s: never a whole head
                s.sendall(b"X")
                time.sleep(0.1)
        except OSError:
            pass  # the server closed it
        got = read_all(s, 2)
        s.close()
        assert got.startswith(b"HTTP/1.1 408"), got[:80]
        assert guard.timed_out == 1


def test_a_kept_alive_connection_gets_the_head_deadline_again(world):
    with inbox_in_thread(make_app(world.hq), head_timeout=1.0) as (_, port, guard):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        first = s.recv(4096)
        assert first.startswith(b"HTTP/1.1 200")
        time.sleep(1.5)  # longer than the head deadline, but idle: the keep-alive timeout's business
        s.sendall(b"GET /health HTTP/1.1\r\n")  # then half a head, never finished
        got = read_all(s)
        s.close()
        assert got.startswith(b"HTTP/1.1 408")
        assert guard.timed_out == 1


def test_connections_beyond_the_cap_are_closed_at_once(world):
    with inbox_in_thread(make_app(world.hq), head_timeout=30.0, max_connections=4) as (_, port, guard):
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(4)]
        time.sleep(0.3)
        extra = socket.create_connection(("127.0.0.1", port), timeout=5)
        assert read_all(extra, 10) == b""  # closed without a byte, not held
        extra.close()
        assert guard.refused >= 1
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            health(port)
        held.pop().close()
        time.sleep(0.3)
        assert health(port)["ok"] is True
        for s in held:
            s.close()


def test_a_body_dripped_below_the_minimum_rate_is_408(world, fq):
    home, data = fq
    h = sign_headers(keys.station_signing_key(home), FQ, 1, data)
    with inbox_in_thread(make_app(world.hq, body_floor=2.0), head_timeout=5.0) as (_, port, _):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        head = "".join(f"{k}: {v}\r\n" for k, v in h.items())
        s.sendall(f"POST /bundles HTTP/1.1\r\nHost: x\r\nContent-Length: {len(data)}\r\n{head}\r\n".encode())
        stop, i = time.monotonic() + 20, 0
        try:
            while time.monotonic() < stop and i < len(data):  # 1 byte every 0.2 s: each read is "on time"
                s.sendall(data[i:i + 1])
                i += 1
                time.sleep(0.2)
                s.setblocking(False)
                try:
                    if s.recv(1, socket.MSG_PEEK):
                        break  # the server answered
                except BlockingIOError:
                    pass
                finally:
                    s.setblocking(True)
        except OSError:
            pass
        got = read_all(s, 5)
        s.close()
    assert got.startswith(b"HTTP/1.1 408") and b"minimum 64 KiB/s" in got
    assert not list(world.hq.rglob("*.part"))
    assert not [p for p in (world.hq / "quarantine").iterdir() if p.is_file()]


def test_header_check_does_not_wait_behind_a_merge(world, fq, monkeypatch):
    """Injected fault: the merge of a good upload blocks (on an Event this test holds)
    until a forged upload has been refused and /health has answered. Were the header
    check queued behind the merge, the forged upload would time out instead."""
    home, data = fq
    merging, release = threading.Event(), threading.Event()
    real = hq_server.ingest_bytes

    def slow_ingest(office, blob, name):
        merging.set()
        release.wait(30)
        return real(office, blob, name)

    monkeypatch.setattr(hq_server, "ingest_bytes", slow_ingest)
    results: dict[str, object] = {}
    with inbox_in_thread(make_app(world.hq), head_timeout=5.0) as (_, port, _):
        url = f"http://127.0.0.1:{port}/bundles"

        def good() -> None:
            req = urllib.request.Request(url, data=data, method="POST",
                                         headers=sign_headers(keys.station_signing_key(home), FQ, 1, data))
            with urllib.request.urlopen(req, timeout=60) as r:
                results["good"] = r.status

        t = threading.Thread(target=good)
        t.start()
        try:
            assert merging.wait(20), "the good upload never reached the merge"
            forged = sign_headers(Ed25519PrivateKey.generate(), FQ, 2, data)
            req = urllib.request.Request(url, data=data, method="POST", headers=forged)
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(req, timeout=10)
            assert e.value.code == 403 and json.loads(e.value.read())["kind"] == "bad-signature"
            assert health(port, timeout=10)["ok"] is True
            assert not release.is_set() and t.is_alive()  # all of that while the merge was held
        finally:
            release.set()
            t.join(60)
    assert results.get("good") == 200
    assert len(world.records()) > 0

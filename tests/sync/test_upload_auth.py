"""Issue 12: the HTTP inbox authenticates an upload from its signed headers before it
reads a body byte, stores nothing unauthenticated, and bounds slow or numerous uploads.
A real inbox (make_app, aiohttp's own server) on 127.0.0.1 in a thread; every wait bounded."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from liaison.hq.server import make_app
from liaison.security import keys
from liaison.sync.export import export
from liaison.sync.targets import HttpTarget, Unreachable
from liaison.sync.upload_auth import sign_headers
from tests.sync._inbox_thread import inbox_in_thread
from tests.sync._sync_world import seed

FQ = "fengqiao-yuanfang"


@pytest.fixture
def fq(world):
    home = world.station(FQ)
    ids = seed(home, FQ)
    return home, export(home).path.read_bytes(), ids


def post(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict, dict]:
    req = urllib.request.Request(url + "/bundles", data=data, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read()), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), dict(e.headers)


def signed(home: Path, data: bytes, **kw) -> dict[str, str]:
    return sign_headers(keys.station_signing_key(home), FQ, 1, data, **kw)


def nothing_written(hq: Path) -> None:
    assert not [p for p in (hq / "quarantine").rglob("*") if p.is_file()]
    assert not list(hq.rglob("*.part"))
    assert not [p for p in (hq / "processed").rglob("*") if p.is_file()]


def test_signed_upload_works_end_to_end(world, fq):
    home, data, ids = fq
    with inbox_in_thread(make_app(world.hq)) as (url, _, _):
        t = HttpTarget(url, home)
        t.open()
        assert json.loads(t.offer("b.bundle", data))["receipt"]["status"] == "ingested"
    assert len(world.records()) == len(ids)
    assert not list(world.hq.rglob("*.part"))


def test_unsigned_upload_is_403_and_nothing_is_written(world, fq):
    _, data, _ = fq
    with inbox_in_thread(make_app(world.hq)) as (url, _, _):
        status, body, _ = post(url, data, {})
        assert status == 403 and body["kind"] == "unauthenticated"
        status, _, _ = post(url, b"x" * 100_000, {})
        assert status == 403
    nothing_written(world.hq)


def test_bad_signature_is_403(world, fq):
    _, data, _ = fq
    forged = sign_headers(Ed25519PrivateKey.generate(), FQ, 1, data)
    with inbox_in_thread(make_app(world.hq)) as (url, _, _):
        status, body, _ = post(url, data, forged)
    assert status == 403 and body["kind"] == "bad-signature"
    nothing_written(world.hq)


def test_replayed_nonce_is_refused(world, fq):
    home, data, _ = fq
    h = signed(home, data)
    with inbox_in_thread(make_app(world.hq)) as (url, _, _):
        assert post(url, data, h)[0] == 200
        status, body, _ = post(url, data, h)
    assert status == 403 and body["kind"] == "replay" and "nonce" in body["error"]


def test_old_timestamp_is_refused(world, fq):
    home, data, _ = fq
    with inbox_in_thread(make_app(world.hq)) as (url, _, _):
        status, body, _ = post(url, data, signed(home, data, at=time.time() - 3600))
    assert status == 403 and body["kind"] == "stale"
    nothing_written(world.hq)


def test_content_encoding_is_415(world, fq):
    home, data, _ = fq
    with inbox_in_thread(make_app(world.hq)) as (url, _, _):
        status, body, _ = post(url, data, {**signed(home, data), "Content-Encoding": "gzip"})
    assert status == 415 and body["kind"] == "encoding"
    nothing_written(world.hq)


def test_body_differing_from_signed_hash_is_400_and_temp_file_gone(world, fq):
    home, data, _ = fq
    h = signed(home, data)
    other = data[:-2] + (b"A" if data[-2:-1] != b"A" else b"B") + data[-1:]
    with inbox_in_thread(make_app(world.hq)) as (url, _, _):
        status, body, _ = post(url, other, h)
    assert status == 400 and body["kind"] == "body-hash"
    nothing_written(world.hq)


def _hold(url: str, home: Path, data: bytes) -> socket.socket:
    """Signed headers for `data`, then one body byte: an upload in progress."""
    port = int(url.rsplit(":", 1)[1])
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    head = "".join(f"{k.lower()}: {v}\r\n" for k, v in signed(home, data).items())  # names are case-blind
    s.sendall(f"POST /bundles HTTP/1.1\r\nHost: x\r\nContent-Length: {len(data)}\r\n{head}\r\n".encode() + data[:1])
    return s


def test_a_trickle_is_dropped_by_the_server(world, fq):
    home, data, _ = fq
    with inbox_in_thread(make_app(world.hq, chunk_timeout=1.0)) as (url, _, _):
        s = _hold(url, home, data)
        s.settimeout(15)
        start, got = time.monotonic(), b""
        while time.monotonic() - start < 15:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        s.close()
        assert time.monotonic() - start < 10, "server kept a trickling upload open"
        assert got.startswith(b"HTTP/1.1 408")
    nothing_written(world.hq)


def test_too_many_uploads_is_503_with_retry_after_and_health_answers(world, fq):
    home, data, _ = fq
    with inbox_in_thread(make_app(world.hq, max_uploads=1, chunk_timeout=30.0)) as (url, _, _):
        s = _hold(url, home, data)
        try:
            time.sleep(0.5)  # the held upload has its slot
            status, body, headers = post(url, data, signed(home, data))
            assert status == 503 and body["kind"] == "busy" and int(headers["Retry-After"]) > 0
            with urllib.request.urlopen(url + "/health", timeout=5) as r:
                assert json.loads(r.read())["ok"] is True
        finally:
            s.close()


@contextmanager
def stub(answers: list[tuple[int, dict[str, str], bytes]]):
    seen: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        seen.append(dict(request.headers))
        status, headers, body = answers[min(len(seen), len(answers)) - 1]
        return web.Response(status=status, headers=headers, body=body)

    app = web.Application()
    app.router.add_post("/bundles", handler)
    with inbox_in_thread(app) as (url, _, _):
        yield url, seen


def test_station_retries_after_a_short_retry_after(world, fq):
    home, data, _ = fq
    busy = (503, {"Retry-After": "1"}, b'{"error": "busy"}')
    with stub([busy, busy, busy, (200, {}, b"receipt")]) as (url, seen):
        t = HttpTarget(url, home)
        t.open()
        assert t.offer("b.bundle", data) == b"receipt"
    assert len(seen) == 4 and len({s["X-Liaison-Nonce"] for s in seen}) == 4  # each attempt signed afresh


def test_station_gives_up_after_its_retries_and_keeps_the_bundle_pending(world, fq):
    home, data, _ = fq
    with stub([(503, {"Retry-After": "1"}, b'{"error": "busy"}')]) as (url, seen):
        t = HttpTarget(url, home)
        t.open()
        with pytest.raises(Unreachable, match="busy"):
            t.offer("b.bundle", data)
    assert len(seen) == 6  # the first try and five retries, then the next sync run


def test_station_told_to_wait_long_keeps_the_bundle_pending(world, fq):
    home, data, _ = fq
    with stub([(503, {"Retry-After": "60"}, b'{"error": "busy"}')]) as (url, seen):
        t = HttpTarget(url, home)
        t.open()
        with pytest.raises(Unreachable, match="busy"):
            t.offer("b.bundle", data)
    assert len(seen) == 1


def test_no_content_length_is_411(world, fq):
    home, data, _ = fq
    with inbox_in_thread(make_app(world.hq)) as (url, _, _):
        s = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=10)
        head = "".join(f"{k}: {v}\r\n" for k, v in signed(home, data).items())
        s.sendall(f"POST /bundles HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n{head}\r\n".encode()
                  + f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n\r\n")
        got = s.recv(4096)
        s.close()
    assert got.startswith(b"HTTP/1.1 411")
    nothing_written(world.hq)

"""`liaison hq serve`: the office's HTTP inbox (aiohttp).

POST /bundles   headers = signed upload claims (sync/upload_auth.py), body = one bundle;
                200 + the signed receipt (also for a replay). Refused before any body byte
                is read: 415 Content-Encoding, 411 no Content-Length, 413 too large,
                403 unsigned / unknown station / bad signature / stale / replayed nonce,
                503 + Retry-After too many uploads at once. While reading: 408 too slow,
                400 length or SHA-256 differs from the signed one. Then ingest: 400
                malformed, 403 bundle signature, 422 another office key, 409 number
                reused, 503 another office writer held the office too long.
GET  /health    {"ok": true, "office": name, "office_key": fingerprint}

Ingest runs on one worker thread: SQLite has one writer, and the event loop stays free
to answer /health and to refuse uploads while a big bundle is merged. The signed
headers are checked on another thread with a read-only connection (keybook.py), so a
403 or the go-ahead for a body never waits behind a merge.

Connections (guard.py): the request head must be complete within HEAD_TIMEOUT (408),
at most MAX_CONNECTIONS are open (the next is closed at once). Bodies (receive.py):
nothing for CHUNK_TIMEOUT, or slower than MIN_RATE overall past BODY_FLOOR, is 408.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiohttp import web
from multidict import CIMultiDict

from ..sync.upload_auth import Claims, NonceBook, Refusal, verify_headers
from .guard import GUARDS, HEAD_TIMEOUT, MAX_CONNECTIONS, GuardedSite, head_done
from .ingest import ingest_bytes, keep_processed
from .keybook import KeyBook
from .lock import OfficeBusy
from .office import Office
from .receive import BODY_FLOOR, CHUNK_TIMEOUT, BodyRefused, clear_incoming, incoming, receive

MAX_BYTES = 256 * 1024 * 1024  # a 50 000-record bundle is ~15 MB; refuse anything absurd
MAX_UPLOADS = 8  # bodies in flight; one ingest thread behind them, so more would only queue
RETRY_AFTER = "60"  # the office's database held by another writer: come back next run
RETRY_SLOTS = "2"  # only the upload slots are full: an upload takes about a second, so soon
STATUS = {"malformed": 400, "payload-hash": 400, "unknown-station": 403, "bad-signature": 403,
          "wrong-office": 422, "fork": 409}
# aiohttp's own limits: short headers, a modest idle keep-alive, and unread bodies of a
# refused request drained for 2 s at most before the connection is dropped.
HANDLER_ARGS = {"max_line_size": 8190, "max_field_size": 8190, "max_headers": 64, "read_bufsize": 64 * 1024,
                "keepalive_timeout": 15.0, "lingering_time": 2.0, "auto_decompress": False}
OFFICE = web.AppKey("office", Office)
POOL = web.AppKey("pool", ThreadPoolExecutor)
AUTH = web.AppKey("auth", ThreadPoolExecutor)  # header checks: never behind a merge on POOL
KEYS = web.AppKey("keys", KeyBook)
BODY_WAIT = web.AppKey("body_floor", float)
LIMIT = web.AppKey("limit", int)
SLOTS = web.AppKey("slots", asyncio.Semaphore)
NONCES = web.AppKey("nonces", NonceBook)
CHUNK_WAIT = web.AppKey("chunk_wait", float)


def _error(status: int, message: str, kind: str, **headers: str) -> web.Response:
    return web.json_response({"error": message, "kind": kind}, status=status, headers=headers or None)


def _refuse_unread(status: int, message: str, kind: str, **headers: str) -> web.Response:
    resp = _error(status, message, kind, **headers)
    resp.force_close()  # the body was not read: this connection cannot carry another request
    return resp


async def post_bundle(request: web.Request) -> web.Response:
    app = request.app
    if request.headers.get("Content-Encoding", "identity").lower() != "identity":
        return _refuse_unread(415, "不接受压缩编码的上传 (Content-Encoding not accepted)", "encoding")
    if request.content_length is None:
        return _refuse_unread(411, "缺少 Content-Length (Content-Length required)", "length-required")
    if request.content_length > app[LIMIT]:
        return _refuse_unread(413, f"数据包过大（上限 {app[LIMIT]} 字节）(bundle too large)", "too-large")
    if app[SLOTS].locked():
        return _refuse_unread(503, "院本部正忙于接收其他上传，请稍后重试 (too many uploads, retry later)", "busy",
                              **{"Retry-After": RETRY_SLOTS})
    async with app[SLOTS]:
        return await _authenticated(request)


async def _authenticated(request: web.Request) -> web.Response:
    app, loop = request.app, asyncio.get_running_loop()
    office = app[OFFICE]
    # On the auth thread: the key book's read-only connection lives there, and so the
    # nonce book needs no lock.
    got = await loop.run_in_executor(app[AUTH], _verify, CIMultiDict(request.headers), app[KEYS], app[NONCES])
    if isinstance(got, Refusal):
        extra = {"Retry-After": RETRY_AFTER} if got.status == 503 else {}
        return _refuse_unread(got.status, got.reason, got.kind, **extra)
    if got.length != request.content_length:
        return _refuse_unread(400, "Content-Length 与签名长度不符 (Content-Length differs from the signed length)",
                              "length")
    try:
        part = await receive(request.content, got, incoming(office.home), app[CHUNK_WAIT], app[BODY_WAIT])
    except BodyRefused as e:
        return _refuse_unread(e.status, e.reason, e.kind)
    try:
        data = part.read_bytes()  # ingest takes bytes; only ever for a signed, hash-checked body
    finally:
        part.unlink(missing_ok=True)
    name = request.headers.get("X-Bundle-Name", "upload.bundle")
    try:
        out = await loop.run_in_executor(app[POOL], ingest_bytes, office, data, name)
    except OfficeBusy as e:  # another office writer (an `hq ingest`): the station keeps it pending, retries
        return _error(503, str(e), "busy", **{"Retry-After": RETRY_AFTER})
    if out.receipt is None:
        return _error(STATUS.get(out.kind, 400), out.reason, out.kind)
    await loop.run_in_executor(app[POOL], _keep, office, out.name, data)
    return web.Response(body=out.receipt, content_type="application/json")


def _verify(headers: CIMultiDict[str], keys: KeyBook, nonces: NonceBook) -> Claims | Refusal:
    try:
        return verify_headers(headers, keys.station_key, time.time(), nonces)
    except sqlite3.Error:  # e.g. the database being restored under the server: the station retries
        return Refusal(503, "busy", "院本部数据库暂不可读，请稍后重试 (office database not readable, retry later)")


def _keep(office: Office, name: str, data: bytes) -> None:
    """The office's own copy of what it ingested, as for a folder inbox (sealed)."""
    keep_processed(office, name, data)


async def health(request: web.Request) -> web.Response:
    office = request.app[OFFICE]
    return web.json_response({"ok": True, "office": office.name, "office_key": office.key_id})


def make_app(home: Path, max_bytes: int = MAX_BYTES, max_uploads: int = MAX_UPLOADS,
             chunk_timeout: float = CHUNK_TIMEOUT, body_floor: float = BODY_FLOOR) -> web.Application:
    app = web.Application(client_max_size=max_bytes, handler_args=HANDLER_ARGS, middlewares=[head_done])
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")
    auth = ThreadPoolExecutor(max_workers=1, thread_name_prefix="auth")
    app[LIMIT] = max_bytes
    app[POOL] = pool
    app[AUTH] = auth
    app[OFFICE] = pool.submit(Office, home).result()  # opened on the thread that will use it
    app[KEYS] = auth.submit(KeyBook, app[OFFICE].home / "office.db").result()  # after Office made the schema
    app[GUARDS] = []
    app[BODY_WAIT] = body_floor
    app[SLOTS] = asyncio.Semaphore(max_uploads)
    app[NONCES] = NonceBook()
    app[CHUNK_WAIT] = chunk_timeout
    clear_incoming(home)

    async def close(app: web.Application) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(app[AUTH], app[KEYS].close)
        app[AUTH].shutdown()
        await loop.run_in_executor(app[POOL], app[OFFICE].close)
        app[POOL].shutdown()

    app.on_cleanup.append(close)
    app.router.add_post("/bundles", post_bundle)
    app.router.add_get("/health", health)
    return app


def serve(home: Path, host: str, port: int, max_bytes: int = MAX_BYTES, head_timeout: float = HEAD_TIMEOUT,
          max_connections: int = MAX_CONNECTIONS) -> None:
    """Until SIGINT or SIGTERM; aiohttp's run_app cannot take our protocol factory (guard.py)."""
    asyncio.run(_serve(home, host, port, max_bytes, head_timeout, max_connections))


async def _serve(home: Path, host: str, port: int, max_bytes: int, head_timeout: float,
                 max_connections: int) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(make_app(home, max_bytes), access_log=None)
    await runner.setup()
    try:
        await GuardedSite(runner, host, port, head_timeout, max_connections).start()
        await stop.wait()
    finally:
        await runner.cleanup()

"""`liaison hq serve`: the office's HTTP inbox (aiohttp).

POST /bundles   body = one bundle file; 200 + the signed receipt (also for a replay),
                400 malformed, 403 unknown station / bad signature, 413 too large,
                422 encrypted to another office key, 409 bundle number reused,
                503 another office writer held the office too long (retry later)
GET  /health    {"ok": true, "office": name, "office_key": fingerprint}

Ingest runs on one worker thread: SQLite has one writer, and the event loop stays free
to answer /health and to refuse oversized bodies while a big bundle is merged.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiohttp import web

from ..store.atomic import atomic_write
from .ingest import ingest_bytes
from .lock import OfficeBusy
from .office import Office

MAX_BYTES = 256 * 1024 * 1024  # a 50 000-record bundle is ~15 MB; refuse anything absurd
STATUS = {"malformed": 400, "payload-hash": 400, "unknown-station": 403, "bad-signature": 403,
          "wrong-office": 422, "fork": 409}
OFFICE = web.AppKey("office", Office)
POOL = web.AppKey("pool", ThreadPoolExecutor)
LIMIT = web.AppKey("limit", int)


def _error(status: int, message: str, kind: str) -> web.Response:
    return web.json_response({"error": message, "kind": kind}, status=status)


async def post_bundle(request: web.Request) -> web.Response:
    try:
        data = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _error(413, f"数据包过大（上限 {request.app[LIMIT]} 字节）(bundle too large)", "too-large")
    office = request.app[OFFICE]
    name = request.headers.get("X-Bundle-Name", "upload.bundle")
    try:
        out = await asyncio.get_running_loop().run_in_executor(request.app[POOL], ingest_bytes, office, data, name)
    except OfficeBusy as e:  # another office writer (an `hq ingest`): the station keeps it pending, retries
        return web.json_response({"error": str(e), "kind": "busy"}, status=503, headers={"Retry-After": "60"})
    if out.receipt is None:
        return _error(STATUS.get(out.kind, 400), out.reason, out.kind)
    await asyncio.get_running_loop().run_in_executor(request.app[POOL], _keep, office, out.name, data)
    return web.Response(body=out.receipt, content_type="application/json")


def _keep(office: Office, name: str, data: bytes) -> None:
    """The office's own copy of what it ingested, as for a folder inbox."""
    atomic_write(office.processed / name, data)


async def health(request: web.Request) -> web.Response:
    office = request.app[OFFICE]
    return web.json_response({"ok": True, "office": office.name, "office_key": office.key_id})


def make_app(home: Path, max_bytes: int = MAX_BYTES) -> web.Application:
    app = web.Application(client_max_size=max_bytes)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")
    app[LIMIT] = max_bytes
    app[POOL] = pool
    app[OFFICE] = pool.submit(Office, home).result()  # opened on the thread that will use it

    async def close(app: web.Application) -> None:
        await asyncio.get_running_loop().run_in_executor(app[POOL], app[OFFICE].close)
        app[POOL].shutdown()

    app.on_cleanup.append(close)
    app.router.add_post("/bundles", post_bundle)
    app.router.add_get("/health", health)
    return app


def serve(home: Path, host: str, port: int, max_bytes: int = MAX_BYTES) -> None:
    web.run_app(make_app(home, max_bytes), host=host, port=port, print=None, handle_signals=True)

"""A real office inbox (an aiohttp app) served on 127.0.0.1 from a thread, for the tests
that talk HTTP to it byte by byte; stopped when the `with` block ends."""

from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from typing import Iterator, NamedTuple

from aiohttp import web

from liaison.hq.guard import Guard, GuardedSite


class Served(NamedTuple):
    url: str
    port: int
    guard: Guard | None  # with `head_timeout` only


@contextmanager
def inbox_in_thread(app: web.Application, head_timeout: float | None = None,
                    max_connections: int = 64) -> Iterator[Served]:
    """`app` behind aiohttp's own TCPSite, or, given `head_timeout`, behind GuardedSite
    with these limits, as `liaison hq serve` runs it. The port is the system's choice."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    if head_timeout is None:
        site, guard = web.TCPSite(runner, "127.0.0.1", 0), None
    else:
        site = GuardedSite(runner, "127.0.0.1", 0, head_timeout, max_connections)
        guard = site.guard
    loop.run_until_complete(site.start())
    port = site.port
    t = threading.Thread(target=loop.run_forever, daemon=True)
    t.start()
    try:
        yield Served(f"http://127.0.0.1:{port}", port, guard)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(15)
        loop.call_soon_threadsafe(loop.stop)
        t.join(5)
        loop.close()

"""Connection limits aiohttp does not give: a deadline for the request head and a cap
on open connections (issue: slow-header connections).

aiohttp bounds the size of a request head (max_line_size, max_headers) but has no
setting for the time it may take (3.14 happens to close an unfinished head silently
when its keep-alive timer, armed at connect, runs out; older versions held it for
ever), and it accepts as many connections as the process has file descriptors: ~1 100
trickling clients were enough to starve `/health`. So the inbox's listening socket is made with `GuardedSite`, whose
protocol factory wraps each aiohttp `RequestHandler` in a small `Guarded` protocol:

* beyond `max_connections` open connections a new one is closed at once (abort: no
  byte read, nothing answered), so the process keeps descriptors and memory for the
  connections it serves;
* a timer of `head_timeout` seconds is armed when a connection opens, and again when
  the first byte of a later (keep-alive) request arrives; the `head_done` middleware
  cancels it when aiohttp hands the parsed request to the application. If it fires
  first the client gets `408` and the connection is closed. The body has its own
  bounds (receive.py: per-chunk timeout and a minimum rate).

Everything else is passed through unchanged to aiohttp's own protocol.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, cast

from aiohttp import web

HEAD_TIMEOUT = 10.0  # seconds for a complete request line + headers
MAX_CONNECTIONS = 256  # open connections; the next one is closed at once
_HEAD_408 = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n"
             b"Content-Length: %d\r\n\r\n%s")
_HEAD_MSG = "请求头发送过慢 (request head too slow)\n".encode()


class Guard:
    """The protocol factory handed to asyncio: counts connections, wraps each handler."""

    def __init__(self, factory: Callable[[], asyncio.Protocol], head_timeout: float = HEAD_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS):
        self.factory, self.head_timeout, self.max_connections = factory, head_timeout, max_connections
        self.open = 0
        self.refused = 0  # connections closed at once for the cap
        self.timed_out = 0  # heads that missed the deadline
        self.by_transport: dict[int, Guarded] = {}

    def __call__(self) -> "Guarded":
        return Guarded(self)


class Guarded(asyncio.Protocol):
    def __init__(self, guard: Guard):
        self.guard = guard
        self.inner: Any = None  # aiohttp's RequestHandler, made only for an accepted connection
        self.transport: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.busy = False  # a request has been handed to the application

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        g = self.guard
        # a stream server's protocol is always given a Transport (write, abort, is_closing)
        self.transport = t = cast(asyncio.Transport, transport)
        if g.open >= g.max_connections:
            g.refused += 1
            t.abort()  # connection_lost follows; the inner handler was never made
            return
        g.open += 1
        g.by_transport[id(transport)] = self
        self.inner = g.factory()
        self.inner.connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        self.timer = asyncio.get_running_loop().call_later(self.guard.head_timeout, self._too_slow)

    def _too_slow(self) -> None:
        self.timer = None
        t = self.transport
        if self.busy or t is None or t.is_closing():
            return
        self.guard.timed_out += 1
        t.write(_HEAD_408 % (len(_HEAD_MSG), _HEAD_MSG))
        t.close()  # flushes the 408, then connection_lost

    def head_done(self) -> None:
        self.busy = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def request_done(self) -> None:
        self.busy = False

    def data_received(self, data: bytes) -> None:
        if self.inner is None:
            return
        if not self.busy and self.timer is None:
            self._arm()  # the first bytes of another request on a kept-alive connection
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.inner is not None else None

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()

    def connection_lost(self, exc: BaseException | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.inner is None:
            return
        self.guard.open -= 1
        self.guard.by_transport.pop(id(self.transport), None)
        inner, self.inner = self.inner, None
        inner.connection_lost(exc)


GUARDS = web.AppKey("guards", list)  # make_app puts an empty list; each GuardedSite adds its Guard


@web.middleware
async def head_done(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                    ) -> web.StreamResponse:
    """The head is parsed and the request is the application's: stop the head timer."""
    key = id(request.transport)
    wrapped = next((w for g in request.app.get(GUARDS, ()) if (w := g.by_transport.get(key))), None)
    if wrapped is not None:
        wrapped.head_done()
    try:
        return await handler(request)
    finally:
        if wrapped is not None:
            wrapped.request_done()


class GuardedSite(web.TCPSite):
    """aiohttp's TCPSite, listening through a Guard (see the module doc)."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, head_timeout: float = HEAD_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS, backlog: int = 512):
        super().__init__(runner, host, port, backlog=backlog)
        assert runner.server is not None
        self.guard = Guard(runner.server, head_timeout, max_connections)
        if GUARDS not in runner.app:  # without head_done every request would time out as a slow head
            raise ValueError("GuardedSite needs an app made with the head_done middleware and app[GUARDS] = []")
        runner.app[GUARDS].append(self.guard)

    async def start(self) -> None:
        await web.BaseSite.start(self)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self.guard, self._host, self._port, backlog=self._backlog,
                                                reuse_address=self._reuse_address)
        self._bound_port = self._server.sockets[0].getsockname()[1] if self._server.sockets else self._port

"""The daemon's HTTP server: the dashboard, ``/healthz``, ``/metrics`` and ``/status``.

It runs inside the daemon's event loop (uvicorn serving a Starlette app), on
the address ``http.listen`` names, 127.0.0.1:8787 by default, and only reads:
nothing it serves changes state. A port that is taken costs the server, never
the daemon: polling and alerting go on.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from monitor.daemon.health import Health
from monitor.poll.metrics import CONTENT_TYPE
from monitor.web import pages
from monitor.web.pages import WebContext

log = logging.getLogger(__name__)


class DaemonView(Protocol):
    """What the server asks the daemon."""

    def health(self) -> Health:
        """Run the health checks now."""
        ...

    def metrics(self) -> bytes:
        """Every metric, in Prometheus's text format."""
        ...

    def status(self) -> dict[str, Any]:
        """The status document (``monitor.status/1``)."""
        ...


def make_app(view: DaemonView, web: WebContext | None = None) -> Starlette:
    """The read-only web app over ``view``, with the dashboard's pages when ``web`` is given."""

    async def healthz(_: Request) -> Response:
        health = view.health()
        body = {"status": "ok" if health.ok else "failing", "checks": health.checks}
        return JSONResponse(body, status_code=200 if health.ok else 503)

    async def metrics(_: Request) -> Response:
        return Response(view.metrics(), media_type=CONTENT_TYPE)

    async def status(_: Request) -> Response:
        return JSONResponse(view.status())

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/status", status, methods=["GET"]),
            *(pages.routes(web) if web is not None else []),
        ]
    )


class _EmbeddedServer(uvicorn.Server):
    """uvicorn, minus its signal handling: the daemon handles SIGTERM and SIGINT itself."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpServer:
    """The app served on one address until ``stop``."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        self.host, self.port = host, port
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
        self._server = _EmbeddedServer(config)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> bool:
        """Listen and serve in the background; ``False`` (logged) if the address is unusable."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            sock = socket.create_server((self.host, self.port), family=family)
        except OSError as exc:
            log.error(
                "http: cannot listen on %s: %s; the dashboard, /healthz, /metrics and /status "
                "are off, polling goes on",
                self.url,
                exc.strerror or exc,
            )
            return False
        self.port = sock.getsockname()[1]
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        log.info("http: dashboard, /healthz, /metrics and /status on %s/", self.url)
        return True

    @property
    def url(self) -> str:
        """The server's base URL."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._task is not None:
            self._server.should_exit = True
            await self._task
            self._task = None

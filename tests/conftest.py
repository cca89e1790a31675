"""Shared fixtures: real HTTP servers and a real SMTP server (aiosmtpd) on 127.0.0.1,
config directories in tmp, and the dashboard served to a real Chromium."""

from __future__ import annotations

import asyncio
import email
import hashlib
import json
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from monitor.config import load_config
from monitor.daemon.health import Health
from monitor.daemon.run import open_runtime
from monitor.daemon.server import HttpServer, make_app
from monitor.poll.cycle import CycleReport, run_cycle
from monitor.web.pages import WebContext

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO.parent / "shared"
SHIPPED_WATCH = REPO / "config" / "watches" / "serbia-kosovo.yaml"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots; git ignores it
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)"
)


@dataclass
class Route:
    """What the feed server answers on one path."""

    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: bool = True


@dataclass
class Request:
    """One request a test server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.requests: list[Request] = []
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _record(self) -> Request:
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(self.command, self.path, dict(self.headers), self.rfile.read(length))
        self.server.owner.requests.append(request)  # type: ignore[attr-defined]
        return request

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FeedServer(_Server):
    """Serves saved feeds on 127.0.0.1 with ETag / If-None-Match support."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        super().__init__(_FeedHandler)

    def serve(self, path: str, route: Route | bytes) -> str:
        self.routes[path] = route if isinstance(route, Route) else Route(body=route)
        return self.url(path)

    def serve_file(self, path: str, fixture: Path, **options: Any) -> str:
        return self.serve(path, Route(body=fixture.read_bytes(), **options))


class _FeedHandler(_Handler):
    def do_GET(self) -> None:
        request = self._record()
        server: FeedServer = self.server.owner  # type: ignore[attr-defined]
        route = server.routes.get(request.path.split("?")[0])
        if route is None:
            self._send(404, b"not found", {"Content-Type": "text/plain"})
            return
        if route.delay:
            time.sleep(route.delay)
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.etag and route.status == 200:
            etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
            headers["ETag"] = etag
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", {"ETag": etag})
                return
        self._send(route.status, route.body, headers)


class WebhookReceiver(_Server):
    """Receives webhook POSTs; answers the queued statuses first, then 200."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.headers: dict[str, str] = {}  # sent with every answer that is not 200
        super().__init__(_WebhookHandler)

    @property
    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(r.body) for r in self.accepted]

    @property
    def accepted(self) -> list[Request]:
        return [r for r in self.requests if getattr(r, "status", 200) == 200]


class _WebhookHandler(_Handler):
    def do_POST(self) -> None:
        request = self._record()
        if len(request.body) < int(self.headers.get("Content-Length") or 0):
            # The sender died mid-body (a crash test kills it): a real receiver never
            # accepts half a request, and the sender never heard an answer.
            request.status = 400  # type: ignore[attr-defined]
            self.close_connection = True
            return
        server: WebhookReceiver = self.server.owner  # type: ignore[attr-defined]
        status = server.statuses.pop(0) if server.statuses else 200
        request.status = status  # type: ignore[attr-defined]
        headers = {} if status == 200 else server.headers
        self._send(status, b'{"ok": true}' if status == 200 else b"busy", headers)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    yield server
    server.close()


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts, and its recipients."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def subject(message: Message) -> str:
    """The Subject a mail reader shows: its encoded words decoded, its folding undone."""
    return " ".join(str(make_header(decode_header(message["Subject"]))).split())


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"ana", b"pw")
    return AuthResult(success=ok)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """An SMTP server on 127.0.0.1 and its port: it takes mail with no login, or with
    the login ``ana`` / ``pw`` (any other login is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=_authenticate,
        auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    yield inbox, port
    controller.stop()


class Quiet:
    """A daemon view for pages that never ask the daemon anything."""

    def health(self) -> Health:
        return Health({"test": "ok"})

    def metrics(self) -> bytes:
        return b""

    def status(self) -> dict[str, Any]:
        return {}


@dataclass
class ConfigDir:
    """A config directory in tmp, written from Python values."""

    path: Path
    database: Path

    def write(
        self,
        feeds: list[dict[str, Any]] | list[str],
        channels: dict[str, Any] | None = None,
        watch_channels: list[str] | None = None,
        settings: dict[str, Any] | None = None,
        alert_on: str = "[article:warning]",
        group_wait: str = "0s",
        story_group: str = "names",
        resolve_after: str = "24h",
        notify_resolved: bool = False,
        story: dict[str, Any] | None = None,
    ) -> Path:
        """Write the config; the watch is the shipped one, alerting on ``alert_on``,
        sending its first notification after ``group_wait``, grouping stories by
        ``story_group`` (with the rest of the ``story`` block), ending a story after
        ``resolve_after`` without a report and notifying that with ``notify_resolved``."""
        monitor = {
            "database": str(self.database),
            "poll": {"timeout": "5s", "jitter": 0},
            "http": {"listen": None},
            "channels": channels or {"console": {"type": "console"}},
            **(settings or {}),
        }
        (self.path / "monitor.yaml").write_text(yaml.safe_dump(monitor), encoding="utf-8")
        entries = [{"url": f} if isinstance(f, str) else f for f in feeds]
        (self.path / "feeds.yaml").write_text(yaml.safe_dump({"feeds": entries}), "utf-8")
        watch = SHIPPED_WATCH.read_text(encoding="utf-8")
        watch = watch.replace("on: [article:warning, index:high]", f"on: {alert_on}")
        watch = watch.replace("group_wait: 60s", f"group_wait: {group_wait}")
        watch = watch.replace(
            "resolve_after: 24h",
            f"resolve_after: {resolve_after}\n  notify_resolved: {json.dumps(notify_resolved)}",
        )
        if watch_channels is not None:
            watch = watch.replace("channels: [console]", f"channels: {json.dumps(watch_channels)}")
        if story_group != "names" or story:
            shipped = yaml.safe_load(watch).get("story") or {}
            watch = re.sub(r"^story:\n(?:  .*\n?)*", "", watch, flags=re.MULTILINE)
            merged = {**shipped, "group": story_group, **(story or {})}
            watch += f"\nstory: {json.dumps(merged)}\n"
        (self.path / "watches").mkdir(exist_ok=True)
        (self.path / "watches" / "serbia-kosovo.yaml").write_text(watch, encoding="utf-8")
        return self.path


@pytest.fixture
def config_dir(tmp_path: Path) -> ConfigDir:
    directory = tmp_path / "config"
    directory.mkdir()
    return ConfigDir(directory, tmp_path / "data" / "monitor.db")


@pytest.fixture
def seed_article() -> str:
    """The article this project was started from (skips when ../shared is absent)."""
    path = SHARED / "seed" / "article.txt"
    if not path.exists():
        pytest.skip("../shared/seed/article.txt is not available")
    return path.read_text(encoding="utf-8")


def rss(items: list[dict[str, str]], title: str = "Test feed") -> bytes:
    """Build a small RSS 2.0 document; values are escaped as XML text."""
    parts = []
    for item in items:
        fields = "".join(f"<{key}>{escape(value)}</{key}>" for key, value in item.items())
        parts.append(f"<item>{fields}</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://example.org/</link>"
        f"{''.join(parts)}</channel></rss>"
    ).encode()


_SUMMARIES: list[str] = []


def add_summary(text: str) -> None:
    """Print ``text`` in pytest's terminal summary, after the results (shown without ``-s``)."""
    _SUMMARIES.append(text)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SUMMARIES:
        terminalreporter.section("robustness")
        for text in _SUMMARIES:
            terminalreporter.write_line(text)


@contextmanager
def dashboard_at(web: WebContext) -> Iterator[str]:
    """Serve the dashboard of ``web`` on 127.0.0.1 with the daemon's own HTTP server,
    in a thread of its own; yield its URL."""
    ready = threading.Event()
    stop: list[asyncio.Event] = []
    urls: list[str] = []

    async def serve() -> None:
        server = HttpServer(make_app(Quiet(), web), "127.0.0.1", 0)
        assert server.start()
        urls.append(server.url)
        stop.append(asyncio.Event())
        ready.set()
        await stop[0].wait()
        await server.stop()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield urls[0]
    finally:
        loop.call_soon_threadsafe(stop[0].set)
        thread.join(10)
        loop.close()


@dataclass(frozen=True)
class Browser:
    """Headless Chromium with a profile of its own, reading pages as a person's browser
    would: the DOM after parsing, and screenshots (saved under ``ARTIFACTS``)."""

    profile: Path

    def _run(self, *args: str) -> str:
        command = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-background-networking", "--disable-component-update",
                   "--no-first-run", "--disable-sync", "--hide-scrollbars",
                   f"--user-data-dir={self.profile}", *args]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
        return done.stdout

    def dom(self, url: str) -> str:
        """The page's DOM as the browser built it."""
        return self._run("--dump-dom", url)

    def screenshot(self, url: str, name: str, size: str = "1100,1500") -> Path:
        """A screenshot of the page, ``size`` pixels wide and high, as ``ARTIFACTS/name``."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self._run(f"--screenshot={path}", f"--window-size={size}", url)
        print(f"screenshot: {path}")
        return path


class ClockedDaemon:
    """Cycles of a fresh daemon each time (as after a restart), with one webhook channel
    ``team`` to ``webhook``, on a clock the test moves from ``start``; ``options`` go to
    ``ConfigDir.write``."""

    def __init__(
        self, config_dir: ConfigDir, webhook: WebhookReceiver, start: datetime, **options: Any
    ) -> None:
        self.config_dir, self.webhook, self.options = config_dir, webhook, options
        self.clock = start

    def cycle(self, feeds: list[str], minutes: float = 0, hours: float = 0) -> CycleReport:
        """Move the clock on, then run one cycle over every feed."""
        self.clock += timedelta(minutes=minutes, hours=hours)
        path = self.config_dir.write(
            feeds,
            channels={"team": {"type": "webhook", "url": self.webhook.url("/hook")}},
            watch_channels=["team"],
            **self.options,
        )

        async def run() -> CycleReport:
            async with open_runtime(load_config(path)) as runtime:
                runtime.clock = lambda: self.clock
                return await run_cycle(runtime, all_feeds=True)

        return asyncio.run(run())

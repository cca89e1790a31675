"""Robustness (issue #8): real-world feeds, network faults and hostile XML.

Every case goes through the real pipeline (fetch, parse, normalize, score,
store) against servers on 127.0.0.1 and asserts what a user sees: one clear
error recorded on the failing feed, the other feeds stored on time, the
database intact.

The default run takes a sample of ``../shared/feeds`` (every real outlet
feed and every 40th file of feedparser's corpus). The whole corpus runs with
``pytest -m corpus``; its table of outcomes is printed in the terminal
summary either way.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import re
import socket
import sqlite3
import struct
import threading
import time
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from conftest import SHARED, ConfigDir, FeedServer, Route, add_summary, rss

from monitor.config import load_config
from monitor.daemon.run import open_runtime, poll_once
from monitor.models import FetchResult
from monitor.poll.cycle import CycleReport, run_cycle
from monitor.reader.parse import declares_entities, parse_feed

CORPUS = SHARED / "feeds"
GOOD = rss(
    [
        {
            "title": "Talks on Mitrovica bridge resume in Brussels",
            "link": "https://good.example/1",
            "guid": "good-1",
            "description": "Negotiators met again.",
        }
    ],
    title="Good outlet",
)


def poll(config_path: Path) -> CycleReport:
    return asyncio.run(poll_once(load_config(config_path)))


def rows(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchall()


def feed_rows(database: Path) -> dict[str, dict[str, Any]]:
    """Each feed's row, with the number of articles it carried (``articles``), by URL."""
    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        found = db.execute(
            """SELECT feeds.*, (SELECT count(*) FROM article_sources s WHERE s.feed_id = feeds.id)
                 AS articles FROM feeds"""
        ).fetchall()
    return {row["url"]: dict(row) for row in found}


# --- the real-world corpus -----------------------------------------------------------------------

CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
HEADER_LINE = re.compile(rb"^Header:\s*([A-Za-z-]+):[ \t]*(.*?)\s*$", re.MULTILINE)


def corpus_files() -> list[Path]:
    """Every file under ../shared/feeds, sorted (empty when ../shared is absent)."""
    if not CORPUS.is_dir():
        return []
    return sorted(path for path in CORPUS.rglob("*") if path.is_file())


def corpus_sample() -> list[Path]:
    """The real outlet feeds and every 40th other file: the same sample on every run."""
    files = corpus_files()
    real = [path for path in files if "real" in path.relative_to(CORPUS).parts[:1]]
    others = [path for path in files if path not in real]
    return real + others[::40]


def corpus_route(path: Path) -> Route:
    """How the file is served: a content type from its extension, gzip as Content-Encoding.

    feedparser's ``http`` cases carry their own response headers in a
    ``Header:`` comment, served as written (as feedparser's own harness does).
    """
    body = path.read_bytes()
    suffixes = path.suffixes
    headers: dict[str, str] = {}
    if suffixes and suffixes[-1] == ".gz":
        headers["Content-Encoding"] = "gzip"
        suffixes = suffixes[:-1]
    content_type = CONTENT_TYPES.get(suffixes[-1] if suffixes else "", "application/octet-stream")
    etag = True
    if "http" in path.relative_to(CORPUS).as_posix():
        for name, value in HEADER_LINE.findall(body[:2000]):
            if name.lower() == b"content-type":
                content_type = value.decode("latin-1")
            else:
                headers[name.decode("ascii")] = value.decode("latin-1")
                etag = etag and name.lower() != b"etag"
    return Route(body=body, content_type=content_type, headers=headers, etag=etag)


def entry_count(path: Path, route: Route) -> int:
    """How many entries the file yields when parsed as the pipeline parses it (0 if none)."""
    body = gzip.decompress(route.body) if path.suffix == ".gz" else route.body
    try:
        return len(
            parse_feed(FetchResult("http://x/", "ok", 200, body, route.content_type)).entries
        )
    except Exception:
        return 0


@dataclass
class CorpusRun:
    """What one poll of a set of corpus files left in the database."""

    files: int
    seconds: float
    outcomes: Counter[str]
    errors: Counter[str]

    def table(self, title: str) -> str:
        """The outcomes and the most common error messages, as text for the terminal."""
        lines = [f"{title}: {self.files} files in {self.seconds:.1f}s"]
        lines += [f"  {outcome:<26} {count:>5}" for outcome, count in sorted(self.outcomes.items())]
        lines.append("  most common errors:")
        lines += [f"  {count:>5}  {message}" for message, count in self.errors.most_common(12)]
        return "\n".join(lines)


def error_kind(message: str) -> str:
    """An error message without its line and column numbers, to group alike errors."""
    message = re.sub(r"<unknown>:\d+:\d+: ", "", message)
    message = re.sub(r"line \d+, column \d+", "line N, column N", message)
    return message[:90]


def run_corpus(files: list[Path], server: FeedServer, config_dir: ConfigDir) -> CorpusRun:
    """Serve ``files``, poll them all in one cycle and check what each feed's row says."""
    routes = {}
    for path in files:
        route = corpus_route(path)
        url = server.serve("/" + quote(path.relative_to(CORPUS).as_posix()), route)
        routes[url] = (path, route)
    poll_settings = {"timeout": "30s", "jitter": 0, "concurrency": 20, "workers": 2}
    config = config_dir.write(list(routes), settings={"poll": poll_settings})

    started = time.monotonic()
    report = poll(config)
    seconds = time.monotonic() - started

    feeds = feed_rows(config_dir.database)
    assert report.polled == len(files)
    assert set(feeds) == set(routes)
    outcomes: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for url, row in feeds.items():
        path, route = routes[url]
        name = path.relative_to(CORPUS).as_posix()
        assert row["last_polled_at"] is not None, name
        error = row["last_error"]
        assert not (error or "").startswith("internal error"), (name, error)
        if row["last_status"] == "error":
            assert error, name
            outcomes["rejected"] += 1
            errors[error_kind(error)] += 1
            continue
        assert row["last_status"] == "ok", (name, row["last_status"])
        if entry_count(path, route):
            assert row["articles"] > 0, f"{name}: entries parsed but no article stored"
        if error:
            outcomes["malformed but used"] += 1
            errors[error_kind(error)] += 1
        else:
            outcomes["ok" if row["articles"] else "ok, no entries"] += 1
    assert rows(config_dir.database, "PRAGMA integrity_check") == [("ok",)]
    return CorpusRun(len(files), seconds, outcomes, errors)


@pytest.mark.skipif(not corpus_files(), reason="../shared/feeds is not available")
def test_a_sample_of_real_world_feeds_each_yields_articles_or_one_recorded_error(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    files = corpus_sample()

    run = run_corpus(files, feed_server, config_dir)

    add_summary(run.table("real-world feeds, the default sample"))
    assert run.seconds < 120
    assert run.outcomes["ok"] + run.outcomes["malformed but used"] > len(files) / 2


@pytest.mark.corpus
@pytest.mark.skipif(not corpus_files(), reason="../shared/feeds is not available")
def test_the_whole_corpus_each_yields_articles_or_one_recorded_error(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    files = corpus_files()

    run = run_corpus(files, feed_server, config_dir)

    add_summary(run.table("real-world feeds, the whole corpus"))
    assert run.seconds < 900


# --- network faults ------------------------------------------------------------------------------

MB = 1_000_000


class FaultServer:
    """A loopback server whose paths misbehave at the byte level.

    Bodies are generated as they are sent, so a 100 MB body or a gzip bomb
    costs the server no memory; ``sent`` counts the body bytes each path wrote.
    """

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.sent: Counter[str] = Counter()
        self.requests: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _FaultHandler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _FaultHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def owner(self) -> FaultServer:
        return self.server.owner  # type: ignore[attr-defined,no-any-return]

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.owner.requests.append(path)
        behaviour = FAULTS.get(path.strip("/").split(".")[0])
        if behaviour is None:
            self.answer(404, b"not found", "text/plain")
        else:
            behaviour(self)

    def answer(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def stream(self, chunks: Iterator[bytes], **headers: str) -> None:
        """Send ``chunks`` until they run out, the client hangs up or the server stops."""
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        for chunk in chunks:
            if self.owner.stop.is_set():
                return
            try:
                self.wfile.write(chunk)
            except OSError:
                return  # the client stopped reading: the cap held
            self.owner.sent[self.path] += len(chunk)
        self.close_connection = True


def good(handler: _FaultHandler) -> None:
    handler.answer(200, GOOD, "application/rss+xml; charset=utf-8")


def drip(handler: _FaultHandler) -> None:
    """A feed that sends one byte every 50 ms: 100 KB would take over an hour."""

    def bytes_slowly() -> Iterator[bytes]:
        while not handler.owner.stop.wait(0.05):
            yield b" "

    handler.stream(bytes_slowly(), Content_Length="100000")


def huge(handler: _FaultHandler) -> None:
    """A 100 MB well-formed feed, made up as it is sent."""
    item = b"<item><title>Filler</title><description>" + b"x" * 4000 + b"</description></item>"

    def body() -> Iterator[bytes]:
        head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>'
        yield head
        total = len(head)
        while total < 100 * MB:
            yield item * 16
            total += len(item) * 16

    handler.stream(body(), Content_Length=str(100 * MB))


def gzip_of_zeros() -> tuple[bytes, bytes]:
    """The start of a gzip stream of zeros, and a block that adds one more MB of zeros.

    A full flush makes each block independent of what came before, so one
    block repeated stands for any length: the bomb needs no time to build.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    start = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(bytes(MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return start, block


def bomb(handler: _FaultHandler) -> None:
    """About 4 MB of gzip that inflates to 4 GB of zeros, sent as fast as it is read."""
    start, block = gzip_of_zeros()

    def body() -> Iterator[bytes]:
        yield start
        for _ in range(4000 // 64):
            yield block * 64  # 64 KB on the wire, 64 MB inflated

    handler.stream(body(), Content_Encoding="gzip", Connection="close")


def reset(handler: _FaultHandler) -> None:
    """Half of a feed, then a TCP reset."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", str(len(GOOD) * 2))
    handler.end_headers()
    handler.wfile.write(GOOD[: len(GOOD) // 2])
    handler.wfile.flush()
    # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def loop(handler: _FaultHandler) -> None:
    handler.answer(302, b"", "text/plain", Location="/loop.xml?again")


def page(handler: _FaultHandler) -> None:
    html = b"<!DOCTYPE html><html><head><title>Welcome</title></head><body><p>Our news</p></body></html>"
    handler.answer(200, html, "text/html; charset=utf-8")


def status(code: int, **headers: str) -> Callable[[_FaultHandler], None]:
    def answer(handler: _FaultHandler) -> None:
        handler.answer(code, b"<html>error</html>", "text/html", **headers)

    return answer


FAULTS: dict[str, Callable[[_FaultHandler], None]] = {
    "good": good,
    "drip": drip,
    "huge": huge,
    "bomb": bomb,
    "reset": reset,
    "loop": loop,
    "page": page,
    "missing": status(404),
    "gone": status(410),
    "busy": status(429, Retry_After="7200"),
    "broken": status(500),
}


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    server = FaultServer()
    yield server
    server.close()


# What each faulty feed's last_error says, in the words a user reads in `monitor status`.
EXPECTED_ERRORS = {
    "drip": "timed out after 1s",
    "huge": "body larger than 1000000 bytes",
    "bomb": "body larger than 1000000 bytes",
    "reset": "Error: ",  # ReadError or RemoteProtocolError, with what happened
    "loop": "more than 5 redirects",
    "page": "not a feed",
    "missing": "HTTP 404 Not Found",
    "gone": "HTTP 410 Gone",
    "busy": "HTTP 429 Too Many Requests",
    "broken": "HTTP 500 Internal Server Error",
}
POLL = {"timeout": "10s", "jitter": 0, "workers": 0, "max_bytes": MB, "concurrency": 20}


def test_every_fault_costs_its_own_feed_one_clear_error_and_the_cycle_about_one_timeout(
    faults: FaultServer, config_dir: ConfigDir, caplog: pytest.LogCaptureFixture
) -> None:
    urls = {name: faults.url(f"/{name}.xml") for name in ["good", *EXPECTED_ERRORS]}
    # The drip gets its own short timeout; the others the default, room for a busy machine.
    feeds = [
        {"url": url, **({"timeout": "1s"} if name == "drip" else {})} for name, url in urls.items()
    ]
    config = config_dir.write(feeds, settings={"poll": POLL})
    caplog.set_level(logging.WARNING, logger="monitor")

    started = time.monotonic()
    report = poll(config)
    elapsed = time.monotonic() - started

    feeds = feed_rows(config_dir.database)
    assert (report.polled, report.updated, report.failed) == (11, 1, 10)
    assert feeds[urls["good"]]["articles"] == 1
    assert feeds[urls["good"]]["last_error"] is None
    errors = {name: feeds[urls[name]]["last_error"] for name in EXPECTED_ERRORS}
    assert {
        name: words in (errors[name] or "") for name, words in EXPECTED_ERRORS.items()
    } == dict.fromkeys(EXPECTED_ERRORS, True), errors
    assert all(feeds[urls[name]]["consecutive_errors"] == 1 for name in EXPECTED_ERRORS)
    failures = [r.getMessage() for r in caplog.records if "poll failed" in r.getMessage()]
    assert len(failures) == len(EXPECTED_ERRORS) - 1  # 410 Gone says so in its own line
    assert elapsed < 6  # about the drip's 1 s timeout, not the sum of the faults
    assert rows(config_dir.database, "PRAGMA integrity_check") == [("ok",)]


def test_a_dripping_feed_times_out_while_a_fast_one_is_stored_at_once(
    faults: FaultServer, config_dir: ConfigDir
) -> None:
    drip_url, good_url = faults.url("/drip.xml"), faults.url("/good.xml")
    config = config_dir.write(
        [{"url": drip_url, "timeout": "3s"}, good_url], settings={"poll": POLL}
    )

    started = datetime.now(UTC)
    poll(config)
    elapsed = (datetime.now(UTC) - started).total_seconds()

    feeds = feed_rows(config_dir.database)
    stored_after = datetime.fromisoformat(feeds[good_url]["last_polled_at"]) - started
    assert feeds[good_url]["articles"] == 1
    assert stored_after < timedelta(seconds=2)  # well before the drip's 3 s
    assert feeds[drip_url]["last_error"] == "timed out after 3s"
    assert 3 <= elapsed < 8
    assert faults.sent["/drip.xml"] < 150  # about 60 bytes: 3 s of one byte per 50 ms


@pytest.mark.parametrize("name", ["huge", "bomb"])
def test_a_body_past_the_cap_fails_clearly_with_bounded_memory(
    faults: FaultServer, config_dir: ConfigDir, name: str
) -> None:
    url = faults.url(f"/{name}.xml")
    config = config_dir.write([url], settings={"poll": {**POLL, "timeout": "30s"}})

    tracemalloc.start()
    try:
        poll(config)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert feed_rows(config_dir.database)[url]["last_error"] == "body larger than 1000000 bytes"
    # The body offered is 100 MB (or 4 GB inflated); the daemon held a few MB of it.
    assert peak < 12 * MB, f"peak {peak / MB:.1f} MB"
    assert faults.sent[f"/{name}.xml"] < 10 * MB


def test_a_429_is_not_polled_again_before_its_retry_after(
    faults: FaultServer, config_dir: ConfigDir
) -> None:
    busy = faults.url("/busy.xml")  # Retry-After: 7200, longer than the backoff of 20 min
    path = config_dir.write([busy], settings={"poll": POLL})
    clock = [datetime(2026, 11, 3, 12, 0, tzinfo=UTC)]

    async def cycle(minutes: float) -> CycleReport:
        clock[0] += timedelta(minutes=minutes)
        async with open_runtime(load_config(path)) as runtime:
            runtime.clock = lambda: clock[0]
            return await run_cycle(runtime)

    first = asyncio.run(cycle(0))
    early = asyncio.run(cycle(119))
    due = asyncio.run(cycle(2))

    assert (first.polled, early.polled, due.polled) == (1, 0, 1)
    assert faults.requests == ["/busy.xml", "/busy.xml"]
    assert feed_rows(config_dir.database)[busy]["last_error"] == "HTTP 429 Too Many Requests"


# --- charsets --------------------------------------------------------------------------------------

CYRILLIC = "Митровица: преговори у Бриселу"


def cyrillic_feed(declaration: str | None) -> bytes:
    """A windows-1251 feed, with ``encoding=declaration`` in its XML declaration (or none)."""
    head = f'<?xml version="1.0" encoding="{declaration}"?>' if declaration else ""
    return (
        f'{head}<rss version="2.0"><channel><title>Вести</title>'
        f"<item><title>{CYRILLIC}</title><guid>sr-1</guid></item></channel></rss>"
    ).encode("windows-1251")


@pytest.mark.parametrize(
    ("content_type", "declaration", "error"),
    [
        ("application/rss+xml; charset=utf-8", "windows-1251", "declared as utf-8"),  # wrong
        ("text/xml", "windows-1251", "declared as us-ascii"),  # RFC 3023's default for text/xml
        ("application/rss+xml", "windows-1251", None),  # missing: the declaration says
        ("application/rss+xml; charset=klingon", "windows-1251", "declared as klingon"),
    ],
    ids=["wrong", "text-xml-without-charset", "missing", "unknown"],
)
def test_a_wrong_or_missing_charset_still_reads_the_text_and_says_so(
    feed_server: FeedServer,
    config_dir: ConfigDir,
    content_type: str,
    declaration: str,
    error: str | None,
) -> None:
    url = feed_server.serve("/sr.xml", Route(cyrillic_feed(declaration), content_type=content_type))
    config = config_dir.write([url], settings={"poll": POLL})

    poll(config)

    assert rows(config_dir.database, "SELECT title FROM articles") == [(CYRILLIC,)]
    recorded = feed_rows(config_dir.database)[url]["last_error"]
    assert (recorded is None) if error is None else (error in recorded)


def test_a_feed_with_no_charset_anywhere_is_used_and_its_guess_recorded(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    # No charset in the header, no XML declaration, not UTF-8: nothing says what it is.
    url = feed_server.serve(
        "/sr.xml", Route(cyrillic_feed(None), content_type="application/rss+xml")
    )
    config = config_dir.write([url], settings={"poll": POLL})

    poll(config)

    row = feed_rows(config_dir.database)[url]
    assert (row["last_status"], row["articles"]) == ("ok", 1)
    assert "declared as utf-8, but parsed as windows-1252" in row["last_error"]


# --- hostile XML ----------------------------------------------------------------------------------


def billion_laughs(levels: int = 10) -> bytes:
    """Ten entities of ten references each: 10**levels copies of "lol" if expanded."""
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels)]
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(entities)}]><rss version="2.0"><channel>'
        f"<title>Laughs</title><item><title>&lol{levels - 1};</title><guid>l-1</guid>"
        "<description>Kosovo</description></item></channel></rss>"
    ).encode()


def external(system_id: str, parameter: bool = False) -> bytes:
    """A feed whose DOCTYPE points an entity (or a parameter entity) at ``system_id``."""
    declaration = (
        f'<!ENTITY % ext SYSTEM "{system_id}"> %ext;'
        if parameter
        else f'<!ENTITY ext SYSTEM "{system_id}">'
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [{declaration}]><rss version="2.0"><channel>'
        "<title>External</title><item><title>Read &ext; here</title><guid>x-1</guid>"
        "<description>&ext;</description></item></channel></rss>"
    ).encode()


def test_hostile_xml_is_refused_quickly_and_reads_no_local_file(
    feed_server: FeedServer,
    config_dir: ConfigDir,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    marker = tmp_path / "secret.txt"
    marker.write_text("MARKER-5f1c secret text", encoding="utf-8")
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    documents = {
        "/laughs.xml": billion_laughs(),
        "/laughs16.xml": billion_laughs().decode().encode("utf-16"),
        "/hostname.xml": external("file:///etc/hostname"),
        "/marker.xml": external(marker.as_uri()),
        "/parameter.xml": external(marker.as_uri(), parameter=True),
    }
    urls = [feed_server.serve(path, body) for path, body in documents.items()]
    dtd = feed_server.serve(  # an external DTD and no entity declarations: not refused, not read
        "/dtd.xml",
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{marker.as_uri()}">'.encode()
        + rss([{"title": "Plain", "guid": "p-1"}])[len('<?xml version="1.0" encoding="utf-8"?>') :],
    )
    config = config_dir.write([*urls, dtd], settings={"poll": POLL})
    caplog.set_level(logging.DEBUG)

    started = time.monotonic()
    report = poll(config)
    elapsed = time.monotonic() - started

    feeds = feed_rows(config_dir.database)
    assert elapsed < 5
    assert (report.failed, report.updated) == (len(urls), 1)
    for url in urls:
        assert feeds[url]["last_error"].startswith("refused: the document declares XML entities")
        assert feeds[url]["articles"] == 0
    assert rows(config_dir.database, "SELECT title FROM articles") == [("Plain",)]
    with sqlite3.connect(config_dir.database) as db:
        dump = "\n".join(db.iterdump())
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in ("MARKER-5f1c", "lollollol", *([hostname] if len(hostname) > 3 else [])):
        assert text not in dump
        assert text not in logged


@pytest.mark.parametrize(
    ("body", "declares"),
    [
        (billion_laughs(), True),
        (billion_laughs().decode().encode("utf-16"), True),  # expat reads UTF-16
        (billion_laughs().replace(b'"1.0"?>', b'"1.0" encoding="big5"?>', 1), True),  # it cannot
        (external("file:///etc/hostname", parameter=True), True),
        (b'<!DOCTYPE rss SYSTEM "file:///etc/hostname"><rss version="2.0"/>', False),
        (rss([{"title": "How to write <!ENTITY x> in XML"}]), False),  # escaped, in the text
        (b"\xff\xfe not XML at all", False),
    ],
    ids=["laughs", "utf-16", "big5", "parameter", "external-dtd", "in-text", "garbage"],
)
def test_declares_entities(body: bytes, declares: bool) -> None:
    assert declares_entities(body) is declares

"""fetch_feed against real servers on 127.0.0.1: conditional GET, limits, errors as data."""

from __future__ import annotations

import asyncio
import gzip
import os
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, FeedServer, Route, rss

from monitor import __version__
from monitor.http import make_client, retry_after_seconds
from monitor.models import FeedState, FetchResult
from monitor.reader.fetch import FetchLimits, fetch_feed

NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
FEED = rss([{"title": "One", "link": "https://a.example/1", "guid": "a-1"}])
LIMITS = FetchLimits(timeout=5.0, max_bytes=100_000, max_redirects=3)


def fetch(
    url: str,
    limits: FetchLimits = LIMITS,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """Fetch ``url`` once with a fresh client, as the pipeline does within a cycle."""
    feed = FeedState(1, url, None, 600.0, etag=etag, last_modified=last_modified)

    async def run() -> FetchResult:
        async with make_client(
            timeout=limits.timeout, max_redirects=limits.max_redirects, concurrency=2
        ) as client:
            return await fetch_feed(client, feed, limits, NOW)

    return asyncio.run(run())


# --- success and conditional GET ----------------------------------------------------------------


def test_a_200_returns_the_body_content_type_and_etag(feed_server: FeedServer) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")

    result = fetch(url)

    assert result.outcome == "ok"
    assert result.status_code == 200
    assert result.body == (FIXTURES / "north-kosovo.xml").read_bytes()
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.etag
    assert result.error is None


def test_the_etag_is_sent_back_as_if_none_match_and_a_304_is_not_modified(
    feed_server: FeedServer,
) -> None:
    url = feed_server.serve("/feed.xml", FEED)

    first = fetch(url)
    second = fetch(url, etag=first.etag)

    assert feed_server.requests[0].headers.get("If-None-Match") is None
    assert feed_server.requests[1].headers.get("If-None-Match") == first.etag
    assert (second.outcome, second.status_code, second.body) == ("not_modified", 304, b"")
    assert second.etag == first.etag


def test_a_changed_feed_answers_200_despite_an_old_etag(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed.xml", FEED)
    first = fetch(url)
    feed_server.serve("/feed.xml", rss([{"title": "Two", "guid": "a-2"}]))

    second = fetch(url, etag=first.etag)

    assert second.outcome == "ok"
    assert b"Two" in second.body
    assert second.etag != first.etag


def test_last_modified_is_kept_and_sent_back_as_if_modified_since(
    feed_server: FeedServer,
) -> None:
    stamp = "Tue, 03 Nov 2026 10:00:00 GMT"
    url = feed_server.serve("/feed.xml", Route(FEED, etag=False, headers={"Last-Modified": stamp}))

    first = fetch(url)
    fetch(url, last_modified=first.last_modified)

    assert first.last_modified == stamp
    assert first.etag is None
    assert feed_server.requests[1].headers.get("If-Modified-Since") == stamp


def test_an_etag_with_non_ascii_bytes_goes_back_byte_for_byte(feed_server: FeedServer) -> None:
    # RFC 9110 allows obs-text (0x80-0xFF) in an entity tag; echoing it must not crash.
    etag = '"caf\xe9"'
    url = feed_server.serve("/feed.xml", Route(FEED, etag=False, headers={"ETag": etag}))

    first = fetch(url)
    second = fetch(url, etag=first.etag)

    assert first.etag == etag
    assert second.outcome == "ok"
    assert feed_server.requests[1].headers.get("If-None-Match") == etag


def test_a_stored_validator_that_cannot_be_sent_falls_back_to_a_plain_get(
    feed_server: FeedServer,
) -> None:
    url = feed_server.serve("/feed.xml", FEED)

    result = fetch(url, etag='"\u20ac"')

    assert result.outcome == "ok"
    assert "If-None-Match" not in feed_server.requests[0].headers


def test_requests_name_monitor_and_its_version_and_ask_for_feeds(
    feed_server: FeedServer,
) -> None:
    fetch(feed_server.serve("/feed.xml", FEED))

    headers = feed_server.requests[0].headers
    assert headers["User-Agent"].startswith(f"monitor/{__version__} ")
    assert "application/rss+xml" in headers["Accept"]
    assert "application/atom+xml" in headers["Accept"]


# --- HTTP errors are results, never exceptions --------------------------------------------------


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (404, "HTTP 404 Not Found"),
        (410, "HTTP 410 Gone"),
        (500, "HTTP 500 Internal Server Error"),
        (503, "HTTP 503 Service Unavailable"),
    ],
)
def test_an_error_status_is_an_error_result_naming_the_status(
    feed_server: FeedServer, status: int, words: str
) -> None:
    url = feed_server.serve("/feed.xml", Route(b"oops", status=status, content_type="text/plain"))

    result = fetch(url)

    assert result.outcome == "error"
    assert result.status_code == status
    assert result.error == words
    assert result.body == b""
    assert result.retry_after is None


def test_an_unknown_path_is_a_404_error_result(feed_server: FeedServer) -> None:
    result = fetch(feed_server.url("/nothing-here.xml"))

    assert (result.outcome, result.status_code) == ("error", 404)
    assert result.error is not None
    assert "404" in result.error


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        (429, "120", 120.0),
        (429, "Tue, 03 Nov 2026 12:05:00 GMT", 300.0),
        (503, "30", 30.0),
        (429, None, None),
        (429, "soon", None),
    ],
)
def test_retry_after_on_an_error_status_is_reported_in_seconds(
    feed_server: FeedServer, status: int, retry_after: str | None, expected: float | None
) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    url = feed_server.serve("/feed.xml", Route(b"slow down", status=status, headers=headers))

    result = fetch(url)

    assert (result.outcome, result.status_code) == ("error", status)
    assert result.retry_after == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("Tue, 03 Nov 2026 12:02:00 GMT", 120.0),
        ("Tue, 03 Nov 2026 13:02:00 +0100", 120.0),
        ("Mon, 02 Nov 2026 12:00:00 GMT", 0.0),  # a date in the past: retry now, not never
        ("-5", None),
        ("1.5", None),
        ("next week", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, NOW) == expected


# --- limits: size, time, redirects --------------------------------------------------------------


def test_a_body_over_the_byte_cap_is_an_error_naming_the_cap(feed_server: FeedServer) -> None:
    url = feed_server.serve("/big.xml", b"x" * 5000)

    result = fetch(url, FetchLimits(timeout=5, max_bytes=4096))

    assert result.outcome == "error"
    assert result.error is not None
    assert "4096" in result.error
    assert result.body == b""


def test_a_body_exactly_at_the_cap_is_accepted(feed_server: FeedServer) -> None:
    url = feed_server.serve("/exact.xml", b"x" * 4096)

    result = fetch(url, FetchLimits(timeout=5, max_bytes=4096))

    assert result.outcome == "ok"
    assert len(result.body) == 4096


def test_a_gzip_body_is_decoded_and_the_cap_applies_to_the_decoded_size(
    feed_server: FeedServer,
) -> None:
    small = feed_server.serve(
        "/small.xml", Route(gzip.compress(FEED), headers={"Content-Encoding": "gzip"})
    )
    bomb = gzip.compress(b" " * 200_000)  # about 200 compressed bytes
    large = feed_server.serve("/bomb.xml", Route(bomb, headers={"Content-Encoding": "gzip"}))
    limits = FetchLimits(timeout=5, max_bytes=4096)

    assert len(bomb) < limits.max_bytes
    assert fetch(small, limits).body == FEED
    result = fetch(large, limits)
    assert result.outcome == "error"
    assert result.error is not None
    assert "4096" in result.error


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(FEED)),
        ("x-gzip", gzip.compress(FEED)),
        ("deflate", zlib.compress(FEED)),
        ("deflate", raw_deflate(FEED)),  # no zlib wrapper, as some servers send it
        ("identity", FEED),
    ],
    ids=["gzip", "x-gzip", "deflate", "raw-deflate", "identity"],
)
def test_each_content_coding_is_decoded(
    feed_server: FeedServer, encoding: str, body: bytes
) -> None:
    url = feed_server.serve("/feed.xml", Route(body, headers={"Content-Encoding": encoding}))

    result = fetch(url)

    assert (result.outcome, result.body) == ("ok", FEED)
    assert feed_server.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_a_corrupt_gzip_body_is_an_error_result(feed_server: FeedServer) -> None:
    corrupt = gzip.compress(FEED)[:20] + b"\xff" * 40
    url = feed_server.serve("/feed.xml", Route(corrupt, headers={"Content-Encoding": "gzip"}))

    result = fetch(url)

    assert result.outcome == "error"
    assert result.error is not None
    assert result.error.startswith("DecodingError: cannot inflate the body")


class _SlowHandler(BaseHTTPRequestHandler):
    """``/stall`` never answers; ``/drip`` sends one byte every 50 ms of a large body."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        stop: threading.Event = self.server.stop  # type: ignore[attr-defined]
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        if self.path == "/stall":
            stop.wait(10)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        # Each read finishes well within any read timeout; only a total deadline stops this.
        while not stop.wait(0.05):
            try:
                self.wfile.write(b" ")
                self.wfile.flush()
            except OSError:
                return


@pytest.fixture
def slow_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    server.stop = threading.Event()  # type: ignore[attr-defined]
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    yield server
    server.stop.set()  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()  # joins the handler threads, now released by ``stop``
    thread.join()


@pytest.mark.parametrize("path", ["/stall", "/drip"])
def test_a_slow_server_is_cut_off_at_the_total_deadline(
    slow_server: ThreadingHTTPServer, path: str
) -> None:
    host, port = slow_server.server_address[:2]
    limits = FetchLimits(timeout=0.5, max_bytes=1_000_000)

    started = time.monotonic()
    result = fetch(f"http://{host!s}:{port}{path}", limits)
    elapsed = time.monotonic() - started

    assert slow_server.requests == [path]  # type: ignore[attr-defined]
    assert result.outcome == "error"
    assert result.error == "timed out after 0.5s"
    assert elapsed < 5  # the drip would take over 80 s; the stall, forever


def test_the_clients_own_shorter_timeout_is_also_reported_as_timed_out(
    slow_server: ThreadingHTTPServer,
) -> None:
    host, port = slow_server.server_address[:2]
    feed = FeedState(1, f"http://{host!s}:{port}/stall", None, 600.0)

    async def run() -> FetchResult:
        async with make_client(timeout=0.3, max_redirects=5, concurrency=1) as client:
            return await fetch_feed(client, feed, FetchLimits(timeout=10), NOW)

    result = asyncio.run(run())

    assert result.outcome == "error"
    assert result.error == "timed out (ReadTimeout)"


def test_redirects_are_followed_up_to_the_limit(feed_server: FeedServer) -> None:
    feed_server.serve("/feed.xml", FEED)
    feed_server.serve("/r2", Route(status=301, headers={"Location": "/feed.xml"}))
    first = feed_server.serve("/r1", Route(status=302, headers={"Location": "/r2"}))

    result = fetch(first, FetchLimits(timeout=5, max_redirects=2))

    assert result.outcome == "ok"
    assert result.body == FEED
    assert [r.path for r in feed_server.requests] == ["/r1", "/r2", "/feed.xml"]


def test_one_redirect_more_than_the_limit_is_an_error(feed_server: FeedServer) -> None:
    feed_server.serve("/feed.xml", FEED)
    feed_server.serve("/r3", Route(status=301, headers={"Location": "/feed.xml"}))
    feed_server.serve("/r2", Route(status=301, headers={"Location": "/r3"}))
    first = feed_server.serve("/r1", Route(status=301, headers={"Location": "/r2"}))

    result = fetch(first, FetchLimits(timeout=5, max_redirects=2))

    assert result.outcome == "error"
    assert result.error == "more than 2 redirects"


def test_a_redirect_loop_is_an_error(feed_server: FeedServer) -> None:
    feed_server.serve("/b", Route(status=302, headers={"Location": "/a"}))
    url = feed_server.serve("/a", Route(status=302, headers={"Location": "/b"}))

    result = fetch(url)

    assert result.outcome == "error"
    assert result.error == f"more than {LIMITS.max_redirects} redirects"
    assert len(feed_server.requests) == LIMITS.max_redirects + 1


# --- connection failures -------------------------------------------------------------------------


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.1:{closed}/feed.xml", "ConnectError"),
        ("ftp://127.0.0.1/feed.xml", "UnsupportedProtocol"),
        ("http://[::1/feed.xml", "InvalidURL"),
    ],
    ids=["connection-refused", "unsupported-scheme", "malformed-url"],
)
def test_a_feed_that_cannot_be_reached_is_an_error_result(url: str, words: str) -> None:
    result = fetch(url.format(closed=closed_port()))

    assert result.outcome == "error"
    assert result.status_code is None
    assert result.error is not None
    assert result.error.startswith(words)


# --- file:// feeds -------------------------------------------------------------------------------


def test_a_file_url_is_read_and_rereading_an_unchanged_file_is_not_modified(
    tmp_path: Path,
) -> None:
    path = tmp_path / "local feed.xml"
    path.write_bytes(FEED)
    url = path.as_uri()

    first = fetch(url)
    second = fetch(url, last_modified=first.last_modified)

    assert (first.outcome, first.body) == ("ok", FEED)
    assert first.last_modified
    assert (second.outcome, second.body) == ("not_modified", b"")


def test_a_file_url_is_read_again_once_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    first = fetch(path.as_uri())
    path.write_bytes(FEED + b"\n")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 60))

    second = fetch(path.as_uri(), last_modified=first.last_modified)

    assert second.outcome == "ok"
    assert second.body == FEED + b"\n"
    assert second.last_modified != first.last_modified


@pytest.mark.parametrize(
    ("name", "size", "words"),
    [
        ("missing.xml", None, "cannot read file: No such file or directory"),
        ("a-directory", None, "cannot read file: Is a directory"),
        ("big.xml", 5000, "file larger than 4096 bytes"),
    ],
)
def test_a_file_that_cannot_be_used_is_an_error_result(
    tmp_path: Path, name: str, size: int | None, words: str
) -> None:
    path = tmp_path / name
    if name == "a-directory":
        path.mkdir()
    elif size is not None:
        path.write_bytes(b"x" * size)

    result = fetch(path.as_uri(), FetchLimits(max_bytes=4096))

    assert result.outcome == "error"
    assert result.error == words


def test_one_client_fetches_many_feeds_concurrently(feed_server: FeedServer) -> None:
    urls = [feed_server.serve(f"/f{i}.xml", rss([{"title": f"T{i}"}])) for i in range(6)]
    broken = feed_server.url("/missing.xml")

    async def run() -> list[FetchResult]:
        async with make_client(
            timeout=LIMITS.timeout, max_redirects=LIMITS.max_redirects, concurrency=3
        ) as client:
            feeds = [FeedState(i, url, None, 600.0) for i, url in enumerate([*urls, broken])]
            return await asyncio.gather(*(fetch_feed(client, f, LIMITS, NOW) for f in feeds))

    results = asyncio.run(run())

    assert [r.outcome for r in results] == ["ok"] * 6 + ["error"]
    assert [f"T{i}".encode() in r.body for i, r in enumerate(results[:6])] == [True] * 6

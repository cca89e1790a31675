"""Fetching feeds politely: conditional GET, a total deadline, a body cap.

``fetch_feed`` never raises for a feed's own failure: a timeout, an HTTP
error status, an oversized body or a refused connection is raised inside as
a ``FetchError`` (httpx's errors translated once, in ``_fetch``) and comes
back as a ``FetchResult`` with ``outcome="error"``, so one broken feed cannot
stop a cycle. A fetch whose total deadline passed while the event loop was busy
gets a short grace to read what arrived meanwhile (``deadline``).
``file://`` URLs are read from disk, with the file's modification time
standing in for ``Last-Modified``; a gzipped file (by its magic bytes, or
named ``.gz``) is inflated within the same cap as an HTTP body. A feed is
requested at its ``fetch_url``; when every redirect on the way was permanent
(301/308), the result says where the feed now lives (``moved_to``); a
temporary one (302/303/307) stops that.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import zlib
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from monitor.errors import FetchError
from monitor.http import FEED_ACCEPT, retry_after_seconds
from monitor.models import FeedState, FetchResult

# The body of a 304 or an error page is read (to keep the connection) up to this.
DISCARDED_BODY_BYTES = 65_536


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much one fetch may take."""

    timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5


# A deadline checked this late means the loop was busy when it passed.
LATE_SECONDS = 0.05


@asynccontextmanager
async def deadline(seconds: float) -> AsyncIterator[None]:
    """Raise ``TimeoutError`` in the block after ``seconds``, with one grace for a busy loop.

    When the event loop was busy (storing other feeds) as the deadline passed,
    its check runs late and a response that arrived meanwhile is still unread:
    the fetch then gets, once, as long again as the check was late, to read
    it (issue #6: at 2,000 feeds healthy fetches failed "timed out" while the
    loop was busy). While the loop is free a fetch is cut at ``seconds``.
    """
    loop = asyncio.get_running_loop()
    due = loop.time() + seconds
    async with asyncio.timeout(None) as timeout:

        def check() -> None:
            late = loop.time() - due
            timeout.reschedule(loop.time() + (late if late > LATE_SECONDS else 0.0))

        handle = loop.call_at(due, check)
        try:
            yield
        finally:
            handle.cancel()


PERMANENT_REDIRECTS = (301, 308)


async def fetch_feed(
    client: httpx.AsyncClient,
    feed: FeedState,
    limits: FetchLimits,
    now: datetime,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> FetchResult:
    """Fetch ``feed`` once; every failure is returned as an error result, never raised.

    ``headers`` and ``timeout`` are the feed's own, from feeds.yaml: the
    headers go with the request (the conditional-GET validators take
    precedence), the timeout replaces both the client's and ``limits``'.
    """
    try:
        return await _fetch(client, feed, limits, now, headers, timeout)
    except FetchError as exc:
        return FetchResult(
            exc.feed_url,
            "error",
            status_code=exc.status_code,
            error=str(exc),
            retry_after=exc.retry_after,
        )


async def _fetch(
    client: httpx.AsyncClient,
    feed: FeedState,
    limits: FetchLimits,
    now: datetime,
    headers: Mapping[str, str] | None,
    timeout: float | None,
) -> FetchResult:
    """Fetch ``feed`` once, or raise ``FetchError``; the one place httpx's errors are translated."""
    url = feed.fetch_url
    if timeout is not None:
        limits = dataclasses.replace(limits, timeout=timeout)
    if url.startswith("file://"):
        return await asyncio.to_thread(_read_file, url, feed, limits)
    request_headers = _extra_headers(headers or {}) | _conditional_headers(feed)
    try:
        # httpx's timeout bounds each read; a server that drips one byte at a
        # time would never trip it, so the whole fetch gets one deadline too.
        async with deadline(limits.timeout):
            return await _get(client, url, feed, request_headers, limits, now, timeout)
    except TimeoutError as exc:
        raise FetchError(f"timed out after {limits.timeout:g}s", feed_url=url) from exc
    except httpx.TimeoutException as exc:
        # The client's own connect/read/pool timeout, if shorter than the deadline.
        raise FetchError(f"timed out ({type(exc).__name__})", feed_url=url) from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"more than {limits.max_redirects} redirects", feed_url=url) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        # InvalidURL (say "http://[::1/" in feeds.yaml) is not an HTTPError subclass.
        raise FetchError(describe_http_error(exc), feed_url=url) from exc


# httpx raises these without a message when the socket fails under it.
_SILENT_ERRORS: dict[type[Exception], str] = {
    httpx.ReadError: "the connection was closed or reset while reading the response",
    httpx.WriteError: "the connection was closed or reset while sending the request",
    httpx.ConnectError: "could not connect",
}


def describe_http_error(exc: Exception) -> str:
    """One line naming the error's kind and what happened, even when httpx says nothing."""
    name = type(exc).__name__
    detail = str(exc) or next(
        (text for kind, text in _SILENT_ERRORS.items() if isinstance(exc, kind)), ""
    )
    return f"{name}: {detail}" if detail else name


def _extra_headers(headers: Mapping[str, str]) -> dict[bytes, bytes]:
    """The feed's own headers as bytes (config validation keeps them ASCII), with
    ``FEED_ACCEPT`` unless the feed sets its own ``Accept``."""
    extra: dict[bytes, bytes] = {}
    if not any(name.lower() == "accept" for name in headers):
        extra[b"Accept"] = FEED_ACCEPT.encode("ascii")
    for name, value in headers.items():
        if name.lower() not in ("if-none-match", "if-modified-since"):
            extra[name.encode("ascii")] = value.encode("ascii")
    return extra


def permanent_location(response: httpx.Response) -> str | None:
    """The last URL reached through permanent redirects (301/308) only, if any.

    In a chain A -301-> B -302-> C the feed lives at B: C is only where B
    sends readers for now (RFC 9110 §15.4).
    """
    urls = [str(step.request.url) for step in response.history] + [str(response.request.url)]
    moved_to = None
    for index, step in enumerate(response.history):
        if step.status_code not in PERMANENT_REDIRECTS:
            break
        moved_to = urls[index + 1]
    return moved_to


def _conditional_headers(feed: FeedState) -> dict[bytes, bytes]:
    """If-None-Match / If-Modified-Since, as the exact bytes the server sent.

    Validators are kept as Latin-1 text of the raw header bytes (see
    ``_validator``): an ETag may hold obs-text octets (RFC 9110 §8.8.3), and
    httpx refuses a non-ASCII ``str`` header value, which would raise here.
    """
    headers: dict[bytes, bytes] = {}
    for name, value in ((b"If-None-Match", feed.etag), (b"If-Modified-Since", feed.last_modified)):
        if value:
            try:
                headers[name] = value.encode("latin-1")
            except UnicodeEncodeError:
                continue  # cannot be the server's bytes; an unconditional GET is safe
    return headers


def _validator(response: httpx.Response, name: bytes) -> str | None:
    """The raw value of a validator header, decoded as Latin-1 so it round-trips."""
    for key, value in response.headers.raw:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _get(
    client: httpx.AsyncClient,
    url: str,
    feed: FeedState,
    headers: dict[bytes, bytes],
    limits: FetchLimits,
    now: datetime,
    timeout: float | None,
) -> FetchResult:
    request_timeout = httpx.USE_CLIENT_DEFAULT if timeout is None else httpx.Timeout(timeout)
    async with client.stream("GET", url, headers=headers, timeout=request_timeout) as response:
        moved_to = permanent_location(response)
        if response.status_code == 304 or response.status_code >= 400:
            # Reading a short body to its end lets the connection be reused.
            await _read_capped(response, DISCARDED_BODY_BYTES)
        if response.status_code == 304:
            return FetchResult(
                url,
                "not_modified",
                status_code=304,
                etag=_validator(response, b"etag") or feed.etag,
                last_modified=_validator(response, b"last-modified") or feed.last_modified,
                moved_to=moved_to,
            )
        if response.status_code >= 400:
            raise FetchError(
                f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                feed_url=url,
                status_code=response.status_code,
                retry_after=retry_after_seconds(response.headers.get("Retry-After"), now),
            )
        body = await _read_capped(response, limits.max_bytes)
        if body is None:
            raise FetchError(
                f"body larger than {limits.max_bytes} bytes",
                feed_url=url,
                status_code=response.status_code,
            )
        return FetchResult(
            url,
            "ok",
            status_code=response.status_code,
            body=body,
            content_type=response.headers.get("Content-Type"),
            etag=_validator(response, b"etag"),
            last_modified=_validator(response, b"last-modified"),
            moved_to=moved_to,
        )


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes | None:
    """The decoded body, or ``None`` as soon as it grows past ``max_bytes``.

    gzip and deflate are inflated here, never more than the cap allows at a
    time: httpx inflates each read (up to 64 KB) whole, and 64 KB of a gzip
    bomb is 64 MB. Memory stays about ``max_bytes`` whatever the body holds.
    """
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in _INFLATED:
        return await _read_decoded(response, max_bytes)
    inflater = _Inflater(encoding)
    body = bytearray()
    async for chunk in response.aiter_raw():
        for piece in inflater.inflate(chunk, max_bytes - len(body) + 1):
            body += piece
            if len(body) > max_bytes:
                return None
    return bytes(body)


async def _read_decoded(response: httpx.Response, max_bytes: int) -> bytes | None:
    """The body as httpx decodes it (identity, or a coding it alone reads)."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            return None
    return bytes(body)


_INFLATED = ("gzip", "x-gzip", "deflate")


class _Inflater:
    """Inflates a gzip or deflate body a bounded piece at a time."""

    def __init__(self, encoding: str) -> None:
        self._deflate = encoding == "deflate"
        # deflate is meant to be zlib-wrapped (RFC 9110 §8.4.1.2); some servers send it raw.
        wbits = zlib.MAX_WBITS if self._deflate else 16 + zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(wbits)
        self._started = False

    def inflate(self, data: bytes, room: int) -> Iterator[bytes]:
        """Yield ``data`` inflated, in pieces of at most ``room`` bytes each."""
        while data and not self._zlib.eof:
            try:
                piece = self._zlib.decompress(data, room)
            except zlib.error as exc:
                if self._deflate and not self._started:
                    self._zlib, self._started = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise httpx.DecodingError(f"cannot inflate the body: {exc}") from exc
            self._started = True
            data = self._zlib.unconsumed_tail
            yield piece


def _read_file(url: str, feed: FeedState, limits: FetchLimits) -> FetchResult:
    """Read a ``file://`` feed, or raise ``FetchError``; its mtime is its ``Last-Modified``."""
    path = Path(unquote(urlsplit(url).path))
    try:
        stat = path.stat()
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if feed.last_modified == modified:
            return FetchResult(url, "not_modified", last_modified=modified)
        if stat.st_size > limits.max_bytes:
            raise FetchError(f"file larger than {limits.max_bytes} bytes", feed_url=url)
        body = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read file: {exc.strerror or exc}", feed_url=url) from exc
    if body.startswith(GZIP_MAGIC) or path.suffix == ".gz":
        body = _gunzip(body, url, limits.max_bytes)
    return FetchResult(url, "ok", body=body, last_modified=modified)


GZIP_MAGIC = b"\x1f\x8b"  # RFC 1952 §2.3.1


def _gunzip(data: bytes, url: str, max_bytes: int) -> bytes:
    """A gzipped file's content, or ``FetchError`` if it is not gzip or inflates past the cap."""
    inflater = _Inflater("gzip")
    body = bytearray()
    try:
        for piece in inflater.inflate(data, max_bytes + 1):
            body += piece
            if len(body) > max_bytes:
                raise FetchError(f"file larger than {max_bytes} bytes once inflated", feed_url=url)
    except httpx.DecodingError as exc:
        cause = exc.__cause__ or exc
        raise FetchError(f"not a readable gzip file: {cause}", feed_url=url) from exc
    return bytes(body)

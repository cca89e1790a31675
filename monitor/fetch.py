"""Fetching feeds politely: conditional GET, a total deadline, a body cap.

``fetch_feed`` never raises for a feed's own failure: a timeout, an HTTP
error status, an oversized body or a refused connection comes back as a
``FetchResult`` with ``outcome="error"``, so one broken feed cannot stop a
cycle. ``file://`` URLs are read from disk, with the file's modification time
standing in for ``Last-Modified``.
"""

from __future__ import annotations

import asyncio
import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from monitor import __version__
from monitor.models import FeedState, FetchResult

USER_AGENT = f"monitor/{__version__} (news feed poller for tension monitoring)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)


# The body of a 304 or an error page is read (to keep the connection) up to this.
DISCARDED_BODY_BYTES = 65_536


@dataclass(frozen=True)
class FetchLimits:
    """How long and how much one fetch may take."""

    timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5


def make_client(limits: FetchLimits, concurrency: int) -> httpx.AsyncClient:
    """Return the HTTP client shared by every fetch of a cycle."""
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=limits.max_redirects,
        timeout=httpx.Timeout(limits.timeout),
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
    )


async def fetch_feed(
    client: httpx.AsyncClient, feed: FeedState, limits: FetchLimits, now: datetime
) -> FetchResult:
    """Fetch ``feed`` once; every failure is returned as an error result, never raised."""
    if feed.url.startswith("file://"):
        return await asyncio.to_thread(_read_file, feed, limits)
    headers = _conditional_headers(feed)
    try:
        # httpx's timeout bounds each read; a server that drips one byte at a
        # time would never trip it, so the whole fetch gets one deadline too.
        async with asyncio.timeout(limits.timeout):
            return await _get(client, feed, headers, limits, now)
    except TimeoutError:
        return _error(feed.url, f"timed out after {limits.timeout:g}s")
    except httpx.TimeoutException as exc:
        # The client's own connect/read/pool timeout, if shorter than the deadline.
        return _error(feed.url, f"timed out ({type(exc).__name__})")
    except httpx.TooManyRedirects:
        return _error(feed.url, f"more than {limits.max_redirects} redirects")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        # InvalidURL (say "http://[::1/" in feeds.yaml) is not an HTTPError subclass.
        return _error(feed.url, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


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
    feed: FeedState,
    headers: dict[bytes, bytes],
    limits: FetchLimits,
    now: datetime,
) -> FetchResult:
    async with client.stream("GET", feed.url, headers=headers) as response:
        if response.status_code == 304 or response.status_code >= 400:
            # Reading a short body to its end lets the connection be reused.
            await _read_capped(response, DISCARDED_BODY_BYTES)
        if response.status_code == 304:
            return FetchResult(
                feed.url,
                "not_modified",
                status_code=304,
                etag=_validator(response, b"etag") or feed.etag,
                last_modified=_validator(response, b"last-modified") or feed.last_modified,
            )
        if response.status_code >= 400:
            return _error(
                feed.url,
                f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                status_code=response.status_code,
                retry_after=retry_after_seconds(response.headers.get("Retry-After"), now),
            )
        body = await _read_capped(response, limits.max_bytes)
        if body is None:
            return _error(
                feed.url,
                f"body larger than {limits.max_bytes} bytes",
                status_code=response.status_code,
            )
        return FetchResult(
            feed.url,
            "ok",
            status_code=response.status_code,
            body=body,
            content_type=response.headers.get("Content-Type"),
            etag=_validator(response, b"etag"),
            last_modified=_validator(response, b"last-modified"),
        )


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes | None:
    """The decoded body, or ``None`` as soon as it grows past ``max_bytes``."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            return None
    return bytes(body)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Return the delay a ``Retry-After`` header asks for (RFC 9110 §10.2.3), if any."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _read_file(feed: FeedState, limits: FetchLimits) -> FetchResult:
    path = Path(unquote(urlsplit(feed.url).path))
    try:
        stat = path.stat()
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if feed.last_modified == modified:
            return FetchResult(feed.url, "not_modified", last_modified=modified)
        if stat.st_size > limits.max_bytes:
            return _error(feed.url, f"file larger than {limits.max_bytes} bytes")
        body = path.read_bytes()
    except OSError as exc:
        return _error(feed.url, f"cannot read file: {exc.strerror or exc}")
    return FetchResult(feed.url, "ok", body=body, last_modified=modified)


def _error(
    url: str, message: str, *, status_code: int | None = None, retry_after: float | None = None
) -> FetchResult:
    return FetchResult(
        url, "error", status_code=status_code, error=message, retry_after=retry_after
    )

"""What every HTTP request of monitor shares: its User-Agent, its client, Retry-After.

The reader (feeds) and the channels (webhooks, chat services) both speak HTTP
through the one client ``make_client`` builds, and both honour a server's
``Retry-After`` as ``retry_after_seconds`` reads it. What each accepts is its
own: a feed request sends ``FEED_ACCEPT``, a channel's POST ``JSON_ACCEPT``;
the client sets no ``Accept`` (a webhook once received the feeds' one, issue #15).
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

import httpx

from monitor import __version__

USER_AGENT = f"monitor/{__version__} (news feed poller for tension monitoring)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
JSON_ACCEPT = "application/json"


# Idle connections kept for reuse. httpcore's pool walks its idle connections
# for every request that starts or ends, and for each one counts them all
# again (httpcore 1.0.9, ``_assign_requests_to_connections``): one idle
# connection per fetch slot made a 2,000-feed cycle spend more CPU there than
# on storing (issue #6). Feeds on one host still share the few kept.
KEEPALIVE_CONNECTIONS = 10


def make_client(*, timeout: float, max_redirects: int, concurrency: int) -> httpx.AsyncClient:
    """Return the HTTP client the daemon shares between feed fetches and channels."""
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=max_redirects,
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(
            max_connections=concurrency,
            max_keepalive_connections=min(concurrency, KEEPALIVE_CONNECTIONS),
        ),
        # Only the codings ``_read_capped`` inflates within the cap, even if
        # httpx learns more (brotli, zstd) once their packages are installed.
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
    )


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

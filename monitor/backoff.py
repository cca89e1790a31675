"""When a feed is next due: its interval, jitter, and backoff after errors. Pure."""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def next_poll_at(
    now: datetime,
    *,
    interval: float,
    consecutive_errors: int,
    retry_after: float | None,
    max_backoff: float,
    jitter: float,
    rng: random.Random,
) -> datetime:
    """Return when to poll a feed next.

    A healthy feed waits its interval; after ``n`` consecutive errors it waits
    ``interval * 2**n``, capped at ``max_backoff``, and never less than a
    server's ``Retry-After``. Jitter (a fraction of the delay, either way)
    spreads feeds so they do not all fall due in the same tick.
    """
    delay = interval
    if consecutive_errors > 0:
        delay = min(interval * 2 ** min(consecutive_errors, 32), max(max_backoff, interval))
    delay *= 1 + rng.uniform(-jitter, jitter)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return now + timedelta(seconds=delay)

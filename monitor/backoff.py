"""One exponential backoff, with jitter and a Retry-After floor, for feeds and deliveries. Pure.

``backoff_delay`` is the rule both use: a delay that doubles, is capped,
is spread by jitter and is never shorter than a server's ``Retry-After``.
``next_poll_at`` applies it to a feed: its interval, doubled once per
consecutive error. The outbox applies it to a delivery: ``retry_base``,
doubled once per failed attempt after the first.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_DOUBLINGS = 32
"""Doublings beyond this change nothing (the cap is reached) and would only overflow."""


def backoff_delay(
    base: float,
    doublings: int,
    *,
    cap: float,
    jitter: float,
    retry_after: float | None,
    rng: random.Random,
) -> float:
    """Seconds to wait: ``base * 2**doublings``, capped, jittered, at least ``Retry-After``.

    The doubled delay is capped at ``cap``; then jitter (a fraction of the
    delay, either way) spreads the waiters so they do not all come back in
    step; last, a server's ``retry_after`` is a floor, even above the cap.
    """
    delay = min(base * 2 ** min(max(0, doublings), MAX_DOUBLINGS), cap)
    delay *= 1 + rng.uniform(-jitter, jitter)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return float(delay)


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
    ``interval * 2**n``, capped at ``max_backoff`` (but a failing feed never
    polls sooner than a healthy one), and never less than a server's
    ``Retry-After``.
    """
    delay = backoff_delay(
        interval,
        consecutive_errors,
        cap=max(max_backoff, interval),
        jitter=jitter,
        retry_after=retry_after,
        rng=rng,
    )
    return now + timedelta(seconds=delay)

"""backoff_delay and next_poll_at: when a feed (or a delivery) is due again; describe_delay
(monitor.humanize): how that wait reads in a log line."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from monitor.backoff import backoff_delay, next_poll_at
from monitor.humanize import describe_delay

NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
HOUR = 3600.0


def delay(
    *,
    interval: float = 600.0,
    errors: int = 0,
    retry_after: float | None = None,
    max_backoff: float = 6 * HOUR,
    jitter: float = 0.0,
    seed: int = 0,
) -> float:
    """Seconds from NOW until the feed is due."""
    due = next_poll_at(
        NOW,
        interval=interval,
        consecutive_errors=errors,
        retry_after=retry_after,
        max_backoff=max_backoff,
        jitter=jitter,
        rng=random.Random(seed),
    )
    return (due - NOW).total_seconds()


@pytest.mark.parametrize(
    ("errors", "seconds"),
    [
        (0, 600),  # healthy: the interval
        (1, 1200),  # interval * 2**n
        (2, 2400),
        (3, 4800),
        (5, 19_200),
        (6, 21_600),  # 38 400 capped at max_backoff (6 h)
        (10, 21_600),
        (1000, 21_600),  # no overflow however long a feed has been failing
    ],
)
def test_errors_back_off_exponentially_up_to_max_backoff(errors: int, seconds: float) -> None:
    assert delay(interval=600, errors=errors, max_backoff=6 * HOUR) == seconds


def test_a_failing_feed_never_polls_sooner_than_a_healthy_one() -> None:
    assert delay(interval=2 * HOUR, errors=3, max_backoff=HOUR) == 2 * HOUR


@pytest.mark.parametrize(
    ("errors", "retry_after", "seconds"),
    [
        (0, 3600, 3600),  # a server asking for more than the interval gets it
        (1, 3600, 3600),
        (1, 60, 1200),  # a server asking for less does not shorten the backoff
        (0, 0, 600),
        (0, None, 600),
        (20, 12 * HOUR, 12 * HOUR),  # Retry-After beats even max_backoff
    ],
)
def test_retry_after_is_a_minimum(errors: int, retry_after: float | None, seconds: float) -> None:
    assert delay(interval=600, errors=errors, retry_after=retry_after) == seconds


@pytest.mark.parametrize(("errors", "base"), [(0, 600.0), (2, 2400.0)])
def test_jitter_stays_within_its_fraction_of_the_delay_and_spreads_feeds(
    errors: int, base: float
) -> None:
    delays = [delay(interval=600, errors=errors, jitter=0.1, seed=seed) for seed in range(200)]

    assert all(base * 0.9 <= d <= base * 1.1 for d in delays)
    assert min(delays) < base * 0.95
    assert max(delays) > base * 1.05


def test_jitter_is_reproducible_with_a_seeded_rng() -> None:
    assert delay(jitter=0.2, seed=42) == delay(jitter=0.2, seed=42)
    assert delay(jitter=0.2, seed=42) != delay(jitter=0.2, seed=43)


def test_no_jitter_means_exactly_the_interval() -> None:
    assert {delay(jitter=0.0, seed=seed) for seed in range(20)} == {600.0}


def test_the_result_is_an_aware_datetime_after_now() -> None:
    due = next_poll_at(
        NOW,
        interval=60,
        consecutive_errors=0,
        retry_after=None,
        max_backoff=HOUR,
        jitter=0.5,
        rng=random.Random(1),
    )

    assert due.tzinfo is UTC
    assert due > NOW


@pytest.mark.parametrize(
    ("doublings", "seconds"),
    [(-1, 30), (0, 30), (1, 60), (5, 960), (6, 1800), (10, 1800), (10_000, 1800)],
)
def test_backoff_delay_doubles_from_its_base_up_to_its_cap(doublings: int, seconds: float) -> None:
    delay = backoff_delay(
        30, doublings, cap=1800, jitter=0.0, retry_after=None, rng=random.Random(0)
    )
    assert delay == seconds
    assert isinstance(delay, float)


def test_backoff_delay_caps_even_its_base() -> None:
    assert backoff_delay(60, 0, cap=10, jitter=0.0, retry_after=None, rng=random.Random(0)) == 10


@pytest.mark.parametrize(("retry_after", "seconds"), [(None, 60), (0, 60), (10, 60), (7200, 7200)])
def test_backoff_delay_is_never_shorter_than_retry_after(
    retry_after: float | None, seconds: float
) -> None:
    delay = backoff_delay(
        30, 1, cap=1800, jitter=0.0, retry_after=retry_after, rng=random.Random(0)
    )
    assert delay == seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (-5, "0s"),
        (0.4, "0s"),
        (45, "45s"),
        (59.4, "59s"),
        (60, "1m"),
        (90.5, "2m"),
        (20 * 60, "20m"),
        (59 * 60, "59m"),
        (3599, "1h"),
        (HOUR, "1h"),
        (3 * HOUR + 10 * 60, "3h10m"),
        (3 * HOUR + 5 * 60, "3h05m"),
        (6 * HOUR, "6h"),
        (48 * HOUR, "48h"),
    ],
)
def test_describe_delay(seconds: float, text: str) -> None:
    assert describe_delay(seconds) == text

"""The outbox's retry policy: backoff with jitter, Retry-After, giving up."""

from __future__ import annotations

import random

import pytest

from monitor.alerts.outbox import gives_up, retry_delay
from monitor.config import DeliverySettings

SETTINGS = DeliverySettings.model_validate(
    {"retry_base": "30s", "max_delay": "30m", "jitter": 0.2, "give_up_after": "24h"}
)


@pytest.mark.parametrize(
    ("attempts", "low", "high"),
    [(1, 24, 36), (2, 48, 72), (3, 96, 144), (7, 1440, 2160), (40, 1440, 2160)],
)
def test_retries_back_off_exponentially_with_jitter_up_to_the_maximum(
    attempts: int, low: float, high: float
) -> None:
    rng = random.Random(7)
    delays = [retry_delay(attempts, SETTINGS, None, rng) for _ in range(200)]
    assert low <= min(delays)
    assert max(delays) <= high
    assert len({round(d, 3) for d in delays}) > 100  # spread, not in step


def test_retry_after_is_a_minimum() -> None:
    assert retry_delay(1, SETTINGS, 600, random.Random(1)) == 600


@pytest.mark.parametrize(
    ("attempts", "hours", "dead"),
    [(1, 0, False), (30, 23.9, False), (30, 24, True), (2, 25, True)],
)
def test_a_delivery_is_given_up_after_a_day(attempts: int, hours: float, dead: bool) -> None:
    assert gives_up(attempts, hours * 3600, SETTINGS) is dead


def test_a_maximum_number_of_attempts_can_also_give_up() -> None:
    settings = SETTINGS.model_copy(update={"max_attempts": 3})
    assert not gives_up(2, 60, settings)
    assert gives_up(3, 60, settings)

"""Alert decisions: the tension index, its levels and their hysteresis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.alerts.policy import decayed, index_level, index_reaches, is_spike
from monitor.config import IndexConfig

NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
CONFIG = IndexConfig.model_validate(
    {"half_life": "12h", "levels": {"elevated": 15, "high": 30, "severe": 50}, "clear_below": 0.8}
)


@pytest.mark.parametrize(
    ("hours", "value"),
    [(0, 40.0), (12, 20.0), (24, 10.0), (6, 40 * 0.5**0.5), (-1, 40.0)],
)
def test_the_index_halves_every_half_life(hours: float, value: float) -> None:
    assert decayed(40.0, NOW, NOW + timedelta(hours=hours), 12 * 3600) == pytest.approx(value)


@pytest.mark.parametrize(
    ("previous", "value", "level"),
    [
        (None, 0, None),
        (None, 14.9, None),
        (None, 15, "elevated"),  # crossing upward
        (None, 55, "severe"),  # straight to the top
        ("elevated", 31, "high"),  # escalation
        ("elevated", 13, "elevated"),  # hysteresis: 13 >= 0.8 x 15
        ("elevated", 11.9, None),  # below 0.8 x 15: resolved
        ("high", 25, "high"),  # 25 >= 0.8 x 30
        ("high", 23, "elevated"),  # below 0.8 x 30, above 0.8 x 15
        ("severe", 41, "severe"),
        ("severe", 39, "high"),
        ("severe", 5, None),
    ],
)
def test_index_levels_cross_upward_and_clear_with_hysteresis(
    previous: str | None, value: float, level: str | None
) -> None:
    assert index_level(previous, value, CONFIG) == level


def test_index_reaches_compares_levels() -> None:
    assert index_reaches("high", "elevated")
    assert index_reaches("high", "high")
    assert not index_reaches("elevated", "high")
    assert not index_reaches(None, "elevated")


@pytest.mark.parametrize(
    ("counts", "spike"),
    [
        ([6, 1, 2, 1, 0, 2], True),  # 6 >= 5 and 6 >= 3 x median 1
        ([4, 0, 0, 0, 0], False),  # below the minimum count
        ([5, 0, 0, 0, 0], True),  # a quiet baseline: the minimum count decides
        ([6, 2, 3, 2, 3], False),  # 6 < 3 x median 2.5
        ([9, 2, 3, 2, 3], True),
        ([9], False),  # no baseline at all
    ],
)
def test_a_spike_is_far_above_the_median_of_earlier_windows(counts: list[int], spike: bool) -> None:
    assert is_spike(counts, factor=3, min_count=5) is spike

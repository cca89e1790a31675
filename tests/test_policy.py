"""The alert policy, pure: every alert-or-not rule and the reason it gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.alerts.policy import (
    Verdict,
    channel_accepts,
    decayed,
    index_level,
    index_reaches,
    is_spike,
    silenced_by,
    story_update,
    trigger,
)
from monitor.config import IndexConfig, WatchConfig
from monitor.models import Alert, Score, Silence

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


NOW = datetime(2026, 11, 2, 21, 0, tzinfo=UTC)
WATCH = WatchConfig.model_validate(
    {"name": "w", "signals": [{"name": "s", "weight": 1, "any": ["x"]}],
     "alert": {"on": ["article:warning"], "cooldown": "2h", "group_wait": "1m"}}
)  # fmt: skip


def scored(level: str | None, value: float = 9.0, in_scope: bool = True) -> Score:
    miss = None if in_scope else "mentions none of scope.any (@sides)"
    return Score("w", value, level, in_scope, "v1", scope_miss=miss)


@pytest.mark.parametrize(
    ("score", "ok", "reason"),
    [
        (
            scored(None, 0, in_scope=False),
            False,
            "out of scope: mentions none of scope.any (@sides)",
        ),
        (
            scored(None, 1.5),
            False,
            "below the alert level: scored no level (1.5); the watch alerts from warning",
        ),
        (
            scored("notice", 5),
            False,
            "below the alert level: scored notice (5); the watch alerts from warning",
        ),
        (
            scored("warning", 9),
            True,
            "reached the alert level: scored warning (9); the watch alerts from warning",
        ),
        (
            scored("critical", 20),
            True,
            "reached the alert level: scored critical (20); the watch alerts from warning",
        ),
    ],
)
def test_trigger_says_whether_a_score_alerts_and_why(score: Score, ok: bool, reason: str) -> None:
    assert trigger(score, WATCH) == Verdict(ok, reason)


def test_a_watch_that_alerts_on_no_article_level_says_so() -> None:
    watch = WATCH.model_copy(update={"alert": WATCH.alert.model_copy(update={"on": []})})
    assert trigger(scored("critical"), watch).reason == (
        "the watch alerts on no article level (alert.on: nothing)"
    )


@pytest.mark.parametrize(
    ("reported", "types", "outlets", "pending", "last", "event", "level", "reason"),
    [
        ("critical", (), 1, True, None, None, "critical",
         "within group_wait: the first notification, not sent yet, carries it"),
        ("warning", (), 3, False, NOW, None, "warning",
         "a quiet update: no higher level, no new event type, 3 outlets"),
        ("critical", (), 2, False, NOW, "firing:critical", "critical",
         "level rose warning -> critical"),
        ("warning", ("armed-violence",), 2, False, NOW - timedelta(hours=1),
         "update:2026-11-02T21:00:00+00:00", "warning", "new event type armed-violence"),
        (None, (), 5, False, NOW - timedelta(hours=1), "update:2026-11-02T21:00:00+00:00",
         "warning", "now reported by 5 outlets"),
        ("warning", ("arson", "deaths"), 2, False, NOW - timedelta(minutes=10),
         "update:2026-11-02T21:20:00+00:00", "warning",
         "new event types arson, deaths: notifies at 2026-11-02 21:20 UTC, a group_interval "
         "(30m) after the last notification"),
    ],
)  # fmt: skip
def test_a_story_notifies_only_with_news_and_at_most_once_per_group_interval(
    reported: str | None,
    types: tuple[str, ...],
    outlets: int,
    pending: bool,
    last: datetime | None,
    event: str | None,
    level: str,
    reason: str,
) -> None:
    update = story_update(
        level="warning", reported=reported, new_types=types,
        outlets_before=outlets - 1 if reported is None else outlets, outlets=outlets,
        first_pending=pending, last_notified=last, rules=WATCH.alert, now=NOW,
    )  # fmt: skip
    assert (update.event, update.level, update.reason) == (event, level, reason)


def test_a_silence_mutes_its_watch_and_level_until_it_ends() -> None:
    silences = [
        Silence(2, "w", "critical", NOW + timedelta(hours=1), "only critical"),
        Silence(5, "w", None, NOW + timedelta(hours=2), ""),
        Silence(1, "other", None, NOW + timedelta(hours=9), "not this watch"),
    ]
    assert silenced_by(silences, "w", "critical", NOW).reason == (
        "silenced by #2 until 2026-11-02 22:00 UTC: only critical"
    )
    assert silenced_by(silences, "w", "warning", NOW).reason == (
        "silenced by #5 until 2026-11-02 23:00 UTC"
    )
    assert not silenced_by(silences, "w", "warning", NOW + timedelta(hours=2)).ok


@pytest.mark.parametrize(
    ("kind", "level", "min_level", "ok"),
    [
        ("article", "warning", None, True),
        ("article", "warning", "critical", False),
        ("article", "critical", "critical", True),
        ("index", "elevated", "critical", True),  # min_level is about article alerts
    ],
)
def test_a_channel_takes_what_reaches_its_min_level(
    kind: str, level: str, min_level: str | None, ok: bool
) -> None:
    alert = Alert("k", kind, "firing", "w", level, 9.0, NOW)
    verdict = channel_accepts(alert, min_level)
    assert verdict.ok is ok
    if not ok:
        assert verdict.reason == f"below the channel's min_level {min_level}"

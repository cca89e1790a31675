"""Deciding which scores become alerts, and what an alert says. Pure.

An article alert fires when one article reaches a level its watch alerts on
(``alert.on``). Its dedup key names the watch and the stored article, so the
same article never alerts twice, across restarts too: the store refuses a
second alert with the same key.

The tension index of a watch is the sum of its in-scope articles' positive
scores, each decaying with the watch's half-life. It has levels (elevated,
high, severe): it enters a level when it reaches that level's threshold, and
leaves it only when it falls below ``clear_below`` times the threshold
(hysteresis), so an index hovering at a threshold does not flap.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from monitor.config import INDEX_LEVELS, LEVELS, IndexConfig, WatchConfig
from monitor.models import Score
from monitor.rules.text import BREAK, tokens

PAYLOAD_SCHEMA = "monitor.alert/1"
MAX_HITS_IN_PAYLOAD = 20


@dataclass(frozen=True)
class AlertDraft:
    """An alert to open, with the payload every channel renders."""

    watch: str
    kind: str
    level: str
    dedup_key: str
    score: float
    article_ids: tuple[int, ...]
    channels: tuple[str, ...]


def _at_least(level: str | None, threshold: str | None, order: tuple[str, ...]) -> bool:
    if level is None or threshold is None:
        return False
    return order.index(level) >= order.index(threshold)


def _envelope(
    *, alert_key: str, kind: str, state: str, watch: str, level: str, score: float, now: datetime
) -> dict[str, Any]:
    """The keys every notification payload has (schema ``monitor.alert/1``)."""
    return {
        "schema": PAYLOAD_SCHEMA,
        "id": alert_key,
        "kind": kind,
        "state": state,
        "watch": watch,
        "level": level,
        "score": score,
        "created_at": now.isoformat(timespec="seconds"),
    }


def reaches(level: str | None, threshold: str | None) -> bool:
    """Whether article ``level`` is at or above ``threshold`` (``None`` reaches nothing)."""
    return _at_least(level, threshold, LEVELS)


def article_alert(*, article_id: int, score: Score, watch: WatchConfig) -> AlertDraft | None:
    """Return the alert an article's score calls for, or ``None``.

    Its payload is built from the store (``story_payload``) once it is open,
    since it may gather more articles and sources before it is sent.
    """
    if not reaches(score.level, watch.alert_level()) or score.level is None:
        return None
    return AlertDraft(
        watch=watch.name,
        kind="article",
        level=score.level,
        dedup_key=f"{watch.name}:article:{article_id}",
        score=score.score,
        article_ids=(article_id,),
        channels=tuple(watch.alert.channels),
    )


def decayed(value: float, since: datetime, now: datetime, half_life: float) -> float:
    """``value`` at ``since``, halved for every ``half_life`` seconds until ``now``."""
    elapsed = max(0.0, (now - since).total_seconds())
    return float(value * 0.5 ** (elapsed / half_life))


def index_level(previous: str | None, value: float, config: IndexConfig) -> str | None:
    """The index level for ``value``, given the level it was at (with hysteresis)."""
    thresholds = [float(getattr(config.levels, name)) for name in INDEX_LEVELS]
    reached = -1
    for rank, threshold in enumerate(thresholds):
        if value >= threshold:
            reached = rank
    kept = -1
    if previous is not None:
        for rank in range(INDEX_LEVELS.index(previous) + 1):
            if value >= thresholds[rank] * config.clear_below:
                kept = rank
    best = max(reached, kept)
    return INDEX_LEVELS[best] if best >= 0 else None


def index_reaches(level: str | None, threshold: str | None) -> bool:
    """Whether index ``level`` is at or above ``threshold`` (``None`` reaches nothing)."""
    return _at_least(level, threshold, INDEX_LEVELS)


def index_payload(
    *,
    alert_key: str,
    watch: str,
    level: str,
    state: str,
    value: float,
    articles: list[dict[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    """The payload of a tension-index notification (schema ``monitor.alert/1``)."""
    return {
        **_envelope(
            alert_key=alert_key,
            kind="index",
            state=state,
            watch=watch,
            level=level,
            score=round(value, 2),
            now=now,
        ),
        "index": round(value, 2),
        "articles": [
            {
                "title": row["title"],
                "url": row["url"],
                "source": row["source"],
                "published": row["published_at"],
                "score": row["score"],
                "hits": [],
            }
            for row in articles
        ],
    }


def _shingles(title: str, text: str) -> tuple[set[str], set[tuple[str, str]]]:
    """Content words of a title, and word pairs of the opening of a text."""
    title_words = {word for word in tokens(title) if len(word) > 3 and word != BREAK}
    words = [word for word in tokens(text)[:120] if word != BREAK]
    return title_words, set(pairwise(words))


def _jaccard(one: set[Any], other: set[Any]) -> float:
    return len(one & other) / len(one | other) if one and other else 0.0


def similarity(title: str, text: str, other_title: str, other_text: str) -> float:
    """How alike two reports are, 0 to 1: the closer of their titles' content
    words and their texts' opening word pairs (Jaccard)."""
    title_words, pairs = _shingles(title, text)
    other_words, other_pairs = _shingles(other_title, other_text)
    return max(_jaccard(title_words, other_words), _jaccard(pairs, other_pairs))


def story_payload(
    *,
    alert_key: str,
    watch: str,
    level: str,
    articles: list[dict[str, Any]],
    sources: list[dict[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    """The payload of a story alert: every article in it and every outlet that carried it."""
    return {
        **_envelope(
            alert_key=alert_key,
            kind="article",
            state="firing",
            watch=watch,
            level=level,
            score=max((row["score"] or 0 for row in articles), default=0),
            now=now,
        ),
        "articles": [
            {
                "title": row["title"],
                "url": row["url"],
                "source": row["source"],
                "published": row["published_at"],
                "score": row["score"],
                "hits": [
                    {key: value for key, value in hit.items() if key not in ("start", "end")}
                    for hit in row["hits"]
                    if not hit["capped"]
                ][:MAX_HITS_IN_PAYLOAD],
            }
            for row in articles
        ],
        "sources": [{"source": row["source"], "url": row["url"]} for row in sources],
    }


def is_spike(counts: list[int], factor: float, min_count: int) -> bool:
    """Whether the latest window (``counts[0]``) is a spike over the earlier ones:
    at least ``min_count`` articles and ``factor`` times their median."""
    if not counts[1:]:
        return False
    latest = counts[0]
    return latest >= min_count and latest >= factor * statistics.median(counts[1:])


def spike_payload(
    *, alert_key: str, watch: str, state: str, counts: list[int], now: datetime
) -> dict[str, Any]:
    """The payload of a spike notification (schema ``monitor.alert/1``)."""
    return {
        **_envelope(
            alert_key=alert_key,
            kind="spike",
            state=state,
            watch=watch,
            level="spike",
            score=counts[0],
            now=now,
        ),
        "count": counts[0],
        # The same median that is_spike compares against.
        "baseline": statistics.median(counts[1:]) if counts[1:] else 0,
        "articles": [],
    }


def system_payload(
    *, alert_key: str, kind: str, state: str, message: str, now: datetime
) -> dict[str, Any]:
    """The payload of an alert about the monitor itself (schema ``monitor.alert/1``)."""
    return {
        **_envelope(
            alert_key=alert_key,
            kind=kind,
            state=state,
            watch="system",
            level="warning",
            score=0,
            now=now,
        ),
        "message": message,
        "articles": [],
    }


def channel_test_payload(now: datetime) -> dict[str, Any]:
    """A harmless alert for ``monitor channels test`` (schema ``monitor.alert/1``)."""
    return {
        **_envelope(
            alert_key=f"test:{now.isoformat(timespec='seconds')}",
            kind="test",
            state="firing",
            watch="test",
            level="notice",
            score=0,
            now=now,
        ),
        "message": "a test alert from monitor: if you read this, the channel works",
        "articles": [],
    }

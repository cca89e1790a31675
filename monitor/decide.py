"""Deciding which scores become alerts, and what an alert says. Pure.

An article alert fires when one article reaches a level its watch alerts on
(``alert.on``). Its dedup key names the watch and the stored article, so the
same article never alerts twice, across restarts too: the store refuses a
second alert with the same key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.config import LEVELS, WatchConfig
from monitor.models import Article, Score

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
    payload: dict[str, Any]


def reaches(level: str | None, threshold: str | None) -> bool:
    """Whether ``level`` is at or above ``threshold`` (``None`` reaches nothing)."""
    if level is None or threshold is None:
        return False
    return LEVELS.index(level) >= LEVELS.index(threshold)


def article_alert(
    *,
    article_id: int,
    article: Article,
    source: str | None,
    score: Score,
    watch: WatchConfig,
    now: datetime,
) -> AlertDraft | None:
    """Return the alert an article's score calls for, or ``None``."""
    if not reaches(score.level, watch.alert_level()) or score.level is None:
        return None
    dedup_key = f"{watch.name}:article:{article_id}"
    payload = {
        "schema": PAYLOAD_SCHEMA,
        "id": dedup_key,
        "kind": "article",
        "watch": watch.name,
        "level": score.level,
        "score": score.score,
        "created_at": now.isoformat(timespec="seconds"),
        "articles": [
            {
                "title": article.title,
                "url": article.url,
                "source": source,
                "published": article.published_at.isoformat() if article.published_at else None,
                "score": score.score,
                "hits": [
                    {
                        key: value
                        for key, value in hit.as_dict().items()
                        if key not in ("start", "end")
                    }
                    for hit in score.hits
                    if not hit.capped
                ][:MAX_HITS_IN_PAYLOAD],
            }
        ],
    }
    return AlertDraft(
        watch=watch.name,
        kind="article",
        level=score.level,
        dedup_key=dedup_key,
        score=score.score,
        article_ids=(article_id,),
        channels=tuple(watch.alert.channels),
        payload=payload,
    )

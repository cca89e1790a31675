"""Backtesting rules: which article alerts the rules on disk would have fired on the
stored articles, next to the alerts that did fire.

``compare`` is pure: it takes the articles scored again and the articles that
article alerts covered, and returns, per watch, the alerts added (an article
that would reach the watch's ``alert.on`` article level now, and did not fire),
removed (fired, would not now) and changed in level. Each article counts
once: story grouping, which joins several articles into one notification, is
not replayed, and neither are index and spike alerts (they depend on the
order and timing of every article, not on one score). ``run_backtest`` reads
the store for it and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.alerts.policy import trigger
from monitor.config import Config, WatchConfig
from monitor.models import Score
from monitor.rules.score import score
from monitor.store import FiredArticle, Store, iso


@dataclass(frozen=True)
class Rescored:
    """An article that would fire an alert of ``watch`` at ``level`` with the rules now."""

    watch: str
    article_id: int
    level: str
    score: float
    title: str


@dataclass(frozen=True)
class Change:
    """One article whose alert differs: fired at ``before``, would fire at ``after``
    (``None``: did not fire / would not fire)."""

    article_id: int
    title: str
    before: str | None
    after: str | None
    alert_id: int | None = None  # the alert that covered it
    score: float | None = None  # its score with the rules now, when it would fire

    def as_dict(self) -> dict[str, Any]:
        """The change as JSON-ready values."""
        return {
            "article_id": self.article_id,
            "title": self.title,
            "before": self.before,
            "after": self.after,
            "alert_id": self.alert_id,
            "score": self.score,
        }


@dataclass(frozen=True)
class WatchBacktest:
    """One watch's article alerts, fired and as the rules on disk would fire them."""

    watch: str
    configured: bool  # False: the watch is no longer on disk
    alert_level: str | None  # the article level its alert.on fires at, if any
    fired: int
    would_fire: int
    added: tuple[Change, ...]
    removed: tuple[Change, ...]
    changed: tuple[Change, ...]

    @property
    def unchanged(self) -> int:
        """Articles that fired and would fire again at the same level."""
        return self.fired - len(self.removed) - len(self.changed)

    def as_dict(self) -> dict[str, Any]:
        """The watch's figures and changes as JSON-ready values."""
        return {
            "watch": self.watch,
            "configured": self.configured,
            "alert_level": self.alert_level,
            "fired": self.fired,
            "would_fire": self.would_fire,
            "unchanged": self.unchanged,
            "added": [change.as_dict() for change in self.added],
            "removed": [change.as_dict() for change in self.removed],
            "changed": [change.as_dict() for change in self.changed],
        }


@dataclass(frozen=True)
class BacktestReport:
    """The backtest of every watch over the articles fetched since ``since``."""

    since: datetime
    articles: int
    watches: tuple[WatchBacktest, ...]

    def totals(self) -> dict[str, int]:
        """Added, removed and changed alerts over every watch."""
        return {
            "added": sum(len(w.added) for w in self.watches),
            "removed": sum(len(w.removed) for w in self.watches),
            "changed": sum(len(w.changed) for w in self.watches),
        }

    def as_dict(self) -> dict[str, Any]:
        """The ``monitor backtest --json`` object."""
        return {
            "since": iso(self.since),
            "articles": self.articles,
            "watches": [watch.as_dict() for watch in self.watches],
            "totals": self.totals(),
        }


def would_fire(
    articles: Iterable[tuple[int, str, Sequence[Score]]], watches: Sequence[WatchConfig]
) -> Iterator[Rescored]:
    """The alerts that ``(article id, title, scores)`` call for, by ``policy.trigger``."""
    by_name = {watch.name: watch for watch in watches}
    for article_id, title, scores in articles:
        for result in scores:
            if trigger(result, by_name[result.watch]).ok and result.level is not None:
                yield Rescored(result.watch, article_id, result.level, result.score, title)


def compare(
    rescored: Iterable[Rescored], fired: Iterable[FiredArticle], watches: Sequence[WatchConfig]
) -> list[WatchBacktest]:
    """Per watch (configured ones first, in order), the article alerts added, removed and
    changed in level when ``rescored`` replaces ``fired``."""
    now: dict[str, dict[int, Rescored]] = {}
    for rescore in rescored:
        now.setdefault(rescore.watch, {})[rescore.article_id] = rescore
    before: dict[str, dict[int, FiredArticle]] = {}
    for fire in fired:
        before.setdefault(fire.watch, {}).setdefault(fire.article_id, fire)
    configured = {watch.name: watch for watch in watches}
    names = [*configured, *sorted(set(before) - set(configured))]
    results = []
    for name in names:
        old, new = before.get(name, {}), now.get(name, {})
        added = [
            Change(item.article_id, item.title, None, item.level, score=item.score)
            for article_id, item in sorted(new.items())
            if article_id not in old
        ]
        removed = [
            Change(item.article_id, item.title, item.level, None, alert_id=item.alert_id)
            for article_id, item in sorted(old.items())
            if article_id not in new
        ]
        changed = [
            Change(
                item.article_id,
                item.title,
                item.level,
                new[article_id].level,
                alert_id=item.alert_id,
                score=new[article_id].score,
            )
            for article_id, item in sorted(old.items())
            if article_id in new and new[article_id].level != item.level
        ]
        watch = configured.get(name)
        results.append(
            WatchBacktest(
                watch=name,
                configured=watch is not None,
                alert_level=watch.alert_level() if watch else None,
                fired=len(old),
                would_fire=len(new),
                added=tuple(added),
                removed=tuple(removed),
                changed=tuple(changed),
            )
        )
    return results


def run_backtest(store: Store, config: Config, since: datetime) -> BacktestReport:
    """Score every article fetched since ``since`` with ``config``'s rules and compare
    the article alerts they call for with those that fired. Reads ``store`` only."""
    counted = 0

    def rescored() -> Iterator[tuple[int, str, Sequence[Score]]]:
        nonlocal counted
        for article_id, article in store.articles_fetched_since(since):
            counted += 1
            yield article_id, article.title, score(article, config.matcher)

    diff = compare(
        would_fire(rescored(), config.watches), store.fired_articles(since), config.watches
    )
    return BacktestReport(since=since, articles=counted, watches=tuple(diff))

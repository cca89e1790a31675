"""Backtesting rules: which alerts the rules on disk would have fired on the stored
articles, next to the alerts that did fire.

``compare`` is pure: it takes the articles scored again and the articles that
article alerts covered, and returns, per watch, the alerts added (an article
that would reach the watch's ``alert.on`` article level now, and did not fire),
removed (fired, would not now) and changed in level; each article counts once.
``replay_watch`` is pure too: it replays the articles that would alert, in the
order they were published, through story grouping and the policy's story
rules (``tools.replay``), against the background of the period's in-scope
articles scored again, and sets the stories and notifications that makes next
to the story alerts stored for those articles and the notifications they
queued. Index and spike alerts are not replayed (they depend on the timing of
every article, not on its score). ``run_backtest`` reads the store for both and
writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from monitor.alerts.grouping import Background, Report, When
from monitor.alerts.policy import trigger
from monitor.config import Config, WatchConfig
from monitor.models import Article, Score
from monitor.rules.score import score
from monitor.store import ArticleOutlets, FiredArticle, Store, iso
from monitor.tools.replay import Replayable, ReplayedStory, replay_stories


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
class StoryBacktest:
    """One watch's stories over the period: the story alerts stored for its articles
    and the notifications they queued, and the stories the rules on disk make of
    the articles that would alert (``replayed``)."""

    stored: tuple[int, ...]  # the story alerts that cover the period's articles
    notified: int  # the notifications those queued, one per event (resolutions aside)
    replayed: tuple[ReplayedStory, ...]
    covered: Mapping[int, int] = field(default_factory=dict)  # article id: stored alert

    @property
    def notifications(self) -> int:
        """The notifications the replayed stories queued, one per event."""
        return sum(len(story.notifications) for story in self.replayed)

    def was(self, story: ReplayedStory) -> tuple[int, ...]:
        """The stored story alerts that covered ``story``'s reports, in order."""
        alerts = (self.covered.get(member.id) for member in story.members)
        return tuple(dict.fromkeys(a for a in alerts if a is not None))

    def as_dict(self) -> dict[str, Any]:
        """The figures and every replayed story as JSON-ready values."""
        return {
            "before": len(self.stored),
            "after": len(self.replayed),
            "notifications_before": self.notified,
            "notifications_after": self.notifications,
            "stored": list(self.stored),
            "replayed": [
                {
                    "story": story.number,
                    "level": story.level,
                    "was": list(self.was(story)),
                    "follows": story.follows,
                    "outlets": story.outlets,
                    "breaking": story.breaking,
                    "ended": story.ended,
                    "reports": [
                        {
                            "article_id": member.id,
                            "title": member.title,
                            "level": member.level,
                            "at": iso(member.at),
                            "reason": member.reason,
                            "update": member.update,
                        }
                        for member in story.members
                    ],
                    "notifications": [
                        {
                            "event": notice.event,
                            "at": iso(notice.at),
                            "due": iso(notice.due),
                            "reason": notice.reason,
                        }
                        for notice in story.notifications
                    ],
                }
                for story in self.replayed
            ],
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
    stories: StoryBacktest | None = None  # None: not replayed (``compare`` alone)

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
            "stories": self.stories.as_dict() if self.stories is not None else None,
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

    def story_totals(self) -> dict[str, int]:
        """Stories and notifications, stored and replayed, over every watch."""
        stories = [w.stories for w in self.watches if w.stories is not None]
        return {
            "before": sum(len(s.stored) for s in stories),
            "after": sum(len(s.replayed) for s in stories),
            "notifications_before": sum(s.notified for s in stories),
            "notifications_after": sum(s.notifications for s in stories),
        }

    def as_dict(self) -> dict[str, Any]:
        """The ``monitor backtest --json`` object."""
        return {
            "since": iso(self.since),
            "articles": self.articles,
            "watches": [watch.as_dict() for watch in self.watches],
            "totals": self.totals(),
            "stories": self.story_totals(),
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


Scored = tuple[int, Article, Sequence[Score]]
"""An article scored again with the rules on disk: its id, the article, its scores."""


def replay_watch(
    watch: WatchConfig,
    scored: Sequence[Scored],
    outlets: Mapping[int, ArticleOutlets],
    fired: Iterable[FiredArticle],
    events: Mapping[int, Sequence[str]],
) -> StoryBacktest:
    """``watch``'s stories: those stored (the alerts ``fired`` names for it, with the
    notification ``events`` they queued) and those the articles of ``scored`` that
    would alert make when replayed, against the background of every article of
    ``scored`` in the watch's scope (``Background.of``: how many name each place and
    actor and use each word stem, as the daemon counts them)."""
    covered: dict[int, int] = {}
    for fire in fired:
        if fire.watch == watch.name:
            covered.setdefault(fire.article_id, fire.alert_id)
    stored = tuple(sorted(set(covered.values())))
    notified = sum(1 for alert in stored for event in events.get(alert, ()) if event != "resolved")
    names = []
    words = []
    replayable = []
    for article_id, article, scores in scored:
        result = next((s for s in scores if s.watch == watch.name), None)
        if result is None or not result.in_scope:
            continue
        origin = outlets.get(article_id)
        if origin is None:
            continue  # pruned while the backtest was reading
        at = _moment(article, origin)
        report = Report.scored(article, result, When.at(at), watch)
        names.append(report.names())
        words.append(report.stems)
        if trigger(result, watch).ok and result.level is not None:
            replayable.append(Replayable(article_id, result.level, at, report, origin.outlets))
    stories = replay_stories(replayable, Background.of(names, watch, words), watch)
    return StoryBacktest(stored, notified, tuple(stories), covered)


def _moment(article: Article, origin: ArticleOutlets) -> datetime:
    """When a stored article is replayed: when it was published, or when it was fetched
    if that was earlier or its feed gave no date (as the daemon dates its reports)."""
    published = article.published_at
    return min(published, origin.fetched_at) if published else origin.fetched_at


def run_backtest(store: Store, config: Config, since: datetime) -> BacktestReport:
    """Score every article fetched since ``since`` with ``config``'s rules; compare the
    article alerts they call for with those that fired, and replay the stories of
    each configured watch. Reads ``store`` only."""
    scored = [
        (article_id, article, score(article, config.matcher))
        for article_id, article in store.articles_fetched_since(since)
    ]
    fired = store.fired_articles(since)
    outlets = store.article_outlets(since)
    diff = compare(
        would_fire(((i, a.title, s) for i, a, s in scored), config.watches),
        fired,
        config.watches,
    )
    events = store.notification_events(sorted({fire.alert_id for fire in fired}))
    configured = {watch.name: watch for watch in config.watches}
    watches = tuple(
        replace(
            result,
            stories=replay_watch(configured[result.watch], scored, outlets, fired, events),
        )
        if result.watch in configured and result.alert_level is not None
        else result
        for result in diff
    )
    return BacktestReport(since=since, articles=len(scored), watches=watches)

"""Story alerts: applying story grouping and the policy's story rules to the store.

A report that reaches its watch's alert level joins the story of its event or
opens one (``monitor.alerts.grouping`` decides which, against the background
of the watch's recent in-scope articles); the story notifies after
``group_wait``, again at once when its level rises, and with other news (a new
event type, 5 or 10 outlets) at most once per ``group_interval``; it ends after
``resolve_after`` without a new report (notifying that only with
``notify_resolved``). What a story adds to the tension index, once, is
added as it changes (``state.add_story_to_index``). Every rule is ``policy``'s
or ``grouping``'s; this module reads what they need and records what they
decided, with the reason, where ``monitor explain`` finds it.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from monitor.alerts.grouping import (
    BACKGROUND_DAYS,
    FOLLOW_WITHIN,
    Background,
    OpenStory,
    Report,
    StoryIndex,
    When,
    join_story,
    stems,
)
from monitor.alerts.policy import (
    StoryUpdate,
    article_key,
    breaking_level,
    first_due,
    is_breaking,
    story_alert,
    story_resolves,
    story_update,
)
from monitor.alerts.state import add_story_to_index, queue_notification, silence_of
from monitor.config import WatchConfig
from monitor.humanize import describe_delay, minute
from monitor.models import Alert, Score, Story, event_types, follow_up
from monitor.store import Store, StoredArticle, iso

log = logging.getLogger(__name__)


def _when(row: dict[str, Any]) -> When:
    """When a stored report was published: its feed's date, or when it was fetched
    (a date in the future, or none, is not believed)."""
    fetched = datetime.fromisoformat(row["fetched_at"])
    published = row["published_at"]
    moment = datetime.fromisoformat(published) if published else fetched
    return When.at(min(moment, fetched))


def _stored_report(row: dict[str, Any], watch: WatchConfig) -> Report:
    """A stored article of a story, as grouping compares it."""
    hits = json.loads(row["hits"] or "[]")
    headline = ((hit["signal"], hit["field"], hit["text"]) for hit in hits)
    return Report(
        row["title"],
        row["summary"],
        tuple(json.loads(row["places"] or "[]")),
        tuple(json.loads(row["actors"] or "[]")),
        event_types((hit["signal"], hit["points"]) for hit in hits),
        _when(row),
        follow_up(headline, watch.story.follow_ups),
        tuple(json.loads(row.get("headline_places") or "[]")),
    )


def _background(store: Store, watch: WatchConfig, now: datetime) -> Background:
    """How common each place, actor and word stem is in the watch's recent in-scope
    articles."""
    since = now - timedelta(days=BACKGROUND_DAYS)
    reports, counts = store.name_counts(watch.name, since)
    texts = store.in_scope_texts(watch.name, since)
    words = Counter(stem for title, text in texts for stem in stems(title, text))
    return Background.counted(reports, counts, watch, words)


BACKGROUND_FRESH = timedelta(minutes=10)
"""How long a watch's background is used before it is counted again: it spans ten days,
so minutes of news change nothing that matters, and counting it reads every recent
in-scope article."""


@dataclass
class OpenStories:
    """A watch's recent stories as grouping compares them, kept between articles: each
    stored report's ``Report`` (made by tokenizing its text) by the stored row it was
    made of, each story by its alert id, and their ``StoryIndex``. What the store says
    is read each time; only what changed is built again."""

    reports: dict[tuple[Any, ...], Report] = field(default_factory=dict)
    stories: dict[int, OpenStory] = field(default_factory=dict)
    index: StoryIndex = field(default_factory=StoryIndex)

    def read(self, store: Store, watch: WatchConfig, now: datetime) -> StoryIndex:
        """``watch``'s stories updated within ``FOLLOW_WITHIN`` of ``now``, indexed."""
        reports: dict[tuple[Any, ...], Report] = {}
        stories: dict[int, OpenStory] = {}
        for alert in store.recent_stories(watch.name, now - FOLLOW_WITHIN):
            members = []
            for row in alert["articles"]:
                key = tuple(row.values())  # a changed row (a new score) is a new key
                member = reports.get(key) or self.reports.get(key) or _stored_report(row, watch)
                reports[key] = member
                members.append(member)
            closed = alert["state"] != "firing"
            story = self.stories.get(alert["id"])
            if (
                story is None
                or (story.level, story.closed) != (alert["level"], closed)
                or story.reports != tuple(members)
            ):
                story = OpenStory(alert["id"], alert["level"], tuple(members), closed=closed)
            stories[story.alert_id] = story
        self.reports, self.stories = reports, stories
        self.index.update(list(stories.values()))
        return self.index


@dataclass
class Backgrounds:
    """Each watch's grouping background, counted at most once per ``BACKGROUND_FRESH``
    (and again after a reload gives the watch new rules), and its ``OpenStories``, for
    a daemon's cycles."""

    counted: dict[str, tuple[WatchConfig, datetime, Background]] = field(default_factory=dict)
    open: dict[str, OpenStories] = field(default_factory=dict)

    def stories(self, store: Store, watch: WatchConfig, now: datetime) -> StoryIndex:
        """``watch``'s recent stories at ``now`` (``OpenStories.read``)."""
        return self.open.setdefault(watch.name, OpenStories()).read(store, watch, now)

    def of(self, store: Store, watch: WatchConfig, now: datetime) -> Background:
        """``watch``'s background at ``now``, counted afresh when the kept one is stale."""
        kept = self.counted.get(watch.name)
        if (
            kept is not None
            and kept[0] is watch
            and timedelta(0) <= now - kept[1] < BACKGROUND_FRESH
        ):
            return kept[2]
        background = _background(store, watch, now)
        self.counted[watch.name] = (watch, now, background)
        return background


def alert_story(
    store: Store,
    watch: WatchConfig,
    item: StoredArticle,
    score: Score,
    now: datetime,
    backgrounds: Backgrounds | None = None,
) -> int:
    """Join an article that reached the alert level to the story of its event, or open
    one (following up an earlier story if it is one); record which, and why. Returns
    the number of notifications queued (0 or 1)."""
    rules = watch.alert
    assert score.level is not None
    backgrounds = backgrounds or Backgrounds()
    stories = backgrounds.stories(store, watch, now)
    published = item.article.published_at
    report = Report.scored(
        item.article, score, When.at(min(published, now) if published else now), watch
    )
    background = backgrounds.of(store, watch, now)
    join = join_story(report, stories, background, rules, watch.story.group == "names")
    if join.alert_id is not None:
        story = next(story for story in stories.stories if story.alert_id == join.alert_id)
        known = story.event_types()
        new_types = [kind for kind in score.event_types if kind not in known]
        store.attach_article(join.alert_id, item.id, now)
        update = refresh_story(
            store, watch, join.alert_id, story.level, score.level, now, new_types
        )
        store.record_decision(item.id, watch.name, join.alert_id, f"{join.reason}; {update.reason}")
        return 1 if update.event else 0
    due = first_due(now, rules)
    alert_id = store.open_alert(
        watch=watch.name,
        kind="article",
        level=score.level,
        dedup_key=article_key(watch.name, item.id),
        score=score.score,
        article_ids=(item.id,),
        payload=None,  # built from the store just below
        channels=rules.channels,
        now=now,
        due=due,
        silenced=silence_of(store, watch.name, score.level, now),
        follows=join.follows,
    )
    if alert_id is None:
        return 0
    refresh_story(store, watch, alert_id, score.level, None, now)
    wait = f"the first notification waits group_wait ({describe_delay(rules.group_wait)})"
    opened = join.reason.removeprefix("new story")
    store.record_decision(
        item.id,
        watch.name,
        alert_id,
        f"opened story #{alert_id}{opened}; {wait}, until {minute(iso(due))}",
    )
    return 1


def refresh_story(
    store: Store,
    watch: WatchConfig,
    alert_id: int,
    level: str,
    reported: str | None,
    now: datetime,
    new_types: Sequence[str] = (),
) -> StoryUpdate:
    """Rebuild a story alert (at ``level``) after it gained a report (at ``reported``,
    bringing ``new_types`` of event) or, with ``None``, an outlet; queue the
    notification the policy calls for."""
    story = _story_of(store, watch, alert_id)
    outlets = story.outlets
    outlets_before = outlets - 1 if reported is None else outlets
    reported = breaking_level(reported, story.breaking, watch.story.breaking)
    update = story_update(
        level=level,
        reported=reported,
        new_types=new_types,
        outlets_before=outlets_before,
        outlets=outlets,
        first_pending=store.first_notification_pending(alert_id),
        last_notified=store.last_notified_at(alert_id),
        rules=watch.alert,
        now=now,
    )
    before = store.alert_payload(alert_id)
    alert = _save_story(store, watch, alert_id, update.level, story, now)
    add_story_to_index(store, watch, before, alert, now)
    if update.event is not None:
        payload = None if update.due is not None else alert  # a later one sends the latest
        silenced = silence_of(store, alert.watch, alert.level, now)
        store.queue_deliveries(
            alert_id, watch.alert.channels, update.event, payload, now, update.due, silenced
        )
    return update


def rebuild_story(
    store: Store, watch: WatchConfig, alert_id: int, level: str, now: datetime
) -> Alert:
    """Rebuild a story alert's payload at ``level`` from its articles and sources in the
    store, as ``refresh_story`` does, and record it; queue no notification, and leave
    its state as it is (a correction by hand never notifies)."""
    return _save_story(store, watch, alert_id, level, _story_of(store, watch, alert_id), now)


def _story_of(store: Store, watch: WatchConfig, alert_id: int) -> Story:
    """What the store knows of a story alert's event."""
    outlet_times, follows = store.story_outlets(alert_id)
    reports = [_stored_report(row, watch) for row in store.story_reports(alert_id)]
    return _story(watch, reports, outlet_times, follows, store.story_languages(alert_id))


def _save_story(
    store: Store, watch: WatchConfig, alert_id: int, level: str, story: Story, now: datetime
) -> Alert:
    """Build a story alert at ``level`` from the store and ``story``, and record it."""
    alert = _story_alert(store, watch, alert_id, level, story, now)
    store.update_story(alert_id, level=level, score=alert.score, payload=alert, now=now)
    return alert


def _story_alert(
    store: Store, watch: WatchConfig, alert_id: int, level: str, story: Story, now: datetime
) -> Alert:
    """A story alert at ``level``: the store's articles and sources of it, and ``story``."""
    articles, sources = store.story(alert_id)
    key, _ = store.alert_key_and_level(alert_id)
    return story_alert(
        key=key,
        watch=watch.name,
        level=level,
        articles=[article for _, article in articles],
        sources=sources,
        story=story,
        now=now,
    )


def _story(
    watch: WatchConfig,
    reports: Sequence[Report],
    outlet_times: Sequence[datetime],
    follows: int | None,
    languages: Sequence[str],
) -> Story:
    """What a story alert says of its event."""
    times = [r.when.start for r in reports if r.when is not None]
    return Story(
        places=tuple(
            dict.fromkeys(
                p
                for r in reports
                for p in r.places
                if p not in watch.places or not watch.places[p].broad
            )
        ),
        event_types=tuple(dict.fromkeys(t for r in reports for t in r.event_types)),
        outlets=len(outlet_times),
        reports=len(reports),
        first_report=iso(min(times)) if times else None,
        last_report=iso(max(times)) if times else None,
        breaking=is_breaking(outlet_times, watch.story.breaking),
        follows=follows,
        languages=tuple(languages),
    )


def resolve_stories(store: Store, watches: Iterable[WatchConfig], now: datetime) -> int:
    """Resolve each firing story that has had no new report for its watch's
    ``resolve_after``, recording why; queue a "resolved" notification of it only
    when the watch has ``notify_resolved``. Returns the notifications queued."""
    notifications = 0
    for watch in watches:
        for alert_id, last_report in store.firing_stories(watch.name):
            verdict = story_resolves(last_report, now, watch.alert)
            if not verdict.ok:
                continue
            _, level = store.alert_key_and_level(alert_id)
            story = _story_of(store, watch, alert_id)
            alert = replace(
                _story_alert(store, watch, alert_id, level, story, now), state="resolved"
            )
            store.update_alert(
                alert_id,
                level=level,
                score=alert.score,
                payload=alert,
                now=now,
                resolved=True,
                resolution=verdict.reason,
            )
            log.info("watch=%s story alert #%d resolved: %s", watch.name, alert_id, verdict.reason)
            if watch.alert.notify_resolved:
                queue_notification(store, alert_id, alert, watch.alert.channels, "resolved", now)
                notifications += 1
    return notifications

"""Alert state: applying the decisions of ``decide`` to the alerts in the store.

Story alerts gather similar articles and every outlet that carried them,
notify after ``group_wait``, again at once when their level rises, and with
new sources only after ``cooldown``. The tension index of each watch rises
with new in-scope scores, decays every cycle, and fires, escalates and
resolves its own alert; so do spikes of in-scope articles, and the
monitor's alerts about itself (feeds failing, news gone quiet). All state
lives in SQLite, so a restart changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from monitor.alerts.policy import (
    AlertDraft,
    decayed,
    index_level,
    index_payload,
    index_reaches,
    is_spike,
    reaches,
    similarity,
    spike_payload,
    story_payload,
    system_payload,
)
from monitor.config import SystemSettings, WatchConfig
from monitor.humanize import describe_delay
from monitor.models import Score
from monitor.store import IndexState, Store, StoredArticle, iso

log = logging.getLogger(__name__)


def add_to_index(store: Store, watch: WatchConfig, result: Score, now: datetime) -> None:
    """Add an in-scope article's score to its watch's decaying tension index."""
    if watch.index is None or not result.in_scope or result.score <= 0:
        return
    state = store.index_state(watch.name) or IndexState(0.0, now)
    value = decayed(state.value, state.updated_at, now, watch.index.half_life) + result.score
    store.save_index_state(watch.name, replace(state, value=value, updated_at=now))


def update_indexes(store: Store, watches: Iterable[WatchConfig], now: datetime) -> int:
    """Decay each watch's tension index to ``now``; fire, escalate or resolve its alert.

    Returns the number of notifications queued.
    """
    notifications = 0
    for watch in watches:
        if watch.index is None:
            continue
        config = watch.index
        state = store.index_state(watch.name) or IndexState(0.0, now)
        value = decayed(state.value, state.updated_at, now, config.half_life)
        level = index_level(state.level, value, config)
        alert_id = state.alert_id
        threshold = watch.index_alert_level()
        if index_reaches(level, threshold) and level is not None:
            if alert_id is None or not index_reaches(state.level, level):
                alert_id = _notify_index(store, watch, alert_id, level, "firing", value, now)
                notifications += 1
        elif alert_id is not None:
            _notify_index(store, watch, alert_id, "", "resolved", value, now)
            notifications += 1
            alert_id = None
        new_state = IndexState(value, now, level, alert_id)
        store.save_index_state(watch.name, new_state)
        if level != state.level or value >= 0.01:
            store.record_index(watch.name, new_state)
        if level != state.level:
            log.info(
                "watch=%s tension index %.1f: level %s -> %s",
                watch.name,
                value,
                state.level or "none",
                level or "none",
            )
    return notifications


def _notify_index(
    store: Store,
    watch: WatchConfig,
    alert_id: int | None,
    level: str,
    state: str,
    value: float,
    now: datetime,
) -> int:
    """Open the index alert, or queue its escalation or resolution; return its id."""
    assert watch.index is not None
    since = now - timedelta(seconds=watch.index.half_life)
    articles = store.top_articles(watch.name, since)
    key = f"{watch.name}:index:{iso(now)}"
    if alert_id is not None:
        key, notified_level = store.alert_key_and_level(alert_id)
        if state == "resolved":
            level = notified_level
    payload = index_payload(
        alert_key=key,
        watch=watch.name,
        level=level,
        state=state,
        value=value,
        articles=articles,
        now=now,
    )
    if alert_id is None:
        opened = store.open_alert(
            watch=watch.name,
            kind="index",
            level=level,
            dedup_key=key,
            score=round(value, 2),
            article_ids=[row["id"] for row in articles],
            payload=payload,
            channels=watch.alert.channels,
            now=now,
        )
        assert opened is not None
        return opened
    resolved = state == "resolved"
    store.update_alert(
        alert_id, level=level, score=round(value, 2), payload=payload, now=now, resolved=resolved
    )
    event = "resolved" if resolved else f"firing:{level}"
    store.queue_deliveries(alert_id, watch.alert.channels, event, payload, now)
    return alert_id


def alert_story(
    store: Store, watch: WatchConfig, item: StoredArticle, draft: AlertDraft, now: datetime
) -> int:
    """Join the article to a firing alert about the same story, or open one.

    Returns the number of notifications queued (0 or 1).
    """
    rules = watch.alert
    since = now - timedelta(seconds=rules.group_window)
    for alert in store.open_story_alerts(watch.name, since):
        if any(
            similarity(item.article.title, item.article.summary, a["title"], a["summary"])
            >= rules.similarity
            for a in alert["articles"]
        ):
            store.attach_article(alert["id"], item.id)
            return refresh_story(store, watch, alert, draft.level, now)
    alert_id = store.open_alert(
        watch=draft.watch,
        kind=draft.kind,
        level=draft.level,
        dedup_key=draft.dedup_key,
        score=draft.score,
        article_ids=draft.article_ids,
        payload={},  # built from the store just below
        channels=draft.channels,
        now=now,
        # The first notification waits a little, to gather the other outlets.
        due=now + timedelta(seconds=rules.group_wait),
    )
    if alert_id is None:
        return 0
    refresh_story(store, watch, {"id": alert_id, "level": draft.level}, None, now)
    return 1


def refresh_story(
    store: Store,
    watch: WatchConfig,
    alert: dict[str, Any],
    level: str | None,
    now: datetime,
) -> int:
    """Rebuild a story alert's payload after it gained an article or a source.

    A higher level notifies at once; otherwise a new notification goes out only
    when the last one is older than the cooldown. Returns the number queued.
    """
    old_level = alert["level"]
    new_level = level if level is not None and not reaches(old_level, level) else old_level
    articles, sources = store.story(alert["id"])
    key, _ = store.alert_key_and_level(alert["id"])
    payload = story_payload(
        alert_key=key,
        watch=watch.name,
        level=new_level,
        articles=articles,
        sources=sources,
        now=now,
    )
    store.update_alert(
        alert["id"], level=new_level, score=payload["score"], payload=payload, now=now
    )
    if level is None and new_level == old_level and not sources[1:]:
        return 0  # a story of one source, just opened
    if store.first_notification_pending(alert["id"]):
        # Still within group_wait: the first notification, not yet sent, will
        # carry the new level and sources; a second one would only repeat it
        # (so a critical report inhibits the warning about the same story).
        return 0
    if new_level != old_level:
        event = f"firing:{new_level}"
    else:
        last = store.last_notified_at(alert["id"])
        if last is not None and (now - last).total_seconds() < watch.alert.cooldown:
            return 0
        event = f"update:{iso(now)}"
    store.queue_deliveries(alert["id"], watch.alert.channels, event, payload, now)
    return 1


def update_spikes(store: Store, watches: Iterable[WatchConfig], now: datetime) -> int:
    """Open or resolve each watch's spike alert; return the notifications queued."""
    notifications = 0
    for watch in watches:
        rules = watch.spike
        if rules is None:
            continue
        windows = int(rules.baseline // rules.window) + 1
        counts, oldest = store.in_scope_counts(watch.name, now, rules.window, windows)
        # No baseline yet (a new install reads days of news at once): no spike.
        known = oldest is not None and (now - oldest).total_seconds() >= rules.baseline
        spiking = known and is_spike(counts, rules.factor, rules.min_count)
        alert_id = store.firing_alert(watch.name, "spike")
        if spiking and alert_id is None:
            key = f"{watch.name}:spike:{iso(now)}"
            payload = spike_payload(
                alert_key=key, watch=watch.name, state="firing", counts=counts, now=now
            )
            store.open_alert(
                watch=watch.name, kind="spike", level="spike", dedup_key=key,
                score=counts[0], article_ids=[], payload=payload,
                channels=watch.alert.channels, now=now,
            )  # fmt: skip
            log.info("watch=%s spike: %d in-scope articles in one window", watch.name, counts[0])
            notifications += 1
        elif not spiking and alert_id is not None:
            key, _ = store.alert_key_and_level(alert_id)
            payload = spike_payload(
                alert_key=key, watch=watch.name, state="resolved", counts=counts, now=now
            )
            store.update_alert(
                alert_id, level="spike", score=counts[0], payload=payload, now=now, resolved=True
            )
            store.queue_deliveries(alert_id, watch.alert.channels, "resolved", payload, now)
            notifications += 1
    return notifications


def update_system(
    store: Store, settings: SystemSettings, channels: list[str], now: datetime
) -> int:
    """Open or resolve the monitor's alerts about itself; return the notifications queued.

    ``feeds``: at least ``failing_share`` of the active feeds have failed
    without a break for ``failing_for``. ``quiet``: the store has held news
    for ``quiet_for`` but no in-scope article arrived in that time.
    """
    failing, total = store.feed_health(now, settings.failing_for)
    first, latest = store.news_span()
    quiet_for = settings.quiet_for
    checks = [
        (
            "feeds",
            total > 0 and failing / total >= settings.failing_share,
            f"{failing} of {total} feeds have failed for over "
            f"{describe_delay(settings.failing_for)}",
        ),
        (
            "quiet",
            first is not None
            and (now - first).total_seconds() >= quiet_for
            and (latest is None or (now - latest).total_seconds() >= quiet_for),
            f"no in-scope article for over {describe_delay(quiet_for)}",
        ),
    ]
    notifications = 0
    for kind, firing, message in checks:
        alert_id = store.firing_alert("system", kind)
        if firing and alert_id is None:
            key = f"system:{kind}:{iso(now)}"
            payload = system_payload(
                alert_key=key, kind=kind, state="firing", message=message, now=now
            )
            store.open_alert(
                watch="system", kind=kind, level="warning", dedup_key=key, score=0,
                article_ids=[], payload=payload, channels=channels, now=now,
            )  # fmt: skip
            log.warning("system alert: %s", message)
            notifications += 1
        elif not firing and alert_id is not None:
            key, _ = store.alert_key_and_level(alert_id)
            payload = system_payload(
                alert_key=key, kind=kind, state="resolved", message=message, now=now
            )
            store.update_alert(
                alert_id, level="warning", score=0, payload=payload, now=now, resolved=True
            )
            store.queue_deliveries(alert_id, channels, "resolved", payload, now)
            log.info("system alert resolved: %s", kind)
            notifications += 1
    return notifications

"""Alert state: applying the decisions of ``policy`` to the alerts in the store.

Story alerts are ``monitor.alerts.stories``'s. The tension index
of each watch rises with each story's weight, counted once (and with the scores
of in-scope articles that are in no story), decays every cycle, and fires,
escalates and resolves its own alert; so do spikes of in-scope articles, and
the monitor's alerts about itself (feeds failing, news gone quiet). All state
lives in SQLite, so a restart changes nothing. Every rule is ``policy``'s;
this module only reads what the rules need and records what they decided,
with the reason, where ``monitor explain`` finds it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from monitor.alerts.policy import (
    decayed,
    index_alert,
    index_level,
    index_reaches,
    is_spike,
    silenced_by,
    spike_alert,
    story_index_rise,
    system_alert,
)
from monitor.config import SystemSettings, WatchConfig
from monitor.humanize import describe_delay
from monitor.models import Alert, Score
from monitor.store import IndexState, Store, iso

log = logging.getLogger(__name__)


def silence_of(store: Store, watch: str, level: str, now: datetime) -> str | None:
    """The reason a silence mutes a ``level`` notification of ``watch`` now, if one does."""
    verdict = silenced_by(store.silences_in_force(watch, now), watch, level, now)
    return verdict.reason if verdict.ok else None


def queue_notification(
    store: Store,
    alert_id: int,
    alert: Alert,
    channels: Sequence[str],
    event: str,
    now: datetime,
) -> None:
    """Queue one notification of ``alert`` per channel, muted if a silence says so."""
    silenced = silence_of(store, alert.watch, alert.level, now)
    store.queue_deliveries(alert_id, channels, event, alert, now, silenced=silenced)


def add_to_index(store: Store, watch: WatchConfig, result: Score, now: datetime) -> None:
    """Add the score of an in-scope article that is in no story (it is below the alert
    level) to its watch's decaying tension index; a story counts through
    ``add_story_to_index``."""
    if result.in_scope:
        _raise_index(store, watch, result.score, now)


def add_story_to_index(
    store: Store, watch: WatchConfig, before: Alert | None, after: Alert, now: datetime
) -> None:
    """Add what a story alert that changed from ``before`` (``None``: new) to ``after``
    adds to its watch's tension index (``policy.story_index_rise``: its weight once)."""
    critical = float(watch.levels.critical)
    _raise_index(store, watch, story_index_rise(before, after, critical), now)


def _raise_index(store: Store, watch: WatchConfig, amount: float, now: datetime) -> None:
    """Add ``amount`` (if positive) to the watch's tension index, decayed to ``now`` first."""
    if watch.index is None or amount <= 0:
        return
    state = store.index_state(watch.name) or IndexState(0.0, now)
    value = decayed(state.value, state.updated_at, now, watch.index.half_life) + amount
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
                "watch=%s tension index %g: level %s -> %s",
                watch.name,
                round(value, 2),  # as its alert says it (policy.index_alert)
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
    # The stories that moved the index; in-scope articles in no story when there are none.
    top = store.top_stories(watch.name, since) or store.top_articles(watch.name, since)
    key = f"{watch.name}:index:{iso(now)}"
    if alert_id is not None:
        key, notified_level = store.alert_key_and_level(alert_id)
        if state == "resolved":
            level = notified_level
    alert = index_alert(
        key=key,
        watch=watch.name,
        level=level,
        state=state,
        value=value,
        articles=[article for _, article in top],
        now=now,
    )
    if alert_id is None:
        opened = store.open_alert(
            watch=watch.name,
            kind="index",
            level=level,
            dedup_key=key,
            score=round(value, 2),
            article_ids=[article_id for article_id, _ in top],
            payload=alert,
            channels=watch.alert.channels,
            now=now,
            silenced=silence_of(store, watch.name, level, now),
        )
        assert opened is not None
        return opened
    resolved = state == "resolved"
    store.update_alert(
        alert_id, level=level, score=round(value, 2), payload=alert, now=now, resolved=resolved
    )
    event = "resolved" if resolved else f"firing:{level}"
    queue_notification(store, alert_id, alert, watch.alert.channels, event, now)
    return alert_id


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
            alert = spike_alert(key=key, watch=watch.name, state="firing", counts=counts, now=now)
            store.open_alert(
                watch=watch.name, kind="spike", level="spike", dedup_key=key,
                score=counts[0], article_ids=[], payload=alert,
                channels=watch.alert.channels, now=now,
                silenced=silence_of(store, watch.name, "spike", now),
            )  # fmt: skip
            log.info("watch=%s spike: %d in-scope articles in one window", watch.name, counts[0])
            notifications += 1
        elif not spiking and alert_id is not None:
            key, _ = store.alert_key_and_level(alert_id)
            alert = spike_alert(key=key, watch=watch.name, state="resolved", counts=counts, now=now)
            store.update_alert(
                alert_id, level="spike", score=counts[0], payload=alert, now=now, resolved=True
            )
            queue_notification(store, alert_id, alert, watch.alert.channels, "resolved", now)
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
            alert = system_alert(key=key, kind=kind, state="firing", message=message, now=now)
            store.open_alert(
                watch="system", kind=kind, level="warning", dedup_key=key, score=0,
                article_ids=[], payload=alert, channels=channels, now=now,
                silenced=silence_of(store, "system", "warning", now),
            )  # fmt: skip
            log.warning("system alert: %s", message)
            notifications += 1
        elif not firing and alert_id is not None:
            key, _ = store.alert_key_and_level(alert_id)
            alert = system_alert(key=key, kind=kind, state="resolved", message=message, now=now)
            store.update_alert(
                alert_id, level="warning", score=0, payload=alert, now=now, resolved=True
            )
            queue_notification(store, alert_id, alert, channels, "resolved", now)
            log.info("system alert resolved: %s", kind)
            notifications += 1
    return notifications

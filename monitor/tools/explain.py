"""``monitor explain ARTICLE``: why a stored article did or did not notify each channel.

It reads what the alert policy recorded when it decided (``alerts.policy``
makes every reason; the store keeps it): the article's score per watch with
its hits; whether it was in scope and reached the watch's alert level; which
story alert it opened or joined, and why; and for each channel whether a
notification carrying it went out, and if not, why, in the order the rules
apply: out of scope, below the alert level, joined an existing alert, waiting
for ``group_wait``, a quiet update, held for ``group_interval``, silenced,
below the channel's ``min_level``.
An article moved to another story by hand (``monitor stories merge`` or
``split``) shows the decision recorded with the move, and only notifications
of its new story since the move count as carrying it. Nothing here writes,
and nothing is worked out again from today's rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from monitor.config import WatchConfig
from monitor.humanize import minute
from monitor.store import Store

SCHEMA = "monitor.explain/1"
NO_RECORD = "no decision recorded: an earlier version of monitor stored this article"


def explain(
    store: Store, article_id: int, watches: Mapping[str, WatchConfig]
) -> dict[str, Any] | None:
    """The ``monitor.explain/1`` document for one stored article, or ``None`` if unknown."""
    page = store.article_page(article_id)
    if page is None:
        return None
    return {
        "schema": SCHEMA,
        "article": {
            key: page[key] for key in ("id", "title", "url", "source", "published_at", "fetched_at")
        },
        "watches": [
            _watch(store, row, watches.get(row["watch"]), page["alerts"]) for row in page["scores"]
        ],
    }


def _watch(
    store: Store,
    score: Mapping[str, Any],
    watch: WatchConfig | None,
    alerts: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """One watch's part: the score, the decision, the alert and every channel."""
    configured = list(watch.alert.channels) if watch is not None else []
    decision = score["decision"]
    alert_id = score["alert_id"]
    if alert_id is None:  # stored before decisions were recorded: the alert that holds it
        held = [a for a in alerts if a["watch"] == score["watch"] and a["kind"] == "article"]
        alert_id = held[0]["id"] if held else None
    if decision is None:
        decision = f"out of scope: {score['scope_miss']}" if score["scope_miss"] else NO_RECORD
    part: dict[str, Any] = {
        "watch": score["watch"],
        "score": score["score"],
        "level": score["level"],
        "in_scope": bool(score["in_scope"]),
        "capped_by": score["capped_by"],
        "hits": [hit for hit in score["hits"] if not hit["capped"]],
        "decision": decision,
        "alert": None,
        "channels": [],
    }
    if alert_id is None:
        part["channels"] = [
            {"channel": name, "notified": False, "reason": decision} for name in configured
        ]
        return part
    alert, deliveries = store.alert_deliveries(alert_id)
    if alert is not None:
        part["alert"] = {
            key: alert[key] for key in ("id", "kind", "level", "state", "opened_at", "updated_at")
        }
    names = [*configured, *sorted({d["channel"] for d in deliveries} - set(configured))]
    # Moved into its alert by hand: only notifications since then carried it there.
    joined_at = datetime.fromisoformat(score["moved_at"] or score["scored_at"])
    part["channels"] = [
        _channel(name, [d for d in deliveries if d["channel"] == name], joined_at, decision)
        for name in names
    ]
    return part


def _channel(
    name: str, deliveries: Sequence[Mapping[str, Any]], joined_at: datetime, decision: str
) -> dict[str, Any]:
    """Whether one channel got a notification carrying the article, or why not."""

    def at(moment: str | None) -> datetime | None:
        return datetime.fromisoformat(moment) if moment else None

    for delivery in deliveries:
        sent = at(delivery["sent_at"])
        if delivery["status"] == "sent" and sent is not None and sent >= joined_at:
            reason = f"sent ({delivery['event']}) {minute(delivery['sent_at'])}"
            return {"channel": name, "notified": True, "reason": reason}
    # Notifications that would carry it: the first (it carries the alert as it is
    # when sent) and any queued since the article joined.
    open_ = [
        d
        for d in deliveries
        if d["status"] != "sent"
        and (d["event"] == "firing" or (at(d["created_at"]) or joined_at) >= joined_at)
    ]
    if not open_:
        update = decision.partition("; ")[2] or decision
        if deliveries:
            update = f"its alert had notified before it joined; {update}"
        else:
            update = f"no notification was queued for this channel; {update}"
        return {"channel": name, "notified": False, "reason": update}
    delivery = open_[-1]
    return {"channel": name, "notified": False, "reason": _why_not_sent(delivery)}


def _why_not_sent(delivery: Mapping[str, Any]) -> str:
    """Why a notification that would carry the article has not gone out."""
    status, due = delivery["status"], minute(delivery["next_attempt_at"])
    if status == "pending" and delivery["attempts"] == 0:
        if delivery["event"] == "firing":
            return f"waiting for group_wait: the first notification goes out {due}"
        return f"queued ({delivery['event']}): goes out {due}"
    if status == "pending":
        return f"failed {delivery['attempts']} times ({delivery['last_error']}); next attempt {due}"
    if status == "dead":
        return f"given up after {delivery['attempts']} attempts: {delivery['last_error']}"
    # "silenced" and "skipped" carry the policy's own reason.
    return str(delivery["reason"] or status)

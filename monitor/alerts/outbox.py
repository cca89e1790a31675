"""The outbox worker: sends due deliveries, retries failures with backoff.

Each alert is queued as one ``deliveries`` row per channel in the same
transaction that opened it, so a crash between deciding and sending loses
nothing: the next pass sends what is still pending (at least once; the
``Idempotency-Key`` header lets a receiver drop a repeat).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from monitor.alerts.policy import channel_accepts
from monitor.backoff import backoff_delay
from monitor.channels import Channel, DigestChannel
from monitor.config import DeliverySettings
from monitor.errors import DeliveryError
from monitor.humanize import describe_delay
from monitor.models import Alert
from monitor.store import PendingDelivery, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    retrying: int = 0
    dead: int = 0


def retry_delay(
    attempts: int,
    settings: DeliverySettings,
    retry_after: float | None,
    rng: random.Random,
) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (``monitor.backoff``).

    The delay doubles from ``retry_base`` up to ``max_delay``, spread by
    ``jitter`` so that many alerts to one recovering service do not retry in
    step, and is never shorter than the service's ``Retry-After``, nor negative.
    """
    return backoff_delay(
        settings.retry_base,
        attempts - 1,
        cap=settings.max_delay,
        jitter=settings.jitter,
        retry_after=retry_after or 0.0,
        rng=rng,
    )


def gives_up(attempts: int, age: float, settings: DeliverySettings) -> bool:
    """Whether a delivery that failed ``attempts`` times, ``age`` seconds old, is dead."""
    too_many = settings.max_attempts is not None and attempts >= settings.max_attempts
    return too_many or age >= settings.give_up_after


async def deliver_due(
    store: Store,
    channels: Mapping[str, Channel],
    settings: DeliverySettings,
    now: datetime,
    rng: random.Random | None = None,
    min_levels: Mapping[str, str | None] | None = None,
    public_url: str | None = None,
) -> DeliveryReport:
    """Send every delivery that is due; record each outcome in the store.

    Each alert goes out with its number (the id ``monitor alerts show`` takes) and,
    when the dashboard has a ``public_url``, the link to it there.

    An article alert below a channel's ``min_level`` is marked ``skipped``. A
    channel with a ``digest`` period gets its due notifications in one message,
    once the oldest of them has waited that long.
    """
    rng = rng or random.Random()
    min_levels = min_levels or {}
    outcomes: list[str] = []
    digests: dict[str, tuple[DigestChannel, float, list[PendingDelivery]]] = {}
    for delivery in store.due_deliveries(now):
        delivery = replace(delivery, alert=addressed(delivery.alert, delivery.alert_id, public_url))
        accepted = channel_accepts(delivery.alert, min_levels.get(delivery.channel))
        if not accepted.ok:
            store.mark_skipped(delivery.id, accepted.reason)
            continue
        channel = channels.get(delivery.channel)
        if isinstance(channel, DigestChannel) and channel.digest:
            digests.setdefault(delivery.channel, (channel, channel.digest, []))[2].append(delivery)
            continue
        try:
            if channel is None:
                raise DeliveryError(f"channel {delivery.channel!r} is not configured")
            await channel.send(delivery.alert, _idempotency_key(delivery))
        except DeliveryError as exc:
            outcomes.append(_record_failure(store, delivery, exc, settings, now, rng))
        else:
            store.mark_sent(delivery.id, now)
            outcomes.append("sent")
    for digest_channel, period, batch in digests.values():
        oldest = min(delivery.created_at for delivery in batch)
        if (now - oldest).total_seconds() < period:
            continue  # still gathering
        try:
            await digest_channel.send_digest(
                [delivery.alert for delivery in batch],
                ":".join(_idempotency_key(delivery) for delivery in batch),
            )
        except DeliveryError as exc:
            outcomes += [_record_failure(store, d, exc, settings, now, rng) for d in batch]
        else:
            for delivery in batch:
                store.mark_sent(delivery.id, now)
            outcomes += ["sent"] * len(batch)
    return DeliveryReport(
        outcomes.count("sent"), outcomes.count("retrying"), outcomes.count("dead")
    )


def addressed(alert: Alert, number: int, public_url: str | None) -> Alert:
    """``alert`` with its number and, given the dashboard's ``public_url``, its link there."""
    link = f"{public_url.rstrip('/')}/alerts/{number}" if public_url else None
    return replace(alert, number=number, link=link)


def _record_failure(
    store: Store,
    delivery: PendingDelivery,
    error: DeliveryError,
    settings: DeliverySettings,
    now: datetime,
    rng: random.Random,
) -> str:
    """Schedule the retry of a failed delivery, or give it up; return which."""
    attempts = delivery.attempts + 1
    age = (now - delivery.created_at).total_seconds()
    if gives_up(attempts, age, settings):
        store.mark_failed(delivery.id, str(error), None)
        log.error(
            "alert=%s channel=%s delivery given up after %d attempts in %s: %s",
            delivery.alert_id, delivery.channel, attempts, describe_delay(age), error,
        )  # fmt: skip
        return "dead"
    delay = retry_delay(attempts, settings, error.retry_after, rng)
    store.mark_failed(delivery.id, str(error), now + timedelta(seconds=delay))
    log.warning(
        "alert=%s channel=%s delivery failed (attempt %d): %s; retry in %s",
        delivery.alert_id, delivery.channel, attempts, error, describe_delay(delay),
    )  # fmt: skip
    return "retrying"


def _idempotency_key(delivery: PendingDelivery) -> str:
    return f"{delivery.alert.key}:{delivery.event}:{delivery.channel}"

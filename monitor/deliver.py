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
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.channels import Channel
from monitor.config import DeliverySettings
from monitor.decide import reaches
from monitor.errors import DeliveryError
from monitor.schedule import describe_delay
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
    """Seconds to wait after the ``attempts``-th failed attempt.

    The delay doubles from ``retry_base`` up to ``max_delay``, spread by
    ``jitter`` so that many alerts to one recovering service do not retry in
    step, and is never shorter than the service's ``Retry-After``.
    """
    delay = min(settings.retry_base * 2 ** min(max(0, attempts - 1), 32), settings.max_delay)
    delay *= 1 + rng.uniform(-settings.jitter, settings.jitter)
    return float(max(delay, retry_after or 0.0))


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
) -> DeliveryReport:
    """Send every delivery that is due; record each outcome in the store.

    An article alert below a channel's ``min_level`` is marked ``skipped``.
    """
    rng = rng or random.Random()
    min_levels = min_levels or {}
    sent = retrying = dead = 0
    for delivery in store.due_deliveries(now):
        payload = delivery.payload
        if payload.get("kind") == "article" and not reaches(
            payload.get("level"), min_levels.get(delivery.channel) or "notice"
        ):
            store.mark_skipped(delivery.id)
            continue
        try:
            channel = channels.get(delivery.channel)
            if channel is None:
                raise DeliveryError(f"channel {delivery.channel!r} is not configured")
            await channel.send(delivery.payload, _idempotency_key(delivery))
        except DeliveryError as exc:
            attempts = delivery.attempts + 1
            age = (now - delivery.created_at).total_seconds()
            if gives_up(attempts, age, settings):
                store.mark_failed(delivery.id, str(exc), None)
                dead += 1
                log.error(
                    "alert=%s channel=%s delivery given up after %d attempts in %s: %s",
                    delivery.alert_id,
                    delivery.channel,
                    attempts,
                    describe_delay(age),
                    exc,
                )
                continue
            delay = retry_delay(attempts, settings, exc.retry_after, rng)
            store.mark_failed(delivery.id, str(exc), now + timedelta(seconds=delay))
            retrying += 1
            log.warning(
                "alert=%s channel=%s delivery failed (attempt %d): %s; retry in %s",
                delivery.alert_id,
                delivery.channel,
                attempts,
                exc,
                describe_delay(delay),
            )
        else:
            store.mark_sent(delivery.id, now)
            sent += 1
    return DeliveryReport(sent, retrying, dead)


def _idempotency_key(delivery: PendingDelivery) -> str:
    return f"{delivery.payload['id']}:{delivery.event}:{delivery.channel}"

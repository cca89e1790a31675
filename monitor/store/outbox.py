"""The outbox: deliveries due, sent, retried or given up, and the targets of a
many-target channel that accepted each."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from monitor.models import Alert
from monitor.store.records import (
    PendingDelivery,
    StoreBase,
    iso,
)


class OutboxMixin(StoreBase):
    """The outbox: deliveries due, sent, retried or given up."""

    def due_deliveries(self, now: datetime, limit: int = 100) -> list[PendingDelivery]:
        """Return pending deliveries whose next attempt is due, oldest first.

        A delivery whose stored alert cannot be read back (a damaged row) is
        given up as dead, with the reason, instead of stopping the outbox.
        """
        rows = list(
            self.db.query(
                """SELECT d.id, d.alert_id, d.channel, d.attempts,
                 COALESCE(d.payload, a.payload) AS payload, d.event, d.created_at
               FROM deliveries d JOIN alerts a ON a.id = d.alert_id
               WHERE d.status = 'pending' AND d.next_attempt_at <= ?
               ORDER BY d.next_attempt_at, d.id LIMIT ?""",
                [iso(now), limit],
            )
        )
        due = []
        for row in rows:
            try:
                alert = Alert.from_json(json.loads(row["payload"]))
            except (KeyError, TypeError, ValueError) as exc:
                error = f"the stored alert cannot be read: {type(exc).__name__}: {exc}"
                self.mark_failed(row["id"], error[:1000], None)
                continue
            due.append(
                PendingDelivery(
                    id=row["id"],
                    alert_id=row["alert_id"],
                    channel=row["channel"],
                    attempts=row["attempts"],
                    alert=alert,
                    created_at=datetime.fromisoformat(row["created_at"]),
                    event=row["event"],
                )
            )
        return due

    def mark_sent(self, delivery_id: int, now: datetime) -> None:
        """Record that a delivery reached its channel."""
        with self.db.atomic():
            self.db.execute(
                """UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?,
                     last_error = NULL WHERE id = ?""",
                [iso(now), delivery_id],
            )

    def mark_failed(self, delivery_id: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt; with no ``retry_at`` the delivery is given up as dead."""
        with self.db.atomic():
            self.db.execute(
                """UPDATE deliveries SET attempts = attempts + 1, last_error = ?,
                     status = ?, next_attempt_at = COALESCE(?, next_attempt_at)
                   WHERE id = ?""",
                [
                    error,
                    "pending" if retry_at else "dead",
                    iso(retry_at) if retry_at else None,
                    delivery_id,
                ],
            )

    def list_deliveries(self, statuses: Sequence[str], limit: int = 100) -> list[dict[str, Any]]:
        """Deliveries in ``statuses``, oldest first, with their alert's watch and level."""
        marks = ",".join("?" * len(statuses))
        return list(
            self.db.query(
                f"""SELECT d.id, d.alert_id, a.watch, a.kind, a.level, d.channel, d.event,
                      d.status, d.attempts, d.next_attempt_at, d.last_error
                    FROM deliveries d JOIN alerts a ON a.id = d.alert_id
                    WHERE d.status IN ({marks}) ORDER BY d.id LIMIT ?""",  # noqa: S608
                [*statuses, limit],
            )
        )

    def retry_dead(self, now: datetime) -> int:
        """Queue every dead delivery again, due now; return how many."""
        with self.db.atomic():
            cursor = self.db.execute(
                """UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?
                   WHERE status = 'dead'""",
                [iso(now)],
            )
        return cursor.rowcount

    def mark_skipped(self, delivery_id: int, reason: str) -> None:
        """Record that a channel does not take this notification, and why (its ``min_level``)."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE deliveries SET status = 'skipped', reason = ? WHERE id = ?",
                [reason, delivery_id],
            )

    def accepted_targets(self, key: str) -> set[str]:
        """The targets that accepted the notification of idempotency key ``key``."""
        rows = self.db.execute("SELECT target FROM delivery_targets WHERE key = ?", [key])
        return {str(target) for (target,) in rows.fetchall()}

    def record_target_accepted(self, key: str, target: str, now: datetime) -> None:
        """Record that ``target`` accepted the notification of idempotency key ``key``."""
        with self.db.atomic():
            self.db.execute(
                """INSERT OR IGNORE INTO delivery_targets (key, target, accepted_at)
                   VALUES (?, ?, ?)""",
                [key, target, iso(now)],
            )

    def delivery_counts(self) -> dict[str, int]:
        """How many deliveries are in each status."""
        rows = self.db.execute("SELECT status, count(*) FROM deliveries GROUP BY status")
        return {str(status): int(count) for status, count in rows.fetchall()}

"""The feeds table: what to poll, when, and how it went."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from monitor.models import FeedState
from monitor.store.records import (
    PollRecord,
    StoreBase,
    iso,
)


class FeedsMixin(StoreBase):
    """The feeds table: what to poll, when, and how it went."""

    def sync_feeds(self, feeds: Sequence[tuple[str, str | None, float]], now: datetime) -> None:
        """Make the feeds table match the config: ``(url, name, interval)`` triples.

        New feeds are due at once; feeds no longer configured are kept, with
        their articles, but made inactive.
        """
        configured = {url for url, _, _ in feeds}
        with self.db.atomic():
            for url, name, interval in feeds:
                self.db.execute(
                    """INSERT INTO feeds (url, name, interval, active, next_poll_at)
                       VALUES (?, ?, ?, 1, ?)
                       ON CONFLICT(url) DO UPDATE SET
                         name = excluded.name, interval = excluded.interval, active = 1""",
                    [url, name, interval, iso(now)],
                )
            for row in self.db.query("SELECT id, url FROM feeds WHERE active = 1"):
                if row["url"] not in configured:
                    self.db.execute("UPDATE feeds SET active = 0 WHERE id = ?", [row["id"]])

    def active_feeds(self, due_at: datetime | None = None) -> list[FeedState]:
        """Return the active feeds, only those due by ``due_at`` when given."""
        sql = "SELECT * FROM feeds WHERE active = 1"
        params: list[Any] = []
        if due_at is not None:
            sql += " AND next_poll_at <= ?"
            params.append(iso(due_at))
        return [
            FeedState(
                id=row["id"],
                url=row["url"],
                name=row["name"],
                interval=row["interval"],
                etag=row["etag"],
                last_modified=row["last_modified"],
                consecutive_errors=row["consecutive_errors"],
            )
            for row in self.db.query(sql + " ORDER BY next_poll_at, id", params)
        ]

    def record_poll(self, feed_id: int, record: PollRecord, now: datetime) -> None:
        """Remember the outcome of a poll and when the feed is next due."""
        self.db.execute(
            """UPDATE feeds SET etag = ?, last_modified = ?, title = COALESCE(?, title),
                 last_polled_at = ?, last_status = ?, last_status_code = ?,
                 consecutive_errors = ?, next_poll_at = ?, last_error = ?,
                 failing_since = CASE WHEN ? = 'error' THEN COALESCE(failing_since, ?) END
               WHERE id = ?""",
            [
                record.etag,
                record.last_modified,
                record.title,
                iso(now),
                record.status,
                record.status_code,
                record.consecutive_errors,
                iso(record.next_poll_at),
                record.error,
                record.status,
                iso(now),
                feed_id,
            ],
        )

    def feed_health(self, now: datetime, failing_for: float) -> tuple[int, int]:
        """Active feeds failing without a break for ``failing_for`` seconds, and all."""
        row = self.db.execute(
            """SELECT count(*) FILTER (WHERE failing_since <= ?), count(*)
               FROM feeds WHERE active = 1""",
            [iso(now - timedelta(seconds=failing_for))],
        ).fetchone()
        return int(row[0]), int(row[1])

    def feed_status(self, now: datetime) -> list[dict[str, Any]]:
        """Every active feed with its last poll, result, errors, next poll and recent articles."""
        return list(
            self.db.query(
                """SELECT f.name, f.url, f.last_polled_at, f.last_status, f.last_status_code,
                     f.consecutive_errors, f.next_poll_at, f.last_error,
                     (SELECT count(*) FROM articles a WHERE a.feed_id = f.id
                        AND a.fetched_at >= ?) AS articles_24h
                   FROM feeds f WHERE f.active = 1 ORDER BY f.consecutive_errors DESC, f.id""",
                [iso(now - timedelta(hours=24))],
            )
        )

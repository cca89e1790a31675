"""The feeds table: what to poll, when, and how it went."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from monitor.models import FeedState
from monitor.store.records import (
    FeedSpec,
    FeedSync,
    PollRecord,
    StoreBase,
    iso,
)


class FeedsMixin(StoreBase):
    """The feeds table: what to poll, when, and how it went."""

    def sync_feeds(self, feeds: Sequence[FeedSpec], now: datetime) -> FeedSync:
        """Make the feeds table match the config (plain ``(url, name, interval)`` work too).

        New feeds are due at once; feeds no longer configured are kept, with
        their articles, but made inactive. A feed that moved (301/308) keeps
        its row and history when feeds.yaml replaces its old URL with the new
        one. A feed that answered 410 Gone is due again once its entry changes.
        """
        specs = [FeedSpec(*feed) for feed in feeds]
        configured = {spec.url for spec in specs}
        sync = FeedSync()
        with self.db.atomic():
            rows = {
                row["url"]: row
                for row in self.db.query(
                    "SELECT id, url, effective_url, gone_at, config_hash FROM feeds"
                )
            }
            moved = {
                row["effective_url"]: row
                for row in rows.values()
                if row["effective_url"] and row["url"] not in configured
            }
            for spec in specs:
                row = rows.get(spec.url)
                if row is None and spec.url in moved:
                    row = moved.pop(spec.url)
                    self.db.execute(
                        "UPDATE feeds SET url = ?, effective_url = NULL WHERE id = ?",
                        [spec.url, row["id"]],
                    )
                    sync.renamed.append((row["url"], spec.url))
                self.db.execute(
                    """INSERT INTO feeds (url, name, interval, enabled, config_hash, active,
                         next_poll_at)
                       VALUES (?, ?, ?, ?, ?, 1, ?)
                       ON CONFLICT(url) DO UPDATE SET
                         name = excluded.name, interval = excluded.interval,
                         enabled = excluded.enabled, config_hash = excluded.config_hash,
                         active = 1""",
                    [spec.url, spec.name, spec.interval, spec.enabled, spec.config_hash, iso(now)],
                )
                if row is not None and row["gone_at"] and row["config_hash"] != spec.config_hash:
                    self.db.execute(
                        """UPDATE feeds SET gone_at = NULL, consecutive_errors = 0,
                             failing_since = NULL, next_poll_at = ? WHERE id = ?""",
                        [iso(now), row["id"]],
                    )
                    sync.revived.append(spec.url)
            for row in self.db.query("SELECT id, url FROM feeds WHERE active = 1"):
                if row["url"] not in configured:
                    self.db.execute("UPDATE feeds SET active = 0 WHERE id = ?", [row["id"]])
        return sync

    def active_feeds(self, due_at: datetime | None = None) -> list[FeedState]:
        """Return the feeds to poll (configured, enabled, not gone), those due by ``due_at``."""
        sql = "SELECT * FROM feeds WHERE active = 1 AND enabled = 1 AND gone_at IS NULL"
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
                effective_url=row["effective_url"],
            )
            for row in self.db.query(sql + " ORDER BY next_poll_at, id", params)
        ]

    def move_feed(self, feed_id: int, effective_url: str | None) -> None:
        """Fetch the feed from ``effective_url`` from now on (``None``: its own URL again)."""
        self.db.execute("UPDATE feeds SET effective_url = ? WHERE id = ?", [effective_url, feed_id])

    def mark_gone(self, feed_id: int, now: datetime) -> None:
        """Stop polling a feed that answered 410 Gone, until it is enabled again."""
        self.db.execute("UPDATE feeds SET gone_at = ? WHERE id = ?", [iso(now), feed_id])

    def enable_gone_feed(self, url: str, now: datetime) -> bool:
        """Poll a gone feed again (by its URL or the URL it moved to), due at once.

        Return whether a gone feed had that URL.
        """
        with self.db.atomic():
            cursor = self.db.execute(
                """UPDATE feeds SET gone_at = NULL, consecutive_errors = 0, failing_since = NULL,
                     next_poll_at = ?
                   WHERE (url = ? OR effective_url = ?) AND gone_at IS NOT NULL""",
                [iso(now), url, url],
            )
        return bool(cursor.rowcount)

    def feed_rows(self) -> dict[str, dict[str, Any]]:
        """Every feed row the store knows, by its configured URL."""
        return {row["url"]: row for row in self.db.query("SELECT * FROM feeds")}

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
        """Polled feeds failing without a break for ``failing_for`` seconds, and all."""
        row = self.db.execute(
            """SELECT count(*) FILTER (WHERE failing_since <= ?), count(*)
               FROM feeds WHERE active = 1 AND enabled = 1 AND gone_at IS NULL""",
            [iso(now - timedelta(seconds=failing_for))],
        ).fetchone()
        return int(row[0]), int(row[1])

    def feed_status(self, now: datetime) -> list[dict[str, Any]]:
        """Every active feed with its last poll, result, errors, next poll and recent articles."""
        return list(
            self.db.query(
                """SELECT f.name, f.url, f.last_polled_at, f.last_status, f.last_status_code,
                     f.consecutive_errors, f.next_poll_at, f.last_error,
                     f.enabled, f.gone_at, f.effective_url, f.failing_since,
                     (SELECT count(*) FROM articles a WHERE a.feed_id = f.id
                        AND a.fetched_at >= ?) AS articles_24h
                   FROM feeds f WHERE f.active = 1 ORDER BY f.consecutive_errors DESC, f.id""",
                [iso(now - timedelta(hours=24))],
            )
        )

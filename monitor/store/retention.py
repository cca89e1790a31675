"""Retention: pruning rows past the retention age, compacting the file, and its figures."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.errors import MonitorError
from monitor.store.records import StoreBase, iso

# Articles fetched before the horizon that no alert, firing or resolved, points to.
_PRUNABLE = """SELECT id FROM articles WHERE fetched_at < :horizon AND id NOT IN (
    SELECT j.value FROM alerts a, json_each(a.article_ids) j WHERE j.type = 'integer')"""
_KEPT = """SELECT count(*) FROM articles WHERE fetched_at < :horizon AND id IN (
    SELECT j.value FROM alerts a, json_each(a.article_ids) j WHERE j.type = 'integer')"""
# Notifications of alerts resolved (or merged into another story) before the
# horizon: nothing queues for such an alert again, so deleting them cannot let
# a notification repeat.
_DONE_DELIVERIES = """FROM deliveries WHERE status IN ('sent', 'dead', 'skipped', 'silenced')
    AND created_at < :horizon AND alert_id IN (
      SELECT id FROM alerts WHERE state IN ('resolved', 'merged') AND resolved_at < :horizon)"""
_OLD_INDEX_POINTS = "FROM index_history WHERE at < :horizon"
# Keys of pruned articles that no feed has carried since the horizon.
_STALE_KEYS = "FROM pruned_articles WHERE seen_at < :horizon"
VACUUM_TASK = "vacuum"


@dataclass(frozen=True)
class PruneReport:
    """What one prune removed (or, as a preview, would remove)."""

    articles: int = 0
    kept: int = 0  # articles past the age that an alert points to
    index_points: int = 0
    deliveries: int = 0
    forgotten_keys: int = 0  # keys of pruned articles no feed carries any more

    @property
    def removed_anything(self) -> bool:
        """Whether any row was (or would be) deleted."""
        return bool(self.articles or self.index_points or self.deliveries or self.forgotten_keys)


class RetentionMixin(StoreBase):
    """Pruning what is older than the retention age, VACUUM, and the database's figures."""

    path: Path

    def prune(self, horizon: datetime, now: datetime) -> PruneReport:
        """Delete, in one transaction, what is older than ``horizon``.

        Articles fetched before it go with their scores, sources and full-text
        rows (the FTS5 triggers follow each delete), unless an alert points to
        them; their dedup keys are kept in ``pruned_articles`` so a feed still
        carrying them never brings them back as new. Index history before the
        horizon goes too, and so do finished notifications of alerts resolved
        before it, the keys of pruned articles no feed has carried since, and which
        targets of an Apprise channel accepted notifications before it.
        """
        params = {"horizon": iso(horizon), "now": iso(now)}
        try:
            with self.db.atomic():
                kept = int(self.db.execute(_KEPT, params).fetchone()[0])
                self.db.execute(
                    f"""INSERT INTO pruned_articles (feed_id, guid, canonical_url, content_hash,
                          pruned_at, seen_at)
                        SELECT feed_id, guid, canonical_url, content_hash, :now, :now
                        FROM articles WHERE id IN ({_PRUNABLE})""",  # noqa: S608 (fixed SQL)
                    params,
                )
                self.db.execute(f"DELETE FROM scores WHERE article_id IN ({_PRUNABLE})", params)  # noqa: S608
                self.db.execute(
                    f"DELETE FROM article_sources WHERE article_id IN ({_PRUNABLE})",  # noqa: S608
                    params,
                )
                articles = self.db.execute(
                    f"DELETE FROM articles WHERE id IN ({_PRUNABLE})",  # noqa: S608
                    params,
                ).rowcount
                index_points = self.db.execute(f"DELETE {_OLD_INDEX_POINTS}", params).rowcount
                deliveries = self.db.execute(f"DELETE {_DONE_DELIVERIES}", params).rowcount
                # A notification retried for longer than give_up_after is dead long since.
                self.db.execute("DELETE FROM delivery_targets WHERE accepted_at < :horizon", params)
                # Keys pruned just now were seen now, so they are never among these.
                forgotten = self.db.execute(f"DELETE {_STALE_KEYS}", params).rowcount
        except sqlite3.Error as exc:
            raise MonitorError(f"cannot prune {self.path}: {exc}") from exc
        return PruneReport(articles, kept, index_points, deliveries, forgotten)

    def prune_preview(self, horizon: datetime) -> PruneReport:
        """What ``prune(horizon, ...)`` would delete now, deleting nothing."""
        params = {"horizon": iso(horizon)}

        def count(sql: str) -> int:
            return int(self.db.execute(sql, params).fetchone()[0])

        return PruneReport(
            articles=count(f"SELECT count(*) FROM ({_PRUNABLE})"),  # noqa: S608 (fixed SQL)
            kept=count(_KEPT),
            index_points=count(f"SELECT count(*) {_OLD_INDEX_POINTS}"),
            deliveries=count(f"SELECT count(*) {_DONE_DELIVERIES}"),
            forgotten_keys=count(f"SELECT count(*) {_STALE_KEYS}"),
        )

    def vacuum(self, now: datetime) -> tuple[int, int]:
        """Rebuild the file without its free pages; return its size before and after.

        Sizes count the write-ahead log too, which is checkpointed and
        truncated afterwards.
        """
        before = sum(self.file_sizes())
        try:
            self.db.execute("VACUUM")
            self.db.execute(
                """INSERT INTO maintenance (task, last_run_at) VALUES (?, ?)
                   ON CONFLICT(task) DO UPDATE SET last_run_at = excluded.last_run_at""",
                [VACUUM_TASK, iso(now)],
            )
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise MonitorError(f"cannot vacuum {self.path}: {exc}") from exc
        return before, sum(self.file_sizes())

    def last_vacuum_at(self) -> datetime | None:
        """When the file was last vacuumed, if ever."""
        row = self.db.execute(
            "SELECT last_run_at FROM maintenance WHERE task = ?", [VACUUM_TASK]
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def file_sizes(self) -> tuple[int, int]:
        """The sizes in bytes of the database file and of its write-ahead log."""
        wal = self.path.with_name(self.path.name + "-wal")
        return self.path.stat().st_size, wal.stat().st_size if wal.exists() else 0

    def database_stats(self) -> dict[str, Any]:
        """Sizes, rows per table, deliveries per status, and the oldest and newest article."""
        size, wal = self.file_sizes()
        page_size = int(self.db.execute("PRAGMA page_size").fetchone()[0])
        free_pages = int(self.db.execute("PRAGMA freelist_count").fetchone()[0])
        tables = ("feeds", "articles", "article_sources", "scores", "alerts", "deliveries",
                  "index_history", "pruned_articles", "silences")  # fmt: skip
        oldest, newest = self.db.execute(
            "SELECT min(fetched_at), max(fetched_at) FROM articles"
        ).fetchone()
        deliveries = self.db.execute(
            "SELECT status, count(*) FROM deliveries GROUP BY status ORDER BY status"
        ).fetchall()
        last_vacuum = self.last_vacuum_at()
        return {
            "path": str(self.path),
            "size_bytes": size,
            "wal_bytes": wal,
            "free_bytes": page_size * free_pages,
            "rows": {table: int(self.db[table].count) for table in tables},
            "deliveries": {str(status): int(count) for status, count in deliveries},
            "oldest_article": oldest,
            "newest_article": newest,
            "last_vacuum": iso(last_vacuum) if last_vacuum else None,
        }

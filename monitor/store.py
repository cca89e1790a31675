"""The only module that touches SQLite: feeds, articles, scores, alerts, the outbox.

The schema is built by numbered migrations (``sqlite_utils.Migrations``),
recorded in the database, so an old file is upgraded in place. The database
runs in WAL mode; the pipeline wraps each poll result in one ``transaction()``
so articles, scores, alerts and deliveries commit together or not at all.
Times are stored as ISO 8601 strings in UTC, which sort as they compare.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.errors import MonitorError
from monitor.models import Article, FeedState, FetchOutcome, Score

migrations = Migrations("monitor")


@migrations(name="0001_initial")
def _initial(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            name TEXT,
            title TEXT,
            interval REAL NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            etag TEXT,
            last_modified TEXT,
            last_polled_at TEXT,
            last_status TEXT,
            last_status_code INTEGER,
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            next_poll_at TEXT NOT NULL,
            last_error TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id),
            guid TEXT NOT NULL,
            url TEXT,
            canonical_url TEXT UNIQUE,
            title TEXT NOT NULL,
            summary TEXT NOT NULL,
            published_at TEXT,
            fetched_at TEXT NOT NULL,
            content_hash TEXT NOT NULL UNIQUE,
            UNIQUE (feed_id, guid)
        )"""
    )
    db.execute("CREATE INDEX articles_fetched_at ON articles(fetched_at)")
    db.table("articles").enable_fts(["title", "summary"], fts_version="FTS5", create_triggers=True)
    db.execute(
        """CREATE TABLE scores (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            watch TEXT NOT NULL,
            score REAL NOT NULL,
            level TEXT,
            in_scope INTEGER NOT NULL,
            hits TEXT NOT NULL,
            rules_version TEXT NOT NULL,
            scored_at TEXT NOT NULL,
            UNIQUE (article_id, watch)
        )"""
    )
    db.execute(
        """CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            watch TEXT NOT NULL,
            kind TEXT NOT NULL,
            level TEXT NOT NULL,
            state TEXT NOT NULL,
            dedup_key TEXT NOT NULL UNIQUE,
            score REAL NOT NULL,
            article_ids TEXT NOT NULL,
            payload TEXT NOT NULL,
            opened_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            resolved_at TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            channel TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (alert_id, channel)
        )"""
    )
    db.execute("CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at)")


@migrations(name="0002_index_and_delivery_events")
def _index_and_delivery_events(db: sqlite_utils.Database) -> None:
    # One alert may now notify several times (an index alert fires, escalates,
    # resolves): each notification is its own delivery row with its payload.
    db.execute(
        """CREATE TABLE deliveries_new (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            channel TEXT NOT NULL,
            event TEXT NOT NULL DEFAULT 'firing',
            payload TEXT,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (alert_id, channel, event)
        )"""
    )
    db.execute(
        """INSERT INTO deliveries_new (id, alert_id, channel, status, attempts,
             next_attempt_at, last_error, created_at, sent_at)
           SELECT id, alert_id, channel, status, attempts, next_attempt_at, last_error,
             created_at, sent_at FROM deliveries"""
    )
    db.execute("DROP TABLE deliveries")
    db.execute("ALTER TABLE deliveries_new RENAME TO deliveries")
    db.execute("CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at)")
    db.execute(
        """CREATE TABLE watch_index (
            watch TEXT PRIMARY KEY,
            value REAL NOT NULL,
            updated_at TEXT NOT NULL,
            level TEXT,
            alert_id INTEGER REFERENCES alerts(id)
        )"""
    )
    db.execute(
        """CREATE TABLE index_history (
            id INTEGER PRIMARY KEY,
            watch TEXT NOT NULL,
            at TEXT NOT NULL,
            value REAL NOT NULL,
            level TEXT
        )"""
    )
    db.execute("CREATE INDEX index_history_watch_at ON index_history(watch, at)")


@migrations(name="0003_article_sources")
def _article_sources(db: sqlite_utils.Database) -> None:
    # The same story from several outlets is stored once; every outlet that
    # carried it is kept here, so an alert can list its sources.
    db.execute(
        """CREATE TABLE article_sources (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            feed_id INTEGER NOT NULL REFERENCES feeds(id),
            url TEXT,
            seen_at TEXT NOT NULL,
            UNIQUE (article_id, feed_id)
        )"""
    )
    db.execute(
        """INSERT INTO article_sources (article_id, feed_id, url, seen_at)
           SELECT id, feed_id, url, fetched_at FROM articles"""
    )


@migrations(name="0004_silences")
def _silences(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE silences (
            id INTEGER PRIMARY KEY,
            watch TEXT NOT NULL,
            level TEXT,
            until TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expired_at TEXT
        )"""
    )


@migrations(name="0005_feed_failing_since")
def _feed_failing_since(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE feeds ADD COLUMN failing_since TEXT")


def iso(moment: datetime) -> str:
    """Format ``moment`` the way every time is stored: ISO 8601, UTC, seconds."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredArticle:
    """An article the store has just inserted, with its row id."""

    id: int
    article: Article


@dataclass(frozen=True)
class PendingDelivery:
    """An outbox row that is due, with the alert payload it carries."""

    id: int
    alert_id: int
    channel: str
    attempts: int
    payload: dict[str, Any]
    event: str = "firing"


@dataclass(frozen=True)
class IndexState:
    """A watch's tension index as last computed, and the index alert it keeps open."""

    value: float
    updated_at: datetime
    level: str | None = None
    alert_id: int | None = None


@dataclass(frozen=True)
class PollRecord:
    """What to remember about a feed after one poll."""

    status: FetchOutcome
    status_code: int | None
    etag: str | None
    last_modified: str | None
    title: str | None
    consecutive_errors: int
    next_poll_at: datetime
    error: str | None


class Store:
    """A monitor database file, migrated to the current schema on open."""

    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(path)
            self.db.execute("PRAGMA busy_timeout = 5000")
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            migrations.apply(self.db)
        except (OSError, sqlite3.Error) as exc:
            raise MonitorError(f"cannot open database {path}: {exc}") from exc
        self.path = path

    def close(self) -> None:
        """Close the database file."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one transaction: all of it commits, or none of it."""
        with self.db.atomic():
            yield

    # Feeds

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

    def news_span(self) -> tuple[datetime | None, datetime | None]:
        """When the first article was stored, and the latest in-scope one."""
        first = self.db.execute("SELECT min(fetched_at) FROM articles").fetchone()[0]
        latest = self.db.execute(
            """SELECT max(a.fetched_at) FROM articles a JOIN scores s ON s.article_id = a.id
               WHERE s.in_scope = 1"""
        ).fetchone()[0]
        return (
            datetime.fromisoformat(first) if first else None,
            datetime.fromisoformat(latest) if latest else None,
        )

    # Articles and scores

    def insert_articles(
        self, feed_id: int, articles: Sequence[Article], now: datetime
    ) -> tuple[list[StoredArticle], list[int]]:
        """Insert ``articles``, skipping any already stored.

        An article is already stored when the same feed gave the same GUID, or
        any feed gave the same canonical URL or the same content hash. Returns
        the new articles, and the ids of stored articles that this feed carried
        for the first time (another outlet's copy: a new source).
        """
        stored: list[StoredArticle] = []
        resighted: list[int] = []
        for article in articles:
            cursor = self.db.execute(
                """INSERT OR IGNORE INTO articles (feed_id, guid, url, canonical_url, title,
                     summary, published_at, fetched_at, content_hash)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    feed_id,
                    article.guid,
                    article.url,
                    article.canonical_url,
                    article.title,
                    article.summary,
                    iso(article.published_at) if article.published_at else None,
                    iso(now),
                    article.content_hash,
                ],
            )
            if cursor.rowcount == 1 and cursor.lastrowid is not None:
                stored.append(StoredArticle(cursor.lastrowid, article))
                self._add_source(cursor.lastrowid, feed_id, article.url, now)
                continue
            existing = self.db.execute(
                """SELECT id FROM articles WHERE (feed_id = ? AND guid = ?)
                     OR canonical_url = ? OR content_hash = ? LIMIT 1""",
                [feed_id, article.guid, article.canonical_url, article.content_hash],
            ).fetchone()
            if existing is not None and self._add_source(existing[0], feed_id, article.url, now):
                resighted.append(existing[0])
        return stored, resighted

    def _add_source(self, article_id: int, feed_id: int, url: str | None, now: datetime) -> bool:
        cursor = self.db.execute(
            """INSERT OR IGNORE INTO article_sources (article_id, feed_id, url, seen_at)
               VALUES (?, ?, ?, ?)""",
            [article_id, feed_id, url, iso(now)],
        )
        return cursor.rowcount == 1

    def insert_scores(self, article_id: int, scores: Sequence[Score], now: datetime) -> None:
        """Store an article's score against each watch, with its hits as JSON."""
        for score in scores:
            self.db.execute(
                """INSERT OR REPLACE INTO scores (article_id, watch, score, level, in_scope,
                     hits, rules_version, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    article_id,
                    score.watch,
                    score.score,
                    score.level,
                    int(score.in_scope),
                    json.dumps([hit.as_dict() for hit in score.hits], ensure_ascii=False),
                    score.rules_version,
                    iso(now),
                ],
            )

    # Alerts and the outbox

    def open_alert(
        self,
        *,
        watch: str,
        kind: str,
        level: str,
        dedup_key: str,
        score: float,
        article_ids: Sequence[int],
        payload: dict[str, Any],
        channels: Sequence[str],
        now: datetime,
        due: datetime | None = None,
    ) -> int | None:
        """Open an alert and queue one delivery per channel; ``None`` if it already exists."""
        cursor = self.db.execute(
            """INSERT OR IGNORE INTO alerts (watch, kind, level, state, dedup_key, score,
                 article_ids, payload, opened_at, updated_at)
               VALUES (?, ?, ?, 'firing', ?, ?, ?, ?, ?, ?)""",
            [
                watch,
                kind,
                level,
                dedup_key,
                score,
                json.dumps(list(article_ids)),
                json.dumps(payload, ensure_ascii=False),
                iso(now),
                iso(now),
            ],
        )
        if cursor.rowcount != 1 or cursor.lastrowid is None:
            return None
        alert_id: int = cursor.lastrowid
        self.queue_deliveries(alert_id, channels, "firing", None, now, due)
        return alert_id

    # Silences

    def add_silence(
        self,
        *,
        watch: str,
        level: str | None,
        until: datetime,
        reason: str,
        created_by: str,
        now: datetime,
    ) -> int:
        """Mute ``watch`` (only ``level`` of it, when given) until ``until``."""
        cursor = self.db.execute(
            """INSERT INTO silences (watch, level, until, reason, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [watch, level, iso(until), reason, created_by, iso(now)],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def silences(self, now: datetime, *, include_past: bool = False) -> list[dict[str, Any]]:
        """Silences in force at ``now`` (or every silence), newest first."""
        sql = "SELECT * FROM silences"
        params: list[Any] = []
        if not include_past:
            sql += " WHERE expired_at IS NULL AND until > ?"
            params.append(iso(now))
        return list(self.db.query(sql + " ORDER BY id DESC", params))

    def expire_silence(self, silence_id: int, now: datetime) -> bool:
        """End a silence now; ``False`` if there is no such silence in force."""
        cursor = self.db.execute(
            """UPDATE silences SET expired_at = ? WHERE id = ? AND expired_at IS NULL
               AND until > ?""",
            [iso(now), silence_id, iso(now)],
        )
        return cursor.rowcount == 1

    def silence_for(self, watch: str, level: str, now: datetime) -> int | None:
        """The id of a silence that mutes ``level`` alerts of ``watch`` at ``now``."""
        row = self.db.execute(
            """SELECT id FROM silences WHERE watch = ? AND (level IS NULL OR level = ?)
               AND expired_at IS NULL AND until > ? ORDER BY id LIMIT 1""",
            [watch, level, iso(now)],
        ).fetchone()
        return int(row[0]) if row else None

    # Stories: one alert, several articles and sources

    def open_story_alerts(self, watch: str, since: datetime) -> list[dict[str, Any]]:
        """Firing article alerts of ``watch`` updated since ``since``, with their articles."""
        alerts = list(
            self.db.query(
                """SELECT id, level, article_ids FROM alerts WHERE watch = ? AND
                     kind = 'article' AND state = 'firing' AND updated_at >= ?
                   ORDER BY updated_at DESC""",
                [watch, iso(since)],
            )
        )
        for alert in alerts:
            ids = json.loads(alert.pop("article_ids"))
            marks = ",".join("?" * len(ids))
            alert["articles"] = list(
                self.db.query(
                    f"SELECT id, title, summary FROM articles WHERE id IN ({marks})",  # noqa: S608
                    ids,
                )
            )
        return alerts

    def attach_article(self, alert_id: int, article_id: int) -> None:
        """Add an article to a story alert."""
        self.db.execute(
            """UPDATE alerts SET article_ids = json_insert(article_ids, '$[#]', ?)
               WHERE id = ? AND NOT EXISTS (
                 SELECT 1 FROM json_each(alerts.article_ids) WHERE value = ?)""",
            [article_id, alert_id, article_id],
        )

    def alerts_with_article(self, article_id: int) -> list[dict[str, Any]]:
        """Firing article alerts that include ``article_id``."""
        return list(
            self.db.query(
                """SELECT a.id, a.watch, a.level FROM alerts a, json_each(a.article_ids) j
                   WHERE a.kind = 'article' AND a.state = 'firing' AND j.value = ?""",
                [article_id],
            )
        )

    def story(self, alert_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """An alert's articles (with score and hits for its watch) and every source."""
        alert = self.db.execute(
            "SELECT watch, article_ids FROM alerts WHERE id = ?", [alert_id]
        ).fetchone()
        watch, ids = alert[0], json.loads(alert[1])
        articles = []
        for article_id in ids:
            for row in self.db.query(
                """SELECT a.id, a.title, a.url, a.published_at, f.name AS source, s.score,
                     s.hits FROM articles a JOIN feeds f ON f.id = a.feed_id
                   LEFT JOIN scores s ON s.article_id = a.id AND s.watch = ?
                   WHERE a.id = ?""",
                [watch, article_id],
            ):
                row["hits"] = json.loads(row["hits"] or "[]")
                articles.append(row)
        sources = list(
            self.db.query(
                f"""SELECT COALESCE(f.name, f.title, f.url) AS source, s.url
                    FROM article_sources s JOIN feeds f ON f.id = s.feed_id
                    WHERE s.article_id IN ({",".join("?" * len(ids))})
                    ORDER BY s.seen_at, s.id""",  # noqa: S608 (placeholders only)
                ids,
            )
        )
        return articles, sources

    def in_scope_counts(
        self, watch: str, now: datetime, window: float, windows: int
    ) -> tuple[list[int], datetime | None]:
        """In-scope articles of ``watch`` per window back from ``now`` (index 0: the
        latest window), dated by publication when known; and the oldest one's date."""
        since = now - timedelta(seconds=window * windows)
        moment = "COALESCE(a.published_at, a.fetched_at)"
        rows = self.db.execute(
            f"""SELECT CAST((julianday(?) - julianday({moment})) * 86400 / ? AS INTEGER), count(*)
                FROM scores s JOIN articles a ON a.id = s.article_id
                WHERE s.watch = ? AND s.in_scope = 1 AND {moment} >= ? AND {moment} <= ?
                GROUP BY 1""",  # noqa: S608 (fixed expression)
            [iso(now), window, watch, iso(since), iso(now)],
        ).fetchall()
        counts = [0] * windows
        for bucket, count in rows:
            if 0 <= bucket < windows:
                counts[bucket] += count
        oldest = self.db.execute(
            f"""SELECT min({moment}) FROM scores s JOIN articles a ON a.id = s.article_id
                WHERE s.watch = ? AND s.in_scope = 1""",  # noqa: S608 (fixed expression)
            [watch],
        ).fetchone()[0]
        return counts, datetime.fromisoformat(oldest) if oldest else None

    def firing_alert(self, watch: str, kind: str) -> int | None:
        """The id of the firing alert of this kind for ``watch``, if any."""
        row = self.db.execute(
            """SELECT id FROM alerts WHERE watch = ? AND kind = ? AND state = 'firing'
               ORDER BY id DESC LIMIT 1""",
            [watch, kind],
        ).fetchone()
        return int(row[0]) if row else None

    def first_notification_pending(self, alert_id: int) -> bool:
        """Whether an alert's first notification is still waiting to be sent."""
        row = self.db.execute(
            """SELECT 1 FROM deliveries WHERE alert_id = ? AND event = 'firing'
               AND status = 'pending' AND attempts = 0 LIMIT 1""",
            [alert_id],
        ).fetchone()
        return row is not None

    def last_notified_at(self, alert_id: int) -> datetime | None:
        """When the latest notification of an alert was queued."""
        row = self.db.execute(
            "SELECT max(created_at) FROM deliveries WHERE alert_id = ?", [alert_id]
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def queue_deliveries(
        self,
        alert_id: int,
        channels: Sequence[str],
        event: str,
        payload: dict[str, Any] | None,
        now: datetime,
        due: datetime | None = None,
    ) -> None:
        """Queue one notification per channel; ``payload`` replaces the alert's own.

        An ``event`` already queued for the same alert and channel is not
        queued again, so a notification is never sent twice.
        """
        body = json.dumps(payload, ensure_ascii=False) if payload is not None else None
        watch, level = self.db.execute(
            "SELECT watch, level FROM alerts WHERE id = ?", [alert_id]
        ).fetchone()
        # A silenced notification is kept, as "silenced", but never sent.
        status = "silenced" if self.silence_for(watch, level, now) is not None else "pending"
        for channel in channels:
            self.db.execute(
                """INSERT OR IGNORE INTO deliveries (alert_id, channel, event, payload, status,
                     next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [alert_id, channel, event, body, status, iso(due or now), iso(now)],
            )

    def update_alert(
        self,
        alert_id: int,
        *,
        level: str,
        score: float,
        payload: dict[str, Any],
        now: datetime,
        resolved: bool = False,
    ) -> None:
        """Record an alert's new level, score and payload, or its resolution."""
        self.db.execute(
            """UPDATE alerts SET level = ?, score = ?, payload = ?, updated_at = ?,
                 state = ?, resolved_at = ? WHERE id = ?""",
            [
                level,
                score,
                json.dumps(payload, ensure_ascii=False),
                iso(now),
                "resolved" if resolved else "firing",
                iso(now) if resolved else None,
                alert_id,
            ],
        )

    def alert_key_and_level(self, alert_id: int) -> tuple[str, str]:
        """The dedup key of an alert and the level it last notified at."""
        row = self.db.execute(
            "SELECT dedup_key, level FROM alerts WHERE id = ?", [alert_id]
        ).fetchone()
        return str(row[0]), str(row[1])

    def list_alerts(
        self, *, state: str | None = None, watch: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Alerts, newest first, optionally only one state or one watch."""
        where, params = ["1 = 1"], []
        if state is not None:
            where.append("state = ?")
            params.append(state)
        if watch is not None:
            where.append("watch = ?")
            params.append(watch)
        rows = self.db.query(
            f"""SELECT id, watch, kind, level, state, score, opened_at, updated_at, resolved_at,
                  json_array_length(article_ids) AS sources
                FROM alerts WHERE {" AND ".join(where)}
                ORDER BY updated_at DESC, id DESC LIMIT ?""",  # noqa: S608 (fixed clauses)
            [*params, limit],
        )
        return list(rows)

    def alert_detail(self, alert_id: int) -> dict[str, Any] | None:
        """One alert with its articles (and their hits) and its deliveries."""
        found = list(self.db.query("SELECT * FROM alerts WHERE id = ?", [alert_id]))
        if not found:
            return None
        alert = found[0]
        ids = json.loads(alert["article_ids"])
        articles = []
        for article_id in ids:
            rows = list(
                self.db.query(
                    """SELECT a.id, a.title, a.url, a.published_at, f.name AS source,
                         f.url AS feed_url, s.score, s.level, s.hits
                       FROM articles a JOIN feeds f ON f.id = a.feed_id
                       LEFT JOIN scores s ON s.article_id = a.id AND s.watch = ?
                       WHERE a.id = ?""",
                    [alert["watch"], article_id],
                )
            )
            if rows:
                row = rows[0]
                row["hits"] = json.loads(row["hits"] or "[]")
                articles.append(row)
        deliveries = list(
            self.db.query(
                """SELECT channel, event, status, attempts, last_error, sent_at
                   FROM deliveries WHERE alert_id = ? ORDER BY id""",
                [alert_id],
            )
        )
        return {**alert, "payload": json.loads(alert["payload"]), "articles": articles,
                "deliveries": deliveries}  # fmt: skip

    # The tension index

    def index_state(self, watch: str) -> IndexState | None:
        """The stored tension index of ``watch``, if it has one yet."""
        rows = list(self.db.query("SELECT * FROM watch_index WHERE watch = ?", [watch]))
        if not rows:
            return None
        row = rows[0]
        return IndexState(
            value=row["value"],
            updated_at=datetime.fromisoformat(row["updated_at"]),
            level=row["level"],
            alert_id=row["alert_id"],
        )

    def save_index_state(self, watch: str, state: IndexState) -> None:
        """Store the tension index of ``watch``."""
        self.db.execute(
            """INSERT INTO watch_index (watch, value, updated_at, level, alert_id)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT(watch) DO UPDATE SET value = excluded.value,
                 updated_at = excluded.updated_at, level = excluded.level,
                 alert_id = excluded.alert_id""",
            [watch, state.value, iso(state.updated_at), state.level, state.alert_id],
        )

    def record_index(self, watch: str, state: IndexState) -> None:
        """Add a point to the index history of ``watch`` (for charts)."""
        self.db.execute(
            "INSERT INTO index_history (watch, at, value, level) VALUES (?, ?, ?, ?)",
            [watch, iso(state.updated_at), round(state.value, 3), state.level],
        )

    def top_articles(self, watch: str, since: datetime, limit: int = 5) -> list[dict[str, Any]]:
        """The highest-scoring in-scope articles of ``watch`` fetched since ``since``."""
        return list(
            self.db.query(
                """SELECT a.id, a.title, a.url, a.published_at, s.score, f.name AS source
                   FROM scores s JOIN articles a ON a.id = s.article_id
                   JOIN feeds f ON f.id = a.feed_id
                   WHERE s.watch = ? AND s.in_scope = 1 AND s.score > 0 AND a.fetched_at >= ?
                   ORDER BY s.score DESC, a.id DESC LIMIT ?""",
                [watch, iso(since), limit],
            )
        )

    def due_deliveries(self, now: datetime, limit: int = 100) -> list[PendingDelivery]:
        """Return pending deliveries whose next attempt is due, oldest first."""
        rows = self.db.query(
            """SELECT d.id, d.alert_id, d.channel, d.attempts,
                 COALESCE(d.payload, a.payload) AS payload, d.event
               FROM deliveries d JOIN alerts a ON a.id = d.alert_id
               WHERE d.status = 'pending' AND d.next_attempt_at <= ?
               ORDER BY d.next_attempt_at, d.id LIMIT ?""",
            [iso(now), limit],
        )
        return [
            PendingDelivery(
                id=row["id"],
                alert_id=row["alert_id"],
                channel=row["channel"],
                attempts=row["attempts"],
                payload=json.loads(row["payload"]),
                event=row["event"],
            )
            for row in rows
        ]

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

    def count(self, table: str) -> int:
        """Return the number of rows in one of monitor's tables."""
        return int(self.db[table].count)

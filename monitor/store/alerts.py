"""Alerts, stories, silences and the notifications they queue."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from monitor.models import Alert, AlertArticle, AlertHit, AlertSource, Silence
from monitor.store.records import iso
from monitor.store.stories import MERGED_INTO, StoriesMixin


def _document(alert: Alert | None) -> str:
    """An alert as the store keeps it: its ``monitor.alert/1`` JSON (``{}`` before it has one)."""
    return json.dumps({} if alert is None else alert.to_json(), ensure_ascii=False)


class AlertsMixin(StoriesMixin):
    """Alerts, stories (and their corrections by hand), silences and the notifications
    they queue."""

    def open_alert(
        self,
        *,
        watch: str,
        kind: str,
        level: str,
        dedup_key: str,
        score: float,
        article_ids: Sequence[int],
        payload: Alert | None,
        channels: Sequence[str],
        now: datetime,
        due: datetime | None = None,
        silenced: str | None = None,
        follows: int | None = None,
    ) -> int | None:
        """Open an alert and queue one delivery per channel; ``None`` if it already exists.

        ``silenced``: the silence that mutes it (the policy's reason), if any;
        ``follows``: the story alert a new story follows up.
        """
        cursor = self.db.execute(
            """INSERT OR IGNORE INTO alerts (watch, kind, level, state, dedup_key, score,
                 article_ids, payload, opened_at, updated_at, follows, last_report_at)
               VALUES (?, ?, ?, 'firing', ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                watch,
                kind,
                level,
                dedup_key,
                score,
                json.dumps(list(article_ids)),
                _document(payload),
                iso(now),
                iso(now),
                follows,
                iso(now),
            ],
        )
        if cursor.rowcount != 1 or cursor.lastrowid is None:
            return None
        alert_id: int = cursor.lastrowid
        self.queue_deliveries(alert_id, channels, "firing", None, now, due, silenced)
        return alert_id

    def queue_deliveries(
        self,
        alert_id: int,
        channels: Sequence[str],
        event: str,
        payload: Alert | None,
        now: datetime,
        due: datetime | None = None,
        silenced: str | None = None,
    ) -> None:
        """Queue one notification per channel; ``payload`` replaces the alert's own.

        An ``event`` already queued for the same alert and channel is not
        queued again, so a notification is never sent twice. A ``silenced``
        notification (the reason given) is kept, as "silenced", but never sent.
        """
        body = _document(payload) if payload is not None else None
        status = "silenced" if silenced is not None else "pending"
        for channel in channels:
            self.db.execute(
                """INSERT OR IGNORE INTO deliveries (alert_id, channel, event, payload, status,
                     reason, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                [alert_id, channel, event, body, status, silenced, iso(due or now), iso(now)],
            )

    def update_alert(
        self,
        alert_id: int,
        *,
        level: str,
        score: float,
        payload: Alert | None,
        now: datetime,
        resolved: bool = False,
        resolution: str | None = None,
    ) -> None:
        """Record an alert's new level, score and payload, or its resolution (and
        ``resolution``, why it resolved, when the policy gave a reason)."""
        self.db.execute(
            """UPDATE alerts SET level = ?, score = ?, payload = ?, updated_at = ?,
                 state = ?, resolved_at = ?, resolution = ? WHERE id = ?""",
            [
                level,
                score,
                _document(payload),
                iso(now),
                "resolved" if resolved else "firing",
                iso(now) if resolved else None,
                resolution if resolved else None,
                alert_id,
            ],
        )

    def update_story(
        self, alert_id: int, *, level: str, score: float, payload: Alert, now: datetime
    ) -> None:
        """Record a story alert's new level, score and payload; its state stays as it is."""
        self.db.execute(
            "UPDATE alerts SET level = ?, score = ?, payload = ?, updated_at = ? WHERE id = ?",
            [level, score, _document(payload), iso(now), alert_id],
        )

    def alert_key_and_level(self, alert_id: int) -> tuple[str, str]:
        """The dedup key of an alert and the level it last notified at."""
        row = self.db.execute(
            "SELECT dedup_key, level FROM alerts WHERE id = ?", [alert_id]
        ).fetchone()
        return str(row[0]), str(row[1])

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

    def recent_stories(self, watch: str, since: datetime) -> list[dict[str, Any]]:
        """Story alerts of ``watch`` updated since ``since``, newest first, each with its
        state and its articles (oldest first) as story grouping compares them."""
        alerts: dict[int, dict[str, Any]] = {}
        # One query for every story and its articles (a story's pruned ones drop out).
        for row in self.db.query(
            """SELECT al.id AS alert_id, al.level AS alert_level, al.state AS alert_state,
                 a.id, a.title, a.summary, a.published_at, a.fetched_at,
                 s.places, s.actors, s.hits, s.headline_places
               FROM alerts al
               LEFT JOIN json_each(al.article_ids) j
               LEFT JOIN articles a ON a.id = j.value
               LEFT JOIN scores s ON s.article_id = a.id AND s.watch = al.watch
               WHERE al.watch = ? AND al.kind = 'article' AND al.updated_at >= ?
               ORDER BY al.updated_at DESC, al.id DESC, j.key""",
            [watch, iso(since)],
        ):
            alert_id = row.pop("alert_id")
            alert = alerts.setdefault(
                alert_id,
                {"id": alert_id, "level": row.pop("alert_level"),
                 "state": row.pop("alert_state"), "articles": []},
            )  # fmt: skip
            if row["id"] is not None:
                alert["articles"].append(row)
        return list(alerts.values())

    def story_reports(self, alert_id: int) -> list[dict[str, Any]]:
        """A story alert's articles (oldest first) as story grouping compares them."""
        watch, ids = self.db.execute(
            "SELECT watch, article_ids FROM alerts WHERE id = ?", [alert_id]
        ).fetchone()
        return self._reports(watch, json.loads(ids))

    def _reports(self, watch: str, ids: list[int]) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(ids))
        rows = {
            row["id"]: row
            for row in self.db.query(
                f"""SELECT a.id, a.title, a.summary, a.published_at, a.fetched_at,
                      s.places, s.actors, s.hits, s.headline_places
                    FROM articles a LEFT JOIN scores s ON s.article_id = a.id AND s.watch = ?
                    WHERE a.id IN ({marks})""",  # noqa: S608 (placeholders only)
                [watch, *ids],
            )
        }
        return [rows[i] for i in ids if i in rows]

    def attach_article(self, alert_id: int, article_id: int, now: datetime) -> None:
        """Add an article to a story alert: its latest report, at ``now``."""
        self.db.execute(
            """UPDATE alerts SET article_ids = json_insert(article_ids, '$[#]', ?),
                 last_report_at = ?
               WHERE id = ? AND NOT EXISTS (
                 SELECT 1 FROM json_each(alerts.article_ids) WHERE value = ?)""",
            [article_id, iso(now), alert_id, article_id],
        )

    def firing_stories(self, watch: str) -> list[tuple[int, datetime]]:
        """Every firing story alert of ``watch``, oldest first, with when an article
        last joined it (when it opened, if none joined since)."""
        rows = self.db.execute(
            """SELECT id, last_report_at FROM alerts WHERE watch = ? AND kind = 'article'
               AND state = 'firing' ORDER BY id""",
            [watch],
        )
        return [(int(alert_id), datetime.fromisoformat(at)) for alert_id, at in rows.fetchall()]

    def alerts_with_article(self, article_id: int) -> list[dict[str, Any]]:
        """Firing article alerts that include ``article_id``."""
        return list(
            self.db.query(
                """SELECT a.id, a.watch, a.level FROM alerts a, json_each(a.article_ids) j
                   WHERE a.kind = 'article' AND a.state = 'firing' AND j.value = ?""",
                [article_id],
            )
        )

    def story(self, alert_id: int) -> tuple[list[tuple[int, AlertArticle]], list[AlertSource]]:
        """An alert's articles by id (with score and hits for its watch) and every source."""
        alert = self.db.execute(
            "SELECT watch, article_ids FROM alerts WHERE id = ?", [alert_id]
        ).fetchone()
        watch, ids = alert[0], json.loads(alert[1])
        articles = []
        for article_id in ids:
            for row in self.db.query(
                """SELECT a.id, a.title, a.url, a.published_at, f.name AS source, s.score,
                     s.hits, a.summary FROM articles a JOIN feeds f ON f.id = a.feed_id
                   LEFT JOIN scores s ON s.article_id = a.id AND s.watch = ?
                   WHERE a.id = ?""",
                [watch, article_id],
            ):
                hits = tuple(AlertHit.from_json(hit) for hit in json.loads(row["hits"] or "[]"))
                articles.append(
                    (
                        row["id"],
                        AlertArticle(
                            row["title"],
                            row["url"],
                            row["source"],
                            row["published_at"],
                            row["score"],
                            hits,
                            row["summary"],
                        ),
                    )
                )
        sources = [
            AlertSource(row["source"], row["url"])
            for row in self.db.query(
                f"""SELECT COALESCE(f.name, f.title, f.url) AS source, s.url
                    FROM article_sources s JOIN feeds f ON f.id = s.feed_id
                    WHERE s.article_id IN ({",".join("?" * len(ids))})
                    ORDER BY s.seen_at, s.id""",  # noqa: S608 (placeholders only)
                ids,
            )
        ]
        return articles, sources

    def story_outlets(self, alert_id: int) -> tuple[list[datetime], int | None]:
        """When each outlet first carried a story alert's articles, and the story it
        follows up, if any."""
        ids, follows = self.db.execute(
            "SELECT article_ids, follows FROM alerts WHERE id = ?", [alert_id]
        ).fetchone()
        ids = json.loads(ids)
        times = [
            datetime.fromisoformat(row[0])
            for row in self.db.execute(
                f"""SELECT min(seen_at) FROM article_sources
                    WHERE article_id IN ({",".join("?" * len(ids))}) GROUP BY feed_id""",  # noqa: S608
                ids,
            )
        ]
        return times, follows

    def story_languages(self, alert_id: int) -> list[str]:
        """The languages of a story alert's articles, sorted (unknown ones left out)."""
        return [
            row[0]
            for row in self.db.execute(
                """SELECT DISTINCT a.language FROM alerts al, json_each(al.article_ids) j
                   JOIN articles a ON a.id = j.value
                   WHERE al.id = ? AND a.language IS NOT NULL ORDER BY a.language""",
                [alert_id],
            )
        ]

    def alert_id_of(self, reference: str) -> int | None:
        """The id of the alert ``reference`` names: its number (``12``, ``#12``) or its
        dedup key, the ``id`` of its notification document (``serbia-kosovo:article:45``)."""
        number = reference.strip().removeprefix("#")
        if number.isdigit():
            row = self.db.execute("SELECT id FROM alerts WHERE id = ?", [int(number)]).fetchone()
        else:
            row = self.db.execute(
                "SELECT id FROM alerts WHERE dedup_key = ?", [reference.strip()]
            ).fetchone()
        return int(row[0]) if row else None

    def top_stories(
        self, watch: str, since: datetime, limit: int = 5
    ) -> list[tuple[int, AlertArticle]]:
        """The highest-scoring story alerts of ``watch`` that had a report since ``since``
        (merged ones left out), each as one article: its first report's title, link,
        outlet and date, the story's score and its top report's hits; with the id of
        that first report."""
        stories = []
        for row in self.db.query(
            f"""SELECT article_ids, payload FROM alerts WHERE watch = ? AND kind = 'article'
                  AND last_report_at >= ? AND {MERGED_INTO} IS NULL
                ORDER BY score DESC, id DESC LIMIT ?""",  # noqa: S608 (fixed clauses)
            [watch, iso(since), limit],
        ):
            ids, document = json.loads(row["article_ids"]), json.loads(row["payload"])
            story = Alert.from_json(document) if document else None
            if not ids or story is None or not story.articles:
                continue
            top = max(story.articles, key=lambda article: article.score or 0)
            stories.append((ids[0], replace(story.articles[0], score=story.score, hits=top.hits)))
        return stories

    def alert_payload(self, alert_id: int) -> Alert | None:
        """The alert as it was last recorded (``None`` before it had a payload)."""
        row = self.db.execute("SELECT payload FROM alerts WHERE id = ?", [alert_id]).fetchone()
        document = json.loads(row[0]) if row else {}
        return Alert.from_json(document) if document else None

    def alert_deliveries(self, alert_id: int) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """An alert's row (without its payload) and every notification it queued, in order."""
        rows = list(
            self.db.query(
                """SELECT id, watch, kind, level, state, dedup_key, opened_at, updated_at,
                     resolved_at FROM alerts WHERE id = ?""",
                [alert_id],
            )
        )
        deliveries = list(
            self.db.query(
                """SELECT channel, event, status, reason, attempts, next_attempt_at, last_error,
                     created_at, sent_at FROM deliveries WHERE alert_id = ? ORDER BY id""",
                [alert_id],
            )
        )
        return (rows[0] if rows else None), deliveries

    def alert_counts(self) -> list[tuple[str, str, str, int]]:
        """How many alerts there are per ``(watch, level, state)``."""
        rows = self.db.execute(
            "SELECT watch, level, state, count(*) FROM alerts GROUP BY watch, level, state"
        )
        return [(str(w), str(level), str(state), int(n)) for w, level, state, n in rows.fetchall()]

    def list_alerts(
        self, *, state: str | None = None, watch: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Alerts, newest first, optionally only one state or one watch; a story alert
        with its ``story`` (places, event types, outlets, breaking, follows: as its last
        notification document carries it) and its ``articles``."""
        where, params = ["1 = 1"], []
        if state is not None:
            where.append("state = ?")
            params.append(state)
        if watch is not None:
            where.append("watch = ?")
            params.append(watch)
        rows = self.db.query(
            f"""SELECT id, watch, kind, level, state, score, opened_at, updated_at, resolved_at,
                  json_array_length(article_ids) AS sources, {MERGED_INTO} AS merged_into,
                  json_extract(payload, '$.story') AS story
                FROM alerts WHERE {" AND ".join(where)}
                ORDER BY updated_at DESC, id DESC LIMIT ?""",  # noqa: S608 (fixed clauses)
            [*params, limit],
        )
        alerts = list(rows)
        for alert in alerts:
            story = alert.pop("story")
            if story is not None:
                alert["story"] = json.loads(story)
            if alert["kind"] == "article":
                alert["articles"] = self._joined(alert["id"])
        return alerts

    def _joined(self, alert_id: int) -> list[dict[str, Any]]:
        """A story alert's articles, oldest first, each with why it is in the story."""
        return list(
            self.db.query(
                """SELECT a.id, a.url, a.title, COALESCE(f.name, f.title, f.url) AS source,
                     s.decision AS joined_because, a.language
                   FROM alerts al, json_each(al.article_ids) j
                   JOIN articles a ON a.id = j.value JOIN feeds f ON f.id = a.feed_id
                   LEFT JOIN scores s ON s.article_id = a.id AND s.watch = al.watch
                   WHERE al.id = ? ORDER BY j.key""",
                [alert_id],
            )
        )

    def alert_detail(self, alert_id: int) -> dict[str, Any] | None:
        """One alert with its articles (and their hits), its deliveries, the story it was
        merged into and every correction by hand that involved it."""
        found = list(
            self.db.query(
                f"SELECT *, {MERGED_INTO} AS merged_into FROM alerts WHERE id = ?",  # noqa: S608
                [alert_id],
            )
        )
        if not found:
            return None
        alert = found[0]
        ids = json.loads(alert["article_ids"])
        articles = []
        for article_id in ids:
            rows = list(
                self.db.query(
                    """SELECT a.id, a.title, a.url, a.published_at, f.name AS source,
                         f.url AS feed_url, s.score, s.level, s.hits,
                         s.decision AS joined_because, a.language
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
                "deliveries": deliveries,
                "corrections": self.story_corrections(alert_id)}  # fmt: skip

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

    def silences_in_force(self, watch: str, now: datetime) -> list[Silence]:
        """The silences of ``watch`` in force at ``now``, oldest first (the policy picks)."""
        rows = self.db.query(
            """SELECT id, watch, level, until, reason FROM silences WHERE watch = ?
               AND expired_at IS NULL AND until > ? ORDER BY id""",
            [watch, iso(now)],
        )
        return [
            Silence(
                row["id"],
                row["watch"],
                row["level"],
                datetime.fromisoformat(row["until"]),
                row["reason"] or "",
            )
            for row in rows
        ]

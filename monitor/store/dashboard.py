"""What the web pages read: the index over time, alert markers, the front page's
stories and places, one article in full."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from monitor.store.records import StoreBase, iso

# The front page's story orders: the most severe first (then the newest), or the newest.
STORY_ORDERS = ("severity", "newest")


class DashboardMixin(StoreBase):
    """What the web pages read: the index over time, alert markers, the front page's
    stories and places, one article in full."""

    def index_series(
        self, watch: str, since: datetime, until: datetime, buckets: int
    ) -> list[tuple[datetime, float]]:
        """The tension index of ``watch`` between two moments, at most ``buckets`` points.

        Each point is the highest value within its share of the span (a peak
        must not vanish from a chart by averaging), at the latest moment it
        was recorded.
        """
        step = max((until - since).total_seconds() / buckets, 1.0)
        rows = self.db.execute(
            """SELECT CAST((julianday(at) - julianday(?)) * 86400 / ? AS INTEGER) AS bucket,
                 max(at), max(value)
               FROM index_history WHERE watch = ? AND at >= ? AND at <= ?
               GROUP BY bucket ORDER BY bucket""",
            [iso(since), step, watch, iso(since), iso(until)],
        ).fetchall()
        return [(datetime.fromisoformat(at), float(value)) for _, at, value in rows]

    def index_before(self, watch: str, moment: datetime) -> tuple[datetime, float] | None:
        """The last reading of the tension index of ``watch`` before ``moment``, if any
        (where a chart's curve starts at the left edge)."""
        row = self.db.execute(
            """SELECT at, value FROM index_history WHERE watch = ? AND at < ?
               ORDER BY at DESC LIMIT 1""",
            [watch, iso(moment)],
        ).fetchone()
        return (datetime.fromisoformat(row[0]), float(row[1])) if row else None

    def alert_markers(self, watch: str, since: datetime) -> list[dict[str, Any]]:
        """The alerts of ``watch`` opened since ``since``, oldest first, with their first
        title: one per story (the alert of a story merged into another left out)."""
        return list(
            self.db.query(
                """SELECT al.id, al.kind, al.level, al.state, al.opened_at, al.score,
                     (SELECT a.title FROM articles a
                      WHERE a.id = json_extract(al.article_ids, '$[0]')) AS title
                   FROM alerts al WHERE al.watch = ? AND al.opened_at >= ?
                     AND al.state != 'merged'
                   ORDER BY al.opened_at, al.id""",
                [watch, iso(since)],
            )
        )

    def front_stories(
        self,
        watch: str,
        since: datetime,
        levels: Sequence[str],
        order: str = "severity",
        limit: int = 30,
    ) -> list[dict[str, Any]]:
        """The story alerts of ``watch`` with a report since ``since``, one row per story:
        ``id``, ``level``, ``state``, ``opened_at``, ``last_report_at``, ``title`` (its
        first report's) and ``story`` (places, outlets, languages, breaking, first and
        last report, follows: as its last notification document carries it).

        ``levels`` are the story levels, lowest first; ``order`` is ``severity`` (the
        highest level first, then the newest report) or ``newest``. Stories merged
        into another are left out.
        """
        rank = " ".join(f"WHEN ? THEN {i}" for i in range(len(levels)))
        by = "last_report_at DESC, id DESC"
        if order == "severity":
            by = f"CASE level {rank} ELSE -1 END DESC, {by}"
        rows = self.db.query(
            f"""SELECT id, level, state, opened_at, last_report_at,
                  (SELECT a.title FROM articles a
                   WHERE a.id = json_extract(alerts.article_ids, '$[0]')) AS title,
                  json_extract(payload, '$.story') AS story
                FROM alerts WHERE watch = ? AND kind = 'article' AND last_report_at >= ?
                  AND state != 'merged'
                ORDER BY {by} LIMIT ?""",  # noqa: S608 (fixed clauses and placeholders)
            [watch, iso(since), *(levels if order == "severity" else ()), limit],
        )
        stories = []
        for row in rows:
            row["story"] = json.loads(row["story"]) if row["story"] else {}
            stories.append(row)
        return stories

    def place_levels(self, watch: str, since: datetime) -> list[tuple[str, str, int]]:
        """How many story alerts of ``watch`` with a report since ``since`` name each
        place, per level: ``(place, level, stories)`` (merged stories left out)."""
        rows = self.db.execute(
            """SELECT p.value, al.level, count(*)
                FROM alerts al, json_each(al.payload, '$.story.places') p
                WHERE al.watch = ? AND al.kind = 'article' AND al.last_report_at >= ?
                  AND al.state != 'merged'
                GROUP BY p.value, al.level ORDER BY p.value, al.level""",
            [watch, iso(since)],
        )
        return [(str(place), str(level), int(n)) for place, level, n in rows.fetchall()]

    def article_page(self, article_id: int) -> dict[str, Any] | None:
        """One article with its feed, every outlet that carried it, and its scores with hits."""
        rows = list(
            self.db.query(
                """SELECT a.id, a.title, a.summary, a.url, a.published_at, a.fetched_at,
                     COALESCE(f.name, f.title, f.url) AS source
                   FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.id = ?""",
                [article_id],
            )
        )
        if not rows:
            return None
        article = rows[0]
        article["scores"] = [
            {**row, "hits": json.loads(row["hits"] or "[]")}
            for row in self.db.query(
                """SELECT watch, score, level, in_scope, hits, rules_version, scored_at,
                     scope_miss, decision, alert_id, capped_by,
                     (SELECT max(c.at) FROM story_corrections c
                      WHERE c.article_id = scores.article_id
                        AND scores.alert_id IN (c.alert_id, c.other_alert_id)) AS moved_at
                   FROM scores WHERE article_id = ? ORDER BY watch""",
                [article_id],
            )
        ]
        article["sources"] = list(
            self.db.query(
                """SELECT COALESCE(f.name, f.title, f.url) AS source, s.url, s.seen_at
                   FROM article_sources s JOIN feeds f ON f.id = s.feed_id
                   WHERE s.article_id = ? ORDER BY s.seen_at, s.id""",
                [article_id],
            )
        )
        article["alerts"] = list(
            self.db.query(
                """SELECT id, watch, kind, level, state, opened_at FROM alerts
                   WHERE EXISTS (SELECT 1 FROM json_each(article_ids) WHERE value = ?)
                   ORDER BY opened_at""",
                [article_id],
            )
        )
        return article

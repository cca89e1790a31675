"""What the web pages read: the index over time, alert markers, one article in full."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from monitor.store.records import StoreBase, iso


class DashboardMixin(StoreBase):
    """What the web pages read: the index over time, alert markers, one article in full."""

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

    def alert_markers(self, watch: str, since: datetime) -> list[dict[str, Any]]:
        """The alerts of ``watch`` opened since ``since``, oldest first, with their first title."""
        return list(
            self.db.query(
                """SELECT al.id, al.kind, al.level, al.state, al.opened_at, al.score,
                     (SELECT a.title FROM articles a
                      WHERE a.id = json_extract(al.article_ids, '$[0]')) AS title
                   FROM alerts al WHERE al.watch = ? AND al.opened_at >= ?
                   ORDER BY al.opened_at, al.id""",
                [watch, iso(since)],
            )
        )

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

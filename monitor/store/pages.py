"""What the story page (``/alerts/ID``) and the article page read about stories. Read-only.

A story's timeline is its reports in the order they joined, each with its
outlet, language, level and the reason recorded when it joined
(``scores.decision``); its deliveries, corrections by hand and follow-ups are
read as stored. Nothing here writes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from monitor.store.records import StoreBase, iso
from monitor.store.stories import MERGED_INTO

STORIES_OF_AN_INDEX_ALERT = 20  # the stories an index alert page lists, strongest first


class PagesMixin(StoreBase):
    """What the story page and the article page read about stories. Read-only."""

    def alert_page(self, alert_id: int) -> dict[str, Any] | None:
        """One alert of any kind as its page shows it; ``None`` for an unknown id.

        Keys: the alert's columns (``resolution``, ``follows``, ``last_report_at``
        among them), ``merged_into``, ``payload`` (its last ``monitor.alert/1``
        document, ``{}`` before it had one), ``reports`` (its articles as they
        joined, each with ``source``, ``language``, ``level``, ``score``,
        ``hits``, ``places``, ``actors`` and ``joined_because``), ``outlets``
        (every outlet that carried a report, first seen first), ``deliveries``,
        ``corrections``, ``followed_by`` (stories that follow this one up) and
        ``merged_from`` (stories merged into it by hand).
        """
        found = list(
            self.db.query(
                f"""SELECT id, watch, kind, level, state, dedup_key, score, article_ids,
                      payload, opened_at, updated_at, resolved_at, resolution, follows,
                      last_report_at, {MERGED_INTO} AS merged_into
                    FROM alerts WHERE id = ?""",  # noqa: S608 (fixed clauses)
                [alert_id],
            )
        )
        if not found:
            return None
        alert = found[0]
        ids = json.loads(alert.pop("article_ids"))
        alert["payload"] = json.loads(alert["payload"] or "{}")
        alert["reports"] = self._timeline(alert["watch"], ids)
        alert["outlets"] = self._outlets(ids)
        alert["deliveries"] = list(
            self.db.query(
                """SELECT channel, event, status, reason, attempts, next_attempt_at,
                     last_error, created_at, sent_at FROM deliveries
                   WHERE alert_id = ? ORDER BY id""",
                [alert_id],
            )
        )
        alert["corrections"] = list(
            self.db.query(
                """SELECT kind, alert_id, other_alert_id, article_id, at, note
                   FROM story_corrections WHERE ? IN (alert_id, other_alert_id) ORDER BY id""",
                [alert_id],
            )
        )
        alert["followed_by"] = [
            row[0]
            for row in self.db.execute(
                "SELECT id FROM alerts WHERE follows = ? ORDER BY id", [alert_id]
            ).fetchall()
        ]
        alert["merged_from"] = sorted(
            {int(c["other_alert_id"]) for c in alert["corrections"]
             if c["kind"] == "merge" and c["alert_id"] == alert_id}
        )  # fmt: skip
        return alert

    def _timeline(self, watch: str, ids: list[int]) -> list[dict[str, Any]]:
        """The articles ``ids`` in that order (as they joined the story), each with its
        score for ``watch``."""
        rows = {
            row["id"]: row
            for row in self.db.query(
                """SELECT a.id, a.title, a.url, a.language, a.published_at, a.fetched_at,
                     COALESCE(f.name, f.title, f.url) AS source, s.score, s.level, s.hits,
                     s.places, s.actors, s.decision AS joined_because
                   FROM json_each(?) j JOIN articles a ON a.id = j.value
                   JOIN feeds f ON f.id = a.feed_id
                   LEFT JOIN scores s ON s.article_id = a.id AND s.watch = ?""",
                [json.dumps(ids), watch],
            )
        }
        reports = [rows[article_id] for article_id in ids if article_id in rows]
        for row in reports:
            for name in ("hits", "places", "actors"):
                row[name] = json.loads(row[name] or "[]")
        return reports

    def _outlets(self, ids: list[int]) -> list[dict[str, Any]]:
        """Every outlet that carried one of the articles ``ids``, first seen first."""
        return list(
            self.db.query(
                """SELECT s.article_id, COALESCE(f.name, f.title, f.url) AS source, s.url,
                     s.seen_at
                   FROM json_each(?) j JOIN article_sources s ON s.article_id = j.value
                   JOIN feeds f ON f.id = s.feed_id ORDER BY s.seen_at, s.id""",
                [json.dumps(ids)],
            )
        )

    def index_stories(self, watch: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """The story alerts of ``watch`` that had a report between ``since`` and
        ``until`` (merged ones left out), the highest score first, each with its
        first report's title, its number of reports and outlets: what moved an index
        alert open over that time."""
        rows = list(
            self.db.query(
                f"""SELECT id, level, state, score, opened_at, last_report_at,
                      json_array_length(article_ids) AS reports,
                      json_extract(payload, '$.story.outlets') AS outlets,
                      json_extract(payload, '$.story.places') AS places,
                      (SELECT a.title FROM articles a
                       WHERE a.id = json_extract(alerts.article_ids, '$[0]')) AS title
                    FROM alerts WHERE watch = ? AND kind = 'article'
                      AND last_report_at >= ? AND opened_at <= ?
                      AND {MERGED_INTO} IS NULL
                    ORDER BY score DESC, id DESC LIMIT ?""",  # noqa: S608 (fixed clauses)
                [watch, iso(since), iso(until), STORIES_OF_AN_INDEX_ALERT],
            )
        )
        return [{**row, "places": json.loads(row["places"] or "[]")} for row in rows]

    def article_stories(self, article_id: int) -> list[dict[str, Any]]:
        """The story alerts an article is in (one per watch), each with its first
        report's title, its number of ``reports``, and every other outlet that carried
        the story, once, first seen first: ``outlets``, each with the ``article_id``
        of its report, its ``source``, ``url`` and ``seen_at`` (the article's own
        feed left out)."""
        stories = list(
            self.db.query(
                f"""SELECT id, watch, level, state, opened_at, article_ids,
                      {MERGED_INTO} AS merged_into,
                      (SELECT a.title FROM articles a
                       WHERE a.id = json_extract(alerts.article_ids, '$[0]')) AS title
                    FROM alerts
                    WHERE id IN (SELECT alert_id FROM scores WHERE article_id = ?)
                      AND kind = 'article'
                      AND EXISTS (SELECT 1 FROM json_each(alerts.article_ids) WHERE value = ?)
                    ORDER BY watch""",  # noqa: S608 (fixed clauses)
                [article_id, article_id],
            )
        )
        own = self.db.execute("SELECT feed_id FROM articles WHERE id = ?", [article_id]).fetchone()
        for story in stories:
            ids = json.loads(story.pop("article_ids"))
            story["reports"] = len(ids)
            outlets: dict[int, dict[str, Any]] = {}
            for row in self.db.query(
                """SELECT s.article_id, s.feed_id, COALESCE(f.name, f.title, f.url) AS source,
                     s.url, s.seen_at
                   FROM json_each(?) j JOIN article_sources s ON s.article_id = j.value
                   JOIN feeds f ON f.id = s.feed_id ORDER BY s.seen_at, s.id""",
                [json.dumps(ids)],
            ):
                if own is None or row["feed_id"] != own[0]:
                    outlets.setdefault(row.pop("feed_id"), row)
            story["outlets"] = list(outlets.values())
        return stories

"""Stories corrected by hand: articles moved between story alerts, and the record of it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.store.records import StoreBase, iso

# The story an alert (the row ``alerts``) was merged into by hand, if any.
MERGED_INTO = """(SELECT c.alert_id FROM story_corrections c WHERE c.kind = 'merge'
    AND c.other_alert_id = alerts.id ORDER BY c.id DESC LIMIT 1)"""


@dataclass(frozen=True)
class StoryRow:
    """A story alert as a correction reads it: its watch, state, level and articles."""

    id: int
    watch: str
    kind: str
    state: str
    level: str
    article_ids: tuple[int, ...]
    merged_into: int | None


class StoriesMixin(StoreBase):
    """Stories corrected by hand: articles moved between story alerts, and the record of it."""

    def story_row(self, alert_id: int) -> StoryRow | None:
        """An alert with its articles and the story it was merged into; ``None`` if unknown."""
        row = self.db.execute(
            f"SELECT id, watch, kind, state, level, article_ids, {MERGED_INTO} "  # noqa: S608
            "FROM alerts WHERE id = ?",
            [alert_id],
        ).fetchone()
        if row is None:
            return None
        ids = tuple(int(article_id) for article_id in json.loads(row[5]))
        return StoryRow(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), ids,
                        row[6])  # fmt: skip

    def set_story_articles(self, alert_id: int, article_ids: Sequence[int], now: datetime) -> None:
        """Make ``article_ids`` (in this order, each once) the articles of a story alert."""
        unique = list(dict.fromkeys(article_ids))
        self.db.execute(
            "UPDATE alerts SET article_ids = ?, updated_at = ? WHERE id = ?",
            [json.dumps(unique), iso(now), alert_id],
        )

    def article_levels(self, watch: str, article_ids: Sequence[int]) -> list[str | None]:
        """The level each article scored for ``watch`` (``None``: no level, or not scored)."""
        levels: list[str | None] = []
        for article_id in article_ids:
            row = self.db.execute(
                "SELECT level FROM scores WHERE article_id = ? AND watch = ?", [article_id, watch]
            ).fetchone()
            levels.append(row[0] if row else None)
        return levels

    def close_merged(self, alert_id: int, now: datetime) -> None:
        """Mark a story alert merged: it keeps no article and its last payload, as sent."""
        self.db.execute(
            """UPDATE alerts SET state = 'merged', article_ids = '[]', updated_at = ?,
                 resolved_at = COALESCE(resolved_at, ?) WHERE id = ?""",
            [iso(now), iso(now), alert_id],
        )

    def skip_pending(self, alert_id: int, reason: str) -> int:
        """Give up an alert's notifications not sent yet, as "skipped" with ``reason``."""
        cursor = self.db.execute(
            "UPDATE deliveries SET status = 'skipped', reason = ? WHERE alert_id = ? "
            "AND status = 'pending'",
            [reason, alert_id],
        )
        return cursor.rowcount

    def record_correction(
        self,
        kind: str,
        alert_id: int,
        other_alert_id: int,
        article_id: int,
        now: datetime,
        note: str | None,
    ) -> None:
        """Record that ``article_id`` moved by hand (``merge``: from ``other_alert_id`` into
        ``alert_id``; ``split``: out of ``alert_id`` into ``other_alert_id``)."""
        self.db.execute(
            """INSERT INTO story_corrections (kind, alert_id, other_alert_id, article_id, at, note)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [kind, alert_id, other_alert_id, article_id, iso(now), note],
        )

    def story_corrections(self, alert_id: int) -> list[dict[str, Any]]:
        """Every correction by hand that involved an alert, on either side, oldest first."""
        return list(
            self.db.query(
                """SELECT id, kind, alert_id, other_alert_id, article_id, at, note
                   FROM story_corrections WHERE ? IN (alert_id, other_alert_id) ORDER BY id""",
                [alert_id],
            )
        )

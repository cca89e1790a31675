"""The tension index of each watch and its history."""

from __future__ import annotations

from datetime import datetime

from monitor.models import AlertArticle
from monitor.store.records import (
    IndexState,
    StoreBase,
    iso,
)


class IndexMixin(StoreBase):
    """The tension index of each watch and its history."""

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

    def index_watches(self) -> list[str]:
        """The names of the watches that have a stored tension index."""
        return [row[0] for row in self.db.execute("SELECT watch FROM watch_index ORDER BY watch")]

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

    def top_articles(
        self, watch: str, since: datetime, limit: int = 5
    ) -> list[tuple[int, AlertArticle]]:
        """The highest-scoring in-scope articles of ``watch`` fetched since ``since``, by id."""
        return [
            (
                row["id"],
                AlertArticle(
                    row["title"], row["url"], row["source"], row["published_at"], row["score"]
                ),
            )
            for row in self.db.query(
                """SELECT a.id, a.title, a.url, a.published_at, s.score, f.name AS source
                   FROM scores s JOIN articles a ON a.id = s.article_id
                   JOIN feeds f ON f.id = a.feed_id
                   WHERE s.watch = ? AND s.in_scope = 1 AND s.score > 0 AND a.fetched_at >= ?
                   ORDER BY s.score DESC, a.id DESC LIMIT ?""",
                [watch, iso(since), limit],
            )
        ]

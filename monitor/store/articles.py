"""Articles (stored once, with every source) and their scores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from monitor.models import Article, Score
from monitor.store.records import (
    StoreBase,
    StoredArticle,
    iso,
)


def _dedup_keys(feed_id: int, article: Article) -> set[tuple[str, ...]]:
    """The keys that make ``article`` the same as another: GUID in the feed, URL, content."""
    keys = {("guid", str(feed_id), article.guid), ("hash", article.content_hash)}
    if article.canonical_url is not None:
        keys.add(("url", article.canonical_url))
    return keys


class ArticlesMixin(StoreBase):
    """Articles (stored once, with every source) and their scores."""

    def insert_articles(
        self, feed_id: int, articles: Sequence[Article], now: datetime
    ) -> tuple[list[StoredArticle], list[int]]:
        """Insert ``articles``, skipping any already stored.

        An article is already stored when the same feed gave the same GUID, or
        any feed gave the same canonical URL or the same content hash, or when
        such an article was stored once and has been pruned since. Returns the
        new articles, and the ids of stored articles that this feed carried for
        the first time (another outlet's copy: a new source).
        """
        stored: list[StoredArticle] = []
        resighted: list[int] = []
        sources: list[tuple[int, int, str | None, str]] = []  # of the new articles, at the end
        new_ids: set[int] = set()
        pruned = self._pruned_before(feed_id, articles, now)
        for article in articles:
            if _dedup_keys(feed_id, article) & pruned:
                continue
            cursor = self.db.execute(
                """INSERT OR IGNORE INTO articles (feed_id, guid, url, canonical_url, title,
                     summary, published_at, fetched_at, content_hash, language)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
                    article.language,
                ],
            )
            if cursor.rowcount == 1 and cursor.lastrowid is not None:
                stored.append(StoredArticle(cursor.lastrowid, article))
                new_ids.add(cursor.lastrowid)
                sources.append((cursor.lastrowid, feed_id, article.url, iso(now)))
                continue
            existing = self.db.execute(
                """SELECT id FROM articles WHERE (feed_id = ? AND guid = ?)
                     OR canonical_url = ? OR content_hash = ? LIMIT 1""",
                [feed_id, article.guid, article.canonical_url, article.content_hash],
            ).fetchone()
            if existing is None or existing[0] in new_ids:
                continue  # a second entry of this feed for an article it just gave
            if self._add_source(existing[0], feed_id, article.url, now):
                resighted.append(existing[0])
        self.db.conn.executemany(
            """INSERT OR IGNORE INTO article_sources (article_id, feed_id, url, seen_at)
               VALUES (?, ?, ?, ?)""",
            sources,
        )
        return stored, resighted

    def set_languages(self, languages: Sequence[tuple[int, str]]) -> None:
        """Record the language detected for each ``(article id, language)``."""
        self.db.conn.executemany(
            "UPDATE articles SET language = ? WHERE id = ?",
            [(language, article_id) for article_id, language in languages],
        )

    def _pruned_before(
        self, feed_id: int, articles: Sequence[Article], now: datetime
    ) -> set[tuple[str, ...]]:
        """The dedup keys of ``articles`` that were stored once and pruned since.

        Notes that the feed still carries them (``seen_at``): a feed may carry
        an entry longer than the retention age; without this it would come back
        as new, and alert again. One statement for the whole feed.
        """
        if not articles:
            return set()
        rows = self.db.execute(
            """UPDATE pruned_articles SET seen_at = ?
               WHERE (feed_id = ? AND guid IN (SELECT value FROM json_each(?)))
                 OR canonical_url IN (SELECT value FROM json_each(?))
                 OR content_hash IN (SELECT value FROM json_each(?))
               RETURNING feed_id, guid, canonical_url, content_hash""",
            [
                iso(now),
                feed_id,
                json.dumps([article.guid for article in articles]),
                json.dumps([a.canonical_url for a in articles if a.canonical_url is not None]),
                json.dumps([article.content_hash for article in articles]),
            ],
        ).fetchall()
        keys: set[tuple[str, ...]] = set()
        for pruned_feed, guid, canonical_url, content_hash in rows:
            keys.add(("guid", str(pruned_feed), guid))
            keys.add(("hash", content_hash))
            if canonical_url is not None:
                keys.add(("url", canonical_url))
        return keys

    def _add_source(self, article_id: int, feed_id: int, url: str | None, now: datetime) -> bool:
        cursor = self.db.execute(
            """INSERT OR IGNORE INTO article_sources (article_id, feed_id, url, seen_at)
               VALUES (?, ?, ?, ?)""",
            [article_id, feed_id, url, iso(now)],
        )
        return cursor.rowcount == 1

    def insert_scores(
        self,
        article_id: int,
        scores: Sequence[Score],
        now: datetime,
        decisions: Sequence[str | None] = (),
    ) -> None:
        """Store an article's score against each watch, with its hits as JSON and,
        in ``decisions`` (one per score), why it did or did not call for an alert."""
        reasons = list(decisions) + [None] * (len(scores) - len(decisions))
        self.db.conn.executemany(
            """INSERT OR REPLACE INTO scores (article_id, watch, score, level, in_scope,
                 hits, rules_version, scored_at, scope_miss, decision, places, actors, capped_by,
                 headline_places)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    article_id,
                    score.watch,
                    score.score,
                    score.level,
                    int(score.in_scope),
                    json.dumps([hit.as_dict() for hit in score.hits], ensure_ascii=False),
                    score.rules_version,
                    iso(now),
                    score.scope_miss,
                    reason,
                    json.dumps(score.places, ensure_ascii=False) if score.places else None,
                    json.dumps(score.actors, ensure_ascii=False) if score.actors else None,
                    score.capped_by,
                    json.dumps(score.headline_places, ensure_ascii=False)
                    if score.headline_places
                    else None,
                )
                for score, reason in zip(scores, reasons, strict=True)
            ],
        )

    def record_decision(self, article_id: int, watch: str, alert_id: int, reason: str) -> None:
        """Record the alert an article opened or joined for ``watch``, and why."""
        self.db.execute(
            "UPDATE scores SET alert_id = ?, decision = ? WHERE article_id = ? AND watch = ?",
            [alert_id, reason, article_id, watch],
        )

    def name_counts(self, watch: str, since: datetime) -> tuple[int, dict[str, int]]:
        """How many in-scope articles of ``watch`` were stored since ``since``, and how
        many of them name each place (``place:NAME``) and actor (``actor:NAME``)."""
        reports = self.db.execute(
            """SELECT count(*) FROM scores s JOIN articles a ON a.id = s.article_id
               WHERE s.watch = ? AND s.in_scope = 1 AND a.fetched_at >= ?""",
            [watch, iso(since)],
        ).fetchone()[0]
        counts: dict[str, int] = {}
        for column, kind in (("places", "place"), ("actors", "actor")):
            for name, count in self.db.execute(
                f"""SELECT j.value, count(*) FROM scores s JOIN articles a ON a.id = s.article_id,
                      json_each(s.{column}) j
                    WHERE s.watch = ? AND s.in_scope = 1 AND a.fetched_at >= ?
                      AND s.{column} IS NOT NULL
                    GROUP BY j.value""",  # noqa: S608 (two fixed column names)
                [watch, iso(since)],
            ):
                counts[f"{kind}:{name}"] = count
        return reports, counts

    def in_scope_texts(self, watch: str, since: datetime) -> list[tuple[str, str]]:
        """The title and summary of every in-scope article of ``watch`` stored since
        ``since`` (what says which words are common in its recent news)."""
        return [
            (row[0] or "", row[1] or "")
            for row in self.db.execute(
                """SELECT a.title, a.summary FROM scores s JOIN articles a ON a.id = s.article_id
                   WHERE s.watch = ? AND s.in_scope = 1 AND a.fetched_at >= ?""",
                [watch, iso(since)],
            )
        ]

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

    def count(self, table: str) -> int:
        """Return the number of rows in one of monitor's tables."""
        return int(self.db[table].count)

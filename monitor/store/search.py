"""Reading stored articles back: full-text search, export, and what backtests need.

Nothing here writes. A person's query goes through ``monitor.store.query.fts_query``
first, so it reaches FTS5 as quoted terms, never as raw syntax.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.config.models import LEVELS
from monitor.errors import MonitorError
from monitor.models import Article
from monitor.store.query import fts_query
from monitor.store.records import StoreBase, iso

SNIPPET_WORDS = 16
EXCERPT_CHARS = 160
# An article's date: when it was published, else when monitor fetched it.
_MOMENT = "COALESCE(a.published_at, a.fetched_at)"


@dataclass(frozen=True)
class WatchScore:
    """An article's score against one watch, as stored when it was fetched."""

    watch: str
    score: float
    level: str | None
    in_scope: bool


@dataclass(frozen=True)
class FoundArticle:
    """One search result: the article, its first feed, its scores, and a snippet.

    ``snippet`` is the text around the match with each matched word between the
    ``highlight`` marks, or the opening of the summary when there was no query.
    It is text from a feed: escape it for the page it goes on.
    """

    id: int
    title: str
    url: str | None
    feed: str
    feed_url: str
    published_at: str | None
    fetched_at: str
    snippet: str
    scores: tuple[WatchScore, ...]

    def level(self, watch: str | None = None) -> str | None:
        """The article's level for ``watch``, or its highest level over every watch."""
        levels = [s.level for s in self.scores if s.level and watch in (None, s.watch)]
        return max(levels, key=LEVELS.index, default=None)

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready values (the ``monitor search --json`` object)."""
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "feed": self.feed,
            "feed_url": self.feed_url,
            "published_at": self.published_at,
            "fetched_at": self.fetched_at,
            "snippet": self.snippet,
            "scores": [
                {"watch": s.watch, "score": s.score, "level": s.level, "in_scope": s.in_scope}
                for s in self.scores
            ],
        }


@dataclass(frozen=True)
class FiredArticle:
    """An article that an article alert of ``watch`` covers, at the level it scored then."""

    watch: str
    article_id: int
    alert_id: int
    level: str
    title: str


@dataclass(frozen=True)
class ArticleOutlets:
    """When an article was fetched, and when each outlet (a feed id) first carried it."""

    fetched_at: datetime
    outlets: tuple[tuple[int, datetime], ...]


def levels_from(min_level: str | None) -> tuple[str, ...]:
    """The article levels at or above ``min_level`` (every level for ``None``)."""
    if min_level is None:
        return LEVELS
    if min_level not in LEVELS:
        raise MonitorError(f"unknown level {min_level!r} (levels: {', '.join(LEVELS)})")
    return LEVELS[LEVELS.index(min_level) :]


class SearchMixin(StoreBase):
    """Reading stored articles back: full-text search, export, and what backtests need."""

    def search_articles(
        self,
        query: str = "",
        *,
        watch: str | None = None,
        min_level: str | None = None,
        feed: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
        highlight: tuple[str, str] = ("[", "]"),
    ) -> list[FoundArticle]:
        """Stored articles matching ``query`` (``monitor.store.query`` syntax) and every filter
        given, newest first.

        ``watch``: in scope of that watch (and ``min_level`` applies to its score);
        ``min_level``: at that level or above (for any watch, without ``watch``);
        ``feed``: carried by the feed of that name or URL (any of the article's
        sources); ``since``/``until``: dated (published, else fetched) at or after
        ``since`` and before ``until``. An empty query lists every article that
        passes the filters. Raises ``MonitorError`` for an unknown level.
        """
        # Without a query the page walks the articles newest first and stops when it
        # is full; with one, FTS5 gives every match first.
        correlated = fts_query(query) is None
        source, where, params = self._search_clauses(
            query, watch, min_level, feed, since, until, correlated=correlated
        )
        fts = "articles_fts" in source
        # The page's ids first (read from narrow indexes), then only those rows in
        # full: SQLite would read every match's text and make its snippet before
        # sorting them, seconds for a common word on a year of news.
        page = f"""SELECT a.id, {_MOMENT} AS moment {source} WHERE {where}
                   ORDER BY {_MOMENT} DESC, a.id DESC LIMIT ? OFFSET ?"""
        before, after = highlight
        snippet = f"snippet(articles_fts, -1, ?, ?, '…', {SNIPPET_WORDS})" if fts else "a.summary"
        matched = "CROSS JOIN articles_fts ON articles_fts.rowid = p.id" if fts else ""
        sql = f"""SELECT a.id, a.title, a.url, COALESCE(f.name, f.title, f.url) AS feed,
                    f.url AS feed_url, a.published_at, a.fetched_at, {snippet} AS snippet
                  FROM ({page}) p CROSS JOIN articles a ON a.id = p.id
                  CROSS JOIN feeds f ON f.id = a.feed_id {matched}
                  WHERE {"articles_fts MATCH ?" if fts else "1 = 1"}
                  ORDER BY p.moment DESC, p.id DESC"""  # noqa: S608 (fixed clauses)
        head = [before, after] if fts else []
        values = [*head, *params, limit, offset, *([fts_query(query)] if fts else [])]
        rows = self._read(sql, values, query)
        scores = self._scores_of([row["id"] for row in rows])
        return [
            FoundArticle(
                id=row["id"],
                title=row["title"],
                url=row["url"],
                feed=row["feed"],
                feed_url=row["feed_url"],
                published_at=row["published_at"],
                fetched_at=row["fetched_at"],
                snippet=row["snippet"] if fts else _excerpt(row["snippet"]),
                scores=scores.get(row["id"], ()),
            )
            for row in rows
        ]

    def search_count(
        self,
        query: str = "",
        *,
        watch: str | None = None,
        min_level: str | None = None,
        feed: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        """How many articles ``search_articles`` would find with no limit (for paging)."""
        source, where, params = self._search_clauses(
            query, watch, min_level, feed, since, until, correlated=False
        )
        sql = f"SELECT count(*) AS n {source} WHERE {where}"
        rows = self._read(sql, params, query)
        return int(rows[0]["n"])

    def feed_known(self, feed: str) -> bool:
        """Whether a feed of this name (any case) or URL was ever polled."""
        row = self.db.execute(
            """SELECT 1 FROM feeds WHERE name = ? COLLATE NOCASE OR url = ?
                 OR effective_url = ? LIMIT 1""",
            [feed, feed, feed],
        ).fetchone()
        return row is not None

    def _search_clauses(
        self,
        query: str,
        watch: str | None,
        min_level: str | None,
        feed: str | None,
        since: datetime | None,
        until: datetime | None,
        *,
        correlated: bool = True,
    ) -> tuple[str, str, list[Any]]:
        """The FROM part, the WHERE conditions and their parameters of a search.

        The score filters are ``EXISTS`` subqueries, asked of each article as a page
        walks them newest first (and stops when it is full), or with ``correlated``
        false one ``IN`` set for all of them, which is what counting, or filtering
        every match of a query, needs.
        """
        source = "FROM articles a JOIN feeds f ON f.id = a.feed_id"
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        expression = fts_query(query)
        if expression is not None:
            source += " JOIN articles_fts ON articles_fts.rowid = a.id"
            where.append("articles_fts MATCH ?")
            params.append(expression)
        # Every article when ``min_level`` is None; else those at one of ``levels``.
        levels = levels_from(min_level)
        level_clause = f"(? IS NULL OR s.level IN ({','.join('?' * len(levels))}))"
        scored = (
            "EXISTS (SELECT 1 FROM scores s WHERE s.article_id = a.id AND {})"
            if correlated
            else "a.id IN (SELECT s.article_id FROM scores s WHERE {})"
        )
        if watch is not None:
            where.append(scored.format(f"s.watch = ? AND s.in_scope = 1 AND {level_clause}"))
            params += [watch, min_level, *levels]
        elif min_level is not None:
            where.append(scored.format(level_clause))
            params += [min_level, *levels]
        if feed is not None:
            where.append(
                """EXISTS (SELECT 1 FROM article_sources src JOIN feeds sf ON sf.id = src.feed_id
                   WHERE src.article_id = a.id AND (sf.name = ? COLLATE NOCASE OR sf.url = ?
                   OR sf.effective_url = ?))"""
            )
            params += [feed, feed, feed]
        if since is not None:
            where.append(f"{_MOMENT} >= ?")
            params.append(iso(since))
        if until is not None:
            where.append(f"{_MOMENT} < ?")
            params.append(iso(until))
        return source, " AND ".join(where), params

    def _read(self, sql: str, params: Sequence[Any], query: str) -> list[dict[str, Any]]:
        """Run a search; an SQLite error becomes one ``MonitorError`` naming the query."""
        try:
            return list(self.db.query(sql, params))
        except sqlite3.OperationalError as exc:
            raise MonitorError(f"cannot search for {query!r}: {exc}") from exc

    def _scores_of(self, article_ids: Sequence[int]) -> dict[int, tuple[WatchScore, ...]]:
        found: dict[int, list[WatchScore]] = {}
        if article_ids:
            marks = ",".join("?" * len(article_ids))
            for row in self.db.query(
                f"""SELECT article_id, watch, score, level, in_scope FROM scores
                    WHERE article_id IN ({marks}) ORDER BY watch""",  # noqa: S608 (placeholders)
                list(article_ids),
            ):
                found.setdefault(row["article_id"], []).append(
                    WatchScore(row["watch"], row["score"], row["level"], bool(row["in_scope"]))
                )
        return {article_id: tuple(scores) for article_id, scores in found.items()}

    def export_rows(
        self, *, since: datetime | None = None, watch: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """One row per stored article and watch score (oldest article first), read
        lazily from the database: articles fetched at or after ``since``; only the
        scores of ``watch`` (and only articles it scored) when given. An article no
        watch scored has one row with ``watch`` and its score columns ``None``."""
        join = (
            "JOIN scores s ON s.article_id = a.id AND s.watch = ?"
            if watch
            else ("LEFT JOIN scores s ON s.article_id = a.id")
        )
        params: list[Any] = [watch] if watch else []
        params.append(iso(since) if since else "")
        yield from self.db.query(
            f"""SELECT a.id, a.published_at, a.fetched_at, COALESCE(f.name, f.title, f.url)
                  AS feed, f.url AS feed_url, a.url, a.title, a.summary, s.watch, s.score,
                  s.level, s.in_scope, s.rules_version, s.hits
                FROM articles a JOIN feeds f ON f.id = a.feed_id {join}
                WHERE a.fetched_at >= ? ORDER BY a.id, s.watch""",  # noqa: S608 (fixed clauses)
            params,
        )

    def articles_fetched_since(self, since: datetime) -> Iterator[tuple[int, Article]]:
        """Every article fetched at or after ``since``, oldest first, as scoring reads it."""
        for row in self.db.query(
            """SELECT id, guid, url, canonical_url, title, summary, published_at, content_hash
               FROM articles WHERE fetched_at >= ? ORDER BY id""",
            [iso(since)],
        ):
            published = row["published_at"]
            yield (
                row["id"],
                Article(
                    guid=row["guid"],
                    url=row["url"],
                    canonical_url=row["canonical_url"],
                    title=row["title"],
                    summary=row["summary"],
                    published_at=datetime.fromisoformat(published) if published else None,
                    content_hash=row["content_hash"],
                ),
            )

    def fired_articles(self, since: datetime) -> list[FiredArticle]:
        """Each article fetched since ``since`` that an article alert covers, per watch,
        at the level it scored when it was stored (the alert's level if its score is gone)."""
        rows = self.db.query(
            """SELECT al.watch, a.id AS article_id, al.id AS alert_id,
                 COALESCE(s.level, al.level) AS level, a.title
               FROM alerts al JOIN json_each(al.article_ids) j
               JOIN articles a ON a.id = j.value
               LEFT JOIN scores s ON s.article_id = a.id AND s.watch = al.watch
               WHERE al.kind = 'article' AND a.fetched_at >= ?
               ORDER BY al.watch, a.id, al.id""",
            [iso(since)],
        )
        return [FiredArticle(**row) for row in rows]

    def article_outlets(self, since: datetime) -> dict[int, ArticleOutlets]:
        """Each article fetched since ``since``: when, and every outlet that carried it
        (its own feed, if no source was recorded), first seen first."""
        outlets: dict[int, ArticleOutlets] = {}
        for article_id, fetched, feed_id, seen in self.db.execute(
            """SELECT a.id, a.fetched_at, COALESCE(s.feed_id, a.feed_id),
                 COALESCE(s.seen_at, a.fetched_at)
               FROM articles a LEFT JOIN article_sources s ON s.article_id = a.id
               WHERE a.fetched_at >= ? ORDER BY a.id, 4, s.id""",
            [iso(since)],
        ):
            known = outlets.get(article_id)
            carried = (int(feed_id), datetime.fromisoformat(seen))
            if known is None:
                outlets[article_id] = ArticleOutlets(datetime.fromisoformat(fetched), (carried,))
            else:
                outlets[article_id] = ArticleOutlets(known.fetched_at, (*known.outlets, carried))
        return outlets

    def notification_events(self, alert_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """The notifications each of ``alert_ids`` queued, once per event (``firing``,
        ``firing:LEVEL``, ``update:TIME``, ``resolved``) however many channels, in order."""
        events: dict[int, tuple[str, ...]] = {}
        for alert_id, event in self.db.execute(
            """SELECT alert_id, event FROM deliveries
               WHERE alert_id IN (SELECT value FROM json_each(?))
               GROUP BY alert_id, event ORDER BY alert_id, min(id)""",
            [json.dumps(list(alert_ids))],
        ):
            events[alert_id] = (*events.get(alert_id, ()), event)
        return events


def _excerpt(summary: str) -> str:
    """The opening of a summary, cut at a word."""
    if len(summary) <= EXCERPT_CHARS:
        return summary
    return summary[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"

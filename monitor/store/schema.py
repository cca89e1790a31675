"""The schema, as numbered migrations (``sqlite_utils.Migrations``).

Each runs once, in order, in a transaction, and is recorded in the database,
so an old file is upgraded in place. Never edit a migration that has shipped:
add the next one.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

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


@migrations(name="0006_feed_moves_and_gone")
def _feed_moves_and_gone(db: sqlite_utils.Database) -> None:
    # ``url`` stays the feed's identity (the URL feeds.yaml names); a permanent
    # redirect sets ``effective_url``, where it is fetched from. ``gone_at``:
    # the feed answered 410 and is not polled until ``config_hash`` (its
    # feeds.yaml entry) changes or ``monitor feeds enable`` clears it.
    db.execute("ALTER TABLE feeds ADD COLUMN effective_url TEXT")
    db.execute("ALTER TABLE feeds ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE feeds ADD COLUMN gone_at TEXT")
    db.execute("ALTER TABLE feeds ADD COLUMN config_hash TEXT")


@migrations(name="0007_daemon_state")
def _daemon_state(db: sqlite_utils.Database) -> None:
    # What the running daemon last said about itself, for `monitor status`
    # in another process: one row, rewritten on every tick and reload.
    db.execute(
        """CREATE TABLE daemon_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL,
            config_fingerprint TEXT NOT NULL,
            config_loaded_at TEXT NOT NULL,
            config_error TEXT,
            last_cycle_at TEXT,
            last_cycle TEXT,
            stopped_at TEXT
        )"""
    )


@migrations(name="0008_retention")
def _retention(db: sqlite_utils.Database) -> None:
    # The dedup keys of pruned articles, so that a feed still carrying an old
    # entry does not bring it back as new (and alert on it again).
    db.execute(
        """CREATE TABLE pruned_articles (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL,
            guid TEXT NOT NULL,
            canonical_url TEXT,
            content_hash TEXT NOT NULL,
            pruned_at TEXT NOT NULL,
            seen_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX pruned_articles_guid ON pruned_articles(feed_id, guid)")
    db.execute("CREATE INDEX pruned_articles_url ON pruned_articles(canonical_url)")
    db.execute("CREATE INDEX pruned_articles_hash ON pruned_articles(content_hash)")
    db.execute("CREATE INDEX pruned_articles_seen ON pruned_articles(seen_at)")
    db.execute("CREATE INDEX index_history_at ON index_history(at)")
    # When each housekeeping task last ran (the scheduler holds no state).
    db.execute("CREATE TABLE maintenance (task TEXT PRIMARY KEY, last_run_at TEXT NOT NULL)")


@migrations(name="0009_decision_reasons")
def _decision_reasons(db: sqlite_utils.Database) -> None:
    # Why each decision went the way it did, recorded when it was made, for
    # `monitor explain`: why an article is out of scope, whether it reached the
    # alert level, which alert it opened or joined; why a notification was not
    # sent (a silence, the channel's min_level).
    db.execute("ALTER TABLE scores ADD COLUMN scope_miss TEXT")
    db.execute("ALTER TABLE scores ADD COLUMN decision TEXT")
    db.execute("ALTER TABLE scores ADD COLUMN alert_id INTEGER")
    db.execute("ALTER TABLE deliveries ADD COLUMN reason TEXT")


@migrations(name="0010_story_names")
def _story_names(db: sqlite_utils.Database) -> None:
    # The gazetteer's places and actors each score names (JSON lists), which
    # story grouping compares; the story a new story follows up.
    db.execute("ALTER TABLE scores ADD COLUMN places TEXT")
    db.execute("ALTER TABLE scores ADD COLUMN actors TEXT")
    db.execute("ALTER TABLE alerts ADD COLUMN follows INTEGER")


@migrations(name="0011_story_corrections")
def _story_corrections(db: sqlite_utils.Database) -> None:
    # Stories corrected by hand (`monitor stories merge` and `split`), one row
    # per article moved. merge: ``other_alert_id``'s articles moved into
    # ``alert_id``, which it is now merged into; split: ``article_id`` moved out
    # of ``alert_id`` into the new story ``other_alert_id``.
    db.execute(
        """CREATE TABLE story_corrections (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('merge', 'split')),
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            other_alert_id INTEGER NOT NULL REFERENCES alerts(id),
            article_id INTEGER NOT NULL REFERENCES articles(id),
            at TEXT NOT NULL,
            note TEXT
        )"""
    )
    db.execute("CREATE INDEX story_corrections_alert ON story_corrections(alert_id)")
    db.execute("CREATE INDEX story_corrections_other ON story_corrections(other_alert_id)")


@migrations(name="0012_story_resolution")
def _story_resolution(db: sqlite_utils.Database) -> None:
    # A story ends after resolve_after without a new report: ``last_report_at``
    # is when an article last joined the alert (its opening, if none joined
    # since), ``resolution`` why it resolved, for `monitor alerts show`. An
    # article joins a story in the cycle that stores it, so an older alert's
    # latest report is its newest article's fetched_at (its opening if none is
    # left).
    db.execute("ALTER TABLE alerts ADD COLUMN last_report_at TEXT")
    db.execute("ALTER TABLE alerts ADD COLUMN resolution TEXT")
    db.execute(
        """UPDATE alerts SET last_report_at = COALESCE(
             (SELECT max(a.fetched_at) FROM json_each(alerts.article_ids) j
              JOIN articles a ON a.id = j.value), opened_at)"""
    )


@migrations(name="0013_article_language")
def _article_language(db: sqlite_utils.Database) -> None:
    # The language of each article (an ISO 639 code, e.g. ``sr``): the one its
    # feed declares, else the one detected from its text; NULL when unknown
    # (and for articles stored before this migration).
    db.execute("ALTER TABLE articles ADD COLUMN language TEXT")


@migrations(name="0014_score_capped_by")
def _score_capped_by(db: sqlite_utils.Database) -> None:
    # The signal whose ``at_most`` held a score's level below what its points
    # reach (a headline about a funeral: at most warning), for `monitor explain`.
    db.execute("ALTER TABLE scores ADD COLUMN capped_by TEXT")


@migrations(name="0015_delivery_targets")
def _delivery_targets(db: sqlite_utils.Database) -> None:
    # The targets of a many-target channel (Apprise) that accepted a notification
    # (``key``, its idempotency key), so that a retry, even after a restart, sends
    # only to those that did not. ``target`` is a digest of the target's URL,
    # never the URL (a secret).
    db.execute(
        """CREATE TABLE delivery_targets (
            key TEXT NOT NULL,
            target TEXT NOT NULL,
            accepted_at TEXT NOT NULL,
            PRIMARY KEY (key, target)
        )"""
    )


@migrations(name="0016_pages")
def _pages(db: sqlite_utils.Database) -> None:
    # What the web pages ask of a year of news (tests/bench/bench_pages.py: 100,000
    # articles, 5,000 stories): each feed's articles of the last 24 hours (a range
    # of this index, not every article of the feed); a watch's latest alerts and
    # those opened since a moment (the first rows of an index, not every alert
    # sorted); search results newest first, with no query or through FTS5 (the
    # dates and the feed read from a narrow index, not from each article's row);
    # the articles a search's watch and level filters let through (from the scores'
    # index, not their rows); the stories that follow one up; the front page's
    # stories with a recent report (its stories and where panels).
    # IF NOT EXISTS: another migration of the same release may make one of them too.
    for index in (
        "articles_feed_fetched ON articles(feed_id, fetched_at)",
        "articles_moment ON articles(COALESCE(published_at, fetched_at))",
        "articles_dates ON articles(id, feed_id, published_at, fetched_at)",
        "alerts_watch_updated ON alerts(watch, updated_at)",
        "alerts_watch_opened ON alerts(watch, opened_at)",
        "alerts_watch_report ON alerts(watch, kind, last_report_at)",
        "alerts_follows ON alerts(follows) WHERE follows IS NOT NULL",
        "scores_watch_level ON scores(watch, in_scope, level, article_id)",
        "scores_level ON scores(level, article_id)",
    ):
        db.execute(f"CREATE INDEX IF NOT EXISTS {index}")


@migrations(name="0017_headline_places")
def _headline_places(db: sqlite_utils.Database) -> None:
    # Of the places each score names (JSON list), those its article's headline
    # names: a headline says where the event happened, and story grouping keeps
    # apart reports whose headlines name places far apart. Older scores have
    # none, and group as they did.
    db.execute("ALTER TABLE scores ADD COLUMN headline_places TEXT")

"""The only package that touches SQLite: feeds, articles, scores, alerts, the outbox.

The database runs in WAL mode; the pipeline wraps each poll result in one
``transaction()`` so articles, scores, alerts and deliveries commit together
or not at all. Times are stored as ISO 8601 strings in UTC, which sort as they
compare. ``Store`` gathers one part per aggregate (feeds, articles, alerts,
outbox, index), retention (pruning, VACUUM, figures), search (reading
articles back) and what the web pages read (``dashboard``, ``pages``);
``schema`` holds the migrations. ``Store(path, readonly=True)`` opens an
existing file for commands that only read (search, export, backtest, the
pages): nothing they do can change it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from monitor.errors import MonitorError
from monitor.store.alerts import AlertsMixin
from monitor.store.articles import ArticlesMixin
from monitor.store.daemon_state import DaemonMixin
from monitor.store.dashboard import DashboardMixin
from monitor.store.feeds import FeedsMixin
from monitor.store.index import IndexMixin
from monitor.store.outbox import OutboxMixin
from monitor.store.pages import PagesMixin
from monitor.store.records import (
    DaemonRecord,
    FeedSpec,
    FeedSync,
    IndexState,
    PendingDelivery,
    PollRecord,
    StoredArticle,
    iso,
)
from monitor.store.retention import PruneReport, RetentionMixin
from monitor.store.schema import migrations
from monitor.store.search import ArticleOutlets, FiredArticle, FoundArticle, SearchMixin, WatchScore
from monitor.store.stories import StoryRow

__all__ = [
    "ArticleOutlets",
    "DaemonRecord",
    "FeedSpec",
    "FeedSync",
    "FiredArticle",
    "FoundArticle",
    "IndexState",
    "PendingDelivery",
    "PollRecord",
    "PruneReport",
    "Store",
    "StoredArticle",
    "StoryRow",
    "WatchScore",
    "iso",
    "migrations",
]


class Store(
    FeedsMixin,
    ArticlesMixin,
    AlertsMixin,
    OutboxMixin,
    IndexMixin,
    DaemonMixin,
    RetentionMixin,
    DashboardMixin,
    PagesMixin,
    SearchMixin,
):
    """A monitor database file, migrated to the current schema on open."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        if readonly:
            self._open_readonly(path)
            return
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

    def _open_readonly(self, path: Path) -> None:
        """Open an existing, current database through a read-only SQLite connection."""
        if not path.is_file():
            raise MonitorError(f"no database at {path}: monitor has not run yet")
        try:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            self.db = sqlite_utils.Database(connection)
            self.db.execute("PRAGMA busy_timeout = 5000")
            pending = migrations.pending(self.db)
        except sqlite3.Error as exc:
            raise MonitorError(f"cannot open database {path}: {exc}") from exc
        if pending:
            self.db.close()
            raise MonitorError(
                f"database {path} predates this version of monitor: run 'monitor db stats' "
                "once to upgrade it"
            )
        self.path = path

    def close(self) -> None:
        """Close the database file."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one transaction: all of it commits, or none of it."""
        with self.db.atomic():
            yield

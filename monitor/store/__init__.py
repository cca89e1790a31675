"""The only package that touches SQLite: feeds, articles, scores, alerts, the outbox.

The database runs in WAL mode; the pipeline wraps each poll result in one
``transaction()`` so articles, scores, alerts and deliveries commit together
or not at all. Times are stored as ISO 8601 strings in UTC, which sort as they
compare. ``Store`` gathers one part per aggregate (feeds, articles, alerts,
outbox, index) and retention (pruning, VACUUM, figures); ``schema`` holds the
migrations.
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
from monitor.store.daemon import DaemonMixin
from monitor.store.dashboard import DashboardMixin
from monitor.store.feeds import FeedsMixin
from monitor.store.index import IndexMixin
from monitor.store.outbox import OutboxMixin
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

__all__ = [
    "DaemonRecord",
    "FeedSpec",
    "FeedSync",
    "IndexState",
    "PendingDelivery",
    "PollRecord",
    "PruneReport",
    "Store",
    "StoredArticle",
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
):
    """A monitor database file, migrated to the current schema on open."""

    def __init__(self, path: Path) -> None:
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

    @classmethod
    def read_only(cls, path: Path) -> Store:
        """The database at ``path``, opened for reading only, from any thread.

        The file must exist; nothing is migrated and every write fails. WAL
        readers never block the daemon's writes, so pages and reports may run
        their queries beside it.
        """
        if not path.exists():
            raise MonitorError(f"no database at {path}: monitor has not run yet")
        store = cls.__new__(cls)
        try:
            connection = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            connection.execute("PRAGMA busy_timeout = 5000")
        except sqlite3.Error as exc:
            raise MonitorError(f"cannot open database {path}: {exc}") from exc
        store.db = sqlite_utils.Database(connection)
        store.path = path
        return store

    def close(self) -> None:
        """Close the database file."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one transaction: all of it commits, or none of it."""
        with self.db.atomic():
            yield

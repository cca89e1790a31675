"""Values the store hands out, and the one time format it keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

import sqlite_utils

from monitor.models import Alert, Article, FetchOutcome


def iso(moment: datetime) -> str:
    """Format ``moment`` the way every time is stored: ISO 8601, UTC, seconds."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoredArticle:
    """An article the store has just inserted, with its row id."""

    id: int
    article: Article


@dataclass(frozen=True)
class PendingDelivery:
    """An outbox row that is due, with the alert it carries."""

    id: int
    alert_id: int
    channel: str
    attempts: int
    alert: Alert
    created_at: datetime
    event: str = "firing"


@dataclass(frozen=True)
class IndexState:
    """A watch's tension index as last computed, and the index alert it keeps open."""

    value: float
    updated_at: datetime
    level: str | None = None
    alert_id: int | None = None


@dataclass(frozen=True)
class PollRecord:
    """What to remember about a feed after one poll."""

    status: FetchOutcome
    status_code: int | None
    etag: str | None
    last_modified: str | None
    title: str | None
    consecutive_errors: int
    next_poll_at: datetime
    error: str | None


class FeedSpec(NamedTuple):
    """A feed as feeds.yaml configures it, for ``sync_feeds``.

    ``config_hash`` fingerprints the feed's whole entry: when it changes, a
    feed that answered 410 Gone is polled again.
    """

    url: str
    name: str | None
    interval: float
    enabled: bool = True
    config_hash: str | None = None


@dataclass(frozen=True)
class FeedSync:
    """What ``sync_feeds`` changed beyond names and intervals, for the log."""

    revived: list[str] = field(default_factory=list)  # gone feeds whose entry changed
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old URL, new URL)


class StoreBase:
    """What every part of the store works on: one sqlite-utils database."""

    db: sqlite_utils.Database


@dataclass(frozen=True)
class DaemonRecord:
    """What the running daemon last said about itself."""

    pid: int
    started_at: datetime
    heartbeat_at: datetime
    config_fingerprint: str
    config_loaded_at: datetime
    config_error: str | None = None  # the last reload's first problem, until one succeeds
    last_cycle_at: datetime | None = None
    last_cycle: str | None = None  # the last cycle's summary line
    stopped_at: datetime | None = None  # set when the daemon exits cleanly

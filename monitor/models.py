"""The values that pipeline stages exchange: frozen dataclasses, no library objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

FetchOutcome = Literal["ok", "not_modified", "error"]


@dataclass(frozen=True)
class FeedState:
    """What the store remembers about a feed between polls."""

    id: int
    url: str
    name: str | None
    interval: float
    etag: str | None = None
    last_modified: str | None = None
    consecutive_errors: int = 0
    effective_url: str | None = None  # where it moved (301/308); ``url`` stays its identity

    @property
    def fetch_url(self) -> str:
        """The URL to request: where the feed moved permanently, else its configured URL."""
        return self.effective_url or self.url


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one HTTP (or file) fetch of a feed."""

    url: str
    outcome: FetchOutcome
    status_code: int | None = None
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    retry_after: float | None = None
    moved_to: str | None = None  # the last URL reached through permanent redirects only


@dataclass(frozen=True)
class FeedEntry:
    """One entry as the feed gave it, before normalization."""

    guid: str | None
    link: str | None
    title: str
    summary_html: str
    published: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    """The entries of a feed and, for a malformed but usable feed, its error."""

    title: str | None
    entries: tuple[FeedEntry, ...]
    error: str | None = None


@dataclass(frozen=True)
class Article:
    """One normalized article: plain text, canonical URL, UTC dates, dedup keys."""

    guid: str
    url: str | None
    canonical_url: str | None
    title: str
    summary: str
    published_at: datetime | None
    content_hash: str


@dataclass(frozen=True)
class Hit:
    """One matched term: which signal, what text, where, and the points it gave."""

    signal: str
    term: str
    text: str
    field: Literal["title", "text"]
    start: int
    end: int
    points: float
    boosted: bool = False
    capped: bool = False
    negated: bool = False

    def as_dict(self) -> dict[str, str | int | float | bool]:
        """The hit as JSON-ready values (``dataclasses.asdict`` is ten times slower)."""
        return {
            "signal": self.signal,
            "term": self.term,
            "text": self.text,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "points": self.points,
            "boosted": self.boosted,
            "capped": self.capped,
            "negated": self.negated,
        }


@dataclass(frozen=True)
class Score:
    """An article's score against one watch, with every hit that made it."""

    watch: str
    score: float
    level: str | None
    in_scope: bool
    rules_version: str
    hits: tuple[Hit, ...] = field(default=())
    excluded_by: int | None = None

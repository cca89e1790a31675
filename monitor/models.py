"""The values that pipeline stages exchange: frozen dataclasses, no library objects."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

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
    language: str | None = None  # as the feed declares it (``xml:lang``, ``<language>``)


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
    language: str | None = None  # the feed's declared language (``sr``); ``None``: detect it


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
    scope_miss: str | None = None  # why it is out of scope, in words
    places: tuple[str, ...] = ()  # the watch's places it names, first named first
    actors: tuple[str, ...] = ()  # the watch's actors it names, first named first
    capped_by: str | None = None  # the signal whose at_most held the level down
    headline_places: tuple[str, ...] = ()  # of its places, those its headline names

    @property
    def event_types(self) -> tuple[str, ...]:
        """The signals that raised the score: what kind of event it reports."""
        return event_types((hit.signal, hit.points) for hit in self.hits)

    def follow_up(self, signals: Collection[str]) -> str:
        """The headline's term by one of ``signals`` (``story.follow_ups``), if any."""
        return follow_up(((hit.signal, hit.field, hit.text) for hit in self.hits), signals)


def follow_up(hits: Iterable[tuple[str, str, str]], signals: Collection[str]) -> str:
    """The term by which a report's headline tells of what followed an event: the first
    of its hits ``(signal, field, text)`` in the title by one of ``signals`` (the
    watch's ``story.follow_ups``); empty when it tells of an event itself."""
    return next(
        (text for signal, where, text in hits if where == "title" and signal in signals), ""
    )


def event_types(hits: Iterable[tuple[str, float]]) -> tuple[str, ...]:
    """The signals of ``(signal, points)`` hits that raised a score: the kinds of event
    an article reports, the one that gave the most points first (its main kind; the
    first hit first among equals)."""
    points: dict[str, float] = {}
    for signal, gained in hits:
        if gained > 0:
            points[signal] = points.get(signal, 0.0) + gained
    return tuple(sorted(points, key=lambda signal: -points[signal]))


@dataclass(frozen=True)
class Silence:
    """An operator's silence: it mutes ``watch`` (only ``level`` of it, if set) until ``until``."""

    id: int
    watch: str
    level: str | None
    until: datetime
    reason: str


ALERT_SCHEMA = "monitor.alert/1"


@dataclass(frozen=True)
class AlertHit:
    """One hit as an alert carries it: what matched and the points it gave (no offsets)."""

    signal: str
    term: str
    text: str
    field: str
    points: float
    boosted: bool = False
    capped: bool = False
    negated: bool = False

    def to_json(self) -> dict[str, object]:
        """The hit as the alert document has it, its keys in their stable order."""
        return {
            "signal": self.signal,
            "term": self.term,
            "text": self.text,
            "field": self.field,
            "points": self.points,
            "boosted": self.boosted,
            "capped": self.capped,
            "negated": self.negated,
        }

    @classmethod
    def from_json(cls, hit: Mapping[str, Any]) -> AlertHit:
        """A hit as an alert document or a stored score has it (offsets are left out)."""
        return cls(
            signal=hit["signal"],
            term=hit["term"],
            text=hit["text"],
            field=hit["field"],
            points=hit["points"],
            boosted=hit.get("boosted", False),
            capped=hit.get("capped", False),
            negated=hit.get("negated", False),
        )


@dataclass(frozen=True)
class AlertArticle:
    """One article an alert carries: untrusted feed text, escaped by each channel."""

    title: str | None
    url: str | None
    source: str | None
    published: str | None
    score: float | None
    hits: tuple[AlertHit, ...] = ()
    # Its text, for the alert's excerpt only: not part of the alert document.
    summary: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AlertSource:
    """One outlet that carried a story, and where."""

    source: str | None
    url: str | None


@dataclass(frozen=True)
class Story:
    """What a story alert knows of its event: where, what, who reported it, and when."""

    places: tuple[str, ...]
    event_types: tuple[str, ...]
    outlets: int
    reports: int
    first_report: str | None
    last_report: str | None
    breaking: bool = False
    follows: int | None = None  # the story (alert id) this one follows up
    languages: tuple[str, ...] = ()  # the languages of its reports (codes, sorted)

    def to_json(self) -> dict[str, object]:
        """The ``story`` object of the alert document."""
        return {
            "places": list(self.places),
            "event_types": list(self.event_types),
            "outlets": self.outlets,
            "reports": self.reports,
            "first_report": self.first_report,
            "last_report": self.last_report,
            "breaking": self.breaking,
            "follows": self.follows,
            "languages": list(self.languages),
        }

    @classmethod
    def from_json(cls, story: Mapping[str, Any]) -> Story:
        """Read back a ``story`` object ``to_json`` made."""
        return cls(
            places=tuple(story.get("places") or ()),
            event_types=tuple(story.get("event_types") or ()),
            outlets=int(story.get("outlets") or 0),
            reports=int(story.get("reports") or 0),
            first_report=story.get("first_report"),
            last_report=story.get("last_report"),
            breaking=bool(story.get("breaking")),
            follows=story.get("follows"),
            languages=tuple(story.get("languages") or ()),
        )

    def breadth(self) -> str:
        """``reported by 5 outlets in 3 languages`` (the languages only when there are
        several; with ``, breaking``), in words for a message."""
        outlets = f"{self.outlets} outlet{'s' * (self.outlets != 1)}"
        languages = f" in {len(self.languages)} languages" if len(self.languages) > 1 else ""
        return f"reported by {outlets}{languages}" + (", breaking" if self.breaking else "")


@dataclass(frozen=True)
class Alert:
    """One notification's content, from the alert policy to the channels.

    ``to_json`` and ``from_json`` are the one place where the ``monitor.alert/1``
    document is made and read: the webhook sends it as its body, byte for byte
    the stable contract, and the store keeps it with every notification.
    Optional parts belong to some kinds only: ``sources`` and ``story`` to
    story alerts (kind ``article``), ``index`` to the tension index, ``count`` and
    ``baseline`` to spikes, ``message`` to the monitor's own and test alerts.
    """

    key: str
    kind: str
    state: str
    watch: str
    level: str
    score: float
    created_at: datetime
    articles: tuple[AlertArticle, ...] = ()
    sources: tuple[AlertSource, ...] | None = None
    index: float | None = None
    count: int | None = None
    baseline: float | None = None
    message: str | None = None
    story: Story | None = None
    excerpt: str | None = None  # the start of the story's first report, capped
    number: int | None = None  # the alert's id, as ``monitor alerts show`` takes it
    link: str | None = None  # the alert on the dashboard (``http.public_url``)

    @property
    def resolved(self) -> bool:
        """Whether this notification says the alert is over."""
        return self.state == "resolved"

    def to_json(self) -> dict[str, object]:
        """The ``monitor.alert/1`` document, its keys in their stable order."""
        document: dict[str, object] = {
            "schema": ALERT_SCHEMA,
            "id": self.key,
            "kind": self.kind,
            "state": self.state,
            "watch": self.watch,
            "level": self.level,
            "score": self.score,
            "created_at": self.created_at.isoformat(timespec="seconds"),
        }
        for name in ("index", "count", "baseline", "message"):
            value = getattr(self, name)
            if value is not None:
                document[name] = value
        document["articles"] = [
            {
                "title": article.title,
                "url": article.url,
                "source": article.source,
                "published": article.published,
                "score": article.score,
                "hits": [hit.to_json() for hit in article.hits],
            }
            for article in self.articles
        ]
        if self.sources is not None:
            document["sources"] = [
                {"source": source.source, "url": source.url} for source in self.sources
            ]
        if self.story is not None:
            document["story"] = self.story.to_json()
        # Keys added since monitor.alert/1 was recorded: only at the end.
        for name, key in (("excerpt", "excerpt"), ("number", "alert"), ("link", "link")):
            value = getattr(self, name)
            if value is not None:
                document[key] = value
        return document

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Alert:
        """Read back a document ``to_json`` made (as stored by this or an earlier version)."""
        sources = document.get("sources")
        story = document.get("story")
        return cls(
            key=str(document["id"]),
            kind=str(document["kind"]),
            state=str(document["state"]),
            watch=str(document["watch"]),
            level=str(document["level"]),
            score=document["score"],
            created_at=datetime.fromisoformat(document["created_at"]),
            articles=tuple(
                AlertArticle(
                    title=article.get("title"),
                    url=article.get("url"),
                    source=article.get("source"),
                    published=article.get("published"),
                    score=article.get("score"),
                    hits=tuple(AlertHit.from_json(hit) for hit in article.get("hits") or ()),
                )
                for article in document.get("articles") or ()
            ),
            sources=None
            if sources is None
            else tuple(AlertSource(s.get("source"), s.get("url")) for s in sources),
            index=document.get("index"),
            count=document.get("count"),
            baseline=document.get("baseline"),
            message=document.get("message"),
            story=None if story is None else Story.from_json(story),
            excerpt=document.get("excerpt"),
            number=document.get("alert"),
            link=document.get("link"),
        )

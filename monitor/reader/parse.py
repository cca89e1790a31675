"""Parsing fetched bytes with feedparser into plain ``FeedEntry`` values.

feedparser only ever sees bytes (never a URL, so it never fetches anything).
A feed it flags as malformed ("bozo") but that still yields entries is used,
and its error is kept to be recorded on the feed.

A document whose DOCTYPE declares entities is refused before feedparser
sees it (defusedxml's rule): expat would expand a "billion laughs" until
its amplification limit, seconds of CPU per poll, and feedparser's loose
parser has no such limit. News feeds never need their own entities.
External entities and DTDs are never read (expat is given no handler for
them), so a feed cannot pull a local file into an article.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from typing import Any
from xml.parsers import expat

import feedparser

from monitor.errors import ParseError
from monitor.models import FeedEntry, FetchResult, ParsedFeed


def parse_feed(result: FetchResult) -> ParsedFeed:
    """Parse a fetched feed body, or raise ``ParseError`` if it yields no usable feed."""
    if declares_entities(result.body):
        raise ParseError(
            "refused: the document declares XML entities in its DOCTYPE "
            "(an entity-expansion attack, or nothing a news feed needs)"
        )
    headers = {"content-location": result.url}
    if result.content_type:
        headers["content-type"] = result.content_type
    # Markup is reduced to plain text in ``normalize``, so feedparser's own HTML
    # sanitizing and link rewriting would be work thrown away (a third of its time).
    parsed = feedparser.parse(
        io.BytesIO(result.body),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    error = _bozo_message(parsed) if _malformed(parsed) else None
    if not parsed.entries:
        if error is not None:
            raise ParseError(f"not a usable feed: {error}")
        if not parsed.get("version"):
            raise ParseError("not a feed: no RSS, Atom or RDF channel found")
    feed = parsed.get("feed", {})
    language = _text(feed.get("language"))
    return ParsedFeed(
        title=feed.get("title") or None,
        entries=tuple(_entry(entry, language) for entry in parsed.entries),
        error=error,
    )


class _EntityDeclaredError(Exception):
    pass


class _PrologEndedError(Exception):
    pass


def declares_entities(body: bytes) -> bool:
    """Whether the document declares an entity (general or parameter) before its root element.

    expat reads only the prolog: the first declaration or the root element's
    start stops it, before anything is expanded. When expat cannot read the
    prolog (an encoding it does not know, broken markup), any ``<!ENTITY``
    in the bytes counts, NUL bytes removed so UTF-16 and UTF-32 are caught too.
    """
    parser = expat.ParserCreate()

    def declared(*_: object) -> None:
        raise _EntityDeclaredError

    def started(*_: object) -> None:
        raise _PrologEndedError

    parser.EntityDeclHandler = declared
    parser.StartElementHandler = started
    try:
        parser.Parse(body, True)
    except _EntityDeclaredError:
        return True
    except _PrologEndedError:
        return False
    except (expat.ExpatError, ValueError, LookupError):
        pass  # ValueError, LookupError: an encoding expat cannot read (Big5, "bogus")
    return b"<!entity" in body.replace(b"\0", b"").lower()


def _malformed(parsed: Any) -> bool:
    """Whether feedparser found the document itself broken.

    ``NonXMLContentType`` only says the Content-Type was missing (always, for
    ``file://``) or not an XML type (many servers say ``text/html``); the
    bytes parsed strictly, so the feed is fine and that is no error to record.
    """
    return bool(parsed.get("bozo")) and not isinstance(
        parsed.get("bozo_exception"), feedparser.NonXMLContentType
    )


def _bozo_message(parsed: Any) -> str:
    exception = parsed.get("bozo_exception")
    message = str(exception) if exception is not None else ""
    return f"{type(exception).__name__}: {message}" if message else type(exception).__name__


def _entry(entry: Any, feed_language: str | None) -> FeedEntry:
    return FeedEntry(
        guid=_text(entry.get("id")),
        link=_text(entry.get("link")),
        title=_text(entry.get("title")) or "",
        summary_html=_body(entry),
        published=_utc(_published(entry)),
        language=_language(entry) or feed_language,
    )


def _language(entry: Any) -> str | None:
    """The language an Atom entry declares for its title (``xml:lang``, inherited from
    the feed's); RSS declares one only for the whole channel (``<language>``)."""
    detail = entry.get("title_detail")
    return _text(detail.get("language")) if isinstance(detail, dict) else None


def _published(entry: Any) -> time.struct_time | None:
    """``published``, else ``updated``.

    Reading ``updated_parsed`` from an entry that has only ``published`` (with
    a date feedparser could not parse) makes feedparser warn about its issue
    310; ``in`` asks without that fallback.
    """
    parsed: time.struct_time | None = entry.get("published_parsed")
    if parsed is None and "updated_parsed" in entry:
        parsed = entry["updated_parsed"]
    return parsed


def _body(entry: Any) -> str:
    """The longest of the entry's summary and content values."""
    candidates = [_text(entry.get("summary")) or ""]
    candidates.extend(_text(part.get("value")) or "" for part in entry.get("content") or ())
    return max(candidates, key=len)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _utc(value: time.struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` values are already in UTC."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None

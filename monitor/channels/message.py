"""What every chat channel says about an alert, before its own markup. Pure.

Feed text is untrusted: each channel escapes what this module returns for its
own markup, and only http(s) links from feeds ever become links.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.models import Alert

MAX_ARTICLES = 10


@dataclass(frozen=True)
class Item:
    """One article of an alert: its title, a safe link (or none) and its source."""

    title: str
    url: str | None
    source: str | None


@dataclass(frozen=True)
class Message:
    """An alert reduced to plain text parts."""

    headline: str
    level: str
    resolved: bool
    items: tuple[Item, ...]
    note: str | None


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) link with a host, else ``None``."""
    if url is None:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def one_line(text: object) -> str:
    """``text`` on one line, control characters blanked."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())


def trim(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def message_of(alert: Alert) -> Message:
    """The parts of an alert that channels show."""
    kind, watch, level = one_line(alert.kind), one_line(alert.watch), one_line(alert.level)
    tag = "RESOLVED" if alert.resolved else level.upper()
    if watch == "system":
        headline = f"[{tag}] monitor itself: {kind}"
    elif kind == "index":
        headline = f"[{tag}] {watch}: tension index {alert.score:g}"
    elif kind == "spike":
        headline = f"[{tag}] {watch}: {alert.score:g} in-scope articles in one window"
    else:
        headline = f"[{tag}] {watch}: score {alert.score:g} ({kind})"
    items = tuple(
        Item(
            title=one_line(article.title or "untitled"),
            url=safe_url(article.url),
            source=one_line(article.source) if article.source else None,
        )
        for article in alert.articles[:MAX_ARTICLES]
    )
    sources = alert.sources or ()
    note = one_line(alert.message) if alert.message else None
    if len(sources) > 1:
        note = f"{len(sources)} sources" + (f"; {note}" if note else "")
    return Message(headline, level, alert.resolved, items, note)

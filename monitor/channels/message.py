"""What every chat channel says about an alert, before its own markup. Pure.

Feed text is untrusted: each channel escapes what this module returns for its
own markup, and only http(s) links from feeds ever become links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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


def safe_url(url: Any) -> str | None:
    """``url`` if it is an http(s) link with a host, else ``None``."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def one_line(text: Any) -> str:
    """``text`` on one line, control characters blanked."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())


def trim(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def message_of(payload: Mapping[str, Any]) -> Message:
    """The parts of an alert payload (schema ``monitor.alert/1``) that channels show."""
    kind, watch, level = (one_line(payload.get(key, "")) for key in ("kind", "watch", "level"))
    resolved = payload.get("state") == "resolved"
    tag = "RESOLVED" if resolved else level.upper()
    if watch == "system":
        headline = f"[{tag}] monitor itself: {kind}"
    elif kind == "index":
        headline = f"[{tag}] {watch}: tension index {payload.get('score', 0):g}"
    elif kind == "spike":
        headline = f"[{tag}] {watch}: {payload.get('score', 0):g} in-scope articles in one window"
    else:
        headline = f"[{tag}] {watch}: score {payload.get('score', 0):g} ({kind})"
    items = tuple(
        Item(
            title=one_line(article.get("title") or "untitled"),
            url=safe_url(article.get("url")),
            source=one_line(article["source"]) if article.get("source") else None,
        )
        for article in list(payload.get("articles") or [])[:MAX_ARTICLES]
    )
    sources = payload.get("sources") or []
    note = one_line(payload["message"]) if payload.get("message") else None
    if len(sources) > 1:
        note = f"{len(sources)} sources" + (f"; {note}" if note else "")
    return Message(headline, level, resolved, items, note)

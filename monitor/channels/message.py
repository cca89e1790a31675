"""What every chat channel says about an alert, before its own markup. Pure.

Feed text is untrusted: each channel escapes what this module returns for its
own markup (``monitor.channels.markup``), and only http(s) links from feeds are
kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from monitor.channels.markup import one_line, safe_url
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

    def lines(
        self,
        escape: Callable[[str], str],
        link: Callable[[str, str], str] | None = None,
        bullet: str = "•",
    ) -> list[str]:
        """One line per article (``bullet``, its title, as a ``link`` to its safe URL
        when given one, and its source in brackets), then the note; every part of
        feed text through the channel's ``escape``."""
        lines = []
        for item in self.items:
            title = link(item.url, item.title) if link and item.url else escape(item.title)
            lines.append(f"{bullet} {title}" + (f" ({escape(item.source)})" if item.source else ""))
        if self.note:
            lines.append(escape(self.note))
        return lines


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
    if alert.story is not None and alert.story.outlets > 1:
        note = _story_note(alert) + (f"; {note}" if note else "")
    elif len(sources) > 1:
        note = f"{len(sources)} sources" + (f"; {note}" if note else "")
    return Message(headline, level, alert.resolved, items, note)


def _story_note(alert: Alert) -> str:
    """``reported by 5 outlets, breaking; in Zvečan, Mitrovica; follows #12``."""
    assert alert.story is not None
    parts = [alert.story.breadth()]
    if alert.story.places:
        parts.append("in " + ", ".join(one_line(place) for place in alert.story.places[:3]))
    if alert.story.follows is not None:
        parts.append(f"follows #{alert.story.follows}")
    return "; ".join(parts)

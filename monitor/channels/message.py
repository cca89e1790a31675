"""What every chat channel says about an alert, before its own markup. Pure.

A story alert's headline says its level, what and where, and by how many
outlets (``[CRITICAL] Clashes in Zvečan: KFOR soldiers injured — 5 outlets``);
its body the places, the reasons (its top signals and the words that matched),
an excerpt, every outlet with its link, and the alert's number (the id
``monitor alerts show`` takes) with the link to its page on the dashboard
(``/alerts/N``) when it has one.
An index alert lists the stories that moved it.

Feed text is untrusted: each channel escapes what this module returns for its
own markup (``monitor.channels.markup``), and only http(s) links from feeds are
kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from monitor.channels.markup import one_line, safe_url, trim
from monitor.models import Alert, AlertArticle

MAX_ARTICLES = 10
MAX_OUTLETS = 20  # further outlets of a story, besides its articles
MAX_REASONS = 3  # signals named in a message
MAX_WORDS = 3  # matched words named per signal
TITLE_LIMIT = 120  # characters of a story's title in its headline
EXCERPT_LIMIT = 300


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
    places: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  # ``clashes: "clashed", "tear gas"``
    excerpt: str | None = None
    outlets: tuple[Item, ...] = ()  # outlets that carried the story besides its articles
    items_label: str | None = None  # what the items are (``Stories that moved it``)
    number: int | None = None
    link: str | None = None  # the alert on the dashboard (a safe URL)
    about: str | None = None  # a story's watch and score (``serbia-kosovo, score 68.5``)

    def footer(self) -> str | None:
        """``alert #12 · serbia-kosovo, score 68.5``: the number and what the headline
        leaves out."""
        parts = [f"alert #{self.number}"] if self.number is not None else []
        return " · ".join(parts + ([self.about] if self.about else [])) or None

    def lines(
        self,
        escape: Callable[[str], str],
        link: Callable[[str, str], str] | None = None,
        bullet: str = "•",
    ) -> list[str]:
        """The body: the places, the reasons, the excerpt, one line per article
        (``bullet``, its title, as a ``link`` to its safe URL when given one, and its
        source in brackets) and per further outlet, the note, then the alert's number
        (and its dashboard link); every part of feed text through ``escape``."""

        def linked(url: str | None, label: str) -> str:
            return link(url, label) if link and url else escape(label)

        lines = []
        if self.places:
            lines.append("Where: " + escape(", ".join(self.places)))
        if self.reasons:
            lines.append("Why: " + escape("; ".join(self.reasons)))
        if self.excerpt:
            lines.append(escape(f"“{self.excerpt}”"))
        if self.items_label and self.items:
            lines.append(escape(self.items_label + ":"))
        for item in (*self.items, *self.outlets):
            source = f" ({escape(item.source)})" if item.source else ""
            lines.append(f"{bullet} {linked(item.url, item.title)}{source}")
        if self.note:
            lines.append(escape(self.note))
        footer = self.footer()
        if footer:
            lines.append(escape(footer))
        if self.link:
            lines.append(linked(self.link, "on the dashboard") if link else escape(self.link))
        return lines


def message_of(alert: Alert) -> Message:
    """The parts of an alert that channels show."""
    kind, level = one_line(alert.kind), one_line(alert.level)
    outlet_of = {s.url: one_line(s.source) for s in alert.sources or () if s.url and s.source}
    items = tuple(_item(article, outlet_of) for article in alert.articles[:MAX_ARTICLES])
    sources = alert.sources or ()
    note = one_line(alert.message) if alert.message else None
    if alert.story is not None and alert.story.outlets > 1:
        note = _story_note(alert) + (f"; {note}" if note else "")
    elif len(sources) > 1:
        note = f"{len(sources)} sources" + (f"; {note}" if note else "")
    places = tuple(one_line(place) for place in alert.story.places) if alert.story else ()
    return Message(
        headline=headline_of(alert),
        level=level,
        resolved=alert.resolved,
        items=items,
        note=note,
        places=places,
        reasons=reasons_of(alert.articles),
        excerpt=trim(one_line(alert.excerpt), EXCERPT_LIMIT) if alert.excerpt else None,
        outlets=_further_outlets(alert, items),
        items_label="Stories that moved it" if kind == "index" and items else None,
        number=alert.number,
        link=safe_url(alert.link),
        about=f"{one_line(alert.watch)}, score {alert.score:g}" if _is_story(alert) else None,
    )


def _is_story(alert: Alert) -> bool:
    """Whether the headline is a story's title (not the watch and its score)."""
    return (
        one_line(alert.kind) == "article"
        and bool(alert.articles and one_line(alert.articles[0].title or ""))
        and one_line(alert.watch) != "system"
    )


def figure_of(kind: str, watch: str, score: float) -> str | None:
    """What an alert that is no story is about, in words (the monitor itself, the tension
    index, a spike); ``None`` for a story, which its reports name."""
    if watch == "system":
        return f"monitor itself: {kind}"
    if kind == "index":
        return f"{watch}: tension index {score:g}"
    if kind == "spike":
        return f"{watch}: {score:g} in-scope articles in one window"
    return None


def headline_of(alert: Alert) -> str:
    """The first line: ``[LEVEL]`` and, for a story, its first report's title, its
    places the title does not name, and its outlets; the watch and the figure for
    the rest."""
    kind, watch, level = one_line(alert.kind), one_line(alert.watch), one_line(alert.level)
    tag = "RESOLVED" if alert.resolved else level.upper()
    figure = figure_of(kind, watch, alert.score)
    if figure is not None:
        return f"[{tag}] {figure}"
    if not _is_story(alert):
        return f"[{tag}] {watch}: score {alert.score:g} ({kind})"
    title = trim(one_line(alert.articles[0].title), TITLE_LIMIT)
    places = alert.story.places if alert.story else ()
    named = any(place.casefold() in title.casefold() for place in places)
    where = (
        f" ({', '.join(one_line(place) for place in places[:2])})" if places and not named else ""
    )
    outlets = _outlet_count(alert)
    return f"[{tag}] {title}{where} — {outlets} outlet{'s' * (outlets != 1)}"


def reasons_of(articles: tuple[AlertArticle, ...]) -> tuple[str, ...]:
    """The signals that gave the most points across ``articles``, each with the words
    that matched (``clashes: "clashed", "tear gas"``), the strongest first."""
    points: dict[str, float] = {}
    words: dict[str, list[str]] = {}
    for article in articles:
        for hit in article.hits:
            if hit.points <= 0 or hit.negated:
                continue
            points[hit.signal] = points.get(hit.signal, 0.0) + hit.points
            matched = words.setdefault(hit.signal, [])
            text = one_line(hit.text)
            if text.casefold() not in (word.casefold() for word in matched):
                matched.append(text)
    strongest = sorted(points, key=lambda signal: -points[signal])[:MAX_REASONS]
    return tuple(
        f"{one_line(signal)}: " + ", ".join(f'"{w}"' for w in words[signal][:MAX_WORDS])
        for signal in strongest
    )


def _item(article: AlertArticle, outlet_of: dict[str, str]) -> Item:
    """An article as a message lists it; its outlet is the story's name for its link
    when the article has none (a feed known by its title only)."""
    source = one_line(article.source) if article.source else outlet_of.get(article.url or "")
    return Item(
        title=one_line(article.title or "untitled"), url=safe_url(article.url), source=source
    )


def _outlet_count(alert: Alert) -> int:
    """How many outlets carried a story: its own count, else its distinct sources."""
    if alert.story is not None and alert.story.outlets:
        return alert.story.outlets
    named = {source.source for source in alert.sources or () if source.source}
    return len(named) or len({article.source for article in alert.articles}) or 1


def _further_outlets(alert: Alert, items: tuple[Item, ...]) -> tuple[Item, ...]:
    """The story's sources whose link none of its listed articles has: every outlet
    that carried it, each with its link."""
    seen = {item.url for item in items if item.url}
    further = []
    for source in alert.sources or ():
        url = safe_url(source.url)
        if url is None or url in seen:
            continue
        seen.add(url)
        further.append(Item(one_line(source.source or "another outlet"), url, None))
    return tuple(further[:MAX_OUTLETS])


def _story_note(alert: Alert) -> str:
    """``reported by 5 outlets, breaking; follows #12`` (its places have a line of
    their own)."""
    assert alert.story is not None
    parts = [alert.story.breadth()]
    if alert.story.follows is not None:
        parts.append(f"follows #{alert.story.follows}")
    return "; ".join(parts)

"""The dashboard's pages, rendered on the server from a read-only view of the database.

Every page works without JavaScript and changes nothing: each request opens
the database read-only (``Store(path, readonly=True)``) in a worker thread, so a slow
page never holds up the daemon's cycle. Everything that came from a feed is
escaped by Jinja2's autoescaping, in HTML and in the SVG chart alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from monitor.config.models import LEVELS, WatchConfig
from monitor.errors import MonitorError
from monitor.humanize import minute
from monitor.store import Store
from monitor.store.query import parse_moment
from monitor.web.front import feed_health, story_order, watch_panel
from monitor.web.highlight import calming_signals, highlight, hit_kind, paragraphs
from monitor.web.story import story_page

RANGES = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
DEFAULT_RANGE = "7d"


@dataclass(frozen=True)
class WebContext:
    """What the pages need from the daemon: where the database is, the watches, the time."""

    database: Path
    watches: Callable[[], Sequence[WatchConfig]]
    clock: Callable[[], datetime]


def _http_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) link, else ``None`` (never a ``javascript:`` href)."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("monitor.web", "templates"),
        autoescape=select_autoescape(["html", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["minute"] = minute
    environment.filters["http_url"] = _http_url
    return environment


_TEMPLATES = _environment()


def render(template: str, **values: Any) -> str:
    """Render one of the page templates."""
    return _TEMPLATES.get_template(template).render(**values)


def routes(context: WebContext) -> list[Route]:
    """The dashboard's routes, for the daemon's Starlette app."""

    @contextmanager
    def database() -> Iterator[Store]:
        store = Store(context.database, readonly=True)
        try:
            yield store
        finally:
            store.close()

    def dashboard(request: Request) -> HTMLResponse:
        chosen = request.query_params.get("range", DEFAULT_RANGE)
        span = RANGES.get(chosen, RANGES[DEFAULT_RANGE])
        chosen = chosen if chosen in RANGES else DEFAULT_RANGE
        order = story_order(request.query_params.get("order"))
        now = context.clock()
        try:
            with database() as store:
                watches = [
                    watch_panel(store, watch, now - span, now, order) for watch in context.watches()
                ]
                feeds = store.feed_status(now)
        except MonitorError as exc:
            return HTMLResponse(render("empty.html", message=str(exc)), status_code=503)
        page = render(
            "dashboard.html", watches=watches, feeds=feeds, health=feed_health(feeds, now),
            ranges=RANGES, chosen=chosen, order=order, now=now,
        )  # fmt: skip
        return HTMLResponse(page)

    def article(request: Request) -> HTMLResponse:
        article_id = int(request.path_params["article_id"])
        with database() as store:
            found = store.article_page(article_id)
            stories = store.article_stories(article_id) if found is not None else []
        if found is None:
            return HTMLResponse(render("empty.html", message="No such article."), status_code=404)
        hits = [hit for score in found["scores"] for hit in score["hits"]]
        calming = calming_signals(hits)
        for score in found["scores"]:
            score["kinds"] = [hit_kind(hit, calming) for hit in score["hits"]]
        page = render(
            "article.html",
            article=found,
            stories=stories,
            title=highlight(found["title"], hits, "title"),
            paragraphs=paragraphs(found["summary"], hits, "text"),
            kinds={kind for score in found["scores"] for kind in score["kinds"]},
        )
        return HTMLResponse(page)

    def alert(request: Request) -> HTMLResponse:
        alert_id = int(request.path_params["alert_id"])
        with database() as store:
            found = store.alert_page(alert_id)
            stories = _index_stories(store, found, context) if found else []
        if found is None:
            message = f"No alert #{alert_id}: there is no such alert in this database."
            return HTMLResponse(render("empty.html", message=message), status_code=404)
        return HTMLResponse(render("alert.html", **story_page(found), stories=stories))

    def search(request: Request) -> HTMLResponse:
        form = {name: request.query_params.get(name, "").strip() for name in SEARCH_FIELDS}
        watches = [watch.name for watch in context.watches()]
        page = max(_integer(request.query_params.get("page"), 1), 1)
        values: dict[str, Any] = {"form": form, "watches": watches, "levels": LEVELS}
        try:
            filters = _search_filters(form, context.clock())
            with database() as store:
                found = store.search_articles(
                    form["q"], **filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                    highlight=(_OPEN, _CLOSE),
                )  # fmt: skip
                total = store.search_count(form["q"], **filters)
        except (MonitorError, ValueError) as exc:
            return HTMLResponse(render("search.html", **values, error=str(exc)), status_code=400)
        results = [
            {**result.as_dict(), "level": result.level(form["watch"] or None),
             "pieces": marked_pieces(result.snippet)}
            for result in found
        ]  # fmt: skip
        pages = {"page": page, "last": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)}
        html = render("search.html", **values, results=results, total=total, **pages)
        return HTMLResponse(html)

    return [
        Route("/", dashboard, methods=["GET", "HEAD"]),
        Route("/alerts/{alert_id:int}", alert, methods=["GET", "HEAD"]),
        Route("/articles/{article_id:int}", article, methods=["GET", "HEAD"]),
        Route("/search", search, methods=["GET", "HEAD"]),
    ]


SEARCH_FIELDS = ("q", "watch", "level", "feed", "since", "until")
PAGE_SIZE = 50
# Control characters never survive normalization, so they can mark matches
# inside a snippet without colliding with the text.
_OPEN, _CLOSE = "\x02", "\x03"


def marked_pieces(snippet: str) -> list[tuple[str, str]]:
    """Split a snippet with ``_OPEN``/``_CLOSE`` marks into ``(piece, kind)``, kind ``"hit"``
    for a matched word and ``""`` otherwise, for the template to escape."""
    pieces = []
    for i, part in enumerate(snippet.replace(_CLOSE, _OPEN).split(_OPEN)):
        if part:
            pieces.append((part, "hit" if i % 2 else ""))
    return pieces


def _index_stories(
    store: Store, alert: dict[str, Any], context: WebContext
) -> list[dict[str, Any]]:
    """For an index alert, the stories of its watch reported while it was open (and
    over the index's half-life before it opened: what raised it); else none."""
    if alert["kind"] != "index":
        return []
    watch = next((w for w in context.watches() if w.name == alert["watch"]), None)
    before = timedelta(seconds=watch.index.half_life if watch and watch.index else 0)
    opened = datetime.fromisoformat(alert["opened_at"])
    ended = alert["resolved_at"]
    until = datetime.fromisoformat(ended) if ended else context.clock()
    return store.index_stories(alert["watch"], opened - before, until)


def _integer(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


def _search_filters(form: dict[str, str], now: datetime) -> dict[str, Any]:
    """The search form's filters as ``search_articles`` takes them; ``ValueError`` if bad."""
    return {
        "watch": form["watch"] or None,
        "min_level": form["level"] or None,
        "feed": form["feed"] or None,
        "since": parse_moment(form["since"], now) if form["since"] else None,
        "until": parse_moment(form["until"], now) if form["until"] else None,
    }

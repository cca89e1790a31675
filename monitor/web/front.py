"""The front page's panels: what each watch's panel reads from the store, and the
feed-health line.

Each watch has the tension index over the chosen range (``chart``), the stories
with a report in the last 24 hours (one row per story, however many outlets
carried it), the map of the places its stories of the last 7 days name
(``where``), and its recent alerts. The layout itself is pure, in ``chart``
and ``where``; this module only gathers the values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitor.config.models import LEVELS, WatchConfig
from monitor.humanize import describe_delay
from monitor.store import Store
from monitor.store.dashboard import STORY_ORDERS
from monitor.web.chart import chart_layout
from monitor.web.where import Place, map_layout, place_summary, shipped_outline

CHART_POINTS = 240
STORIES_SINCE = timedelta(hours=24)
PLACES_SINCE = timedelta(days=7)
STORY_ROWS = 30
DEFAULT_ORDER = STORY_ORDERS[0]


@dataclass(frozen=True)
class FeedHealth:
    """The feeds in one line: how many, how many fine, failing, not polled yet."""

    total: int
    fine: int
    failing: int
    waiting: int  # never polled yet, or switched off (410 Gone, disabled)
    last_error_ago: str | None  # how long since a failing feed last failed

    @property
    def line(self) -> str:
        """``18 feeds: 16 fine, 2 failing (last error 10m ago)``."""
        if not self.total:
            return "no feeds polled yet"
        parts = [f"{self.fine} fine"]
        if self.failing:
            ago = f" (last error {self.last_error_ago} ago)" if self.last_error_ago else ""
            parts.append(f"{self.failing} failing{ago}")
        if self.waiting:
            parts.append(f"{self.waiting} not polled")
        return f"{self.total} feed{'s' if self.total != 1 else ''}: {', '.join(parts)}"


def feed_health(feeds: Sequence[Mapping[str, Any]], now: datetime) -> FeedHealth:
    """Sum up ``Store.feed_status`` rows at ``now``."""
    failing = [feed for feed in feeds if feed["consecutive_errors"]]
    waiting = [
        feed for feed in feeds
        if not feed["consecutive_errors"]
        and (feed["last_status"] is None or feed["gone_at"] or not feed["enabled"])
    ]  # fmt: skip
    moments = [feed["last_polled_at"] for feed in failing if feed["last_polled_at"]]
    ago = None
    if moments:
        ago = describe_delay((now - datetime.fromisoformat(max(moments))).total_seconds())
    return FeedHealth(
        len(feeds), len(feeds) - len(failing) - len(waiting), len(failing), len(waiting), ago
    )


def story_order(requested: str | None) -> str:
    """The stories' order the query string asks for, else the default (most severe)."""
    return requested if requested in STORY_ORDERS else DEFAULT_ORDER


def watch_panel(
    store: Store, watch: WatchConfig, since: datetime, now: datetime, order: str
) -> dict[str, Any]:
    """Everything the front page shows of ``watch``: index, chart, stories, map, alerts."""
    levels = watch.index.levels.model_dump() if watch.index is not None else {}
    state = store.index_state(watch.name)
    alerts = store.list_alerts(watch=watch.name, limit=10)
    for alert in alerts:
        articles, alert["sources"] = store.story(alert["id"])
        alert["articles"] = [{"id": id_, "title": a.title} for id_, a in articles[:3]]
    series = store.index_series(watch.name, since, now, CHART_POINTS)
    before = store.index_before(watch.name, since)
    if before is not None and series:  # the curve starts at the left edge
        series = [(since, before[1]), *series]
    markers = store.alert_markers(watch.name, since)
    stories = store.front_stories(watch.name, now - STORIES_SINCE, LEVELS, order, STORY_ROWS)
    places = [
        Place(name, entry.lat, entry.lon, entry.broad)
        for name, entry in watch.places.items()
        if entry.lat is not None and entry.lon is not None
    ]
    latest = None  # with no story today, the last one before (within the chart's range)
    if not stories:
        latest = next(iter(store.front_stories(watch.name, since, LEVELS, "newest", 1)), None)
    named = place_summary(store.place_levels(watch.name, now - PLACES_SINCE), LEVELS)
    return {
        "name": watch.name,
        "index": state.value if state else None,
        "level": state.level if state else None,
        "has_index": watch.index is not None,
        "chart": chart_layout(series, levels, markers, since, now),
        "stories": [_story_row(row) for row in stories],
        "latest": _story_row(latest) if latest else None,
        "map": map_layout(places, named, shipped_outline(), days=PLACES_SINCE.days),
        "alerts": alerts,
    }


def _story_row(row: Mapping[str, Any]) -> dict[str, Any]:
    story = row["story"]
    return {
        "id": row["id"],
        "level": row["level"],
        "state": row["state"],
        "title": row["title"],
        "places": list(story.get("places") or ()),
        "outlets": int(story.get("outlets") or 0),
        "languages": list(story.get("languages") or ()),
        "breaking": bool(story.get("breaking")),
        "follows": story.get("follows"),
        "when": report_span(row["opened_at"], row["last_report_at"] or row["opened_at"]),
    }


def report_span(first: str, last: str) -> str:
    """When a story was first and last reported: ``Dec 02 21:20 to 23:05 UTC``, with the
    last report's date too when it is another day; one time when they are the same."""
    start, end = datetime.fromisoformat(first), datetime.fromisoformat(last)
    if start.strftime("%H:%M %d") == end.strftime("%H:%M %d"):
        return f"{start:%b %d %H:%M} UTC"
    later = f"{end:%H:%M}" if start.date() == end.date() else f"{end:%b %d %H:%M}"
    return f"{start:%b %d %H:%M} to {later} UTC"

"""What the daemon counts about itself (polls first), in Prometheus's text format.

Events (polls, HTTP statuses, durations, articles, scores, reloads) are
counted as they happen, in this process; states (alerts, deliveries, tension
indexes, articles in the database) are read from SQLite when ``/metrics`` is
scraped, so they survive restarts and agree with ``monitor status``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from monitor.models import Score
from monitor.store import Store

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# The *_created series double the output and say nothing an operator needs.
disable_created_metrics()  # type: ignore[no-untyped-call]

_SECONDS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0)


class Metrics:
    """The daemon's counters and the registry ``/metrics`` renders."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.polls = Counter(
            "monitor_polls", "Feed polls, by result (ok, not_modified, error).", ["result"],
            registry=registry,
        )  # fmt: skip
        self.http_responses = Counter(
            "monitor_http_responses", "HTTP responses from feeds, by status code.", ["code"],
            registry=registry,
        )  # fmt: skip
        self.fetch_seconds = Histogram(
            "monitor_fetch_duration_seconds", "Time to fetch one feed.", buckets=_SECONDS,
            registry=registry,
        )  # fmt: skip
        self.parse_seconds = Histogram(
            "monitor_parse_duration_seconds", "Time to parse and normalize one feed.",
            buckets=_SECONDS, registry=registry,
        )  # fmt: skip
        self.articles = Counter(
            "monitor_articles_stored", "New articles stored.", registry=registry
        )
        self.scores = Counter(
            "monitor_scores", "Articles scored, by watch and level (none: below notice).",
            ["watch", "level"], registry=registry,
        )  # fmt: skip
        self.cycles = Counter("monitor_cycles", "Poll cycles finished.", registry=registry)
        self.cycle_seconds = Histogram(
            "monitor_cycle_duration_seconds", "Time one poll cycle took.",
            buckets=(*_SECONDS, 120.0, 300.0), registry=registry,
        )  # fmt: skip
        self.last_cycle = Gauge(
            "monitor_last_cycle_timestamp_seconds", "When the last poll cycle finished.",
            registry=registry,
        )  # fmt: skip
        self.reloads = Counter(
            "monitor_config_reloads", "Config reloads, by result (ok, failed).", ["result"],
            registry=registry,
        )  # fmt: skip
        self.config_ok = Gauge(
            "monitor_config_last_reload_successful",
            "1 if the last config load succeeded, 0 if the daemon runs an older config.",
            registry=registry,
        )
        self.config_ok.set(1)

    def watch_store(self, store: Store, watches: Callable[[], Sequence[str]]) -> None:
        """Report the states kept in ``store`` on every scrape (``watches``: the current names)."""
        self.registry.register(_StoreCollector(store, watches))

    def count_scores(self, scores: Sequence[Score]) -> None:
        """Count one article's scores, one per watch."""
        for score in scores:
            self.scores.labels(score.watch, score.level or "none").inc()

    def render(self) -> bytes:
        """Every metric, in Prometheus's text format."""
        return generate_latest(self.registry)


class _StoreCollector(Collector):
    """Alerts, deliveries, tension indexes and articles, as SQLite holds them now."""

    def __init__(self, store: Store, watches: Callable[[], Sequence[str]]) -> None:
        self.store = store
        self.watches = watches

    def collect(self) -> Iterator[Metric]:
        alerts = GaugeMetricFamily(
            "monitor_alerts", "Alerts, by watch, level and state.",
            labels=["watch", "level", "state"],
        )  # fmt: skip
        for watch, level, alert_state, count in self.store.alert_counts():
            alerts.add_metric([watch, level, alert_state], count)
        yield alerts
        deliveries = GaugeMetricFamily(
            "monitor_deliveries", "Notifications in the outbox, by status.", labels=["status"]
        )
        for status, count in sorted(self.store.delivery_counts().items()):
            deliveries.add_metric([status], count)
        yield deliveries
        index = GaugeMetricFamily(
            "monitor_tension_index", "Each watch's tension index.", labels=["watch"]
        )
        for watch in self.watches():
            state = self.store.index_state(watch)
            if state is not None:
                index.add_metric([watch], state.value)
        yield index
        yield GaugeMetricFamily(
            "monitor_articles", "Articles in the database.", value=self.store.count("articles")
        )

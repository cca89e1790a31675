"""Retention: old articles pruned unless alerted, never back as new; VACUUM; ``monitor db``."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ConfigDir, FeedServer, Route, WebhookReceiver, rss

from monitor.cli import main
from monitor.config import RetentionSettings, load_config
from monitor.daemon.maintenance import maintain, maintenance_job, stats
from monitor.daemon.run import open_runtime
from monitor.errors import ConfigError
from monitor.models import Alert
from monitor.poll.cycle import CycleReport, run_cycle
from monitor.store import IndexState, Store

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def index_alert(key: str) -> Alert:
    return Alert(key, "index", "firing", "serbia-kosovo", "high", 70, START, index=70)


CLASH = {
    "title": "Clashes in North Mitrovica, nine wounded",
    "link": "https://outlet.example/clash",
    "guid": "clash-1",
    "description": (
        "Police and a crowd of Kosovo Serbs clashed near the main bridge in North Mitrovica. "
        "Officers fired tear gas and witnesses reported gunfire; nine people were wounded."
    ),
}
WEATHER = {
    "title": "Rain expected in Paris on Tuesday",
    "link": "https://outlet.example/weather",
    "guid": "weather-1",
    "description": "Forecasters expect light rain and mild temperatures across the capital.",
}
TENSE = {
    "title": "Kosovo police close Jarinje crossing after protest",
    "link": "https://outlet.example/jarinje",
    "guid": "jarinje-1",
    "description": (
        "Kosovo police closed the Jarinje crossing after Serbs blocked the road with trucks; "
        "protesters blocked traffic for hours."
    ),
}
MINOR = {
    "title": "Kosovo and Serbia negotiators meet in Brussels",
    "link": "https://outlet.example/talks",
    "guid": "talks-1",
    "description": "Kosovo and Serbia negotiators met in Brussels for another round of talks.",
}


class Monitor:
    """A config directory, a feed server and a webhook; cycles on a clock the test sets."""

    def __init__(
        self, config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver
    ) -> None:
        self.config_dir, self.feed_server, self.webhook = config_dir, feed_server, webhook
        self.feeds: list[str] = []

    def serve(self, path: str, items: list[dict[str, str]]) -> None:
        # No ETag: every poll reads the feed again, as a feed that changes would.
        url = self.feed_server.serve(path, Route(body=rss(items, title=path), etag=False))
        if url not in self.feeds:
            self.feeds.append(url)

    def write(self, alert_on: str = "[article:warning]", **settings: Any) -> Path:
        return self.config_dir.write(
            self.feeds,
            channels={"team": {"type": "webhook", "url": self.webhook.url("/hook")}},
            watch_channels=["team"],
            # Parsing in the test's own process keeps each cycle fast.
            settings={"poll": {"timeout": "5s", "jitter": 0, "workers": 0}, **settings},
            alert_on=alert_on,
        )

    def cycle(self, at: datetime, alert_on: str = "[article:warning]") -> CycleReport:
        path = self.write(alert_on)

        async def run() -> CycleReport:
            async with open_runtime(load_config(path)) as runtime:
                runtime.clock = lambda: at
                return await run_cycle(runtime, all_feeds=True)

        return asyncio.run(run())

    def store(self) -> Store:
        return Store(self.config_dir.database)


@pytest.fixture
def monitor(config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver) -> Monitor:
    return Monitor(config_dir, feed_server, webhook)


def rows(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchall()


def titles(database: Path) -> list[str]:
    return [title for (title,) in rows(database, "SELECT title FROM articles ORDER BY id")]


KEEP_180_DAYS = RetentionSettings()


def test_old_articles_are_pruned_with_their_scores_sources_and_search_rows_but_alerted_ones_stay(
    monitor: Monitor,
) -> None:
    monitor.serve("/outlet.xml", [CLASH, WEATHER])
    report = monitor.cycle(START)
    assert report.new_articles == 2 and report.alerts == 1
    monitor.serve("/outlet.xml", [])
    monitor.cycle(START + timedelta(days=100))  # keeps the feed polled, adds nothing
    database = monitor.config_dir.database

    store = monitor.store()
    try:
        result = maintain(store, KEEP_180_DAYS, START + timedelta(days=179))
        assert result.pruned is not None and result.pruned.articles == 0
        result = maintain(store, KEEP_180_DAYS, START + timedelta(days=181))
    finally:
        store.close()

    assert result.pruned is not None
    assert (result.pruned.articles, result.pruned.kept) == (1, 1)
    assert titles(database) == [CLASH["title"]]
    # The weather article's score, source and full-text row went with it.
    assert rows(database, "SELECT count(*) FROM scores") == [(1,)]
    assert rows(database, "SELECT count(*) FROM article_sources") == [(1,)]
    assert rows(database, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'rain'") == [
        (0,)
    ]
    assert rows(database, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'gas'") == [
        (1,)
    ]
    rows(database, "INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    # The alert still shows its article, with its score.
    code, out = invoke("alerts", "--config", str(monitor.config_dir.path), "show", "1")
    assert code == 0 and CLASH["title"] in out and "level critical" in out


def test_a_resolved_alert_keeps_its_articles_too(monitor: Monitor) -> None:
    monitor.serve("/outlet.xml", [CLASH, WEATHER])
    monitor.cycle(START)
    store = monitor.store()
    try:
        store.update_alert(1, level="warning", score=9, payload=None, now=START, resolved=True)
        report = store.prune(START + timedelta(days=1), START + timedelta(days=181))
    finally:
        store.close()
    assert (report.articles, report.kept) == (1, 1)
    assert titles(monitor.config_dir.database) == [CLASH["title"]]


def test_an_entry_its_feed_still_carries_after_pruning_never_comes_back_to_alert(
    monitor: Monitor,
) -> None:
    # TENSE scores "warning"; the watch alerts only at "critical" for now.
    monitor.serve("/outlet.xml", [TENSE, WEATHER])
    report = monitor.cycle(START, alert_on="[article:critical]")
    assert (report.new_articles, report.alerts) == (2, 0)
    later = START + timedelta(days=181)
    store = monitor.store()
    try:
        assert store.prune(later - timedelta(days=180), later).articles == 2
        index_before = store.index_state("serbia-kosovo")
    finally:
        store.close()

    # The operators lower the threshold; the feed still carries both entries,
    # and another outlet now carries a copy of the tense one.
    copy = {**TENSE, "guid": "syndicated-9", "link": "https://copy.example/jarinje-9"}
    monitor.serve("/copy.xml", [copy])
    report = monitor.cycle(later + timedelta(hours=1), alert_on="[article:warning]")

    assert (report.new_articles, report.alerts) == (0, 0)
    assert monitor.webhook.payloads == []
    assert titles(monitor.config_dir.database) == []
    store = monitor.store()
    try:
        index_after = store.index_state("serbia-kosovo")
    finally:
        store.close()
    # Nothing was scored into the tension index again (it only decayed).
    assert index_before is not None and index_after is not None
    assert index_after.value < 1 <= index_before.value


def test_keys_of_pruned_articles_are_forgotten_once_no_feed_carried_them_for_the_age(
    monitor: Monitor,
) -> None:
    monitor.serve("/outlet.xml", [MINOR, WEATHER])
    monitor.cycle(START)
    monitor.serve("/outlet.xml", [WEATHER])  # MINOR leaves the feed; WEATHER stays
    pruned_at = START + timedelta(days=181)
    store = monitor.store()
    try:
        store.prune(pruned_at - timedelta(days=180), pruned_at)
    finally:
        store.close()
    monitor.cycle(pruned_at + timedelta(days=170))  # WEATHER seen again, MINOR not

    later = pruned_at + timedelta(days=181)
    store = monitor.store()
    try:
        report = store.prune(later - timedelta(days=180), later)
    finally:
        store.close()

    assert report.forgotten_keys == 1
    remaining = rows(monitor.config_dir.database, "SELECT guid FROM pruned_articles")
    assert [guid.rsplit("/", 1)[-1] for (guid,) in remaining] == ["weather-1"]


def test_index_history_and_finished_notifications_of_resolved_alerts_are_pruned(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "monitor.db")
    try:
        for day in (0, 100, 200):
            moment = START + timedelta(days=day)
            store.record_index("serbia-kosovo", IndexState(12.5, moment, "elevated"))
        resolved = store.open_alert(
            watch="serbia-kosovo", kind="index", level="high", dedup_key="old-index",
            score=70, article_ids=[], payload=index_alert("old-index"), channels=["team"],
            now=START,
        )  # fmt: skip
        firing = store.open_alert(
            watch="serbia-kosovo", kind="index", level="high", dedup_key="long-index",
            score=70, article_ids=[], payload=index_alert("long-index"), channels=["team"],
            now=START,
        )  # fmt: skip
        assert resolved is not None and firing is not None
        for delivery in store.due_deliveries(START):
            store.mark_sent(delivery.id, START)
        store.update_alert(
            resolved, level="high", score=5, payload=index_alert("old-index"), now=START,
            resolved=True,
        )  # fmt: skip

        now = START + timedelta(days=190)
        report = store.prune(now - timedelta(days=180), now)
        kept_deliveries = rows(store.path, "SELECT alert_id FROM deliveries")
        kept_points = rows(store.path, "SELECT at FROM index_history ORDER BY at")
    finally:
        store.close()

    assert (report.index_points, report.deliveries) == (1, 1)
    # A firing alert keeps its notifications: deleting them could let one repeat.
    assert kept_deliveries == [(firing,)]
    assert [at[:10] for (at,) in kept_points] == ["2026-06-10", "2026-09-18"]


def test_vacuum_runs_when_due_and_logs_the_size_before_and_after(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(tmp_path / "monitor.db")
    caplog.set_level(logging.INFO, logger="monitor.daemon.maintenance")
    weekly = RetentionSettings(vacuum_every="7d")
    try:
        assert maintain(store, weekly, START).vacuumed is not None  # never vacuumed: due
        assert maintain(store, weekly, START + timedelta(days=6)).vacuumed is None
        assert maintain(store, weekly, START + timedelta(days=7)).vacuumed is not None
        never = RetentionSettings(vacuum_every=None)
        assert maintain(store, never, START + timedelta(days=30)).vacuumed is None
    finally:
        store.close()
    vacuums = [r.getMessage() for r in caplog.records if "vacuumed" in r.getMessage()]
    assert len(vacuums) == 2
    assert vacuums[0].startswith(f"retention: vacuumed {tmp_path / 'monitor.db'}: ")
    assert " kB -> " in vacuums[0]


def test_pruning_logs_one_readable_line(monitor: Monitor, caplog: pytest.LogCaptureFixture) -> None:
    monitor.serve("/outlet.xml", [CLASH, WEATHER, MINOR])
    monitor.cycle(START)
    caplog.set_level(logging.INFO, logger="monitor.daemon.maintenance")
    store = monitor.store()
    try:
        maintain(store, KEEP_180_DAYS, START + timedelta(days=181))
    finally:
        store.close()
    (line,) = [r.getMessage() for r in caplog.records if "pruned" in r.getMessage()]
    assert line.startswith("retention: pruned 2 articles older than 180d; kept 1 in alerts")


def test_articles_null_keeps_every_article(monitor: Monitor) -> None:
    monitor.serve("/outlet.xml", [WEATHER])
    monitor.cycle(START)
    store = monitor.store()
    try:
        forever = RetentionSettings(articles=None)
        result = maintain(store, forever, START + timedelta(days=3000))
    finally:
        store.close()
    assert result.pruned is None
    assert titles(monitor.config_dir.database) == [WEATHER["title"]]


def test_the_daemons_job_prunes_on_the_runtime_clock_and_survives_a_locked_file(
    monitor: Monitor, caplog: pytest.LogCaptureFixture
) -> None:
    monitor.serve("/outlet.xml", [WEATHER])
    monitor.cycle(START)
    caplog.set_level(logging.INFO, logger="monitor.daemon.maintenance")

    async def job(at: datetime, locked: bool) -> None:
        async with open_runtime(load_config(monitor.write())) as runtime:
            runtime.clock = lambda: at
            runtime.store.db.execute("PRAGMA busy_timeout = 50")
            other = sqlite3.connect(monitor.config_dir.database, isolation_level=None)
            if locked:
                other.execute("BEGIN EXCLUSIVE")
            try:
                await maintenance_job(runtime)
            finally:
                other.close()

    asyncio.run(job(START + timedelta(days=181), locked=True))
    assert titles(monitor.config_dir.database) == [WEATHER["title"]]
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage().startswith("retention: cannot prune ")
    assert warning.getMessage().endswith("database is locked; trying again in 1h")

    asyncio.run(job(START + timedelta(days=181), locked=False))
    assert titles(monitor.config_dir.database) == []


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def cli_config(monitor: Monitor, monkeypatch: pytest.MonkeyPatch) -> Monitor:
    monitor.serve("/outlet.xml", [CLASH, WEATHER])
    monitor.write()
    monkeypatch.setenv("MONITOR_CONFIG", str(monitor.config_dir.path))
    return monitor


def test_db_stats_shows_sizes_rows_the_article_span_and_the_next_prune(
    cli_config: Monitor,
) -> None:
    cli_config.cycle(datetime.now(UTC) - timedelta(days=200))
    cli_config.serve("/outlet.xml", [MINOR])
    cli_config.cycle(datetime.now(UTC))

    code, out = invoke("db", "stats")

    assert code == 0, out
    assert f"database {cli_config.config_dir.database}: " in out
    assert " kB" in out
    table, prune = out.split("next prune", 1)
    lines = {line.split()[0]: line for line in table.splitlines()}
    assert lines["articles"].split()[1] == "3"
    assert "oldest " in lines["articles"] and "newest " in lines["articles"]
    assert lines["alerts"].split()[1] == "1"
    assert "1 sent" in lines["deliveries"]
    assert prune.startswith(" (older than 180d: before ")
    assert "  articles                 1  (and 1 as old that alerts point to, kept)" in prune
    assert "vacuum: last never" in out

    code, out = invoke("db", "stats", "--json")
    figures = json.loads(out)
    assert figures["rows"]["articles"] == 3
    assert figures["deliveries"] == {"sent": 1}
    assert figures["next_prune"]["articles"] == 1 and figures["next_prune"]["kept"] == 1
    assert figures["size_bytes"] > 0
    assert figures["oldest_article"] < figures["newest_article"]


def test_db_prune_and_vacuum_run_by_hand(cli_config: Monitor) -> None:
    cli_config.cycle(datetime.now(UTC) - timedelta(days=200))

    code, out = invoke("db", "prune")
    assert code == 0, out
    assert out.startswith("pruned 1 articles older than 180d; kept 1 in alerts")
    code, out = invoke("db", "vacuum")
    assert code == 0, out
    assert out.startswith(f"vacuumed {cli_config.config_dir.database}: ")
    code, out = invoke("db", "stats")
    assert "vacuum: last 20" in out
    assert "  articles                 0  (and 1 as old" in out.split("next prune", 1)[1]


def test_db_stats_says_when_articles_are_kept_forever(cli_config: Monitor) -> None:
    cli_config.write(retention={"articles": None, "vacuum_every": None})
    cli_config.config_dir.database.parent.mkdir(parents=True, exist_ok=True)
    Store(cli_config.config_dir.database).close()  # db stats reads an existing database only
    code, out = invoke("db", "stats")
    assert code == 0, out
    assert "next prune: none (retention.articles: null keeps articles forever)" in out
    assert "next never" in out
    code, out = invoke("db", "prune")
    assert "nothing pruned" in out


@pytest.mark.parametrize(
    ("retention", "message"),
    [
        ("{articles: forever}", "retention.articles: expected a duration like 30s"),
        ("{articles: 6h}", "retention.articles: keep articles at least 1d"),
        ("{vacuum_every: 1m}", "retention.vacuum_every: vacuum at most once an hour"),
        ("{keep: 30d}", "retention.keep: unknown key"),
        ("30d", "retention: expected a mapping"),
    ],
)
def test_a_bad_retention_value_names_the_file_line_and_field(
    config_dir: ConfigDir, retention: str, message: str
) -> None:
    config_dir.write(["https://feeds.example/rss"])
    settings = config_dir.path / "monitor.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(f"{text}retention: {retention}\n", encoding="utf-8")
    line = len(text.splitlines()) + 1

    with pytest.raises(ConfigError) as caught:
        load_config(config_dir.path)

    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{settings}:{line}: {message}")


def test_a_retention_shorter_than_a_spike_baseline_is_an_error(config_dir: ConfigDir) -> None:
    config_dir.write(["https://feeds.example/rss"], settings={"retention": {"articles": "3d"}})
    watch = config_dir.path / "watches" / "serbia-kosovo.yaml"
    watch.write_text(
        watch.read_text(encoding="utf-8") + "spike: {window: 1h, baseline: 7d}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir.path)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{watch}:")
    assert "spike.baseline: longer than retention.articles in monitor.yaml" in str(problem)


def test_stats_reports_no_next_vacuum_before_now(tmp_path: Path) -> None:
    store = Store(tmp_path / "monitor.db")
    try:
        store.vacuum(START)
        figures = stats(store, KEEP_180_DAYS, START + timedelta(days=30))
    finally:
        store.close()
    assert figures["last_vacuum"] == "2026-03-02T09:00:00+00:00"
    assert figures["next_vacuum"] == "2026-04-01T09:00:00+00:00"  # overdue: due now

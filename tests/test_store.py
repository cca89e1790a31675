"""The store: migrations, dedup on insert, alert and outbox state in a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.alerts.state import update_spikes, update_system
from monitor.config import SystemSettings, WatchConfig
from monitor.errors import MonitorError
from monitor.models import Alert, Article, Score
from monitor.store import Store

NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)


def alert(key: str) -> Alert:
    return Alert(key, "article", "firing", "w", "warning", 9.0, NOW)


def make_article(guid: str, url: str | None, text: str) -> Article:
    return Article(guid, url, url, f"Title {text}", text, NOW, f"hash-{text}")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store(tmp_path / "sub" / "monitor.db")
    opened.sync_feeds(
        [("https://a.example/rss", "A", 600), ("https://b.example/rss", None, 60)], NOW
    )
    return opened


def test_opening_creates_the_schema_in_wal_mode_and_records_the_migration(store: Store) -> None:
    with sqlite3.connect(store.path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        migrations = db.execute("SELECT name FROM _sqlite_migrations").fetchall()
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert {"feeds", "articles", "scores", "alerts", "deliveries", "articles_fts"} <= tables
    assert migrations == [
        ("0001_initial",),
        ("0002_index_and_delivery_events",),
        ("0003_article_sources",),
        ("0004_silences",),
        ("0005_feed_failing_since",),
        ("0006_feed_moves_and_gone",),
        ("0007_daemon_state",),
        ("0008_retention",),
        ("0009_decision_reasons",),
        ("0010_story_names",),
        ("0011_story_corrections",),
        ("0012_story_resolution",),
        ("0013_article_language",),
        ("0014_score_capped_by",),
        ("0015_delivery_targets",),
        ("0016_pages",),
        ("0017_headline_places",),
    ]
    assert mode == "wal"


def test_reopening_an_existing_database_keeps_its_rows(store: Store) -> None:
    store.close()
    again = Store(store.path)
    assert again.count("feeds") == 2


def test_new_feeds_are_due_at_once_and_removed_feeds_become_inactive(store: Store) -> None:
    assert [feed.url for feed in store.active_feeds(NOW)] == [
        "https://a.example/rss",
        "https://b.example/rss",
    ]
    store.sync_feeds([("https://b.example/rss", "B", 60)], NOW)
    assert [(feed.url, feed.name) for feed in store.active_feeds()] == [
        ("https://b.example/rss", "B")
    ]
    assert store.count("feeds") == 2


@pytest.mark.parametrize(
    ("first", "second", "stored"),
    [
        (("g1", "https://x.example/1", "one"), ("g1", "https://x.example/9", "nine"), 1),
        (("g1", "https://x.example/1", "one"), ("g2", "https://x.example/1", "two"), 1),
        (("g1", "https://x.example/1", "one"), ("g2", "https://x.example/2", "one"), 1),
        (("g1", None, "one"), ("g2", None, "two"), 2),
        (("g1", "https://x.example/1", "one"), ("g2", "https://x.example/2", "two"), 2),
    ],
    ids=["same-guid", "same-canonical-url", "same-content", "no-urls", "different"],
)
def test_an_article_is_stored_once(
    store: Store,
    first: tuple[str, str | None, str],
    second: tuple[str, str | None, str],
    stored: int,
) -> None:
    new_first, _ = store.insert_articles(1, [make_article(*first)], NOW)
    new_second, _ = store.insert_articles(1, [make_article(*second)], NOW)
    assert len(new_first) == 1
    assert len(new_first) + len(new_second) == stored == store.count("articles")


def test_the_same_guid_in_two_feeds_is_two_articles(store: Store) -> None:
    store.insert_articles(1, [make_article("g1", None, "one")], NOW)
    assert store.insert_articles(2, [make_article("g1", None, "two")], NOW)[0]


def test_an_alert_with_the_same_key_is_opened_once_with_one_delivery_per_channel(
    store: Store,
) -> None:
    (stored,), _ = store.insert_articles(1, [make_article("g1", None, "one")], NOW)
    kwargs = {
        "watch": "w",
        "kind": "article",
        "level": "warning",
        "dedup_key": f"w:article:{stored.id}",
        "score": 9.0,
        "article_ids": [stored.id],
        "payload": alert(f"w:article:{stored.id}"),
        "channels": ["console", "team"],
        "now": NOW,
    }
    assert store.open_alert(**kwargs) is not None  # type: ignore[arg-type]
    assert store.open_alert(**kwargs) is None  # type: ignore[arg-type]
    assert store.count("alerts") == 1
    due = store.due_deliveries(NOW)
    assert sorted(d.channel for d in due) == ["console", "team"]


def test_failed_deliveries_wait_for_their_retry_and_dead_ones_are_not_due(store: Store) -> None:
    (stored,), _ = store.insert_articles(1, [make_article("g1", None, "one")], NOW)
    store.open_alert(
        watch="w", kind="article", level="warning", dedup_key="k", score=9.0,
        article_ids=[stored.id], payload=alert("k"), channels=["a", "b"], now=NOW,
    )  # fmt: skip
    first, second = store.due_deliveries(NOW)
    store.mark_failed(first.id, "HTTP 500", NOW + timedelta(minutes=1))
    store.mark_failed(second.id, "HTTP 500", None)

    assert store.due_deliveries(NOW) == []
    (retry,) = store.due_deliveries(NOW + timedelta(minutes=1))
    assert (retry.id, retry.attempts) == (first.id, 1)
    store.mark_sent(retry.id, NOW)
    assert store.due_deliveries(NOW + timedelta(days=1)) == []


def test_a_transaction_that_fails_leaves_nothing_behind(store: Store) -> None:
    def poll_that_crashes() -> None:
        with store.transaction():
            store.insert_articles(1, [make_article("g1", None, "one")], NOW)
            raise RuntimeError("crash in the middle of a poll")

    with pytest.raises(RuntimeError):
        poll_that_crashes()
    assert store.count("articles") == 0


def test_articles_are_searchable_by_full_text(store: Store) -> None:
    store.insert_articles(1, [make_article("g1", None, "barricades at Jarinje")], NOW)
    hits = list(store.db["articles"].search("jarinje"))
    assert [hit["summary"] for hit in hits] == ["barricades at Jarinje"]


def test_an_unwritable_database_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(MonitorError, match="cannot open database"):
        Store(blocker / "monitor.db")


def test_a_spike_of_in_scope_articles_fires_once_and_resolves(tmp_path: Path) -> None:
    store = Store(tmp_path / "monitor.db")
    store.sync_feeds([("https://a.example/rss", "A", 600)], NOW)
    watch = WatchConfig.model_validate(
        {
            "name": "w",
            "signals": [{"name": "s", "weight": 1, "any": ["x"]}],
            "spike": {"window": "1h", "factor": 3, "min_count": 5, "baseline": "1d"},
        }
    )

    def publish(count: int, hours_ago: float, tag: str) -> None:
        for n in range(count):
            when = NOW - timedelta(hours=hours_ago)
            article = Article(f"{tag}{n}", None, None, f"t {tag}{n}", "", when, f"h{tag}{n}")
            (stored,), _ = store.insert_articles(1, [article], NOW)
            store.insert_scores(stored.id, [Score("w", 1.0, None, True, "v")], NOW)

    for hour in range(1, 30):  # more than a day of quiet: one article an hour
        publish(1, hour + 0.5, f"q{hour}-")
    assert update_spikes(store, [watch], NOW) == 0

    publish(6, 0.2, "burst")
    assert update_spikes(store, [watch], NOW) == 1
    assert update_spikes(store, [watch], NOW + timedelta(minutes=5)) == 0  # still the same spike
    assert update_spikes(store, [watch], NOW + timedelta(hours=2)) == 1  # resolved
    states = [(a["kind"], a["state"]) for a in store.list_alerts()]
    assert states == [("spike", "resolved")]
    events = [row["event"] for row in store.db.query("SELECT event FROM deliveries ORDER BY id")]
    assert events == ["firing", "resolved"]  # to the default console channel


def test_a_new_install_with_no_baseline_does_not_spike(tmp_path: Path) -> None:
    store = Store(tmp_path / "monitor.db")
    store.sync_feeds([("https://a.example/rss", "A", 600)], NOW)
    watch = WatchConfig.model_validate(
        {"name": "w", "signals": [{"name": "s", "weight": 1, "any": ["x"]}], "spike": {}}
    )
    for n in range(50):  # the first poll of a fresh install: many articles at once
        article = Article(f"g{n}", None, None, f"t{n}", "", None, f"h{n}")
        (stored,), _ = store.insert_articles(1, [article], NOW)
        store.insert_scores(stored.id, [Score("w", 1.0, None, True, "v")], NOW)
    assert update_spikes(store, [watch], NOW) == 0


def test_news_gone_quiet_is_a_system_alert_but_a_fresh_install_is_not(tmp_path: Path) -> None:
    store = Store(tmp_path / "monitor.db")
    store.sync_feeds([("https://a.example/rss", "A", 600)], NOW)
    settings = SystemSettings.model_validate({"quiet_for": "1d"})
    assert update_system(store, settings, ["console"], NOW) == 0  # nothing stored yet

    article = Article("g", None, None, "t", "", None, "h")
    (stored,), _ = store.insert_articles(1, [article], NOW)
    store.insert_scores(stored.id, [Score("w", 5.0, "notice", True, "v")], NOW)
    assert update_system(store, settings, ["console"], NOW + timedelta(hours=23)) == 0
    assert update_system(store, settings, ["console"], NOW + timedelta(hours=25)) == 1
    assert [(a["watch"], a["kind"], a["state"]) for a in store.list_alerts()] == [
        ("system", "quiet", "firing")
    ]


def test_a_delivery_whose_stored_alert_is_damaged_is_given_up_not_fatal(store: Store) -> None:
    (stored,), _ = store.insert_articles(1, [make_article("g1", None, "one")], NOW)
    for key in ("broken", "fine"):
        store.open_alert(
            watch="w", kind="article", level="warning", dedup_key=key, score=9.0,
            article_ids=[stored.id], payload=alert(key), channels=["team"], now=NOW,
        )  # fmt: skip
    store.db.execute("UPDATE alerts SET payload = '{\"kind\": 1}' WHERE dedup_key = 'broken'")

    due = store.due_deliveries(NOW)

    assert [d.alert.key for d in due] == ["fine"]
    (dead,) = store.list_deliveries(["dead"])
    assert dead["last_error"].startswith("the stored alert cannot be read: KeyError")

"""Stories end: a story alert with no new report for ``resolve_after`` resolves, end to end."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner
from conftest import ClockedDaemon, ConfigDir, FeedServer, WebhookReceiver, rss

from monitor.alerts.policy import story_resolves
from monitor.cli import main
from monitor.config import AlertConfig
from monitor.store import Store, migrations

START = datetime(2026, 11, 2, 21, 0, tzinfo=UTC)
# Scores warning with the shipped watch: a protest, a blocked road, men detained.
BRNJAK = (
    "Kosovo police shut the Brnjak crossing after Serb protesters blocked the road with "
    "trucks; officers detained two men and traffic resumed after midnight."
)


def report_feed(outlet: str, title: str, guid: str) -> bytes:
    return rss(
        [{"title": title, "link": f"https://{outlet}.example/{guid}", "guid": guid,
          "description": BRNJAK}],
        title=outlet,
    )  # fmt: skip


class Daemon(ClockedDaemon):
    """Cycles of a fresh daemon each time (a restart) from ``START``, and what the
    webhook and ``monitor alerts`` say of its stories."""

    def __init__(self, config_dir: ConfigDir, webhook: WebhookReceiver, **options: Any) -> None:
        # Keep the monitor's own "news gone quiet" alert out of these days of silence.
        super().__init__(
            config_dir, webhook, START, settings={"system": {"quiet_for": "30d"}}, **options
        )

    def stories(self) -> list[tuple[str, int]]:
        """The state and article count of every story notification the webhook took."""
        return [
            (payload["state"], len(payload["articles"]))
            for payload in self.webhook.payloads
            if payload["kind"] == "article"
        ]

    def listed(self, *args: str) -> list[dict[str, Any]]:
        """``monitor alerts --json`` with ``args``: one object per alert."""
        return [json.loads(line) for line in self.cli(*args, "--json").splitlines()]

    def cli(self, *args: str) -> str:
        result = CliRunner().invoke(main, ["alerts", "--config", str(self.config_dir.path), *args])
        assert result.exit_code == 0, result.output
        return result.stdout


def test_the_policy_resolves_a_story_after_resolve_after_without_a_report() -> None:
    rules = AlertConfig(resolve_after="24h")
    almost = story_resolves(START, START + timedelta(hours=24, seconds=-1), rules)
    assert not almost.ok
    assert almost.reason == (
        "the latest report came 2026-11-02 21:00 UTC: it resolves after 24h without one"
    )
    over = story_resolves(START, START + timedelta(hours=24), rules)
    assert over.ok
    assert over.reason == "no new report for 24h since 2026-11-02 21:00 UTC"


def test_a_story_without_new_reports_resolves_quietly_after_resolve_after(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    feed = feed_server.serve("/a.xml", report_feed("a", "Crossing shut at Brnjak", "b1"))
    daemon = Daemon(config_dir, webhook)
    daemon.cycle([feed])
    (story,) = daemon.listed("--state", "firing")
    assert daemon.stories() == [("firing", 1)]

    daemon.cycle([feed], hours=23.9)
    assert [alert["id"] for alert in daemon.listed("--state", "firing")] == [story["id"]]
    report = daemon.cycle([feed], hours=0.1)

    assert report.alerts == 0  # resolved quietly: nothing queued
    assert daemon.stories() == [("firing", 1)]
    assert daemon.cli("--state", "firing").strip() == "no alerts"
    shown = daemon.cli("show", str(story["id"]))
    assert "(resolved)" in shown.splitlines()[0]
    assert "  resolved: no new report for 24h since 2026-11-02 21:00 UTC" in shown
    detail = json.loads(daemon.cli("show", str(story["id"]), "--json"))
    assert detail["payload"]["state"] == "resolved"
    assert detail["payload"]["schema"] == "monitor.alert/1"
    assert [d["event"] for d in detail["deliveries"]] == ["firing"]


def test_with_notify_resolved_the_end_of_a_story_is_delivered_once(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    feed = feed_server.serve("/a.xml", report_feed("a", "Crossing shut at Brnjak", "n1"))
    daemon = Daemon(config_dir, webhook, notify_resolved=True)
    daemon.cycle([feed])
    report = daemon.cycle([feed], hours=24)
    daemon.cycle([feed], hours=1)
    daemon.cycle([feed], hours=48)

    assert report.alerts == 1
    assert daemon.stories() == [("firing", 1), ("resolved", 1)]
    resolved = daemon.webhook.payloads[-1]
    assert resolved["id"] == daemon.webhook.payloads[0]["id"]
    assert resolved["level"] == "warning"


def test_a_silence_mutes_the_resolved_notification(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    feed = feed_server.serve("/a.xml", report_feed("a", "Crossing shut at Brnjak", "s1"))
    daemon = Daemon(config_dir, webhook, notify_resolved=True)
    daemon.cycle([feed])
    store = Store(config_dir.database)
    store.add_silence(
        watch="serbia-kosovo", level=None, until=START + timedelta(days=3),
        reason="known exercise", created_by="test", now=START,
    )  # fmt: skip
    store.close()
    daemon.cycle([feed], hours=24)

    assert daemon.stories() == [("firing", 1)]
    (story,) = daemon.listed()
    detail = json.loads(daemon.cli("show", str(story["id"]), "--json"))
    assert [(d["event"], d["status"]) for d in detail["deliveries"]] == [
        ("firing", "sent"),
        ("resolved", "silenced"),
    ]


def test_a_story_that_keeps_getting_reports_does_not_resolve(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    daemon = Daemon(config_dir, webhook)
    feeds: list[str] = []
    for n in range(7):  # a report every 5 hours, within group_window of the one before
        title = f"Brnjak crossing still shut, day report {n}"
        feeds.append(feed_server.serve(f"/{n}.xml", report_feed(f"o{n}", title, f"k{n}")))
        daemon.cycle(feeds, hours=0 if n == 0 else 5)

    (story,) = daemon.listed("--state", "firing")
    assert story["sources"] == 7  # 30 hours after the first report, still one firing story
    daemon.cycle(feeds, hours=23.9)
    assert "no alerts" not in daemon.cli("--state", "firing")
    daemon.cycle(feeds, hours=0.1)

    assert daemon.cli("--state", "firing").strip() == "no alerts"
    shown = daemon.cli("show", str(story["id"]))
    assert "resolved: no new report for 24h since 2026-11-04 03:00 UTC" in shown


def test_a_report_after_its_story_resolved_opens_a_new_story(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    first = feed_server.serve("/1.xml", report_feed("one", "Crossing shut at Brnjak", "r1"))
    daemon = Daemon(config_dir, webhook)
    daemon.cycle([first])
    daemon.cycle([first], hours=24)  # resolved, and updated now: inside group_window
    late = feed_server.serve("/2.xml", report_feed("two", "Brnjak crossing shut again", "r2"))
    daemon.cycle([first, late], hours=1)

    assert daemon.stories() == [("firing", 1), ("firing", 1)]
    (old,) = daemon.listed("--state", "resolved")
    (new,) = daemon.listed("--state", "firing")
    assert new["id"] != old["id"]
    assert old["sources"] == new["sources"] == 1
    store = Store(config_dir.database)
    stories = store.recent_stories("serbia-kosovo", START)
    # The resolved story may be followed up, never joined: it is closed.
    assert {alert["id"]: alert["state"] for alert in stories} == {
        old["id"]: "resolved",
        new["id"]: "firing",
    }
    store.close()


def test_restarts_in_between_change_nothing(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    feed = feed_server.serve("/a.xml", report_feed("a", "Crossing shut at Brnjak", "t1"))
    daemon = Daemon(config_dir, webhook, notify_resolved=True)
    daemon.cycle([feed])
    for hours in (6, 6, 6, 5.9):  # every cycle is a fresh daemon on the same file
        assert daemon.cycle([feed], hours=hours).alerts == 0
    assert daemon.stories() == [("firing", 1)]
    daemon.cycle([feed], hours=0.1)
    for hours in (0.1, 1, 24):
        assert daemon.cycle([feed], hours=hours).alerts == 0

    assert daemon.stories() == [("firing", 1), ("resolved", 1)]
    (story,) = daemon.listed()
    assert story["resolved_at"] == (START + timedelta(hours=24)).isoformat(timespec="seconds")
    assert "resolved: no new report for 24h since 2026-11-02 21:00 UTC" in daemon.cli(
        "show", str(story["id"])
    )


def test_the_migration_dates_an_older_story_by_its_newest_article(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    migrations.apply(sqlite_utils.Database(path), stop_before="0012_story_resolution")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO feeds (id, url, interval, next_poll_at) VALUES (1, 'https://a.example', 60, ?)",
            [START.isoformat()],
        )
        for article_id, hours in ((1, 0), (2, 5)):
            db.execute(
                """INSERT INTO articles (id, feed_id, guid, title, summary, fetched_at,
                     content_hash) VALUES (?, 1, ?, 't', 's', ?, ?)""",
                [article_id, f"g{article_id}", (START + timedelta(hours=hours)).isoformat(),
                 f"h{article_id}"],
            )  # fmt: skip
        for alert_id, ids in ((1, "[1, 2]"), (2, "[]")):
            db.execute(
                """INSERT INTO alerts (id, watch, kind, level, state, dedup_key, score,
                     article_ids, payload, opened_at, updated_at)
                   VALUES (?, 'w', 'article', 'warning', 'firing', ?, 9, ?, '{}', ?, ?)""",
                [alert_id, f"k{alert_id}", ids, START.isoformat(), START.isoformat()],
            )  # fmt: skip

    store = Store(path)
    assert store.firing_stories("w") == [(1, START + timedelta(hours=5)), (2, START)]
    store.close()


@pytest.mark.parametrize("value", ["0s", 0])
def test_resolve_after_must_be_longer_than_zero(value: object) -> None:
    with pytest.raises(ValueError, match="resolve_after must be longer than zero"):
        AlertConfig.model_validate({"resolve_after": value})

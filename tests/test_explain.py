"""``monitor explain ARTICLE``: why an article did or did not notify, for every reason.

Each test runs real cycles (loopback feeds, a loopback webhook, a SQLite file,
an injected clock), then asks ``monitor explain`` about one article.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ConfigDir, FeedServer, WebhookReceiver, rss

from monitor.cli import main
from monitor.config import load_config
from monitor.daemon.run import open_runtime
from monitor.poll.cycle import run_cycle
from monitor.store import Store

CLASH = (
    "Police and a crowd of Kosovo Serbs clashed near the main bridge in North Mitrovica on "
    "Monday evening. Officers fired tear gas and witnesses reported gunfire; nine people were "
    "wounded, three of them police officers, and KFOR sent extra patrols overnight."
)
PROTEST = (
    "Several hundred Kosovo Serbs protested peacefully in North Mitrovica against the new "
    "police chief appointed by Pristina."
)
TITLES = ("Clashes in North Mitrovica, nine wounded", "Nine wounded in North Mitrovica clashes")
FOOTBALL = "The derby in Belgrade ended two to one after a late goal."


class Monitor:
    """A config with a webhook channel, and cycles on a clock the test moves."""

    def __init__(
        self,
        config_dir: ConfigDir,
        feed_server: FeedServer,
        webhook: WebhookReceiver,
        **channel_options: Any,
    ) -> None:
        self.config_dir, self.feed_server = config_dir, feed_server
        self.channels = {
            "team": {"type": "webhook", "url": webhook.url("/hook"), **channel_options}
        }
        self.clock = datetime(2026, 11, 2, 21, 0, tzinfo=UTC)
        self.feeds: list[str] = []

    def publish(self, outlet: str, title: str, text: str) -> None:
        item = {"title": title, "link": f"https://{outlet}.example/1", "guid": f"{outlet}-1",
                "description": text}  # fmt: skip
        self.feeds.append(self.feed_server.serve(f"/{outlet}.xml", rss([item], title=outlet)))

    def cycle(self, minutes: float = 0, group_wait: str = "0s") -> None:
        self.clock += timedelta(minutes=minutes)
        self.config_dir.write(
            self.feeds, channels=self.channels, watch_channels=["team"], group_wait=group_wait
        )

        async def run() -> None:
            async with open_runtime(load_config(self.config_dir.path)) as runtime:
                runtime.clock = lambda: self.clock
                await run_cycle(runtime, all_feeds=True)

        asyncio.run(run())

    def article_id(self, title: str) -> int:
        store = Store(self.config_dir.database, readonly=True)
        try:
            (row,) = store.db.execute("SELECT id FROM articles WHERE title = ?", [title])
        finally:
            store.close()
        return int(row[0])

    def explain(self, title: str) -> tuple[dict[str, Any], str]:
        """The JSON document and the text of ``monitor explain`` for one article."""
        args = ["explain", str(self.article_id(title)), "--config", str(self.config_dir.path)]
        as_json = CliRunner().invoke(main, [*args, "--json"])
        as_text = CliRunner().invoke(main, args)
        assert as_json.exit_code == 0, as_json.output
        assert as_text.exit_code == 0, as_text.output
        return json.loads(as_json.output), as_text.output


def channel(document: dict[str, Any], name: str = "team") -> dict[str, Any]:
    (watch,) = document["watches"]
    return next(c for c in watch["channels"] if c["channel"] == name)


@pytest.fixture
def monitor(config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver) -> Monitor:
    return Monitor(config_dir, feed_server, webhook)


def test_an_article_out_of_scope_names_the_part_of_the_scope_it_failed(monitor: Monitor) -> None:
    monitor.publish("sport", "Partizan beat Red Star in the Belgrade derby", FOOTBALL)
    monitor.cycle()

    document, text = monitor.explain("Partizan beat Red Star in the Belgrade derby")

    reason = channel(document)["reason"]
    assert (
        reason
        == "out of scope: mentions Belgrade (@dispute) but nothing of scope.all item '@kosovo'"
    )
    assert channel(document)["notified"] is False
    assert document["watches"][0]["alert"] is None
    assert "not notified: out of scope" in text


def test_an_article_below_the_alert_level_says_its_level_and_the_watchs(monitor: Monitor) -> None:
    monitor.publish("wire", "Kosovo Serbs protest in North Mitrovica", PROTEST)
    monitor.cycle()

    document, text = monitor.explain("Kosovo Serbs protest in North Mitrovica")

    (watch,) = document["watches"]
    assert watch["level"] == "notice" and watch["in_scope"] is True
    assert channel(document)["reason"] == (
        f"below the alert level: scored notice ({watch['score']:g}); the watch alerts from warning"
    )
    assert "hits: " in text


def test_a_level_held_down_by_a_headline_names_the_signal(monitor: Monitor) -> None:
    title = "Funeral in North Mitrovica for the officer wounded in the clashes"
    monitor.publish("wire", title, CLASH)
    monitor.cycle()

    document, text = monitor.explain(title)

    (watch,) = document["watches"]
    assert (watch["level"], watch["capped_by"]) == ("warning", "aftermath-headline")
    assert "held at warning by aftermath-headline (at_most): its points reach higher" in text


def test_the_first_report_is_sent_and_a_second_joins_its_alert_within_group_wait(
    monitor: Monitor, webhook: WebhookReceiver
) -> None:
    monitor.publish("first", "Clashes in North Mitrovica, nine wounded", CLASH)
    monitor.publish("second", "Nine wounded in North Mitrovica clashes", CLASH)
    monitor.cycle(group_wait="10m")

    # The two outlets are fetched at once: either may be stored first.
    (first, _), (second, text) = sorted(
        (monitor.explain(title) for title in TITLES),
        key=lambda found: not found[0]["watches"][0]["decision"].startswith("opened"),
    )

    assert first["watches"][0]["decision"] == (
        "opened story #1: no recent story of this watch to join; "
        "the first notification waits group_wait (10m), until 2026-11-02 21:10 UTC"
    )
    assert channel(first)["reason"] == (
        "waiting for group_wait: the first notification goes out 2026-11-02 21:10 UTC"
    )
    decision = second["watches"][0]["decision"]
    assert decision.startswith(
        "joined story #1: its words are those of its first report (1.00 >= 0.60)"
    )
    assert decision.endswith("within group_wait: the first notification, not sent yet, carries it")
    assert second["watches"][0]["alert"]["id"] == 1
    assert channel(second)["reason"] == channel(first)["reason"]
    assert "decision: joined story #1" in text

    monitor.cycle(minutes=11, group_wait="10m")

    for title in (
        "Clashes in North Mitrovica, nine wounded",
        "Nine wounded in North Mitrovica clashes",
    ):
        sent, _ = monitor.explain(title)
        assert channel(sent)["notified"] is True
        assert channel(sent)["reason"] == "sent (firing) 2026-11-02 21:11 UTC"
    assert len(webhook.payloads) == 1


def test_a_report_that_brings_nothing_new_joins_quietly(monitor: Monitor) -> None:
    monitor.publish("first", "Clashes in North Mitrovica, nine wounded", CLASH)
    monitor.cycle()
    monitor.publish("later", "Nine wounded in North Mitrovica clashes", CLASH)
    monitor.cycle(minutes=30)

    document, _ = monitor.explain("Nine wounded in North Mitrovica clashes")

    reason = channel(document)["reason"]
    assert channel(document)["notified"] is False
    assert reason == (
        "its alert had notified before it joined; a quiet update: no higher level, "
        "no new event type, 2 outlets"
    )


def test_a_silenced_alert_names_the_silence(monitor: Monitor) -> None:
    store = Store(monitor.config_dir.database)
    store.add_silence(
        watch="serbia-kosovo", level=None, until=monitor.clock + timedelta(hours=3),
        reason="planned maintenance", created_by="ops", now=monitor.clock,
    )  # fmt: skip
    store.close()
    monitor.publish("first", "Clashes in North Mitrovica, nine wounded", CLASH)
    monitor.cycle()

    document, text = monitor.explain("Clashes in North Mitrovica, nine wounded")

    assert channel(document)["reason"] == (
        "silenced by #1 until 2026-11-03 00:00 UTC: planned maintenance"
    )
    assert "not notified: silenced by #1" in text


def test_a_channel_with_a_higher_min_level_says_so(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver
) -> None:
    monitor = Monitor(config_dir, feed_server, webhook, min_level="critical")
    monitor.publish("wire", "Kosovo Serbs block road at Jarinje", (
        "Kosovo Serbs blocked the road at the Jarinje crossing with trucks in protest against "
        "the arrest of a former police officer."
    ))  # fmt: skip
    monitor.cycle()

    document, _ = monitor.explain("Kosovo Serbs block road at Jarinje")

    assert document["watches"][0]["level"] == "warning"
    assert channel(document)["reason"] == "below the channel's min_level critical"
    assert webhook.payloads == []


def test_an_unknown_article_is_a_clear_error(monitor: Monitor) -> None:
    monitor.publish("wire", "Kosovo Serbs protest in North Mitrovica", PROTEST)
    monitor.cycle()

    result = CliRunner().invoke(main, ["explain", "999", "--config", str(monitor.config_dir.path)])

    assert result.exit_code == 1
    assert "no article 999" in result.output


def test_explain_reads_the_database_without_changing_it(monitor: Monitor, tmp_path: Path) -> None:
    monitor.publish("wire", "Kosovo Serbs protest in North Mitrovica", PROTEST)
    monitor.cycle()
    before = monitor.config_dir.database.read_bytes()

    monitor.explain("Kosovo Serbs protest in North Mitrovica")

    assert monitor.config_dir.database.read_bytes() == before

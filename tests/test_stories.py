"""One story, one alert: grouping, group_wait, cooldown and escalation, end to end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from conftest import ConfigDir, FeedServer, WebhookReceiver, rss

from monitor.config import load_config
from monitor.daemon.run import open_runtime
from monitor.poll.cycle import CycleReport, run_cycle

CLASH = (
    "Police and a crowd of Kosovo Serbs clashed near the main bridge in North Mitrovica on "
    "Monday evening. Officers fired tear gas and witnesses reported gunfire; nine people were "
    "wounded, three of them police officers, and KFOR sent extra patrols overnight."
)
BARRICADES = (
    "Kosovo Serbs put up barricades of trucks and gravel at the Jarinje crossing after the "
    "arrest of a local man; Kosovo police closed the road and protesters blocked traffic."
)


def outlet_feed(outlet: str, title: str, text: str, guid: str) -> bytes:
    return rss(
        [{"title": title, "link": f"https://{outlet}.example/{guid}", "guid": guid,
          "description": text}],
        title=outlet,
    )  # fmt: skip


class Daemon:
    """Cycles of a fresh daemon each time, on a clock the test moves."""

    def __init__(self, config_dir: ConfigDir, webhook: WebhookReceiver, **options: str) -> None:
        self.config_dir, self.webhook, self.options = config_dir, webhook, options
        self.clock = datetime(2026, 11, 2, 21, 0, tzinfo=UTC)

    def cycle(self, feeds: list[str], minutes: float = 0) -> CycleReport:
        self.clock += timedelta(minutes=minutes)
        path = self.config_dir.write(
            feeds,
            channels={"team": {"type": "webhook", "url": self.webhook.url("/hook")}},
            watch_channels=["team"],
            **self.options,
        )

        async def run() -> CycleReport:
            async with open_runtime(load_config(path)) as runtime:
                runtime.clock = lambda: self.clock
                return await run_cycle(runtime, all_feeds=True)

        return asyncio.run(run())


def test_five_outlets_carrying_one_clash_make_one_notification_with_five_sources(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    titles = [
        "Clashes in North Mitrovica, nine wounded",
        "Nine wounded in North Mitrovica clashes",
        "North Mitrovica: clashes leave nine wounded",
        "Clashes in North Mitrovica leave nine wounded",
        "Nine wounded as clashes erupt in North Mitrovica",
    ]
    feeds = [
        feed_server.serve(f"/{n}.xml", outlet_feed(f"outlet{n}", title, CLASH, f"c{n}"))
        for n, title in enumerate(titles)
    ]
    report = Daemon(config_dir, webhook).cycle(feeds)

    assert report.new_articles == 5
    assert report.deliveries.sent == 1
    (payload,) = webhook.payloads
    assert len(payload["articles"]) == 5
    assert payload["kind"] == "article"
    assert sorted(s["source"] for s in payload["sources"]) == [f"outlet{n}" for n in range(5)]
    assert len({source["url"] for source in payload["sources"]}) == 5


def test_a_syndicated_copy_is_stored_once_and_listed_as_a_source(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    title = "Clashes in North Mitrovica, nine wounded"
    feeds = [
        feed_server.serve(f"/{n}.xml", outlet_feed(f"outlet{n}", title, CLASH, f"s{n}"))
        for n in range(3)
    ]
    report = Daemon(config_dir, webhook).cycle(feeds)

    assert report.new_articles == 1  # the same title and text: one article
    (payload,) = webhook.payloads
    assert len(payload["articles"]) == 1
    assert sorted(s["source"] for s in payload["sources"]) == ["outlet0", "outlet1", "outlet2"]


def test_rewritten_reports_of_one_story_join_and_a_different_story_alerts_apart(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    rewritten = CLASH.replace("Monday evening", "Monday night").replace("nine", "9")
    feeds = [
        feed_server.serve("/a.xml", outlet_feed("a", "Clashes in North Mitrovica", CLASH, "a1")),
        feed_server.serve(
            "/b.xml", outlet_feed("b", "North Mitrovica clashes: 9 hurt", rewritten, "b1")
        ),
        feed_server.serve("/c.xml", outlet_feed("c", "Barricades at Jarinje", BARRICADES, "c1")),
    ]
    report = Daemon(config_dir, webhook).cycle(feeds)

    assert report.new_articles == 3
    stories = sorted(len(p["articles"]) for p in webhook.payloads)
    assert stories == [1, 2]


def test_group_wait_gathers_sources_before_the_first_notification(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    first = feed_server.serve("/1.xml", outlet_feed("one", "Clashes in Mitrovica", CLASH, "x1"))
    second = feed_server.serve("/2.xml", outlet_feed("two", "Mitrovica clashes", CLASH, "x2"))
    daemon = Daemon(config_dir, webhook, group_wait="60s")

    report = daemon.cycle([first])
    assert webhook.payloads == []  # still gathering
    assert report.waiting == 1
    assert report.summary().endswith("; 1 notifications waiting to be sent")
    daemon.cycle([first, second], minutes=0.5)
    assert webhook.payloads == []
    daemon.cycle([first, second], minutes=1)

    (payload,) = webhook.payloads
    assert [source["source"] for source in payload["sources"]] == ["one", "two"]


def test_a_firing_story_repeats_only_after_its_cooldown_and_escalates_at_once(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    mild = "Kosovo Serbs protest near the Jarinje crossing; police made arrests at the barricades."
    first = feed_server.serve("/1.xml", outlet_feed("one", "Protest at Jarinje", mild, "m1"))
    daemon = Daemon(config_dir, webhook)
    daemon.cycle([first])
    assert [p["level"] for p in webhook.payloads] == ["warning"]

    again = feed_server.serve("/2.xml", outlet_feed("two", "Protest at Jarinje", mild, "m2"))
    daemon.cycle([first, again], minutes=30)  # a new source inside the 2 h cooldown
    assert len(webhook.payloads) == 1

    worse = mild + " Then gunfire: two officers were shot and wounded, grenades exploded."
    third = feed_server.serve("/3.xml", outlet_feed("three", "Protest at Jarinje", worse, "m3"))
    daemon.cycle([first, again, third], minutes=10)  # the level rises: at once
    assert [p["level"] for p in webhook.payloads] == ["warning", "critical"]

    fourth = feed_server.serve("/4.xml", outlet_feed("four", "Protest at Jarinje", worse, "m4"))
    daemon.cycle([first, again, third, fourth], minutes=150)  # after the cooldown
    assert len(webhook.payloads) == 3
    assert len(webhook.payloads[-1]["sources"]) == 4
    keys = [r.headers["Idempotency-Key"] for r in webhook.requests]
    assert len(set(keys)) == 3


def test_a_critical_report_within_group_wait_replaces_the_warning_it_would_follow(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    mild = "Kosovo Serbs protest near the Jarinje crossing; police made arrests at the barricades."
    worse = mild + " Then gunfire: two officers were shot and wounded, grenades exploded."
    first = feed_server.serve("/1.xml", outlet_feed("one", "Protest at Jarinje", mild, "i1"))
    second = feed_server.serve("/2.xml", outlet_feed("two", "Protest at Jarinje", worse, "i2"))
    daemon = Daemon(config_dir, webhook, group_wait="60s")

    daemon.cycle([first])
    daemon.cycle([first, second], minutes=0.5)  # critical, before the warning went out
    daemon.cycle([first, second], minutes=1)

    (payload,) = webhook.payloads
    assert payload["level"] == "critical"
    assert len(payload["articles"]) == 2

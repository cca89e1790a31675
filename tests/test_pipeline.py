"""End to end: loopback feed server -> poll -> SQLite -> alerts -> loopback webhook."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO, ConfigDir, FeedServer, Route, WebhookReceiver, rss

from monitor.config import load_config
from monitor.daemon.run import open_runtime, poll_once
from monitor.errors import ParseError
from monitor.models import FetchResult
from monitor.poll.cycle import CycleReport, run_cycle
from monitor.poll.workers import PreparedFeed, prepare_feed
from monitor.rules.score import score


def poll(config_path: Path) -> CycleReport:
    return asyncio.run(poll_once(load_config(config_path)))


def rows(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchall()


def seed_feed(seed_article: str) -> bytes:
    title, _, text = seed_article.strip().partition("\n")
    return rss(
        [
            {
                "title": title.strip(),
                "link": "https://seed.example/tension",
                "guid": "seed-1",
                "description": text.strip(),
            }
        ],
        title="Seed outlet",
    )


def test_first_poll_stores_and_scores_second_poll_gets_304_and_stores_nothing(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config = config_dir.write([url])

    first = poll(config)
    second = poll(config)

    assert (first.polled, first.updated, first.new_articles) == (1, 1, 4)
    assert (second.polled, second.not_modified, second.new_articles) == (1, 1, 0)
    assert feed_server.requests[1].headers.get("If-None-Match")
    assert rows(config_dir.database, "SELECT count(*) FROM articles") == [(4,)]
    assert rows(config_dir.database, "SELECT count(*) FROM scores") == [(4,)]
    feed = rows(config_dir.database, "SELECT last_status, consecutive_errors FROM feeds")
    assert feed == [("not_modified", 0)]


def test_the_same_story_in_two_feeds_is_stored_once(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    courier = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    wire = feed_server.serve_file(
        "/wire.atom", FIXTURES / "balkan-wire.atom", content_type="application/atom+xml"
    )
    config = config_dir.write([courier, wire])

    report = poll(config)

    # The wire re-publishes the courier's clash story under the same canonical URL.
    assert report.new_articles == 5
    titles = rows(
        config_dir.database,
        "SELECT count(*) FROM articles WHERE title LIKE 'Gunfire and tear gas%'",
    )
    assert titles == [(1,)]


def test_a_broken_feed_next_to_good_ones_is_recorded_and_the_others_are_stored(
    feed_server: FeedServer, config_dir: ConfigDir, caplog: pytest.LogCaptureFixture
) -> None:
    good = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    html = feed_server.serve_file(
        "/page.html", FIXTURES / "not-a-feed.html", content_type="text/html"
    )
    failing = feed_server.serve("/down.xml", Route(status=503, body=b"down"))
    config = config_dir.write([html, good, failing])

    report = poll(config)

    assert (report.polled, report.updated, report.failed) == (3, 1, 2)
    assert report.new_articles == 4
    errors = dict(
        rows(config_dir.database, "SELECT url, last_error FROM feeds WHERE last_status='error'")
    )
    assert "not a" in errors[html]
    assert "503" in errors[failing]
    failures = [r.getMessage() for r in caplog.records if "poll failed" in r.getMessage()]
    assert len(failures) == 2
    assert all("next attempt in" in line for line in failures)


def test_an_escalation_alert_reaches_the_webhook_once_even_across_restarts(
    feed_server: FeedServer,
    config_dir: ConfigDir,
    webhook: WebhookReceiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml", etag=False)
    config = config_dir.write(
        [{"url": url, "name": "Ibar Valley Courier"}],
        channels={
            "console": {"type": "console"},
            "team": {"type": "webhook", "url": webhook.url("/hook")},
        },
        watch_channels=["console", "team"],
    )

    first = poll(config)
    again = poll(config)  # no ETag: the feed is fetched and parsed again

    assert first.alerts == 2
    assert again.alerts == 0 and again.new_articles == 0
    payloads = webhook.payloads
    assert len(payloads) == 2
    clash = next(p for p in payloads if "Ibar bridge" in p["articles"][0]["title"])
    assert clash["schema"] == "monitor.alert/1"
    assert clash["watch"] == "serbia-kosovo"
    assert clash["level"] == "critical"
    assert clash["score"] >= 14
    article = clash["articles"][0]
    assert article["url"].startswith("https://courier.example/news/ibar-bridge-clashes")
    assert article["source"] == "Ibar Valley Courier"
    assert {hit["signal"] for hit in article["hits"]} >= {"armed-violence", "clashes"}
    keys = [r.headers["Idempotency-Key"] for r in webhook.requests]
    assert len(set(keys)) == 2
    printed = capsys.readouterr().out
    # The story's title heads the alert; the watch and the score are in its last line.
    assert "[CRITICAL] " in printed and "serbia-kosovo, score" in printed
    assert "Trade fair" not in printed


def test_a_webhook_that_fails_is_retried_until_it_accepts(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config = config_dir.write(
        [url],
        channels={"team": {"type": "webhook", "url": webhook.url("/hook")}},
        watch_channels=["team"],
        settings={"delivery": {"retry_base": 0, "max_attempts": 5}},
    )
    webhook.statuses = [500, 500]

    first = poll(config)
    second = poll(config)

    assert first.alerts == 2
    assert first.deliveries.sent == 0 and first.deliveries.retrying == 2
    assert second.deliveries.sent == 2
    assert len(webhook.payloads) == 2
    pending = rows(config_dir.database, "SELECT status, attempts FROM deliveries")
    assert sorted(pending) == [("sent", 2), ("sent", 2)]


def test_the_seed_article_scores_critical_and_alerts(
    feed_server: FeedServer,
    config_dir: ConfigDir,
    seed_article: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = feed_server.serve("/seed.xml", seed_feed(seed_article))
    config = config_dir.write([url])

    report = poll(config)

    assert report.alerts == 1
    assert rows(config_dir.database, "SELECT level FROM scores") == [("critical",)]
    assert "[CRITICAL]" in capsys.readouterr().out


def test_feeds_are_parsed_in_the_daemons_own_process_with_zero_workers(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config = config_dir.write([url], settings={"poll": {"workers": 0, "jitter": 0}})

    report = poll(config)

    assert (report.updated, report.new_articles, report.alerts) == (1, 4, 2)


def test_a_parser_process_that_dies_costs_one_feed_one_poll(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config = load_config(config_dir.write([url]))
    result = FetchResult(url, "ok", 200, (FIXTURES / "north-kosovo.xml").read_bytes())

    async def scenario() -> tuple[object, object]:
        async with open_runtime(config) as runtime:
            first = await runtime.prepare(result)
            assert isinstance(first, PreparedFeed)
            for process in list(runtime.parsers.executor._processes.values()):  # type: ignore[union-attr]
                process.kill()
                process.join()
            crashed = await runtime.prepare(result)
            recovered = await runtime.prepare(result)
            return crashed, recovered

    crashed, recovered = asyncio.run(scenario())

    assert isinstance(crashed, ParseError)
    assert "parser process died" in str(crashed)
    assert isinstance(recovered, PreparedFeed)
    assert len(recovered.articles) == 4


def positive_score_total(config_path: Path, fixture: Path) -> float:
    """What a feed's new articles add to the tension index (for calibration)."""
    config = load_config(config_path)
    prepared = prepare_feed(FetchResult("https://x.example/", "ok", 200, fixture.read_bytes()))
    totals = [score(article, config.matcher)[0] for article in prepared.articles]
    return sum(s.score for s in totals if s.in_scope and s.score > 0)


def test_the_tension_index_fires_escalates_and_resolves_across_restarts(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    courier = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    path = config_dir.write(
        [courier],
        channels={"team": {"type": "webhook", "url": webhook.url("/hook")}},
        watch_channels=["team"],
    )
    first_total = positive_score_total(path, FIXTURES / "north-kosovo.xml")
    # The wire repeats one courier story (stored once) and adds the barricades.
    both_total = first_total + 9.5
    watch_file = path / "watches" / "serbia-kosovo.yaml"
    levels = f"{{elevated: {first_total * 0.9}, high: {both_total * 0.97}, severe: 10000}}"
    text = watch_file.read_text(encoding="utf-8")
    shipped_index = text[text.index("index:\n") : text.index("alert:\n")]
    watch_file.write_text(
        text.replace("on: [article:warning]", "on: [index:elevated]").replace(
            shipped_index, f"index: {{half_life: 1h, levels: {levels}}}\n"
        ),
        encoding="utf-8",
    )
    clock = [datetime(2026, 11, 3, 12, 0, tzinfo=UTC)]

    async def cycle(minutes: float) -> CycleReport:
        clock[0] += timedelta(minutes=minutes)
        async with open_runtime(load_config(path)) as runtime:  # a fresh daemon each time
            runtime.clock = lambda: clock[0]
            return await run_cycle(runtime, all_feeds=True)

    fired = asyncio.run(cycle(0))
    wire = feed_server.serve_file(
        "/wire.atom", FIXTURES / "balkan-wire.atom", content_type="application/atom+xml"
    )
    (path / "feeds.yaml").write_text(f"feeds: [{{url: '{courier}'}}, {{url: '{wire}'}}]\n")
    escalated = asyncio.run(cycle(0))
    quiet = asyncio.run(cycle(30))  # half a half-life: below 0.8 x high, kept "elevated"
    resolved = asyncio.run(cycle(300))  # far below 0.8 x elevated

    assert [fired.alerts, escalated.alerts, quiet.alerts, resolved.alerts] == [1, 1, 0, 1]
    events = [(p["kind"], p["state"], p["level"]) for p in webhook.payloads]
    assert events == [
        ("index", "firing", "elevated"),
        ("index", "firing", "high"),
        ("index", "resolved", "high"),
    ]
    assert webhook.payloads[0]["articles"][0]["title"].startswith("Gunfire and tear gas")
    assert len({r.headers["Idempotency-Key"] for r in webhook.requests}) == 3
    history = rows(config_dir.database, "SELECT level FROM index_history ORDER BY id")
    assert [level for (level,) in history] == ["elevated", "high", "elevated", None]
    assert rows(config_dir.database, "SELECT state, level FROM alerts WHERE kind = 'index'") == [
        ("resolved", "high")
    ]


def test_the_monitor_alerts_when_most_feeds_fail_for_a_while_and_when_they_recover(
    feed_server: FeedServer, config_dir: ConfigDir, capsys: pytest.CaptureFixture[str]
) -> None:
    good = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    down = [feed_server.serve(f"/down{n}.xml", Route(status=503)) for n in range(3)]
    path = config_dir.write(
        [good, *down],
        settings={"system": {"failing_share": 0.5, "failing_for": "30m", "quiet_for": "7d"}},
    )
    clock = [datetime(2026, 11, 3, 12, 0, tzinfo=UTC)]

    def cycle(minutes: float) -> CycleReport:
        clock[0] += timedelta(minutes=minutes)

        async def run() -> CycleReport:
            async with open_runtime(load_config(path)) as runtime:
                runtime.clock = lambda: clock[0]
                return await run_cycle(runtime, all_feeds=True)

        return asyncio.run(run())

    cycle(0)
    assert "monitor itself" not in capsys.readouterr().out  # failing, but not for long
    cycle(45)
    fired = capsys.readouterr().out
    assert "[WARNING] monitor itself: feeds" in fired
    assert "3 of 4 feeds have failed for over 30m" in fired
    cycle(5)
    assert "monitor itself" not in capsys.readouterr().out  # no repeat
    for n in range(3):
        feed_server.routes[f"/down{n}.xml"] = Route(
            body=(FIXTURES / "north-kosovo.xml").read_bytes()
        )
    cycle(5)
    assert "[RESOLVED] monitor itself: feeds" in capsys.readouterr().out


def readme_verify() -> Callable[..., bool]:
    """The signature check that README.md gives receivers, run as written."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Verifying signatures", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    return namespace["verify"]  # type: ignore[no-any-return]


def test_a_signed_webhook_verifies_with_the_readme_snippet(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config = config_dir.write(
        [url],
        channels={"team": {"type": "webhook", "url": webhook.url("/hook"), "secret": "s3cret"}},
        watch_channels=["team"],
    )
    poll(config)
    verify = readme_verify()

    assert webhook.requests
    for request in webhook.requests:
        headers = {name.lower(): value for name, value in request.headers.items()}
        timestamp, signature = headers["x-monitor-timestamp"], headers["x-monitor-signature"]
        assert verify("s3cret", timestamp, request.body, signature)
        assert not verify("wrong", timestamp, request.body, signature)
        assert not verify("s3cret", timestamp, request.body + b" ", signature)
        assert not verify("s3cret", str(int(timestamp) - 3600), request.body, signature)


def test_a_channel_takes_only_article_alerts_at_or_above_its_min_level(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    courier = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    mild = "Kosovo Serbs protest near the Jarinje crossing; police made arrests at the barricades."
    protest = feed_server.serve(
        "/protest.xml",
        rss([{"title": "Protest at Jarinje", "link": "https://p.example/1", "description": mild}]),
    )
    config = config_dir.write(
        [courier, protest],
        channels={
            "everything": {"type": "webhook", "url": webhook.url("/all")},
            "urgent": {"type": "webhook", "url": webhook.url("/urgent"), "min_level": "critical"},
        },
        watch_channels=["everything", "urgent"],
    )

    report = poll(config)

    levels = {
        path: sorted(json.loads(r.body)["level"] for r in webhook.requests if r.path == path)
        for path in ("/all", "/urgent")
    }
    assert levels == {
        "/all": ["critical", "critical", "warning"],
        "/urgent": ["critical", "critical"],
    }
    assert report.deliveries.sent == 5
    skipped = rows(config_dir.database, "SELECT channel FROM deliveries WHERE status = 'skipped'")
    assert skipped == [("urgent",)]


def test_a_receiver_that_answers_429_is_retried_after_its_retry_after(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config = config_dir.write(
        [url],
        channels={"team": {"type": "webhook", "url": webhook.url("/hook")}},
        watch_channels=["team"],
        settings={"delivery": {"retry_base": "1s", "jitter": 0}},
    )
    webhook.statuses = [429, 429]
    webhook.headers = {"Retry-After": "600"}

    first = poll(config)

    assert first.deliveries.retrying == 2
    waits = rows(
        config_dir.database,
        "SELECT (julianday(next_attempt_at) - julianday(created_at)) * 86400 FROM deliveries",
    )
    assert all(595 <= wait <= 605 for (wait,) in waits)

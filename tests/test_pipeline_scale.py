"""The pipeline under load: scoring in the worker processes, deadlines while the loop is busy."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conftest import ConfigDir, FeedServer, Route, rss

from monitor.config import load_config
from monitor.daemon.run import Daemon, open_runtime, poll_once
from monitor.http import make_client
from monitor.models import FeedState, FetchResult
from monitor.poll.cycle import run_cycle
from monitor.reader.fetch import FetchLimits, fetch_feed
from monitor.rules.compile import rules_version

CLASHES = (
    "Police and a crowd of Kosovo Serbs clashed near the main bridge in North Mitrovica. "
    "Officers fired tear gas and witnesses reported gunfire; nine people were wounded."
)
RIOT = (
    "Kosovo Serbs clashed with police at the Jarinje crossing; tear gas was fired and "
    "several officers were wounded, KFOR said."
)


def item(guid: str, title: str, text: str) -> dict[str, str]:
    return {
        "title": title,
        "link": f"https://north.example/{guid}",
        "guid": guid,
        "description": text,
    }


def rows(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchall()


def test_after_a_reload_the_worker_processes_score_with_the_new_rules(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    first = item("n-1", "Clashes in Mitrovica", CLASHES)
    url = feed_server.serve("/north.xml", rss([first]))
    path = config_dir.write([url], settings={"poll": {"workers": 1, "jitter": 0}})
    watch_file = path / "watches" / "serbia-kosovo.yaml"
    old_version = rules_version(load_config(path).watches[0])

    async def scenario() -> None:
        async with open_runtime(load_config(path)) as runtime:
            daemon = Daemon(runtime)
            await run_cycle(runtime, all_feeds=True)  # starts the worker with the first rules
            text = watch_file.read_text(encoding="utf-8")
            assert "{name: clashes, weight: 5," in text
            text = text.replace("{name: clashes, weight: 5,", "{name: clashes, weight: 50,")
            watch_file.write_text(text, encoding="utf-8")
            feed_server.serve("/north.xml", rss([first, item("n-2", "Riot at Jarinje", RIOT)]))
            await daemon.reload("SIGHUP")
            await run_cycle(runtime, all_feeds=True)

    asyncio.run(scenario())

    new_version = rules_version(load_config(path).watches[0])
    assert new_version != old_version
    scores = rows(
        config_dir.database,
        "SELECT a.title, s.rules_version, s.hits FROM scores s JOIN articles a ON a.id = s.article_id",
    )
    assert {title: version for title, version, _ in scores} == {
        "Clashes in Mitrovica": old_version,
        "Riot at Jarinje": new_version,
    }
    hits = json.loads(next(hits for title, _, hits in scores if title == "Riot at Jarinje"))
    clashes = [hit["points"] for hit in hits if hit["signal"] == "clashes"]
    assert max(clashes) == 75  # 50, x1.5 in the title: the new weight


def test_entries_already_stored_are_scored_in_the_worker_but_only_new_ones_store_scores_and_alert(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    first = item("n-1", "Clashes in Mitrovica", CLASHES)
    url = feed_server.serve("/north.xml", rss([first]))
    path = config_dir.write([url], settings={"poll": {"workers": 1, "jitter": 0}})
    before = asyncio.run(poll_once(load_config(path)))
    scored_at = rows(config_dir.database, "SELECT article_id, scored_at FROM scores")

    # The feed changes: the stored story again, and a new one.
    feed_server.serve("/north.xml", rss([item("n-2", "Riot at Jarinje", RIOT), first]))
    after = asyncio.run(poll_once(load_config(path)))

    assert (before.new_articles, before.alerts) == (1, 1)
    assert (after.new_articles, after.alerts) == (1, 1)
    alerted = rows(
        config_dir.database,
        "SELECT a.title FROM alerts l JOIN articles a ON l.article_ids = json_array(a.id)"
        " ORDER BY l.id",
    )
    assert alerted == [("Clashes in Mitrovica",), ("Riot at Jarinje",)]
    stored = rows(config_dir.database, "SELECT article_id, scored_at FROM scores ORDER BY 1")
    assert stored[0] == scored_at[0]  # the known story was not stored or scored again
    assert len(stored) == 2


def fetch_while_the_loop_is_blocked(
    url: str, timeout: float, block: float
) -> tuple[FetchResult, float]:
    """Fetch ``url`` while another task blocks the loop for ``block`` seconds from 0.05 s."""
    limits = FetchLimits(timeout=timeout)

    async def scenario() -> FetchResult:
        async with make_client(
            timeout=limits.timeout, max_redirects=limits.max_redirects, concurrency=2
        ) as client:

            async def block_the_loop() -> None:
                await asyncio.sleep(0.05)  # the request is on its way
                time.sleep(block)  # synchronous work, as storing a large feed is

            feed = FeedState(1, url, None, 600.0)
            fetched, _ = await asyncio.gather(
                fetch_feed(client, feed, limits, datetime.now(UTC)), block_the_loop()
            )
            return fetched

    started = time.monotonic()
    result = asyncio.run(scenario())
    return result, time.monotonic() - started


def test_a_response_that_arrived_while_the_loop_was_busy_past_the_deadline_is_read(
    feed_server: FeedServer,
) -> None:
    url = feed_server.serve("/slow.xml", Route(rss([item("s-1", "One", "text")]), delay=0.3))

    # The response arrives at 0.3 s; the loop is blocked until 1.05 s, past the 0.6 s deadline.
    result, _ = fetch_while_the_loop_is_blocked(url, timeout=0.6, block=1.0)

    assert (result.outcome, result.status_code) == ("ok", 200)


def test_a_feed_that_has_not_answered_after_the_grace_still_times_out(
    feed_server: FeedServer,
) -> None:
    url = feed_server.serve("/stuck.xml", Route(rss([item("s-1", "One", "text")]), delay=5.0))

    result, seconds = fetch_while_the_loop_is_blocked(url, timeout=0.6, block=1.0)

    assert result.outcome == "error"
    assert (result.error or "").startswith("timed out")  # the deadline, or httpx's read timeout
    assert seconds < 2.5  # the deadline, then once the 0.45 s the loop kept it waiting


def test_a_healthy_feed_does_not_time_out_while_the_loop_stores_another(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    fast = feed_server.serve("/fast.xml", Route(rss([item("f-1", "Fast", "text")]), delay=0.2))
    slow = feed_server.serve("/slow.xml", Route(rss([item("s-1", "Slow", "text")]), delay=0.6))
    path = config_dir.write(
        [fast, {"url": slow, "timeout": "1.5s"}], settings={"poll": {"workers": 0, "jitter": 0}}
    )
    config = load_config(path)

    def lock_the_database_while_the_fast_feed_is_stored() -> None:
        # Another writer holds the database: storing the fast feed blocks the loop
        # (SQLite's busy timeout) from 0.2 s to 2.5 s; the slow feed's response
        # arrives at 0.6 s and its 1.5 s deadline passes meanwhile.
        while not any(request.path == "/fast.xml" for request in feed_server.requests):
            time.sleep(0.002)
        with sqlite3.connect(config_dir.database, isolation_level=None) as db:
            db.execute("BEGIN IMMEDIATE")
            time.sleep(2.5)
            db.execute("COMMIT")

    locker = threading.Thread(target=lock_the_database_while_the_fast_feed_is_stored)
    locker.start()
    report = asyncio.run(poll_once(config))
    locker.join()

    assert (report.updated, report.failed) == (2, 0)
    assert rows(config_dir.database, "SELECT count(*) FROM articles") == [(2,)]

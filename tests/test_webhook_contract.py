"""The webhook body is a stable contract: byte for byte what ``monitor.alert/1`` has been.

``tests/fixtures/webhook-bodies.jsonl`` holds the bodies an earlier version sent
for one scenario (a story, the tension index firing, escalating and resolving,
on an injected clock); the same scenario must send the same bytes, except for
keys added since (``ADDED``, always after the recorded ones). The scores in
them are the shipped watch's: the bodies were recorded again when its rules
changed (issue #14). The tension index counts a story once, not each report of
it (issue #13), so an index body carries the numbers that rule computes
(``INDEX_COMPUTED``: when it fired, its level, value and top articles) in the
same keys, in the same order, written the same way, and the recorded
escalation that only copies of the story caused (``NO_LONGER_SENT``) is not sent.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import FIXTURES, ConfigDir, FeedServer, WebhookReceiver, rss

from monitor.config import load_config
from monitor.daemon.run import open_runtime
from monitor.models import Alert
from monitor.poll.cycle import run_cycle

GOLDEN = FIXTURES / "webhook-bodies.jsonl"
# Keys monitor.alert/1 gained since the bodies were recorded, in their order: each
# present one after every recorded key.
ADDED = ("story", "excerpt", "alert")
# The recorded escalation of the index to high: two copies of the story no longer raise it.
NO_LONGER_SENT = 2
# What the tension-index rule computes in an index body (the rest is the contract).
INDEX_COMPUTED = ("id", "level", "score", "created_at", "index", "articles")

CLASH = (
    "Police and a crowd of Kosovo Serbs clashed near the main bridge in North Mitrovica on "
    "Monday evening. Officers fired tear gas and witnesses reported gunfire; nine people were "
    "wounded, three of them police officers, and KFOR sent extra patrols overnight."
)
TITLES = [
    "Clashes in North Mitrovica, nine wounded",
    "Nine wounded in North Mitrovica clashes",
    "North Mitrovica: clashes leave nine wounded",
]


def _bodies(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> list[bytes]:
    items = [
        {"title": title, "link": f"https://wire.example/c{n}", "guid": f"c{n}",
         "description": CLASH}
        for n, title in enumerate(TITLES)
    ]  # fmt: skip
    first = feed_server.serve("/wire.xml", rss(items[:1], title="Wire"))
    later = feed_server.serve("/later.xml", rss(items[1:], title="Later wire"))
    clock = datetime(2026, 11, 2, 21, 0, tzinfo=UTC)

    def cycle(minutes: float, feeds: list[str]) -> None:
        nonlocal clock
        clock += timedelta(minutes=minutes)
        config_dir.write(
            feeds,
            channels={"team": {"type": "webhook", "url": webhook.url("/hook")}},
            watch_channels=["team"],
            alert_on="[article:warning, index:elevated]",
            settings={"poll": {"timeout": "5s", "jitter": 0, "workers": 0, "concurrency": 1}},
        )

        async def run() -> None:
            async with open_runtime(load_config(config_dir.path)) as runtime:
                runtime.clock = lambda: clock
                await run_cycle(runtime, all_feeds=True)

        asyncio.run(run())

    cycle(0, [first])
    cycle(180, [first, later])  # after the cooldown: the story's update with new sources
    cycle(60 * 24 * 4, [first, later])  # days later: the index has decayed and resolves
    return [request.body for request in webhook.accepted]


def test_the_webhook_body_is_byte_for_byte_the_stable_contract(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    bodies = _bodies(feed_server, config_dir, webhook)
    recorded = GOLDEN.read_bytes().splitlines()
    expected = [body for n, body in enumerate(recorded) if n != NO_LONGER_SENT]
    assert len(bodies) == len(expected) >= 4
    for body, golden in zip(bodies, expected, strict=True):
        document = json.loads(body)
        added = [key for key in document if key in ADDED]
        assert list(document)[len(document) - len(added) :] == added
        assert added == [key for key in ADDED if key in added]
        recorded = {key: value for key, value in document.items() if key not in ADDED}
        if document["kind"] == "index":
            golden = _with_index_values(golden, document)
        assert json.dumps(recorded, ensure_ascii=False).encode() == golden


def _with_index_values(golden: bytes, document: dict[str, object]) -> bytes:
    """The recorded index body with the values the index rule computes taken from
    ``document``: every other key and value, and their order, stay the recorded ones."""
    recorded = json.loads(golden)
    assert list(recorded) == [key for key in document if key not in ADDED]
    for key in INDEX_COMPUTED:
        recorded[key] = document[key]
    return json.dumps(recorded, ensure_ascii=False).encode()


def test_the_index_fires_once_for_one_story_of_several_reports(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    index = [json.loads(body) for body in _bodies(feed_server, config_dir, webhook)]
    index = [document for document in index if document["kind"] == "index"]
    # One critical story (30 points), then two more reports of it from another
    # outlet: the index is elevated at once and does not climb to high on copies.
    assert [(d["state"], d["level"], d["index"]) for d in index] == [
        ("firing", "elevated", 30.0),
        ("resolved", "elevated", index[1]["index"]),
    ]


def test_a_story_body_says_where_what_and_who_reported_it(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    story = json.loads(_bodies(feed_server, config_dir, webhook)[0])["story"]
    assert story == {
        "places": ["Mitrovica"],
        "event_types": story["event_types"],
        "outlets": 1,
        "reports": 1,
        "first_report": "2026-11-02T21:00:00+00:00",
        "last_report": "2026-11-02T21:00:00+00:00",
        "breaking": False,
        "follows": None,
        "languages": ["en"],
    }
    assert {"armed-violence", "clashes"} <= set(story["event_types"])


def write_golden(path: Path, bodies: list[bytes]) -> None:
    path.write_bytes(b"\n".join(bodies) + b"\n")


def test_every_recorded_body_reads_back_into_an_alert_and_out_unchanged() -> None:
    for line in GOLDEN.read_bytes().splitlines():
        document = json.loads(line)
        alert = Alert.from_json(document)
        assert json.dumps(alert.to_json(), ensure_ascii=False).encode() == line


def test_a_spike_and_a_test_alert_keep_their_keys_in_order() -> None:
    spike = {"schema": "monitor.alert/1", "id": "w:spike:x", "kind": "spike", "state": "firing",
             "watch": "w", "level": "spike", "score": 12, "created_at": "2026-11-02T21:00:00+00:00",
             "count": 12, "baseline": 2.5, "articles": []}  # fmt: skip
    assert list(Alert.from_json(spike).to_json().items()) == list(spike.items())

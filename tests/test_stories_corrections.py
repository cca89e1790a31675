"""Stories corrected by hand: ``monitor stories merge`` and ``split`` on stories the real
daemon grouped from loopback feeds into a real SQLite file; neither notifies anyone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import ClockedDaemon, ConfigDir, FeedServer, WebhookReceiver
from test_stories import START, outlet_feed

from monitor.cli import main
from monitor.models import Alert
from monitor.store import Store

# Two reports of one evening at the Ibar bridge, worded too differently for the
# daemon to group them: the operator merges them.
BRIDGE = (
    "Kosovo police used tear gas on Tuesday night after a group of Kosovo Serbs threw stones "
    "at officers guarding the bridge over the Ibar in Mitrovica. Four officers and two "
    "protesters were injured, and KFOR troops moved in to separate the sides."
)
STANDOFF = (
    "Six people, four of them police officers, were hurt when Kosovo Serbs and police clashed "
    "at the Ibar bridge in Mitrovica late on Tuesday; KFOR troops later stood between the two "
    "groups."
)
# A calm protest (warning) and a later report of it turning violent (critical),
# grouped by the daemon into one story: the operator splits them apart.
PROTEST = "Kosovo Serbs held a protest near Zvecan over the arrest of a local official."
VIOLENCE = (
    PROTEST + " By nightfall shots were fired at the police, a grenade exploded and three "
    "officers were wounded."
)
TITLE = "Protest near Zvecan"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def run(config_dir: ConfigDir, *args: str) -> str:
    """A command that must succeed; its output."""
    code, out, err = invoke(*args, "--config", str(config_dir.path))
    assert code == 0, err
    return out


def shown(config_dir: ConfigDir, alert_id: int) -> dict[str, Any]:
    detail: dict[str, Any] = json.loads(run(config_dir, "alerts", "show", str(alert_id), "--json"))
    return detail


def story_ids(config_dir: ConfigDir) -> list[int]:
    """The ids of the story alerts, oldest first."""
    rows = [json.loads(line) for line in run(config_dir, "alerts", "--json").splitlines()]
    return sorted(row["id"] for row in rows if row["kind"] == "article")


def decision(config_dir: ConfigDir, article_id: int) -> str:
    document = json.loads(run(config_dir, "explain", str(article_id), "--json"))
    (watch,) = document["watches"]
    return str(watch["decision"])


def bridge_stories(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver, **options: str
) -> tuple[ClockedDaemon, list[str]]:
    feeds = [
        feed_server.serve("/north.xml", outlet_feed("north", "Stones and tear gas at the "
                          "Ibar bridge in Mitrovica", BRIDGE, "n1")),
        feed_server.serve("/south.xml", outlet_feed("south", "Mitrovica bridge standoff "
                          "leaves six injured", STANDOFF, "s1")),
    ]  # fmt: skip
    # Grouped by words only, as a watch may choose: these two rewrites stay apart.
    daemon = ClockedDaemon(config_dir, webhook, START, story_group="words", **options)
    daemon.cycle(feeds)
    return daemon, feeds


def test_a_merge_makes_one_story_of_both_outlets_and_notifies_nobody(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    daemon, feeds = bridge_stories(feed_server, config_dir, webhook)
    target, source = story_ids(config_dir)
    assert len(webhook.payloads) == 2  # the daemon saw two stories
    (moved,) = [article["id"] for article in shown(config_dir, source)["articles"]]

    out = run(config_dir, "stories", "merge", str(target), str(source))
    daemon.cycle(feeds, minutes=5)  # a delivery pass: nothing new goes out

    assert f"story #{source} merged into #{target}: article {moved} moved" in out
    assert len(webhook.payloads) == 2
    merged = shown(config_dir, target)
    assert len(merged["articles"]) == 2
    assert sorted(s["source"] for s in merged["payload"]["sources"]) == ["north", "south"]
    assert merged["level"] == "critical"
    assert len(merged["deliveries"]) == 1
    gone = shown(config_dir, source)
    assert (gone["state"], gone["merged_into"], gone["articles"]) == ("merged", target, [])
    assert f"(merged into #{target})" in run(config_dir, "alerts", "show", str(source))
    listed = run(config_dir, "alerts").splitlines()
    assert next(line for line in listed if line.split()[0] == str(source)).endswith(
        f"merged into #{target}"
    )
    assert decision(config_dir, moved).startswith(
        f"moved to story #{target} by hand (merge of #{source}) at "
    )
    text = run(config_dir, "alerts", "show", str(target))
    assert f"merge: article {moved} moved from #{source} into #{target} by hand" in text


def test_explain_counts_no_notification_from_before_the_move(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    bridge_stories(feed_server, config_dir, webhook)
    target, source = story_ids(config_dir)
    (moved,) = [article["id"] for article in shown(config_dir, source)["articles"]]
    run(config_dir, "stories", "merge", str(target), str(source), "--note", "same evening")

    document = json.loads(run(config_dir, "explain", str(moved), "--json"))

    (watch,) = document["watches"]
    assert watch["alert"]["id"] == target
    assert watch["decision"].endswith(": same evening")
    (channel,) = watch["channels"]
    assert not channel["notified"]
    assert channel["reason"].startswith("its alert had notified before it joined; moved to")


def test_a_split_gives_the_article_a_story_of_its_own_and_notifies_nobody(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    calm = feed_server.serve("/one.xml", outlet_feed("one", TITLE, PROTEST, "p1"))
    daemon = ClockedDaemon(config_dir, webhook, START)
    daemon.cycle([calm])
    worse = feed_server.serve("/two.xml", outlet_feed("two", TITLE, VIOLENCE, "p2"))
    daemon.cycle([calm, worse], minutes=10)  # joins the story, which rises to critical
    (story,) = story_ids(config_dir)
    first, second = (article["id"] for article in shown(config_dir, story)["articles"])
    assert [p["level"] for p in webhook.payloads] == ["warning", "critical"]

    out = run(config_dir, "stories", "split", str(story), str(first))
    daemon.cycle([calm, worse], minutes=5)

    assert len(webhook.payloads) == 2
    assert story_ids(config_dir)[0] == story
    new = story_ids(config_dir)[1]
    assert f"article {first} split out of story #{story} into new story #{new}" in out
    original = shown(config_dir, story)
    assert [a["id"] for a in original["articles"]] == [second]
    assert original["level"] == "critical"
    split = shown(config_dir, new)
    assert [a["id"] for a in split["articles"]] == [first]
    assert (split["kind"], split["level"], split["state"]) == ("article", "warning", "firing")
    assert split["deliveries"] == []
    # The article opened the story, so its own dedup key is taken: a suffix.
    assert split["dedup_key"] == f"serbia-kosovo:article:{first}:2"
    assert [s["source"] for s in split["payload"]["sources"]] == ["one"]
    assert decision(config_dir, first).startswith(
        f"split out of story #{story} into story #{new} by hand at "
    )
    line = f"split: article {first} moved out of #{story} into #{new} by hand"
    assert line in run(config_dir, "alerts", "show", str(story))
    assert line in run(config_dir, "alerts", "show", str(new))


def test_splitting_out_the_critical_report_lowers_the_story_it_leaves(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    calm = feed_server.serve("/one.xml", outlet_feed("one", TITLE, PROTEST, "q1"))
    daemon = ClockedDaemon(config_dir, webhook, START)
    daemon.cycle([calm])
    worse = feed_server.serve("/two.xml", outlet_feed("two", TITLE, VIOLENCE, "q2"))
    daemon.cycle([calm, worse], minutes=10)
    (story,) = story_ids(config_dir)
    _, second = (article["id"] for article in shown(config_dir, story)["articles"])

    run(config_dir, "stories", "split", str(story), str(second))

    (_, new) = story_ids(config_dir)
    assert shown(config_dir, story)["level"] == "warning"
    split = shown(config_dir, new)
    assert split["level"] == "critical"
    assert split["dedup_key"] == f"serbia-kosovo:article:{second}"


def test_corrections_that_cannot_be_made_exit_1_with_one_line(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    bridge_stories(feed_server, config_dir, webhook, alert_on="[article:warning, index:elevated]")
    target, source = story_ids(config_dir)
    rows = [json.loads(line) for line in run(config_dir, "alerts", "--json").splitlines()]
    (index,) = [row["id"] for row in rows if row["kind"] == "index"]
    (article,) = [a["id"] for a in shown(config_dir, source)["articles"]]
    cases = [
        (("merge", str(target), "999"), "no alert 999"),
        (("merge", str(target), str(index)), f"alert #{index} is not a story alert (kind index)"),
        (("merge", str(target), str(target)), f"cannot merge story #{target} into itself"),
        (("split", str(target), str(article)), f"article {article} is not in story #{target}"),
        (
            ("split", str(source), str(article)),
            f"article {article} is the only article of story #{source}: nothing to split",
        ),
    ]
    for args, message in cases:
        code, _, err = invoke("stories", *args, "--config", str(config_dir.path))
        assert (code, err) == (1, f"Error: {message}\n")

    run(config_dir, "stories", "merge", str(target), str(source))
    code, _, err = invoke("stories", "merge", str(target), str(source), "--config",
                          str(config_dir.path))  # fmt: skip
    assert (code, err) == (1, f"Error: story #{source} is merged into #{target} already\n")
    assert shown(config_dir, source)["corrections"] == shown(config_dir, target)["corrections"]
    assert len(shown(config_dir, target)["corrections"]) == 1


def test_stories_of_two_watches_do_not_merge(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    hook = {"team": {"type": "webhook", "url": webhook.url("/hook")}}
    config_dir.write(["http://127.0.0.1:9/unused.xml"], channels=hook, watch_channels=["team"])
    watches = config_dir.path / "watches"
    shipped = (watches / "serbia-kosovo.yaml").read_text(encoding="utf-8")
    other = shipped.replace("name: serbia-kosovo", "name: bridge-watch")
    (watches / "bridge-watch.yaml").write_text(other, encoding="utf-8")
    calm = feed_server.serve("/one.xml", outlet_feed("one", TITLE, PROTEST, "w1"))
    ClockedDaemon(config_dir, webhook, START).cycle([calm])
    rows = [json.loads(line) for line in run(config_dir, "alerts", "--json").splitlines()]
    by_watch = {row["watch"]: row["id"] for row in rows}

    code, _, err = invoke("stories", "merge", str(by_watch["serbia-kosovo"]),
                          str(by_watch["bridge-watch"]), "--config", str(config_dir.path))  # fmt: skip

    assert code == 1
    assert err == (
        f"Error: story #{by_watch['serbia-kosovo']} is of watch 'serbia-kosovo' and "
        f"#{by_watch['bridge-watch']} of 'bridge-watch': only stories of one watch merge\n"
    )


def test_a_merge_within_group_wait_sends_one_first_notification_carrying_both(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    daemon, feeds = bridge_stories(feed_server, config_dir, webhook, group_wait="60s")
    target, source = story_ids(config_dir)
    assert webhook.payloads == []  # both first notifications still wait

    run(config_dir, "stories", "merge", str(target), str(source))
    daemon.cycle(feeds, minutes=2)

    (payload,) = webhook.payloads
    assert len(payload["articles"]) == 2
    assert sorted(s["source"] for s in payload["sources"]) == ["north", "south"]
    (skipped,) = shown(config_dir, source)["deliveries"]
    assert skipped["status"] == "skipped"


def test_old_notifications_of_a_merged_story_are_pruned_as_a_resolved_ones_are(
    tmp_path: Path,
) -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    store = Store(tmp_path / "monitor.db")
    try:
        payload = Alert("old-story", "article", "firing", "serbia-kosovo", "warning", 9, start)
        merged = store.open_alert(
            watch="serbia-kosovo", kind="article", level="warning", dedup_key="old-story",
            score=9, article_ids=[], payload=payload, channels=["team"], now=start,
        )  # fmt: skip
        assert merged is not None
        for delivery in store.due_deliveries(start):
            store.mark_sent(delivery.id, start)
        store.close_merged(merged, start)

        now = start + timedelta(days=190)
        report = store.prune(now - timedelta(days=180), now)
    finally:
        store.close()

    assert report.deliveries == 1

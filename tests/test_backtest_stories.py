"""`monitor backtest` replays stories: an edit to the gazetteer or the story window
shows how many story alerts and notifications it would have made, and why."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, ConfigDir, FeedServer, rss

from monitor.alerts.grouping import Background, Report, When
from monitor.cli import main
from monitor.config import load_config
from monitor.daemon.run import open_runtime
from monitor.poll.cycle import run_cycle
from monitor.tools.replay import Replayable, replay_stories

START = datetime(2026, 11, 2, 21, 0, tzinfo=UTC)
SINCE = ("--since", "2026-11-02")  # not the default 30d: the clock of the test runs on

# Two events of one evening, written for these tests. A shooting at a village the
# shipped gazetteer does not name (Valač), reported in English (which also names
# Zvečan) and in Serbian (which names Valač and the road to Leposavić): two stories
# (they name different places) until Valač is in the gazetteer. Barricades at Jarinje, reported twice three hours apart: one story
# until the story window is shorter than that.
REPORTS = {
    "valac-en": (
        "north-wire", timedelta(minutes=-10), 0,
        "Gunmen fire on Kosovo police near Valač, one officer hurt",
        "Unknown gunmen fired on a Kosovo police patrol by the village of Valač, north "
        "of Zvečan, late on Monday; one officer was wounded and taken to hospital.",
    ),
    "jarinje-1": (
        "crossing-news", timedelta(minutes=-5), 0,
        "Serbs barricade the road at Jarinje in protest",
        "Kosovo Serbs parked trucks across the road at the Jarinje crossing on Monday "
        "evening and put up barricades in protest after Kosovo police arrested a local "
        "man; protesters stopped all traffic.",
    ),
    "valac-sr": (
        "sever-info", timedelta(minutes=30), 40,
        "Pucnjava kod Valača, ranjen policajac",
        "Nepoznati napadači pucali su na patrolu kosovske policije kod sela Valač, na "
        "putu ka Leposaviću; jedan policajac je ranjen, a policija traga za napadačima.",
    ),
    "jarinje-2": (
        "border-daily", timedelta(hours=3, minutes=4), 185,
        "Barricades at Jarinje stay up through the night",
        "The barricades of trucks at the Jarinje crossing were still in place overnight, "
        "Kosovo Serbs keeping the road blocked in protest at the arrest; police watched "
        "from a distance.",
    ),
}  # fmt: skip
# name: (outlet, published after START, polled minutes after START, title, text)

VALAC = "  Valač: {aliases: [Valaç, Валач], in: [kosovo, dispute], lat: 42.93, lon: 20.85}\n"


def _feed(name: str) -> bytes:
    outlet, published, _, title, text = REPORTS[name]
    return rss(
        [{"title": title, "link": f"https://{outlet}.example/{name}", "guid": name,
          "description": text, "pubDate": format_datetime(START + published)}],
        title=outlet,
    )  # fmt: skip


@pytest.fixture
def polled(feed_server: FeedServer, config_dir: ConfigDir) -> Path:
    """A database the real pipeline filled with the shipped rules, each outlet polled
    on an injected clock once its report is out: three story alerts."""
    urls = [feed_server.serve(f"/{outlet}.xml", rss([], outlet)) for outlet, *_ in REPORTS.values()]
    config = config_dir.write(urls)
    for minutes in sorted({polled for _, _, polled, _, _ in REPORTS.values()}):
        for name, (outlet, _, at, _, _) in REPORTS.items():
            if at <= minutes:
                feed_server.serve(f"/{outlet}.xml", _feed(name))

        async def cycle(moment: datetime = START + timedelta(minutes=minutes)) -> None:
            async with open_runtime(load_config(config)) as runtime:
                runtime.clock = lambda: moment
                await run_cycle(runtime, all_feeds=True)

        asyncio.run(cycle())
    return config


def run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--config", str(config)])
    return result.exit_code, result.output


def backtest_json(config: Path) -> dict[str, Any]:
    code, output = run(config, "backtest", "--json", *SINCE)
    assert code == 0, output
    stories: dict[str, Any] = json.loads(output)["watches"][0]["stories"]
    return stories


def titles(story: dict[str, Any]) -> list[str]:
    return [report["title"] for report in story["reports"]]


def edit_watch(config: Path, old: str, new: str) -> None:
    watch = config / "watches" / "serbia-kosovo.yaml"
    text = watch.read_text(encoding="utf-8")
    assert old in text
    watch.write_text(text.replace(old, new, 1), encoding="utf-8")


def stored_stories(config: Path) -> list[list[int]]:
    code, output = run(config, "alerts", "--json")
    assert code == 0, output
    alerts = [json.loads(line) for line in output.splitlines()]
    return sorted(sorted(a["id"] for a in alert["articles"]) for alert in alerts)


def test_the_rules_that_ran_replay_the_stories_that_were_stored(polled: Path) -> None:
    stories = backtest_json(polled)

    assert (stories["before"], stories["after"]) == (3, 3)
    assert (stories["notifications_before"], stories["notifications_after"]) == (3, 3)
    replayed = sorted(sorted(r["article_id"] for r in s["reports"]) for s in stories["replayed"])
    assert replayed == stored_stories(polled)
    assert all(len(story["was"]) == 1 for story in stories["replayed"])


def test_a_place_added_to_the_gazetteer_joins_two_stories_into_one_and_says_why(
    polled: Path,
) -> None:
    edit_watch(polled, "  Zvečan: {", VALAC + "  Zvečan: {")

    stories = backtest_json(polled)

    assert (stories["before"], stories["after"]) == (3, 2)
    # One first notification fewer, but the Serbian report brings a new event type
    # to the joined story, which the policy notifies as an update.
    assert (stories["notifications_before"], stories["notifications_after"]) == (3, 3)
    (shooting,) = [s for s in stories["replayed"] if len(s["was"]) == 2]
    assert titles(shooting) == [REPORTS["valac-en"][3], REPORTS["valac-sr"][3]]
    opened, joined = (report["reason"] for report in shooting["reports"])
    assert opened.startswith("new story")
    assert joined.startswith(f"joined story #{shooting['story']}: shares place Valač and event ")
    assert "40m after the first report" in joined
    assert [n["event"].partition(":")[0] for n in shooting["notifications"]] == [
        "firing",
        "update",
    ]
    assert shooting["reports"][1]["update"] == "new event type attack"
    assert shooting["notifications"][1]["reason"] == "new event type attack"


def test_a_shorter_story_window_splits_a_story_into_one_that_follows_the_first(
    polled: Path,
) -> None:
    edit_watch(polled, "group_window: 6h", "group_window: 2h")

    stories = backtest_json(polled)

    assert (stories["before"], stories["after"]) == (3, 4)
    assert (stories["notifications_before"], stories["notifications_after"]) == (3, 4)
    first, later = (s for s in stories["replayed"] if "Jarinje" in s["reports"][0]["title"])
    assert first["was"] == later["was"]  # both halves were one stored story
    assert later["follows"] == first["story"]
    (reason,) = (report["reason"] for report in later["reports"])
    assert reason.startswith(f"new story, follows #{first['story']}: shares place Jarinje")
    assert reason.endswith("but 3h09m after its last report (group_window 2h)")


def test_the_text_report_shows_each_story_with_its_reasons_and_the_totals(
    polled: Path,
) -> None:
    edit_watch(polled, "  Zvečan: {", VALAC + "  Zvečan: {")

    code, output = run(polled, "backtest", *SINCE)

    assert code == 0, output
    lines = output.splitlines()
    assert "  stories: 3 stored -> 2 replayed; notifications: 3 -> 3" in lines
    assert "stories: 3 stored -> 2 replayed; notifications: 3 -> 3" in lines
    header = next(i for i, line in enumerate(lines) if line.startswith("  story 1: "))
    assert re.fullmatch(
        r"  story 1: critical; 2 reports; 2 outlets; stored as alerts #\d+, #\d+", lines[header]
    )
    assert lines[header + 1].endswith(REPORTS["valac-en"][3])
    assert lines[header + 2] == "      why: new story: no recent story of this watch to join"
    assert lines[header + 4].startswith("      why: joined story #1: shares place Valač and ")
    assert lines[header + 4].endswith("; new event type attack")
    assert lines[header + 6] == (
        "    notifies update at 2026-11-02 21:30 UTC: new event type attack"
    )


def test_the_replay_notifies_as_the_policy_rules() -> None:
    watch = load_config(REPO / "config").watches[0]  # group_wait 60s, group_interval 30m
    place = ("Zvečan",)

    def report(n: int, minutes: float, level: str, *kinds: str) -> Replayable:
        at = START + timedelta(minutes=minutes)
        title = f"Report {n} from Zvečan"
        return Replayable(
            n, level, at, Report(title, title, place, (), kinds, When.at(at)), ((n, at),)
        )

    (story,) = replay_stories(
        [
            report(1, 0, "warning", "protest"),
            report(2, 0.5, "critical", "protest"),  # within group_wait: carried by the first
            report(3, 10, "critical", "protest", "arson"),  # a new event type: notifies
            report(4, 20, "critical", "protest", "arson", "armed-violence"),  # a group_interval on
        ],
        Background(),
        watch,
    )

    assert story.level == "critical"
    assert [n.event.partition(":")[0] for n in story.notifications] == [
        "firing",
        "update",
        "update",
    ]
    first, arson, armed = story.notifications
    assert first.due == START + timedelta(seconds=60)
    # a group_interval after the last notification was queued (the first, at once)
    assert arson.due == START + timedelta(minutes=30)
    assert armed.due == arson.at + timedelta(minutes=30)
    assert story.members[1].update == (
        "within group_wait: the first notification, not sent yet, carries it"
    )


def test_a_story_quiet_for_resolve_after_ends_and_a_later_report_follows_it() -> None:
    shipped = load_config(REPO / "config").watches[0]  # group_window 6h
    alert = shipped.alert.model_copy(update={"resolve_after": 3600.0})
    watch = shipped.model_copy(update={"alert": alert})
    at = (START, START + timedelta(minutes=50), START + timedelta(hours=2))
    title = "Barricades at Jarinje"
    reports = [
        Replayable(
            n,
            "warning",
            moment,
            Report(title, title, ("Jarinje",), (), ("protest",), When.at(moment)),
        )
        for n, moment in enumerate(at)
    ]

    first, later = replay_stories(reports, Background(), watch)

    assert [m.id for m in first.members] == [0, 1]
    assert first.ended == "no new report for 1h since 2026-11-02 21:50 UTC"
    assert later.follows == first.number and later.ended is None
    assert later.members[0].reason.endswith("but the story has ended")

"""Backtesting edited rules against the stored articles, without touching the database."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ConfigDir, FeedServer, rss

from monitor.cli import main
from monitor.config import load_config
from monitor.daemon.run import poll_once
from monitor.store import FiredArticle
from monitor.tools.backtest import Rescored, compare

RALLY = "Kosovo Serbs rally in Mitrovica over licence plates"
HOAX = "Gunfire reported in Zvečan, Kosovo police say"
DRILL = "Serbian army holds military drill near Kosovo line"
CLASH = "Clashes in North Mitrovica, nine wounded"
ITEMS = [
    # notice with the shipped rules; the edit below lifts it to critical
    (RALLY, "Several hundred Kosovo Serbs rallied in North Mitrovica on Sunday against the "
     "new licence plate rules."),
    # critical with the shipped rules; the edit sinks it
    (HOAX, "Kosovo police said shots were heard near a Serb village in Zvečan overnight; "
     "officers found spent cartridges. Police later called it a hoax."),
    # warning with the shipped rules; the edit raises it to critical
    (DRILL, "Serbian troops and tanks at the administrative line near Raška held a drill close "
     "to Kosovo, the defence ministry said."),
    # critical either way
    (CLASH, "Police and a crowd of Kosovo Serbs clashed near the main bridge in North "
     "Mitrovica. Officers fired tear gas and witnesses reported gunfire; nine people were "
     "wounded."),
]  # fmt: skip
EDITED_SIGNALS = """signals:
  - {name: plates, weight: 6, any: [licence plate*]}
  - {name: drills, weight: 6, any: [drill*], max_hits: 1}
  - {name: hoax, weight: -30, any: [hoax]}
"""


@pytest.fixture
def polled(feed_server: FeedServer, config_dir: ConfigDir) -> Path:
    """A database where the shipped rules fired article alerts on HOAX, DRILL and CLASH."""
    feed = rss(
        [
            {"title": title, "link": f"https://wire.example/{n}", "guid": f"w{n}",
             "description": text}
            for n, (title, text) in enumerate(ITEMS)
        ],
        title="Wire",
    )  # fmt: skip
    url = feed_server.serve("/wire.xml", feed)
    config = config_dir.write([{"url": url, "name": "Wire"}])
    report = asyncio.run(poll_once(load_config(config)))
    assert report.new_articles == 4
    return config


def edit_watch(config: Path) -> None:
    watch = config / "watches" / "serbia-kosovo.yaml"
    text = watch.read_text(encoding="utf-8")
    watch.write_text(text.replace("signals:\n", EDITED_SIGNALS, 1), encoding="utf-8")


def snapshot(database: Path) -> tuple[str, list[str]]:
    """The main file's hash and every row of every table."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        dump = list(db.iterdump())
    return hashlib.sha256(database.read_bytes()).hexdigest(), dump


def backtest(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["backtest", "--config", str(config), *args])
    return result.exit_code, result.output


def test_an_edited_rule_adds_one_alert_removes_another_and_writes_nothing(
    polled: Path, config_dir: ConfigDir
) -> None:
    edit_watch(polled)
    before = snapshot(config_dir.database)
    watcher = sqlite3.connect(config_dir.database)
    version = watcher.execute("PRAGMA data_version").fetchone()

    code, output = backtest(polled, "--json")

    assert code == 0, output
    report = json.loads(output)
    assert report["articles"] == 4
    (watch,) = report["watches"]
    assert watch["watch"] == "serbia-kosovo" and watch["alert_level"] == "warning"
    assert [(c["title"], c["before"], c["after"]) for c in watch["added"]] == [
        (RALLY, None, "critical")
    ]
    assert [(c["title"], c["before"], c["after"]) for c in watch["removed"]] == [
        (HOAX, "critical", None)
    ]
    assert [(c["title"], c["before"], c["after"]) for c in watch["changed"]] == [
        (DRILL, "warning", "critical")
    ]
    assert (watch["fired"], watch["would_fire"], watch["unchanged"]) == (3, 3, 1)
    assert watch["removed"][0]["alert_id"] is not None
    assert report["totals"] == {"added": 1, "removed": 1, "changed": 1}
    # Nothing was written: not a row, not a byte of the file.
    assert watcher.execute("PRAGMA data_version").fetchone() == version
    watcher.close()
    assert snapshot(config_dir.database) == before


def test_the_text_report_names_each_change_and_the_totals(polled: Path) -> None:
    edit_watch(polled)

    code, output = backtest(polled)

    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith("backtest: 4 articles fetched since ")
    assert lines[1] == (
        "serbia-kosovo (alert.on article:warning): fired 3, would fire 3: "
        "1 added, 1 removed, 1 changed level, 1 unchanged"
    )
    assert any(line.startswith("  + #") and RALLY in line for line in lines)
    assert any(line.startswith("  - #") and HOAX in line for line in lines)
    assert any(line.startswith("  ~ #") and "warning -> critical" in line for line in lines)
    assert "total: 1 added, 1 removed, 1 changed level" in lines


def test_the_rules_that_fired_find_no_difference(polled: Path) -> None:
    code, output = backtest(polled, "--json")

    assert code == 0, output
    (watch,) = json.loads(output)["watches"]
    assert (watch["fired"], watch["would_fire"], watch["unchanged"]) == (3, 3, 3)
    assert watch["added"] == watch["removed"] == watch["changed"] == []


def test_since_limits_the_articles_rescored(polled: Path) -> None:
    edit_watch(polled)

    code, output = backtest(polled, "--json", "--since", "2099-01-01")

    assert code == 0, output
    report = json.loads(output)
    assert report["articles"] == 0
    assert report["totals"] == {"added": 0, "removed": 0, "changed": 0}
    assert backtest(polled, "--since", "soon")[0] == 2


def test_a_broken_edit_is_reported_like_monitor_check(polled: Path) -> None:
    watch = polled / "watches" / "serbia-kosovo.yaml"
    watch.write_text(
        watch.read_text(encoding="utf-8").replace("weight: 10,", "weight: lots,", 1), "utf-8"
    )

    code, output = backtest(polled)

    assert code == 2
    assert "serbia-kosovo.yaml:" in output and "weight" in output


def test_a_watch_gone_from_disk_has_its_alerts_removed_and_one_alert_counts_each_article() -> None:
    fired = [
        FiredArticle("old-watch", 7, 1, "warning", "Seven"),
        FiredArticle("old-watch", 8, 1, "critical", "Eight"),  # the same story alert
        FiredArticle("old-watch", 8, 1, "critical", "Eight"),
    ]
    (watch,) = compare([Rescored("old-watch", 9, "warning", 9.0, "Nine")], fired, [])
    assert not watch.configured and watch.alert_level is None
    assert [c.article_id for c in watch.removed] == [7, 8]
    assert [c.article_id for c in watch.added] == [9]
    assert watch.fired == 2 and watch.unchanged == 0

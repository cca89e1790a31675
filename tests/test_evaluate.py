"""`monitor eval`: the figures that tell whether a watch can be trusted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, SHARED

from monitor.cli import main

# Written for these tests: two items per label, one of them scored wrongly
# on purpose (a label-1 item full of violent words from a court report).
ITEMS = [
    {
        "id": "v1",
        "level": 3,
        "title": "Gunmen attack police in Zvečan, two officers wounded",
        "text": "Serbian and Kosovo officials traded blame after shots were fired at a patrol.",
    },
    {
        "id": "v2",
        "level": 3,
        "title": "Clashes at Jarinje as KFOR fires tear gas at Serb crowd",
        "text": "Dozens were injured when protesters threw rocks and petrol bombs at soldiers.",
    },
    {
        "id": "t1",
        "level": 2,
        "title": "Kosovo bans goods from Serbia",
        "text": "Pristina announced a ban and new tariffs on Serbian goods; Belgrade called it a provocation.",
    },
    {
        "id": "t2",
        "level": 2,
        "title": "Kosovo Serbs boycott vote in the north",
        "text": "Serb List called a boycott of the election in northern Kosovo.",
    },
    {
        "id": "r1",
        "level": 1,
        "title": "Belgrade and Pristina negotiators meet in Brussels",
        "text": "The dialogue on normalisation continued with talks on energy.",
    },
    {
        "id": "r2",
        "level": 1,
        "title": "Gunfire, explosions and clashes recalled in Mitrovica",
        "text": "Witnesses described gunfire and explosions; the Serb defendants were wounded too.",
    },
    {"id": "n1", "level": 0, "title": "Kosovo wins a basketball match", "text": "Fans celebrated."},
    {"id": "n2", "level": 0, "title": "New bakery opens in Skopje", "text": "Bread and pastries."},
]


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in ITEMS) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["eval", "--config", str(REPO / "config"), *args])
    return result.exit_code, result.stdout, result.stderr


def test_eval_json_reports_the_confusion_table_and_the_rates(labelled: Path) -> None:
    code, out, _ = run("--json", str(labelled))

    assert code == 0
    figures = json.loads(out)
    assert figures["watch"] == "serbia-kosovo"
    assert figures["items"] == 8
    assert sum(figures["confusion"]["3"].values()) == 2
    assert figures["confusion"]["3"]["critical"] == 2
    assert figures["confusion"]["0"]["none"] == 2
    assert figures["label_3_warning"]["value"] == 1.0
    assert figures["critical"]["recall"]["value"] == 1.0
    assert figures["false_alert_rate"]["0"]["value"] == 0.0
    assert figures["false_alert_rate"]["1"] == {"value": 0.5, "hits": 1, "total": 2}
    assert figures["alert_worthy"]["recall"]["total"] == 4
    assert "r2" in figures["wrong"]
    assert "r1" not in figures["wrong"]


def test_eval_text_lists_the_items_it_got_wrong_with_their_hits(labelled: Path) -> None:
    code, out, _ = run(str(labelled))

    assert code == 0
    assert "label \\ assigned" in out
    assert "false alerts (warning+): label 0" in out
    wrong = out.split("scored wrongly:")[1]
    assert "r2: label 1, assigned" in wrong
    assert "armed-violence" in wrong


def test_eval_rejects_an_item_without_a_valid_level(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "x", "text": "y", "level": 7}\n', encoding="utf-8")
    code, _, err = run(str(path))
    assert code == 1
    assert "bad.jsonl:1: level: expected 0, 1, 2 or 3" in err


# The targets (#14) for each labelled file, and, where the shipped watch
# does not meet one yet, the floor it stands at today: a change to the rules
# must not lower any figure on either file (tune on one, validate on the other).
TARGETS = {
    "r3_warning": 0.95, "r3_critical": 0.85, "r2_notice": 0.85, "fa0": 0.03, "fa1": 0.10,
    "critical_precision": 0.90, "r2_critical": 0.10,
}  # fmt: skip
FLOORS = {
    "dev.jsonl": {},
    "dev2.jsonl": {"r3_warning": 0.92, "critical_precision": 0.85},
}  # fmt: skip
AT_MOST = ("fa0", "fa1", "r2_critical")


def dev_figures(figures: dict[str, Any]) -> dict[str, float]:
    """The seven figures of the issue's targets table, from ``monitor eval --json``."""
    label_2 = figures["confusion"]["2"]
    return {
        "r3_warning": figures["label_3_warning"]["value"],
        "r3_critical": figures["critical"]["recall"]["value"],
        "r2_notice": figures["label_2_notice"]["value"],
        "fa0": figures["false_alert_rate"]["0"]["value"],
        "fa1": figures["false_alert_rate"]["1"]["value"],
        "critical_precision": figures["critical"]["precision"]["value"],
        "r2_critical": label_2["critical"] / sum(label_2.values()),
    }


@pytest.mark.parametrize("name", ["dev.jsonl", "dev2.jsonl"])
def test_the_shipped_watch_keeps_its_levels_on_the_labelled_files(name: str) -> None:
    path = SHARED / "eval" / name
    if not path.exists():
        pytest.skip(f"../shared/eval/{name} is not available")
    code, out, _ = run("--json", str(path))
    assert code == 0
    measured = dev_figures(json.loads(out))
    for figure, target in TARGETS.items():
        bar = FLOORS[name].get(figure, target)
        if figure in AT_MOST:
            assert measured[figure] <= bar + 1e-9, (figure, measured[figure], bar)
        else:
            assert measured[figure] >= bar - 1e-9, (figure, measured[figure], bar)


# Written for these tests: one clash told twice the same afternoon, a report of it
# two days later, and an unrelated attack the same afternoon.
EVENTS = [
    {"id": "a1", "level": 3, "event": "bridge-clash", "date": "2026-11-02T15:00:00+00:00",
     "title": "Clashes at the Ibar bridge in Mitrovica, nine wounded",
     "text": "Police and Kosovo Serbs clashed at the Ibar bridge; nine people were wounded."},
    {"id": "a2", "level": 3, "event": "bridge-clash", "date": "2026-11-02T15:40:00+00:00",
     "title": "Nine wounded in clashes at the Ibar bridge in Mitrovica",
     "text": "Police and Kosovo Serbs clashed at the Ibar bridge; nine people were wounded."},
    {"id": "b1", "level": 3, "event": "grenade", "date": "2026-11-02T16:00:00+00:00",
     "title": "Grenade thrown at a police station in Zubin Potok",
     "text": "An explosion damaged a Kosovo police station; no one was hurt, police said."},
    {"id": "a3", "level": 3, "event": "bridge-clash", "date": "2026-11-04",
     "title": "Two days after the Mitrovica clashes, nine wounded still in hospital",
     "text": "Kosovo police said the clashes at the Ibar bridge left nine wounded."},
]  # fmt: skip


def test_eval_reports_grouping_when_items_carry_events(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in EVENTS), encoding="utf-8")

    as_json = CliRunner().invoke(main, ["eval", str(path), "--json"])
    as_text = CliRunner().invoke(main, ["eval", str(path)])

    assert as_json.exit_code == 0, as_json.output
    grouping = json.loads(as_json.output)["grouping"]
    # a1 and a2 share a story; a3 comes after the 6 h window: a new story that follows
    # it (split pairs with a1, a2); b1, the same afternoon, names another place.
    assert (grouping["items"], grouping["events"], grouping["stories"]) == (4, 2, 3)
    assert grouping["pairwise"] == {
        "precision": 1.0, "recall": 1 / 3, "same_story": 1, "same_event": 3, "both": 1,
    }  # fmt: skip
    # B-cubed, item by item: every story is pure; a1 and a2 have two of their event's
    # three reports, a3 one, b1 its only one.
    assert grouping["bcubed"]["precision"] == 1.0
    assert abs(grouping["bcubed"]["recall"] - (2 / 3 + 2 / 3 + 1 / 3 + 1) / 4) < 1e-9
    assert {(w["first"], w["second"], w["kind"]) for w in grouping["wrong"]} == {
        ("a1", "a3", "split"), ("a2", "a3", "split"),
    }  # fmt: skip
    assert all(w["reason"].startswith("new story, follows #1: ") for w in grouping["wrong"])
    assert "pairwise precision 1.00 (1/1)  recall 0.33 (1/3)" in as_text.output
    assert "B-cubed precision 1.00  recall 0.67  F1 0.80" in as_text.output
    assert "split  a1 / a3: new story, follows #1: shares places Ibar, Mitrovica" in as_text.output


def test_eval_without_events_reports_no_grouping(labelled: Path) -> None:
    result = CliRunner().invoke(main, ["eval", str(labelled), "--json"])
    assert "grouping" not in json.loads(result.output)


def test_eval_groups_without_resolving_stories(tmp_path: Path) -> None:
    # A resolve_after shorter than the 40 minutes between a1 and a2 would end their
    # story in the daemon (and in `monitor backtest`); eval measures grouping alone.
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    watch = config / "watches" / "serbia-kosovo.yaml"
    text = watch.read_text(encoding="utf-8")
    assert "  resolve_after: 24h\n" in text
    watch.write_text(text.replace("  resolve_after: 24h\n", "  resolve_after: 30m\n"), "utf-8")
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in EVENTS), encoding="utf-8")

    shipped = CliRunner().invoke(
        main, ["eval", "--config", str(REPO / "config"), str(path), "--json"]
    )
    quick = CliRunner().invoke(main, ["eval", "--config", str(config), str(path), "--json"])

    assert quick.exit_code == 0, quick.output
    grouping = json.loads(quick.output)["grouping"]
    assert grouping == json.loads(shipped.output)["grouping"]
    assert (grouping["stories"], grouping["pairwise"]["both"]) == (3, 1)  # a1 and a2: one story

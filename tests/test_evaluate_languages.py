"""`monitor eval` per language: the headline figures of each language the items carry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO

from monitor.cli import main

# Written for these tests: reports in English, Serbian (both scripts) and
# Greek, each with a `lang`, and one item that says no language.
LABELLED = FIXTURES / "labelled-languages.jsonl"
ITEMS = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]


def run(path: Path, *options: str) -> str:
    result = CliRunner().invoke(
        main, ["eval", "--config", str(REPO / "config"), *options, str(path)]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def figures(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run(path, "--json"))
    return document


def test_eval_json_carries_the_figures_of_each_language_most_items_first() -> None:
    document = figures(LABELLED)

    languages = document["languages"]
    assert list(languages) == ["en", "el", "sr-Cyrl", "sr-Latn", "und"]
    assert {name: report["items"] for name, report in languages.items()} == {
        "en": 3, "el": 2, "sr-Cyrl": 2, "sr-Latn": 2, "und": 1,
    }  # fmt: skip
    # The denominators are the labels of each language's own items.
    assert languages["en"]["false_alert_rate"]["0"]["total"] == 1
    assert languages["el"]["label_3_warning"]["total"] == 1
    assert languages["sr-Latn"]["label_2_notice"]["total"] == 1
    assert languages["sr-Latn"]["label_2_critical"]["total"] == 1
    assert languages["und"]["false_alert_rate"]["0"]["total"] == 1
    assert sum(report["items"] for report in languages.values()) == document["items"] == 10
    # The overall figures keep their keys.
    assert {"confusion", "alert_worthy", "critical", "false_alert_rate", "wrong"} <= set(document)


@pytest.mark.parametrize("language", ["en", "el", "sr-Cyrl", "sr-Latn"])
def test_a_languages_figures_are_those_of_its_items_alone(tmp_path: Path, language: str) -> None:
    alone = tmp_path / f"{language}.jsonl"
    chosen = [item for item in ITEMS if item.get("lang") == language]
    alone.write_text("\n".join(json.dumps(item) for item in chosen), encoding="utf-8")

    by_itself = figures(alone)
    within = figures(LABELLED)["languages"][language]

    assert by_itself.pop("languages") == {language: within}
    del by_itself["watch"]
    assert by_itself == within


def test_eval_prints_a_table_per_language_below_the_overall_figures() -> None:
    out = run(LABELLED)

    table = out.split("\n\n")[3].splitlines()
    assert table[0].split("  ")[0] == "language"
    for column in ("items", "R3 >= warning", "R3 critical", "R2 >= notice", "FA label 0",
                   "FA label 1", "critical precision", "label 2 at critical"):  # fmt: skip
        assert column in table[0]
    rows = {row.split()[0]: row.split()[1] for row in table[1:]}
    assert rows == {"all": "10", "en": "3", "el": "2", "sr-Cyrl": "2", "sr-Latn": "2", "und": "1"}
    # The English row shows the same figures as --json does, in the header's order.
    english = figures(LABELLED)["languages"]["en"]
    shown = [
        english["label_3_warning"], english["critical"]["recall"], english["label_2_notice"],
        english["false_alert_rate"]["0"], english["false_alert_rate"]["1"],
        english["critical"]["precision"], english["label_2_critical"],
    ]  # fmt: skip
    cells = [
        "n/a" if r["value"] is None else f"{r['value']:.2f} {r['hits']}/{r['total']}" for r in shown
    ]
    assert table[2].split() == ["en", "3", *" ".join(cells).split()]


def test_without_languages_there_is_no_table(tmp_path: Path) -> None:
    plain = tmp_path / "plain.jsonl"
    plain.write_text(
        "\n".join(json.dumps({k: v for k, v in item.items() if k != "lang"}) for item in ITEMS),
        encoding="utf-8",
    )
    assert "languages" not in figures(plain)
    assert "R3 >= warning" not in run(plain)

"""`monitor score` says which clause of the scope an article failed, and what it did mention."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from monitor.cli import main

# A watch written for these tests: a place of the north, and the other side.
WATCH = """
name: bridge
places:
  Zvečan: {aliases: [Звечан, Ζβέτσαν], in: [north]}
  Belgrade: {aliases: [Beograd, Београд], in: [capital]}
terms:
  north: [northern Kosovo, Leposavi*, Zveč*]
  capital: [Serbian government]
scope:
  all: ["@north", "@capital"]
signals:
  - {name: clashes, weight: 5, any: [clash*]}
"""


def config(tmp_path: Path, watch: str = WATCH) -> Path:
    directory = tmp_path / "config"
    (directory / "watches").mkdir(parents=True)
    (directory / "monitor.yaml").write_text(f"database: {tmp_path / 'monitor.db'}\n", "utf-8")
    (directory / "feeds.yaml").write_text("feeds: []\n", encoding="utf-8")
    (directory / "watches" / "bridge.yaml").write_text(watch, encoding="utf-8")
    return directory


def score(directory: Path, text: str, *options: str) -> str:
    result = CliRunner().invoke(main, ["score", "--config", str(directory), *options, "-"], text)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    ("article", "reason"),
    [
        (
            "Clashes near Zvečan\nStones were thrown at a checkpoint in northern Kosovo.",
            "mentions Zvečan, 'northern Kosovo' (@north) but nothing of scope.all item '@capital'",
        ),
        (  # a name listed once is named in any script
            "Συγκρούσεις στο Ζβέτσαν\nΤραυματίες.",
            "mentions Zvečan (@north) but nothing of scope.all item '@capital'",
        ),
        (
            "Leposavić mayor meets Belgrade officials\nThe Serbian government sent a letter.",
            "mentions 'Leposavi*' (@north); Belgrade, 'Serbian government' (@capital) but "
            "nothing of scope.all item '@gone'",
        ),
        (
            "Clashes in Paris\nPolice fired tear gas.",
            "mentions nothing of scope.all items '@north' and '@capital'",
        ),
    ],
)
def test_score_names_the_scope_clause_an_article_failed(
    tmp_path: Path, article: str, reason: str
) -> None:
    watch = WATCH
    if "@gone" in reason:
        watch = watch.replace('all: ["@north", "@capital"]', 'all: ["@north", "@capital", "@gone"]')
        watch = watch.replace("terms:\n", "terms:\n  gone: [nowhere at all]\n")
    out = score(config(tmp_path, watch), article)
    assert f"  bridge: out of scope: {reason}\n" in out


def test_an_any_list_that_failed_is_named_with_its_terms(tmp_path: Path) -> None:
    watch = WATCH.replace(
        'all: ["@north", "@capital"]', 'all: ["@north"]\n  any: [Pristina, Prishtina]'
    )
    out = score(config(tmp_path, watch), "Clashes near Zvečan\nNine hurt.")
    assert (
        "out of scope: mentions Zvečan (@north) but none of scope.any (Pristina, Prishtina)" in out
    )


def test_a_title_only_scope_says_so(tmp_path: Path) -> None:
    watch = WATCH.replace('all: ["@north", "@capital"]', 'all: ["@north"]\n  in: title')
    out = score(config(tmp_path, watch), "Clashes at a checkpoint\nIn Zvečan, nine were hurt.")
    assert "out of scope: the title mentions nothing of scope.all item '@north'" in out


def test_score_json_carries_the_reason_and_none_in_scope(tmp_path: Path) -> None:
    directory = config(tmp_path)
    items = tmp_path / "items.jsonl"
    items.write_text(
        json.dumps({"id": "out", "title": "Clashes near Zvečan", "text": "Nine hurt."})
        + "\n"
        + json.dumps({"id": "in", "title": "Clashes in Zvečan", "text": "Belgrade protests."})
        + "\n",
        encoding="utf-8",
    )

    result = CliRunner().invoke(main, ["score", "--config", str(directory), "--json", str(items)])

    assert result.exit_code == 0, result.output
    out, in_scope = [json.loads(line)["scores"][0] for line in result.stdout.splitlines()]
    assert out["in_scope"] is False
    assert out["scope_miss"] == "mentions Zvečan (@north) but nothing of scope.all item '@capital'"
    assert in_scope["in_scope"] is True
    assert in_scope["scope_miss"] is None


def test_the_shipped_watch_says_which_side_of_the_dispute_is_missing() -> None:
    out = score(REPO / "config", "Partizan beat Red Star in the Belgrade derby\nA tight game.")
    assert (
        "out of scope: mentions Belgrade (@dispute) but nothing of scope.all item '@kosovo'" in out
    )

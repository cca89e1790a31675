"""Search and export of stored articles: the store's query layer and the commands."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ConfigDir, FeedServer, rss

from monitor.cli import main
from monitor.config import load_config
from monitor.daemon.run import poll_once
from monitor.errors import MonitorError
from monitor.store import Store
from monitor.store.query import fts_query, parse_moment
from monitor.tools.export import CSV_COLUMNS

LOCAL = [
    {
        "title": "Vučić accuses Kurti of provocations in Mitrovicë",
        "link": "https://local.example/vucic",
        "guid": "local-1",
        "pubDate": "Wed, 04 Nov 2026 09:00:00 +0000",
        "description": "Serbian President Aleksandar Vučić said Pristina was preparing "
        "provocations in north Kosovo. Đurić called for calm.",
    },
    {
        "title": "Вучић: Срби на Косову под притиском",
        "link": "https://local.example/cyrillic",
        "guid": "local-2",
        "pubDate": "Wed, 04 Nov 2026 10:00:00 +0000",
        "description": "Председник Србије Александар Вучић рекао је да су Срби у Митровици "
        "под притиском.",
    },
    {
        "title": '=HYPERLINK("http://evil.example") Kosovo Serbs protest',
        "link": "https://local.example/formula",
        "guid": "local-3",
        "pubDate": "Wed, 04 Nov 2026 11:00:00 +0000",
        "description": "@SUM(1+1) Kosovo Serbs protest in Mitrovica; +cmd",
    },
]
IBAR = "Gunfire and tear gas near the Ibar bridge in Mitrovica"
JARINJE = "Barricades go up again at Jarinje crossing"
COMBAT = "Serbian army placed on combat readiness, Belgrade says"
TRADE_FAIR = "Trade fair in Pristina brings Kosovo and Serbia firms together"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> ConfigDir:
    """A database filled by one real poll of three feeds (shared: tests only read it)."""
    root = tmp_path_factory.mktemp("search")
    config_dir = ConfigDir(root / "config", root / "data" / "monitor.db")
    config_dir.path.mkdir()
    server = FeedServer()
    courier = server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    wire = server.serve_file(
        "/wire.atom", FIXTURES / "balkan-wire.atom", content_type="application/atom+xml"
    )
    local = server.serve("/local.xml", rss(LOCAL, title="Local"))
    feeds = [
        {"url": courier, "name": "Ibar Valley Courier"},
        {"url": wire, "name": "Balkan Wire"},
        {"url": local, "name": "Local"},
    ]
    try:
        # The courier first, so that the clash story both outlets carry is its article.
        first = asyncio.run(poll_once(load_config(config_dir.write(feeds[:1]))))
        second = asyncio.run(poll_once(load_config(config_dir.write(feeds))))
    finally:
        server.close()
    assert first.new_articles + second.new_articles == 8
    return config_dir


@pytest.fixture
def polled(database: ConfigDir) -> Path:
    """The config directory of the shared database."""
    return database.path


@pytest.fixture
def store(database: ConfigDir) -> Iterator[Store]:
    opened = Store(database.database, readonly=True)
    yield opened
    opened.close()


def titles(found: list) -> list[str]:  # type: ignore[type-arg]
    return [article.title for article in found]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tear gas", [IBAR]),  # every word, anywhere
        ("gas TEAR", [IBAR]),
        ('"tear gas"', [IBAR]),  # a phrase
        ('"gas tear"', []),
        ("barricad*", [JARINJE]),  # a prefix
        ("Barricade", []),  # a word is a whole word
        ("combat OR barricades", [COMBAT, JARINJE]),
        ('"combat readi*"', [COMBAT]),  # a phrase ending in a prefix
        ("Vucic provocations", ["Vučić accuses Kurti of provocations in Mitrovicë"]),
        ("MITROVICE", ["Vučić accuses Kurti of provocations in Mitrovicë"]),
        ("вучић", ["Вучић: Срби на Косову под притиском"]),
    ],
)
def test_plain_words_phrases_prefixes_and_or_match_case_and_diacritics_aside(
    store: Store, query: str, expected: list[str]
) -> None:
    assert sorted(titles(store.search_articles(query))) == sorted(expected)
    assert store.search_count(query) == len(expected)


def test_latin_does_not_find_cyrillic_and_dj_is_not_d(store: Store) -> None:
    # The documented limits of FTS5's unicode61 tokenizer.
    assert "Вучић: Срби на Косову под притиском" not in titles(store.search_articles("Vucic"))
    assert titles(store.search_articles("Đurić")) != []
    assert titles(store.search_articles("Djuric")) == []


@pytest.mark.parametrize(
    "query",
    ['"', "AND", "tear AND", "NOT gas", "(", ")", "NEAR(tear gas", "title:gas", "*", "OR",
     "OR tear OR", '"unbalanced phrase', 'tear" gas', "^gas", "-gas", "'", "a:b\"c*", "{title}",
     "tear + gas", "\x00", "AND OR NOT"],
)  # fmt: skip
def test_no_query_makes_sqlite_fail(store: Store, query: str) -> None:
    store.search_articles(query)  # no exception: every part is taken as plain text
    store.search_count(query)


def test_operators_are_plain_words_and_stray_quotes_still_find(store: Store) -> None:
    assert titles(store.search_articles('"tear gas')) == [IBAR]
    assert fts_query("tear AND gas") == '"tear" "AND" "gas"'
    assert fts_query("  OR *  ") is None


def test_filters_by_watch_level_feed_and_date(store: Store) -> None:
    watch = "serbia-kosovo"
    # Barricades are serious tension (warning); gunfire and combat readiness critical.
    assert titles(store.search_articles(watch=watch, min_level="critical")) == [COMBAT, IBAR]
    assert titles(store.search_articles(watch=watch, min_level="warning")) == [
        LOCAL[2]["title"],
        JARINJE,
        COMBAT,
        IBAR,
    ]
    in_scope = titles(store.search_articles(watch=watch))
    assert TRADE_FAIR in in_scope
    assert "Local orchestra tours the Adriatic coast" not in in_scope
    # Any source counts: the wire carried the courier's clash story too.
    assert sorted(titles(store.search_articles(feed="balkan wire"))) == sorted([IBAR, JARINJE])
    by_url = store.search_articles(feed=store.db.execute(
        "SELECT url FROM feeds WHERE name = 'Local'").fetchone()[0])  # fmt: skip
    assert len(by_url) == 3
    # Dates are publication dates; ``until`` is exclusive.
    since = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    until = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
    assert titles(store.search_articles(since=since, until=until)) == [
        "Vučić accuses Kurti of provocations in Mitrovicë",
        "Local orchestra tours the Adriatic coast",
        TRADE_FAIR,
    ]
    assert titles(store.search_articles("gas", feed="Local")) == []
    with pytest.raises(MonitorError, match="unknown level"):
        store.search_articles(min_level="severe")


def test_an_empty_query_lists_newest_first_and_pages(store: Store) -> None:
    everything = store.search_articles()
    assert len(everything) == store.search_count() == 8
    dates = [article.published_at for article in everything]
    assert dates == sorted(dates, reverse=True)
    page = store.search_articles(limit=3, offset=3)
    assert [a.id for a in page] == [a.id for a in everything[3:6]]
    assert everything[0].snippet.startswith("@SUM(1+1)")


def test_results_carry_feed_scores_and_a_highlighted_snippet(store: Store) -> None:
    (found,) = store.search_articles("tear gas", highlight=("<b>", "</b>"))
    assert found.feed == "Ibar Valley Courier"
    assert found.url and found.url.startswith("https://courier.example/news/ibar-bridge")
    assert found.level() == "critical"
    (watch_score,) = found.scores
    assert watch_score.watch == "serbia-kosovo" and watch_score.score >= 14
    assert "<b>tear</b> <b>gas</b>" in found.snippet


def test_search_command_prints_a_table_or_json_lines(polled: Path) -> None:
    code, output = invoke("search", "--config", str(polled), "tear", "gas")
    assert code == 0, output
    header, line, snippet = output.splitlines()
    assert header.split() == ["id", "date", "level", "feed", "title"]
    assert "2026-11-02 20:15" in line and "critical" in line and IBAR in line
    assert "[tear] [gas]" in snippet

    code, output = invoke(
        "search", "--config", str(polled), "--json", "--level", "warning", "--since", "2026-11-03"
    )
    assert code == 0, output
    documents = [json.loads(line) for line in output.splitlines()]
    assert [document["title"] for document in documents] == [LOCAL[2]["title"], JARINJE, COMBAT]
    assert documents[1]["scores"][0]["level"] == "warning"

    assert invoke("search", "--config", str(polled), "nothing-like-this") == (
        0,
        "no articles found\n",
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--feed", "Nowhere"], 1, "no feed named 'Nowhere'"),
        (["--since", "last week"], 2, "expected a duration before now"),
        (["--watch", "other"], 2, "no watch named 'other'"),
        (["--level", "severe"], 2, "Invalid value for '--level'"),
    ],
)
def test_search_command_refuses_bad_filters_with_one_message(
    polled: Path, args: list[str], code: int, message: str
) -> None:
    exit_code, output = invoke("search", "--config", str(polled), "gas", *args)
    assert exit_code == code
    assert message in output
    assert "Traceback" not in output


def test_search_without_a_database_says_so(config_dir: ConfigDir) -> None:
    config = config_dir.write(["http://127.0.0.1:9/feed.xml"])
    code, output = invoke("search", "--config", str(config), "gas")
    assert code == 2
    assert "no database at" in output and "has not run yet" in output


def test_a_database_an_older_monitor_left_is_not_upgraded_by_reading(
    config_dir: ConfigDir,
) -> None:
    config = config_dir.write(["http://127.0.0.1:9/feed.xml"])
    config_dir.database.parent.mkdir(parents=True)
    sqlite3.connect(config_dir.database).close()  # an empty file: no migration applied
    code, output = invoke("export", "--config", str(config), "--format", "csv")
    assert code == 1
    assert "predates this version of monitor" in output
    assert config_dir.database.stat().st_size == 0


def test_parse_moment_takes_durations_and_dates() -> None:
    now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    assert parse_moment("7d", now) == datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    assert parse_moment("2026-11-03", now) == datetime(2026, 11, 3, tzinfo=UTC)
    assert parse_moment("2026-11-03T10:30+01:00", now) == datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="expected a duration"):
        parse_moment("yesterday", now)


def test_export_csv_has_one_row_per_article_and_watch_in_a_stable_order(polled: Path) -> None:
    code, output = invoke("export", "--config", str(polled), "--format", "csv")
    assert code == 0
    reader = csv.reader(io.StringIO(output))
    assert tuple(next(reader)) == CSV_COLUMNS
    rows = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in reader]
    assert len(rows) == 8
    ibar = next(row for row in rows if row["title"] == IBAR)
    assert ibar["feed"] == "Ibar Valley Courier"
    assert ibar["watch"] == "serbia-kosovo"
    assert ibar["level"] == "critical" and float(ibar["score"]) >= 14
    assert ibar["in_scope"] == "1"
    assert [int(row["article_id"]) for row in rows] == sorted(int(r["article_id"]) for r in rows)
    # Negative scores stay numbers; only text is guarded.
    fair = next(row for row in rows if row["title"] == TRADE_FAIR)
    assert float(fair["score"]) < 0


def test_export_csv_defuses_formulas(polled: Path) -> None:
    code, output = invoke("export", "--config", str(polled), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(output)))
    formula = next(row for row in rows if "HYPERLINK" in row["title"])
    assert formula["title"] == "'" + LOCAL[2]["title"]
    assert formula["summary"].startswith("'@SUM(1+1)")
    assert all(not value.startswith(("=", "+", "@")) for row in rows for value in row.values())


def test_export_jsonl_round_trips_to_a_file_in_utf8(polled: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    code, output = invoke(
        "export", "--config", str(polled), "--format", "jsonl", "--output", str(target)
    )
    assert code == 0
    assert "exported 8 articles" in output
    assert "Vučić accuses".encode() in target.read_bytes()
    documents = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(documents) == 8
    ibar = next(d for d in documents if d["title"] == IBAR)
    assert set(ibar) == {"id", *CSV_COLUMNS[1:8], "scores"}
    (watch_score,) = ibar["scores"]
    assert watch_score["in_scope"] is True and watch_score["level"] == "critical"
    assert {hit["signal"] for hit in watch_score["hits"]} >= {"armed-violence", "clashes"}


def test_export_filters_by_fetch_time_and_watch(polled: Path) -> None:
    code, output = invoke("export", "--config", str(polled), "--format", "jsonl", "--since", "1h")
    assert code == 0 and len(output.splitlines()) == 8
    code, output = invoke(
        "export", "--config", str(polled), "--format", "csv", "--since", "2099-01-01"
    )
    assert code == 0 and output.splitlines() == [",".join(CSV_COLUMNS)]
    code, output = invoke(
        "export", "--config", str(polled), "--format", "csv", "--watch", "serbia-kosovo"
    )
    assert code == 0 and len(list(csv.reader(io.StringIO(output)))) == 1 + 8

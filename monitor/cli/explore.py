"""``monitor score``, ``eval``, ``search``, ``export`` and ``backtest``: looking
into articles and rules -- a text scored and explained, a watch measured on
labelled items, stored articles found, written out, or rescored with the rules
on disk. Only ``score`` and ``eval`` need no database; the others read it and
never write."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import click

from monitor.cli.edge import clean_errors, load, load_for_reading, reader_of
from monitor.cli.options import config_option, known_watch, moment
from monitor.cli.render.explore import (
    backtest_text,
    eval_text,
    score_json,
    score_text,
    search_table,
)
from monitor.config import LEVELS
from monitor.daemon.run import utc_now
from monitor.models import Article
from monitor.rules.score import score
from monitor.tools.backtest import run_backtest
from monitor.tools.evaluate import LabelledItem, evaluate
from monitor.tools.export import write_csv, write_jsonl


@click.command("score")
@config_option
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article.")
def score_command(config_dir: Path, source: Any, as_json: bool) -> None:
    """Score SOURCE against every watch and explain why.

    SOURCE is a text file (first line: the title), '-' for stdin, or a .jsonl
    file of objects with "title" and "text" (and optionally "id").
    """
    config = load_for_reading(config_dir)
    name = str(getattr(source, "name", "-"))
    if name.endswith(".jsonl"):
        articles = [
            (item.get("id", number), _article(item)) for number, item in _jsonl(source, name)
        ]
    else:
        title, _, text = source.read().strip().partition("\n")
        articles = [(name, _article({"title": title.strip(), "text": text.strip()}))]
    for item_id, article in articles:
        scores = score(article, config.matcher)
        if as_json:
            click.echo(json.dumps(score_json(item_id, scores), ensure_ascii=False))
        else:
            click.echo(score_text(item_id, article, scores, config.matcher))


@click.command("eval")
@config_option
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--watch", "watch_name", help="The watch to evaluate (default: the only one).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def eval_command(config_dir: Path, source: Any, watch_name: str | None, as_json: bool) -> None:
    """Score labelled articles and report how well a watch separates the levels.

    SOURCE is a .jsonl file of objects with "title", "text" and "level" (0: not
    about the dispute, 1: routine politics, 2: serious tension, 3: violence);
    with "lang" on the items, the figures are also given per language.
    """
    config = load(config_dir)  # measuring the rules on disk: they must load
    names = [watch.name for watch in config.watches]
    if watch_name is None:
        if len(names) > 1:
            raise click.UsageError(f"several watches: choose one with --watch ({', '.join(names)})")
        watch_name = names[0]
    elif watch_name not in names:
        raise click.UsageError(f"no watch named {watch_name!r} (watches: {', '.join(names)})")
    name = str(getattr(source, "name", "-"))
    items = []
    for number, item in _jsonl(source, name):
        level = item.get("level")
        if isinstance(level, bool) or level not in (0, 1, 2, 3):
            raise click.ClickException(f"{name}:{number}: level: expected 0, 1, 2 or 3")
        event, date, lang = item.get("event"), item.get("date"), item.get("lang")
        items.append(
            LabelledItem(
                item.get("id", number),
                level,
                _article(item),
                None if event is None else str(event),
                None if date is None else str(date),
                str(lang) if lang else None,
            )
        )
    watch = next(watch for watch in config.watches if watch.name == watch_name)
    report = evaluate(items, config.matcher, watch)
    if as_json:
        click.echo(json.dumps(report.figures(), ensure_ascii=False))
    else:
        click.echo(eval_text(report))


@click.command("search")
@config_option
@click.argument("query", nargs=-1)
@click.option("--watch", "watch_name", help="Only articles in scope of this watch.")
@click.option("--level", type=click.Choice(LEVELS), help="Only articles at this level or above.")
@click.option("--feed", help="Only articles this feed carried (its name or URL).")
@click.option("--since", help="Dated at or after: 7d, 12h (before now) or 2026-11-03.")
@click.option("--until", help="Dated before: 2d or 2026-11-04T12:00.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article.")
def search_command(
    config_dir: Path,
    query: tuple[str, ...],
    watch_name: str | None,
    level: str | None,
    feed: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Search stored articles by their words, newest first.

    \b
    monitor search barricades Jarinje      articles with both words
    monitor search '"tear gas"' Mitrovic*  a phrase and a prefix
    monitor search clash* OR riot*         either
    monitor search --watch serbia-kosovo --level warning --since 7d

    Case and Latin diacritics do not matter (Vucic finds Vučić); Latin does
    not find Cyrillic. With no QUERY, every article that passes the filters.
    """
    config = load_for_reading(config_dir)
    known_watch(config, watch_name)
    now = utc_now()
    since_at = moment(since, now, "--since")
    until_at = moment(until, now, "--until")
    with reader_of(config) as store:
        if feed is not None and not store.feed_known(feed):
            raise click.ClickException(f"no feed named {feed!r} (give its name or URL)")
        with clean_errors():
            results = store.search_articles(
                " ".join(query), watch=watch_name, min_level=level, feed=feed,
                since=since_at, until=until_at, limit=limit,
            )  # fmt: skip
    if as_json:
        for found in results:
            click.echo(json.dumps(found.as_dict(), ensure_ascii=False))
    else:
        click.echo(search_table(results, watch_name))


@click.command("export")
@config_option
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True,
    help="csv: one row per article and watch; jsonl: one object per article.",
)  # fmt: skip
@click.option("--since", help="Only articles fetched since: 30d, 12h or 2026-11-03.")
@click.option("--watch", "watch_name", help="Only the scores of this watch.")
@click.option(
    "--output", type=click.Path(path_type=Path, dir_okay=False), help="A file (default: stdout)."
)
def export_command(
    config_dir: Path, fmt: str, since: str | None, watch_name: str | None, output: Path | None
) -> None:
    """Write stored articles and their scores per watch as CSV or JSON Lines (UTF-8).

    CSV columns: article_id, published_at, fetched_at, feed, feed_url, url,
    title, summary, watch, score, level, in_scope, rules_version. A text cell
    starting with =, +, -, @ (a spreadsheet formula) gets a ' in front.
    """
    config = load_for_reading(config_dir)
    known_watch(config, watch_name)
    since_at = moment(since, utc_now(), "--since")
    write: Callable[[Iterable[dict[str, Any]], TextIO], int] = (
        write_csv if fmt == "csv" else write_jsonl
    )
    with reader_of(config) as store:
        rows = store.export_rows(since=since_at, watch=watch_name)
        if output is None:
            with _utf8_stdout() as out:
                write(rows, out)
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = write(rows, out)
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc}") from exc
    unit = "rows" if fmt == "csv" else "articles"
    click.echo(f"exported {count} {unit} to {output}", err=True)


@click.command("backtest")
@config_option
@click.option(
    "--since", default="30d", show_default=True,
    help="Rescore the articles fetched since: 30d, 12h or 2026-11-03.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="The comparison as one JSON object.")
def backtest_command(config_dir: Path, since: str, as_json: bool) -> None:
    """Rescore stored articles with the rules on disk and compare the article alerts
    they would fire with those that fired: added, removed, changed level; then
    replay the stories they make, in publication order: story alerts and
    notifications stored and replayed, each story with its reports and why.

    Reads the database only; nothing is written. Index and spike alerts are not
    replayed.
    """
    config = load(config_dir)  # measuring the rules on disk: they must load
    since_at = moment(since, utc_now(), "--since")
    assert since_at is not None
    with reader_of(config) as store:
        report = run_backtest(store, config, since_at)
    click.echo(
        json.dumps(report.as_dict(), ensure_ascii=False) if as_json else backtest_text(report)
    )


@contextmanager
def _utf8_stdout() -> Iterator[TextIO]:
    """Standard output as UTF-8 text, whatever the locale says."""
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield out
    finally:
        out.flush()
        out.detach()


def _jsonl(source: Any, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)`` for each non-blank line of a JSON Lines file."""
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"{name}:{number}: invalid JSON: {exc.msg}") from exc
        if not isinstance(item, dict):
            raise click.ClickException(f"{name}:{number}: expected a JSON object")
        yield number, item


def _article(item: dict[str, Any]) -> Article:
    """An article of a scored or labelled item: its title and text, nothing else."""
    return Article(
        guid="",
        url=None,
        canonical_url=None,
        title=str(item.get("title") or ""),
        summary=str(item.get("text") or ""),
        published_at=None,
        content_hash="",
    )

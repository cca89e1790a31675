"""The ``monitor`` command line: a thin skin over the package.

Each command parses its options and calls one function; a ``MonitorError``
becomes one clean message and a non-zero exit here, at the edge.
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
from collections.abc import Callable, Coroutine, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from monitor import __version__
from monitor.cli.render.alerts import (
    alert_text,
    alerts_table,
    deliveries_table,
    silences_table,
)
from monitor.cli.render.db import db_stats_text
from monitor.cli.render.explore import (
    backtest_text,
    eval_text,
    score_json,
    score_text,
    search_table,
)
from monitor.cli.render.feeds import feeds_import_text, feeds_table
from monitor.cli.render.status import status_text
from monitor.config import (
    DEFAULT_CONFIG_DIR,
    INDEX_LEVELS,
    LEVELS,
    Config,
    Settings,
    database_path_of,
    load_config,
    parse_duration,
)
from monitor.config.feedsfile import import_feeds
from monitor.config.opml import read_opml
from monitor.daemon.logs import configure_logging
from monitor.daemon.maintenance import prune, prune_summary, stats, vacuum
from monitor.daemon.run import deliver_once, poll_once, run_daemon, send_test_alert, utc_now
from monitor.daemon.status import read_disk_config, status_document
from monitor.errors import ConfigError, MonitorError
from monitor.humanize import describe_size
from monitor.models import Article
from monitor.rules.score import score
from monitor.store import Store
from monitor.store.query import parse_moment
from monitor.tools.backtest import run_backtest
from monitor.tools.evaluate import LabelledItem, evaluate
from monitor.tools.export import write_csv, write_jsonl

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

EXIT_CONFIG_ERROR = 2


def config_option(command: F) -> F:
    """Add ``--config DIR`` (or ``MONITOR_CONFIG``) to a command."""
    return click.option(
        "--config",
        "config_dir",
        type=click.Path(path_type=Path, file_okay=False),
        envvar="MONITOR_CONFIG",
        default=DEFAULT_CONFIG_DIR,
        show_default=True,
        help="Config directory (monitor.yaml, feeds.yaml, watches/).",
    )(command)


def log_level_option(command: F) -> F:
    """Add ``--log-level`` and ``--log-format`` to a command."""
    command = click.option(
        "--log-format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Readable lines, or one JSON object per line for collectors.",
    )(command)
    return click.option(
        "--log-level",
        type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
        default="info",
        show_default=True,
        help="How much to log on stderr.",
    )(command)


def _load(config_dir: Path) -> Config:
    try:
        return load_config(config_dir)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"{len(exc.problems)} problem(s) in {config_dir}", err=True)
        sys.exit(EXIT_CONFIG_ERROR)


@click.group()
@click.version_option(__version__, prog_name="monitor")
def main() -> None:
    """Watch news feeds for escalation and alert chat and email channels."""


@main.command()
@config_option
@log_level_option
def run(config_dir: Path, log_level: str, log_format: str) -> None:
    """Run the daemon: poll feeds on schedule, score, store and alert, until stopped."""
    config = _load(config_dir)
    configure_logging(log_level, config.secrets, log_format)
    _run(run_daemon(config))


@main.command()
@config_option
@log_level_option
@click.option("--once", is_flag=True, help="Run one cycle over every feed and exit.")
def poll(config_dir: Path, log_level: str, log_format: str, once: bool) -> None:
    """Poll every feed once, store, score, alert, and print one summary line."""
    if not once:
        raise click.UsageError("poll needs --once (use 'monitor run' for the daemon)")
    config = _load(config_dir)
    configure_logging(log_level, config.secrets, log_format)
    report = _run(poll_once(config))
    click.echo(report.summary())


@main.command()
@config_option
def check(config_dir: Path) -> None:
    """Validate the config directory; exit 2 listing every problem."""
    config = _load(config_dir)
    click.echo(
        f"{config_dir}: OK ({len(config.feeds)} feeds, {len(config.watches)} watches, "
        f"{len(config.settings.channels)} channels)"
    )


@main.command("score")
@config_option
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article.")
def score_command(config_dir: Path, source: Any, as_json: bool) -> None:
    """Score SOURCE against every watch and explain why.

    SOURCE is a text file (first line: the title), '-' for stdin, or a .jsonl
    file of objects with "title" and "text" (and optionally "id").
    """
    config = _load(config_dir)
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
            click.echo(score_text(item_id, article, scores))


@main.command("eval")
@config_option
@click.argument("source", type=click.File("r", encoding="utf-8"))
@click.option("--watch", "watch_name", help="The watch to evaluate (default: the only one).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def eval_command(config_dir: Path, source: Any, watch_name: str | None, as_json: bool) -> None:
    """Score labelled articles and report how well a watch separates the levels.

    SOURCE is a .jsonl file of objects with "title", "text" and "level" (0: not
    about the dispute, 1: routine politics, 2: serious tension, 3: violence).
    """
    config = _load(config_dir)
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
        items.append(LabelledItem(item.get("id", number), level, _article(item)))
    report = evaluate(items, config.matcher, watch_name)
    if as_json:
        click.echo(json.dumps(report.figures(), ensure_ascii=False))
    else:
        click.echo(eval_text(report))


@main.group("alerts", invoke_without_command=True)
@config_option
@click.option("--state", type=click.Choice(["firing", "resolved"]), help="Only this state.")
@click.option("--watch", "watch_name", help="Only this watch.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per alert.")
@click.pass_context
def alerts_command(
    context: click.Context,
    config_dir: Path,
    state: str | None,
    watch_name: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List alerts, newest first (``alerts show ID`` for one alert)."""
    context.obj = config_dir
    if context.invoked_subcommand is not None:
        return
    with _store(config_dir) as store:
        alerts = store.list_alerts(state=state, watch=watch_name, limit=limit)
    if as_json:
        for alert in alerts:
            click.echo(json.dumps(alert, ensure_ascii=False))
    else:
        click.echo(alerts_table(alerts))


@alerts_command.command("show")
@click.argument("alert_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="The alert as one JSON object.")
@click.option(
    "--config",
    "show_config_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Config directory (also accepted before 'show').",
)
@click.pass_obj
def alerts_show(
    config_dir: Path, alert_id: int, as_json: bool, show_config_dir: Path | None
) -> None:
    """Show one alert with all its articles, their hits, and its deliveries."""
    with _store(show_config_dir or config_dir) as store:
        alert = store.alert_detail(alert_id)
    if alert is None:
        raise click.ClickException(f"no alert {alert_id}")
    click.echo(json.dumps(alert, ensure_ascii=False) if as_json else alert_text(alert))


@main.command("status")
@config_option
@click.option("--json", "as_json", is_flag=True, help="The status as one JSON object.")
def status_command(config_dir: Path, as_json: bool) -> None:
    """Show the daemon, the config, each feed's health, each watch's index and the outbox.

    Works while the config on disk is invalid: it says so, and what is wrong.
    """
    disk, config = read_disk_config(config_dir)
    database = config.database_path if config else database_path_of(config_dir)
    if not database.exists():
        raise click.ClickException(f"no database at {database}: monitor has not run yet")
    settings = config.settings if config else Settings()
    try:
        store = Store(database)
    except MonitorError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        watches = [watch.name for watch in config.watches] if config else store.index_watches()
        status = status_document(store, disk, watches, utc_now(), settings.stale_after())
    finally:
        store.close()
    click.echo(json.dumps(status, ensure_ascii=False) if as_json else status_text(status))


@main.command("deliver")
@config_option
@log_level_option
@click.option("--once", is_flag=True, help="Send what is due in the outbox and exit.")
def deliver_command(config_dir: Path, log_level: str, log_format: str, once: bool) -> None:
    """Send the notifications that are due, once (the daemon does this every tick)."""
    if not once:
        raise click.UsageError("deliver needs --once (use 'monitor run' for the daemon)")
    config = _load(config_dir)
    configure_logging(log_level, config.secrets, log_format)
    report = _run(deliver_once(config))
    click.echo(
        f"deliveries: {report.sent} sent, {report.retrying} to retry, {report.dead} given up"
    )


@main.group("deliveries", invoke_without_command=True)
@config_option
@click.option(
    "--status",
    "statuses",
    type=click.Choice(["pending", "dead", "silenced", "skipped", "sent"]),
    multiple=True,
    help="Only these statuses (default: pending and dead).",
)
@click.pass_context
def deliveries_command(context: click.Context, config_dir: Path, statuses: tuple[str, ...]) -> None:
    """List notifications waiting in the outbox or given up (``deliveries retry``)."""
    context.obj = config_dir
    if context.invoked_subcommand is not None:
        return
    with _store(config_dir) as store:
        rows = store.list_deliveries(statuses or ("pending", "dead"))
    click.echo(deliveries_table(rows))


@deliveries_command.command("retry")
@click.pass_obj
def deliveries_retry(config_dir: Path) -> None:
    """Queue every dead delivery again; the next delivery pass sends them."""
    with _store(config_dir) as store:
        count = store.retry_dead(utc_now())
    click.echo(f"{count} dead deliveries queued again")


@main.group("channels")
def channels_command() -> None:
    """Check the channels of monitor.yaml."""


@channels_command.command("test")
@config_option
@click.argument("name")
def channels_test(config_dir: Path, name: str) -> None:
    """Send a test alert through channel NAME and report what the service answered."""
    config = _load(config_dir)
    if name not in config.settings.channels:
        known = ", ".join(sorted(config.settings.channels))
        raise click.UsageError(f"no channel named {name!r} (channels: {known})")
    configure_logging("warning", config.secrets)
    error = _run(send_test_alert(config, name))
    if error is not None:
        raise click.ClickException(f"channel {name}: {error}")
    click.echo(f"channel {name}: the test alert was accepted")


@main.group("feeds")
def feeds_command() -> None:
    """List the feeds, import an OPML file, poll a gone feed again."""


@feeds_command.command("list")
@config_option
def feeds_list(config_dir: Path) -> None:
    """Each feed of feeds.yaml: enabled, disabled or gone, and where it moved."""
    config = _load(config_dir)
    with _store(config_dir) as store:
        rows = store.feed_rows()
    click.echo(feeds_table(config.feeds, rows))


@feeds_command.command("import")
@config_option
@click.argument("opml_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would be added; change nothing.")
def feeds_import(config_dir: Path, opml_file: Path, dry_run: bool) -> None:
    """Append the feeds of OPML_FILE that feeds.yaml does not list yet.

    Folders are flattened; each outline's title becomes the feed's name. The
    file's existing text and comments are kept as they are.
    """
    if not config_dir.is_dir():
        raise click.UsageError(f"config directory not found: {config_dir}")
    feeds_path = config_dir / "feeds.yaml"
    try:
        plan = import_feeds(feeds_path, read_opml(opml_file), dry_run=dry_run)
    except MonitorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG_ERROR)
    click.echo(feeds_import_text(plan, feeds_path, dry_run=dry_run))


@feeds_command.command("enable")
@config_option
@click.argument("url")
def feeds_enable(config_dir: Path, url: str) -> None:
    """Poll a feed that answered 410 Gone again, from the next cycle on."""
    config = _load(config_dir)
    with _store(config_dir) as store:
        enabled = store.enable_gone_feed(url, utc_now())
    if not enabled:
        raise click.ClickException(f"no feed {url} was stopped by 410 Gone ('monitor feeds list')")
    click.echo(f"feed {url}: polled again from the next cycle")
    if any(feed.url == url and not feed.enabled for feed in config.feeds):
        click.echo("note: it is still 'enabled: false' in feeds.yaml, which keeps it unpolled")


@main.command("silence")
@config_option
@click.argument("target", required=False, metavar="[WATCH | list | expire ID]")
@click.argument("silence_id", required=False, type=int)
@click.option("--for", "duration", help="How long the silence lasts: 30m, 6h, 2d.")
@click.option("--reason", help="Why (required for a new silence).")
@click.option(
    "--level",
    type=click.Choice([*LEVELS, *INDEX_LEVELS]),
    help="Mute only this level of the watch.",
)
@click.option("--by", "created_by", envvar="USER", default="unknown", help="Who silences.")
@click.option("--all", "show_all", is_flag=True, help="With list: past silences too.")
def silence_command(
    config_dir: Path,
    target: str | None,
    silence_id: int | None,
    duration: str | None,
    reason: str | None,
    level: str | None,
    created_by: str,
    show_all: bool,
) -> None:
    """Mute a watch's notifications for a while, list silences, or end one.

    \b
    monitor silence WATCH --for 6h --reason "known exercise" [--level warning]
    monitor silence list [--all]
    monitor silence expire ID

    Alerts still open and update while silenced; their notifications are kept
    as "silenced" deliveries and never sent.
    """
    now = utc_now()
    with _store(config_dir) as store:
        if target in (None, "list"):
            click.echo(silences_table(store.silences(now, include_past=show_all), now))
        elif target == "expire":
            if silence_id is None:
                raise click.UsageError("silence expire needs the ID of a silence")
            if not store.expire_silence(silence_id, now):
                raise click.ClickException(f"no silence {silence_id} in force")
            click.echo(f"silence {silence_id} expired")
        else:
            watches = [watch.name for watch in _load(config_dir).watches]
            if target not in watches:
                raise click.UsageError(f"no watch named {target!r} (watches: {', '.join(watches)})")
            if not duration or not reason:
                raise click.UsageError("a new silence needs --for DURATION and --reason TEXT")
            try:
                seconds = parse_duration(duration)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--for") from exc
            until = now + timedelta(seconds=seconds)
            new_id = store.add_silence(
                watch=target, level=level, until=until, reason=reason,
                created_by=created_by, now=now,
            )  # fmt: skip
            what = f"{target} ({level} only)" if level else target
            click.echo(f"silence {new_id}: {what} muted until {until:%Y-%m-%d %H:%M} UTC")


@main.group("db")
def db_command() -> None:
    """The database: its size and contents; pruning and compacting it by hand."""


@db_command.command("stats")
@config_option
@click.option("--json", "as_json", is_flag=True, help="The figures as one JSON object.")
def db_stats(config_dir: Path, as_json: bool) -> None:
    """Show the file's size, rows per table, the oldest and newest article, and what the
    next prune would remove."""
    config = _load(config_dir)
    with _store(config_dir) as store:
        figures = stats(store, config.settings.retention, utc_now())
    click.echo(json.dumps(figures) if as_json else db_stats_text(figures))


@db_command.command("prune")
@config_option
def db_prune(config_dir: Path) -> None:
    """Delete now what is older than retention.articles (the daemon does it hourly)."""
    age = _load(config_dir).settings.retention.articles
    if age is None:
        click.echo("retention.articles is null: articles are kept forever; nothing pruned")
        return
    with _store(config_dir) as store:
        try:
            report = prune(store, age, utc_now())
        except MonitorError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(prune_summary(report, age))


@db_command.command("vacuum")
@config_option
def db_vacuum(config_dir: Path) -> None:
    """Compact the database file now (the daemon does it every retention.vacuum_every)."""
    with _store(config_dir) as store:
        try:
            before, after = vacuum(store, utc_now())
        except MonitorError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"vacuumed {store.path}: {describe_size(before)} -> {describe_size(after)}")


@main.command("search")
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
    config = _load(config_dir)
    _known_watch(config, watch_name)
    now = utc_now()
    since_at = _moment(since, now, "--since")
    until_at = _moment(until, now, "--until")
    with _reader(config) as store:
        if feed is not None and not store.feed_known(feed):
            raise click.ClickException(f"no feed named {feed!r} (give its name or URL)")
        try:
            results = store.search_articles(
                " ".join(query), watch=watch_name, min_level=level, feed=feed,
                since=since_at, until=until_at, limit=limit,
            )  # fmt: skip
        except MonitorError as exc:
            raise click.ClickException(str(exc)) from exc
    if as_json:
        for found in results:
            click.echo(json.dumps(found.as_dict(), ensure_ascii=False))
    else:
        click.echo(search_table(results, watch_name))


@main.command("export")
@config_option
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), required=True,
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
    config = _load(config_dir)
    _known_watch(config, watch_name)
    since_at = _moment(since, utc_now(), "--since")
    write: Callable[[Iterable[dict[str, Any]], TextIO], int] = (
        write_csv if fmt == "csv" else write_jsonl
    )
    with _reader(config) as store:
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


@main.command("backtest")
@config_option
@click.option(
    "--since", default="30d", show_default=True,
    help="Rescore the articles fetched since: 30d, 12h or 2026-11-03.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="The comparison as one JSON object.")
def backtest_command(config_dir: Path, since: str, as_json: bool) -> None:
    """Rescore stored articles with the rules on disk and compare the article alerts
    they would fire with those that fired: added, removed, changed level.

    Reads the database only; nothing is written. Index and spike alerts and
    story grouping are not replayed.
    """
    config = _load(config_dir)
    since_at = _moment(since, utc_now(), "--since")
    assert since_at is not None
    with _reader(config) as store:
        report = run_backtest(store, config, since_at)
    click.echo(
        json.dumps(report.as_dict(), ensure_ascii=False) if as_json else backtest_text(report)
    )


def _known_watch(config: Config, name: str | None) -> None:
    names = [watch.name for watch in config.watches]
    if name is not None and name not in names:
        raise click.UsageError(f"no watch named {name!r} (watches: {', '.join(names)})")


def _moment(text: str | None, now: datetime, option: str) -> datetime | None:
    """``--since``/``--until`` as a moment, or a usage error naming the option."""
    if text is None:
        return None
    try:
        return parse_moment(text, now)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from exc


@contextmanager
def _utf8_stdout() -> Iterator[TextIO]:
    """Standard output as UTF-8 text, whatever the locale says."""
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield out
    finally:
        out.flush()
        out.detach()


@contextmanager
def _reader(config: Config) -> Iterator[Store]:
    """The database of ``config``, opened read-only, closed afterwards."""
    try:
        store = Store(config.database_path, readonly=True)
    except MonitorError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        yield store
    finally:
        store.close()


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work``; a ``MonitorError`` becomes one clean message and exit 1."""
    try:
        return asyncio.run(work)
    except MonitorError as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def _store(config_dir: Path) -> Iterator[Store]:
    """The database of the config in ``config_dir``, closed afterwards."""
    config = _load(config_dir)
    try:
        store = Store(config.database_path)
    except MonitorError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        yield store
    finally:
        store.close()


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
    return Article(
        guid="",
        url=None,
        canonical_url=None,
        title=str(item.get("title") or ""),
        summary=str(item.get("text") or ""),
        published_at=None,
        content_hash="",
    )

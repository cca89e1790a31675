"""The ``monitor`` command line: a thin skin over the package.

Each command parses its options and calls one function; a ``MonitorError``
becomes one clean message and a non-zero exit here, at the edge.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click

from monitor import __version__
from monitor.config import DEFAULT_CONFIG_DIR, Config, load_config
from monitor.daemon import poll_once, run_daemon
from monitor.errors import ConfigError, MonitorError
from monitor.logs import configure_logging
from monitor.models import Article, Score
from monitor.score import score

F = TypeVar("F", bound=Callable[..., Any])

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
    """Add ``--log-level`` to a command."""
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
def run(config_dir: Path, log_level: str) -> None:
    """Run the daemon: poll feeds on schedule, score, store and alert, until stopped."""
    config = _load(config_dir)
    configure_logging(log_level, config.secrets)
    try:
        asyncio.run(run_daemon(config))
    except MonitorError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@config_option
@log_level_option
@click.option("--once", is_flag=True, help="Run one cycle over every feed and exit.")
def poll(config_dir: Path, log_level: str, once: bool) -> None:
    """Poll every feed once, store, score, alert, and print one summary line."""
    if not once:
        raise click.UsageError("poll needs --once (use 'monitor run' for the daemon)")
    config = _load(config_dir)
    configure_logging(log_level, config.secrets)
    try:
        report = asyncio.run(poll_once(config))
    except MonitorError as exc:
        raise click.ClickException(str(exc)) from exc
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
    name = getattr(source, "name", "-")
    for item_id, article in _read_articles(source, name):
        scores = score(article, config.matcher)
        if as_json:
            click.echo(json.dumps(_score_json(item_id, scores), ensure_ascii=False))
        else:
            click.echo(_score_text(item_id, article, scores))


def _read_articles(source: Any, name: str) -> Iterator[tuple[Any, Article]]:
    if str(name).endswith(".jsonl"):
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise click.ClickException(f"{name}:{number}: invalid JSON: {exc.msg}") from exc
            if not isinstance(item, dict):
                raise click.ClickException(f"{name}:{number}: expected a JSON object")
            title, text = str(item.get("title") or ""), str(item.get("text") or "")
            yield item.get("id", number), _article(title, text)
        return
    content = source.read()
    title, _, text = content.strip().partition("\n")
    yield name, _article(title.strip(), text.strip())


def _article(title: str, text: str) -> Article:
    return Article(
        guid="",
        url=None,
        canonical_url=None,
        title=title,
        summary=text,
        published_at=None,
        content_hash="",
    )


def _score_json(item_id: Any, scores: list[Score]) -> dict[str, Any]:
    return {
        "id": item_id,
        "scores": [
            {
                "watch": s.watch,
                "score": s.score,
                "level": s.level,
                "in_scope": s.in_scope,
                "rules_version": s.rules_version,
                "hits": [asdict(hit) for hit in s.hits],
            }
            for s in scores
        ],
    }


def _score_text(item_id: Any, article: Article, scores: list[Score]) -> str:
    lines = [f"{item_id}: {article.title[:100]}"]
    for s in scores:
        if not s.in_scope:
            lines.append(f"  {s.watch}: out of scope")
            continue
        lines.append(f"  {s.watch}: score {s.score:g}, level {s.level or 'none'}")
        subtotals: dict[str, float] = {}
        for hit in s.hits:
            subtotals[hit.signal] = subtotals.get(hit.signal, 0.0) + hit.points
            notes: list[str] = [hit.field]
            if hit.boosted:
                notes.append("boosted")
            if hit.capped:
                notes.append("capped")
            lines.append(
                f"    {hit.signal:<16} {hit.points:+7g}  {hit.term!r} matched "
                f"{hit.text!r} ({', '.join(notes)})"
            )
        for signal, subtotal in subtotals.items():
            lines.append(f"    = {signal:<14} {subtotal:+7g}")
    return "\n".join(lines)

"""``monitor db stats``, ``prune`` and ``vacuum``: the database's size and
contents, and by hand the pruning and compacting the daemon does on schedule."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli.edge import clean_errors, load_for_reading, store_for, store_of
from monitor.cli.options import config_option
from monitor.cli.render.db import db_stats_text
from monitor.daemon.maintenance import prune, prune_summary, stats, vacuum
from monitor.daemon.run import utc_now
from monitor.humanize import describe_size


@click.group("db")
def db_command() -> None:
    """The database: its size and contents; pruning and compacting it by hand."""


@db_command.command("stats")
@config_option
@click.option("--json", "as_json", is_flag=True, help="The figures as one JSON object.")
def db_stats(config_dir: Path, as_json: bool) -> None:
    """Show the file's size, rows per table, the oldest and newest article, and what the
    next prune would remove."""
    config = load_for_reading(config_dir)
    with store_for(config) as store:
        figures = stats(store, config.settings.retention, utc_now())
    click.echo(json.dumps(figures) if as_json else db_stats_text(figures))


@db_command.command("prune")
@config_option
def db_prune(config_dir: Path) -> None:
    """Delete now what is older than retention.articles (the daemon does it hourly)."""
    config = load_for_reading(config_dir)
    age = config.settings.retention.articles
    if age is None:
        click.echo("retention.articles is null: articles are kept forever; nothing pruned")
        return
    with store_for(config) as store, clean_errors():
        report = prune(store, age, utc_now())
    click.echo(prune_summary(report, age))


@db_command.command("vacuum")
@config_option
def db_vacuum(config_dir: Path) -> None:
    """Compact the database file now (the daemon does it every retention.vacuum_every)."""
    with store_of(config_dir) as store:
        with clean_errors():
            before, after = vacuum(store, utc_now())
        click.echo(f"vacuumed {store.path}: {describe_size(before)} -> {describe_size(after)}")

"""``monitor run``, ``poll --once`` and ``deliver --once``: the daemon's work,
for good in the foreground, or one pass of it and exit."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.edge import load, run_async
from monitor.cli.options import config_option, log_level_option
from monitor.daemon.logs import configure_logging
from monitor.daemon.run import deliver_once, poll_once, run_daemon


@click.command("run")
@config_option
@log_level_option
def run(config_dir: Path, log_level: str, log_format: str) -> None:
    """Run the daemon: poll feeds on schedule, score, store and alert, until stopped."""
    config = load(config_dir)
    configure_logging(log_level, config.secrets, log_format)
    run_async(run_daemon(config))


@click.command("poll")
@config_option
@log_level_option
@click.option("--once", is_flag=True, help="Run one cycle over every feed and exit.")
def poll(config_dir: Path, log_level: str, log_format: str, once: bool) -> None:
    """Poll every feed once, store, score, alert, and print one summary line."""
    if not once:
        raise click.UsageError("poll needs --once (use 'monitor run' for the daemon)")
    config = load(config_dir)
    configure_logging(log_level, config.secrets, log_format)
    report = run_async(poll_once(config))
    click.echo(report.summary())


@click.command("deliver")
@config_option
@log_level_option
@click.option("--once", is_flag=True, help="Send what is due in the outbox and exit.")
def deliver_command(config_dir: Path, log_level: str, log_format: str, once: bool) -> None:
    """Send the notifications that are due, once (the daemon does this every tick)."""
    if not once:
        raise click.UsageError("deliver needs --once (use 'monitor run' for the daemon)")
    config = load(config_dir)
    configure_logging(log_level, config.secrets, log_format)
    report = run_async(deliver_once(config))
    click.echo(
        f"deliveries: {report.sent} sent, {report.retrying} to retry, {report.dead} given up"
    )

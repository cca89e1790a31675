"""The ``monitor`` command group: ``--version``, and the one list of every command.

Each command lives in the module of its group (``run``, ``checks``,
``alerts``, ``explain``, ``stories``, ``feeds``, ``db``, ``explore``, ``init``), parses its
options and calls one function of the package; what it prints for people is in ``render/``; a
``MonitorError`` becomes a message and an exit code in ``edge`` only.

A new command gets a module of its own (as ``monitor explain`` has
``explain.py``, its text in ``render/explain.py``) and one line in ``COMMANDS``
below; and a mention in README.md, which a test checks.
"""

from __future__ import annotations

from pathlib import Path

import click

from monitor import __version__
from monitor.cli import alerts, checks, db, explain, explore, feeds, init, run, stories
from monitor.cli.options import root_config_option


@click.group()
@click.version_option(__version__, prog_name="monitor")
@root_config_option
def main(config_dir: Path) -> None:
    """Watch news feeds for escalation and alert chat and email channels.

    --config DIR goes before or after the command; MONITOR_CONFIG sets it too.
    """


COMMANDS: tuple[click.Command, ...] = (
    # the daemon's work, for good or once
    run.run,
    run.poll,
    run.deliver_command,
    # a config of one's own; is it sound
    init.init_command,
    checks.check,
    checks.status_command,
    checks.channels_command,
    # articles and rules
    explore.score_command,
    explore.eval_command,
    explore.search_command,
    explore.export_command,
    explore.backtest_command,
    # alerts, their notifications, silences
    alerts.alerts_command,
    alerts.deliveries_command,
    alerts.silence_command,
    explain.explain_command,
    stories.stories_command,
    # feeds.yaml and the database
    feeds.feeds_command,
    db.db_command,
)
"""Every command of ``monitor`` (groups with their subcommands), by module."""

for _command in COMMANDS:
    main.add_command(_command)

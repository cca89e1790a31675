"""``monitor check``, ``status``, ``channels list`` and ``channels test``: is this
monitor sound -- its config, its daemon, feeds, watches and outbox, and each channel."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from monitor.cli.edge import existing_database, load, load_for_reading, open_store, run_async
from monitor.cli.options import config_option
from monitor.cli.render.channels import channels_table, test_outcome
from monitor.cli.render.status import status_text
from monitor.daemon.logs import RedactSecrets, configure_logging
from monitor.daemon.run import send_test_alert, utc_now
from monitor.daemon.status import read_disk_config, status_document


@click.command("check")
@config_option
def check(config_dir: Path) -> None:
    """Validate the config directory; exit 2 listing every problem."""
    config = load(config_dir)
    click.echo(
        f"{config_dir}: OK ({len(config.feeds)} feeds, {len(config.watches)} watches, "
        f"{len(config.settings.channels)} channels)"
    )


@click.command("status")
@config_option
@click.option("--json", "as_json", is_flag=True, help="The status as one JSON object.")
def status_command(config_dir: Path, as_json: bool) -> None:
    """Show the daemon, the config, each feed's health, each watch's index and the outbox.

    Works while the config on disk is invalid: it says so, and what is wrong.
    """
    config = load_for_reading(config_dir)
    # The daemon has its own environment: a variable this shell lacks says nothing
    # about the files.
    disk = read_disk_config(config_dir, own_environment=False)[0]
    store = open_store(existing_database(config))
    try:
        known = [watch.name for watch in config.watches]
        watches = list(dict.fromkeys([*known, *store.index_watches()]))
        status = status_document(store, disk, watches, utc_now(), config.settings.stale_after())
    finally:
        store.close()
    click.echo(json.dumps(status, ensure_ascii=False) if as_json else status_text(status))


@click.group("channels")
def channels_command() -> None:
    """List and test the channels of monitor.yaml."""


@channels_command.command("list")
@config_option
def channels_list(config_dir: Path) -> None:
    """Each channel: its name, type, where it sends (secrets masked) and who uses it."""
    config = load(config_dir)
    text = channels_table(config.settings, config.watches)
    click.echo(RedactSecrets(config.secrets).redact(text))  # a second net under the masks


@channels_command.command("test")
@config_option
@click.argument("names", nargs=-1, metavar="[NAME]...")
def channels_test(config_dir: Path, names: tuple[str, ...]) -> None:
    """Send a test alert through each channel NAME (every channel when none is named)
    and report what each service answered; exit 1 if any did not accept it."""
    config = load(config_dir)
    channels = config.settings.channels
    unknown = [name for name in names if name not in channels]
    if unknown:
        known = ", ".join(sorted(channels))
        raise click.UsageError(f"no channel named {unknown[0]!r} (channels: {known})")
    if not channels:
        raise click.UsageError("no channels in monitor.yaml to test")
    configure_logging("warning", config.secrets)
    tested = list(dict.fromkeys(names)) or list(channels)
    failed = 0
    for name in tested:
        error = run_async(send_test_alert(config, name))
        if error is None:
            click.echo(test_outcome(name, channels[name], None))
        else:
            failed += 1
            click.echo(f"Error: {test_outcome(name, channels[name], error)}", err=True)
    if failed and len(tested) > 1:
        click.echo(f"{failed} of {len(tested)} channels did not accept the test alert", err=True)
    if failed:
        sys.exit(1)

"""``monitor init DIR``: a starter config directory of one's own, to edit.

It holds the shipped watch, the shipped feeds (to edit), and a ``monitor.yaml``
with a console channel, its database inside DIR, and comments that say what
to change first. An existing non-empty DIR is never written into.
"""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

import click

STARTER_SETTINGS = """\
# monitor.yaml, written by `monitor init`. Every key is optional; see README.md
# ("Configuration") for all of them. Durations are written 30s, 10m, 2h or 7d.
#
# What to change first:
#   1. feeds.yaml: the feeds to poll (the shipped list is a start).
#   2. watches/serbia-kosovo.yaml: the words and places that make an alert;
#      copy it to watch another dispute.
#   3. channels below: add a chat webhook, then `monitor channels test`.
# Then `monitor check --config {directory}` and `monitor run --config {directory}`.

# The SQLite file. A relative path is taken from this directory.
database: data/monitor.db

# Channels that watches send alerts to, by name (watches/*.yaml: alert.channels).
# Secrets come from the environment: write ${{NAME}}, never the value.
channels:
  console:
    type: console      # alerts printed in the daemon's log
  # team-webhook:      # uncomment, export MONITOR_WEBHOOK_URL, and add
  #   type: webhook    # team-webhook to alert.channels of the watch
  #   url: ${{MONITOR_WEBHOOK_URL}}
"""
"""The starter ``monitor.yaml`` (``{directory}``: where it is written)."""

FEEDS_HEADER = """\
# Written by `monitor init`: the shipped feeds. Edit this list first: remove the
# feeds you do not want, add yours (`monitor feeds import FILE.opml` appends an
# OPML export).
"""


def starter_directory() -> Path:
    """The shipped config that ``init`` copies from: the ``starter`` folder of an
    installed wheel, or ``config/`` of the checkout."""
    packaged = Path(str(files("monitor"))) / "starter"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "config"


def write_starter(directory: Path, shipped: Path) -> list[Path]:
    """Write a starter config into ``directory`` from the ``shipped`` config; the files written."""
    (directory / "watches").mkdir(parents=True, exist_ok=True)
    written = [directory / "monitor.yaml", directory / "feeds.yaml"]
    written[0].write_text(STARTER_SETTINGS.format(directory=directory), encoding="utf-8")
    feeds = (shipped / "feeds.yaml").read_text(encoding="utf-8")
    written[1].write_text(FEEDS_HEADER + feeds, encoding="utf-8")
    for watch in sorted((shipped / "watches").glob("*.yaml")):
        written.append(Path(shutil.copyfile(watch, directory / "watches" / watch.name)))
    return written


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
def init_command(directory: Path) -> None:
    """Write a starter config directory DIRECTORY: the shipped watch, the feeds to
    edit and a console channel, with comments saying what to change first.

    Refuses a DIRECTORY that exists and is not empty.
    """
    if directory.exists() and any(directory.iterdir()):
        raise click.UsageError(f"{directory} exists and is not empty; give a new directory")
    shipped = starter_directory()
    if not (shipped / "feeds.yaml").is_file():
        raise click.ClickException(f"the shipped config is missing ({shipped})")
    for path in write_starter(directory, shipped):
        click.echo(f"wrote {path}")
    click.echo(
        f"next: edit {directory / 'feeds.yaml'}, then `monitor check --config {directory}` "
        f"and `monitor run --config {directory}`"
    )

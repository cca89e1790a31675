"""``monitor feeds list``, ``import`` and ``enable``: the feeds of feeds.yaml,
new ones from an OPML file, and a feed stopped by 410 Gone polled again."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.edge import config_file_errors, load_for_reading, store_for
from monitor.cli.options import config_option
from monitor.cli.render.feeds import feeds_import_text, feeds_table
from monitor.config.feedsfile import import_feeds
from monitor.config.opml import read_opml
from monitor.daemon.run import utc_now


@click.group("feeds")
def feeds_command() -> None:
    """List the feeds, import an OPML file, poll a gone feed again."""


@feeds_command.command("list")
@config_option
def feeds_list(config_dir: Path) -> None:
    """Each feed of feeds.yaml: enabled, disabled or gone, and where it moved."""
    config = load_for_reading(config_dir)
    with store_for(config) as store:
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
    with config_file_errors():
        plan = import_feeds(feeds_path, read_opml(opml_file), dry_run=dry_run)
    click.echo(feeds_import_text(plan, feeds_path, dry_run=dry_run))


@feeds_command.command("enable")
@config_option
@click.argument("url")
def feeds_enable(config_dir: Path, url: str) -> None:
    """Poll a feed that answered 410 Gone again, from the next cycle on."""
    config = load_for_reading(config_dir)
    with store_for(config) as store:
        enabled = store.enable_gone_feed(url, utc_now())
    if not enabled:
        raise click.ClickException(f"no feed {url} was stopped by 410 Gone ('monitor feeds list')")
    click.echo(f"feed {url}: polled again from the next cycle")
    if any(feed.url == url and not feed.enabled for feed in config.feeds):
        click.echo("note: it is still 'enabled: false' in feeds.yaml, which keeps it unpolled")

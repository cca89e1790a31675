"""``monitor stories merge`` and ``monitor stories split``: correcting by hand which
articles make one story alert. Neither notifies anyone."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.alerts.corrections import merge_stories, split_story
from monitor.cli.edge import clean_errors, load, store_of
from monitor.cli.options import config_option
from monitor.cli.render.stories import merged_text, split_text
from monitor.daemon.run import utc_now

note_option = click.option("--note", help="Why, kept with the correction.")


@click.group("stories")
def stories_command() -> None:
    """Correct story grouping by hand: merge two stories, or split an article out.

    \b
    monitor stories merge A B     B's articles move into A; B is merged into A
    monitor stories split ID ART  article ART leaves story ID for a story of its own

    The stories are rebuilt as the daemon builds them, the moved articles'
    decisions (``monitor explain``) say so, and ``monitor alerts show`` lists the
    correction; no notification is queued.
    """


@stories_command.command("merge")
@config_option
@click.argument("target_id", type=int, metavar="A")
@click.argument("source_id", type=int, metavar="B")
@note_option
def stories_merge(config_dir: Path, target_id: int, source_id: int, note: str | None) -> None:
    """Move every article of story alert B into story alert A (of the same watch)."""
    watches = load(config_dir).watches
    with store_of(config_dir) as store, clean_errors():
        correction = merge_stories(store, watches, target_id, source_id, utc_now(), note)
    click.echo(merged_text(correction))


@stories_command.command("split")
@config_option
@click.argument("alert_id", type=int, metavar="ALERT")
@click.argument("article_id", type=int, metavar="ARTICLE")
@note_option
def stories_split(config_dir: Path, alert_id: int, article_id: int, note: str | None) -> None:
    """Take ARTICLE out of story alert ALERT into a new story alert of its own."""
    watches = load(config_dir).watches
    with store_of(config_dir) as store, clean_errors():
        correction = split_story(store, watches, alert_id, article_id, utc_now(), note)
    click.echo(split_text(correction))

"""``monitor explain ARTICLE_ID``: why a stored article did or did not notify."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli.edge import load_for_reading, reader_of
from monitor.cli.options import config_option
from monitor.cli.render.explain import explain_text
from monitor.tools.explain import explain


@click.command("explain")
@config_option
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="The explanation as one JSON object.")
def explain_command(config_dir: Path, article_id: int, as_json: bool) -> None:
    """Why a stored article did or did not notify each channel.

    For each watch: its score and hits, whether it was in scope and reached the
    alert level, the alert it opened or joined and why; then, channel by
    channel, whether a notification carrying it went out, or why not.
    """
    config = load_for_reading(config_dir)
    with reader_of(config) as store:
        document = explain(store, article_id, {watch.name: watch for watch in config.watches})
    if document is None:
        raise click.ClickException(f"no article {article_id}")
    click.echo(json.dumps(document, ensure_ascii=False) if as_json else explain_text(document))

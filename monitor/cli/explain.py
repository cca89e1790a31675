"""``monitor explain ARTICLE_ID``: the command, and its text for people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from monitor.cli.commands import _load, config_option
from monitor.errors import MonitorError
from monitor.humanize import minute
from monitor.store import Store
from monitor.tools.explain import explain

MAX_HITS_SHOWN = 8


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
    config = _load(config_dir)
    try:
        store = Store(config.database_path, readonly=True)
    except MonitorError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        document = explain(store, article_id, {watch.name: watch for watch in config.watches})
    finally:
        store.close()
    if document is None:
        raise click.ClickException(f"no article {article_id}")
    click.echo(json.dumps(document, ensure_ascii=False) if as_json else explain_text(document))


def _printable(text: Any) -> str:
    """Feed text on one line, without control characters (a terminal is an output too)."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())


def explain_text(document: dict[str, Any]) -> str:
    """The explanation as lines a person reads top to bottom."""
    article = document["article"]
    lines = [f"article {article['id']}: {_printable(article['title'] or 'untitled')}"]
    where = [_printable(article["source"] or "")]
    if article["url"]:
        where.append(_printable(article["url"]))
    lines.append(f"  {', '.join(p for p in where if p)}; fetched {minute(article['fetched_at'])}")
    for watch in document["watches"]:
        lines.append("")
        level = watch["level"] or ("out of scope" if not watch["in_scope"] else "no level")
        lines.append(f"{watch['watch']}: score {watch['score']:g}, {level}")
        hits = watch["hits"]
        if hits:
            shown = ", ".join(
                f"{hit['signal']} {_printable(hit['text'])!r} "
                + ("negated" if hit["negated"] else f"{hit['points']:+g}")
                for hit in hits[:MAX_HITS_SHOWN]
            )
            more = f" and {len(hits) - MAX_HITS_SHOWN} more" if len(hits) > MAX_HITS_SHOWN else ""
            lines.append(f"  hits: {shown}{more}")
        lines.append(f"  decision: {_printable(watch['decision'])}")
        alert = watch["alert"]
        if alert is not None:
            lines.append(
                f"  alert #{alert['id']}: {alert['kind']} {alert['level']} ({alert['state']}), "
                f"opened {minute(alert['opened_at'])}"
            )
        if watch["channels"]:
            lines.append("  channels:")
            width = max(len(channel["channel"]) for channel in watch["channels"])
            for channel in watch["channels"]:
                state = "notified" if channel["notified"] else "not notified"
                lines.append(
                    f"    {channel['channel']:<{width}}  {state}: {_printable(channel['reason'])}"
                )
    return "\n".join(lines)

"""``monitor alerts``, ``deliveries`` and ``silence``: the alerts that fired, the
notifications of them in the outbox, and the silences that mute a watch."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click

from monitor.cli.edge import load, store_of
from monitor.cli.options import config_option
from monitor.cli.render.alerts import alert_text, alerts_table, deliveries_table, silences_table
from monitor.config import INDEX_LEVELS, LEVELS, parse_duration
from monitor.daemon.run import utc_now


@click.group("alerts", invoke_without_command=True)
@config_option
@click.option(
    "--state", type=click.Choice(["firing", "resolved", "merged"]), help="Only this state."
)
@click.option("--watch", "watch_name", help="Only this watch.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per alert.")
@click.pass_context
def alerts_command(
    context: click.Context,
    config_dir: Path,
    state: str | None,
    watch_name: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List alerts, newest first (``alerts show ID`` for one alert)."""
    context.obj = config_dir
    if context.invoked_subcommand is not None:
        return
    with store_of(config_dir) as store:
        alerts = store.list_alerts(state=state, watch=watch_name, limit=limit)
    if as_json:
        for alert in alerts:
            click.echo(json.dumps(alert, ensure_ascii=False))
    else:
        click.echo(alerts_table(alerts))


@alerts_command.command("show")
@click.argument("reference", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="The alert as one JSON object.")
@click.option(
    "--config",
    "show_config_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Config directory (also accepted before 'show').",
)
@click.pass_obj
def alerts_show(
    config_dir: Path, reference: str, as_json: bool, show_config_dir: Path | None
) -> None:
    """Show one alert with all its articles, their hits, and its deliveries.

    ID is the alert's number (``12`` or ``#12``, as notifications say "alert #12"
    and the webhook document's ``alert`` key has it) or the document's ``id``
    (``serbia-kosovo:article:45``).
    """
    with store_of(show_config_dir or config_dir) as store:
        alert_id = store.alert_id_of(reference)
        alert = None if alert_id is None else store.alert_detail(alert_id)
    if alert is None:
        raise click.ClickException(f"no alert {reference}")
    click.echo(json.dumps(alert, ensure_ascii=False) if as_json else alert_text(alert))


@click.group("deliveries", invoke_without_command=True)
@config_option
@click.option(
    "--status",
    "statuses",
    type=click.Choice(["pending", "dead", "silenced", "skipped", "sent"]),
    multiple=True,
    help="Only these statuses (default: pending and dead).",
)
@click.pass_context
def deliveries_command(context: click.Context, config_dir: Path, statuses: tuple[str, ...]) -> None:
    """List notifications waiting in the outbox or given up (``deliveries retry``)."""
    context.obj = config_dir
    if context.invoked_subcommand is not None:
        return
    with store_of(config_dir) as store:
        rows = store.list_deliveries(statuses or ("pending", "dead"))
    click.echo(deliveries_table(rows))


@deliveries_command.command("retry")
@click.pass_obj
def deliveries_retry(config_dir: Path) -> None:
    """Queue every dead delivery again; the next delivery pass sends them."""
    with store_of(config_dir) as store:
        count = store.retry_dead(utc_now())
    click.echo(f"{count} dead deliveries queued again")


@click.command("silence")
@config_option
@click.argument("target", required=False, metavar="[WATCH | list | expire ID]")
@click.argument("silence_id", required=False, type=int)
@click.option("--for", "duration", help="How long the silence lasts: 30m, 6h, 2d.")
@click.option("--reason", help="Why (required for a new silence).")
@click.option(
    "--level",
    type=click.Choice([*LEVELS, *INDEX_LEVELS]),
    help="Mute only this level of the watch.",
)
@click.option("--by", "created_by", envvar="USER", default="unknown", help="Who silences.")
@click.option("--all", "show_all", is_flag=True, help="With list: past silences too.")
def silence_command(
    config_dir: Path,
    target: str | None,
    silence_id: int | None,
    duration: str | None,
    reason: str | None,
    level: str | None,
    created_by: str,
    show_all: bool,
) -> None:
    """Mute a watch's notifications for a while, list silences, or end one.

    \b
    monitor silence WATCH --for 6h --reason "known exercise" [--level warning]
    monitor silence list [--all]
    monitor silence expire ID

    Alerts still open and update while silenced; their notifications are kept
    as "silenced" deliveries and never sent.
    """
    now = utc_now()
    with store_of(config_dir, create=target not in (None, "list")) as store:
        if target in (None, "list"):
            click.echo(silences_table(store.silences(now, include_past=show_all), now))
        elif target == "expire":
            if silence_id is None:
                raise click.UsageError("silence expire needs the ID of a silence")
            if not store.expire_silence(silence_id, now):
                raise click.ClickException(f"no silence {silence_id} in force")
            click.echo(f"silence {silence_id} expired")
        else:
            watches = [watch.name for watch in load(config_dir).watches]
            if target not in watches:
                raise click.UsageError(f"no watch named {target!r} (watches: {', '.join(watches)})")
            if not duration or not reason:
                raise click.UsageError("a new silence needs --for DURATION and --reason TEXT")
            try:
                seconds = parse_duration(duration)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--for") from exc
            until = now + timedelta(seconds=seconds)
            new_id = store.add_silence(
                watch=target, level=level, until=until, reason=reason,
                created_by=created_by, now=now,
            )  # fmt: skip
            what = f"{target} ({level} only)" if level else target
            click.echo(f"silence {new_id}: {what} muted until {until:%Y-%m-%d %H:%M} UTC")

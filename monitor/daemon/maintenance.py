"""Retention: pruning what is older than ``retention.articles``, and VACUUM on its schedule.

The daemon runs ``maintain`` about once an hour (``schedule_maintenance``);
``monitor db prune`` and ``monitor db vacuum`` run its two halves by hand.
When the last VACUUM ran is kept in the database, so restarts do not move
the schedule. Articles an alert points to are never pruned, and a pruned
article never comes back as new (the store keeps its dedup keys).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.config.models import RetentionSettings
from monitor.errors import MonitorError
from monitor.humanize import describe_age, describe_delay, describe_size
from monitor.store import PruneReport, Store, iso

if TYPE_CHECKING:
    from monitor.poll.runtime import Runtime

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class MaintenanceReport:
    """What one maintenance run did: the prune (if any) and the VACUUM sizes (if run)."""

    pruned: PruneReport | None = None
    vacuumed: tuple[int, int] | None = None


def horizon(settings: RetentionSettings, now: datetime) -> datetime | None:
    """The moment before which articles are pruned; ``None`` when they are kept forever."""
    if settings.articles is None:
        return None
    return now - timedelta(seconds=settings.articles)


def vacuum_due(settings: RetentionSettings, last: datetime | None, now: datetime) -> bool:
    """Whether the file should be vacuumed now (never vacuumed counts as due)."""
    if settings.vacuum_every is None:
        return False
    return last is None or (now - last).total_seconds() >= settings.vacuum_every


def prune(store: Store, age: float, now: datetime) -> PruneReport:
    """Prune what is older than ``age`` seconds (articles by when they were fetched); log it."""
    report = store.prune(now - timedelta(seconds=age), now)
    if report.removed_anything:
        log.info("retention: %s", prune_summary(report, age))
    return report


def vacuum(store: Store, now: datetime) -> tuple[int, int]:
    """VACUUM the database file and log its size before and after."""
    before, after = store.vacuum(now)
    log.info(
        "retention: vacuumed %s: %s -> %s", store.path, describe_size(before), describe_size(after)
    )
    return before, after


def maintain(store: Store, settings: RetentionSettings, now: datetime) -> MaintenanceReport:
    """Prune what is past the retention age, then VACUUM if it is due."""
    pruned = None if settings.articles is None else prune(store, settings.articles, now)
    due = vacuum_due(settings, store.last_vacuum_at(), now)
    return MaintenanceReport(pruned, vacuum(store, now) if due else None)


async def maintenance_job(runtime: Runtime) -> None:
    """The daemon's hourly job: ``maintain`` with the runtime's store, settings and clock.

    A failure (the file locked by another process for too long) is logged
    and tried again at the next run; it never reaches the scheduler.
    """
    try:
        maintain(runtime.store, runtime.config.settings.retention, runtime.clock())
    except MonitorError as exc:
        log.warning("retention: %s; trying again in %s", exc, describe_delay(PRUNE_EVERY_SECONDS))


def schedule_maintenance(scheduler: AsyncIOScheduler, runtime: Runtime, now: datetime) -> None:
    """Add the hourly ``maintenance_job`` to the scheduler, first a minute after ``now``."""
    scheduler.add_job(
        maintenance_job,
        "interval",
        args=[runtime],
        seconds=PRUNE_EVERY_SECONDS,
        id="retention",
        max_instances=1,
        coalesce=True,
        next_run_time=now + timedelta(minutes=1),
    )


def prune_summary(report: PruneReport, age: float) -> str:
    """``pruned 120 articles older than 180d; kept 3 in alerts`` and any other rows removed."""
    line = f"pruned {report.articles} articles older than {describe_age(age)}; "
    line += f"kept {report.kept} in alerts"
    others = [
        f"{count} {what}"
        for count, what in (
            (report.index_points, "index history points"),
            (report.deliveries, "notifications of resolved alerts"),
            (report.forgotten_keys, "keys of pruned articles no feed carries"),
        )
        if count
    ]
    if others:
        line += f"; also removed {', '.join(others)}"
    return line


def stats(store: Store, settings: RetentionSettings, now: datetime) -> dict[str, Any]:
    """The figures of ``monitor db stats``: the store's, what the next prune would
    remove (``None`` when articles are kept forever), and when VACUUM is next due."""
    figures = store.database_stats()
    before = horizon(settings, now)
    figures["retention"] = None if settings.articles is None else describe_age(settings.articles)
    figures["next_prune"] = None
    if before is not None:
        figures["next_prune"] = {"before": iso(before), **vars(store.prune_preview(before))}
    last = store.last_vacuum_at()
    figures["next_vacuum"] = None
    if settings.vacuum_every is not None:
        due = now if last is None else last + timedelta(seconds=settings.vacuum_every)
        figures["next_vacuum"] = iso(max(due, now))
    return figures

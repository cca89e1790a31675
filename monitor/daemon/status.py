"""The state of a monitor, as one JSON-ready document.

``monitor status`` prints it as text, ``monitor status --json`` and the
daemon's ``/status`` give it as JSON (a stable shape, ``monitor.status/1``).
It gathers what the database holds (feeds, tension indexes, the outbox, the
daemon's own record) and compares the config on disk with the one running.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from monitor import __version__
from monitor.config import Config, config_files, config_fingerprint, load_config
from monitor.errors import ConfigError
from monitor.store import DaemonRecord, Store, iso

SCHEMA = "monitor.status/1"


@dataclass(frozen=True)
class DiskConfig:
    """The config directory as it is on disk now: its fingerprint and its problems."""

    directory: Path
    fingerprint: str
    problems: tuple[str, ...] = ()  # empty: valid


def read_disk_config(
    directory: Path, own_environment: bool = True
) -> tuple[DiskConfig, Config | None]:
    """Load the config on disk; its state, and the config itself when it is valid.

    Without ``own_environment`` (a command reading the daemon's files from another
    shell), a variable this shell does not set is not counted as a problem of the files.
    """
    try:
        config = load_config(directory)
    except ConfigError as exc:
        problems = tuple(
            str(problem)
            for problem in exc.problems
            if own_environment or problem.unset_variable is None
        )
        return DiskConfig(directory, config_fingerprint(directory), problems), None
    return DiskConfig(directory, config.fingerprint), config


def daemon_running(record: DaemonRecord | None, now: datetime, stale_after: float) -> bool:
    """Whether the daemon's record says it runs: not stopped, and heard from recently."""
    return (
        record is not None
        and record.stopped_at is None
        and now - record.heartbeat_at <= timedelta(seconds=stale_after)
    )


def status_document(
    store: Store,
    disk: DiskConfig,
    watches: Sequence[str],
    now: datetime,
    stale_after: float,
) -> dict[str, Any]:
    """Everything ``monitor status`` shows, as plain JSON values.

    ``watches`` are the names of the watches to report on; ``stale_after`` is
    how long the daemon may go unheard before it counts as not running.
    """
    record = store.daemon_state()
    running = daemon_running(record, now, stale_after)
    indexes = []
    for watch in watches:
        state = store.index_state(watch)
        indexes.append(
            {
                "name": watch,
                "index": round(state.value, 2) if state else None,
                "level": state.level if state else None,
                "updated_at": iso(state.updated_at) if state else None,
            }
        )
    return {
        "schema": SCHEMA,
        "version": __version__,
        "generated_at": iso(now),
        "database": str(store.path),
        "daemon": _daemon(record, running),
        "config": _config(disk, record if running else None),
        "feeds": store.feed_status(now),
        "watches": indexes,
        "deliveries": store.delivery_counts(),
    }


def _daemon(record: DaemonRecord | None, running: bool) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "running": running,
        "pid": record.pid,
        "started_at": iso(record.started_at),
        "heartbeat_at": iso(record.heartbeat_at),
        "stopped_at": iso(record.stopped_at) if record.stopped_at else None,
        "last_cycle_at": iso(record.last_cycle_at) if record.last_cycle_at else None,
        "last_cycle": record.last_cycle,
    }


def _config(disk: DiskConfig, running: DaemonRecord | None) -> dict[str, Any]:
    return {
        "directory": str(disk.directory),
        "valid_on_disk": not disk.problems,
        "problems": list(disk.problems),
        "fingerprint_on_disk": disk.fingerprint,
        "fingerprint_running": running.config_fingerprint if running else None,
        # None when no daemon runs: there is nothing to compare with.
        "running_is_on_disk": (
            running.config_fingerprint == disk.fingerprint if running is not None else None
        ),
        "reload_error": running.config_error if running else None,
        "loaded_at_running": iso(running.config_loaded_at) if running else None,
        # The files edited since the daemon loaded its config: what "differ" means.
        "changed_since_loaded": _changed_since(disk.directory, running.config_loaded_at)
        if running is not None and running.config_fingerprint != disk.fingerprint
        else [],
    }


def _changed_since(directory: Path, moment: datetime) -> list[str]:
    """The config files of ``directory`` modified after ``moment``, relative to it."""
    changed = []
    for path in config_files(directory):
        try:
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=moment.tzinfo)
        except OSError:
            continue
        if modified > moment:
            changed.append(str(path.relative_to(directory)))
    return changed

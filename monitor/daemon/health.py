"""Whether the daemon is healthy: the rules ``/healthz`` applies, as pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from monitor.store import DaemonRecord


@dataclass
class DaemonState:
    """What the running daemon knows about itself (kept in memory, saved on every tick)."""

    pid: int
    started_at: datetime
    config_fingerprint: str
    config_loaded_at: datetime
    config_error: str | None = None
    cycle_started_at: datetime | None = None  # set while a cycle runs
    last_cycle_at: datetime | None = None
    last_cycle: str | None = None

    def record(self, now: datetime) -> DaemonRecord:
        """The record to save for other processes (``monitor status``)."""
        return DaemonRecord(
            pid=self.pid,
            started_at=self.started_at,
            heartbeat_at=now,
            config_fingerprint=self.config_fingerprint,
            config_loaded_at=self.config_loaded_at,
            config_error=self.config_error,
            last_cycle_at=self.last_cycle_at,
            last_cycle=self.last_cycle,
        )

    def stopped(self, now: datetime) -> DaemonRecord:
        """The record to save when the daemon exits cleanly."""
        return replace(self.record(now), stopped_at=now)


@dataclass(frozen=True)
class Health:
    """The outcome of the health checks: each check's name and ``"ok"`` or its problem."""

    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(result == "ok" for result in self.checks.values())


def check_health(
    state: DaemonState,
    *,
    scheduler_running: bool,
    database_error: str | None,
    now: datetime,
    stale_after: float,
) -> Health:
    """Judge the daemon: its scheduler runs, its database takes writes, and cycles progress.

    A cycle progresses when one finished, or the one running started, within
    ``stale_after`` seconds (the daemon's start counts until its first cycle).
    """
    progress = max(
        moment
        for moment in (state.started_at, state.last_cycle_at, state.cycle_started_at)
        if moment is not None
    )
    idle = (now - progress).total_seconds()
    cycle = "ok"
    if idle > stale_after:
        cycle = f"no poll cycle finished or started for {idle:.0f}s (limit {stale_after:.0f}s)"
    return Health(
        {
            "scheduler": "ok" if scheduler_running else "the scheduler is not running",
            "database": "ok" if database_error is None else f"not writable: {database_error}",
            "cycle": cycle,
        }
    )

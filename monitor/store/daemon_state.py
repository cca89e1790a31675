"""The running daemon's account of itself, for other processes to read."""

from __future__ import annotations

from datetime import datetime

from monitor.store.records import DaemonRecord, StoreBase, iso


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class DaemonMixin(StoreBase):
    """The running daemon's account of itself, for other processes to read."""

    def save_daemon_state(self, record: DaemonRecord) -> None:
        """Replace the daemon's record (there is one daemon per database)."""
        self.db.execute(
            """INSERT OR REPLACE INTO daemon_state (id, pid, started_at, heartbeat_at,
                 config_fingerprint, config_loaded_at, config_error, last_cycle_at, last_cycle,
                 stopped_at)
               VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                record.pid,
                iso(record.started_at),
                iso(record.heartbeat_at),
                record.config_fingerprint,
                iso(record.config_loaded_at),
                record.config_error,
                iso(record.last_cycle_at) if record.last_cycle_at else None,
                record.last_cycle,
                iso(record.stopped_at) if record.stopped_at else None,
            ],
        )

    def daemon_state(self) -> DaemonRecord | None:
        """The daemon's last record, if a daemon ever ran on this database."""
        rows = list(self.db.query("SELECT * FROM daemon_state WHERE id = 1"))
        if not rows:
            return None
        row = rows[0]
        return DaemonRecord(
            pid=row["pid"],
            started_at=datetime.fromisoformat(row["started_at"]),
            heartbeat_at=datetime.fromisoformat(row["heartbeat_at"]),
            config_fingerprint=row["config_fingerprint"],
            config_loaded_at=datetime.fromisoformat(row["config_loaded_at"]),
            config_error=row["config_error"],
            last_cycle_at=_moment(row["last_cycle_at"]),
            last_cycle=row["last_cycle"],
            stopped_at=_moment(row["stopped_at"]),
        )

    def touch_heartbeat(self, now: datetime) -> None:
        """Write the heartbeat time: a real write, so it fails when the database cannot take one."""
        with self.db.atomic():
            self.db.execute("UPDATE daemon_state SET heartbeat_at = ? WHERE id = 1", [iso(now)])

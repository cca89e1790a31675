"""The daemon: APScheduler drives the same cycle that ``monitor poll --once`` runs.

The scheduler holds no state: one short tick asks the store which feeds are
due, so a restart continues where the last run stopped. On SIGTERM or Ctrl-C
the daemon stops starting cycles, lets the cycle in flight finish (up to a
grace period), and closes the database. Database writes never span an
``await``, so even a cancelled cycle leaves no transaction half-written.

Saving a file in the config directory, or SIGHUP, reloads the config between
cycles; an invalid config is logged and the last good one keeps running. The
daemon serves ``/healthz``, ``/metrics`` and ``/status`` on ``http.listen``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import watchfiles
from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.alerts.outbox import DeliveryReport, deliver_due
from monitor.alerts.policy import channel_test_alert
from monitor.channels import build_channels
from monitor.config import Config, config_fingerprint, load_config
from monitor.daemon.health import DaemonState, Health, check_health
from monitor.daemon.logs import redact_also
from monitor.daemon.maintenance import schedule_maintenance
from monitor.daemon.server import HttpServer, make_app
from monitor.daemon.status import DiskConfig, read_disk_config, status_document
from monitor.errors import ConfigError, DeliveryError
from monitor.http import make_client
from monitor.poll.cycle import CycleReport, run_cycle
from monitor.poll.runtime import Runtime
from monitor.store import Store
from monitor.web.pages import WebContext

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 15.0


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


@asynccontextmanager
async def open_runtime(config: Config) -> AsyncIterator[Runtime]:
    """Open the database, the HTTP client and the channels; close them afterwards."""
    store = Store(config.database_path)
    client = _client(config)
    runtime: Runtime | None = None
    try:
        channels = build_channels(config.settings.channels, client, sys.stdout, journal=store)
        runtime = Runtime(
            config=config, store=store, client=client, channels=channels, clock=utc_now
        )
        try:
            yield runtime
        finally:
            runtime.close()
    finally:
        # A reload may have replaced the client the runtime started with.
        await (runtime.client if runtime else client).aclose()
        store.close()


def _client(config: Config) -> httpx.AsyncClient:
    poll = config.settings.poll
    return make_client(
        timeout=poll.timeout, max_redirects=poll.max_redirects, concurrency=poll.concurrency
    )


async def poll_once(config: Config) -> CycleReport:
    """Poll every active feed once, deliver what is due, and return the counts."""
    async with open_runtime(config) as runtime:
        return await run_cycle(runtime, all_feeds=True)


async def deliver_once(config: Config) -> DeliveryReport:
    """Send every delivery that is due, once, and return what happened."""
    async with open_runtime(config) as runtime:
        return await deliver_due(
            runtime.store,
            runtime.channels,
            config.settings.delivery,
            runtime.clock(),
            min_levels=config.settings.min_levels(),
            public_url=config.settings.http.public_url,
        )


async def send_test_alert(config: Config, name: str) -> str | None:
    """Send a test alert through channel ``name``; ``None`` or the channel's error."""
    async with open_runtime(config) as runtime:
        now = runtime.clock()
        alert = channel_test_alert(now)
        # Built without the store's journal: a test goes to every Apprise target each
        # time, however soon after another.
        channel = build_channels(
            {name: config.settings.channels[name]}, runtime.client, sys.stdout
        )[name]
        try:
            await channel.send(alert, f"{alert.key}:{name}")
        except DeliveryError as exc:
            return str(exc)
    return None


class Daemon:
    """One running daemon: its runtime, its scheduler, its HTTP server and what it knows."""

    def __init__(self, runtime: Runtime) -> None:
        now = utc_now()
        config = runtime.config
        self.runtime = runtime
        self.state = DaemonState(os.getpid(), now, config.fingerprint, now)
        self.cycle_lock = asyncio.Lock()
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.server: HttpServer | None = None
        self._rejected: DiskConfig | None = None  # the last invalid config seen on disk
        runtime.metrics.watch_store(runtime.store, lambda: [w.name for w in runtime.config.watches])

    # What the HTTP server asks (monitor.server.DaemonView).

    def health(self) -> Health:
        """Check the scheduler, a real write to the database, and recent cycles."""
        now = utc_now()
        database_error = None
        try:
            self.runtime.store.touch_heartbeat(now)
        except sqlite3.Error as exc:
            database_error = str(exc)
        return check_health(
            self.state,
            scheduler_running=self.scheduler.running and self.scheduler.get_job("poll") is not None,
            database_error=database_error,
            now=now,
            stale_after=self.runtime.config.settings.stale_after(),
        )

    def metrics(self) -> bytes:
        """Every metric, in Prometheus's text format."""
        return self.runtime.metrics.render()

    def status(self) -> dict[str, Any]:
        """The status document, as ``monitor status --json`` prints it."""
        config = self.runtime.config
        return status_document(
            self.runtime.store,
            self._disk_config(),
            [watch.name for watch in config.watches],
            utc_now(),
            config.settings.stale_after(),
        )

    def _disk_config(self) -> DiskConfig:
        directory = self.runtime.config.directory
        fingerprint = config_fingerprint(directory)
        if fingerprint == self.state.config_fingerprint:
            return DiskConfig(directory, fingerprint)
        if self._rejected is not None and self._rejected.fingerprint == fingerprint:
            return self._rejected
        return read_disk_config(directory)[0]

    # The daemon's own work.

    def save_state(self) -> None:
        """Write what the daemon knows about itself where ``monitor status`` reads it."""
        self.runtime.store.save_daemon_state(self.state.record(utc_now()))

    async def tick(self) -> None:
        """Run one poll cycle (the scheduler calls this every ``poll.tick``)."""
        if self.cycle_lock.locked():
            return  # a cycle or a reload is running: the next tick polls
        async with self.cycle_lock:
            self.state.cycle_started_at = utc_now()
            started = time.perf_counter()
            try:
                report = await run_cycle(self.runtime)
            finally:
                self.state.cycle_started_at = None
            metrics, now = self.runtime.metrics, utc_now()
            metrics.cycles.inc()
            metrics.cycle_seconds.observe(time.perf_counter() - started)
            metrics.last_cycle.set(now.timestamp())
            self.state.last_cycle_at, self.state.last_cycle = now, report.summary()
            self.save_state()
            if report.polled or report.deliveries.sent or report.deliveries.retrying:
                log.info("cycle: %s", report.summary())

    async def reload(self, reason: str) -> None:
        """Load the config on disk and run it from the next cycle on, if it is valid.

        An invalid config is logged once (its first problem, with file, line and
        field) and the running one stays.
        """
        async with self.cycle_lock:
            directory = self.runtime.config.directory
            await _settled(directory)
            try:
                config = load_config(directory)
            except ConfigError as exc:
                self._reject(directory, exc, reason)
                return
            self._rejected = None
            if config.fingerprint == self.state.config_fingerprint and not self.state.config_error:
                if reason == "SIGHUP":
                    log.info("config: SIGHUP: the config on disk is the one running")
                return
            await self._apply(config, reason)

    def _reject(self, directory: Path, error: ConfigError, reason: str) -> None:
        problems = tuple(str(problem) for problem in error.problems)
        rejected = DiskConfig(directory, config_fingerprint(directory), problems)
        if self._rejected == rejected and reason != "SIGHUP":
            return  # this very config was reported already
        self._rejected = rejected
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        log.error("config: reload failed, keeping the running config: %s%s", problems[0], more)
        self.state.config_error = problems[0]
        self.runtime.metrics.reloads.labels("failed").inc()
        self.runtime.metrics.config_ok.set(0)
        self.save_state()

    async def _apply(self, config: Config, reason: str) -> None:
        runtime, old = self.runtime, self.runtime.config
        redact_also(config.secrets)
        if config.database_path != old.database_path:
            log.warning(
                "config: database changes from %s to %s only after a restart",
                old.database_path,
                config.database_path,
            )
            config = _keep_database(config, old)
        old_client = runtime.client
        runtime.client = _client(config)
        runtime.channels = build_channels(
            config.settings.channels, runtime.client, sys.stdout, journal=runtime.store
        )
        runtime.config = config
        runtime.feeds_synced = False  # added feeds are polled, removed ones stop
        runtime.close()  # worker processes start again with the new poll.workers
        await old_client.aclose()
        if config.settings.poll.tick != old.settings.poll.tick:
            self.scheduler.reschedule_job(
                "poll", trigger="interval", seconds=config.settings.poll.tick
            )
        if config.settings.http.address() != old.settings.http.address():
            await self.stop_server()
            self.start_server()
        now = utc_now()
        self.state.config_fingerprint, self.state.config_loaded_at = config.fingerprint, now
        self.state.config_error = None
        self.runtime.metrics.reloads.labels("ok").inc()
        self.runtime.metrics.config_ok.set(1)
        self.save_state()
        log.info(
            "config: reloaded (%s): %d feeds, %d watches",
            reason,
            len(config.feeds),
            len(config.watches),
        )

    def start_server(self) -> None:
        """Serve /healthz, /metrics and /status, unless ``http.listen`` is null."""
        address = self.runtime.config.settings.http.address()
        if address is not None:
            runtime = self.runtime
            web = WebContext(runtime.store.path, lambda: runtime.config.watches, utc_now)
            server = HttpServer(make_app(self, web), *address)
            self.server = server if server.start() else None

    async def stop_server(self) -> None:
        """Stop serving."""
        if self.server is not None:
            await self.server.stop()
            self.server = None

    async def watch_config(self) -> None:
        """Reload whenever a file in the config directory changes."""
        directory = self.runtime.config.directory
        try:
            async for _ in watchfiles.awatch(directory):
                await self.reload("file changed")
        except (OSError, RuntimeError) as exc:
            log.error(
                "config: cannot watch %s for changes (%s); send SIGHUP to reload", directory, exc
            )


async def _settled(directory: Path, pause: float = 0.3, tries: int = 10) -> None:
    """Wait until the config directory stops changing (an editor may still be writing)."""
    fingerprint = config_fingerprint(directory)
    for _ in range(tries):
        await asyncio.sleep(pause)
        fingerprint, before = config_fingerprint(directory), fingerprint
        if fingerprint == before:
            return


def _keep_database(config: Config, old: Config) -> Config:
    settings = config.settings.model_copy(update={"database": old.settings.database})
    return replace(config, settings=settings)


async def run_daemon(config: Config) -> None:
    """Run cycles on the schedule until SIGTERM or SIGINT; reload on edits and SIGHUP."""
    async with open_runtime(config) as runtime:
        daemon = Daemon(runtime)
        daemon.save_state()

        def on_job_error(event: JobExecutionEvent) -> None:
            log.error("job=%s failed: %r", event.job_id, event.exception)

        scheduler = daemon.scheduler
        scheduler.add_listener(on_job_error, EVENT_JOB_ERROR)
        scheduler.add_job(
            daemon.tick,
            "interval",
            seconds=config.settings.poll.tick,
            id="poll",
            max_instances=2,  # no warning for a tick during a long cycle: tick() skips it
            coalesce=True,
            next_run_time=utc_now(),
            misfire_grace_time=None,
        )
        schedule_maintenance(scheduler, runtime, utc_now())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        tasks: set[asyncio.Task[None]] = set()

        def on_sighup() -> None:
            task = asyncio.create_task(daemon.reload("SIGHUP"))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        loop.add_signal_handler(signal.SIGHUP, on_sighup)
        log.info(
            "monitor started: %d feeds, %d watches, database %s, config %s",
            len(config.feeds),
            len(config.watches),
            config.database_path,
            config.directory,
        )
        daemon.start_server()
        watcher = asyncio.create_task(daemon.watch_config())
        scheduler.start()
        try:
            await stop.wait()
            log.info("stopping: waiting for the cycle in flight to finish")
            scheduler.pause()
            watcher.cancel()
            try:
                async with asyncio.timeout(SHUTDOWN_GRACE_SECONDS):
                    await daemon.cycle_lock.acquire()
            except TimeoutError:
                log.warning("cycle still running after %gs; cancelling it", SHUTDOWN_GRACE_SECONDS)
        finally:
            scheduler.shutdown(wait=False)
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(signum)
            watcher.cancel()
            with suppress(asyncio.CancelledError):
                await watcher
            await daemon.stop_server()
            with suppress(sqlite3.Error):
                runtime.store.save_daemon_state(daemon.state.stopped(utc_now()))
        log.info("monitor stopped")

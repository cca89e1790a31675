"""The daemon: APScheduler drives the same cycle that ``monitor poll --once`` runs.

The scheduler holds no state: one short tick asks the store which feeds are
due, so a restart continues where the last run stopped. On SIGTERM or Ctrl-C
the daemon stops starting cycles, lets the cycle in flight finish (up to a
grace period), and closes the database. Database writes never span an
``await``, so even a cancelled cycle leaves no transaction half-written.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.channels import build_channels
from monitor.config import Config
from monitor.decide import channel_test_payload
from monitor.deliver import DeliveryReport, deliver_due
from monitor.errors import DeliveryError
from monitor.fetch import FetchLimits, make_client
from monitor.pipeline import CycleReport, Runtime, run_cycle
from monitor.retention import schedule_maintenance
from monitor.store import Store

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 15.0


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


@asynccontextmanager
async def open_runtime(config: Config) -> AsyncIterator[Runtime]:
    """Open the database, the HTTP client and the channels; close them afterwards."""
    poll = config.settings.poll
    store = Store(config.database_path)
    client = make_client(
        FetchLimits(poll.timeout, poll.max_bytes, poll.max_redirects), poll.concurrency
    )
    try:
        channels = build_channels(config.settings.channels, client, sys.stdout)
        runtime = Runtime(
            config=config, store=store, client=client, channels=channels, clock=utc_now
        )
        try:
            yield runtime
        finally:
            runtime.close()
    finally:
        await client.aclose()
        store.close()


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
        )


async def send_test_alert(config: Config, name: str) -> str | None:
    """Send a test alert through channel ``name``; ``None`` or the channel's error."""
    async with open_runtime(config) as runtime:
        now = runtime.clock()
        payload = channel_test_payload(now)
        try:
            await runtime.channels[name].send(payload, f"{payload['id']}:{name}")
        except DeliveryError as exc:
            return str(exc)
    return None


async def run_daemon(config: Config) -> None:
    """Run cycles on the schedule until SIGTERM or SIGINT."""
    async with open_runtime(config) as runtime:
        cycle_lock = asyncio.Lock()

        async def tick() -> None:
            async with cycle_lock:
                report = await run_cycle(runtime)
                if report.polled or report.deliveries.sent or report.deliveries.retrying:
                    log.info("cycle: %s", report.summary())

        def on_job_error(event: JobExecutionEvent) -> None:
            log.error("job=%s failed: %r", event.job_id, event.exception)

        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_listener(on_job_error, EVENT_JOB_ERROR)
        scheduler.add_job(
            tick,
            "interval",
            seconds=config.settings.poll.tick,
            id="poll",
            max_instances=1,
            coalesce=True,
            next_run_time=utc_now(),
            misfire_grace_time=None,
        )
        schedule_maintenance(scheduler, runtime, utc_now())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        log.info(
            "monitor started: %d feeds, %d watches, database %s",
            len(config.feeds),
            len(config.watches),
            config.database_path,
        )
        scheduler.start()
        try:
            await stop.wait()
            log.info("stopping: waiting for the cycle in flight to finish")
            scheduler.pause()
            try:
                async with asyncio.timeout(SHUTDOWN_GRACE_SECONDS):
                    await cycle_lock.acquire()
            except TimeoutError:
                log.warning("cycle still running after %gs; cancelling it", SHUTDOWN_GRACE_SECONDS)
        finally:
            scheduler.shutdown(wait=False)
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
        log.info("monitor stopped")

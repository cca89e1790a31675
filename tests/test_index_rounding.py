"""The tension index reads the same in the log and in its alert (issue #15: 364.5 and 364.53)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from conftest import ConfigDir, WebhookReceiver

from monitor.config import load_config
from monitor.daemon.run import open_runtime
from monitor.poll.cycle import run_cycle
from monitor.store import Store
from monitor.store.records import IndexState


def test_the_log_and_the_alert_give_the_index_with_one_rounding(
    config_dir: ConfigDir, webhook: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    path = config_dir.write(
        [],
        channels={"team": {"type": "webhook", "url": webhook.url("/hook")}},
        watch_channels=["team"],
        alert_on="[index:elevated]",
    )
    now = datetime(2026, 11, 3, 21, 0, tzinfo=UTC)
    config = load_config(path)
    store = Store(config.database_path)
    store.save_index_state("serbia-kosovo", IndexState(364.5349, now))
    store.close()

    async def cycle() -> None:
        async with open_runtime(config) as runtime:
            runtime.clock = lambda: now
            await run_cycle(runtime, all_feeds=True)

    with caplog.at_level(logging.INFO, logger="monitor"):
        asyncio.run(cycle())

    (payload,) = webhook.payloads
    assert (payload["kind"], payload["index"]) == ("index", 364.53)
    logged = [r.getMessage() for r in caplog.records if "tension index" in r.getMessage()]
    assert logged == ["watch=serbia-kosovo tension index 364.53: level none -> severe"]

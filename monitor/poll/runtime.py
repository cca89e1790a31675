"""What a poll cycle works with, held by the daemon between cycles."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from monitor.alerts.stories import Backgrounds
from monitor.channels import Channel
from monitor.config import Config, WatchConfig
from monitor.models import FetchResult
from monitor.poll.metrics import Metrics
from monitor.poll.workers import ParserPool, PreparedFeed
from monitor.store import Store


@dataclass
class Runtime:
    """What a cycle works with: config, database, network, channels, time and the parsers."""

    config: Config
    store: Store
    client: httpx.AsyncClient
    channels: dict[str, Channel]
    clock: Callable[[], datetime]
    rng: random.Random = field(default_factory=random.Random)
    feeds_synced: bool = False
    metrics: Metrics = field(default_factory=Metrics)
    parsers: ParserPool = field(default_factory=ParserPool)
    backgrounds: Backgrounds = field(default_factory=Backgrounds)  # story grouping's

    @property
    def watches(self) -> dict[str, WatchConfig]:
        """The configured watches by name."""
        return {watch.name: watch for watch in self.config.watches}

    async def prepare(self, result: FetchResult) -> PreparedFeed | Exception:
        """Parse, normalize and score a fetched feed with the running watches, in a
        worker process; its error as a value."""
        return await self.parsers.prepare(result, self.config)

    def close(self) -> None:
        """Stop the worker processes, if any."""
        self.parsers.close()

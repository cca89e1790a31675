"""The one place that knows the order of the stages.

fetch -> parse -> normalize -> store (dedup) -> score -> decide -> store,
then deliver. A feed's failure is data: it is recorded on the feed, logged in
one line and backed off; it never reaches the scheduler or stops other feeds.
A feed that moved permanently (301/308) is fetched from its new URL from then
on; one that answered 410 Gone is not polled again until its feeds.yaml entry
changes or ``monitor feeds enable`` is run.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from monitor.alerts.outbox import DeliveryReport, deliver_due
from monitor.alerts.policy import trigger
from monitor.alerts.state import (
    add_to_index,
    alert_story,
    refresh_story,
    update_indexes,
    update_spikes,
    update_system,
)
from monitor.backoff import next_poll_at
from monitor.channels import Channel
from monitor.config import Config, FeedConfig, WatchConfig
from monitor.errors import ParseError
from monitor.humanize import describe_delay
from monitor.models import Article, FeedState, FetchResult, Score
from monitor.poll.metrics import Metrics
from monitor.reader.fetch import FetchLimits, fetch_feed
from monitor.reader.normalize import feed_title, normalize
from monitor.reader.parse import parse_feed
from monitor.rules.compile import Matcher, compile_watches
from monitor.rules.score import score
from monitor.store import FeedSpec, PollRecord, Store

log = logging.getLogger(__name__)

GONE = 410


@dataclass
class CycleReport:
    """Counts of one poll cycle, for the summary line and for tests."""

    polled: int = 0
    updated: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    alerts: int = 0
    deliveries: DeliveryReport = field(default_factory=DeliveryReport)
    waiting: int = 0  # notifications queued for later (group_wait, retries, digests)

    def summary(self) -> str:
        """One line a person can read."""
        line = (
            f"polled {self.polled} feeds: {self.updated} updated, "
            f"{self.not_modified} not modified, {self.failed} failed; "
            f"{self.new_articles} new articles; {self.alerts} alerts"
        )
        report = self.deliveries
        if report.sent or report.retrying or report.dead:
            line += f"; deliveries: {report.sent} sent"
            if report.retrying:
                line += f", {report.retrying} to retry"
            if report.dead:
                line += f", {report.dead} given up"
        if self.waiting:
            line += f"; {self.waiting} notifications waiting to be sent"
        return line


@dataclass(frozen=True)
class PreparedFeed:
    """A fetched feed, parsed, normalized and scored: what the store step needs.

    ``scores`` holds each article's scores against every watch; it is empty
    when the feed was prepared without a matcher, and an article missing from
    it is scored when it is stored.
    """

    title: str | None
    error: str | None
    articles: tuple[Article, ...]
    scores: Mapping[Article, tuple[Score, ...]] = field(default_factory=dict)


def prepare_feed(result: FetchResult, matcher: Matcher | None = None) -> PreparedFeed:
    """Parse and normalize a fetched feed, and score it with ``matcher``; or raise ``ParseError``.

    This is most of a cycle's CPU time, and pure, so it may run in a worker
    process. Every entry is scored, new or not: which ones are new is known
    only when they are stored.
    """
    parsed = parse_feed(result)
    articles = tuple(normalize(entry, result.url) for entry in parsed.entries)
    scores = {} if matcher is None else {a: tuple(score(a, matcher)) for a in articles}
    return PreparedFeed(feed_title(parsed.title), parsed.error, articles, scores)


def exit_with_parent(parent: int) -> None:
    """Make this worker process end within a second once process ``parent`` is gone.

    A daemon killed with SIGKILL cannot stop its workers, and a worker waiting
    for work never learns on its own that nobody will send any: it would stay
    forever, and keep multiprocessing's resource tracker alive too.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


# The matcher of this worker process, compiled once by ``_start_worker``: a
# ProcessPoolExecutor passes state to its workers only through an initializer.
_worker_matcher: Matcher | None = None


def _start_worker(watches: tuple[WatchConfig, ...], parent: int) -> None:
    """Compile the running watches once, in a new worker process that ends with ``parent``."""
    global _worker_matcher
    exit_with_parent(parent)
    _worker_matcher = compile_watches(watches)


def _prepare_in_worker(result: FetchResult) -> PreparedFeed:
    """``prepare_feed`` with the matcher this worker compiled."""
    return prepare_feed(result, _worker_matcher)


@dataclass
class Runtime:
    """What a cycle works with: config, database, network, channels and time."""

    config: Config
    store: Store
    client: httpx.AsyncClient
    channels: dict[str, Channel]
    clock: Callable[[], datetime]
    rng: random.Random = field(default_factory=random.Random)
    feeds_synced: bool = False
    metrics: Metrics = field(default_factory=Metrics)
    _executor: ProcessPoolExecutor | None = None
    _executor_matcher: Matcher | None = None  # the matcher its workers compiled

    @property
    def watches(self) -> dict[str, WatchConfig]:
        """The configured watches by name."""
        return {watch.name: watch for watch in self.config.watches}

    async def prepare(self, result: FetchResult) -> PreparedFeed | Exception:
        """``prepare_feed`` in a worker process (``poll.workers``), its error as a value.

        The workers score with the running watches: a pool started for another
        config (before a reload) is replaced first.
        """
        config = self.config
        try:
            if config.settings.poll.workers == 0:
                return prepare_feed(result, config.matcher)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool(config), _prepare_in_worker, result)
        except BrokenProcessPool:
            # A worker died (out of memory, a crash in a C extension): start
            # afresh on the next feed; this one is retried after its backoff.
            self.close()
            return ParseError("the parser process died while reading this feed")
        except Exception as exc:
            return exc

    def _pool(self, config: Config) -> ProcessPoolExecutor:
        """The worker processes, started for ``config``'s watches on first use."""
        if self._executor is not None and self._executor_matcher is not config.matcher:
            self.close()
        if self._executor is None:
            # "spawn": a fresh interpreter, not a fork of this threaded one.
            self._executor = ProcessPoolExecutor(
                config.settings.poll.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(config.watches, os.getpid()),
            )
            self._executor_matcher = config.matcher
        return self._executor

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
            self._executor_matcher = None


async def run_cycle(runtime: Runtime, *, all_feeds: bool = False) -> CycleReport:
    """Poll the feeds that are due (every active feed with ``all_feeds``), then deliver."""
    config, store = runtime.config, runtime.store
    now = runtime.clock()
    if not runtime.feeds_synced:
        sync_feeds(store, config, now)
        runtime.feeds_synced = True
    feeds = store.active_feeds(None if all_feeds else now)
    poll = config.settings.poll
    limits = FetchLimits(poll.timeout, poll.max_bytes, poll.max_redirects)
    configured = {feed.url: feed for feed in config.feeds}
    gate = asyncio.Semaphore(poll.concurrency)

    async def fetch(feed: FeedState) -> tuple[FeedState, FetchResult, Prepared]:
        own = configured.get(feed.url)
        headers, timeout = (own.headers, own.timeout) if own is not None else (None, None)
        async with gate:
            started = time.perf_counter()
            result = await fetch_feed(
                runtime.client, feed, limits, runtime.clock(), headers, timeout
            )
            runtime.metrics.fetch_seconds.observe(time.perf_counter() - started)
        if result.status_code is not None:
            runtime.metrics.http_responses.labels(str(result.status_code)).inc()
        prepared = None
        if result.outcome == "ok":
            started = time.perf_counter()
            prepared = await runtime.prepare(result)
            runtime.metrics.parse_seconds.observe(time.perf_counter() - started)
        return feed, result, prepared

    report = CycleReport()
    for next_done in asyncio.as_completed([fetch(feed) for feed in feeds]):
        feed, result, prepared = await next_done
        process_result(runtime, feed, result, prepared, report)
        # Let the fetches in flight read what arrived before the next feed is stored.
        await asyncio.sleep(0)
    with store.transaction():
        report.alerts += update_indexes(store, config.watches, runtime.clock())
        report.alerts += update_spikes(store, config.watches, runtime.clock())
        report.alerts += update_system(
            store, config.settings.system, config.settings.system_channels(), runtime.clock()
        )
    report.deliveries = await deliver_due(
        store,
        runtime.channels,
        config.settings.delivery,
        runtime.clock(),
        runtime.rng,
        config.settings.min_levels(),
    )
    report.waiting = store.delivery_counts().get("pending", 0)
    return report


Prepared = PreparedFeed | Exception | None


def feed_spec(feed: FeedConfig, default_interval: float) -> FeedSpec:
    """What the store keeps of a feeds.yaml entry, with a fingerprint of the whole entry."""
    fingerprint = hashlib.sha256(feed.model_dump_json().encode()).hexdigest()[:16]
    return FeedSpec(
        feed.url, feed.name, feed.interval or default_interval, feed.enabled, fingerprint
    )


def sync_feeds(store: Store, config: Config, now: datetime) -> None:
    """Make the store's feeds match feeds.yaml, logging feeds renamed or polled again."""
    sync = store.sync_feeds(
        [feed_spec(feed, config.settings.poll.interval) for feed in config.feeds], now
    )
    for old, new in sync.renamed:
        log.info("feed=%s is the new URL of %s in feeds.yaml; its history is kept", new, old)
    for url in sync.revived:
        log.info("feed=%s polled again: its entry in feeds.yaml changed since 410 Gone", url)


def process_result(
    runtime: Runtime,
    feed: FeedState,
    result: FetchResult,
    prepared: Prepared,
    report: CycleReport,
) -> None:
    """Store, score and decide on one fetched and prepared feed, in one transaction."""
    report.polled += 1
    now = runtime.clock()
    outcome = "error"
    try:
        if isinstance(prepared, Exception):
            raise prepared
        if result.outcome == "error" and result.status_code == GONE:
            _record_gone(runtime, feed, result, now)
            report.failed += 1
        elif result.outcome == "error":
            _record_failure(runtime, feed, result.error or "unknown error", result, now)
            report.failed += 1
        elif result.outcome == "not_modified":
            _record_success(runtime, feed, result, None, None, now)
            report.not_modified += 1
            outcome = "not_modified"
        elif prepared is not None:
            new_articles, alerts = _store_feed(runtime, feed, result, prepared, now)
            report.updated += 1
            report.new_articles += new_articles
            report.alerts += alerts
            outcome = "ok"
    except ParseError as exc:
        _record_failure(runtime, feed, str(exc), result, now)
        report.failed += 1
    except Exception as exc:
        # A bug must cost one feed one poll, not the daemon.
        log.exception("feed=%s unexpected error while processing", feed.url)
        _record_failure(runtime, feed, f"internal error: {type(exc).__name__}: {exc}", result, now)
        report.failed += 1
    runtime.metrics.polls.labels(outcome).inc()


def _store_feed(
    runtime: Runtime, feed: FeedState, result: FetchResult, parsed: PreparedFeed, now: datetime
) -> tuple[int, int]:
    articles = parsed.articles
    matcher, watches, store = runtime.config.matcher, runtime.watches, runtime.store
    alerts = 0
    with store.transaction():
        # First, so that the feed's title is known when an alert names its sources.
        _record_success(runtime, feed, result, parsed.title, parsed.error, now)
        stored, resighted = store.insert_articles(feed.id, articles, now)
        for item in stored:
            scores = parsed.scores.get(item.article)
            if scores is None:
                scores = tuple(score(item.article, matcher))
            verdicts = [trigger(result, watches[result.watch]) for result in scores]
            store.insert_scores(item.id, scores, now, [verdict.reason for verdict in verdicts])
            runtime.metrics.count_scores(scores)
            for article_score, verdict in zip(scores, verdicts, strict=True):
                watch = watches[article_score.watch]
                add_to_index(store, watch, article_score, now)
                if verdict.ok:
                    alerts += alert_story(store, watch, item, article_score, now)
        for article_id in resighted:
            for alert in store.alerts_with_article(article_id):
                watch = watches[alert["watch"]]
                update = refresh_story(store, watch, alert["id"], alert["level"], None, now)
                alerts += update.event is not None
    runtime.metrics.articles.inc(len(stored))
    if parsed.error:
        log.info(
            "feed=%s malformed but used (%d entries): %s", feed.url, len(articles), parsed.error
        )
    return len(stored), alerts


def _record_success(
    runtime: Runtime,
    feed: FeedState,
    result: FetchResult,
    title: str | None,
    error: str | None,
    now: datetime,
) -> None:
    poll = runtime.config.settings.poll
    if feed.consecutive_errors:
        log.info("feed=%s recovered after %d failed polls", feed.url, feed.consecutive_errors)
    if result.moved_to is not None and result.moved_to != feed.fetch_url:
        # RFC 9110 §15.4.2/§15.4.9: future requests should use the new URL.
        moved_to = None if result.moved_to == feed.url else result.moved_to
        runtime.store.move_feed(feed.id, moved_to)
        log.info(
            "feed=%s moved permanently to %s; polling the new URL from now on",
            feed.url,
            result.moved_to,
        )
    runtime.store.record_poll(
        feed.id,
        PollRecord(
            status=result.outcome,
            status_code=result.status_code,
            etag=result.etag,
            last_modified=result.last_modified,
            title=title,
            consecutive_errors=0,
            next_poll_at=next_poll_at(
                now,
                interval=feed.interval,
                consecutive_errors=0,
                retry_after=None,
                max_backoff=poll.max_backoff,
                jitter=poll.jitter,
                rng=runtime.rng,
            ),
            error=error,
        ),
        now,
    )


def _record_failure(
    runtime: Runtime, feed: FeedState, error: str, result: FetchResult, now: datetime
) -> None:
    poll = runtime.config.settings.poll
    errors = feed.consecutive_errors + 1
    due = next_poll_at(
        now,
        interval=feed.interval,
        consecutive_errors=errors,
        retry_after=result.retry_after,
        max_backoff=poll.max_backoff,
        jitter=poll.jitter,
        rng=runtime.rng,
    )
    log.warning(
        "feed=%s poll failed: %s; next attempt in %s (%d failed in a row)",
        feed.url,
        error,
        describe_delay((due - now).total_seconds()),
        errors,
    )
    runtime.store.record_poll(feed.id, _failed_poll(feed, result, due, error[:1000]), now)


def _failed_poll(
    feed: FeedState, result: FetchResult, next_poll: datetime, error: str | None
) -> PollRecord:
    """What to remember of a failed poll: the validators kept, one more error in a row."""
    return PollRecord(
        status="error",
        status_code=result.status_code,
        etag=feed.etag,
        last_modified=feed.last_modified,
        title=None,
        consecutive_errors=feed.consecutive_errors + 1,
        next_poll_at=next_poll,
        error=error,
    )


def _record_gone(runtime: Runtime, feed: FeedState, result: FetchResult, now: datetime) -> None:
    """A 410 says the feed is gone for good (RFC 9110 §15.5.11): stop polling it."""
    log.warning(
        "feed=%s answered 410 Gone: no longer polled until its entry in feeds.yaml changes "
        "or 'monitor feeds enable %s' is run",
        feed.url,
        feed.url,
    )
    with runtime.store.transaction():
        runtime.store.record_poll(feed.id, _failed_poll(feed, result, now, result.error), now)
        runtime.store.mark_gone(feed.id, now)

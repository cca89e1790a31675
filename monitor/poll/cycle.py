"""The one place that knows the order of the stages.

fetch -> parse -> normalize -> score (``workers``) -> store (dedup) -> alert
policy -> store, then deliver. A feed's failure is data: it is recorded on the
feed, logged in one line and backed off (``feeds``); it never reaches the
scheduler or stops other feeds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from monitor.alerts.outbox import DeliveryReport, deliver_due
from monitor.alerts.policy import trigger
from monitor.alerts.state import add_to_index, update_indexes, update_spikes, update_system
from monitor.alerts.stories import alert_story, refresh_story, resolve_stories
from monitor.errors import ParseError
from monitor.language import detect_language, load_model, model_loaded
from monitor.models import FeedState, FetchResult
from monitor.poll.feeds import record_failure, record_gone, record_success, sync_feeds
from monitor.poll.runtime import Runtime
from monitor.poll.workers import PreparedFeed
from monitor.reader.fetch import FetchLimits, fetch_feed
from monitor.rules.score import score
from monitor.store import Store, StoredArticle

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
        if _needs_language_model(prepared, runtime):
            # About a second, once per process: in a thread, while the loop goes on.
            await asyncio.to_thread(load_model)
        process_result(runtime, feed, result, prepared, report)
        # Let the fetches in flight read what arrived before the next feed is stored.
        await asyncio.sleep(0)
    with store.transaction():
        report.alerts += update_indexes(store, config.watches, runtime.clock())
        report.alerts += update_spikes(store, config.watches, runtime.clock())
        report.alerts += resolve_stories(store, config.watches, runtime.clock())
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
        public_url=config.settings.http.public_url,
    )
    report.waiting = store.delivery_counts().get("pending", 0)
    return report


Prepared = PreparedFeed | Exception | None


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
            record_gone(runtime, feed, result, now)
            report.failed += 1
        elif result.outcome == "error":
            record_failure(runtime, feed, result.error or "unknown error", result, now)
            report.failed += 1
        elif result.outcome == "not_modified":
            record_success(runtime, feed, result, None, None, now)
            report.not_modified += 1
            outcome = "not_modified"
        elif prepared is not None:
            new_articles, alerts = _store_feed(runtime, feed, result, prepared, now)
            report.updated += 1
            report.new_articles += new_articles
            report.alerts += alerts
            outcome = "ok"
    except ParseError as exc:
        record_failure(runtime, feed, str(exc), result, now)
        report.failed += 1
    except Exception as exc:
        # A bug must cost one feed one poll, not the daemon.
        log.exception("feed=%s unexpected error while processing", feed.url)
        record_failure(runtime, feed, f"internal error: {type(exc).__name__}: {exc}", result, now)
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
        record_success(runtime, feed, result, parsed.title, parsed.error, now)
        stored, resighted = store.insert_articles(feed.id, articles, now)
        for item in stored:
            scores = parsed.scores.get(item.article)
            if scores is None:
                scores = tuple(score(item.article, matcher))
            verdicts = [trigger(result, watches[result.watch]) for result in scores]
            if item.article.language is None and any(verdict.ok for verdict in verdicts):
                _detect_language(store, item)  # once, before its story names its languages
            store.insert_scores(item.id, scores, now, [verdict.reason for verdict in verdicts])
            runtime.metrics.count_scores(scores)
            for article_score, verdict in zip(scores, verdicts, strict=True):
                watch = watches[article_score.watch]
                if verdict.ok:  # the story counts in the index, once
                    alerts += alert_story(
                        store, watch, item, article_score, now, runtime.backgrounds
                    )
                else:
                    add_to_index(store, watch, article_score, now)
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


def _needs_language_model(prepared: Prepared, runtime: Runtime) -> bool:
    """Whether a prepared feed has an article of no declared language that reaches its
    watch's alert level (so it may join a story, which names its languages), and the
    model that detects one is not loaded yet."""
    if not isinstance(prepared, PreparedFeed) or model_loaded():
        return False
    undeclared = [article for article in prepared.articles if article.language is None]
    if undeclared and not prepared.scores:
        return True  # scored only when stored
    watches = runtime.watches
    return any(
        trigger(result, watches[result.watch]).ok
        for article in undeclared
        for result in prepared.scores.get(article, ())
    )


def _detect_language(store: Store, item: StoredArticle) -> None:
    """Detect and record the language of a new article whose feed declared none."""
    language = detect_language(item.article.title, item.article.summary)
    if language is not None:
        store.set_languages([(item.id, language)])

"""A feed's rows in the store: made to match feeds.yaml, and updated after every poll.

A failed poll is data: it is recorded on the feed (``last_error``, one more
consecutive error), logged in one line and backed off (``backoff``). A feed
that moved permanently (301/308) is fetched from its new URL from then on;
one that answered 410 Gone is not polled again until its feeds.yaml entry
changes or ``monitor feeds enable`` is run.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from monitor.backoff import next_poll_at
from monitor.config import Config, FeedConfig
from monitor.humanize import describe_delay
from monitor.models import FeedState, FetchResult
from monitor.poll.runtime import Runtime
from monitor.store import FeedSpec, PollRecord, Store

log = logging.getLogger(__name__)


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


def record_success(
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


def record_failure(
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


def record_gone(runtime: Runtime, feed: FeedState, result: FetchResult, now: datetime) -> None:
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

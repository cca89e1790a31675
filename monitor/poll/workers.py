"""Parsing, normalizing and scoring fetched feeds, in worker processes.

This is most of a cycle's CPU time, and pure (``prepare_feed``), so it runs in
a pool of ``poll.workers`` processes started with "spawn", each compiling the
running watches once. A worker whose daemon is gone (killed with SIGKILL)
exits within a second.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from monitor.config import Config, WatchConfig
from monitor.errors import ParseError
from monitor.models import Article, FetchResult, Score
from monitor.reader.normalize import feed_title, normalize
from monitor.reader.parse import parse_feed
from monitor.rules.compile import Matcher, compile_watches
from monitor.rules.score import score


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


class ParserPool:
    """The worker processes (``poll.workers``) that parse, normalize and score fetched feeds.

    Each worker compiles the running watches once; a pool started for another
    config (before a reload) is replaced first. A worker that dies costs its
    feed one poll, and the pool is started afresh.
    """

    def __init__(self) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self._matcher: Matcher | None = None  # the matcher its workers compiled

    async def prepare(self, result: FetchResult, config: Config) -> PreparedFeed | Exception:
        """``prepare_feed`` in a worker process (in this one with ``poll.workers: 0``),
        its error as a value."""
        if config.settings.poll.workers == 0:
            try:
                return prepare_feed(result, config.matcher)
            except Exception as exc:
                return exc
        try:
            loop = asyncio.get_running_loop()
            work = loop.run_in_executor(self._pool(config), _prepare_in_worker, result)
        except (BrokenProcessPool, OSError, RuntimeError):
            # A pool whose worker died may refuse work outright (its wake-up
            # pipe closed, or shut down): the same as a death in the work.
            return self._died()
        try:
            return await work
        except BrokenProcessPool:
            return self._died()
        except Exception as exc:
            return exc

    def _died(self) -> ParseError:
        """A worker died (out of memory, a crash in a C extension): start afresh on the
        next feed; this one is retried after its backoff."""
        self.close()
        return ParseError("the parser process died while reading this feed")

    def _pool(self, config: Config) -> ProcessPoolExecutor:
        """The worker processes, started for ``config``'s watches on first use."""
        if self.executor is not None and self._matcher is not config.matcher:
            self.close()
        if self.executor is None:
            # "spawn": a fresh interpreter, not a fork of this threaded one.
            self.executor = ProcessPoolExecutor(
                config.settings.poll.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(config.watches, os.getpid()),
            )
            self._matcher = config.matcher
        return self.executor

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None
            self._matcher = None

"""Benchmark: monitor's poller against a naive sequential ``feedparser.parse(url)`` loop.

Run on demand (pytest does not collect this file)::

    uv run python tests/bench/bench_poll.py              # 500 feeds x 20 entries, 50 ms
    uv run python tests/bench/bench_poll.py --feeds 50   # a quick smoke run

A feed server on 127.0.0.1 serves ``--feeds`` distinct RSS feeds of
``--entries`` items each and waits ``--delay`` seconds before every response,
304s included; it supports ``ETag`` / ``If-None-Match``. It runs in a child
process, so its threads do not compete for the GIL with the code being timed.

In the same run the benchmark measures:

* the baseline: a sequential loop of ``feedparser.parse(url)`` over every feed,
  which downloads every body every time (no conditional GET);
* for each ``--concurrency`` value, on a fresh database: one full cycle of
  ``monitor.daemon.run.poll_once`` (fetch, parse, normalize, store, score, decide,
  deliver) and a second cycle, in which every feed answers 304.

Each monitor cycle is reported as a ratio against the baseline (how many times
faster), next to the issue's targets: 10x for the first cycle, 50x for the
second. The articles stored in SQLite are counted after each cycle to show the
work was done. Alerts go to the console channel, whose output is captured and
counted rather than printed. The exit status is 1 if a cycle did not do the
expected work (a performance miss alone does not fail the run).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import hashlib
import io
import math
import multiprocessing
import pstats
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import feedparser
import yaml

from monitor.config import load_config
from monitor.daemon.run import poll_once
from monitor.poll.cycle import CycleReport

REPO = Path(__file__).resolve().parents[2]
SHIPPED_WATCH = REPO / "config" / "watches" / "serbia-kosovo.yaml"

FIRST_CYCLE_TARGET = 10.0
SECOND_CYCLE_TARGET = 50.0
# One entry in this many is written to reach the watch's warning level, so the
# alert path (decide, outbox, console delivery) runs too, but rarely.
ALERT_EVERY = 200
# Publication dates count back from this fixed moment, so every run serves the same bytes.
EPOCH = 1_714_550_400.0  # 2024-05-01T08:00:00Z

# In scope for the Serbia-Kosovo watch (actors and places), but calm: trade,
# talks, daily life. Some sentences carry calm terms ("dialogue", "agreement")
# that lower the score.
CALM_SENTENCES = (
    "Negotiators from Serbia and Kosovo met in Brussels to go through customs rules "
    "for freight at the Merdare crossing.",
    "Officials in Belgrade and Pristina said the dialogue on energy supply and grid "
    "fees would continue next month.",
    "Traders in Mitrovica reported busier markets after a new bus line opened between "
    "the town and Novi Pazar.",
    "The EU envoy said the technical talks on vehicle plates and diploma recognition "
    "made modest progress this week.",
    "Farmers near Raška expect a good raspberry harvest and steady exports to Kosovo "
    "and the wider region.",
    "A trade fair in Pristina drew companies from Serbia, Albania and North Macedonia "
    "looking for new suppliers.",
    "Both delegations signed an agreement on sharing data about rail timetables and "
    "cross-border passenger services.",
    "Local councils around Gazivode discussed water management and tourism projects "
    "for the summer season.",
)
TENSE_SENTENCE = (
    "Clashes broke out near the Ibar bridge in Mitrovica; police used tear gas and "
    "several people were injured after gunfire was reported."
)


# --- The feeds --------------------------------------------------------------------------


def feed_path(index: int) -> str:
    """The URL path of feed number ``index``."""
    return f"/feeds/{index:04d}.xml"


def entry_text(feed: int, entry: int) -> tuple[str, str]:
    """Return the title and the HTML summary of one entry, unique across all feeds."""
    position = feed * 7 + entry
    first = CALM_SENTENCES[position % len(CALM_SENTENCES)]
    second = CALM_SENTENCES[(position * 3 + 1) % len(CALM_SENTENCES)]
    if (feed * 31 + entry) % ALERT_EVERY == 0:
        second = TENSE_SENTENCE
    title = f"Outlet {feed} report {entry}: Serbia and Kosovo trade and talks update"
    summary = (
        f"<p>{first}</p><p>{second}</p>"
        f"<p>Filed by the <b>outlet {feed}</b> desk as report {entry} of the day.</p>"
    )
    return title, summary


def feed_body(feed: int, entries: int) -> bytes:
    """Build feed number ``feed``: an RSS 2.0 document of ``entries`` distinct items."""
    items = []
    for entry in range(entries):
        title, summary = entry_text(feed, entry)
        published = formatdate(EPOCH - feed * 60 - entry * 3600, usegmt=True)
        items.append(
            "<item>"
            f"<title>{escape(title)}</title>"
            f"<link>https://outlet{feed}.example.org/news/{entry}/story.html</link>"
            f'<guid isPermaLink="false">outlet-{feed}-story-{entry}</guid>'
            f"<pubDate>{published}</pubDate>"
            f"<description>{escape(summary)}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Outlet {feed}</title><link>https://outlet{feed}.example.org/</link>"
        f"<description>Benchmark feed {feed}</description>{''.join(items)}"
        "</channel></rss>"
    ).encode()


# --- The feed server (runs in a child process) ------------------------------------------


@dataclass(frozen=True)
class FeedDocument:
    """One served feed: its body and its ETag."""

    body: bytes
    etag: str


class FeedServer(ThreadingHTTPServer):
    """A thread per connection; enough backlog for hundreds of connections at once."""

    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, documents: dict[str, FeedDocument], delay: float) -> None:
        self.documents = documents
        self.delay = delay
        super().__init__(("127.0.0.1", 0), FeedHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that close a kept-alive connection; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FeedHandler(BaseHTTPRequestHandler):
    """Answers GET after ``delay`` seconds: 200 with the feed, or 304 if the ETag matches."""

    protocol_version = "HTTP/1.1"  # keep-alive, for the clients that use it
    disable_nagle_algorithm = True  # no 40 ms Nagle / delayed-ACK stalls on kept-alive sockets
    server: FeedServer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: one log line per request would swamp the benchmark's output."""

    def do_GET(self) -> None:
        """Serve one feed, ``delay`` seconds late."""
        time.sleep(self.server.delay)
        document = self.server.documents.get(self.path.split("?")[0])
        if document is None:
            self._send(404, b"not found", {"Content-Type": "text/plain"})
        elif self.headers.get("If-None-Match") == document.etag:
            self._send(304, b"", {"ETag": document.etag})
        else:
            headers = {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": document.etag}
            self._send(200, document.body, headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


def serve_feeds(feeds: int, entries: int, delay: float, port_out: Connection) -> None:
    """Child process: build the feeds, report the port through ``port_out``, serve forever."""
    documents = {}
    for index in range(feeds):
        body = feed_body(index, entries)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        documents[feed_path(index)] = FeedDocument(body, etag)
    server = FeedServer(documents, delay)
    port_out.send(server.server_address[1])
    port_out.close()
    server.serve_forever()


@contextlib.contextmanager
def feed_server(feeds: int, entries: int, delay: float) -> Iterator[str]:
    """Run the feed server in a child process; yield its base URL."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=serve_feeds, args=(feeds, entries, delay, send), name="bench-feed-server"
    )
    process.daemon = True
    process.start()
    send.close()
    try:
        if not receive.poll(60):
            raise RuntimeError("the feed server did not start within 60 s")
        try:
            port = receive.recv()
        except EOFError:
            raise RuntimeError("the feed server exited before it was ready") from None
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.join(10)


# --- The measurements -------------------------------------------------------------------


@dataclass(frozen=True)
class NaiveRun:
    """The baseline: a sequential ``feedparser.parse(url)`` over every feed."""

    seconds: float
    cpu_seconds: float
    entries: int
    failures: int


@dataclass(frozen=True)
class Cycle:
    """One timed monitor cycle and what it left in the database."""

    seconds: float
    cpu_seconds: float
    report: CycleReport
    articles: int
    alerts_printed: int


@dataclass(frozen=True)
class MonitorRun:
    """Two consecutive cycles at one concurrency, on a fresh database."""

    concurrency: int
    first: Cycle
    second: Cycle


def run_naive(urls: Sequence[str]) -> NaiveRun:
    """Time the naive loop: every feed fetched and parsed in turn, full body each time."""
    entries = failures = 0
    cpu = time.process_time()
    start = time.perf_counter()
    for url in urls:
        parsed = feedparser.parse(url)
        if parsed.get("status") != 200 or parsed.get("bozo"):
            failures += 1
        entries += len(parsed.entries)
    seconds = time.perf_counter() - start
    return NaiveRun(seconds, time.process_time() - cpu, entries, failures)


def write_config(directory: Path, urls: Sequence[str], concurrency: int) -> Path:
    """Write a config directory polling ``urls``, with a database of its own."""
    config = directory / "config"
    (config / "watches").mkdir(parents=True)
    settings = {
        "database": str(directory / "data" / "monitor.db"),
        "poll": {"concurrency": concurrency, "jitter": 0},
        "channels": {"console": {"type": "console"}},
    }
    (config / "monitor.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    feeds = {"feeds": [{"url": url} for url in urls]}
    (config / "feeds.yaml").write_text(yaml.safe_dump(feeds), encoding="utf-8")
    watch = SHIPPED_WATCH.read_text(encoding="utf-8")
    (config / "watches" / SHIPPED_WATCH.name).write_text(watch, encoding="utf-8")
    return config


def count_rows(database: Path, table: str) -> int:
    """Count the rows of one table, read straight from the SQLite file."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(count)


def timed_cycle(config_dir: Path, profiler: cProfile.Profile | None = None) -> Cycle:
    """Run ``poll_once`` once, timed, with the console channel's alerts captured."""
    config = load_config(config_dir)
    console = io.StringIO()
    with contextlib.redirect_stdout(console):
        if profiler is not None:
            profiler.enable()
        cpu = time.process_time()
        start = time.perf_counter()
        report = asyncio.run(poll_once(config))
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu
        if profiler is not None:
            profiler.disable()
    return Cycle(
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        report=report,
        articles=count_rows(config.database_path, "articles"),
        alerts_printed=console.getvalue().count("\n\n"),
    )


def run_monitor(workdir: Path, urls: Sequence[str], concurrency: int) -> MonitorRun:
    """Run two cycles of monitor's poller at ``concurrency`` on a fresh database."""
    config_dir = write_config(workdir / f"concurrency-{concurrency}", urls, concurrency)
    first = timed_cycle(config_dir)
    second = timed_cycle(config_dir)
    return MonitorRun(concurrency, first, second)


def profile_cycles(workdir: Path, urls: Sequence[str], concurrency: int, top: int = 20) -> None:
    """Profile both cycles of an extra run on a fresh database and print where the time goes."""
    config_dir = write_config(workdir / f"profile-{concurrency}", urls, concurrency)
    for number in (1, 2):
        profiler = cProfile.Profile()
        cycle = timed_cycle(config_dir, profiler)
        print(
            f"\ncProfile of cycle {number} at concurrency {concurrency}: {cycle.seconds:.2f} s "
            "with the profiler on (an extra run, not part of the table above)"
        )
        for order in ("tottime", "cumulative"):
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream)
            stats.strip_dirs().sort_stats(order).print_stats(top)
            print(f"--- top {top} by {order} ---")
            print(stream.getvalue().split("\n\n", 1)[-1].strip("\n"))


# --- The report -------------------------------------------------------------------------


def verdict(ratio: float, target: float) -> str:
    """PASS when ``ratio`` reaches ``target``."""
    return "PASS" if ratio >= target else "MISS"


def check_work(run: MonitorRun, feeds: int, entries: int) -> list[str]:
    """Return what a monitor run failed to do: every article stored once, then all 304."""
    expected = feeds * entries
    problems = []
    first, second = run.first, run.second
    label = f"concurrency {run.concurrency}"
    if (first.report.updated, first.report.failed) != (feeds, 0):
        problems.append(
            f"{label} cycle 1: {first.report.updated} updated, {first.report.failed} failed"
        )
    if first.articles != expected or first.report.new_articles != expected:
        problems.append(f"{label} cycle 1: {first.articles} articles stored, expected {expected}")
    if (second.report.not_modified, second.report.failed) != (feeds, 0):
        problems.append(
            f"{label} cycle 2: {second.report.not_modified} not modified, "
            f"{second.report.failed} failed; expected {feeds} not modified"
        )
    if second.report.new_articles or second.articles != expected:
        problems.append(f"{label} cycle 2: stored {second.report.new_articles} new articles")
    return problems


def print_report(args: argparse.Namespace, naive: NaiveRun, runs: Sequence[MonitorRun]) -> None:
    """Print the results table, the latency arithmetic behind the ratios, and the CPU share."""
    header = (
        f"{'run':<24} {'seconds':>8} {'cpu s':>6} {'vs naive':>9} {'target':>7} {'result':>6} "
        f"{'200':>5} {'304':>5} {'new':>7} {'stored':>7} {'alerts':>6}"
    )
    print(header)
    print("-" * len(header))
    print(
        f"{'naive feedparser loop':<24} {naive.seconds:>8.2f} {naive.cpu_seconds:>6.2f} "
        f"{'1.0x':>9} {'-':>7} {'-':>6} {args.feeds - naive.failures:>5} {0:>5} "
        f"{naive.entries:>7} {'-':>7} {'-':>6}"
    )
    for run in runs:
        for number, cycle, target in (
            (1, run.first, FIRST_CYCLE_TARGET),
            (2, run.second, SECOND_CYCLE_TARGET),
        ):
            ratio = naive.seconds / cycle.seconds
            report = cycle.report
            print(
                f"{f'monitor c={run.concurrency} cycle {number}':<24} {cycle.seconds:>8.2f} "
                f"{cycle.cpu_seconds:>6.2f} {f'{ratio:.1f}x':>9} {f'>={target:g}x':>7} "
                f"{verdict(ratio, target):>6} {report.updated:>5} {report.not_modified:>5} "
                f"{report.new_articles:>7} {cycle.articles:>7} {report.alerts:>6}"
            )
    print(
        "\n'vs naive' = naive seconds / cycle seconds: how many times faster than the baseline\n"
        "  measured in this run. 'cpu s' = CPU time of this process (the feed server runs in\n"
        "  another one). '200' = feeds fetched in full (naive: parsed without error),\n"
        "  '304' = feeds not modified, 'new' = articles new in the cycle (naive: entries\n"
        "  parsed), 'stored' = rows in the articles table after the cycle."
    )

    delay_ms = args.delay * 1000
    naive_floor = args.feeds * args.delay
    print(
        f"\nLatency arithmetic ({args.feeds} feeds, {delay_ms:g} ms per response):\n"
        f"  naive loop floor: {args.feeds} x {delay_ms:g} ms = {naive_floor:.2f} s "
        f"(measured {naive.seconds:.2f} s; the rest is feedparser and connection setup)"
    )
    for run in runs:
        floor = math.ceil(args.feeds / run.concurrency) * args.delay
        print(
            f"  concurrency {run.concurrency}: at most {run.concurrency} requests in flight, so "
            f"any cycle, even all 304, takes >= {args.feeds}/{run.concurrency} x {delay_ms:g} ms "
            f"= {floor:.2f} s;\n    best possible ratio vs this baseline = "
            f"{naive.seconds:.2f} / {floor:.2f} = {naive.seconds / floor:.1f}x "
            f"(cycle 1 took {run.first.seconds / floor:.1f}x that floor, "
            f"cycle 2 {run.second.seconds / floor:.1f}x)"
        )
    needed = math.ceil(SECOND_CYCLE_TARGET * args.feeds * args.delay / naive.seconds)
    print(
        f"  so {SECOND_CYCLE_TARGET:g}x on the 304 cycle needs concurrency >= "
        f"{args.feeds} x {delay_ms:g} ms x {SECOND_CYCLE_TARGET:g} / {naive.seconds:.2f} s "
        f"= {needed} (where latency alone would use the whole budget), and the whole cycle,\n"
        f"  CPU included, within {naive.seconds:.2f} / {SECOND_CYCLE_TARGET:g} = "
        f"{naive.seconds / SECOND_CYCLE_TARGET:.2f} s."
    )

    budget = naive.seconds / FIRST_CYCLE_TARGET
    print(
        f"\nCPU: storing runs on the event loop's thread, parsing and scoring in the\n"
        f"  poll.workers processes ('cpu s' counts this process only); {FIRST_CYCLE_TARGET:g}x on "
        f"cycle 1 leaves "
        f"{budget:.2f} s, i.e. {budget / args.feeds * 1000:.1f} ms per feed in all."
    )
    for run in runs:
        first = run.first
        print(
            f"  concurrency {run.concurrency}, cycle 1: {first.cpu_seconds:.2f} s CPU in "
            f"{first.seconds:.2f} s ({first.cpu_seconds / first.seconds:.0%} busy), "
            f"{first.cpu_seconds / args.feeds * 1000:.1f} ms CPU per feed"
        )
    for run in runs:
        printed = run.first.alerts_printed + run.second.alerts_printed
        opened = run.first.report.alerts + run.second.report.alerts
        print(
            f"\nconcurrency {run.concurrency}: {opened} alerts opened, {printed} printed on the "
            f"console channel (captured, not shown)\n  cycle 1: {run.first.report.summary()}"
            f"\n  cycle 2: {run.second.report.summary()}"
        )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark monitor's poller against a naive sequential feedparser loop."
    )
    parser.add_argument("--feeds", type=int, default=500, help="feeds served (default 500)")
    parser.add_argument("--entries", type=int, default=20, help="items per feed (default 20)")
    parser.add_argument(
        "--delay", type=float, default=0.05, help="seconds before each response (default 0.05)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[10, 50],
        help="monitor poll.concurrency values to run, each on a fresh database (default 10 50)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile both cycles of one extra run (highest concurrency) with cProfile",
    )
    args = parser.parse_args(argv)
    if args.feeds < 1 or args.entries < 1 or args.delay < 0:
        parser.error("--feeds and --entries must be >= 1 and --delay >= 0")
    if any(not 1 <= value <= 500 for value in args.concurrency):
        parser.error("--concurrency values must be between 1 and 500 (monitor's limit)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return 1 if a monitor cycle did not do the expected work."""
    args = parse_args(argv)
    print(
        f"monitor poller benchmark: {args.feeds} feeds x {args.entries} entries, "
        f"{args.delay * 1000:g} ms per response, on 127.0.0.1 "
        f"(Python {sys.version.split()[0]}, feedparser {feedparser.__version__})",
        flush=True,
    )
    with (
        feed_server(args.feeds, args.entries, args.delay) as base_url,
        tempfile.TemporaryDirectory(prefix="monitor-bench-") as temp,
    ):
        urls = [base_url + feed_path(index) for index in range(args.feeds)]
        workdir = Path(temp)
        print("running the naive feedparser loop ...", flush=True)
        naive = run_naive(urls)
        runs = []
        for concurrency in args.concurrency:
            print(f"running monitor at concurrency {concurrency} ...", flush=True)
            runs.append(run_monitor(workdir, urls, concurrency))
        print()
        print_report(args, naive, runs)
        if args.profile:
            profile_cycles(workdir, urls, max(args.concurrency))
    problems = [problem for run in runs for problem in check_work(run, args.feeds, args.entries)]
    if naive.entries != args.feeds * args.entries or naive.failures:
        problems.append(f"naive loop: {naive.entries} entries, {naive.failures} feeds failed")
    print("\nwork check: " + ("OK" if not problems else "FAILED"))
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: one machine polling 2,000 feeds, some slow, some failing, some dripping.

Run on demand (pytest does not collect this file)::

    uv run python tests/bench/bench_scale.py                   # 2,000 feeds, ~3 min
    uv run python tests/bench/bench_scale.py --feeds 200 --concurrency 50   # a smoke run

A feed server in a child process serves ``--feeds`` RSS feeds of ``--entries``
items on 127.0.0.1 (the documents of ``bench_poll``). Each feed has a plan,
drawn from ``--seed``: a latency between 10 and 500 ms before every response
(304s included); 5% of the feeds fail (an HTTP 500, a connection reset, or a
200 whose body is not a feed); 10% drip their body a few bytes at a time over
``--drip`` seconds, so that some finish inside monitor's total fetch deadline
(``poll.timeout``, 20 s by default) and some do not.

For each ``--concurrency`` value, a fresh process (the monitor process) runs two
cycles of ``monitor.daemon.run.poll_once`` on a fresh database with the shipped
defaults otherwise: the first stores and scores every entry, the second gets
mostly 304s. A thread in that process samples ``/proc`` every 50 ms for the
process and its parser workers (``poll.workers``): resident memory (VmRSS and
the kernel's high-water mark VmHWM, reset before each cycle) and CPU time.

Reported per cycle, against the issue's targets (a cycle under 60 s, peak RSS
under 300 MB): wall and CPU seconds, peak RSS, feeds fetched / not modified /
failed, articles stored, and whether every feed is next due on time (polled in
the cycle, not due again before the cycle ended, and due again no later than
one interval, or its backoff, after its poll). The feed server's own record
shows how long the dripping responses lasted before monitor hung up. The exit
status is 1 if a cycle did not do the expected work; a MISS alone does not
fail the run.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import math
import multiprocessing
import os
import random
import socket
import sqlite3
import struct
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal

from bench_poll import Cycle, feed_body, feed_path, profile_cycles, timed_cycle
from bench_poll import write_config as write_poll_config

from monitor.config.models import PollSettings

CYCLE_TARGET_SECONDS = 60.0
RSS_TARGET_MB = 300.0
FAILING_SHARE = 0.05
DRIPPING_SHARE = 0.10
LATENCY_RANGE = (0.010, 0.500)
DRIP_CHUNK_BYTES = 64
SAMPLE_SECONDS = 0.05
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

Kind = Literal["ok", "http-500", "reset", "malformed", "drip"]
FAILING_KINDS: tuple[Kind, ...] = ("http-500", "reset", "malformed")
# Bodies served with a 200 that are not feeds: a maintenance page, and a feed cut short.
MALFORMED_BODIES = (
    b"<!DOCTYPE html><html><head><title>Down for maintenance</title></head>"
    b"<body><p>We will be back shortly.</p></body></html>",
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Outl',
)


# --- The plan: what each feed does ---------------------------------------------------


@dataclass(frozen=True)
class FeedPlan:
    """How one feed behaves: its latency, and whether it fails or drips."""

    latency: float
    kind: Kind = "ok"
    drip_seconds: float = 0.0


def plan_feeds(feeds: int, seed: int, drip: tuple[float, float]) -> list[FeedPlan]:
    """Draw every feed's plan from ``seed``; the same arguments give the same plans."""
    rng = random.Random(seed)
    order = list(range(feeds))
    rng.shuffle(order)
    failing = round(feeds * FAILING_SHARE)
    dripping = round(feeds * DRIPPING_SHARE)
    plans = [FeedPlan(rng.uniform(*LATENCY_RANGE)) for _ in range(feeds)]
    for rank, index in enumerate(order[: failing + dripping]):
        latency = plans[index].latency
        if rank < failing:
            plans[index] = FeedPlan(latency, FAILING_KINDS[rank % len(FAILING_KINDS)])
        else:
            plans[index] = FeedPlan(latency, "drip", rng.uniform(*drip))
    return plans


# --- The feed server (runs in a child process) ---------------------------------------


@dataclass(frozen=True)
class Document:
    """One served feed: its plan, body and ETag."""

    plan: FeedPlan
    body: bytes
    etag: str


class ScaleServer(ThreadingHTTPServer):
    """A thread per connection; remembers how each dripping response ended."""

    daemon_threads = True
    request_queue_size = 4096

    def __init__(self, documents: dict[str, Document]) -> None:
        self.documents = documents
        self.drips: list[dict[str, Any]] = []
        super().__init__(("127.0.0.1", 0), ScaleHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hang up (monitor's deadline does that); report anything else."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class ScaleHandler(BaseHTTPRequestHandler):
    """Serves each feed according to its plan; ``/stats`` returns the drip record."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: ScaleServer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: thousands of log lines would swamp the benchmark's output."""

    def do_GET(self) -> None:
        """Answer after the feed's latency: fail, drip, 304 or 200, as its plan says."""
        started = time.monotonic()
        if self.path == "/stats":
            drips, self.server.drips = self.server.drips, []
            self._send(200, json.dumps(drips).encode(), {"Content-Type": "application/json"})
            return
        document = self.server.documents.get(self.path)
        if document is None:
            self._send(404, b"not found", {"Content-Type": "text/plain"})
            return
        plan = document.plan
        time.sleep(plan.latency)
        if plan.kind == "reset":
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif plan.kind == "http-500":
            self._send(500, b"internal error", {"Content-Type": "text/plain"})
        elif self.headers.get("If-None-Match") == document.etag:
            self._send(304, b"", {"ETag": document.etag})
        elif plan.kind == "drip":
            self._drip(document, started)
        else:
            headers = {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": document.etag}
            self._send(200, document.body, headers)

    def _drip(self, document: Document, started: float) -> None:
        """Send the feed ``DRIP_CHUNK_BYTES`` at a time, spread over its drip time."""
        body = document.body
        chunks = math.ceil(len(body) / DRIP_CHUNK_BYTES)
        pause = document.plan.drip_seconds / chunks
        completed = False
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", document.etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            for offset in range(0, len(body), DRIP_CHUNK_BYTES):
                time.sleep(pause)
                self.wfile.write(body[offset : offset + DRIP_CHUNK_BYTES])
                self.wfile.flush()
            completed = True
        except OSError:
            self.close_connection = True  # monitor gave up and closed the connection
        self.server.drips.append(
            {
                "planned": document.plan.latency + document.plan.drip_seconds,
                "lasted": time.monotonic() - started,
                "completed": completed,
            }
        )

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


def serve_feeds(plans: list[FeedPlan], entries: int, port_out: Connection) -> None:
    """Child process: build the feeds, report the port through ``port_out``, serve forever."""
    documents = {}
    for index, plan in enumerate(plans):
        if plan.kind == "malformed":
            body = MALFORMED_BODIES[index % len(MALFORMED_BODIES)]
        else:
            body = feed_body(index, entries)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        documents[feed_path(index)] = Document(plan, body, etag)
    server = ScaleServer(documents)
    port_out.send(server.server_address[1])
    port_out.close()
    server.serve_forever()


@contextlib.contextmanager
def feed_server(plans: list[FeedPlan], entries: int) -> Iterator[tuple[str, int]]:
    """Run the feed server in a child process; yield its base URL and process id."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=serve_feeds, args=(plans, entries, send), name="bench-scale-feed-server"
    )
    process.daemon = True
    process.start()
    send.close()
    try:
        if not receive.poll(120):
            raise RuntimeError("the feed server did not start within 120 s")
        yield f"http://127.0.0.1:{receive.recv()}", process.pid or 0
    finally:
        process.terminate()
        process.join(10)


# --- Measuring the monitor process and its workers -----------------------------------


def _status_kb(pid: int, key: str) -> int:
    """A ``/proc/<pid>/status`` field in kB (0 once the process is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds ``pid`` has used so far (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _children(pid: int) -> dict[int, float]:
    """The live child processes of ``pid`` and the CPU seconds each has used so far."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found[int(entry.name)] = cpu_seconds(int(entry.name))
    return found


@dataclass
class Usage:
    """Memory and worker CPU of one cycle, from ``/proc``."""

    peak_sampled_mb: float = 0.0  # the largest sum of VmRSS seen in one sample
    main_hwm_mb: float = 0.0  # the monitor process's VmHWM (reset before the cycle)
    worker_hwm_mb: dict[int, float] = field(default_factory=dict)
    worker_cpu: dict[int, float] = field(default_factory=dict)

    @property
    def peak_mb(self) -> float:
        """Sum of the high-water marks: an upper bound of the whole tree's peak RSS."""
        return self.main_hwm_mb + sum(self.worker_hwm_mb.values())


class Sampler(threading.Thread):
    """Samples this process and its children every ``SAMPLE_SECONDS``."""

    def __init__(self) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.usage = Usage()
        self._earlier: set[int] = set()  # children from before the cycle (a last cycle's workers)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self._stop_event.wait(SAMPLE_SECONDS):
            self.sample()

    def sample(self) -> None:
        """Record RSS and high-water marks of the process tree, and the workers' CPU."""
        pid = os.getpid()
        workers = {
            child: cpu for child, cpu in _children(pid).items() if child not in self._earlier
        }
        rss = _status_kb(pid, "VmRSS") + sum(_status_kb(child, "VmRSS") for child in workers)
        with self._lock:
            usage = self.usage
            usage.peak_sampled_mb = max(usage.peak_sampled_mb, rss / 1024)
            usage.main_hwm_mb = _status_kb(pid, "VmHWM") / 1024
            for child, cpu in workers.items():
                hwm = _status_kb(child, "VmHWM") / 1024
                usage.worker_hwm_mb[child] = max(usage.worker_hwm_mb.get(child, 0.0), hwm)
                usage.worker_cpu[child] = cpu

    def restart(self) -> None:
        """Start a new cycle's record; reset this process's VmHWM if the kernel allows."""
        with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # "5" resets the peak RSS (Linux 4.0+)
        with self._lock:
            self.usage = Usage()
            self._earlier = set(_children(os.getpid()))
        self.sample()

    def collect(self) -> Usage:
        """Take a last sample and return the cycle's record."""
        self.sample()
        with self._lock:
            return self.usage

    def stop(self) -> None:
        """Stop sampling."""
        self._stop_event.set()


# --- The schedule after a cycle ------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """Where the feeds table puts every feed's next poll after a cycle."""

    feeds: int
    on_time: int
    late: list[str]  # feed URLs that missed, with why
    healthy_due_after: tuple[float, float]  # next due of healthy feeds, seconds after cycle end
    backed_off: int  # failing feeds, due after their backoff


def parse_time(value: str) -> datetime:
    """An ISO time from the store, as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check_schedule(database: Path, start: datetime, end: datetime, poll: PollSettings) -> Schedule:
    """Check every feed was polled in the cycle and is next due within its interval (or backoff).

    The benchmark's config has no jitter, so a healthy feed is due exactly one
    interval after its poll and a failing one ``interval * 2**errors`` (capped).
    """
    start = start.replace(microsecond=0)  # the store keeps whole seconds
    late: list[str] = []
    healthy: list[float] = []
    backed_off = 0
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT url, interval, consecutive_errors, last_polled_at, next_poll_at FROM feeds"
        ).fetchall()
    for row in rows:
        polled = parse_time(row["last_polled_at"]) if row["last_polled_at"] else None
        due = parse_time(row["next_poll_at"])
        errors = row["consecutive_errors"]
        delay = row["interval"]
        if errors:
            delay = min(delay * 2 ** min(errors, 32), max(poll.max_backoff, delay))
            backed_off += 1
        if polled is None or polled < start:
            late.append(f"{row['url']}: not polled in the cycle")
        elif due <= end:
            late.append(f"{row['url']}: due again at {due:%H:%M:%S}, before the cycle ended")
        elif due > polled + timedelta(seconds=delay + 1):
            late.append(f"{row['url']}: next due {due - polled} after its poll, over {delay:g} s")
        elif not errors:
            healthy.append((due - end).total_seconds())
    return Schedule(
        feeds=len(rows),
        on_time=len(rows) - len(late),
        late=late,
        healthy_due_after=(min(healthy, default=0.0), max(healthy, default=0.0)),
        backed_off=backed_off,
    )


def failure_kinds(database: Path) -> Counter[str]:
    """Count the failed feeds by their error, up to its first colon."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        errors = db.execute("SELECT last_error FROM feeds WHERE last_status = 'error'").fetchall()
    kinds: Counter[str] = Counter()
    for (error,) in errors:
        kinds[str(error).split(":")[0]] += 1
    return kinds


# --- One run: a fresh monitor process, two cycles ------------------------------------


@dataclass(frozen=True)
class ScaleCycle:
    """One timed cycle with its memory, worker CPU, schedule check and drip record."""

    cycle: Cycle
    usage: Usage
    schedule: Schedule
    failures: Counter[str]
    drips: list[dict[str, Any]]

    @property
    def worker_cpu(self) -> float:
        """CPU seconds of the parser workers (sampled, so short by at most 50 ms each)."""
        return sum(self.usage.worker_cpu.values())


@dataclass(frozen=True)
class ScaleRun:
    """Two consecutive cycles at one concurrency, on a fresh database, in a fresh process."""

    concurrency: int
    cycles: list[ScaleCycle]
    server_cpu: float = 0.0  # CPU seconds the feed server used meanwhile, on the same cores


def drip_record(base_url: str) -> list[dict[str, Any]]:
    """Fetch (and clear) the feed server's record of dripping responses."""
    with urllib.request.urlopen(base_url + "/stats", timeout=10) as response:
        records: list[dict[str, Any]] = json.loads(response.read())
    return records


def monitor_process(
    workdir: Path, base_url: str, urls: list[str], concurrency: int, out: Connection
) -> None:
    """Child process: two cycles of ``poll_once``, measured; send the ``ScaleRun`` back."""
    # One warning per failing feed would bury the report; the feeds table has the errors.
    logging.getLogger("monitor").setLevel(logging.ERROR)
    config_dir = write_poll_config(workdir / f"concurrency-{concurrency}", urls, concurrency)
    database = workdir / f"concurrency-{concurrency}" / "data" / "monitor.db"
    sampler = Sampler()
    sampler.start()
    cycles = []
    for _ in range(2):
        sampler.restart()
        start = datetime.now(UTC)
        cycle = timed_cycle(config_dir)
        end = datetime.now(UTC)
        time.sleep(1.0)  # the parser workers exit; the server notices the last hang-ups
        usage = sampler.collect()
        cycles.append(
            ScaleCycle(
                cycle=cycle,
                usage=usage,
                schedule=check_schedule(database, start, end, PollSettings()),
                failures=failure_kinds(database),
                drips=drip_record(base_url),
            )
        )
    sampler.stop()
    out.send(ScaleRun(concurrency, cycles))
    out.close()


def run_monitor(workdir: Path, base_url: str, urls: list[str], concurrency: int) -> ScaleRun:
    """Run ``monitor_process`` in a fresh spawned process and return what it measured."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=monitor_process,
        args=(workdir, base_url, urls, concurrency, send),
        name=f"bench-scale-monitor-{concurrency}",
    )
    process.start()
    send.close()
    try:
        run: ScaleRun = receive.recv()
    except EOFError:
        raise RuntimeError(f"the monitor process at concurrency {concurrency} died") from None
    process.join()
    return run


# --- The report ----------------------------------------------------------------------


def verdict(passed: bool) -> str:
    """PASS or MISS."""
    return "PASS" if passed else "MISS"


def expected_failures(plans: Sequence[FeedPlan], timeout: float) -> tuple[int, int]:
    """The fewest and most feeds that should fail: the failing ones, plus drips past the deadline.

    A drip planned within a second of the deadline may land either side of it.
    """
    failing = sum(plan.kind in FAILING_KINDS for plan in plans)
    drips = [plan.latency + plan.drip_seconds for plan in plans if plan.kind == "drip"]
    surely = sum(total > timeout + 1 for total in drips)
    maybe = sum(total > timeout - 1 for total in drips)
    return failing + surely, failing + maybe


def check_work(run: ScaleRun, plans: Sequence[FeedPlan], entries: int, timeout: float) -> list[str]:
    """Return what a run failed to do."""
    problems = []
    fewest, most = expected_failures(plans, timeout)
    for number, scale in enumerate(run.cycles, 1):
        label = f"concurrency {run.concurrency} cycle {number}"
        report = scale.cycle.report
        if report.polled != len(plans):
            problems.append(f"{label}: polled {report.polled} of {len(plans)} feeds")
        if not fewest <= report.failed <= most:
            problems.append(f"{label}: {report.failed} failed, expected {fewest} to {most}")
        if number == 1 and scale.cycle.articles != report.updated * entries:
            problems.append(
                f"{label}: {scale.cycle.articles} articles stored from {report.updated} feeds"
            )
        if number == 2 and (
            report.new_articles != report.updated * entries
            or report.updated > run.cycles[0].cycle.report.failed
        ):
            # Only a feed that failed in the first cycle (a drip cut near the deadline) may
            # bring its articles in the second.
            problems.append(
                f"{label}: {report.new_articles} new articles from {report.updated} feeds"
            )
        if scale.schedule.late:
            problems.append(f"{label}: {len(scale.schedule.late)} feeds not on time")
    return problems


def latency_floor(plans: Sequence[FeedPlan], concurrency: int, timeout: float) -> float:
    """The least a first cycle can take: every feed's time in a fetch slot, over the slots."""
    busy = sum(
        plan.latency + (min(plan.drip_seconds, timeout) if plan.kind == "drip" else 0.0)
        for plan in plans
    )
    return busy / concurrency


def print_report(
    args: argparse.Namespace, plans: Sequence[FeedPlan], runs: Sequence[ScaleRun]
) -> None:
    """Print the table, then the schedule, failures, drips and arithmetic behind it."""
    header = (
        f"{'run':<18} {'wall s':>7} {'<60 s':>5} {'cpu s':>11} {'RSS MB':>7} {'<300':>5} "
        f"{'200':>5} {'304':>5} {'failed':>6} {'new':>6} {'stored':>6} {'on time':>10}"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        for number, scale in enumerate(run.cycles, 1):
            cycle, report, usage = scale.cycle, scale.cycle.report, scale.usage
            cpu = f"{cycle.cpu_seconds:.1f}+{scale.worker_cpu:.1f}"
            on_time = f"{scale.schedule.on_time}/{scale.schedule.feeds}"
            print(
                f"{f'c={run.concurrency} cycle {number}':<18} {cycle.seconds:>7.1f} "
                f"{verdict(cycle.seconds < CYCLE_TARGET_SECONDS):>5} {cpu:>11} "
                f"{usage.peak_mb:>7.0f} {verdict(usage.peak_mb < RSS_TARGET_MB):>5} "
                f"{report.updated:>5} {report.not_modified:>5} {report.failed:>6} "
                f"{report.new_articles:>6} {cycle.articles:>6} {on_time:>10}"
            )
    print(
        "\n'cpu s' = monitor process + parser workers. 'RSS MB' = peak resident memory of the\n"
        "  monitor process and its parser workers: the sum of their kernel high-water marks\n"
        "  (VmHWM, the process's reset before each cycle), an upper bound since they need not\n"
        "  peak at once. 'on time' = feeds polled in the cycle, not due again before it ended,\n"
        "  and next due at most one interval (failing feeds: their backoff) after their poll."
    )
    timeout = PollSettings().timeout
    for run in runs:
        print(
            f"\nconcurrency {run.concurrency} (the feed server used {run.server_cpu:.0f} s CPU "
            "meanwhile, on the same cores):"
        )
        for number, scale in enumerate(run.cycles, 1):
            usage, schedule = scale.usage, scale.schedule
            workers = ", ".join(f"{mb:.0f}" for mb in usage.worker_hwm_mb.values()) or "none"
            first, last = schedule.healthy_due_after
            print(
                f"  cycle {number}: {scale.cycle.report.summary()}\n"
                f"    memory: monitor process {usage.main_hwm_mb:.0f} MB, workers {workers} MB; "
                f"largest sum seen in one 50 ms sample {usage.peak_sampled_mb:.0f} MB\n"
                f"    schedule: healthy feeds next due {first:.0f}-{last:.0f} s after the cycle "
                f"ended; {schedule.backed_off} failing feeds backed off"
            )
            for problem in schedule.late[:5]:
                print(f"    late: {problem}")
            kinds = ", ".join(f"{count} {kind!r}" for kind, count in scale.failures.most_common())
            print(f"    failures: {kinds or 'none'}")
            completed = [drip["lasted"] for drip in scale.drips if drip["completed"]]
            cut = [drip["lasted"] for drip in scale.drips if not drip["completed"]]
            print(
                f"    dripping responses: {len(completed)} sent in full "
                f"(longest {max(completed, default=0):.1f} s), {len(cut)} cut off by monitor "
                f"after {min(cut, default=0):.1f}-{max(cut, default=0):.1f} s "
                f"(poll.timeout {timeout:g} s)"
            )
    fewest, most = expected_failures(plans, timeout)
    kinds = Counter(plan.kind for plan in plans)
    print(
        f"\nThe plan (seed {args.seed}): {kinds['ok']} healthy, {kinds['drip']} dripping over "
        f"{args.drip[0]:g}-{args.drip[1]:g} s, {kinds['http-500']} HTTP 500, {kinds['reset']} "
        f"connection resets, {kinds['malformed']} malformed; {fewest}-{most} feeds should fail."
    )
    for run in runs:
        floor = latency_floor(plans, run.concurrency, timeout)
        print(
            f"  concurrency {run.concurrency}: latency and drips alone keep a cycle >= "
            f"{floor:.1f} s (every feed's time in a fetch slot / {run.concurrency} slots)"
        )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark one poll cycle over thousands of slow, failing and dripping feeds."
    )
    parser.add_argument("--feeds", type=int, default=2000, help="feeds served (default 2000)")
    parser.add_argument("--entries", type=int, default=20, help="items per feed (default 20)")
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[100],
        help="poll.concurrency values, each run in a fresh process on a fresh database "
        "(default 100, the shipped default)",
    )
    parser.add_argument(
        "--drip",
        type=float,
        nargs=2,
        default=[2.0, 40.0],
        metavar=("MIN", "MAX"),
        help="seconds a dripping feed takes to send its body (default 2 40)",
    )
    parser.add_argument("--seed", type=int, default=2000, help="seed of the feeds' plans")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile both cycles of one extra run (highest concurrency) with cProfile",
    )
    args = parser.parse_args(argv)
    if args.feeds < 1 or args.entries < 1 or not 0 <= args.drip[0] <= args.drip[1]:
        parser.error("--feeds and --entries must be >= 1, and 0 <= --drip MIN <= MAX")
    if any(not 1 <= value <= 500 for value in args.concurrency):
        parser.error("--concurrency values must be between 1 and 500 (monitor's limit)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return 1 if a cycle did not do the expected work."""
    args = parse_args(argv)
    plans = plan_feeds(args.feeds, args.seed, tuple(args.drip))
    print(
        f"monitor scale benchmark: {args.feeds} feeds x {args.entries} entries on 127.0.0.1, "
        f"{LATENCY_RANGE[0] * 1000:g}-{LATENCY_RANGE[1] * 1000:g} ms latency, "
        f"{FAILING_SHARE:.0%} failing, {DRIPPING_SHARE:.0%} dripping "
        f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)",
        flush=True,
    )
    with (
        feed_server(plans, args.entries) as (base_url, server_pid),
        tempfile.TemporaryDirectory(prefix="monitor-bench-scale-") as temp,
    ):
        urls = [base_url + feed_path(index) for index in range(args.feeds)]
        workdir = Path(temp)
        runs = []
        for concurrency in args.concurrency:
            print(f"running monitor at concurrency {concurrency} ...", flush=True)
            before = cpu_seconds(server_pid)
            run = run_monitor(workdir, base_url, urls, concurrency)
            runs.append(replace(run, server_cpu=cpu_seconds(server_pid) - before))
        print()
        print_report(args, plans, runs)
        if args.profile:
            logging.getLogger("monitor").setLevel(logging.ERROR)
            profile_cycles(workdir, urls, max(args.concurrency))
    timeout = PollSettings().timeout
    problems = [
        problem for run in runs for problem in check_work(run, plans, args.entries, timeout)
    ]
    print("\nwork check: " + ("OK" if not problems else "FAILED"))
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Crash safety (issue #8): ``monitor run`` killed with SIGKILL at random moments.

A real daemon process polls a loopback feed server whose feeds grow between
runs (new stories, and escalations of the stories of the run before) and
alerts a webhook receiver that is sometimes slow and sometimes refuses, so a
kill lands while feeds are fetched, while their answers are parsed and stored,
and while notifications are in flight or waiting for their retry. The daemon
is restarted after every kill; a last run drains the outbox. Then every served
article is stored once, every notification reached the receiver at least once
and always under the same ``Idempotency-Key`` (one key per notification),
nothing is left pending or dead, and ``PRAGMA integrity_check`` passes.

The default run kills the daemon three times; ``pytest -m crash`` fifty times.
The figures of each run are printed in the terminal summary.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import ConfigDir, FeedServer, Request, Route, WebhookReceiver, add_summary, rss
from test_daemon import wait_for

SEED = int(os.environ.get("CRASH_SEED", "1"))  # another seed: other kill moments
OUTLETS = {"north": 0.0, "west": 0.3, "east": 0.8, "south": 0.0}  # outlet: answer delay (s)
FILLER = 40  # out-of-scope items each feed carries from the start


# --- what the feeds carry -----------------------------------------------------------------------


def words(rng: random.Random, count: int) -> list[str]:
    """Made-up names, so that each wave's stories are told apart from the last ones."""
    return [
        "".join(rng.choice("bdgklmnprstvz") + rng.choice("aeiou") for _ in range(3)).title()
        for _ in range(count)
    ]


def item(outlet: str, guid: str, title: str, text: str) -> dict[str, str]:
    return {"title": title, "link": f"https://{outlet}.example/{guid}", "guid": guid,
            "description": text}  # fmt: skip


def story(wave: int, name: str, outlet: str, escalated: bool) -> dict[str, str]:
    """A report of story ``name`` of ``wave``: a warning, or its critical escalation."""
    rng = random.Random(f"{wave}-{name}")
    who, dateline = " ".join(words(rng, 3)), " ".join(words(rng, 10))
    if name == "jarinje":
        title = f"Jarinje road closed as {who} held"
        text = f"Kosovo police closed the road at the Jarinje crossing after {who} was arrested."
        worse = " Gunfire was heard and two officers were wounded; KFOR fired tear gas."
    else:
        title = f"Barricades near Leposavic as {who} held"
        text = f"Kosovo Serbs put up barricades of trucks near Leposavic after {who} was detained."
        worse = " Protesters clashed with police, who fired tear gas; nine people were injured."
    kind = "escalated" if escalated else "report"
    return item(
        outlet,
        f"{outlet}-{wave}-{name}-{kind}",
        title + (", shots fired" if escalated else ""),
        f"{dateline}: {text}{worse if escalated else ''} ({outlet})",
    )


def filler(outlet: str, number: int) -> dict[str, str]:
    rng = random.Random(f"{outlet}-{number}")
    text = f"{' '.join(words(rng, 12))}: sunny spells and a light breeze from the west."
    return item(outlet, f"{outlet}-filler-{number}", f"Weather for {outlet} {number}", text)


def wave(number: int) -> dict[str, list[dict[str, str]]]:
    """The items each outlet adds in wave ``number``: two new stories that alert at
    warning, the critical escalation of the last wave's two, and a quiet report."""
    added: dict[str, list[dict[str, str]]] = {
        "north": [story(number, "jarinje", "north", escalated=False)],
        "west": [story(number, "leposavic", "west", escalated=False)],
        "east": [filler("east", 1000 + number)],
        "south": [filler("south", 1000 + number)],
    }
    if number > 0:
        added["east"].append(story(number - 1, "jarinje", "east", escalated=True))
        added["south"].append(story(number - 1, "leposavic", "south", escalated=True))
    return added


class Feeds:
    """The loopback feeds, grown one wave at a time (newest items first, as outlets do)."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.items = {outlet: [filler(outlet, n) for n in range(FILLER)] for outlet in OUTLETS}
        self.waves = 0
        self.urls = [self._serve(outlet) for outlet in OUTLETS]

    def grow(self) -> None:
        for outlet, added in wave(self.waves).items():
            self.items[outlet] = added + self.items[outlet]
            self._serve(outlet)
        self.waves += 1

    def served(self) -> list[dict[str, str]]:
        return [entry for items in self.items.values() for entry in items]

    def _serve(self, outlet: str) -> str:
        body = rss(self.items[outlet], title=outlet)
        return self.server.serve(f"/{outlet}.xml", Route(body=body, delay=OUTLETS[outlet]))


# --- what the servers had in flight -------------------------------------------------------------


@dataclass
class Span:
    """One request a loopback server was answering, in ``time.monotonic()`` seconds."""

    kind: str  # "fetch" or "deliver"
    start: float
    end: float = float("inf")


@dataclass
class Timeline:
    """Every request the servers answered, to tell what a kill interrupted."""

    spans: list[Span] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def span(self, kind: str) -> Iterator[None]:
        span = Span(kind, time.monotonic())
        with self.lock:
            self.spans.append(span)
        try:
            yield
        finally:
            span.end = time.monotonic()

    def started_since(self, since: float) -> list[Span]:
        with self.lock:
            return [span for span in self.spans if span.start >= since]

    def phase(self, since: float, at: float) -> str:
        """What the daemon was doing at ``at``, as far as the servers and its log tell."""
        spans = [span for span in self.started_since(since) if span.start <= at]
        in_flight = {span.kind for span in spans if span.end > at}
        if "deliver" in in_flight:
            return "delivering"
        if "fetch" in in_flight:
            return "fetching"
        fetched = [span.end for span in spans if span.kind == "fetch"]
        if not fetched:
            return "starting"
        cycles = [span.end for span in spans if span.kind == "cycle"]
        # A feed answered and the cycle has not logged its end: it parses, stores, decides.
        return "parsing/storing" if max(fetched) > max(cycles, default=0.0) else "idle"

    @contextmanager
    def watching(self, log: Path) -> Iterator[None]:
        """Note when the daemon logs the end of a cycle in ``log`` (to within 20 ms)."""
        done = threading.Event()

        def tail() -> None:
            seen = 0
            while not done.wait(0.02):
                text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
                ends = text.count(" cycle: polled ")
                if ends > seen:
                    now = time.monotonic()
                    with self.lock:
                        self.spans.append(Span("cycle", now, now))
                    seen = ends

        thread = threading.Thread(target=tail, daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()


def quiet(server: FeedServer | WebhookReceiver) -> None:
    """A killed daemon resets its connections: expected here, not worth a traceback."""
    server.httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]


def time_feeds(server: FeedServer, timeline: Timeline) -> None:
    """Record every feed request ``server`` answers on ``timeline``."""
    base: Any = server.httpd.RequestHandlerClass

    class Timed(base):  # type: ignore[misc, valid-type]
        def do_GET(self) -> None:
            with timeline.span("fetch"):
                super().do_GET()

    server.httpd.RequestHandlerClass = Timed
    quiet(server)


class FlakyReceiver:
    """Makes a ``WebhookReceiver`` slow (up to a second) or refusing (503) at random.

    The request is read and recorded before the pause, as a real receiver
    would act on it; a client killed meanwhile never learns that it arrived.
    """

    def __init__(self, receiver: WebhookReceiver, timeline: Timeline, seed: int) -> None:
        self.receiver, self.rng, self.lock = receiver, random.Random(seed), threading.Lock()
        flaky, base = self, receiver.httpd.RequestHandlerClass

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_POST(self) -> None:
                with timeline.span("deliver"):
                    request = self._record()
                    status, pause = flaky.answer()
                    request.status = status  # type: ignore[attr-defined]
                    time.sleep(pause)
                    self._send(status, b'{"ok": true}' if status == 200 else b"busy", {})

        receiver.httpd.RequestHandlerClass = Handler
        quiet(receiver)

    def answer(self) -> tuple[int, float]:
        with self.lock:
            draw = self.rng.random()
            if draw < 0.25:
                return 503, 0.0
            return 200, self.rng.uniform(0.2, 1.0) if draw < 0.6 else 0.0


# --- the daemon ---------------------------------------------------------------------------------


class Daemon:
    """``monitor run`` in its own process group, its log appended to one file."""

    def __init__(self, config: Path, log: Path) -> None:
        with log.open("a") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "monitor", "run", "--config", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL the daemon alone, as a crash or the OOM killer would."""
        self.process.kill()
        self.process.wait()

    def left_behind(self) -> list[int]:
        """The processes the daemon started that still run (its parser workers)."""
        return group(self.process.pid)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


def group(pgid: int) -> list[int]:
    """The processes still in process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if entry.name.isdigit() and int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql``, read beside the daemon (WAL readers never block it); none
    while the daemon has not created its tables yet."""
    if not database.exists():
        return []
    with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True) as db:
        db.execute("PRAGMA busy_timeout = 5000")
        try:
            return db.execute(sql).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise


# --- the scenario -------------------------------------------------------------------------------


@dataclass
class CrashRun:
    """What the kills hit and what the last run left."""

    kills: Counter[str] = field(default_factory=Counter)
    orphans: int = 0
    seconds: float = 0.0


def drained(database: Path, served: int) -> bool:
    """Whether every served article is stored and no notification waits to be sent."""
    stored = query(database, "SELECT count(*) FROM articles")
    pending = query(database, "SELECT count(*) FROM deliveries WHERE status = 'pending'")
    return bool(stored) and stored[0][0] >= served and pending[0][0] == 0


def spread(rng: random.Random, count: int, longest: float) -> list[float]:
    """``count`` delays up to ``longest``, one in each equal slice, in random order."""
    delays = [longest * (slice + rng.random()) / count for slice in range(count)]
    rng.shuffle(delays)
    return delays


def crash_and_restart(
    kills: int,
    workers: int,
    longest: float,
    config_dir: ConfigDir,
    feed_server: FeedServer,
    webhook: WebhookReceiver,
    tmp_path: Path,
) -> tuple[CrashRun, Feeds]:
    """Kill the daemon ``kills`` times at seeded random moments, then drain the outbox.

    Most kills come up to ``longest`` seconds after the run's first request for
    a feed, the others while the daemon starts. ``workers``: ``poll.workers``.
    """
    rng, timeline, run = random.Random(SEED), Timeline(), CrashRun()
    time_feeds(feed_server, timeline)
    FlakyReceiver(webhook, timeline, SEED)
    feeds = Feeds(feed_server)
    config_dir.write(
        [{"url": url, "interval": "1s"} for url in feeds.urls],
        channels={"team": {"type": "webhook", "url": webhook.url("/hook")}},
        watch_channels=["team"],
        settings={
            "poll": {"tick": "0.2s", "jitter": 0, "timeout": "5s", "workers": workers},
            "delivery": {"retry_base": "1s", "max_delay": "2s"},
        },
        alert_on="[article:warning, index:elevated]",
        # Each wave's stories are new events told apart by made-up names only, seconds
        # after the last wave in the same towns: grouped by words, they stay apart.
        story_group="words",
    )
    log = tmp_path / "daemon.log"
    killed: list[Daemon] = []
    started = time.monotonic()
    with timeline.watching(log):
        for delay in spread(rng, kills, longest):
            feeds.grow()
            since = time.monotonic()
            daemon = Daemon(config_dir.path, log)
            if rng.random() < 0.8:
                wait_for(lambda at=since: timeline.started_since(at), timeout=60)
                time.sleep(delay)
            else:
                time.sleep(rng.uniform(0.0, 2.5))
            at = time.monotonic()
            daemon.kill()
            killed.append(daemon)
            run.kills[timeline.phase(since, at)] += 1
        daemon = Daemon(config_dir.path, log)
        try:
            wait_for(lambda: drained(config_dir.database, len(feeds.served())), timeout=120)
            assert daemon.stop() == 0
        finally:
            daemon.kill()
    run.seconds = time.monotonic() - started
    with suppress(AssertionError):  # a worker notices within a second that its daemon died
        wait_for(lambda: not any(daemon.left_behind() for daemon in killed), timeout=5)
    for pid in (pid for daemon in killed for pid in daemon.left_behind()):
        os.kill(pid, signal.SIGKILL)
        run.orphans += 1
    return run, feeds


def check_and_summarize(
    title: str, run: CrashRun, feeds: Feeds, database: Path, webhook: WebhookReceiver
) -> None:
    """Assert that nothing was lost, stored twice or sent under two keys; add the figures."""
    assert query(database, "PRAGMA integrity_check") == [("ok",)]

    # Every served article is stored, once.
    served = feeds.served()
    stored = query(database, "SELECT guid, canonical_url FROM articles")
    # A GUID that is not a URL is kept resolved against the feed's URL.
    guids = sorted(guid.rsplit("/", 1)[-1] for guid, _ in stored)
    assert guids == sorted(entry["guid"] for entry in served)
    assert sorted(url for _, url in stored) == sorted(entry["link"] for entry in served)

    # Every article that reached an alerting level is in an alert.
    alerting = {
        row[0]
        for row in query(database, "SELECT article_id FROM scores WHERE level IN "
                                   "('warning', 'critical')")
    }  # fmt: skip
    in_alerts = {
        article_id
        for (ids,) in query(database, "SELECT article_ids FROM alerts WHERE kind = 'article'")
        for article_id in json.loads(ids)
    }
    assert alerting and alerting <= in_alerts
    # One alert per story: a kill neither loses a story's alert nor opens it twice.
    stories = query(database, "SELECT count(*) FROM alerts WHERE kind = 'article'")
    assert stories == [(2 * feeds.waves,)]

    # Every notification was sent; each is one key, and that key reached the receiver.
    deliveries = query(
        database,
        """SELECT a.dedup_key, d.event, d.channel, d.status FROM deliveries d
           JOIN alerts a ON a.id = d.alert_id""",
    )
    statuses = Counter(status for *_, status in deliveries)
    assert set(statuses) == {"sent"}, statuses
    keys = [f"{alert}:{event}:{channel}" for alert, event, channel, _ in deliveries]
    assert len(set(keys)) == len(keys)  # no two notifications share a key
    accepted = [(key_of(request), json.loads(request.body)) for request in webhook.accepted]
    assert {key for key, _ in accepted} == set(keys)  # at least once, and under no other key
    for key, payload in accepted:
        assert key.startswith(payload["id"] + ":")  # a key names one alert's notification
    alerts = {alert for (alert,) in query(database, "SELECT dedup_key FROM alerts")}
    assert alerts == {payload["id"] for _, payload in accepted}

    events = Counter(kind_of(event) for _, event, _, _ in deliveries)
    kills = ", ".join(f"{phase} {count}" for phase, count in sorted(run.kills.items()))
    refused = sum(1 for request in webhook.requests if getattr(request, "status", 200) != 200)
    repeats = len(accepted) - len({key for key, _ in accepted})
    add_summary(
        f"{title}: {sum(run.kills.values())} kills ({kills}) in {run.seconds:.0f} s; "
        f"{len(stored)} articles stored once; {len(alerts)} alerts, {len(keys)} notifications "
        f"({', '.join(f'{e} {n}' for e, n in sorted(events.items()))}) all sent; receiver: "
        f"{len(webhook.requests)} POSTs, {refused} refused, {repeats} repeated keys dropped; "
        f"{run.orphans} processes outlived their daemon"
    )


def kind_of(event: str) -> str:
    """``firing`` (the first notification), ``escalated``, ``update`` or ``resolved``."""
    if event.startswith("firing:"):
        return "escalated"
    return event.split(":")[0]


def key_of(request: Request) -> str:
    return next(v for k, v in request.headers.items() if k.lower() == "idempotency-key")


def test_three_kills_lose_nothing_and_repeat_nothing_under_a_second_key(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver, tmp_path: Path
) -> None:
    # The daemon parses in its own process here: short runs still reach delivering.
    run, feeds = crash_and_restart(3, 0, 2.5, config_dir, feed_server, webhook, tmp_path)
    check_and_summarize("crash, 3 kills", run, feeds, config_dir.database, webhook)
    assert run.orphans == 0


@pytest.mark.crash
def test_fifty_kills_lose_nothing_and_repeat_nothing_under_a_second_key(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver, tmp_path: Path
) -> None:
    run, feeds = crash_and_restart(50, 2, 6.0, config_dir, feed_server, webhook, tmp_path)
    check_and_summarize("crash, 50 kills", run, feeds, config_dir.database, webhook)
    assert run.orphans == 0


def test_parser_workers_end_when_the_daemon_is_killed(
    config_dir: ConfigDir, feed_server: FeedServer, tmp_path: Path
) -> None:
    feeds = Feeds(feed_server)
    config_dir.write(feeds.urls, settings={"poll": {"tick": "0.2s", "jitter": 0, "workers": 2}})
    daemon = Daemon(config_dir.path, tmp_path / "daemon.log")
    try:
        workers = wait_for(
            lambda: (
                [p for p in daemon.left_behind() if p != daemon.process.pid]
                if query(config_dir.database, "SELECT 1 FROM articles")
                else []
            ),
            timeout=60,
        )
        daemon.kill()
        # Nothing stops them but themselves: they notice that the daemon is gone.
        wait_for(lambda: not daemon.left_behind(), timeout=10)
    finally:
        daemon.kill()
        for pid in daemon.left_behind():
            os.kill(pid, signal.SIGKILL)
    assert len(workers) >= 2  # the workers, and multiprocessing's resource tracker

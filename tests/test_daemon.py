"""The daemon as operators run it: live reload, /healthz, /metrics and /status."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from conftest import ConfigDir, FeedServer, Route, WebhookReceiver, rss
from prometheus_client.parser import text_string_to_metric_families

from monitor.cli import main
from monitor.config import load_config
from monitor.daemon.health import DaemonState, check_health
from monitor.daemon.run import Daemon, open_runtime
from monitor.daemon.server import HttpServer, make_app

CLASHES = (
    "Police and a crowd of Kosovo Serbs clashed near the main bridge in North Mitrovica. "
    "Officers fired tear gas and witnesses reported gunfire; nine people were wounded."
)
READINESS = (
    "Serbia put its army on the highest combat readiness and moved units toward the "
    "administrative line with Kosovo, the defence minister said."
)
BARRICADES = (
    "Kosovo Serbs put up barricades of trucks at the Jarinje crossing after an arrest; "
    "Kosovo police closed the road and KFOR troops were put on alert."
)


def story(outlet: str, guid: str, title: str, text: str) -> bytes:
    """A feed of one article."""
    link = f"https://{outlet}.example/{guid}"
    return rss([{"title": title, "link": link, "guid": guid, "description": text}], title=outlet)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {condition}")


class RunningDaemon:
    """``monitor run`` in a real process, its log in a file the test reads as it grows."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.port, self.log = port, log
        with log.open("w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "monitor", "run", "--config", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"http://127.0.0.1:{self.port}{path}", timeout=5)

    def status(self) -> dict[str, Any]:
        try:
            return dict(self.get("/status").json())
        except httpx.TransportError:
            return {}

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


@contextmanager
def running(config: Path, port: int, log: Path) -> Iterator[RunningDaemon]:
    daemon = RunningDaemon(config, port, log)
    try:
        yield daemon
    finally:
        if daemon.process.poll() is None:
            daemon.process.kill()
            daemon.process.wait()


def test_an_edit_applies_without_a_restart_and_a_broken_one_keeps_the_last_good_config(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver, tmp_path: Path
) -> None:
    port = free_port()
    settings = {"http": {"listen": f"127.0.0.1:{port}"}, "poll": {"tick": "0.5s", "jitter": 0}}
    north = feed_server.serve("/north.xml", story("north", "n-1", "Clashes in Mitrovica", CLASHES))
    team = {"team": {"type": "webhook", "url": webhook.url("/hook")}}
    config_dir.write([{"url": north, "interval": "1s"}], settings=settings)
    watch_file = config_dir.path / "watches" / "serbia-kosovo.yaml"

    with running(config_dir.path, port, tmp_path / "daemon.log") as daemon:
        wait_for(lambda: "1 new articles" in daemon.text())
        assert webhook.requests == []  # the watch alerts on the console only

        # A good edit: a webhook channel for the watch, and a second feed.
        west = feed_server.serve("/west.xml", story("west", "w-1", "Jarinje blocked", BARRICADES))
        config_dir.write(
            [{"url": north, "interval": "1s"}, {"url": west, "interval": "1s"}],
            channels={"console": {"type": "console"}, **team},
            watch_channels=["team"],
            settings=settings,
        )
        wait_for(lambda: webhook.payloads)
        assert "config: reloaded (file changed): 2 feeds, 1 watches" in daemon.text()
        titles = [a["title"] for p in webhook.payloads for a in p["articles"]]
        assert titles == ["Jarinje blocked"]  # the new feed, through the changed watch

        # A broken edit: the daemon says where, once, and keeps the last good config.
        good_watch = watch_file.read_text(encoding="utf-8")
        watch_file.write_text(good_watch.replace("weight: 10,", "weight: lots,", 1), "utf-8")
        errors = wait_for(lambda: [x for x in daemon.text().splitlines() if " ERROR " in x])
        assert len(errors) == 1
        line = good_watch[: good_watch.index("weight: 10,")].count("\n") + 1
        assert f"reload failed, keeping the running config: {watch_file}:{line}:" in errors[0]
        assert "signals[armed-violence].weight" in errors[0]
        config = wait_for(lambda: daemon.status().get("config", {}).get("reload_error"))
        assert "signals[armed-violence].weight" in config
        out = CliRunner().invoke(main, ["status", "--config", str(config_dir.path)]).stdout
        assert "is INVALID" in out and "the daemon keeps running the last good config" in out

        feed_server.serve("/north.xml", story("north", "n-2", "Army on alert", READINESS))
        wait_for(lambda: len(webhook.payloads) == 2)  # still alerting, on the last good config

        # Fixed again, and SIGHUP with nothing to change.
        watch_file.write_text(good_watch, "utf-8")
        wait_for(lambda: daemon.text().count("config: reloaded") == 2)
        daemon.process.send_signal(signal.SIGHUP)
        wait_for(lambda: "SIGHUP: the config on disk is the one running" in daemon.text())
        status = daemon.status()
        assert status["config"]["running_is_on_disk"] is True
        assert status["config"]["reload_error"] is None

        assert daemon.stop() == 0
    out = CliRunner().invoke(main, ["status", "--config", str(config_dir.path)]).stdout
    assert out.startswith("daemon: stopped at ")


def test_healthz_metrics_and_status_over_http(
    config_dir: ConfigDir, feed_server: FeedServer
) -> None:
    north = feed_server.serve("/north.xml", story("north", "n-1", "Clashes in Mitrovica", CLASHES))
    path = config_dir.write([north], settings={"http": {"listen": f"127.0.0.1:{free_port()}"}})

    async def scenario() -> None:
        async with open_runtime(load_config(path)) as runtime:
            daemon = Daemon(runtime)
            daemon.save_state()
            daemon.scheduler.add_job(daemon.tick, "interval", hours=1, id="poll")
            daemon.scheduler.start(paused=True)
            daemon.start_server()
            assert daemon.server is not None
            base = daemon.server.url
            try:
                await daemon.tick()
                async with httpx.AsyncClient(base_url=base) as client:
                    healthy = await client.get("/healthz")
                    assert healthy.status_code == 200
                    assert healthy.json() == {
                        "status": "ok",
                        "checks": {"scheduler": "ok", "database": "ok", "cycle": "ok"},
                    }

                    metrics = await client.get("/metrics")
                    assert metrics.headers["content-type"].startswith("text/plain")
                    samples = {
                        (s.name, tuple(sorted(s.labels.items()))): s.value
                        for family in text_string_to_metric_families(metrics.text)
                        for s in family.samples
                    }
                    assert samples[("monitor_polls_total", (("result", "ok"),))] == 1
                    assert samples[("monitor_http_responses_total", (("code", "200"),))] == 1
                    assert samples[("monitor_articles_stored_total", ())] == 1
                    assert samples[("monitor_articles", ())] == 1
                    assert samples[("monitor_fetch_duration_seconds_count", ())] == 1
                    assert samples[("monitor_parse_duration_seconds_count", ())] == 1
                    watch = ("watch", "serbia-kosovo")
                    assert samples[("monitor_scores_total", (("level", "critical"), watch))] == 1
                    alert = (("level", "critical"), ("state", "firing"), watch)
                    assert samples[("monitor_alerts", alert)] == 1
                    assert samples[("monitor_tension_index", (watch,))] > 0
                    assert samples[("monitor_cycles_total", ())] == 1

                    status = (await client.get("/status")).json()
                    assert status["schema"] == "monitor.status/1"
                    assert status["daemon"]["running"] is True
                    assert status["daemon"]["last_cycle"].startswith("polled 1 feeds: 1 updated")
                    assert [f["url"] for f in status["feeds"]] == [north]
                    assert status["feeds"][0]["articles_24h"] == 1
                    assert status["watches"][0]["name"] == "serbia-kosovo"
                    assert status["config"]["running_is_on_disk"] is True

                    # The database stops taking writes: /healthz says so, with 503.
                    runtime.store.db.execute("PRAGMA query_only = ON")
                    failing = await client.get("/healthz")
                    assert failing.status_code == 503
                    assert failing.json()["status"] == "failing"
                    assert "readonly database" in failing.json()["checks"]["database"]
                    assert failing.json()["checks"]["scheduler"] == "ok"
            finally:
                runtime.store.db.execute("PRAGMA query_only = OFF")
                await daemon.stop_server()
                daemon.scheduler.shutdown(wait=False)

    asyncio.run(scenario())


def test_a_taken_port_costs_the_server_not_the_daemon(caplog: pytest.LogCaptureFixture) -> None:
    class Quiet:
        def health(self) -> Any: ...
        def metrics(self) -> bytes: ...
        def status(self) -> dict[str, Any]: ...

    async def scenario() -> bool:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            server = HttpServer(make_app(Quiet()), "127.0.0.1", taken.getsockname()[1])
            return server.start()

    assert asyncio.run(scenario()) is False
    assert "cannot listen on http://127.0.0.1:" in caplog.text
    assert "polling goes on" in caplog.text


START = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)


def health(state: DaemonState, now: datetime, **checks: Any) -> dict[str, str]:
    options = {"scheduler_running": True, "database_error": None, **checks}
    return check_health(state, now=now, stale_after=300, **options).checks


def test_health_fails_when_no_cycle_finished_or_started_recently() -> None:
    state = DaemonState(1, START, "f", START)
    assert health(state, START + timedelta(minutes=4))["cycle"] == "ok"  # still starting
    stale = health(state, START + timedelta(minutes=6))["cycle"]
    assert stale == "no poll cycle finished or started for 360s (limit 300s)"
    state.last_cycle_at = START + timedelta(minutes=5)
    assert health(state, START + timedelta(minutes=6))["cycle"] == "ok"
    state.cycle_started_at = START + timedelta(minutes=20)  # a long cycle, still running
    assert health(state, START + timedelta(minutes=24))["cycle"] == "ok"
    assert health(state, START + timedelta(minutes=26))["cycle"].startswith("no poll cycle")


def test_health_names_a_stopped_scheduler_and_an_unwritable_database() -> None:
    state = DaemonState(1, START, "f", START)
    checks = health(state, START, scheduler_running=False, database_error="disk I/O error")
    assert checks == {
        "scheduler": "the scheduler is not running",
        "database": "not writable: disk I/O error",
        "cycle": "ok",
    }


def test_status_works_while_the_config_on_disk_is_invalid(
    config_dir: ConfigDir, feed_server: FeedServer
) -> None:
    north = feed_server.serve("/north.xml", story("north", "n-1", "Clashes in Mitrovica", CLASHES))
    config_dir.write([{"url": north, "name": "North desk"}])
    where = ["--config", str(config_dir.path)]
    assert CliRunner().invoke(main, ["poll", "--once", *where]).exit_code == 0
    feeds = config_dir.path / "feeds.yaml"
    feeds.write_text(feeds.read_text() + "- {url: 12, colour: red}\n", encoding="utf-8")

    result = CliRunner().invoke(main, ["status", *where])

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1].startswith(f"config: the config on disk in {config_dir.path} is INVALID: ")
    assert f"{feeds}:4: feeds[1]" in lines[1] and "(and 1 more" in lines[1]
    assert any(line.startswith("  North desk") for line in lines)
    assert "  serbia-kosovo: tension index " in result.stdout  # from the database


def test_http_listen_is_checked(config_dir: ConfigDir) -> None:
    config_dir.write([], settings={"http": {"listen": "8787"}})
    result = CliRunner().invoke(main, ["check", "--config", str(config_dir.path)])
    assert result.exit_code == 2
    assert "monitor.yaml:" in result.stderr and "http.listen: " in result.stderr
    assert 'expected "HOST:PORT"' in result.stderr


def test_sigterm_during_a_cycle_lets_it_finish_and_loses_nothing(
    config_dir: ConfigDir, feed_server: FeedServer, tmp_path: Path
) -> None:
    slow = feed_server.serve(
        "/slow.xml",
        Route(body=story("slow", "s-1", "Clashes in Mitrovica", CLASHES), delay=2.0),
    )
    port = free_port()
    config_dir.write([slow], settings={"http": {"listen": f"127.0.0.1:{port}"}})

    with running(config_dir.path, port, tmp_path / "daemon.log") as daemon:
        wait_for(lambda: any(r.path == "/slow.xml" for r in feed_server.requests))
        assert daemon.stop() == 0  # sent while the feed's answer is still on its way

    log = daemon.text()
    assert "stopping: waiting for the cycle in flight to finish" in log
    assert "cycle: polled 1 feeds: 1 updated" in log  # the cycle finished...
    assert log.index("waiting for the cycle") < log.index("cycle: polled")
    with sqlite3.connect(config_dir.database) as db:  # ...and its work is kept
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM alerts").fetchone() == (1,)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stopped = db.execute("SELECT stopped_at FROM daemon_state").fetchone()[0]
    assert stopped is not None

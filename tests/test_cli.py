"""The command line, as a user runs it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, REPO, ConfigDir, FeedServer, WebhookReceiver

from monitor.cli import main


def invoke(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, env=env)
    return result.exit_code, result.stdout, result.stderr


def test_check_accepts_the_shipped_config() -> None:
    code, out, _ = invoke("check", "--config", str(REPO / "config"))
    assert code == 0
    assert "OK" in out and "1 watches" in out


def test_check_names_file_line_and_field_and_exits_2(config_dir: ConfigDir) -> None:
    config_dir.write(["https://feeds.example/rss"])
    watch = config_dir.path / "watches" / "serbia-kosovo.yaml"
    lines = watch.read_text(encoding="utf-8").splitlines()
    signal_lines = [i for i, line in enumerate(lines) if line.startswith("  - ")]
    number = next(i for i in signal_lines if "name: clashes" in lines[i])
    lines[number] = lines[number].replace("weight: 5", "weight: five")
    watch.write_text("\n".join(lines), encoding="utf-8")

    code, _, err = invoke("check", "--config", str(config_dir.path))

    assert code == 2
    assert f"serbia-kosovo.yaml:{number + 1}: signals[clashes].weight: expected a number" in err


def test_the_config_directory_can_come_from_the_environment(config_dir: ConfigDir) -> None:
    config_dir.write(["https://feeds.example/rss"])
    code, out, _ = invoke("check", env={"MONITOR_CONFIG": str(config_dir.path)})
    assert code == 0
    assert str(config_dir.path) in out


def test_score_json_prints_one_object_per_article_with_the_input_id(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(
        json.dumps({"id": "a-1", "title": "Clashes in Mitrovica", "text": "Nine wounded."})
        + "\n\n"
        + json.dumps({"title": "Kosovo trade fair", "text": "Wine and software."})
        + "\n",
        encoding="utf-8",
    )

    code, out, _ = invoke("score", "--config", str(REPO / "config"), "--json", str(items))

    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["id"] == "a-1"
    (result,) = first["scores"]
    assert set(result) >= {"watch", "score", "level", "hits"}
    assert result["watch"] == "serbia-kosovo"
    assert result["level"] in ("warning", "critical")
    assert {"signal", "term", "text", "points"} <= set(result["hits"][0])
    assert second["id"] == 3  # no id: the line number
    assert second["scores"][0]["level"] is None


def test_score_reads_a_text_file_from_stdin_and_explains_the_hits() -> None:
    text = (
        "Barricades at Jarinje\nKosovo Serbs blocked the road with trucks; police detained two.\n"
    )
    code, out, _ = invoke("score", "--config", str(REPO / "config"), "-", stdin=text)
    assert code == 0
    assert "serbia-kosovo: score" in out
    assert "'barricade*' matched 'Barricades' (title, boosted)" in out


def test_score_reports_a_bad_jsonl_line(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text('{"title": "ok"}\n{not json\n', encoding="utf-8")
    code, _, err = invoke("score", "--config", str(REPO / "config"), str(items))
    assert code == 1
    assert "items.jsonl:2: invalid JSON" in err


def test_poll_once_prints_one_summary_line(feed_server: FeedServer, config_dir: ConfigDir) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config_dir.write([url, feed_server.url("/missing.xml")])

    code, out, _ = invoke("poll", "--once", "--config", str(config_dir.path))

    assert code == 0
    summary = out.strip().splitlines()[-1]
    assert summary == (
        "polled 2 feeds: 1 updated, 0 not modified, 1 failed; 4 new articles; 2 alerts; "
        "deliveries: 2 sent"
    )


def test_poll_without_once_explains_itself() -> None:
    code, _, err = invoke("poll", "--config", str(REPO / "config"))
    assert code == 2
    assert "monitor run" in err


def test_run_polls_until_sigterm_then_stops_cleanly(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config_dir.write([url], settings={"poll": {"tick": "1s", "jitter": 0, "timeout": "5s"}})
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "run", "--config", str(config_dir.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        stored = 0
        while time.monotonic() < deadline and stored < 4:
            time.sleep(0.2)
            if config_dir.database.exists():
                with sqlite3.connect(config_dir.database) as db:
                    try:
                        stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
                    except sqlite3.OperationalError:
                        stored = 0
        assert stored == 4
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "monitor started" in err
    assert "monitor stopped" in err
    # The story's title heads the alert; the watch and the score are in its last line.
    assert "[CRITICAL] " in out and "serbia-kosovo, score" in out
    with sqlite3.connect(config_dir.database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_documented_in_the_readme(command: str) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"monitor {command}" in readme


def test_a_secret_webhook_url_never_reaches_the_logs(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    secret = "http://127.0.0.1:9/hooks/T0001/very-secret-token"  # nothing listens on port 9
    config_dir.write(
        [url],
        channels={"team": {"type": "webhook", "url": "${TEAM_HOOK}"}},
        watch_channels=["team"],
    )
    env = {**os.environ, "TEAM_HOOK": secret}

    result = subprocess.run(
        [sys.executable, "-m", "monitor", "poll", "--once", "--log-level", "debug",
         "--config", str(config_dir.path)],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "delivery failed" in result.stderr
    assert "very-secret-token" not in result.stderr + result.stdout
    assert "2 to retry" in result.stdout


def test_alerts_lists_and_shows_alerts_with_their_articles_and_deliveries(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config_dir.write([{"url": url, "name": "Ibar Valley Courier"}])
    invoke("poll", "--once", "--config", str(config_dir.path))

    code, out, _ = invoke("alerts", "--config", str(config_dir.path))
    listed_code, listed, _ = invoke(
        "alerts", "--config", str(config_dir.path), "--state", "resolved"
    )
    _, as_json, _ = invoke("alerts", "--config", str(config_dir.path), "--json")

    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["id", "watch", "kind", "level", "state"]
    assert len(lines) == 3
    assert all("serbia-kosovo" in line and "firing" in line for line in lines[1:])
    assert (listed_code, listed.strip()) == (0, "no alerts")
    first = json.loads(as_json.splitlines()[0])
    assert first["sources"] == 1

    code, shown, _ = invoke("alerts", "--config", str(config_dir.path), "show", str(first["id"]))
    assert code == 0
    assert f"alert {first['id']}: serbia-kosovo article" in shown
    assert "(Ibar Valley Courier)" in shown
    assert "deliveries:" in shown
    assert "console" in shown
    assert "sent" in shown

    code, _, err = invoke("alerts", "--config", str(config_dir.path), "show", "999")
    assert code == 1
    assert "no alert 999" in err


def test_a_silenced_watch_keeps_its_alerts_but_sends_nothing_until_the_silence_ends(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    courier = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config_dir.write(
        [courier],
        channels={"team": {"type": "webhook", "url": webhook.url("/hook")}},
        watch_channels=["team"],
    )
    where = ("--config", str(config_dir.path))

    code, out, _ = invoke(
        "silence", "serbia-kosovo", "--for", "6h", "--reason", "drill", "--by", "ana", *where
    )
    assert code == 0
    assert out.startswith("silence 1: serbia-kosovo muted until ")
    listed = invoke("silence", "list", *where)[1]
    assert "serbia-kosovo" in listed
    assert "active" in listed
    assert "ana: drill" in listed

    invoke("poll", "--once", *where)
    assert webhook.requests == []
    shown = invoke("alerts", "show", "1", *where)[1]
    assert "silenced" in shown

    assert invoke("silence", "expire", "1", *where)[:2] == (0, "silence 1 expired\n")
    assert invoke("silence", "list", *where)[1].strip() == "no silences"
    wire = feed_server.serve_file(
        "/wire.atom", FIXTURES / "balkan-wire.atom", content_type="application/atom+xml"
    )
    config_dir.write(
        [courier, wire],
        channels={"team": {"type": "webhook", "url": webhook.url("/hook")}},
        watch_channels=["team"],
    )
    invoke("poll", "--once", *where)
    assert [p["articles"][0]["title"] for p in webhook.payloads] == [
        "Barricades go up again at Jarinje crossing"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["silence", "nope", "--for", "1h", "--reason", "x"], "no watch named 'nope'"),
        (["silence", "serbia-kosovo", "--reason", "x"], "needs --for DURATION and --reason"),
        (["silence", "serbia-kosovo", "--for", "soon", "--reason", "x"], "duration"),
        (["silence", "expire"], "needs the ID"),
        (["silence", "expire", "7"], "no silence 7 in force"),
    ],
)
def test_silence_explains_what_is_wrong(
    config_dir: ConfigDir, args: list[str], message: str
) -> None:
    config_dir.write(["https://feeds.example/rss"])
    code, _, err = invoke(*args, "--config", str(config_dir.path))
    assert code in (1, 2)
    assert message in err


def test_dead_deliveries_are_listed_retried_and_sent(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    url = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    where = ("--config", str(config_dir.path))

    def configure(hook: str) -> None:
        config_dir.write(
            [url],
            channels={"team": {"type": "webhook", "url": hook}},
            watch_channels=["team"],
            settings={"delivery": {"max_attempts": 1}},
        )

    configure("http://127.0.0.1:9/hook")  # nothing listens there
    assert "2 given up" in invoke("poll", "--once", *where)[1]
    listed = invoke("deliveries", *where)[1].splitlines()
    assert len(listed) == 3
    assert all("dead" in line and "webhook unreachable" in line for line in listed[1:])

    assert invoke("deliveries", *where, "retry")[1] == "2 dead deliveries queued again\n"
    configure(webhook.url("/hook"))
    assert invoke("deliver", "--once", *where)[1] == (
        "deliveries: 2 sent, 0 to retry, 0 given up\n"
    )
    assert len(webhook.payloads) == 2
    assert invoke("deliveries", *where)[1].strip() == "no deliveries"


def test_channels_test_sends_a_test_alert_and_reports_failure(
    config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    config_dir.write(
        ["https://feeds.example/rss"],
        channels={
            "team": {"type": "webhook", "url": webhook.url("/hook")},
            "broken": {"type": "webhook", "url": "http://127.0.0.1:9/hook"},
        },
        watch_channels=["team"],
    )
    where = ("--config", str(config_dir.path))

    code, out, _ = invoke("channels", "test", "team", *where)
    assert (code, out) == (0, "channel team: the test alert was accepted\n")
    assert webhook.payloads[0]["kind"] == "test"

    code, _, err = invoke("channels", "test", "broken", *where)
    assert code == 1
    assert "channel broken: webhook unreachable" in err
    assert "127.0.0.1:9" not in err  # the URL is a secret

    code, _, err = invoke("channels", "test", "nope", *where)
    assert code == 2
    assert "no channel named 'nope'" in err


def test_status_shows_feed_health_the_tension_index_and_the_outbox(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    good = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    down = feed_server.url("/missing.xml")
    config_dir.write([{"url": good, "name": "Ibar Valley Courier"}, down])
    where = ("--config", str(config_dir.path))
    invoke("poll", "--once", *where)

    code, out, _ = invoke("status", *where)

    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "daemon: has never run on this database"  # poll --once is no daemon
    assert lines[1] == f"config: {config_dir.path}, valid"
    assert lines[2] == "feeds (2 active):"
    courier = next(line for line in lines if "Ibar Valley Courier" in line)
    assert "ok 200" in courier
    assert courier.split()[-1] == "4"  # articles in the last 24 hours
    assert any("last error: HTTP 404" in line for line in lines)
    assert any(line.startswith("  serbia-kosovo: tension index ") for line in lines)
    assert lines[-2] == "deliveries: 0 pending, 0 dead, 2 sent"
    assert lines[-1] == f"database: {config_dir.database.resolve()}"


def test_logs_can_be_one_json_object_per_line(
    config_dir: ConfigDir, feed_server: FeedServer
) -> None:
    config_dir.write([feed_server.url("/missing.xml")])
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "poll", "--once", "--log-format", "json",
         "--config", str(config_dir.path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    failure = next(line for line in lines if "poll failed" in line["message"])
    assert failure["level"] == "warning"
    assert failure["logger"] == "monitor.poll.feeds"
    assert set(failure) == {"time", "level", "logger", "message"}

"""Feeds as Miniflux treats them: moves, 410 Gone, backoff, per-feed settings, OPML import."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ConfigDir, FeedServer, Route, rss

from monitor.cli import main
from monitor.config import load_config
from monitor.config.feedsfile import appended
from monitor.config.opml import OpmlFeed, read_opml
from monitor.daemon.run import poll_once
from monitor.errors import ConfigError, FeedsFileError, OpmlError
from monitor.poll.cycle import CycleReport

FEED = rss([{"title": "Talks in Brussels", "link": "https://a.example/1", "guid": "a-1"}])
POLL = {"timeout": "5s", "jitter": 0, "workers": 0}


def write(config_dir: ConfigDir, feeds: list[Any], **poll: Any) -> Path:
    return config_dir.write(feeds, settings={"poll": {**POLL, **poll}})


def poll(config_path: Path, environ: dict[str, str] | None = None) -> CycleReport:
    return asyncio.run(poll_once(load_config(config_path, environ)))


def feed_row(database: Path, url: str) -> dict[str, Any]:
    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM feeds WHERE url = ?", [url]).fetchone()
    assert row is not None, url
    return dict(row)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def paths(server: FeedServer) -> list[str]:
    return [request.path for request in server.requests]


# --- permanent and temporary redirects ------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 308])
def test_a_permanent_redirect_moves_the_feed_and_the_next_poll_goes_to_the_new_url(
    feed_server: FeedServer, config_dir: ConfigDir, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    new = feed_server.serve("/new.xml", FEED)
    old = feed_server.serve("/old.xml", Route(status=status, headers={"Location": "/new.xml"}))
    config = write(config_dir, [old])

    with caplog.at_level(logging.INFO, logger="monitor.poll"):
        first = poll(config)
    second = poll(config)

    assert (first.updated, first.new_articles) == (1, 1)
    assert second.not_modified == 1
    assert paths(feed_server) == ["/old.xml", "/new.xml", "/new.xml"]
    assert feed_row(config_dir.database, old)["effective_url"] == new
    moves = [r.getMessage() for r in caplog.records if "moved permanently" in r.getMessage()]
    assert moves == [f"feed={old} moved permanently to {new}; polling the new URL from now on"]
    code, out, _ = invoke("status", "--config", str(config))
    assert code == 0
    assert f"moved to {new}" in out
    _, listed, _ = invoke("feeds", "list", "--config", str(config))
    assert f"{old} -> moved to {new}" in listed


@pytest.mark.parametrize("status", [302, 307])
def test_a_temporary_redirect_changes_nothing(
    feed_server: FeedServer, config_dir: ConfigDir, status: int
) -> None:
    feed_server.serve("/today.xml", FEED)
    old = feed_server.serve("/feed.xml", Route(status=status, headers={"Location": "/today.xml"}))
    config = write(config_dir, [old])

    poll(config)
    poll(config)

    assert paths(feed_server) == ["/feed.xml", "/today.xml", "/feed.xml", "/today.xml"]
    assert feed_row(config_dir.database, old)["effective_url"] is None


def test_a_feed_moves_only_as_far_as_the_redirects_are_permanent(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    feed_server.serve("/c.xml", FEED)
    b = feed_server.serve("/b.xml", Route(status=302, headers={"Location": "/c.xml"}))
    a = feed_server.serve("/a.xml", Route(status=301, headers={"Location": "/b.xml"}))
    config = write(config_dir, [a])

    poll(config)

    assert feed_row(config_dir.database, a)["effective_url"] == b


def test_writing_the_new_url_in_feeds_yaml_keeps_the_feeds_history(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    new = feed_server.serve("/new.xml", FEED)
    old = feed_server.serve("/old.xml", Route(status=301, headers={"Location": "/new.xml"}))
    config = write(config_dir, [old])
    poll(config)
    moved = feed_row(config_dir.database, old)

    write(config_dir, [new])
    report = poll(config)

    assert report.not_modified == 1  # the same row, with its ETag
    row = feed_row(config_dir.database, new)
    assert (row["id"], row["effective_url"], row["active"]) == (moved["id"], None, 1)
    with sqlite3.connect(config_dir.database) as db:
        assert db.execute("SELECT count(*) FROM feeds").fetchone() == (1,)


# --- 410 Gone ------------------------------------------------------------------------------------


def test_410_gone_stops_polling_the_feed_until_its_entry_changes(
    feed_server: FeedServer, config_dir: ConfigDir, caplog: pytest.LogCaptureFixture
) -> None:
    url = feed_server.serve("/gone.xml", Route(status=410, body=b"gone"))
    config = write(config_dir, [url])

    with caplog.at_level(logging.INFO, logger="monitor.poll"):
        first = poll(config)
        second = poll(config)

    assert (first.polled, first.failed) == (1, 1)
    assert second.polled == 0
    assert paths(feed_server) == ["/gone.xml"]
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("monitor.poll")]
    assert lines == [
        f"feed={url} answered 410 Gone: no longer polled until its entry in feeds.yaml "
        f"changes or 'monitor feeds enable {url}' is run"
    ]
    _, out, _ = invoke("status", "--config", str(config))
    line = next(line for line in out.splitlines() if url[:32] in line)
    assert "gone 410" in line and "not polled" in line
    assert "410 Gone since" in out

    feed_server.serve("/gone.xml", FEED)
    write(config_dir, [{"url": url, "name": "Back again"}])
    third = poll(config)

    assert (third.polled, third.updated) == (1, 1)
    assert feed_row(config_dir.database, url)["gone_at"] is None


def test_monitor_feeds_enable_polls_a_gone_feed_again(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    url = feed_server.serve("/gone.xml", Route(status=410))
    config = write(config_dir, [url])
    poll(config)
    feed_server.serve("/gone.xml", FEED)

    code, out, _ = invoke("feeds", "enable", url, "--config", str(config))
    again = poll(config)

    assert code == 0
    assert out == f"feed {url}: polled again from the next cycle\n"
    assert (again.polled, again.updated) == (1, 1)
    code, _, err = invoke("feeds", "enable", url, "--config", str(config))
    assert code == 1
    assert "was stopped by 410 Gone" in err


@pytest.mark.parametrize("status", [404, 500, 503])
def test_other_error_statuses_stay_ordinary_failures(
    feed_server: FeedServer, config_dir: ConfigDir, status: int
) -> None:
    url = feed_server.serve("/feed.xml", Route(status=status))
    config = write(config_dir, [url])

    poll(config)
    again = poll(config)

    assert again.failed == 1
    assert feed_row(config_dir.database, url)["gone_at"] is None


# --- backoff -------------------------------------------------------------------------------------


def test_repeated_failures_back_off_and_are_shown(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    url = feed_server.serve("/broken.xml", Route(status=500))
    config = write(config_dir, [{"url": url, "interval": "10m"}], max_backoff="1h")

    delays = []
    for _ in range(4):
        poll(config)
        row = feed_row(config_dir.database, url)
        polled = datetime.fromisoformat(row["last_polled_at"])
        delays.append((datetime.fromisoformat(row["next_poll_at"]) - polled).total_seconds())

    assert delays == [1200, 2400, 3600, 3600]  # doubling, capped at max_backoff
    assert row["consecutive_errors"] == 4
    _, out, _ = invoke("status", "--config", str(config))
    line = next(line for line in out.splitlines() if "error 500" in line)
    assert line.split()[6] == "4"  # the errors column
    assert "last error: HTTP 500 Internal Server Error (failing since " in out


def test_each_feed_keeps_its_own_interval(feed_server: FeedServer, config_dir: ConfigDir) -> None:
    fast = feed_server.serve("/fast.xml", FEED)
    slow = feed_server.serve("/slow.xml", rss([{"title": "Other", "guid": "b-1"}]))
    config = write(config_dir, [{"url": fast, "interval": "15m"}, {"url": slow, "interval": "2h"}])

    poll(config)

    for url, seconds in ((fast, 900), (slow, 7200)):
        row = feed_row(config_dir.database, url)
        due = datetime.fromisoformat(row["next_poll_at"])
        assert (due - datetime.fromisoformat(row["last_polled_at"])).total_seconds() == seconds


# --- per-feed enabled, headers, timeout ----------------------------------------------------------


def test_a_disabled_feed_is_not_polled_and_says_so(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    on = feed_server.serve("/on.xml", FEED)
    off = feed_server.serve("/off.xml", FEED)
    config = write(config_dir, [on, {"url": off, "name": "Paused", "enabled": False}])

    report = poll(config)

    assert report.polled == 1
    assert paths(feed_server) == ["/on.xml"]
    _, out, _ = invoke("status", "--config", str(config))
    paused = next(line for line in out.splitlines() if "Paused" in line)
    assert "disabled" in paused and "not polled" in paused
    _, listed, _ = invoke("feeds", "list", "--config", str(config))
    assert any(line.startswith("disabled  Paused") for line in listed.splitlines())


def test_per_feed_headers_reach_the_server(feed_server: FeedServer, config_dir: ConfigDir) -> None:
    url = feed_server.serve("/private.xml", FEED)
    headers = {"X-Api-Key": "${FEED_KEY}", "User-Agent": "analysts-desk/1.0"}
    config = write(config_dir, [{"url": url, "headers": headers}])

    report = poll(config, {"FEED_KEY": "k-123"})

    assert report.updated == 1
    sent = feed_server.requests[0].headers
    assert (sent["X-Api-Key"], sent["User-Agent"]) == ("k-123", "analysts-desk/1.0")
    assert "k-123" in load_config(config, {"FEED_KEY": "k-123"}).secrets


def test_a_header_secret_never_reaches_the_logs(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    url = feed_server.serve("/private.xml", Route(status=401, body=b"bad key"))
    config = write(config_dir, [{"url": url, "headers": {"Authorization": "Bearer ${FEED_TOKEN}"}}])
    env = {**os.environ, "FEED_TOKEN": "very-secret-feed-token"}

    result = subprocess.run(
        [sys.executable, "-m", "monitor", "poll", "--once", "--log-level", "debug",
         "--config", str(config)],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert feed_server.requests[0].headers["Authorization"] == "Bearer very-secret-feed-token"
    assert "HTTP 401" in result.stderr
    assert "very-secret-feed-token" not in result.stderr + result.stdout


def test_a_feeds_own_timeout_overrides_poll_timeout_both_ways(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    slow = feed_server.serve("/slow.xml", Route(body=FEED, delay=1.0))
    hasty = feed_server.serve("/hasty.xml", Route(body=FEED, delay=1.0))
    config = write(
        config_dir,
        [{"url": slow, "timeout": "5s"}, {"url": hasty, "timeout": "0.3s"}],
        timeout="0.5s",
    )

    report = poll(config)

    assert (report.updated, report.failed) == (1, 1)
    assert feed_row(config_dir.database, slow)["last_status"] == "ok"
    assert feed_row(config_dir.database, hasty)["last_error"] == "timed out after 0.3s"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("    enabled: yes", "feeds.yaml:4: feeds[0].enabled: expected true or false"),
        ("    timeout: soon", "feeds.yaml:4: feeds[0].timeout: expected a duration like"),
        ("    timeout: 0s", "feeds.yaml:4: feeds[0].timeout: expected a duration greater than"),
        (
            "    headers: {Bad Name: x}",
            "feeds.yaml:4: feeds[0].headers: 'Bad Name' is not a valid HTTP header name",
        ),
        ("    headers: {X-Count: 5}", "feeds.yaml:4: feeds[0].headers.X-Count: expected a string"),
    ],
)
def test_bad_feed_settings_name_file_line_and_field(
    config_dir: ConfigDir, entry: str, message: str
) -> None:
    write(config_dir, [])
    text = f"# feeds\nfeeds:\n  - url: https://a.example/rss\n{entry}\n"
    (config_dir.path / "feeds.yaml").write_text(text, encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_config(config_dir.path)

    assert any(message in str(problem) for problem in caught.value.problems), caught.value


def test_a_header_value_from_the_environment_is_checked_but_never_quoted(
    config_dir: ConfigDir,
) -> None:
    write(config_dir, [{"url": "https://a.example/rss", "headers": {"X-Key": "${KEY}"}}])

    with pytest.raises(ConfigError) as caught:
        load_config(config_dir.path, {"KEY": "line1\nsecret-line2"})

    assert "must be one line of ASCII text" in str(caught.value)
    assert "secret-line2" not in str(caught.value)


# --- OPML import ---------------------------------------------------------------------------------

OPML = """<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head><title>Reader export</title></head>
  <body>
    <outline text="Balkans">
      <outline type="rss" text="Balkan Insight" title="Balkan Insight"
               xmlUrl="https://balkaninsight.com/feed/"/>
      <outline type="rss" text="Kosovo Online – vesti" xmlUrl="https://www.kosovo-online.com/rss"/>
    </outline>
    <outline type="rss" text="Already here" xmlUrl="https://PRISHTINAINSIGHT.com/feed/"/>
    <outline type="rss" text="Again" xmlUrl="https://balkaninsight.com/feed/"/>
    <outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>
    <outline type="rss" text="Leaky" xmlUrl="https://evil.example/rss?k=${HOME}"/>
    <outline text="A folder with no feed"/>
  </body>
</opml>
"""

FEEDS_YAML = """\
# The outlets we follow.
feeds:
  - url: https://prishtinainsight.com/feed/
    name: Prishtina Insight   # English-language
    interval: 15m
  # more below
"""


def test_opml_import_appends_new_feeds_and_keeps_the_file_as_written(
    config_dir: ConfigDir, tmp_path: Path
) -> None:
    write(config_dir, [])
    feeds_yaml = config_dir.path / "feeds.yaml"
    feeds_yaml.write_text(FEEDS_YAML, encoding="utf-8")
    opml = tmp_path / "export.opml"
    opml.write_text(OPML, encoding="utf-8")

    code, out, _ = invoke("feeds", "import", str(opml), "--config", str(config_dir.path))

    assert code == 0
    assert out.splitlines() == [
        "added https://balkaninsight.com/feed/ (Balkan Insight)",
        "added https://www.kosovo-online.com/rss (Kosovo Online – vesti)",
        "skipped https://PRISHTINAINSIGHT.com/feed/: already in feeds.yaml",
        "skipped https://balkaninsight.com/feed/: listed twice in the OPML file",
        "skipped file:///etc/passwd: not an http(s) URL",
        "skipped https://evil.example/rss?k=${HOME}: the URL contains '${'",
        f"2 added, 4 skipped in {feeds_yaml}",
    ]
    text = feeds_yaml.read_text(encoding="utf-8")
    assert text.startswith(FEEDS_YAML)
    assert text[len(FEEDS_YAML) :] == (
        "  - url: https://balkaninsight.com/feed/\n"
        "    name: Balkan Insight\n"
        "  - url: https://www.kosovo-online.com/rss\n"
        "    name: Kosovo Online – vesti\n"
    )
    code, out, _ = invoke("check", "--config", str(config_dir.path))
    assert code == 0, out
    names = [feed.name for feed in load_config(config_dir.path).feeds]
    assert names == ["Prishtina Insight", "Balkan Insight", "Kosovo Online – vesti"]

    code, out, _ = invoke("feeds", "import", str(opml), "--config", str(config_dir.path))
    assert out.splitlines()[-1] == f"0 added, 6 skipped in {feeds_yaml}"
    assert feeds_yaml.read_text(encoding="utf-8") == text


def test_opml_import_dry_run_changes_nothing(config_dir: ConfigDir, tmp_path: Path) -> None:
    write(config_dir, [])
    feeds_yaml = config_dir.path / "feeds.yaml"
    feeds_yaml.write_text(FEEDS_YAML, encoding="utf-8")
    opml = tmp_path / "export.opml"
    opml.write_text(OPML, encoding="utf-8")

    code, out, _ = invoke(
        "feeds", "import", "--dry-run", str(opml), "--config", str(config_dir.path)
    )

    assert code == 0
    assert out.splitlines()[0] == "would add https://balkaninsight.com/feed/ (Balkan Insight)"
    assert out.splitlines()[-1] == f"2 to add, 4 skipped ({feeds_yaml} not changed)"
    assert feeds_yaml.read_text(encoding="utf-8") == FEEDS_YAML


NEW = "- url: https://b.example/\n  name: 'B: yes'\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("feeds:\n- url: https://a.example/\n", "feeds:\n- url: https://a.example/\n" + NEW),
        (
            "feeds:\n    - url: https://a.example/",
            "feeds:\n    - url: https://a.example/\n    " + NEW.replace("\n  ", "\n      "),
        ),
        ("feeds: []\n", "feeds: \n  " + NEW.replace("\n  ", "\n    ")),
        ("feeds:\n", "feeds:\n  " + NEW.replace("\n  ", "\n    ")),
        ("# nothing yet", "# nothing yet\nfeeds:\n  " + NEW.replace("\n  ", "\n    ")),
    ],
)
def test_new_feeds_are_appended_in_the_files_own_layout(
    tmp_path: Path, text: str, expected: str
) -> None:
    result = appended(tmp_path / "feeds.yaml", text, [OpmlFeed("https://b.example/", "B: yes")])
    assert result == expected


@pytest.mark.parametrize(
    "text",
    ["feeds: [{url: https://a.example/}]\n", "feeds:\n  - url: https://a.example/\n...\n"],
)
def test_a_feeds_yaml_that_cannot_be_appended_to_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(FeedsFileError, match="cannot append feeds"):
        appended(tmp_path / "feeds.yaml", text, [OpmlFeed("https://b.example/", None)])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<opml><body><outline xmlUrl='x'>\n</body></opml>", "export.opml:2: not well-formed XML"),
        ("<html><body/></html>", "not an OPML file"),
        ("<opml><body><outline text='empty folder'/></body></opml>", "no feeds found"),
        (
            '<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            "<opml><body><outline xmlUrl='https://x.example/&b;'/></body></opml>",
            "refused: it declares XML entities",
        ),
    ],
)
def test_a_bad_opml_file_gives_one_clear_error(
    config_dir: ConfigDir, tmp_path: Path, content: str, message: str
) -> None:
    write(config_dir, [])
    before = (config_dir.path / "feeds.yaml").read_text(encoding="utf-8")
    opml = tmp_path / "export.opml"
    opml.write_text(content, encoding="utf-8")

    code, _, err = invoke("feeds", "import", str(opml), "--config", str(config_dir.path))

    assert code == 2
    assert message in err
    assert err.count("\n") == 1
    assert (config_dir.path / "feeds.yaml").read_text(encoding="utf-8") == before
    with pytest.raises(OpmlError):
        read_opml(opml)

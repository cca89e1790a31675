"""An operator's first commands, run as a person runs them: the real ``monitor``
in a subprocess, from a working directory that is not the checkout, with and
without the environment variables the config names.

Reading commands work without channel secrets and with a watch mid-edit (and
say what they left out); the database is found from the config directory, not
the working directory, and a missing one is an error naming it; ``--config``
goes before or after the command; ``monitor init`` starts a config of one's
own; the built wheel installs and runs outside the checkout.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml
from conftest import REPO, ConfigDir, FeedServer, WebhookReceiver, rss

from monitor.config import load_config

WEBHOOK = {"type": "webhook", "url": "${MONITOR_WEBHOOK_URL}"}


def monitor(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m monitor ARGS`` in ``cwd``; ``env`` on top of an environment without
    ``MONITOR_CONFIG`` and ``MONITOR_WEBHOOK_URL``."""
    base = {
        k: v for k, v in os.environ.items() if k not in ("MONITOR_CONFIG", "MONITOR_WEBHOOK_URL")
    }
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd, env={**base, **(env or {})}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory that holds neither the config nor the database."""
    directory = tmp_path / "elsewhere"
    directory.mkdir()
    return directory


def polled(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver, cwd: Path
) -> Path:
    """A config with a webhook channel whose URL is a secret, polled once (with the
    secret set) so that its database holds an article."""
    url = feed_server.serve(
        "/rss", rss([{"title": "Clashes in Zvecan", "link": "https://news.example/1"}])
    )
    config_dir.write(
        [url],
        channels={"console": {"type": "console"}, "team-webhook": WEBHOOK},
        watch_channels=["console", "team-webhook"],
    )
    done = monitor(
        "poll", "--once", "--config", str(config_dir.path),
        cwd=cwd, env={"MONITOR_WEBHOOK_URL": webhook.url("/hook")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return config_dir.path


READING = [
    ["alerts"],
    ["search", "Zvecan"],
    ["db", "stats"],
    ["feeds", "list"],
    ["export"],
    ["status"],
    ["deliveries"],
]


def test_reading_commands_work_without_the_channel_secrets_and_say_what_they_skipped(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver, elsewhere: Path
) -> None:
    directory = polled(config_dir, feed_server, webhook, elsewhere)
    for command in READING:
        done = monitor(*command, "--config", str(directory), cwd=elsewhere)
        assert done.returncode == 0, (command, done.stderr)
        notes = [line for line in done.stderr.splitlines() if "channels not loaded" in line]
        assert len(notes) == 1, (command, done.stderr)
        assert "MONITOR_WEBHOOK_URL is not set" in notes[0]
    assert "Zvecan" in monitor("search", "Zvecan", "--config", str(directory), cwd=elsewhere).stdout


def test_run_and_check_stay_strict_about_an_unset_secret(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver, elsewhere: Path
) -> None:
    directory = polled(config_dir, feed_server, webhook, elsewhere)
    for command in (["check"], ["run"], ["poll", "--once"]):
        done = monitor(*command, "--config", str(directory), cwd=elsewhere)
        assert done.returncode == 2, command
        assert "environment variable MONITOR_WEBHOOK_URL is not set" in done.stderr


def test_status_does_not_call_the_files_invalid_for_a_secret_this_shell_lacks(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver, elsewhere: Path
) -> None:
    directory = polled(config_dir, feed_server, webhook, elsewhere)
    done = monitor("status", "--config", str(directory), cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert "INVALID" not in done.stdout
    assert f"database: {config_dir.database.resolve()}" in done.stdout


def test_a_watch_mid_edit_leaves_the_reading_commands_working(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver, elsewhere: Path
) -> None:
    directory = polled(config_dir, feed_server, webhook, elsewhere)
    watch = directory / "watches" / "serbia-kosovo.yaml"
    watch.write_text(
        watch.read_text(encoding="utf-8").replace("weight: 5", "weight: six", 1), encoding="utf-8"
    )
    env = {"MONITOR_WEBHOOK_URL": webhook.url("/hook")}
    for command in (["alerts"], ["search", "Zvecan"]):
        done = monitor(*command, "--config", str(directory), cwd=elsewhere, env=env)
        assert done.returncode == 0, (command, done.stderr)
        assert "watch not loaded" in done.stderr and "expected a number" in done.stderr
    assert monitor("check", "--config", str(directory), cwd=elsewhere, env=env).returncode == 2


def test_a_relative_database_is_found_from_the_config_directory(
    config_dir: ConfigDir, feed_server: FeedServer, tmp_path: Path, elsewhere: Path
) -> None:
    url = feed_server.serve(
        "/rss", rss([{"title": "Talks in Brussels", "link": "https://n.example/2"}])
    )
    config_dir.write([url], settings={"database": "state/monitor.db"})
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    assert monitor("poll", "--once", "--config", str(config_dir.path), cwd=first).returncode == 0
    expected = (config_dir.path / "state" / "monitor.db").resolve()
    assert expected.is_file()
    assert not (first / "state").exists()
    stats = monitor("db", "stats", "--config", str(config_dir.path), cwd=second)
    assert stats.returncode == 0, stats.stderr
    assert f"database {expected}:" in stats.stdout


def test_a_reading_command_on_a_missing_database_exits_2_naming_it(
    config_dir: ConfigDir, elsewhere: Path
) -> None:
    config_dir.write(["https://feeds.example/rss"])
    for command in (["alerts"], ["search", "x"], ["db", "stats"], ["status"], ["export"]):
        done = monitor(*command, "--config", str(config_dir.path), cwd=elsewhere)
        assert done.returncode == 2, command
        assert str(config_dir.database) in done.stderr
        assert "no alerts" not in done.stdout
    assert not config_dir.database.exists()


def test_the_shipped_database_lands_where_it_did_in_the_checkout() -> None:
    config = load_config(REPO / "config")
    assert config.database_path == (REPO / "data" / "monitor.db").resolve()


def test_config_before_or_after_the_command_or_from_the_environment(
    config_dir: ConfigDir, elsewhere: Path
) -> None:
    config_dir.write(["https://feeds.example/rss"])
    where = str(config_dir.path)
    for args, env in (
        (["--config", where, "check"], {}),
        (["check", "--config", where], {}),
        (["check"], {"MONITOR_CONFIG": where}),
    ):
        done = monitor(*args, cwd=elsewhere, env=env)
        assert done.returncode == 0, (args, done.stderr)
        assert f"{where}: OK" in done.stdout


def test_config_after_the_command_wins_over_the_one_before(
    config_dir: ConfigDir, elsewhere: Path
) -> None:
    config_dir.write(["https://feeds.example/rss"])
    done = monitor(
        "--config",
        str(elsewhere / "nothing"),
        "check",
        "--config",
        str(config_dir.path),
        cwd=elsewhere,
    )
    assert done.returncode == 0, done.stderr


def test_init_writes_a_config_that_checks_and_refuses_a_non_empty_directory(
    elsewhere: Path,
) -> None:
    done = monitor("init", "mine", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    mine = elsewhere / "mine"
    settings = yaml.safe_load((mine / "monitor.yaml").read_text(encoding="utf-8"))
    assert settings["channels"] == {"console": {"type": "console"}}
    assert "What to change first" in (mine / "monitor.yaml").read_text(encoding="utf-8")
    assert (mine / "watches" / "serbia-kosovo.yaml").read_bytes() == (
        REPO / "config" / "watches" / "serbia-kosovo.yaml"
    ).read_bytes()
    checked = monitor("check", "--config", "mine", cwd=elsewhere)
    assert checked.returncode == 0, checked.stderr
    assert load_config(mine).database_path == (mine / "data" / "monitor.db").resolve()

    before = (mine / "monitor.yaml").read_text(encoding="utf-8")
    again = monitor("init", "mine", cwd=elsewhere)
    assert again.returncode == 2
    assert "not empty" in again.stderr
    assert (mine / "monitor.yaml").read_text(encoding="utf-8") == before


def test_export_without_format_writes_csv(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver, elsewhere: Path
) -> None:
    directory = polled(config_dir, feed_server, webhook, elsewhere)
    done = monitor("export", "--config", str(directory), cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and rows[0]["title"] == "Clashes in Zvecan"


def test_the_built_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    """``uv build`` the wheel, install it with pip into a fresh venv and run its
    ``monitor``. The venv borrows the dependencies of this interpreter (a .pth
    file), so the test needs no network; the ``monitor`` package and the shipped
    config it uses are the wheel's."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    built = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(REPO)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if built.returncode != 0:
        pytest.skip(f"uv build could not run (offline?): {built.stderr[-300:]}")
    wheel = next((tmp_path / "dist").glob("monitor-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    dependencies = [p for p in sys.path if p.endswith("site-packages")]
    (Path(site) / "borrowed_dependencies.pth").write_text("\n".join(dependencies) + "\n")

    outside = tmp_path / "outside"
    outside.mkdir()
    script = str(env_dir / "bin" / "monitor")
    env = {k: v for k, v in os.environ.items() if k not in ("MONITOR_CONFIG", "PYTHONPATH")}
    version = subprocess.run(
        [script, "--version"], cwd=outside, env=env, capture_output=True, text=True
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("monitor, version")
    where = subprocess.run(
        [str(python), "-c", "import monitor; print(monitor.__file__)"],
        cwd=outside, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert where.startswith(str(env_dir)), where

    shutil.copytree(REPO / "config", outside / "config-copy")
    checked = subprocess.run(
        [script, "check", "--config", "config-copy"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    started = subprocess.run(
        [script, "init", "mine"], cwd=outside, env=env, capture_output=True, text=True
    )
    assert started.returncode == 0, started.stderr
    assert (outside / "mine" / "watches" / "serbia-kosovo.yaml").is_file()


def test_status_says_when_the_running_config_was_loaded_and_which_files_differ(
    config_dir: ConfigDir, feed_server: FeedServer, tmp_path: Path, elsewhere: Path
) -> None:
    from test_daemon import free_port, running, wait_for

    port = free_port()
    settings = {"http": {"listen": f"127.0.0.1:{port}"}, "poll": {"tick": "0.5s", "jitter": 0}}
    url = feed_server.serve(
        "/rss", rss([{"title": "Talks in Brussels", "link": "https://n.example/3"}])
    )
    config_dir.write([url], settings=settings)
    where = str(config_dir.path)
    with running(config_dir.path, port, tmp_path / "daemon.log") as daemon:
        wait_for(lambda: daemon.status().get("config", {}).get("running_is_on_disk"))
        done = monitor("status", "--config", where, cwd=elsewhere)
        assert done.returncode == 0, done.stderr
        assert f"config: {where}, valid; the daemon runs this config, of 20" in done.stdout

        watch = config_dir.path / "watches" / "serbia-kosovo.yaml"
        watch.write_text(
            watch.read_text(encoding="utf-8").replace("weight: 5", "weight: six", 1), "utf-8"
        )
        wait_for(lambda: daemon.status().get("config", {}).get("reload_error"))
        done = monitor("status", "--config", where, cwd=elsewhere)
        assert done.returncode == 0, done.stderr
        assert "the daemon keeps running the last good config, of 20" in done.stdout
        assert "changed since: watches/serbia-kosovo.yaml" in done.stdout
        daemon.stop()

"""The Dockerfile and compose.yaml, checked without Docker.

The image cannot be built in the test suite, so these tests read the files:
the final stage runs as a non-root user, the shipped database path lands on
the volume, the config is mounted read-only where the image reads it, and the
HEALTHCHECK command, run against a real server on 127.0.0.1, tells a 200 from
a 503.
"""

from __future__ import annotations

import json
import os
import posixpath
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def final_stage() -> list[tuple[str, str]]:
    """The instructions of the Dockerfile's last stage, as (INSTRUCTION, arguments)."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    starts = [index for index, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    return instructions[starts[-1] :]


def last(keyword: str) -> str:
    """The arguments of the last ``keyword`` instruction in the final stage."""
    values = [arguments for found, arguments in final_stage() if found == keyword]
    assert values, f"the final stage has no {keyword}"
    return values[-1]


def environment() -> dict[str, str]:
    """The ENV values the final stage sets (``ENV NAME=value ...`` form)."""
    values: dict[str, str] = {}
    for keyword, arguments in final_stage():
        if keyword == "ENV":
            for pair in arguments.split():
                name, _, value = pair.partition("=")
                values[name] = value
    return values


def monitor_service() -> dict[str, Any]:
    """The ``monitor`` service of compose.yaml."""
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    service: dict[str, Any] = compose["services"]["monitor"]
    return service


def test_the_image_runs_as_a_user_other_than_root() -> None:
    user = last("USER").split(":")[0]
    assert user not in {"root", "0"}


def test_the_shipped_database_path_lands_on_the_volume() -> None:
    volumes = json.loads(last("VOLUME"))
    settings = yaml.safe_load((REPO / "config" / "monitor.yaml").read_text(encoding="utf-8"))
    # A relative database: is taken from the config directory, MONITOR_CONFIG.
    joined = PurePosixPath(environment()["MONITOR_CONFIG"]) / settings["database"]
    database = PurePosixPath(posixpath.normpath(joined))
    assert any(database.is_relative_to(volume) for volume in volumes), database


def test_compose_mounts_the_config_read_only_where_the_image_reads_it() -> None:
    mounts = [volume.split(":") for volume in monitor_service()["volumes"]]
    assert [environment()["MONITOR_CONFIG"], "ro"] in [mount[1:] for mount in mounts]


def test_compose_keeps_the_data_on_a_named_volume() -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    volumes = json.loads(last("VOLUME"))
    named = {
        source: target
        for source, target, *_ in (volume.split(":") for volume in monitor_service()["volumes"])
        if source in compose["volumes"]
    }
    assert sorted(named.values()) == sorted(volumes)
    assert monitor_service()["restart"] in {"always", "unless-stopped", "on-failure"}


class Health(BaseHTTPRequestHandler):
    """Answers /healthz with the status the test sets on the server."""

    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        """200 or 503 on /healthz, 404 elsewhere."""
        status = self.server.health if self.path == "/healthz" else 404
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def health_server() -> Iterator[Any]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    server.health = 200  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run_healthcheck(url: str) -> int:
    """Run the HEALTHCHECK command as Docker would, with its URL pointed at ``url``."""
    arguments = last("HEALTHCHECK")
    command = json.loads(arguments[arguments.index("CMD") + len("CMD") :])
    assert command[0] == "python"
    # The image's default URL is the daemon's default http.listen address.
    assert environment()["MONITOR_HEALTHCHECK_URL"] == "http://127.0.0.1:8787/healthz"
    # A proxy in the environment must not take the request away from the container's loopback.
    dead_proxy = "http://127.0.0.1:9"
    env = {
        **os.environ,
        "MONITOR_HEALTHCHECK_URL": url,
        "HTTP_PROXY": dead_proxy,
        "http_proxy": dead_proxy,
        "NO_PROXY": "",
        "no_proxy": "",
    }
    result = subprocess.run(
        [sys.executable, *command[1:]], env=env, capture_output=True, timeout=30, check=False
    )
    return result.returncode


def test_the_healthcheck_passes_on_200_and_fails_on_503(health_server: Any) -> None:
    url = f"http://127.0.0.1:{health_server.server_address[1]}/healthz"
    assert run_healthcheck(url) == 0
    health_server.health = 503
    assert run_healthcheck(url) == 1


def test_the_healthcheck_fails_when_nothing_listens(health_server: Any) -> None:
    port = health_server.server_address[1]
    health_server.shutdown()
    health_server.server_close()
    assert run_healthcheck(f"http://127.0.0.1:{port}/healthz") == 1

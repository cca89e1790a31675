"""An ntfy server behind a reverse proxy under a path prefix receives every alert (issue #15)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from conftest import ConfigDir, WebhookReceiver, _WebhookHandler

from monitor.channels.ntfy import split_topic_url
from monitor.cli import main

PREFIX = "/ntfy/"


class _ProxiedHandler(_WebhookHandler):
    """A reverse proxy that passes only what is under ``PREFIX`` on to the server."""

    def do_POST(self) -> None:
        if self.path.startswith(PREFIX):
            super().do_POST()
            return
        request = self._record()
        request.status = 404  # type: ignore[attr-defined]
        self._send(404, b"not found", {"Content-Type": "text/plain"})


@pytest.fixture
def proxied_ntfy() -> Iterator[WebhookReceiver]:
    """The real webhook receiver, reachable only under ``/ntfy/`` as behind nginx."""
    server = WebhookReceiver()
    server.httpd.RequestHandlerClass = _ProxiedHandler
    yield server
    server.close()


def test_an_ntfy_topic_behind_a_path_prefix_gets_the_alert(
    config_dir: ConfigDir, proxied_ntfy: WebhookReceiver
) -> None:
    config_dir.write(
        ["https://feeds.example/rss"],
        channels={"phone": {"type": "ntfy", "url": proxied_ntfy.url("/ntfy/alerts")}},
        watch_channels=["phone"],
    )

    result = CliRunner().invoke(
        main, ["channels", "test", "phone", "--config", str(config_dir.path)]
    )

    assert (result.exit_code, result.stdout) == (0, "channel phone: the test alert was accepted\n")
    (request,) = proxied_ntfy.requests
    assert request.path == "/ntfy/"  # ntfy's JSON form is published at its root
    assert json.loads(request.body)["topic"] == "alerts"


@pytest.mark.parametrize(
    ("url", "root", "topic"),
    [
        ("https://ntfy.sh/kosovo-alerts", "https://ntfy.sh/", "kosovo-alerts"),
        ("https://host/ntfy/alerts", "https://host/ntfy/", "alerts"),
        ("https://host/ntfy/alerts/", "https://host/ntfy/", "alerts"),
        ("https://host/a/b/alerts?auth=tk", "https://host/a/b/?auth=tk", "alerts"),
    ],
)
def test_a_topic_url_keeps_its_path_prefix_and_query(url: str, root: str, topic: str) -> None:
    assert split_topic_url(url) == (root, topic)

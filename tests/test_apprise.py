"""The Apprise channel (issue #17) against real receivers on 127.0.0.1.

Four targets, each a real server: Apprise's ``json://`` to a webhook receiver,
``ntfy://`` to another, ``signal://`` to a stand-in for signal-cli's REST API
(``POST /v2/send``) and ``mailto://`` to aiosmtpd. The hostile title goes through
each; one target failing is retried on its own, through the real outbox and
across a restart of the real CLI; ``monitor channels test`` says which targets
accepted; a URL given as ``${NAME}`` appears nowhere.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from conftest import (
    ConfigDir,
    FeedServer,
    Inbox,
    WebhookReceiver,
    _Handler,
    _Server,
    rss,
    subject,
)
from test_channels import PAYLOAD

from monitor.alerts.outbox import deliver_due
from monitor.channels import build_channels
from monitor.channels.apprise import MemoryJournal
from monitor.cli import main
from monitor.config.models import DeliverySettings, Settings
from monitor.errors import DeliveryError
from monitor.models import Alert
from monitor.store import Store


class SignalRestApi(_Server):
    """A stand-in for signal-cli's REST API: ``POST /v2/send`` answers 201, as the real
    one does; anything else is 404. Queued ``statuses`` are answered first."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        super().__init__(_SignalHandler)

    @property
    def sent(self) -> list[dict[str, Any]]:
        return [json.loads(r.body) for r in self.requests if getattr(r, "status", 0) == 201]


class _SignalHandler(_Handler):
    def do_POST(self) -> None:
        request = self._record()
        server: SignalRestApi = self.server.owner  # type: ignore[attr-defined]
        if request.path != "/v2/send":
            request.status = 404  # type: ignore[attr-defined]
            self._send(404, b'{"error": "not found"}', {"Content-Type": "application/json"})
            return
        status = server.statuses.pop(0) if server.statuses else 201
        request.status = status  # type: ignore[attr-defined]
        body = b'{"timestamp": "1764650000000"}' if status == 201 else b'{"error": "busy"}'
        self._send(status, body, {"Content-Type": "application/json"})


SENDER, RECIPIENT = "+15550001111", "+15550002222"


@dataclass
class Targets:
    """The four receivers and the Apprise URL of each, in the channel's order."""

    json: WebhookReceiver
    ntfy: WebhookReceiver
    signal: SignalRestApi
    inbox: Inbox
    smtp_port: int

    @property
    def urls(self) -> list[str]:
        def host(server: _Server) -> str:
            return server.base_url.removeprefix("http://")

        return [
            f"json://{host(self.json)}/hook",
            f"ntfy://{host(self.ntfy)}/kosovo-alerts",
            f"signal://{host(self.signal)}/{SENDER}/{RECIPIENT}",
            f"mailto://127.0.0.1:{self.smtp_port}?mode=insecure"
            "&from=monitor@example.org&to=desk@example.org",
        ]

    def received(self) -> dict[str, int]:
        """How many notifications each target accepted."""
        return {
            "json": len(self.json.accepted),
            "ntfy": len(self.ntfy.accepted),
            "signal": len(self.signal.sent),
            "mailto": len(self.inbox.messages),
        }


@pytest.fixture
def targets(smtp: tuple[Inbox, int]) -> Iterator[Targets]:
    servers = WebhookReceiver(), WebhookReceiver(), SignalRestApi()
    yield Targets(*servers, *smtp)
    for server in servers:
        server.close()


def channel_settings(urls: list[str], **extra: Any) -> Settings:
    return Settings.model_validate(
        {"channels": {"phones": {"type": "apprise", "urls": urls, **extra}}}
    )


def send(settings: Settings, payload: dict[str, Any], key: str = "key-1") -> None:
    async def run() -> None:
        async with httpx.AsyncClient() as client:
            channels = build_channels(settings.channels, client, console=None)  # type: ignore[arg-type]
            await channels["phones"].send(Alert.from_json(payload), key)

    asyncio.run(run())


def texts(targets: Targets) -> dict[str, str]:
    """What each target received (title and body as one text; the email's parts)."""
    (hook,) = targets.json.payloads
    (ntfy,) = targets.ntfy.payloads
    (signal,) = targets.signal.sent
    (mail,) = targets.inbox.messages
    return {
        "json": hook["title"] + "\n" + hook["message"],
        "ntfy": ntfy["title"] + "\n" + ntfy["message"],
        "signal": signal["message"],
        "mailto": subject(mail) + "\n" + "\n".join(_parts(mail).values()),
    }


def _parts(mail: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()  # type: ignore[union-attr]
        for part in mail.walk()
        if not part.is_multipart()
    }


def test_every_target_receives_the_alert_with_feed_text_made_safe(targets: Targets) -> None:
    send(channel_settings(targets.urls), PAYLOAD)

    received = texts(targets)
    assert targets.received() == {"json": 1, "ntfy": 1, "signal": 1, "mailto": 1}
    assert targets.signal.sent[0]["number"] == SENDER
    assert targets.signal.sent[0]["recipients"] == [RECIPIENT]
    assert targets.ntfy.payloads[0]["topic"] == "kosovo-alerts"
    for name, text in received.items():
        assert "[CRITICAL]" in text, name
        assert "@\u200beveryone" in text, name  # still readable, never a mention
        assert "https://courier.example/a?x=1|y>2" in text, name  # the article's own link
        assert "javascript:" not in text, name
        assert "2 sources" in text, name
        assert "@everyone" not in text and "@here" not in text, name
        assert "<!channel>" not in text, name
        assert "https://evil.example" not in text, name
        assert "\u202e" not in text, name
    # Signal has no titles: the headline is the first line of its message.
    assert received["signal"].startswith("[CRITICAL] <\u200b!channel>")
    # The email is plain text: nothing in it is markup a mail reader would run.
    assert list(_parts(targets.inbox.messages[0])) == ["text/plain"]


def test_markdown_is_escaped_and_only_article_links_are_links(targets: Targets) -> None:
    send(channel_settings(targets.urls, format="markdown"), PAYLOAD)

    received = texts(targets)
    # Apprise sends the Markdown as it is to json:// and turns it into HTML for email.
    hook = received["json"]
    assert "\\[click\\]\\(https:\u200b//evil.example\\)" in hook
    assert "](https://courier.example/a?x=1|y%3E2)" in hook
    assert "\\<script\\>" in hook
    html = _parts(targets.inbox.messages[0])["text/html"]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>x</b>" not in html
    assert html.count("<a href=") == 1
    assert '<a href="https://courier.example/a?x=1|y%3E2">' in html
    for name, text in received.items():
        assert "@everyone" not in text and "@here" not in text, name
        assert "<!channel>" not in text, name
        assert "https://evil.example" not in text, name


def test_long_alerts_are_cut_to_each_services_limit_by_whole_lines(targets: Targets) -> None:
    many = [
        {"title": f"Report {n} " + "x" * 5000, "url": f"https://wire.example/{n}"}
        for n in range(10)
    ]
    send(channel_settings(targets.urls[:3]), {**PAYLOAD, "articles": many})

    # Apprise's limits: ntfy 7800 characters, json and Signal 32768.
    for message, limit in [
        (targets.ntfy.payloads[0]["message"], 7800),
        (targets.json.payloads[0]["message"], 32768),
        (targets.signal.sent[0]["message"], 32768),
    ]:
        assert limit - 5100 < len(message) <= limit
        reports = [line for line in message.splitlines() if line.startswith("- Report")]
        assert reports  # each report that is there is whole, with its link
        assert all(line.endswith(f"x https://wire.example/{n}") for n, line in enumerate(reports))


def test_a_template_writes_the_body_and_feed_values_stay_safe(
    targets: Targets, tmp_path: Path
) -> None:
    template = tmp_path / "phones.j2"
    template.write_text("{% for a in articles %}* {{ a.title }}\n{% endfor %}", "utf-8")
    send(channel_settings(targets.urls[:1], template=str(template)), PAYLOAD)

    (hook,) = targets.json.payloads
    assert hook["message"].startswith("* <\u200b!channel> @\u200beveryone")
    assert "https://evil.example" not in hook["message"]


def queue_alert(store: Store, number: int, now: datetime) -> None:
    store.open_alert(
        watch="serbia-kosovo", kind="article", level="critical",
        dedup_key=f"serbia-kosovo:article:{number}", score=45.5, article_ids=[],
        channels=["phones"], now=now,
        payload=Alert.from_json({**PAYLOAD, "id": f"serbia-kosovo:article:{number}"}),
    )  # fmt: skip


def test_one_failing_target_is_retried_alone_and_the_others_get_it_once(
    targets: Targets, tmp_path: Path
) -> None:
    settings = channel_settings(targets.urls)
    store = Store(tmp_path / "monitor.db")
    start = datetime(2026, 11, 3, 21, 0, tzinfo=UTC)
    queue_alert(store, 1, start)
    targets.ntfy.statuses = [500]
    delivery = DeliverySettings.model_validate({"retry_base": "30s", "jitter": 0})

    async def deliver(at: datetime) -> tuple[int, int]:
        async with httpx.AsyncClient() as client:
            channels = build_channels(settings.channels, client, None, journal=store)  # type: ignore[arg-type]
            report = await deliver_due(store, channels, delivery, at)
        return report.sent, report.retrying

    assert asyncio.run(deliver(start)) == (0, 1)
    assert targets.received() == {"json": 1, "ntfy": 0, "signal": 1, "mailto": 1}
    (row,) = store.list_deliveries(["pending"])
    assert row["last_error"] == (
        "apprise: target 2 (ntfy) did not accept it; accepted by 1 (json), 3 (signal), 4 (mailto)"
    )
    assert asyncio.run(deliver(start + timedelta(seconds=10))) == (0, 0)  # not due yet

    assert asyncio.run(deliver(start + timedelta(seconds=31))) == (1, 0)
    assert targets.received() == {"json": 1, "ntfy": 1, "signal": 1, "mailto": 1}
    assert len(targets.ntfy.requests) == 2  # the failure, then the retry

    assert asyncio.run(deliver(start + timedelta(hours=1))) == (0, 0)
    assert targets.received() == {"json": 1, "ntfy": 1, "signal": 1, "mailto": 1}


def test_a_list_reordered_between_attempts_neither_skips_nor_repeats_a_target(
    targets: Targets,
) -> None:
    journal = MemoryJournal()
    targets.ntfy.statuses = [500]

    async def attempt(urls: list[str]) -> None:
        channels = build_channels(channel_settings(urls).channels, None, None, journal)  # type: ignore[arg-type]
        await channels["phones"].send(Alert.from_json(PAYLOAD), "key-1")

    with pytest.raises(DeliveryError):
        asyncio.run(attempt(targets.urls[:3]))
    asyncio.run(attempt([targets.urls[2], targets.urls[1]]))  # json dropped, the rest swapped

    assert targets.received() == {"json": 1, "ntfy": 1, "signal": 1, "mailto": 0}


def test_a_refused_target_fails_alone(targets: Targets) -> None:
    # Nothing listens on port 9: the connection is refused, the target fails alone.
    settings = channel_settings([*targets.urls[:1], "json://127.0.0.1:9/hook"])
    with pytest.raises(DeliveryError) as caught:
        send(settings, PAYLOAD)
    assert str(caught.value) == "apprise: target 2 (json) did not accept it; accepted by 1 (json)"
    assert targets.received()["json"] == 1


def test_a_target_that_never_answers_is_cut_off_without_holding_up_the_loop(
    targets: Targets,
) -> None:
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        settings = channel_settings(
            [f"json://127.0.0.1:{port}/hook", targets.urls[0]], timeout="1s"
        )

        async def run() -> tuple[int, str]:
            ticks = 0

            async def tick() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.05)
                    ticks += 1

            ticker = asyncio.create_task(tick())
            channels = build_channels(settings.channels, None, None)  # type: ignore[arg-type]
            try:
                await channels["phones"].send(Alert.from_json(PAYLOAD), "key-1")
            except DeliveryError as exc:
                return ticks, str(exc)
            finally:
                ticker.cancel()
            return ticks, ""

        ticks, error = asyncio.run(run())
    assert error.startswith("apprise: target 1 (json) ")
    assert error.endswith("; accepted by 2 (json)")
    assert targets.received()["json"] == 1
    assert ticks >= 3  # the loop ran on while the target hung


# --- the real CLI: a restart mid-retry, channels test, secrets ------------------------------

TITLE = "Gunfire and barricades in Zvečan as Kosovo police are attacked"
REPORT = (
    "Shots were fired at Kosovo police near the municipal building in Zvečan overnight; "
    "two officers were wounded, barricades went up on the road to Jarinje and KFOR "
    "sent troops while Belgrade and Pristina traded accusations."
)


def monitor(
    config_dir: ConfigDir, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``monitor ARGS --config DIR`` as a user does: a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args, "--config", str(config_dir.path)],
        capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip


def write_config(config_dir: ConfigDir, feed_server: FeedServer, urls: list[str]) -> None:
    items = [
        {"title": TITLE, "link": "https://wire.example/zvecan", "guid": "z1", "description": REPORT}
    ]
    config_dir.write(
        [feed_server.serve("/wire.xml", rss(items, title="Wire"))],
        channels={"phones": {"type": "apprise", "urls": urls}},
        watch_channels=["phones"],
        settings={
            "poll": {"timeout": "5s", "jitter": 0, "workers": 0},
            "delivery": {"retry_base": "0s", "jitter": 0},
        },
    )


def deliveries(database: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(database) as db:
        return list(db.execute("SELECT status, attempts FROM deliveries ORDER BY id"))


def test_a_restart_mid_retry_sends_each_notification_once_per_target(
    targets: Targets, feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    write_config(config_dir, feed_server, targets.urls)
    targets.ntfy.statuses = [500, 500]  # ntfy fails the first time

    first = monitor(config_dir, "poll", "--once")
    assert first.returncode == 0, first.stderr
    ((status, attempts),) = deliveries(config_dir.database)
    assert (status, attempts) == ("pending", 1)
    assert targets.received() == {"json": 1, "ntfy": 0, "signal": 1, "mailto": 1}

    # A new process (the daemon restarted) retries the ntfy target only, which fails again.
    second = monitor(config_dir, "deliver", "--once")
    assert "0 sent, 1 to retry" in second.stdout, second.stderr
    third = monitor(config_dir, "deliver", "--once")
    assert "1 sent, 0 to retry" in third.stdout, third.stderr
    assert deliveries(config_dir.database) == [("sent", 3)]
    assert targets.received() == {"json": 1, "ntfy": 1, "signal": 1, "mailto": 1}
    assert len(targets.ntfy.requests) == 3

    again = monitor(config_dir, "deliver", "--once")
    assert "0 sent, 0 to retry" in again.stdout
    assert targets.received() == {"json": 1, "ntfy": 1, "signal": 1, "mailto": 1}


def invoke(
    config_dir: ConfigDir, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--config", str(config_dir.path)], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_channels_test_says_which_targets_accepted(
    targets: Targets, feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    write_config(config_dir, feed_server, targets.urls)

    code, out, err = invoke(config_dir, "channels", "test", "phones")
    assert (code, err) == (0, "")
    assert out == (
        "channel phones: the test alert was accepted by every target: "
        "1 (json), 2 (ntfy), 3 (signal), 4 (mailto)\n"
    )
    assert "a test alert from monitor" in targets.signal.sent[0]["message"]

    targets.signal.statuses = [500]
    code, out, err = invoke(config_dir, "channels", "test", "phones")
    assert (code, out) == (1, "")
    assert err == (
        "Error: channel phones: apprise: target 3 (signal) did not accept it; "
        "accepted by 1 (json), 2 (ntfy), 4 (mailto)\n"
    )


def test_secret_urls_never_appear_in_logs_errors_or_channels_list(
    targets: Targets, feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    token = "private-token-9f3a7c"
    secrets = {
        "HOOK_URL": targets.json.url(f"/{token}").replace("http://", "json://"),
        "SIGNAL_URL": targets.urls[2],
    }
    write_config(config_dir, feed_server, ["${HOOK_URL}", "${SIGNAL_URL}"])
    targets.json.statuses = [500]
    targets.signal.statuses = [500]
    leaks = [token, SENDER, RECIPIENT, targets.json.base_url.removeprefix("http://")]

    code, listed, _ = invoke(config_dir, "channels", "list", env=secrets)
    assert code == 0
    assert listed.splitlines()[1].split() == [
        "phones", "apprise", "json://…,", "signal://…", "serbia-kosovo,", "monitor", "itself"
    ]  # fmt: skip

    polled = monitor(config_dir, "poll", "--once", "--log-level", "debug", env=secrets)
    assert polled.returncode == 0
    assert "target 1 (json) did not accept it; target 2 (signal) did not accept it" in polled.stderr
    tested = monitor(config_dir, "channels", "test", env=secrets)
    assert tested.returncode == 0  # both accept now

    targets.signal.statuses = [500]
    failed = monitor(config_dir, "channels", "test", env=secrets)
    assert "target 2 (signal) did not accept it; accepted by 1 (json)" in failed.stderr
    with sqlite3.connect(config_dir.database) as db:
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        stored = " ".join(
            str(value)
            for table in tables
            for row in db.execute(f'SELECT * FROM "{table}"')
            for value in row
        )
    assert "target 1 (json) did not accept it" in stored  # the error, as a delivery's last_error
    for text in (listed, polled.stdout, polled.stderr, tested.stdout, failed.stderr, stored):
        for leak in leaks:
            assert leak not in text
    assert len(targets.json.requests) == 3  # it was sent to, all along


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sgnal://127.0.0.1:8080/+15550001111", "Apprise cannot send to this sgnal:// URL"),
        ("signal://127.0.0.1:8080/not-a-number", "Apprise cannot send to this signal:// URL"),
        ("+15550001111", "expected an Apprise URL such as signal://…"),
    ],
)
def test_a_url_apprise_cannot_use_is_a_config_error_that_shows_no_url(
    config_dir: ConfigDir, feed_server: FeedServer, url: str, message: str
) -> None:
    write_config(config_dir, feed_server, ["${TARGET}"])
    code, out, err = invoke(config_dir, "check", env={"TARGET": url})
    assert code != 0
    assert message in out + err
    assert "channels.phones.urls[0]" in out + err or "urls" in out + err
    assert "+15550001111" not in out + err and "not-a-number" not in out + err


def test_every_example_url_in_the_readme_is_one_apprise_can_use() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### Apprise:", 1)[1].split("\n#", 1)[0]
    examples = [
        line.split("`")[1]
        for line in section.splitlines()
        if line.startswith("| ") and "://" in line
    ]
    assert [url.split("://")[0] for url in examples] == [
        "signal",
        "matrixs",
        "whatsapp",
        "tgram",
        "mailtos",
    ]
    channel_settings(examples)  # each validated as Apprise would send to it

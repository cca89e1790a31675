"""The email channel against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import Inbox, subject

from monitor.alerts.outbox import deliver_due
from monitor.channels.email import EmailChannel
from monitor.config.models import DeliverySettings, EmailChannelConfig
from monitor.errors import DeliveryError
from monitor.models import Alert
from monitor.store import Store

PAYLOAD: dict[str, Any] = {
    "schema": "monitor.alert/1",
    "id": "serbia-kosovo:article:1",
    "kind": "article",
    "state": "firing",
    "watch": "serbia-kosovo",
    "level": "warning",
    "score": 9.5,
    "created_at": "2026-11-03T09:00:00+00:00",
    "articles": [
        {
            "title": "Barricades at Jarinje <script>alert(1)</script>\r\nBcc: victim@example.org",
            "url": "https://wire.example/jarinje",
            "source": "Balkan Wire",
        }
    ],
}
ALERT = Alert.from_json(PAYLOAD)


def channel(port: int, password: str = "pw", timeout: float = 20) -> EmailChannel:
    return EmailChannel(
        EmailChannelConfig.model_validate(
            {
                "type": "email", "host": "127.0.0.1", "port": port, "tls": "none",
                "username": "ana", "password": password, "from": "monitor@example.org",
                "to": ["desk@example.org", "editor@example.org"], "timeout": f"{timeout}s",
            }
        )
    )  # fmt: skip


def test_an_alert_arrives_as_plain_text_and_escaped_html(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    asyncio.run(channel(port).send(ALERT, "key-1"))
    asyncio.run(channel(port).send(ALERT, "key-1"))  # a retry of the same notification

    first, again = inbox.messages
    assert inbox.recipients[0] == ["desk@example.org", "editor@example.org"]
    assert subject(first) == (
        "[WARNING] Barricades at Jarinje <script>alert(1)</script> Bcc: victim@example.org"
        " — 1 outlet"
    )
    assert first["From"] == "monitor@example.org"
    assert first["Bcc"] is None  # feed text cannot add a header
    assert first["Message-ID"] == again["Message-ID"]
    plain, rich = (
        part.get_payload(decode=True).decode() for part in first.walk() if not part.is_multipart()
    )
    assert "Barricades at Jarinje <script>alert(1)</script> Bcc: victim@example.org" in plain
    assert "https://wire.example/jarinje" in plain
    assert "&lt;script&gt;" in rich
    assert "<script>" not in rich
    assert '<a href="https://wire.example/jarinje">' in rich


def test_a_refused_login_is_a_delivery_error_without_the_password(
    smtp: tuple[Inbox, int],
) -> None:
    _, port = smtp
    with pytest.raises(DeliveryError) as caught:
        asyncio.run(channel(port, "wrong-secret", timeout=2).send(ALERT, "key-2"))
    assert str(caught.value).startswith("email: ")
    assert "wrong-secret" not in str(caught.value)


def test_an_unreachable_server_is_a_delivery_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError, match="email: ConnectionRefusedError"):
        asyncio.run(channel(port).send(ALERT, "key-3"))


def test_a_digest_channel_sends_one_email_for_the_alerts_of_its_period(
    smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    config = EmailChannelConfig.model_validate(
        {
            "type": "email", "host": "127.0.0.1", "port": port, "tls": "none",
            "from": "monitor@example.org", "to": ["desk@example.org"], "digest": "30m",
        }
    )  # fmt: skip
    store = Store(tmp_path / "monitor.db")
    start = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    for n in (1, 2):
        store.open_alert(
            watch="w", kind="article", level="warning", dedup_key=f"w:article:{n}",
            score=9.0, article_ids=[], channels=["mail"], now=start,
            payload=Alert.from_json({**PAYLOAD, "id": f"w:article:{n}", "score": 9.0 + n}),
        )  # fmt: skip
    channels = {"mail": EmailChannel(config)}
    settings = DeliverySettings()

    early = asyncio.run(deliver_due(store, channels, settings, start + timedelta(minutes=10)))
    late = asyncio.run(deliver_due(store, channels, settings, start + timedelta(minutes=31)))

    assert (early.sent, late.sent) == (0, 2)
    (digest,) = inbox.messages
    assert subject(digest).startswith("monitor: 2 alerts; [WARNING] Barricades at Jarinje")
    plain = next(p for p in digest.walk() if p.get_content_type() == "text/plain")
    text = plain.get_payload(decode=True).decode()
    assert "score 10" in text
    assert "score 11" in text

"""Webhooks signed as Standard Webhooks specify (issue #17), verified by the
``standardwebhooks`` library itself, against a real receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from conftest import ConfigDir, WebhookReceiver
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from test_channels import PAYLOAD

from monitor.alerts.outbox import deliver_due
from monitor.channels import build_channels
from monitor.channels.webhook import signature_headers
from monitor.cli import main
from monitor.config.models import DeliverySettings, Settings, WebhookChannelConfig
from monitor.models import Alert
from monitor.store import Store

SECRET = "whsec_" + base64.b64encode(b"monitor-standard-webhooks-key-07").decode()


def webhook_settings(url: str, **extra: Any) -> Settings:
    config = {"type": "webhook", "url": url, "secret": SECRET, "signing": "standard", **extra}
    return Settings.model_validate({"channels": {"hook": config}})


def send(settings: Settings, key: str = "serbia-kosovo:article:1:firing:hook") -> None:
    async def run() -> None:
        async with httpx.AsyncClient() as client:
            channels = build_channels(settings.channels, client, console=None)  # type: ignore[arg-type]
            await channels["hook"].send(Alert.from_json(PAYLOAD), key)

    asyncio.run(run())


def test_the_standardwebhooks_library_accepts_every_notification(
    webhook: WebhookReceiver,
) -> None:
    send(webhook_settings(webhook.url("/hook")), key="serbia-kosovo:article:1:firing:hook")

    (request,) = webhook.requests
    verified = Webhook(SECRET).verify(request.body, request.headers)
    assert verified["id"] == "serbia-kosovo:article:1"
    assert request.headers["webhook-id"] == "serbia-kosovo:article:1:firing:hook"
    assert request.headers["Idempotency-Key"] == request.headers["webhook-id"]
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
    assert request.headers["webhook-signature"].startswith("v1,")
    # monitor's own signature headers are not sent as well.
    assert "X-Monitor-Signature" not in request.headers


def test_a_tampered_body_or_signature_is_rejected(webhook: WebhookReceiver) -> None:
    send(webhook_settings(webhook.url("/hook")))
    (request,) = webhook.requests

    tampered = request.body.replace(b'"critical"', b'"notice"')
    assert tampered != request.body
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(tampered, request.headers)
    other = "whsec_" + base64.b64encode(b"another-key-another-key-another!").decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(request.body, request.headers)
    replayed = {**request.headers, "webhook-id": "serbia-kosovo:article:2:firing:hook"}
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(request.body, replayed)


def test_a_stale_timestamp_is_rejected() -> None:
    config = webhook_settings("https://hooks.example.org/in").channels["hook"]
    assert isinstance(config, WebhookChannelConfig)
    body = b'{"schema": "monitor.alert/1"}'
    fresh = signature_headers(config, "k", body, time.time())
    stale = signature_headers(config, "k", body, time.time() - 600)

    assert Webhook(SECRET).verify(body, fresh) == {"schema": "monitor.alert/1"}
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(SECRET).verify(body, stale)


def test_a_retry_keeps_its_webhook_id_and_is_signed_afresh(
    webhook: WebhookReceiver, tmp_path: Path
) -> None:
    settings = webhook_settings(webhook.url("/hook"))
    store = Store(tmp_path / "monitor.db")
    start = datetime.now(UTC)
    store.open_alert(
        watch="serbia-kosovo", kind="article", level="critical",
        dedup_key="serbia-kosovo:article:1", score=45.5, article_ids=[], channels=["hook"],
        now=start, payload=Alert.from_json(PAYLOAD),
    )  # fmt: skip
    webhook.statuses = [503]

    async def deliver(at: datetime) -> None:
        async with httpx.AsyncClient() as client:
            channels = build_channels(settings.channels, client, None)  # type: ignore[arg-type]
            await deliver_due(store, channels, DeliverySettings(), at)

    asyncio.run(deliver(start))
    asyncio.run(deliver(start + timedelta(hours=1)))

    first, retry = webhook.requests
    assert (
        first.headers["webhook-id"] == retry.headers["webhook-id"]
    )  # a receiver can drop a repeat
    assert retry.headers["webhook-id"] == "serbia-kosovo:article:1:firing:hook"
    for request in (first, retry):
        Webhook(SECRET).verify(request.body, request.headers)


def test_without_signing_standard_the_monitor_headers_stay_the_default(
    webhook: WebhookReceiver,
) -> None:
    settings = Settings.model_validate(
        {"channels": {"hook": {"type": "webhook", "url": webhook.url("/hook"), "secret": "s3"}}}
    )
    send(settings)
    (request,) = webhook.requests
    assert request.headers["X-Monitor-Signature"].startswith("sha256=")
    assert "X-Monitor-Timestamp" in request.headers
    assert not any(name.lower().startswith("webhook-") for name in request.headers)


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        ({"signing": "standard"}, "signing: standard needs a secret: the whsec_… secret"),
        (
            {"signing": "standard", "secret": "hunter2-plain"},
            "signing: standard needs a secret written as Standard Webhooks writes it: "
            "whsec_ and then the key in base64",
        ),
        (
            {"signing": "standard", "secret": "whsec_not base64!"},
            "whsec_ and then the key in base64",
        ),
        ({"signing": "svix"}, "expected 'monitor' or 'standard'"),
    ],
)
def test_signing_standard_without_a_whsec_secret_is_a_config_error_in_plain_words(
    config_dir: ConfigDir, channel: dict[str, Any], message: str
) -> None:
    config_dir.write(
        ["https://feeds.example/rss"],
        channels={"hook": {"type": "webhook", "url": "https://hooks.example.org/in", **channel}},
        watch_channels=["hook"],
    )
    result = CliRunner().invoke(main, ["check", "--config", str(config_dir.path)])
    assert result.exit_code != 0
    assert message in result.output
    assert "monitor.yaml" in result.output
    assert "hunter2" not in result.output and "not base64" not in result.output

"""The generic webhook channel: the alert's ``monitor.alert/1`` document, POSTed to a URL."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx

from monitor.channels.http import post
from monitor.config.models import WebhookChannelConfig
from monitor.models import Alert

TIMESTAMP_HEADER = "X-Monitor-Timestamp"
SIGNATURE_HEADER = "X-Monitor-Signature"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the HMAC-SHA256 of ``timestamp.body`` under ``secret``, in hex.

    Signing the timestamp with the body lets a receiver refuse a replayed
    request (see README, "Verifying signatures").
    """
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class WebhookChannel:
    """POSTs the alert (schema ``monitor.alert/1``) with an ``Idempotency-Key`` header."""

    def __init__(self, config: WebhookChannelConfig, client: httpx.AsyncClient) -> None:
        self.config = config
        self.client = client

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """POST the alert; raise ``DeliveryError`` unless the receiver answers 2xx."""
        headers = {
            **self.config.headers,
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key,
        }
        # Byte for byte the stable contract (tests/test_webhook_contract.py).
        body = json.dumps(alert.to_json(), ensure_ascii=False).encode()
        if self.config.secret:
            timestamp = str(int(time.time()))
            headers[TIMESTAMP_HEADER] = timestamp
            headers[SIGNATURE_HEADER] = sign(self.config.secret, timestamp, body)
        await post(
            self.client, self.config.url, service="webhook", timeout=self.config.timeout,
            content=body, headers=headers,
        )  # fmt: skip

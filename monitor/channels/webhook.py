"""The generic webhook channel: the alert's ``monitor.alert/1`` document, POSTed to a URL.

With a ``secret`` it is signed: by default as monitor always has
(``X-Monitor-Timestamp``, ``X-Monitor-Signature``: a stable contract), or, with
``signing: standard``, as the Standard Webhooks specification says
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature``), so a receiver
can verify it with a library nobody here wrote (``standardwebhooks``, Svix).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx

from monitor.channels.http import post
from monitor.config.models import WebhookChannelConfig, standard_webhooks_key
from monitor.models import Alert

TIMESTAMP_HEADER = "X-Monitor-Timestamp"
SIGNATURE_HEADER = "X-Monitor-Signature"
STANDARD_ID_HEADER = "webhook-id"
STANDARD_TIMESTAMP_HEADER = "webhook-timestamp"
STANDARD_SIGNATURE_HEADER = "webhook-signature"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the HMAC-SHA256 of ``timestamp.body`` under ``secret``, in hex.

    Signing the timestamp with the body lets a receiver refuse a replayed
    request (see README, "Verifying signatures").
    """
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def sign_standard(key: bytes, message_id: str, timestamp: str, body: bytes) -> str:
    """``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body`` under ``key`` (the
    secret's base64 decoded), as Standard Webhooks sign a message."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    config: WebhookChannelConfig, idempotency_key: str, body: bytes, now: float
) -> dict[str, str]:
    """The headers that sign ``body`` as the channel's ``signing`` says (none without a
    secret); the Standard Webhooks message id is the notification's idempotency key."""
    if not config.secret:
        return {}
    timestamp = str(int(now))
    if config.signing == "standard":
        key = standard_webhooks_key(config.secret)
        return {
            STANDARD_ID_HEADER: idempotency_key,
            STANDARD_TIMESTAMP_HEADER: timestamp,
            STANDARD_SIGNATURE_HEADER: sign_standard(key, idempotency_key, timestamp, body),
        }
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(config.secret, timestamp, body)}


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
        headers |= signature_headers(self.config, idempotency_key, body, time.time())
        await post(
            self.client, self.config.url, service="webhook", timeout=self.config.timeout,
            content=body, headers=headers,
        )  # fmt: skip

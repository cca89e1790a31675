"""The generic webhook channel: the alert payload as JSON, POSTed to a URL."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from monitor.config import WebhookChannelConfig
from monitor.errors import DeliveryError
from monitor.fetch import USER_AGENT, retry_after_seconds

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
    """POSTs the payload (schema ``monitor.alert/1``) with an ``Idempotency-Key`` header."""

    def __init__(self, config: WebhookChannelConfig, client: httpx.AsyncClient) -> None:
        self.config = config
        self.client = client

    async def send(self, payload: Mapping[str, Any], idempotency_key: str) -> None:
        """POST the alert; raise ``DeliveryError`` unless the receiver answers 2xx."""
        headers = {
            **self.config.headers,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": idempotency_key,
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        if self.config.secret:
            timestamp = str(int(time.time()))
            headers[TIMESTAMP_HEADER] = timestamp
            headers[SIGNATURE_HEADER] = sign(self.config.secret, timestamp, body)
        try:
            response = await self.client.post(
                self.config.url, content=body, headers=headers, timeout=self.config.timeout
            )
        except httpx.HTTPError as exc:
            # str(exc) of some httpx errors names the URL, which is a secret.
            raise DeliveryError(f"webhook unreachable: {type(exc).__name__}") from exc
        if not response.is_success:
            raise DeliveryError(
                f"webhook answered HTTP {response.status_code}",
                retry_after=retry_after_seconds(
                    response.headers.get("Retry-After"), datetime.now(UTC)
                ),
            )

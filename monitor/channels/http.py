"""Posting to a chat service, with its failures translated once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from monitor.errors import DeliveryError
from monitor.http import JSON_ACCEPT, USER_AGENT, retry_after_seconds


async def post(
    client: httpx.AsyncClient,
    url: str,
    *,
    service: str,
    timeout: float,
    json: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """POST to ``url`` (accepting JSON, as every chat service answers); raise
    ``DeliveryError`` (never naming the URL) unless 2xx."""
    try:
        response = await client.post(
            url,
            json=json,
            content=content,
            headers={"User-Agent": USER_AGENT, "Accept": JSON_ACCEPT, **(headers or {})},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        # str(exc) of some httpx errors names the URL, which is a secret.
        raise DeliveryError(f"{service} unreachable: {type(exc).__name__}") from exc
    if not response.is_success:
        raise DeliveryError(
            f"{service} answered HTTP {response.status_code}",
            retry_after=retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC)),
        )

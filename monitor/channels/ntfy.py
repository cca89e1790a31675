"""ntfy topics: plain text, with priority and tags from the level."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from monitor.channels import template
from monitor.channels.http import post
from monitor.channels.markup import plain, trim
from monitor.channels.message import message_of
from monitor.config.models import NtfyChannelConfig
from monitor.models import Alert

MESSAGE_LIMIT = 4096
PRIORITIES = {"notice": 3, "warning": 4, "critical": 5}


def render(topic: str, alert: Alert) -> dict[str, Any]:
    """ntfy's JSON publishing body (plain text: nothing to escape but nothing rendered)."""
    message = message_of(alert)
    lines = [item.title + (f" ({item.source})" if item.source else "") for item in message.items]
    if message.note:
        lines.append(message.note)
    body: dict[str, Any] = {
        "topic": topic,
        "title": trim(message.headline, 250),
        "message": trim("\n".join(lines) or message.headline, MESSAGE_LIMIT),
        "priority": 3 if message.resolved else PRIORITIES.get(message.level, 3),
        "tags": ["white_check_mark" if message.resolved else "warning", message.level],
    }
    click = next((item.url for item in message.items if item.url), None)
    if click:
        body["click"] = click
    return body


class NtfyChannel:
    """Publishes alerts to an ntfy topic URL such as ``https://ntfy.sh/kosovo-alerts``."""

    def __init__(self, config: NtfyChannelConfig, client: httpx.AsyncClient) -> None:
        self.config, self.client = config, client
        self.template = template.load(config.template)
        parts = urlsplit(config.url)
        self.topic = parts.path.strip("/").split("/")[-1]
        self.server = urlunsplit((parts.scheme, parts.netloc, "", "", ""))

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Publish the alert, or raise ``DeliveryError``."""
        headers = {"Authorization": f"Bearer {self.config.token}"} if self.config.token else {}
        body = render(self.topic, alert)
        if self.template is not None:
            text = template.render(self.template, alert, plain)
            body["message"] = trim(text, MESSAGE_LIMIT)
        await post(
            self.client, self.server, service="ntfy", timeout=self.config.timeout,
            json=body, headers=headers,
        )  # fmt: skip

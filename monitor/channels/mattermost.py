"""Mattermost incoming webhooks: Markdown text with feed text escaped."""

from __future__ import annotations

from typing import Any

import httpx

from monitor.channels import template
from monitor.channels.http import post
from monitor.channels.markup import markdown, trim
from monitor.channels.message import message_of
from monitor.config.models import MattermostChannelConfig
from monitor.models import Alert

TEXT_LIMIT = 16_000


def render(alert: Alert) -> dict[str, Any]:
    """The webhook body of an alert (Mattermost reads the same Markdown as Discord)."""
    message = message_of(alert)
    lines = [f"**{markdown(message.headline)}**"]
    for item in message.items:
        title = f"[{markdown(item.title)}]({item.url})" if item.url else markdown(item.title)
        lines.append(f"- {title}" + (f" ({markdown(item.source)})" if item.source else ""))
    if message.note:
        lines.append(markdown(message.note))
    return {"text": trim("\n".join(lines), TEXT_LIMIT)}


class MattermostChannel:
    """Posts alerts to a Mattermost incoming webhook."""

    def __init__(self, config: MattermostChannelConfig, client: httpx.AsyncClient) -> None:
        self.config, self.client = config, client
        self.template = template.load(config.template)

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Post the alert, or raise ``DeliveryError``."""
        body = render(alert)
        if self.template is not None:
            body["text"] = trim(template.render(self.template, alert, markdown), TEXT_LIMIT)
        await post(
            self.client, self.config.url, service="mattermost", timeout=self.config.timeout,
            json=body,
        )  # fmt: skip

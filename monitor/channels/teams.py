"""Microsoft Teams Workflows webhooks: an Adaptive Card."""

from __future__ import annotations

from typing import Any

import httpx

from monitor.channels import template
from monitor.channels.http import post
from monitor.channels.markup import markdown, trim
from monitor.channels.message import message_of
from monitor.config.models import TeamsChannelConfig
from monitor.models import Alert

TEXT_LIMIT = 10_000


def render(alert: Alert) -> dict[str, Any]:
    """The message body: one Adaptive Card (TextBlocks read Markdown, so it is escaped)."""
    message = message_of(alert)
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": markdown(message.headline), "weight": "Bolder", "wrap": True}
    ]
    lines = [
        f"- {markdown(item.title)}" + (f" ({markdown(item.source)})" if item.source else "")
        for item in message.items
    ]
    if message.note:
        lines.append(markdown(message.note))
    if lines:
        body.append({"type": "TextBlock", "text": trim("\n".join(lines), TEXT_LIMIT), "wrap": True})
    actions = [
        {"type": "Action.OpenUrl", "title": trim(item.title, 60), "url": item.url}
        for item in message.items
        if item.url
    ][:5]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": actions,
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


class TeamsChannel:
    """Posts alerts to a Teams Workflows webhook."""

    def __init__(self, config: TeamsChannelConfig, client: httpx.AsyncClient) -> None:
        self.config, self.client = config, client
        self.template = template.load(config.template)

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Post the alert, or raise ``DeliveryError``."""
        body = render(alert)
        if self.template is not None:
            text = trim(template.render(self.template, alert, markdown), TEXT_LIMIT)
            card = body["attachments"][0]["content"]
            card["body"][1:] = [{"type": "TextBlock", "text": text, "wrap": True}]
        await post(
            self.client, self.config.url, service="teams", timeout=self.config.timeout,
            json=body,
        )  # fmt: skip

"""Slack incoming webhooks: a Block Kit message, with feed text escaped for mrkdwn."""

from __future__ import annotations

from typing import Any

import httpx

from monitor.channels import template
from monitor.channels.http import post
from monitor.channels.markup import mrkdwn, mrkdwn_link, trim
from monitor.channels.message import message_of
from monitor.config.models import SlackChannelConfig
from monitor.models import Alert

SECTION_LIMIT = 3000
HEADER_LIMIT = 150


def render(alert: Alert) -> dict[str, Any]:
    """The Block Kit body of an alert."""
    message = message_of(alert)
    lines = []
    for item in message.items:
        title = mrkdwn_link(item.url, item.title) if item.url else mrkdwn(item.title)
        lines.append(f"• {title}" + (f" ({mrkdwn(item.source)})" if item.source else ""))
    if message.note:
        lines.append(mrkdwn(message.note))
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": trim(message.headline, HEADER_LIMIT)},
        }
    ]
    if lines:
        text = trim("\n".join(lines), SECTION_LIMIT)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    return {"text": mrkdwn(message.headline), "blocks": blocks}


class SlackChannel:
    """Posts alerts to a Slack incoming webhook."""

    def __init__(self, config: SlackChannelConfig, client: httpx.AsyncClient) -> None:
        self.config, self.client = config, client
        self.template = template.load(config.template)

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Post the alert, or raise ``DeliveryError``."""
        body = render(alert)
        if self.template is not None:
            text = trim(template.render(self.template, alert, mrkdwn), SECTION_LIMIT)
            body["blocks"][1:] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
        await post(
            self.client, self.config.url, service="slack", timeout=self.config.timeout,
            json=body,
        )  # fmt: skip

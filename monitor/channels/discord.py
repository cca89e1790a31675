"""Discord webhooks: one embed; mentions never ping and Markdown is escaped."""

from __future__ import annotations

from typing import Any

import httpx

from monitor.channels import template
from monitor.channels.http import post
from monitor.channels.markup import markdown, trim
from monitor.channels.message import message_of
from monitor.config.models import DiscordChannelConfig
from monitor.models import Alert

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
COLOURS = {"notice": 0x3498DB, "warning": 0xF1C40F, "critical": 0xE74C3C}


def render(alert: Alert) -> dict[str, Any]:
    """The webhook body of an alert."""
    message = message_of(alert)
    lines = []
    for item in message.items:
        title = f"[{markdown(item.title)}]({item.url})" if item.url else markdown(item.title)
        lines.append(f"• {title}" + (f" ({markdown(item.source)})" if item.source else ""))
    if message.note:
        lines.append(markdown(message.note))
    embed: dict[str, Any] = {
        "title": trim(message.headline, TITLE_LIMIT),
        "description": trim("\n".join(lines), DESCRIPTION_LIMIT),
        "color": 0x2ECC71 if message.resolved else COLOURS.get(message.level, 0x95A5A6),
    }
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


class DiscordChannel:
    """Posts alerts to a Discord webhook."""

    def __init__(self, config: DiscordChannelConfig, client: httpx.AsyncClient) -> None:
        self.config, self.client = config, client
        self.template = template.load(config.template)

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Post the alert, or raise ``DeliveryError``."""
        body = render(alert)
        if self.template is not None:
            text = template.render(self.template, alert, markdown)
            body["embeds"][0]["description"] = trim(text, DESCRIPTION_LIMIT)
        await post(
            self.client, self.config.url, service="discord", timeout=self.config.timeout,
            json=body,
        )  # fmt: skip

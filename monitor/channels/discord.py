"""Discord webhooks: one embed; mentions never ping and Markdown is escaped."""

from __future__ import annotations

import re
from typing import Any

import httpx

from monitor.channels import template
from monitor.channels.http import post
from monitor.channels.message import message_of, trim
from monitor.config.models import DiscordChannelConfig
from monitor.models import Alert

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
COLOURS = {"notice": 0x3498DB, "warning": 0xF1C40F, "critical": 0xE74C3C}
_MARKDOWN = re.compile(r"([\\*_~`|>\[\]()#-])")


def escape(text: str) -> str:
    """Discord Markdown made literal, and ``@`` unable to start a mention."""
    return _MARKDOWN.sub(r"\\\1", text).replace("@", "@\u200b")


def render(alert: Alert) -> dict[str, Any]:
    """The webhook body of an alert."""
    message = message_of(alert)
    lines = []
    for item in message.items:
        title = f"[{escape(item.title)}]({item.url})" if item.url else escape(item.title)
        lines.append(f"• {title}" + (f" ({escape(item.source)})" if item.source else ""))
    if message.note:
        lines.append(escape(message.note))
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
            text = template.render(self.template, alert, escape)
            body["embeds"][0]["description"] = trim(text, DESCRIPTION_LIMIT)
        await post(
            self.client, self.config.url, service="discord", timeout=self.config.timeout,
            json=body,
        )  # fmt: skip

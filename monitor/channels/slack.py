"""Slack incoming webhooks: a Block Kit message, with feed text escaped for mrkdwn."""

from __future__ import annotations

from typing import Any

import httpx

from monitor.channels import template
from monitor.channels.http import post
from monitor.channels.message import message_of, trim
from monitor.config.models import SlackChannelConfig
from monitor.models import Alert

SECTION_LIMIT = 3000
HEADER_LIMIT = 150


def escape(text: str) -> str:
    """Slack's three control characters, so ``<!channel>`` or ``<url|x>`` become text,
    and ``@`` unable to start a mention (in case the app links plain names)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("@", "@\u200b")


def link(url: str, label: str) -> str:
    """A mrkdwn link whose target cannot be bent by ``|`` or ``>``."""
    target = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{target}|{escape(label)}>"


def render(alert: Alert) -> dict[str, Any]:
    """The Block Kit body of an alert."""
    message = message_of(alert)
    lines = []
    for item in message.items:
        title = link(item.url, item.title) if item.url else escape(item.title)
        lines.append(f"• {title}" + (f" ({escape(item.source)})" if item.source else ""))
    if message.note:
        lines.append(escape(message.note))
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": trim(message.headline, HEADER_LIMIT)},
        }
    ]
    if lines:
        text = trim("\n".join(lines), SECTION_LIMIT)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    return {"text": escape(message.headline), "blocks": blocks}


class SlackChannel:
    """Posts alerts to a Slack incoming webhook."""

    def __init__(self, config: SlackChannelConfig, client: httpx.AsyncClient) -> None:
        self.config, self.client = config, client
        self.template = template.load(config.template)

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Post the alert, or raise ``DeliveryError``."""
        body = render(alert)
        if self.template is not None:
            text = trim(template.render(self.template, alert, escape), SECTION_LIMIT)
            body["blocks"][1:] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
        await post(
            self.client, self.config.url, service="slack", timeout=self.config.timeout,
            json=body,
        )  # fmt: skip

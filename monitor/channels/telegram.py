"""Telegram bots: sendMessage in HTML parse mode, feed text HTML-escaped."""

from __future__ import annotations

import html
from typing import Any

import httpx

from monitor.channels import template
from monitor.channels.http import post
from monitor.channels.message import message_of, trim
from monitor.config.models import TelegramChannelConfig
from monitor.models import Alert

TEXT_LIMIT = 4096


def escape(text: str) -> str:
    """``text`` HTML-escaped, and ``@`` unable to start a mention (in a group, an
    ``@username`` in a message notifies that member)."""
    return html.escape(text).replace("@", "@\u200b")


def render(chat_id: str | int, alert: Alert) -> dict[str, Any]:
    """The sendMessage body of an alert."""
    message = message_of(alert)
    lines = [f"<b>{escape(message.headline)}</b>"]
    for item in message.items:
        title = escape(item.title)
        if item.url:
            title = f'<a href="{html.escape(item.url, quote=True)}">{title}</a>'
        lines.append(f"• {title}" + (f" ({escape(item.source)})" if item.source else ""))
    if message.note:
        lines.append(escape(message.note))
    return {
        "chat_id": chat_id,
        "text": _whole_lines(lines, TEXT_LIMIT),
        "parse_mode": "HTML",
        "disable_web_page_preview": True,
    }


def _whole_lines(lines: list[str], limit: int) -> str:
    """As many whole lines as fit in ``limit`` characters: cutting a line could cut a tag."""
    kept: list[str] = []
    size = -1
    for line in lines:
        size += len(line) + 1
        if size > limit:
            break
        kept.append(line)
    return "\n".join(kept)


class TelegramChannel:
    """Sends alerts as a Telegram bot to one chat."""

    def __init__(self, config: TelegramChannelConfig, client: httpx.AsyncClient) -> None:
        self.config, self.client = config, client
        self.template = template.load(config.template)

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Send the alert, or raise ``DeliveryError`` (never naming the token)."""
        url = f"{self.config.api_url.rstrip('/')}/bot{self.config.token}/sendMessage"
        body = render(self.config.chat_id, alert)
        if self.template is not None:
            text = template.render(self.template, alert, escape)
            # Cutting HTML could break a tag: an over-long text is sent without markup.
            body["text"] = text if len(text) <= TEXT_LIMIT else trim(html.escape(text), TEXT_LIMIT)
        await post(
            self.client, url, service="telegram", timeout=self.config.timeout,
            json=body,
        )  # fmt: skip

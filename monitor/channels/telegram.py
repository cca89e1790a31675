"""Telegram bots: sendMessage in HTML parse mode, feed text HTML-escaped."""

from __future__ import annotations

from typing import Any

import httpx

from monitor.channels import template
from monitor.channels.http import post
from monitor.channels.markup import html_link, html_text, telegram_html, trim
from monitor.channels.message import message_of
from monitor.config.models import TelegramChannelConfig
from monitor.models import Alert

TEXT_LIMIT = 4096


def render(chat_id: str | int, alert: Alert) -> dict[str, Any]:
    """The sendMessage body of an alert."""
    message = message_of(alert)
    lines = [f"<b>{telegram_html(message.headline)}</b>"]
    for item in message.items:
        title = telegram_html(item.title)
        if item.url:
            title = html_link(item.url, title)
        lines.append(f"• {title}" + (f" ({telegram_html(item.source)})" if item.source else ""))
    if message.note:
        lines.append(telegram_html(message.note))
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
            text = template.render(self.template, alert, telegram_html)
            # Cutting HTML could break a tag: an over-long text is sent without markup.
            body["text"] = text if len(text) <= TEXT_LIMIT else trim(html_text(text), TEXT_LIMIT)
        await post(
            self.client, url, service="telegram", timeout=self.config.timeout,
            json=body,
        )  # fmt: skip

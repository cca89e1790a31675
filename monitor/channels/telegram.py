"""Telegram bots: sendMessage in HTML parse mode, feed text HTML-escaped."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import httpx

from monitor.channels import template
from monitor.channels.http import post
from monitor.channels.message import message_of, trim
from monitor.configmodels import TelegramChannelConfig

TEXT_LIMIT = 4096


def render(chat_id: str | int, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The sendMessage body of an alert."""
    message = message_of(payload)
    lines = [f"<b>{html.escape(message.headline)}</b>"]
    for item in message.items:
        title = html.escape(item.title)
        if item.url:
            title = f'<a href="{html.escape(item.url, quote=True)}">{title}</a>'
        lines.append(f"• {title}" + (f" ({html.escape(item.source)})" if item.source else ""))
    if message.note:
        lines.append(html.escape(message.note))
    text = "\n".join(lines)
    if len(text) > TEXT_LIMIT:
        # Never cut inside a tag: fall back to the escaped headline and titles only.
        text = trim("\n".join(html.escape(line) for line in [message.headline]), TEXT_LIMIT)
    return {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": "HTML",
        "disable_web_page_preview": True,
    }


class TelegramChannel:
    """Sends alerts as a Telegram bot to one chat."""

    def __init__(self, config: TelegramChannelConfig, client: httpx.AsyncClient) -> None:
        self.config, self.client = config, client
        self.template = template.load(config.template)

    async def send(self, payload: Mapping[str, Any], idempotency_key: str) -> None:
        """Send the alert, or raise ``DeliveryError`` (never naming the token)."""
        url = f"{self.config.api_url.rstrip('/')}/bot{self.config.token}/sendMessage"
        body = render(self.config.chat_id, payload)
        if self.template is not None:
            text = template.render(self.template, payload, html.escape)
            # Cutting HTML could break a tag: an over-long text is sent without markup.
            body["text"] = text if len(text) <= TEXT_LIMIT else trim(html.escape(text), TEXT_LIMIT)
        await post(
            self.client, url, service="telegram", timeout=self.config.timeout,
            json=body,
        )  # fmt: skip

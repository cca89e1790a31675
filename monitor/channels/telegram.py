"""Telegram bots: sendMessage in HTML parse mode, feed text HTML-escaped."""

from __future__ import annotations

from typing import Any

from monitor.channels.base import ChatChannel
from monitor.channels.markup import html_link, html_text, telegram_html, trim, whole_lines
from monitor.channels.message import message_of
from monitor.config.models import TelegramChannelConfig
from monitor.models import Alert

TEXT_LIMIT = 4096


class TelegramChannel(ChatChannel[TelegramChannelConfig]):
    """Sends alerts as a Telegram bot to one chat."""

    service = "telegram"
    limit = TEXT_LIMIT
    escape = staticmethod(telegram_html)

    def render(self, alert: Alert, text: str | None) -> dict[str, Any]:
        """The sendMessage body of an alert; ``text``, when given, is its text."""
        if text is None:
            message = message_of(alert)
            lines = [
                f"<b>{telegram_html(message.headline)}</b>",
                *message.lines(
                    telegram_html, lambda url, title: html_link(url, telegram_html(title))
                ),
            ]
            text = whole_lines(lines, TEXT_LIMIT)
        return {
            "chat_id": self.config.chat_id,
            "text": text,
            "parse_mode": "HTML",
            "disable_web_page_preview": True,
        }

    def fit(self, text: str) -> str:
        """The template's text; cutting HTML could break a tag, so an over-long text is
        sent without markup."""
        return text if len(text) <= TEXT_LIMIT else trim(html_text(text), TEXT_LIMIT)

    def endpoint(self) -> str:
        """The bot's sendMessage URL (it holds the token)."""
        return f"{self.config.api_url.rstrip('/')}/bot{self.config.token}/sendMessage"


def _link(url: str, title: str) -> str:
    """A link in Telegram's HTML around a title from a feed."""
    return html_link(url, telegram_html(title))

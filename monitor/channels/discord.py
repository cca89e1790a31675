"""Discord webhooks: one embed; mentions never ping and Markdown is escaped."""

from __future__ import annotations

from typing import Any

from monitor.channels.base import ChatChannel
from monitor.channels.markup import markdown, markdown_link, trim
from monitor.channels.message import message_of
from monitor.config.models import DiscordChannelConfig
from monitor.models import Alert

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
COLOURS = {"notice": 0x3498DB, "warning": 0xF1C40F, "critical": 0xE74C3C}


class DiscordChannel(ChatChannel[DiscordChannelConfig]):
    """Posts alerts to a Discord webhook."""

    service = "discord"
    limit = DESCRIPTION_LIMIT
    escape = staticmethod(markdown)

    def render(self, alert: Alert, text: str | None) -> dict[str, Any]:
        """The webhook body of an alert; ``text``, when given, is the embed's description."""
        message = message_of(alert)
        if text is None:
            text = trim("\n".join(message.lines(markdown, markdown_link)), DESCRIPTION_LIMIT)
        embed: dict[str, Any] = {
            "title": trim(markdown(message.headline), TITLE_LIMIT),
            "description": text,
            "color": 0x2ECC71 if message.resolved else COLOURS.get(message.level, 0x95A5A6),
        }
        if message.link:
            embed["url"] = message.link  # the title links to the alert on the dashboard
        return {"embeds": [embed], "allowed_mentions": {"parse": []}}

    def endpoint(self) -> str:
        """The webhook's URL."""
        return self.config.url

"""Mattermost incoming webhooks: Markdown text with feed text escaped."""

from __future__ import annotations

from typing import Any

from monitor.channels.base import ChatChannel
from monitor.channels.markup import markdown, markdown_link, trim
from monitor.channels.message import message_of
from monitor.config.models import MattermostChannelConfig
from monitor.models import Alert

TEXT_LIMIT = 16_000


class MattermostChannel(ChatChannel[MattermostChannelConfig]):
    """Posts alerts to a Mattermost incoming webhook."""

    service = "mattermost"
    limit = TEXT_LIMIT
    escape = staticmethod(markdown)  # Mattermost reads the same Markdown as Discord

    def render(self, alert: Alert, text: str | None) -> dict[str, Any]:
        """The webhook body of an alert; ``text``, when given, is all of it."""
        if text is None:
            message = message_of(alert)
            lines = [
                f"**{markdown(message.headline)}**",
                *message.lines(markdown, markdown_link, bullet="-"),
            ]
            text = trim("\n".join(lines), TEXT_LIMIT)
        return {"text": text}

    def endpoint(self) -> str:
        """The webhook's URL."""
        return self.config.url

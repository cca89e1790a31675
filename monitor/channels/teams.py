"""Microsoft Teams Workflows webhooks: an Adaptive Card."""

from __future__ import annotations

from typing import Any

from monitor.channels.base import ChatChannel
from monitor.channels.markup import markdown, markdown_link, trim
from monitor.channels.message import message_of
from monitor.config.models import TeamsChannelConfig
from monitor.models import Alert

TEXT_LIMIT = 10_000


class TeamsChannel(ChatChannel[TeamsChannelConfig]):
    """Posts alerts to a Teams Workflows webhook."""

    service = "teams"
    limit = TEXT_LIMIT
    escape = staticmethod(markdown)  # TextBlocks read Markdown

    def render(self, alert: Alert, text: str | None) -> dict[str, Any]:
        """The message body: one Adaptive Card; ``text``, when given, is its second block."""
        message = message_of(alert)
        body: list[dict[str, Any]] = [
            {"type": "TextBlock", "text": markdown(message.headline), "weight": "Bolder",
             "wrap": True}
        ]  # fmt: skip
        if text is None:
            lines = message.lines(markdown, markdown_link, bullet="-")
            text = trim("\n".join(lines), TEXT_LIMIT) if lines else None
        if text is not None:
            body.append({"type": "TextBlock", "text": text, "wrap": True})
        actions = [
            {"type": "Action.OpenUrl", "title": trim(item.title, 60), "url": item.url}
            for item in message.items
            if item.url
        ][:5]
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": body,
            "actions": actions,
        }
        return {
            "type": "message",
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
            ],
        }

    def endpoint(self) -> str:
        """The webhook's URL."""
        return self.config.url

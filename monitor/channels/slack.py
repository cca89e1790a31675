"""Slack incoming webhooks: a Block Kit message, with feed text escaped for mrkdwn."""

from __future__ import annotations

from typing import Any

from monitor.channels.base import ChatChannel
from monitor.channels.markup import mrkdwn, mrkdwn_link, no_mention, trim
from monitor.channels.message import message_of
from monitor.config.models import SlackChannelConfig
from monitor.models import Alert

SECTION_LIMIT = 3000
HEADER_LIMIT = 150


class SlackChannel(ChatChannel[SlackChannelConfig]):
    """Posts alerts to a Slack incoming webhook."""

    service = "slack"
    limit = SECTION_LIMIT
    escape = staticmethod(mrkdwn)

    def render(self, alert: Alert, text: str | None) -> dict[str, Any]:
        """The Block Kit body of an alert; ``text``, when given, is its section's mrkdwn."""
        message = message_of(alert)
        if text is None:
            lines = message.lines(mrkdwn, mrkdwn_link)
            text = trim("\n".join(lines), SECTION_LIMIT) if lines else None
        blocks: list[dict[str, Any]] = [
            {
                "type": "header",
                "text": {
                    "type": "plain_text",
                    "text": no_mention(trim(message.headline, HEADER_LIMIT)),
                },
            }
        ]
        if text is not None:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
        return {"text": mrkdwn(message.headline), "blocks": blocks}

    def endpoint(self) -> str:
        """The webhook's URL."""
        return self.config.url

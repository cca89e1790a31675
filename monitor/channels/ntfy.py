"""ntfy topics: plain text, with priority and tags from the level.

ntfy takes a JSON body (UTF-8 throughout, unlike its header parameters) only at
its root URL, the topic named in the body (docs.ntfy.sh/publish, "Publish as
JSON"). The root is the topic URL without its last segment, so a server behind a
reverse proxy at ``https://host/ntfy/`` is published to at ``https://host/ntfy/``
(issue #15: the path prefix was dropped).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from monitor.channels.base import ChatChannel
from monitor.channels.markup import plain, trim
from monitor.channels.message import message_of
from monitor.config.models import NtfyChannelConfig
from monitor.models import Alert

MESSAGE_LIMIT = 4096
TITLE_LIMIT = 250
PRIORITIES = {"notice": 3, "warning": 4, "critical": 5}


def split_topic_url(url: str) -> tuple[str, str]:
    """A topic URL as the server's root (its path prefix and query kept) and the topic:
    ``https://host/ntfy/alerts`` is ``("https://host/ntfy/", "alerts")``."""
    parts = urlsplit(url)
    prefix, _, topic = parts.path.rstrip("/").rpartition("/")
    return urlunsplit(parts._replace(path=prefix + "/", fragment="")), topic


class NtfyChannel(ChatChannel[NtfyChannelConfig]):
    """Publishes alerts to an ntfy topic URL such as ``https://ntfy.sh/kosovo-alerts``."""

    service = "ntfy"
    limit = MESSAGE_LIMIT
    escape = staticmethod(plain)

    def __init__(self, config: NtfyChannelConfig, client: httpx.AsyncClient) -> None:
        super().__init__(config, client)
        self.server, self.topic = split_topic_url(config.url)

    def render(self, alert: Alert, text: str | None) -> dict[str, Any]:
        """ntfy's JSON publishing body (plain text: nothing to escape but nothing rendered);
        ``text``, when given, is its message."""
        message = message_of(alert)
        if text is None:
            lines = message.lines(plain, lambda url, title: f"{plain(title)} {url}", bullet="-")
            text = trim("\n".join(lines) or message.headline, MESSAGE_LIMIT)
        body: dict[str, Any] = {
            "topic": self.topic,
            "title": trim(message.headline, TITLE_LIMIT),
            "message": text,
            "priority": 3 if message.resolved else PRIORITIES.get(message.level, 3),
            "tags": ["white_check_mark" if message.resolved else "warning", message.level],
        }
        click = message.link or next((item.url for item in message.items if item.url), None)
        if click:
            body["click"] = click
        return body

    def endpoint(self) -> str:
        """The server's root, path prefix included: the topic is in the body."""
        return self.server

    def headers(self) -> dict[str, str]:
        """The access token, when the topic needs one."""
        return {"Authorization": f"Bearer {self.config.token}"} if self.config.token else {}

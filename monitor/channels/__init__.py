"""Notification channels, one module per kind, registered by their YAML ``type``.

A channel is given an alert (``monitor.models.Alert``) and delivers it to its
service: ``send(alert, idempotency_key)``, and ``send_digest(alerts, key)`` for a
channel that gathers a ``digest``. Either raises ``DeliveryError`` when the
service does not accept it; the outbox then retries. Error messages never carry
a channel's URL or token, since those are secrets.

- ``message``: what every channel says about an alert, as plain text parts.
- ``markup``: every escape of feed text, one per markup (Slack mrkdwn, Markdown,
  Telegram HTML, email HTML, plain text, the console), and the link, line and
  length rules they share.
- ``template``: operator Jinja2 templates, every printed value escaped.
- ``base``: ``ChatChannel``, the shape every chat channel shares (its template
  read once, the alert rendered, fitted to the service's limit, posted with
  ``http.post``), and ``TemplatedChannel``, its template half, for email and the
  console.
- ``slack``, ``discord``, ``mattermost``, ``teams``, ``ntfy``, ``telegram``: only
  what is each service's own (its body, its escape, its limits, where to post).
- ``webhook`` posts the ``monitor.alert/1`` document itself (``Alert.to_json``),
  signed as monitor signs or as Standard Webhooks do; ``email`` sends over SMTP;
  ``console`` prints.
- ``apprise`` reaches every service Apprise knows (Signal, Matrix, WhatsApp, …),
  each target URL notified and retried on its own, what each accepted kept in a
  ``TargetJournal`` (the store, in the daemon).

Channels import nothing from the store, the poller, the reader, the alert
policy or the daemon.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TextIO, runtime_checkable

import httpx

from monitor.channels.apprise import TargetJournal, apprise_channel
from monitor.channels.console import ConsoleChannel
from monitor.channels.discord import DiscordChannel
from monitor.channels.email import EmailChannel
from monitor.channels.mattermost import MattermostChannel
from monitor.channels.ntfy import NtfyChannel
from monitor.channels.slack import SlackChannel
from monitor.channels.teams import TeamsChannel
from monitor.channels.telegram import TelegramChannel
from monitor.channels.webhook import WebhookChannel
from monitor.config.models import AppriseChannelConfig, ChannelConfig, ConsoleChannelConfig
from monitor.models import Alert

# Each configured ``type`` and the class that sends to it.
_SENDERS: dict[str, Any] = {
    "webhook": WebhookChannel,
    "slack": SlackChannel,
    "discord": DiscordChannel,
    "mattermost": MattermostChannel,
    "teams": TeamsChannel,
    "ntfy": NtfyChannel,
    "telegram": TelegramChannel,
    "email": EmailChannel,
}


class Channel(Protocol):
    """Something that can deliver an alert."""

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Deliver ``alert`` or raise ``DeliveryError``."""


@runtime_checkable
class DigestChannel(Protocol):
    """A channel that can gather notifications into one message every ``digest`` seconds."""

    digest: float | None

    async def send_digest(self, alerts: list[Alert], key: str) -> None:
        """Deliver all ``alerts`` in one message or raise ``DeliveryError``."""


def build_channels(
    configs: Mapping[str, ChannelConfig],
    client: httpx.AsyncClient,
    console: TextIO,
    journal: TargetJournal | None = None,
) -> dict[str, Channel]:
    """Return a ready channel for each configured name; Apprise channels remember in
    ``journal`` which targets accepted each notification (in memory without one)."""
    channels: dict[str, Channel] = {}
    for name, config in configs.items():
        if isinstance(config, ConsoleChannelConfig):
            channels[name] = ConsoleChannel(console, config.template)
        elif isinstance(config, AppriseChannelConfig):
            channels[name] = apprise_channel(config, client, journal)
        else:
            channels[name] = _SENDERS[config.type](config, client)
    return channels

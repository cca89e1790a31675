"""Where a channel sends, in words a person can check, with every secret masked. Pure.

A chat or webhook URL carries its secret in its path (Slack's and Discord's
tokens, an ntfy topic) or its query, so only its scheme, host and port are
shown: ``https://hooks.slack.com/…``. A Telegram token and an SMTP password
are never shown; the chat and the recipients are. An Apprise URL may hold its
secret anywhere, its host included (``tgram://TOKEN/CHAT``), so each target is
shown by its number and scheme only: ``2 (signal)``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from monitor.config.models import (
    AppriseChannelConfig,
    ChannelConfig,
    ConsoleChannelConfig,
    EmailChannelConfig,
    TelegramChannelConfig,
)

MASK = "…"


def describe_target(config: ChannelConfig) -> str:
    """Where the channel ``config`` sends, secrets masked: ``https://hooks.slack.com/…``."""
    if isinstance(config, ConsoleChannelConfig):
        return "standard output"
    if isinstance(config, EmailChannelConfig):
        return f"smtp {config.host}:{config.port} ({config.tls}) to {', '.join(config.to)}"
    if isinstance(config, AppriseChannelConfig):
        return ", ".join(f"{urlsplit(url).scheme}://{MASK}" for url in config.urls)
    if isinstance(config, TelegramChannelConfig):
        return f"{masked_url(config.api_url)} chat {config.chat_id}"
    return masked_url(config.url)


def apprise_target(number: int, url: str) -> str:
    """``2 (signal)``: an Apprise target by its number in the list (from 1) and scheme."""
    return f"{number} ({urlsplit(url).scheme})"


def apprise_targets(config: AppriseChannelConfig) -> list[str]:
    """Every target of an Apprise channel, as ``apprise_target`` names it."""
    return [apprise_target(number, url) for number, url in enumerate(config.urls, 1)]


def masked_url(url: str) -> str:
    """``url``'s scheme, host and port, and ``…`` in place of anything after them."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    try:
        port = parts.port
    except ValueError:  # Telegram's api_url is not validated as a URL
        port = None
    if port is not None:
        host += f":{port}"
    rest = parts.path not in ("", "/") or parts.query or parts.fragment
    return f"{parts.scheme}://{host}/{MASK if rest else ''}"

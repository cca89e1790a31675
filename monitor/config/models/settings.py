"""The shape of ``monitor.yaml``: ``Settings``, with its polling, delivery and channels.

Each channel is one model, told apart by its ``type`` (``ChannelConfig``);
a channel's ``url`` must be http(s); an Apprise channel's ``urls`` must each be
one Apprise can send to.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from monitor.config.models.base import Duration, StrictModel


class PollSettings(StrictModel):
    """How feeds are polled; every feed may override ``interval``."""

    interval: Duration = 600.0
    jitter: float = Field(0.1, ge=0, le=0.5)
    concurrency: int = Field(100, ge=1, le=500)
    workers: int = Field(2, ge=0, le=64)
    timeout: Duration = 20.0
    max_bytes: int = Field(10_000_000, ge=1024)
    max_redirects: int = Field(5, ge=0, le=20)
    max_backoff: Duration = 6 * 3600.0
    tick: Duration = 30.0


class DeliverySettings(StrictModel):
    """How the outbox retries a channel that does not accept an alert."""

    retry_base: Duration = 30.0
    max_delay: Duration = 1800.0
    jitter: float = Field(0.2, ge=0, le=0.5)
    give_up_after: Duration = 24 * 3600.0
    max_attempts: int | None = Field(None, ge=1)


def _http_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ValueError("expected an http:// or https:// URL")
    return url


HttpUrlStr = Annotated[str, AfterValidator(_http_url)]
"""A URL a channel posts to: text as written, refused unless it is http:// or https://."""


class _ChannelBase(StrictModel):
    # Article alerts below this level are not sent to the channel.
    min_level: Literal["notice", "warning", "critical"] | None = None
    # A Jinja2 file (relative to the config directory) for the message text.
    template: str | None = None


class ConsoleChannelConfig(_ChannelBase):
    """Alerts printed on the daemon's standard output."""

    type: Literal["console"]


STANDARD_SECRET_PREFIX = "whsec_"  # noqa: S105 (how such a secret begins, not one)


def standard_webhooks_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: the base64 after ``whsec_``.

    Raises ``ValueError`` (in words that never repeat the secret) for any other form.
    """
    encoded = secret.removeprefix(STANDARD_SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not secret.startswith(STANDARD_SECRET_PREFIX) or not key:
        raise ValueError(
            "signing: standard needs a secret written as Standard Webhooks writes it: "
            "whsec_ and then the key in base64"
        )
    return key


class WebhookChannelConfig(_ChannelBase):
    """Alerts POSTed as JSON to ``url``; with a ``secret``, signed (``signing``:
    ``monitor``'s own X-Monitor-Signature, or ``standard``, Standard Webhooks)."""

    type: Literal["webhook"]
    url: HttpUrlStr
    secret: str | None = None
    signing: Literal["monitor", "standard"] = "monitor"
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: Duration = 10.0

    @model_validator(mode="after")
    def _standard_needs_its_secret(self) -> Self:
        if self.signing == "standard":
            if not self.secret:
                raise ValueError(
                    "signing: standard needs a secret: the whsec_… secret the receiver "
                    "verifies with (Standard Webhooks)"
                )
            standard_webhooks_key(self.secret)
        return self


class _ChatChannelConfig(_ChannelBase):
    url: HttpUrlStr
    timeout: Duration = 10.0


class SlackChannelConfig(_ChatChannelConfig):
    """A Slack incoming webhook (Block Kit message)."""

    type: Literal["slack"]


class DiscordChannelConfig(_ChatChannelConfig):
    """A Discord webhook (an embed; mentions never ping)."""

    type: Literal["discord"]


class MattermostChannelConfig(_ChatChannelConfig):
    """A Mattermost incoming webhook (Markdown)."""

    type: Literal["mattermost"]


class TeamsChannelConfig(_ChatChannelConfig):
    """A Microsoft Teams Workflows webhook (an Adaptive Card)."""

    type: Literal["teams"]


class NtfyChannelConfig(_ChatChannelConfig):
    """An ntfy topic URL; priority and tags follow the level."""

    type: Literal["ntfy"]
    token: str | None = None


class TelegramChannelConfig(_ChannelBase):
    """A Telegram bot's sendMessage to one chat (HTML parse mode)."""

    type: Literal["telegram"]
    token: str
    chat_id: str | int
    api_url: str = "https://api.telegram.org"
    timeout: Duration = 10.0


class EmailChannelConfig(_ChannelBase):
    """Email over SMTP: one multipart (plain text and HTML) message per notification."""

    type: Literal["email"]
    host: str
    port: int = Field(587, ge=1, le=65535)
    tls: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    from_: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    timeout: Duration = 20.0
    digest: Duration | None = None  # gather notifications into one email this often


def _apprise_url(url: str) -> str:
    """``url`` if Apprise can send to it; the error names only its scheme (the rest of
    an Apprise URL is its credentials)."""
    import apprise  # here, not at the top: loading its plugins takes a second or two

    scheme = url.partition("://")[0] if "://" in url else ""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        raise ValueError("expected an Apprise URL such as signal://…, matrixs://… or mailto://…")
    if apprise.Apprise.instantiate(url) is None:
        raise ValueError(
            f"Apprise cannot send to this {scheme}:// URL: check it against the "
            "service's page at https://github.com/caronc/apprise/wiki"
        )
    return url


AppriseUrlStr = Annotated[str, AfterValidator(_apprise_url)]
"""One Apprise target URL (a secret: errors name only its scheme)."""


class AppriseChannelConfig(_ChannelBase):
    """Any service Apprise reaches (Signal, Matrix, WhatsApp, Telegram, email, …):
    each of ``urls`` is one target, notified and retried on its own."""

    type: Literal["apprise"]
    urls: list[AppriseUrlStr] = Field(min_length=1)
    # What the text is written in: Apprise turns it into each service's own markup.
    format: Literal["text", "markdown"] = "text"
    timeout: Duration = 30.0  # for each target


CHANNEL_TYPES = (
    "console", "webhook", "slack", "discord", "mattermost", "teams", "ntfy", "telegram", "email",
    "apprise",
)  # fmt: skip
ChannelConfig = Annotated[
    ConsoleChannelConfig
    | WebhookChannelConfig
    | SlackChannelConfig
    | DiscordChannelConfig
    | MattermostChannelConfig
    | TeamsChannelConfig
    | NtfyChannelConfig
    | TelegramChannelConfig
    | EmailChannelConfig
    | AppriseChannelConfig,
    Field(discriminator="type"),
]


def _default_channels() -> dict[str, ChannelConfig]:
    return {"console": ConsoleChannelConfig(type="console")}


class SystemSettings(StrictModel):
    """When the monitor alerts about itself: feeds failing, or news gone quiet."""

    channels: list[str] | None = None  # None: every configured channel
    failing_share: float = Field(0.5, gt=0, le=1)
    failing_for: Duration = 3600.0
    quiet_for: Duration = 24 * 3600.0


_LISTEN = re.compile(r"^(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[^\s:\[\]]+)):(?P<port>\d{1,5})$")


def _listen_address(value: Any) -> Any:
    if value is None:
        return None
    match = _LISTEN.match(str(value))
    if match is None or not 0 < int(match.group("port")) < 65536:
        raise ValueError('expected "HOST:PORT", such as "127.0.0.1:8787" or "[::1]:8787", or null')
    return str(value)


class HttpSettings(StrictModel):
    """The daemon's own HTTP server: /healthz, /metrics and /status."""

    listen: Annotated[str | None, BeforeValidator(_listen_address)] = "127.0.0.1:8787"
    # How long after the last finished cycle /healthz still answers 200;
    # None: three poll ticks, at least five minutes.
    stale_after: Duration | None = None
    # Where people reach the dashboard (https://monitor.example.org): notifications
    # then link to their alert on it; None: no link.
    public_url: str | None = None

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError('expected an http(s) URL, such as "https://monitor.example.org"')
        return url.strip().rstrip("/")

    def address(self) -> tuple[str, int] | None:
        """``(host, port)`` to listen on, or ``None`` when the server is off."""
        if self.listen is None:
            return None
        match = _LISTEN.match(self.listen)
        assert match is not None  # validated on load
        return match.group("ipv6") or match.group("host"), int(match.group("port"))


class RetentionSettings(StrictModel):
    """How long the database keeps what it stores, and how often its file is compacted."""

    # Articles fetched longer ago than this are pruned, unless an alert points
    # to them; ``None`` keeps every article forever.
    articles: Duration | None = 180 * 86400.0
    # VACUUM the file this often; ``None`` never does it automatically.
    vacuum_every: Duration | None = 7 * 86400.0

    @field_validator("articles")
    @classmethod
    def _at_least_a_day(cls, seconds: float | None) -> float | None:
        if seconds is not None and seconds < 86400:
            raise ValueError("keep articles at least 1d (or null to keep them forever)")
        return seconds

    @field_validator("vacuum_every")
    @classmethod
    def _at_least_an_hour(cls, seconds: float | None) -> float | None:
        if seconds is not None and seconds < 3600:
            raise ValueError("vacuum at most once an hour (1h or longer, or null for never)")
        return seconds


class Settings(StrictModel):
    """The contents of ``monitor.yaml``."""

    database: str = "data/monitor.db"
    poll: PollSettings = PollSettings()
    delivery: DeliverySettings = DeliverySettings()
    channels: dict[str, ChannelConfig] = Field(default_factory=_default_channels)
    system: SystemSettings = SystemSettings()
    http: HttpSettings = HttpSettings()
    retention: RetentionSettings = RetentionSettings()

    def stale_after(self) -> float:
        """Seconds after the last finished cycle when the daemon counts as stuck."""
        if self.http.stale_after is not None:
            return self.http.stale_after
        return max(300.0, 3 * self.poll.tick)

    def min_levels(self) -> dict[str, str | None]:
        """Each channel's ``min_level``."""
        return {name: channel.min_level for name, channel in self.channels.items()}

    def system_channels(self) -> list[str]:
        """Where alerts about the monitor itself go."""
        return list(self.channels) if self.system.channels is None else self.system.channels

"""The shapes of the config files, as pydantic models, with their defaults.

``monitor.yaml`` is ``Settings``, ``feeds.yaml`` is ``FeedsFile`` and each
``watches/*.yaml`` is a ``WatchConfig``. Unknown keys are errors. Durations
are written ``30s``, ``10m``, ``2h`` or ``7d``. ``monitor.config`` loads the
files into these models and reports every problem with file, line and field.
"""

from __future__ import annotations

import math
import re
from itertools import pairwise
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

LEVELS = ("notice", "warning", "critical")
INDEX_LEVELS = ("elevated", "high", "severe")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


MAX_DURATION = 100 * 365 * 86400.0
"""The longest duration accepted (100 years): longer ones overflow dates and timers."""


def parse_duration(value: Any) -> float:
    """Return seconds for ``30``, ``"30s"``, ``"10m"``, ``"2h"`` or ``"7d"`` (at most 100 years)."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like 30s, 10m, 2h or 7d")
    if isinstance(value, int | float):
        seconds = _number(value)
    else:
        match = _DURATION.match(str(value))
        if match is None:
            raise ValueError("expected a duration like 30s, 10m, 2h or 7d")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if math.isnan(seconds):
        raise ValueError("expected a duration like 30s, 10m, 2h or 7d")
    if seconds > MAX_DURATION:
        raise ValueError("too long: at most 100 years (36500d)")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    try:
        return float(value)
    except OverflowError:
        raise ValueError("too large a number") from None


Number = Annotated[float, BeforeValidator(_number)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PollSettings(_Strict):
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


class DeliverySettings(_Strict):
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


class _ChannelBase(_Strict):
    # Article alerts below this level are not sent to the channel.
    min_level: Literal["notice", "warning", "critical"] | None = None
    # A Jinja2 file (relative to the config directory) for the message text.
    template: str | None = None


class ConsoleChannelConfig(_ChannelBase):
    """Alerts printed on the daemon's standard output."""

    type: Literal["console"]


class WebhookChannelConfig(_ChannelBase):
    """Alerts POSTed as JSON to ``url``."""

    type: Literal["webhook"]
    url: HttpUrlStr
    secret: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: Duration = 10.0


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


CHANNEL_TYPES = (
    "console", "webhook", "slack", "discord", "mattermost", "teams", "ntfy", "telegram", "email",
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
    | EmailChannelConfig,
    Field(discriminator="type"),
]


def _default_channels() -> dict[str, ChannelConfig]:
    return {"console": ConsoleChannelConfig(type="console")}


class SystemSettings(_Strict):
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


class HttpSettings(_Strict):
    """The daemon's own HTTP server: /healthz, /metrics and /status."""

    listen: Annotated[str | None, BeforeValidator(_listen_address)] = "127.0.0.1:8787"
    # How long after the last finished cycle /healthz still answers 200;
    # None: three poll ticks, at least five minutes.
    stale_after: Duration | None = None

    def address(self) -> tuple[str, int] | None:
        """``(host, port)`` to listen on, or ``None`` when the server is off."""
        if self.listen is None:
            return None
        match = _LISTEN.match(self.listen)
        assert match is not None  # validated on load
        return match.group("ipv6") or match.group("host"), int(match.group("port"))


class RetentionSettings(_Strict):
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


class Settings(_Strict):
    """The contents of ``monitor.yaml``."""

    database: str = "data/monitor.db"
    poll: PollSettings = PollSettings()
    delivery: DeliverySettings = DeliverySettings()
    channels: dict[str, ChannelConfig] = Field(default_factory=_default_channels)
    system: SystemSettings = SystemSettings()
    http: HttpSettings = HttpSettings()

    def stale_after(self) -> float:
        """Seconds after the last finished cycle when the daemon counts as stuck."""
        if self.http.stale_after is not None:
            return self.http.stale_after
        return max(300.0, 3 * self.poll.tick)

    retention: RetentionSettings = RetentionSettings()

    def min_levels(self) -> dict[str, str | None]:
        """Each channel's ``min_level``."""
        return {name: channel.min_level for name, channel in self.channels.items()}

    def system_channels(self) -> list[str]:
        """Where alerts about the monitor itself go."""
        return list(self.channels) if self.system.channels is None else self.system.channels

    @model_validator(mode="after")
    def _known_system_channels(self) -> Settings:
        unknown = [name for name in self.system.channels or [] if name not in self.channels]
        if unknown:
            raise ValueError(f"system.channels: unknown channel {unknown[0]!r}")
        return self


# RFC 9110 §5.1: a field name is a token.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class FeedConfig(_Strict):
    """One feed to poll; ``url`` may be http(s), ``file://`` or a local path.

    ``enabled: false`` keeps the feed (and its articles) but stops polling
    it; ``headers`` are sent with every request for this feed (values may be
    ``${NAME}`` secrets); ``interval`` and ``timeout`` override ``poll``'s.
    """

    url: str
    name: str | None = None
    interval: Duration | None = None
    enabled: bool = Field(True, strict=True)
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: Duration | None = None

    @field_validator("interval", "timeout")
    @classmethod
    def _positive(cls, seconds: float | None) -> float | None:
        if seconds is not None and seconds <= 0:
            raise ValueError("expected a duration greater than zero")
        return seconds

    @field_validator("headers")
    @classmethod
    def _valid_headers(cls, headers: dict[str, str]) -> dict[str, str]:
        # Values are never quoted back: they may hold secrets from the environment.
        for name, value in headers.items():
            if not _HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not a valid HTTP header name")
            if any(char in value for char in "\r\n\0") or not value.isascii():
                raise ValueError(f"the value of header {name!r} must be one line of ASCII text")
        return headers


class FeedsFile(_Strict):
    """The contents of ``feeds.yaml``."""

    feeds: list[FeedConfig] = Field(default_factory=list)


class NearConfig(_Strict):
    """A hit counts only if one of ``terms`` is within ``within`` words of it."""

    terms: list[str] = Field(min_length=1)
    within: int = Field(ge=1, le=100)


class ScopeConfig(_Strict):
    """What an article must mention to be scored at all."""

    any_: list[str] = Field(default_factory=list, alias="any")
    all_: list[str] = Field(default_factory=list, alias="all")
    in_: Literal["title"] | None = Field(None, alias="in")


class TermSetConfig(ScopeConfig):
    """Terms of which each ``all`` item and at least one ``any`` item appear."""

    @model_validator(mode="after")
    def _has_terms(self) -> TermSetConfig:
        if not self.any_ and not self.all_:
            raise ValueError("a term set needs terms under 'any' or 'all'")
        return self


# Words that, a few words before a term, say it did not happen ("no injuries",
# "denied any shooting", "nije bilo povređenih", "nuk ka të plagosur").
DEFAULT_NEGATORS = (
    # English
    "no", "not", "never", "without", "none", "nobody", "no one", "neither", "nor",
    "deny", "denies", "denied", "denying", "ruled out", "didn't", "wasn't",
    "weren't", "isn't", "aren't", "hasn't", "haven't", "don't", "doesn't",
    # Serbian, Croatian, Bosnian (Latin and Cyrillic fold alike)
    "ne", "nije", "nisu", "nema", "nismo", "bez", "nikakv*", "niko", "nitko",
    "nijedan", "nijedna", "nijedno", "negira*", "demantova*", "demantuj*", "demantira*",
    # Albanian
    "nuk", "asnjë", "askush", "mohoi", "mohon", "mohuan", "hodhi poshtë",
    # German, Italian, French, Polish, Slovenian, Dutch, Hungarian
    "kein", "keine", "keinen", "nicht", "ohne", "niemand", "dementiert",
    "non", "nessun*", "senza", "smentit*",
    "aucun*", "sans", "pas", "démenti*",
    "nie", "bez", "żadn*", "nikt",
    "ni", "niso", "brez", "nihče",
    "geen", "niet", "zonder", "niemand",
    "nem", "nincs", "nélkül", "senki",
)  # fmt: skip


class NegationConfig(_Strict):
    """A negator at most ``within`` words before a term, in one sentence, cancels it."""

    terms: list[str] = Field(default_factory=lambda: list(DEFAULT_NEGATORS))
    within: int = Field(3, ge=1, le=10)


class SignalConfig(_Strict):
    """One weighted signal: its terms raise (or, negative, lower) the score."""

    name: str
    weight: Number
    any_: list[str] = Field(default_factory=list, alias="any")
    all_: list[str] = Field(default_factory=list, alias="all")
    not_: list[str] = Field(default_factory=list, alias="not")
    near: NearConfig | None = None
    in_: Literal["title"] | None = Field(None, alias="in")
    max_hits: int = Field(3, ge=1)

    @model_validator(mode="after")
    def _has_terms(self) -> SignalConfig:
        if not self.any_ and not self.all_:
            raise ValueError("a signal needs terms under 'any' or 'all'")
        return self


class _Thresholds(_Strict):
    """One threshold per level, a field each, lowest level first; they must increase."""

    called: ClassVar[str]  # what the error message calls them

    @model_validator(mode="after")
    def _increasing(self) -> Self:
        levels = list(type(self).model_fields)
        thresholds = [getattr(self, level) for level in levels]
        if not all(lower < higher for lower, higher in pairwise(thresholds)):
            raise ValueError(f"{self.called} must increase: {' < '.join(levels)}")
        return self


class LevelsConfig(_Thresholds):
    """Score thresholds of the severity bands (``LEVELS``), in increasing order."""

    called = "levels"
    notice: Number = 4
    warning: Number = 8
    critical: Number = 14


class IndexLevelsConfig(_Thresholds):
    """Tension-index thresholds (``INDEX_LEVELS``), in increasing order."""

    called = "index levels"
    elevated: Number = 15
    high: Number = 30
    severe: Number = 50


class IndexConfig(_Strict):
    """The tension index: in-scope article scores summed, decaying with a half-life."""

    half_life: Duration = 12 * 3600.0
    levels: IndexLevelsConfig = IndexLevelsConfig()
    clear_below: float = Field(0.8, gt=0, le=1)

    @field_validator("half_life")
    @classmethod
    def _positive(cls, seconds: float) -> float:
        if seconds <= 0:
            raise ValueError("the half-life must be longer than zero")
        return seconds


class SpikeConfig(_Strict):
    """Alert when a window holds far more in-scope articles than usual."""

    window: Duration = 3600.0
    factor: float = Field(3.0, gt=1)
    min_count: int = Field(5, ge=1)
    baseline: Duration = 7 * 86400.0

    @model_validator(mode="after")
    def _baseline_covers_windows(self) -> SpikeConfig:
        if self.baseline < 3 * self.window:
            raise ValueError("baseline must be at least three windows long")
        return self


class AlertConfig(_Strict):
    """When a watch alerts, and where."""

    on: list[str] = Field(default_factory=lambda: ["article:warning"])
    channels: list[str] = Field(default_factory=lambda: ["console"])
    group_wait: Duration = 60.0
    group_window: Duration = 6 * 3600.0
    cooldown: Duration = 2 * 3600.0
    similarity: float = Field(0.6, gt=0, le=1)

    @field_validator("on")
    @classmethod
    def _known_triggers(cls, triggers: list[str]) -> list[str]:
        for trigger in triggers:
            kind, _, level = trigger.partition(":")
            known = (kind == "article" and level in LEVELS) or (
                kind == "index" and level in INDEX_LEVELS
            )
            if not known:
                raise ValueError(
                    f"unknown trigger {trigger!r}: expected article:notice, article:warning, "
                    "article:critical, index:elevated, index:high or index:severe"
                )
        return triggers


class WatchConfig(_Strict):
    """One watch file: term lists, scope, signals, levels and alerting."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    terms: dict[str, list[str]] = Field(default_factory=dict)
    languages: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    scope: ScopeConfig = ScopeConfig()
    exclude: list[TermSetConfig] = Field(default_factory=list)
    signals: list[SignalConfig] = Field(min_length=1)
    negation: NegationConfig | None = Field(default_factory=NegationConfig)
    title_boost: Number = Field(1.5, ge=0)
    levels: LevelsConfig = LevelsConfig()
    index: IndexConfig | None = None
    spike: SpikeConfig | None = None
    alert: AlertConfig = AlertConfig()

    def alert_level(self) -> str | None:
        """Return the lowest level at which an article alerts, if any."""
        return self._lowest("article", LEVELS)

    def index_alert_level(self) -> str | None:
        """Return the lowest tension-index level that alerts, if any."""
        return self._lowest("index", INDEX_LEVELS)

    def _lowest(self, kind: str, levels: tuple[str, ...]) -> str | None:
        chosen = [
            level
            for trigger in self.alert.on
            for k, _, level in [trigger.partition(":")]
            if k == kind
        ]
        return min(chosen, key=levels.index) if chosen else None

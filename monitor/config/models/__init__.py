"""The shapes of the config files, as pydantic models, with their defaults.

``monitor.yaml`` is ``Settings`` (``settings``), ``feeds.yaml`` is ``FeedsFile``
(``feeds``) and each ``watches/*.yaml`` is a ``WatchConfig`` (``watch``);
``base`` holds what they share. Unknown keys are errors. Durations are written
``30s``, ``10m``, ``2h`` or ``7d``. ``monitor.config`` loads the files into
these models and reports every problem with file, line and field.
"""

from monitor.config.models.base import (
    MAX_DURATION,
    Duration,
    Number,
    parse_duration,
)
from monitor.config.models.feeds import (
    FeedConfig,
    FeedsFile,
)
from monitor.config.models.settings import (
    CHANNEL_TYPES,
    AppriseChannelConfig,
    ChannelConfig,
    ConsoleChannelConfig,
    DeliverySettings,
    DiscordChannelConfig,
    EmailChannelConfig,
    HttpSettings,
    MattermostChannelConfig,
    NtfyChannelConfig,
    PollSettings,
    RetentionSettings,
    Settings,
    SlackChannelConfig,
    SystemSettings,
    TeamsChannelConfig,
    TelegramChannelConfig,
    WebhookChannelConfig,
    standard_webhooks_key,
)
from monitor.config.models.watch import (
    DEFAULT_NEGATORS,
    INDEX_LEVELS,
    LEVELS,
    AlertConfig,
    BreakingConfig,
    GazetteerEntry,
    IndexConfig,
    IndexLevelsConfig,
    LevelsConfig,
    NearConfig,
    NegationConfig,
    ScopeConfig,
    SignalConfig,
    SpikeConfig,
    StoryConfig,
    TermSetConfig,
    WatchConfig,
)

__all__ = [
    "CHANNEL_TYPES",
    "DEFAULT_NEGATORS",
    "INDEX_LEVELS",
    "LEVELS",
    "MAX_DURATION",
    "AlertConfig",
    "AppriseChannelConfig",
    "BreakingConfig",
    "ChannelConfig",
    "ConsoleChannelConfig",
    "DeliverySettings",
    "DiscordChannelConfig",
    "Duration",
    "EmailChannelConfig",
    "FeedConfig",
    "FeedsFile",
    "GazetteerEntry",
    "HttpSettings",
    "IndexConfig",
    "IndexLevelsConfig",
    "LevelsConfig",
    "MattermostChannelConfig",
    "NearConfig",
    "NegationConfig",
    "NtfyChannelConfig",
    "Number",
    "PollSettings",
    "RetentionSettings",
    "ScopeConfig",
    "Settings",
    "SignalConfig",
    "SlackChannelConfig",
    "SpikeConfig",
    "StoryConfig",
    "SystemSettings",
    "TeamsChannelConfig",
    "TelegramChannelConfig",
    "TermSetConfig",
    "WatchConfig",
    "WebhookChannelConfig",
    "parse_duration",
    "standard_webhooks_key",
]

"""The configuration: the only way in.

``load_config(directory)`` reads ``monitor.yaml``, ``feeds.yaml`` and
``watches/*.yaml`` once into a frozen ``Config``; every problem names file, line
and field. ``models`` holds the file models and their defaults, ``yamlfile``
YAML with line numbers and ``${NAME}``, ``feedsfile`` and ``opml`` the edits of
``feeds.yaml`` that commands make.
"""

from monitor.config.load import (
    DEFAULT_CONFIG_DIR,
    Config,
    config_files,
    config_fingerprint,
    database_path_of,
    load_config,
)
from monitor.config.models import (
    DEFAULT_NEGATORS,
    INDEX_LEVELS,
    LEVELS,
    AlertConfig,
    ChannelConfig,
    ConsoleChannelConfig,
    DeliverySettings,
    Duration,
    FeedConfig,
    FeedsFile,
    HttpSettings,
    IndexConfig,
    IndexLevelsConfig,
    LevelsConfig,
    NearConfig,
    NegationConfig,
    Number,
    PollSettings,
    RetentionSettings,
    ScopeConfig,
    Settings,
    SignalConfig,
    SpikeConfig,
    SystemSettings,
    TermSetConfig,
    WatchConfig,
    WebhookChannelConfig,
    parse_duration,
)

__all__ = [
    "DEFAULT_CONFIG_DIR",
    "DEFAULT_NEGATORS",
    "INDEX_LEVELS",
    "LEVELS",
    "AlertConfig",
    "ChannelConfig",
    "Config",
    "ConsoleChannelConfig",
    "DeliverySettings",
    "Duration",
    "FeedConfig",
    "FeedsFile",
    "HttpSettings",
    "IndexConfig",
    "IndexLevelsConfig",
    "LevelsConfig",
    "NearConfig",
    "NegationConfig",
    "Number",
    "PollSettings",
    "RetentionSettings",
    "ScopeConfig",
    "Settings",
    "SignalConfig",
    "SpikeConfig",
    "SystemSettings",
    "TermSetConfig",
    "WatchConfig",
    "WebhookChannelConfig",
    "config_files",
    "config_fingerprint",
    "database_path_of",
    "load_config",
    "parse_duration",
]

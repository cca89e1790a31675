"""Loading and validating the config directory, once, into one frozen ``Config``.

The directory holds ``monitor.yaml`` (settings and channels), ``feeds.yaml``
and ``watches/*.yaml`` (one watch per file). Every problem found is reported
together, each naming the file, the line and the field; unknown keys are
errors, so a typo never silently does nothing. All defaults live here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from monitor.errors import ConfigError, ConfigProblem
from monitor.rules import Matcher, RuleError, compile_watches
from monitor.yamlfile import (
    Location,
    YamlDocument,
    expand_environment,
    format_location,
    load_yaml,
)

DEFAULT_CONFIG_DIR = Path("config")
LEVELS = ("notice", "warning", "critical")
INDEX_LEVELS = ("elevated", "high", "severe")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: Any) -> float:
    """Return seconds for ``30``, ``"30s"``, ``"10m"``, ``"2h"`` or ``"7d"``."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like 30s, 10m, 2h or 7d")
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(str(value))
    if match is None:
        raise ValueError("expected a duration like 30s, 10m, 2h or 7d")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


ModelT = TypeVar("ModelT", bound=BaseModel)
Duration = Annotated[float, BeforeValidator(parse_duration)]


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    return float(value)


Number = Annotated[float, BeforeValidator(_number)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PollSettings(_Strict):
    """How feeds are polled; every feed may override ``interval``."""

    interval: Duration = 600.0
    jitter: float = Field(0.1, ge=0, le=0.5)
    concurrency: int = Field(10, ge=1, le=500)
    workers: int = Field(2, ge=0, le=64)
    timeout: Duration = 20.0
    max_bytes: int = Field(10_000_000, ge=1024)
    max_redirects: int = Field(5, ge=0, le=20)
    max_backoff: Duration = 6 * 3600.0
    tick: Duration = 30.0


class DeliverySettings(_Strict):
    """How the outbox retries a channel that does not accept an alert."""

    max_attempts: int = Field(5, ge=1)
    retry_base: Duration = 30.0


class ConsoleChannelConfig(_Strict):
    """Alerts printed on the daemon's standard output."""

    type: Literal["console"]


class WebhookChannelConfig(_Strict):
    """Alerts POSTed as JSON to ``url``."""

    type: Literal["webhook"]
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: Duration = 10.0

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return url


ChannelConfig = Annotated[ConsoleChannelConfig | WebhookChannelConfig, Field(discriminator="type")]


def _default_channels() -> dict[str, ChannelConfig]:
    return {"console": ConsoleChannelConfig(type="console")}


class SystemSettings(_Strict):
    """When the monitor alerts about itself: feeds failing, or news gone quiet."""

    channels: list[str] | None = None  # None: every configured channel
    failing_share: float = Field(0.5, gt=0, le=1)
    failing_for: Duration = 3600.0
    quiet_for: Duration = 24 * 3600.0


class Settings(_Strict):
    """The contents of ``monitor.yaml``."""

    database: str = "data/monitor.db"
    poll: PollSettings = PollSettings()
    delivery: DeliverySettings = DeliverySettings()
    channels: dict[str, ChannelConfig] = Field(default_factory=_default_channels)
    system: SystemSettings = SystemSettings()

    def system_channels(self) -> list[str]:
        """Where alerts about the monitor itself go."""
        return list(self.channels) if self.system.channels is None else self.system.channels

    @model_validator(mode="after")
    def _known_system_channels(self) -> Settings:
        unknown = [name for name in self.system.channels or [] if name not in self.channels]
        if unknown:
            raise ValueError(f"system.channels: unknown channel {unknown[0]!r}")
        return self


class FeedConfig(_Strict):
    """One feed to poll; ``url`` may be http(s), ``file://`` or a local path."""

    url: str
    name: str | None = None
    interval: Duration | None = None


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


class LevelsConfig(_Strict):
    """Score thresholds of the severity bands, in increasing order."""

    notice: Number = 4
    warning: Number = 8
    critical: Number = 14

    @model_validator(mode="after")
    def _increasing(self) -> LevelsConfig:
        if not self.notice < self.warning < self.critical:
            raise ValueError("levels must increase: notice < warning < critical")
        return self


class IndexLevelsConfig(_Strict):
    """Tension-index thresholds, in increasing order."""

    elevated: Number = 15
    high: Number = 30
    severe: Number = 50

    @model_validator(mode="after")
    def _increasing(self) -> IndexLevelsConfig:
        if not self.elevated < self.high < self.severe:
            raise ValueError("index levels must increase: elevated < high < severe")
        return self


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


@dataclass(frozen=True)
class Config:
    """The whole validated configuration, passed explicitly to every stage."""

    directory: Path
    settings: Settings
    feeds: tuple[FeedConfig, ...]
    watches: tuple[WatchConfig, ...]
    matcher: Matcher
    secrets: frozenset[str]

    @property
    def database_path(self) -> Path:
        """The SQLite file; a relative path is taken from the working directory."""
        return Path(self.settings.database).expanduser()


def load_config(directory: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Load and validate the config directory, or raise ``ConfigError`` listing every problem."""
    environ = os.environ if environ is None else environ
    problems: list[ConfigProblem] = []
    if not directory.is_dir():
        raise ConfigError([ConfigProblem(directory, None, "", "config directory not found")])

    settings_path = directory / "monitor.yaml"
    settings = Settings()
    secrets: set[str] = set()
    if settings_path.exists():
        loaded, used, _ = _load_model(settings_path, Settings, environ, problems)
        settings = loaded or settings
        secrets |= used

    feeds: list[FeedConfig] = []
    feeds_path = directory / "feeds.yaml"
    if feeds_path.exists():
        feeds_file, _, _ = _load_model(feeds_path, FeedsFile, environ, problems)
        if feeds_file is not None:
            feeds = [_resolve_feed_path(feed, directory) for feed in feeds_file.feeds]
    else:
        problems.append(ConfigProblem(feeds_path, None, "", "file not found"))

    settings_ok = not problems
    watches, documents = _load_watches(directory / "watches", environ, problems)
    if settings_ok:
        problems.extend(_check_watches(watches, documents, settings))
    matcher: Matcher | None = None
    if not problems:
        try:
            matcher = compile_watches(watches)
        except RuleError as exc:
            document = documents[exc.watch]
            problems.append(
                ConfigProblem(
                    document.path,
                    document.line_of(exc.location),
                    format_location(exc.location),
                    exc.message,
                )
            )
    if problems or matcher is None:
        raise ConfigError(problems)
    return Config(
        directory=directory,
        settings=settings,
        feeds=tuple(feeds),
        watches=tuple(watches),
        matcher=matcher,
        secrets=frozenset(value for value in secrets if value),
    )


def _load_model(
    path: Path,
    model: type[ModelT],
    environ: Mapping[str, str],
    problems: list[ConfigProblem],
) -> tuple[ModelT | None, set[str], YamlDocument | None]:
    """Load one file into ``model``; add what is wrong to ``problems``."""
    document, found = load_yaml(path)
    problems.extend(found)
    if document is None or found:
        return None, set(), document
    data, used, found = expand_environment(document, environ)
    problems.extend(found)
    if found:
        return None, used, document
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(ConfigProblem(path, 1, "", "expected a mapping of keys to values"))
        return None, used, document
    try:
        return model.model_validate(data), used, document
    except ValidationError as exc:
        problems.extend(_validation_problems(document, exc))
        return None, used, document


def _validation_problems(document: YamlDocument, error: ValidationError) -> list[ConfigProblem]:
    problems = []
    for detail in error.errors():
        location = _yaml_location(document, detail["loc"])
        message = _MESSAGES.get(detail["type"], detail["msg"])
        if detail["type"] in ("value_error", "assertion_error"):
            message = str(detail["ctx"]["error"]) if "ctx" in detail else message
        problems.append(
            ConfigProblem(
                document.path,
                document.line_of(location),
                format_location(location),
                message,
            )
        )
    return problems


_MESSAGES = {
    "extra_forbidden": "unknown key",
    "missing": "required key is missing",
    "float_type": "expected a number",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "float_parsing": "expected a number",
    "string_type": "expected a string",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "union_tag_invalid": "unknown channel type (expected console or webhook)",
    "union_tag_not_found": "channel needs a 'type' (console or webhook)",
}


def _yaml_location(document: YamlDocument, loc: tuple[int | str, ...]) -> Location:
    """Map a pydantic error location onto keys that exist in the YAML file.

    Pydantic inserts names of its own (a union's tag, ``function-after``) into
    locations; those are skipped, except as the last part, which names a
    missing key.
    """
    location: Location = ()
    for index, part in enumerate(loc):
        candidate = (*location, part)
        if candidate in document.lines or index == len(loc) - 1:
            location = candidate
    if location and not isinstance(location[-1], int) and location not in document.lines:
        # A union tag or validator name as the last part names no key.
        last = str(location[-1])
        if last in ("console", "webhook") or "-" in last or "[" in last:
            location = location[:-1]
    return location


def _resolve_feed_path(feed: FeedConfig, directory: Path) -> FeedConfig:
    if "://" in feed.url:
        return feed
    path = Path(feed.url).expanduser()
    if not path.is_absolute():
        path = (directory / path).resolve()
    return feed.model_copy(update={"url": path.as_uri()})


def _load_watches(
    directory: Path, environ: Mapping[str, str], problems: list[ConfigProblem]
) -> tuple[list[WatchConfig], dict[str, YamlDocument]]:
    watches: list[WatchConfig] = []
    documents: dict[str, YamlDocument] = {}
    paths = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not paths:
        problems.append(ConfigProblem(directory, None, "", "no watch files (*.yaml) found"))
    for path in paths:
        watch, _, document = _load_model(path, WatchConfig, environ, problems)
        if watch is None or document is None:
            continue
        if watch.name in documents:
            other = documents[watch.name].path
            problems.append(
                ConfigProblem(path, document.line_of(("name",)), "name", f"also used by {other}")
            )
            continue
        watches.append(watch)
        documents[watch.name] = document
    return watches, documents


def _check_watches(
    watches: list[WatchConfig], documents: dict[str, YamlDocument], settings: Settings
) -> list[ConfigProblem]:
    problems = []
    for watch in watches:
        document = documents[watch.name]
        for index, trigger in enumerate(watch.alert.on):
            if trigger.startswith("index:") and watch.index is None:
                location: Location = ("alert", "on", index)
                problems.append(
                    ConfigProblem(
                        document.path,
                        document.line_of(location),
                        format_location(location),
                        f"{trigger!r} needs an 'index:' section in this watch",
                    )
                )
        for index, channel in enumerate(watch.alert.channels):
            if channel not in settings.channels:
                location = ("alert", "channels", index)
                known = ", ".join(sorted(settings.channels)) or "none"
                problems.append(
                    ConfigProblem(
                        document.path,
                        document.line_of(location),
                        format_location(location),
                        f"unknown channel {channel!r} (monitor.yaml defines: {known})",
                    )
                )
    return problems

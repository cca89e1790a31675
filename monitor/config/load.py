"""Loading and validating the config directory, once, into one frozen ``Config``.

The directory holds ``monitor.yaml`` (settings and channels), ``feeds.yaml``
and ``watches/*.yaml`` (one watch per file). Every problem found is reported
together, each naming the file, the line and the field; unknown keys are
errors, so a typo never silently does nothing. The models of the files and
their defaults live in ``monitor.config.models``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ValidationError

from monitor.config.checks import (
    channel_names,
    duplicate_feeds,
    duplicate_signals,
    unknown_channels,
    unknown_follow_ups,
)
from monitor.config.models import (
    AppriseChannelConfig,
    FeedConfig,
    FeedsFile,
    Settings,
    WatchConfig,
)
from monitor.config.problems import validation_problems
from monitor.config.salvage import Salvaged, salvage
from monitor.config.yamlfile import Location, YamlDocument, expand_environment, load_yaml
from monitor.errors import ConfigError, ConfigProblem
from monitor.rules.compile import Matcher, RulesError, compile_watches

DEFAULT_CONFIG_DIR = Path("config")
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Config:
    """The whole validated configuration, passed explicitly to every stage."""

    directory: Path
    settings: Settings
    feeds: tuple[FeedConfig, ...]
    watches: tuple[WatchConfig, ...]
    matcher: Matcher
    secrets: frozenset[str]
    fingerprint: str = ""
    skipped: tuple[str, ...] = ()  # loaded leniently: each part left out, and why

    @property
    def database_path(self) -> Path:
        """The SQLite file; a relative path is taken from the config directory."""
        return resolve_database(self.directory, self.settings.database)


def resolve_database(directory: Path, database: str) -> Path:
    """``database:`` of ``monitor.yaml`` in ``directory`` as an absolute path: a relative
    one is taken from the config directory (as Prometheus resolves its files), never
    from the directory a command runs in."""
    return (directory / Path(database).expanduser()).resolve()


def config_files(directory: Path) -> Iterator[Path]:
    """The files of a config directory that make up its config, in a stable order.

    Hidden files and editors' backup and swap files are left out, so saving a
    file in an editor changes the config once, when the file itself changes.
    """
    for path in sorted(directory.rglob("*")):
        parts = path.relative_to(directory).parts
        if any(part.startswith(".") for part in parts) or path.name.endswith(_EDITOR_LEFTOVERS):
            continue
        if path.is_file():
            yield path


_EDITOR_LEFTOVERS = ("~", ".swp", ".swx", ".tmp", ".bak")


def config_fingerprint(directory: Path) -> str:
    """A short hash of the config directory's files, names and contents.

    Two directories with the same fingerprint hold the same config; the daemon
    records the fingerprint of the config it runs, so ``monitor status`` can
    tell whether the config on disk is the one running.
    """
    digest = hashlib.sha256()
    for path in config_files(directory):
        try:
            content = path.read_bytes()
        except OSError:
            content = b"<unreadable>"
        digest.update(str(path.relative_to(directory)).encode() + b"\0")
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()[:16]


def database_path_of(directory: Path, environ: Mapping[str, str] | None = None) -> Path:
    """The database that ``monitor.yaml`` names, read leniently.

    For commands that must work while the config on disk is invalid (``monitor
    status``): whatever else is wrong, a readable ``database:`` is used, and
    the default otherwise.
    """
    default = resolve_database(directory, Settings().database)
    document, problems = load_yaml(directory / "monitor.yaml")
    if document is None or problems:
        return default
    data, _, _ = expand_environment(document, os.environ if environ is None else environ)
    database = data.get("database") if isinstance(data, dict) else None
    if not isinstance(database, str) or not database:
        return default
    return resolve_database(directory, database)


def load_config(
    directory: Path, environ: Mapping[str, str] | None = None, *, lenient: bool = False
) -> Config:
    """Load and validate the config directory, or raise ``ConfigError`` listing every problem.

    Every check runs, whatever else is wrong: a watch's channels are checked
    against ``monitor.yaml`` even when a signal in the watch is broken, and its
    terms are compiled from what validates (``salvage``).

    ``lenient``, for the commands that only read: a part that does not load is
    left out and named in ``Config.skipped`` instead of failing the whole -- the
    channels (a secret unset in this shell), a watch file mid-edit, feeds.yaml;
    a ``monitor.yaml`` that does not validate at all leaves its readable
    ``database:`` and the defaults. Only a missing directory still raises.
    """
    environ = os.environ if environ is None else environ
    problems: list[ConfigProblem] = []
    skipped: list[str] = []
    if not directory.is_dir():
        raise ConfigError([ConfigProblem(directory, None, "", "config directory not found")])
    fingerprint = config_fingerprint(directory)

    settings_path = directory / "monitor.yaml"
    settings = Settings()
    secrets: set[str] = set()
    channels: set[str] | None = set(settings.channels)
    settings_ok = True
    if settings_path.exists():
        found: list[ConfigProblem] = []
        loaded = _load_model(settings_path, Settings, environ, found)
        secrets |= loaded.used
        channels = channel_names(loaded.data) if loaded.document is not None else None
        if loaded.document is not None and channels is not None:
            location: Location = ("system", "channels")
            found.extend(unknown_channels(loaded.document, loaded.data, location, channels))
        settings_ok = loaded.model is not None
        if loaded.model is not None:
            settings = _resolve_templates(loaded.model, directory, found)
            # An Apprise URL may hold credentials anywhere in it: a secret even when
            # written in the file rather than taken from the environment.
            secrets |= {
                url
                for channel in settings.channels.values()
                if isinstance(channel, AppriseChannelConfig)
                for url in channel.urls
            }
        if lenient and found:
            settings, note = _without_channels(loaded.data, directory, found[0])
            skipped.append(note)
            channels, settings_ok, found = None, True, []
        problems.extend(found)

    feeds: list[FeedConfig] = []
    feeds_path = directory / "feeds.yaml"
    found = []
    if feeds_path.exists():
        loaded_feeds = _load_model(feeds_path, FeedsFile, environ, found)
        secrets |= loaded_feeds.used  # per-feed headers (and URLs) may carry tokens
        if loaded_feeds.document is not None:
            found.extend(duplicate_feeds(loaded_feeds.document, loaded_feeds.data))
        if loaded_feeds.model is not None:
            feeds = [_resolve_feed_path(feed, directory) for feed in loaded_feeds.model.feeds]
    else:
        found.append(ConfigProblem(feeds_path, None, "", "file not found"))
    if lenient and found:
        skipped.append(f"feeds not loaded: {found[0]}")
        feeds, found = [], []
    problems.extend(found)

    found = []
    watches = _load_watches(directory / "watches", environ, found)
    for watch in watches.values():
        found.extend(_check_watch(watch, settings if settings_ok else None, channels))
    matcher = _compile(watches, found)
    if lenient and found:
        watches, matcher = _without_broken(watches, found, skipped)
    problems.extend(found)
    if problems or matcher is None:
        raise ConfigError(_in_file_order(problems))
    return Config(
        directory=directory,
        settings=settings,
        feeds=tuple(feeds),
        watches=tuple(watch.model for watch in watches.values()),
        matcher=matcher,
        secrets=frozenset(value for value in secrets if value),
        fingerprint=fingerprint,
        skipped=tuple(skipped),
    )


def _without_channels(data: Any, directory: Path, problem: ConfigProblem) -> tuple[Settings, str]:
    """The settings of a ``monitor.yaml`` that does not load (``data``, its first
    ``problem``) for reading: without its channels, or only its ``database:``; and
    a note of what was left out."""
    if isinstance(data, dict):
        rest = {key: value for key, value in data.items() if key != "channels"}
        if isinstance(rest.get("system"), dict):
            rest["system"] = {k: v for k, v in rest["system"].items() if k != "channels"}
        try:
            return Settings.model_validate(rest), f"channels not loaded: {problem}"
        except ValidationError:
            pass
    database = data.get("database") if isinstance(data, dict) else None
    if isinstance(database, str) and database:
        settings = Settings(database=database)
    else:
        settings = Settings(database=str(database_path_of(directory)))
    return settings, f"monitor.yaml not loaded (defaults used): {problem}"


def _without_broken(
    watches: dict[str, _Watch], problems: list[ConfigProblem], skipped: list[str]
) -> tuple[dict[str, _Watch], Matcher | None]:
    """``watches`` without those that ``problems`` name, and their matcher; a note in
    ``skipped`` for each file left out (and each problem dropped from ``problems``)."""
    first: dict[str, ConfigProblem] = {}
    for problem in problems:
        first.setdefault(problem.path, problem)
    skipped.extend(f"watch not loaded: {problem}" for problem in first.values())
    problems.clear()
    kept = {name: watch for name, watch in watches.items() if str(watch.document.path) not in first}
    unexpected: list[ConfigProblem] = []
    matcher = _compile(kept, unexpected)
    problems.extend(unexpected)
    return kept, matcher


def _in_file_order(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    """``problems`` file by file (in the order the files were read), by line in each."""
    files = {problem.path: index for index, problem in reversed(list(enumerate(problems)))}
    return sorted(problems, key=lambda problem: (files[problem.path], problem.line or 0))


@dataclass(frozen=True)
class _Loaded(Generic[ModelT]):
    """One file as loaded: its model (``None`` if invalid), the environment values it
    used, its document (``None`` if not YAML) and its data, and the model of what
    validates in it, when the whole does not."""

    model: ModelT | None
    used: set[str]
    document: YamlDocument | None = None
    data: Any = None
    salvaged: Salvaged[ModelT] | None = None


def _load_model(
    path: Path,
    model: type[ModelT],
    environ: Mapping[str, str],
    problems: list[ConfigProblem],
    *,
    salvaging: bool = False,
) -> _Loaded[ModelT]:
    """Load one file into ``model``; add what is wrong to ``problems``. ``salvaging``:
    if it does not validate, keep the model of what does (``salvage``)."""
    document, found = load_yaml(path)
    problems.extend(found)
    if document is None or found:
        return _Loaded(None, set())
    data, used, unset = expand_environment(document, environ)
    problems.extend(unset)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(ConfigProblem(path, 1, "", "expected a mapping of keys to values"))
        return _Loaded(None, used, document)
    try:
        validated = model.model_validate(data)
    except ValidationError as exc:
        # An unset variable is reported once, not again as the empty value it left.
        named = {problem.field for problem in unset}
        found = validation_problems(document, model, data, exc)
        problems.extend(problem for problem in found if problem.field not in named)
        salvaged = salvage(model, data, exc) if salvaging else None
        return _Loaded(None, used, document, data, salvaged)
    if unset:
        return _Loaded(None, used, document, data, Salvaged(validated))
    return _Loaded(validated, used, document, data)


def _resolve_templates(
    settings: Settings, directory: Path, problems: list[ConfigProblem]
) -> Settings:
    """Channel templates as absolute paths, each checked to read and parse."""
    channels = {}
    for name, channel in settings.channels.items():
        if channel.template is not None:
            path = (directory / Path(channel.template).expanduser()).resolve()
            try:
                failure = _template_syntax_error(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(
                    ConfigProblem(
                        directory / "monitor.yaml", None, f"channels.{name}.template",
                        f"cannot read {path}: {exc}",
                    )
                )  # fmt: skip
            else:
                if failure is not None:
                    problems.append(ConfigProblem(path, failure[0], "", failure[1]))
            channel = channel.model_copy(update={"template": str(path)})
        channels[name] = channel
    return settings.model_copy(update={"channels": channels})


def _template_syntax_error(source: str) -> tuple[int, str] | None:
    """``None`` if ``source`` parses as a (sandboxed) Jinja2 template, else its line and message."""
    try:
        SandboxedEnvironment().parse(source)
    except TemplateSyntaxError as exc:
        return exc.lineno, exc.message or "invalid template"
    return None


def _resolve_feed_path(feed: FeedConfig, directory: Path) -> FeedConfig:
    if "://" in feed.url:
        return feed
    path = Path(feed.url).expanduser()
    if not path.is_absolute():
        path = (directory / path).resolve()
    return feed.model_copy(update={"url": path.as_uri()})


@dataclass(frozen=True)
class _Watch:
    """A watch file as loaded: the model to compile (all of it, or what validates), whether
    that is the whole file, and the file's document and data."""

    model: WatchConfig
    whole: bool
    document: YamlDocument
    data: Any
    salvaged: Salvaged[WatchConfig] | None

    def original(self, location: Location) -> Location:
        """Where ``location`` of the model is in the file."""
        return self.salvaged.original(location) if self.salvaged is not None else location


def _load_watches(
    directory: Path, environ: Mapping[str, str], problems: list[ConfigProblem]
) -> dict[str, _Watch]:
    """The watches of ``directory`` by name; a file that is not a watch at all is left out."""
    watches: dict[str, _Watch] = {}
    paths = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not paths:
        problems.append(ConfigProblem(directory, None, "", "no watch files (*.yaml) found"))
    for path in paths:
        loaded = _load_model(path, WatchConfig, environ, problems, salvaging=True)
        document = loaded.document
        if document is None:
            continue
        problems.extend(duplicate_signals(document, loaded.data))
        problems.extend(unknown_follow_ups(document, loaded.data))
        salvaged = loaded.salvaged
        model = loaded.model or (salvaged.model if salvaged is not None else None)
        if model is None:
            continue
        if model.name in watches:
            other = watches[model.name].document.path
            problems.append(
                ConfigProblem(path, document.line_of(("name",)), "name", f"also used by {other}")
            )
            continue
        whole = loaded.model is not None
        watches[model.name] = _Watch(model, whole, document, loaded.data, salvaged)
    return watches


def _check_watch(
    watch: _Watch, settings: Settings | None, channels: set[str] | None
) -> list[ConfigProblem]:
    """What is wrong in ``watch`` given ``monitor.yaml`` (``settings`` if valid, and the
    names of its ``channels`` if they can be told)."""
    document = watch.document
    problems = []
    if channels is not None:
        problems.extend(unknown_channels(document, watch.data, ("alert", "channels"), channels))
    if not watch.whole:
        return problems  # the checks below would judge defaults standing in for broken parts
    model = watch.model
    for index, trigger in enumerate(model.alert.on):
        if trigger.startswith("index:") and model.index is None:
            location: Location = ("alert", "on", index)
            problems.append(
                ConfigProblem(
                    document.path,
                    document.line_of(location),
                    document.field(location),
                    f"{trigger!r} needs an 'index:' section in this watch",
                )
            )
    kept = settings.retention.articles if settings is not None else None
    if model.spike is not None and kept is not None and kept < model.spike.baseline:
        # Pruned articles leave the baseline short forever: no spike would fire.
        location = ("spike", "baseline")
        problems.append(
            ConfigProblem(
                document.path,
                document.line_of(location),
                document.field(location),
                "longer than retention.articles in monitor.yaml: the baseline would never fill",
            )
        )
    return problems


def _compile(watches: dict[str, _Watch], problems: list[ConfigProblem]) -> Matcher | None:
    """The matcher of ``watches``; each term that does not compile is added to ``problems``."""
    try:
        return compile_watches([watch.model for watch in watches.values()])
    except RulesError as exc:
        for error in exc.errors:
            watch = watches[error.watch]
            location = watch.original(error.location)
            problems.append(
                ConfigProblem(
                    watch.document.path,
                    watch.document.line_of(location),
                    watch.document.field(location),
                    error.message,
                )
            )
    return None

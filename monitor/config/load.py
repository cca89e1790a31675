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
from typing import TypeVar

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ValidationError

from monitor.config.models import CHANNEL_TYPES, FeedConfig, FeedsFile, Settings, WatchConfig
from monitor.config.yamlfile import (
    Location,
    YamlDocument,
    expand_environment,
    format_location,
    load_yaml,
)
from monitor.errors import ConfigError, ConfigProblem
from monitor.rules.compile import Matcher, RuleError, compile_watches

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

    @property
    def database_path(self) -> Path:
        """The SQLite file; a relative path is taken from the working directory."""
        return Path(self.settings.database).expanduser()


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
    default = Path(Settings().database)
    document, problems = load_yaml(directory / "monitor.yaml")
    if document is None or problems:
        return default
    data, _, _ = expand_environment(document, os.environ if environ is None else environ)
    database = data.get("database") if isinstance(data, dict) else None
    return Path(database).expanduser() if isinstance(database, str) and database else default


def load_config(directory: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Load and validate the config directory, or raise ``ConfigError`` listing every problem."""
    environ = os.environ if environ is None else environ
    problems: list[ConfigProblem] = []
    if not directory.is_dir():
        raise ConfigError([ConfigProblem(directory, None, "", "config directory not found")])
    fingerprint = config_fingerprint(directory)

    settings_path = directory / "monitor.yaml"
    settings = Settings()
    secrets: set[str] = set()
    if settings_path.exists():
        loaded, used, _ = _load_model(settings_path, Settings, environ, problems)
        settings = loaded or settings
        secrets |= used
        if loaded is not None:
            settings = _resolve_templates(settings, directory, problems)

    feeds: list[FeedConfig] = []
    feeds_path = directory / "feeds.yaml"
    if feeds_path.exists():
        feeds_file, used, _ = _load_model(feeds_path, FeedsFile, environ, problems)
        secrets |= used  # per-feed headers (and URLs) may carry tokens
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
        fingerprint=fingerprint,
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
    "bool_type": "expected true or false",
    "float_type": "expected a number",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "float_parsing": "expected a number",
    "string_type": "expected a string",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "union_tag_invalid": f"unknown channel type (expected one of: {', '.join(CHANNEL_TYPES)})",
    "union_tag_not_found": f"channel needs a 'type' ({', '.join(CHANNEL_TYPES)})",
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
        if last in CHANNEL_TYPES or "-" in last or "[" in last:
            location = location[:-1]
    return location


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
        kept = settings.retention.articles
        if watch.spike is not None and kept is not None and kept < watch.spike.baseline:
            # Pruned articles leave the baseline short forever: no spike would fire.
            location = ("spike", "baseline")
            problems.append(
                ConfigProblem(
                    document.path,
                    document.line_of(location),
                    format_location(location),
                    "longer than retention.articles in monitor.yaml: the baseline would never fill",
                )
            )
    return problems

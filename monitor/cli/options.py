"""The options that many commands share, and the checks of option values.

``--config DIR`` (before or after the command, or ``MONITOR_CONFIG``),
``--log-level`` and ``--log-format`` are written once here; a watch name or a
``--since``/``--until`` moment that does not parse becomes a usage error
naming what is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from monitor.config import DEFAULT_CONFIG_DIR, Config
from monitor.store.query import parse_moment

F = TypeVar("F", bound=Callable[..., Any])


_CONFIG_HELP = "Config directory (monitor.yaml, feeds.yaml, watches/)."


def root_config_option(group: F) -> F:
    """Add ``--config DIR`` (or ``MONITOR_CONFIG``) to the ``monitor`` group itself,
    so that ``monitor --config DIR CMD`` works as ``monitor CMD --config DIR`` does."""
    return click.option(
        "--config",
        "config_dir",
        type=click.Path(path_type=Path, file_okay=False),
        envvar="MONITOR_CONFIG",
        default=DEFAULT_CONFIG_DIR,
        show_default=True,
        help=_CONFIG_HELP,
    )(group)


def config_option(command: F) -> F:
    """Add ``--config DIR`` to a command; without it, the directory given before the
    command (``monitor --config DIR CMD``), else ``MONITOR_CONFIG``, else ``config``."""
    return click.option(
        "--config",
        "config_dir",
        type=click.Path(path_type=Path, file_okay=False),
        callback=_config_dir,
        help=f"{_CONFIG_HELP}  [default: the --config before the command, "
        f"MONITOR_CONFIG, or {DEFAULT_CONFIG_DIR}]",
    )(command)


def _config_dir(context: click.Context, _: click.Parameter, value: Path | None) -> Path:
    """The config directory: this command's ``--config``, the group's, or the default."""
    if value is not None:
        return value
    root = context.find_root()
    given = root.params.get("config_dir")
    if root is not context and isinstance(given, Path):
        return given
    environ = os.environ.get("MONITOR_CONFIG")
    return Path(environ) if environ else DEFAULT_CONFIG_DIR


def log_level_option(command: F) -> F:
    """Add ``--log-level`` and ``--log-format`` to a command."""
    command = click.option(
        "--log-format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Readable lines, or one JSON object per line for collectors.",
    )(command)
    return click.option(
        "--log-level",
        type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
        default="info",
        show_default=True,
        help="How much to log on stderr.",
    )(command)


def known_watch(config: Config, name: str | None) -> None:
    """A usage error unless ``name`` is None or the name of a watch of ``config``."""
    names = [watch.name for watch in config.watches]
    if name is not None and name not in names:
        raise click.UsageError(f"no watch named {name!r} (watches: {', '.join(names)})")


def moment(text: str | None, now: datetime, option: str) -> datetime | None:
    """``--since``/``--until`` as a moment, or a usage error naming the option."""
    if text is None:
        return None
    try:
        return parse_moment(text, now)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from exc

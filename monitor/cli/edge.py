"""The edge of the command line: the one place where a ``MonitorError`` becomes
one clean message and an exit code.

An invalid config lists every problem on stderr and exits 2 (``load``; a
command that only reads loads what it can and notes the rest,
``load_for_reading``), as does a database that does not exist; an
edit of a config file that fails says ``error: ...`` and exits 2
(``config_file_errors``); any other ``MonitorError`` (opening the database,
running async work, a store call that may fail) becomes click's ``Error: ...``
and exit 1 (``clean_errors`` and the helpers built on it). Commands never catch
``MonitorError`` themselves.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from monitor.config import Config, load_config
from monitor.errors import ConfigError, MonitorError
from monitor.store import Store

T = TypeVar("T")

EXIT_CONFIG_ERROR = 2


def load(config_dir: Path) -> Config:
    """The config in ``config_dir``; if invalid, every problem on stderr and exit 2."""
    try:
        return load_config(config_dir)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"{len(exc.problems)} problem(s) in {config_dir}", err=True)
        sys.exit(EXIT_CONFIG_ERROR)


def load_for_reading(config_dir: Path) -> Config:
    """The config in ``config_dir`` for a command that only reads: what does not load
    (channels whose secrets are unset, a watch mid-edit) is left out and said in
    one line on stderr; only a missing directory exits 2."""
    try:
        config = load_config(config_dir, lenient=True)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(EXIT_CONFIG_ERROR)
    if config.skipped:
        click.echo(f"note: {'; '.join(config.skipped)}", err=True)
    return config


def existing_database(config: Config) -> Path:
    """The database of ``config``; if there is no such file, say so naming it and exit 2."""
    path = config.database_path
    if not path.is_file():
        click.echo(
            f"error: no database at {path} (database: in {config.directory / 'monitor.yaml'}): "
            "monitor has not run yet with this config",
            err=True,
        )
        sys.exit(EXIT_CONFIG_ERROR)
    return path


@contextmanager
def clean_errors() -> Iterator[None]:
    """A ``MonitorError`` raised inside becomes one clean message and exit 1."""
    try:
        yield
    except MonitorError as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def config_file_errors() -> Iterator[None]:
    """A ``MonitorError`` raised inside (editing a config file) becomes
    ``error: ...`` on stderr and exit 2, as an invalid config does."""
    try:
        yield
    except MonitorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG_ERROR)


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work``; a ``MonitorError`` becomes one clean message and exit 1."""
    with clean_errors():
        return asyncio.run(work)


def open_store(path: Path, *, readonly: bool = False) -> Store:
    """The database at ``path``; one that cannot be opened, one message and exit 1."""
    with clean_errors():
        return Store(path, readonly=readonly)


def store_of(config_dir: Path, *, create: bool = False) -> AbstractContextManager[Store]:
    """The database of the config in ``config_dir`` (loaded for reading), closed
    afterwards; it must exist, unless ``create`` (a command that writes)."""
    return store_for(load_for_reading(config_dir), create=create)


@contextmanager
def store_for(config: Config, *, create: bool = False) -> Iterator[Store]:
    """The database of ``config``, closed afterwards; it must exist, unless ``create``."""
    store = open_store(config.database_path if create else existing_database(config))
    try:
        yield store
    finally:
        store.close()


@contextmanager
def reader_of(config: Config) -> Iterator[Store]:
    """The database of ``config``, which must exist, opened read-only, closed afterwards."""
    store = open_store(existing_database(config), readonly=True)
    try:
        yield store
    finally:
        store.close()

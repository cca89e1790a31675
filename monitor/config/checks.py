"""Checks across keys and files, on the data as written.

They read the files' data rather than the models, so they run whatever else
is wrong in the file (``monitor check`` lists every problem in one pass): a
watch's channels that ``monitor.yaml`` does not define, ``system.channels``
likewise, two signals with one name, a ``story.follow_ups`` that names no signal,
two feeds with one URL. A name that is not known says which one was probably
meant.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from monitor.config.feedsfile import url_key
from monitor.config.problems import did_you_mean
from monitor.config.yamlfile import Location, YamlDocument
from monitor.errors import ConfigProblem


def channel_names(data: Any) -> set[str] | None:
    """The channels ``monitor.yaml``'s data defines (the default console channel when it
    has no ``channels:``), or ``None`` when they cannot be told."""
    if data is None or (isinstance(data, dict) and "channels" not in data):
        return {"console"}
    channels = data.get("channels") if isinstance(data, dict) else None
    return {str(name) for name in channels} if isinstance(channels, dict) else None


def unknown_channels(
    document: YamlDocument, data: Any, location: Location, known: Collection[str]
) -> list[ConfigProblem]:
    """A problem for each name in the list at ``location`` that is not a channel."""
    problems = []
    for index, name in _strings(data, location):
        if name not in known:
            hint = did_you_mean(name, known) or (
                f" (monitor.yaml defines: {', '.join(sorted(known)) or 'none'})"
            )
            problems.append(
                _problem(document, (*location, index), f"unknown channel {name!r}{hint}")
            )
    return problems


def duplicate_signals(document: YamlDocument, data: Any) -> list[ConfigProblem]:
    """A problem for each signal named like one before it."""
    names = [
        (index, signal["name"])
        for index, signal in _items(data, ("signals",))
        if isinstance(signal, dict) and isinstance(signal.get("name"), str)
    ]
    return _duplicates(
        document,
        ("signals",),
        "name",
        names,
        "the signal on line {line} is named {value!r} too: give each signal its own name",
    )


def unknown_follow_ups(document: YamlDocument, data: Any) -> list[ConfigProblem]:
    """A problem for each name in ``story.follow_ups`` that is not a signal of the watch."""
    known = {
        signal["name"]
        for _, signal in _items(data, ("signals",))
        if isinstance(signal, dict) and isinstance(signal.get("name"), str)
    }
    location = ("story", "follow_ups")
    problems = []
    for index, name in _strings(data, location):
        if name not in known:
            hint = did_you_mean(name, known) or " (it must name one of the watch's signals)"
            problems.append(
                _problem(document, (*location, index), f"unknown signal {name!r}{hint}")
            )
    return problems


def duplicate_feeds(document: YamlDocument, data: Any) -> list[ConfigProblem]:
    """A problem for each feed whose URL an entry before it already lists."""
    urls = [
        (index, url_key(feed["url"]))
        for index, feed in _items(data, ("feeds",))
        if isinstance(feed, dict) and isinstance(feed.get("url"), str)
    ]
    return _duplicates(
        document,
        ("feeds",),
        "url",
        urls,
        "the feed on line {line} has this URL too: list each feed once",
    )


def _duplicates(
    document: YamlDocument,
    location: Location,
    key: str,
    values: list[tuple[int, str]],
    message: str,
) -> list[ConfigProblem]:
    first: dict[str, int] = {}
    problems = []
    for index, value in values:
        if value in first:
            line = document.line_of((*location, first[value], key))
            text = message.format(line=line, value=value)
            problems.append(_problem(document, (*location, index, key), text))
        else:
            first[value] = index
    return problems


def _problem(document: YamlDocument, location: Location, message: str) -> ConfigProblem:
    return ConfigProblem(
        document.path, document.line_of(location), document.field(location), message
    )


def _items(data: Any, location: Location) -> Iterator[tuple[int, Any]]:
    for part in location:
        data = data.get(part) if isinstance(data, dict) else None
    if isinstance(data, list):
        yield from enumerate(data)


def _strings(data: Any, location: Location) -> Iterator[tuple[int, str]]:
    for index, item in _items(data, location):
        if isinstance(item, str):
            yield index, item

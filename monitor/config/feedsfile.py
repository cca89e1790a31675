"""Adding feeds to feeds.yaml without disturbing what the operator wrote.

The file is never re-dumped: new entries are appended as YAML text at the
end of the ``feeds:`` list, so comments, order, quoting and ``${NAME}``
references stay as they were. The result is parsed again before it is
written, and refused unless it lists exactly the old feeds plus the new ones.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from monitor.config.opml import OpmlFeed
from monitor.config.yamlhints import syntax_problem
from monitor.errors import FeedsFileError


@dataclass(frozen=True)
class ImportPlan:
    """The feeds to add, and those skipped with the reason why."""

    added: list[OpmlFeed] = field(default_factory=list)
    skipped: list[tuple[OpmlFeed, str]] = field(default_factory=list)


def url_key(url: str) -> str:
    """``url`` with what does not tell feeds apart removed (case of scheme and host)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # such as "http://[x": not a URL to take apart, compared as written
        return url.strip()
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


def plan_import(listed: list[str], feeds: list[OpmlFeed]) -> ImportPlan:
    """Decide which of ``feeds`` to add to a file that already lists ``listed``. Pure.

    The feeds come from elsewhere: only http(s) URLs are taken, and nothing
    that feeds.yaml would fill in from the environment (``${NAME}``), which
    could send a secret to the feed's server or into an alert.
    """
    in_file = {url_key(url) for url in listed}
    seen: set[str] = set()
    plan = ImportPlan()
    for feed in feeds:
        key = url_key(feed.url)
        if urlsplit(feed.url).scheme.lower() not in ("http", "https"):
            plan.skipped.append((feed, "not an http(s) URL"))
        elif not feed.url.isprintable() or " " in feed.url:
            plan.skipped.append((feed, "the URL contains spaces or control characters"))
        elif "${" in feed.url:
            plan.skipped.append((feed, "the URL contains '${'"))
        elif key in in_file:
            plan.skipped.append((feed, "already in feeds.yaml"))
        elif key in seen:
            plan.skipped.append((feed, "listed twice in the OPML file"))
        else:
            seen.add(key)
            name = feed.name.replace("${", "$ {") if feed.name else None
            name = "".join(char for char in name if char.isprintable()) if name else None
            plan.added.append(OpmlFeed(feed.url, name))
    return plan


def import_feeds(path: Path, feeds: list[OpmlFeed], *, dry_run: bool = False) -> ImportPlan:
    """Append the feeds of ``feeds`` not yet in feeds.yaml at ``path``; return the plan.

    With ``dry_run`` the file is left as it is. A missing file is created.
    """
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedsFileError(f"{path}: cannot read file: {exc}") from exc
    plan = plan_import(listed_urls(path, text), feeds)
    if plan.added and not dry_run:
        _write(path, appended(path, text, plan.added))
    return plan


def listed_urls(path: Path, text: str) -> list[str]:
    """The ``url`` of every entry of feeds.yaml's text, as written."""
    data = _load(path, text)
    entries = data.get("feeds") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    return [str(entry["url"]) for entry in entries if isinstance(entry, dict) and "url" in entry]


def appended(path: Path, text: str, feeds: list[OpmlFeed]) -> str:
    """The text of feeds.yaml with ``feeds`` appended to its list. Pure but for errors."""
    root = _compose(path, text)
    indent, prefix = 2, ""
    if root is None:
        prefix = "feeds:\n"
    else:
        sequence = _feeds_node(path, root)
        if isinstance(sequence, yaml.SequenceNode) and not sequence.flow_style:
            indent = sequence.start_mark.column
        else:
            # "feeds:", "feeds: null" or "feeds: []": drop the value, append a block list.
            text = text[: sequence.start_mark.index] + text[sequence.end_mark.index :]
    if text and not text.endswith("\n"):
        text += "\n"
    entries = [{"url": feed.url, **({"name": feed.name} if feed.name else {})} for feed in feeds]
    block = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=1_000_000)
    new_text = text + prefix + "".join(" " * indent + line for line in block.splitlines(True))
    expected = listed_urls(path, text) + [feed.url for feed in feeds]
    try:
        result = listed_urls(path, new_text)
    except FeedsFileError:
        result = None  # say, after a "..." document end marker
    if result != expected:
        raise FeedsFileError(f"{path}: cannot append feeds safely; add them by hand")
    return new_text


def _feeds_node(path: Path, root: yaml.Node) -> yaml.Node:
    """The value of ``feeds:``, when new items can be appended at the end of the file."""
    if isinstance(root, yaml.MappingNode) and not root.flow_style and root.value:
        key, value = root.value[-1]
        if key.value == "feeds":
            if isinstance(value, yaml.SequenceNode) and (not value.flow_style or not value.value):
                return value
            if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
                return value
    raise FeedsFileError(
        f"{path}: cannot append feeds: expected 'feeds:' as the last key, "
        "with a block list (one '- url: ...' per line)"
    )


def _compose(path: Path, text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise FeedsFileError(f"{path}: invalid YAML: {_yaml_reason(exc, text)}") from exc


def _load(path: Path, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FeedsFileError(f"{path}: invalid YAML: {_yaml_reason(exc, text)}") from exc


def _yaml_reason(exc: yaml.YAMLError, text: str) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        line, message = syntax_problem(exc, text)
        return f"line {line}: {message}" if line is not None else message
    return str(exc)


def _write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` at once, so a crash never leaves half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".feeds-", delete=False
        ) as handle:
            handle.write(text)
        if path.exists():
            os.chmod(handle.name, path.stat().st_mode & 0o7777)
        os.replace(handle.name, path)
    except OSError as exc:
        raise FeedsFileError(f"{path}: cannot write file: {exc}") from exc

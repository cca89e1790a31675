"""The text of ``monitor feeds list`` and ``feeds import`` for people; text
read from an untrusted OPML file is escaped. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from monitor.config.feedsfile import ImportPlan
from monitor.config.models import FeedConfig


def feeds_table(feeds: Sequence[FeedConfig], rows: dict[str, dict[str, Any]]) -> str:
    """One line per configured feed: state, name, URL, and where it moved (``rows``: store)."""
    if not feeds:
        return "no feeds in feeds.yaml"
    lines = [f"{'state':<9} {'feed':<32} url"]
    for feed in feeds:
        row = rows.get(feed.url, {})
        state = "disabled" if not feed.enabled else "gone" if row.get("gone_at") else "enabled"
        url = feed.url
        if row.get("effective_url"):
            url += f" -> moved to {row['effective_url']}"
        lines.append(f"{state:<9} {(feed.name or row.get('title') or '')[:32]:<32} {url}")
    return "\n".join(lines)


def feeds_import_text(plan: ImportPlan, path: Path, *, dry_run: bool) -> str:
    """What ``monitor feeds import`` added (or would add) and skipped, and why."""
    verb = "would add" if dry_run else "added"
    lines = [
        f"{verb} {_printable(feed.url)}" + (f" ({_printable(feed.name)})" if feed.name else "")
        for feed in plan.added
    ]
    lines += [f"skipped {_printable(feed.url)}: {reason}" for feed, reason in plan.skipped]
    total = f"{len(plan.added)} {'to add' if dry_run else 'added'}, {len(plan.skipped)} skipped"
    lines.append(f"{total} ({path} not changed)" if dry_run else f"{total} in {path}")
    return "\n".join(lines)


def _printable(text: str) -> str:
    """``text`` from an untrusted file, escaped if it holds control characters."""
    return text if text.isprintable() else ascii(text)

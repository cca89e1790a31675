"""The text of ``monitor status`` for people: the daemon, the config, each
feed, each watch's index and the outbox, from the status document. Pure."""

from __future__ import annotations

from typing import Any

from monitor.humanize import minute


def status_text(status: dict[str, Any]) -> str:
    """The state of a monitor for a person: daemon, config, feeds, watches, outbox.

    ``status`` is the document ``monitor.daemon.status.status_document`` builds.
    """
    lines = [_daemon_line(status["daemon"]), *_config_lines(status["config"])]
    feeds = status["feeds"]
    lines.append(f"feeds ({len(feeds)} active):")
    lines.append(
        f"  {'feed':<32} {'last poll':<20} {'result':<13} {'errors':>6}  "
        f"{'next poll':<20} {'24h':>4}"
    )
    for feed in feeds:
        result = feed["last_status"] or "never"
        if feed["last_status_code"]:
            result += f" {feed['last_status_code']}"
        next_poll = minute(feed["next_poll_at"])
        if feed.get("gone_at") or feed.get("enabled") == 0:
            result, next_poll = ("gone 410" if feed.get("gone_at") else "disabled"), "not polled"
        lines.append(
            f"  {(feed['name'] or feed['url'])[:32]:<32} {minute(feed['last_polled_at']):<20} "
            f"{result[:13]:<13} {feed['consecutive_errors']:>6}  "
            f"{next_poll:<20} {feed['articles_24h']:>4}"
        )
        lines += [f"  {'':<32} {note}" for note in _feed_notes(feed)]
    lines.append("watches:")
    for watch in status["watches"]:
        if watch["index"] is None:
            lines.append(f"  {watch['name']}: no tension index")
        else:
            lines.append(
                f"  {watch['name']}: tension index {watch['index']:.1f}, level "
                f"{watch['level'] or 'none'} (as of {minute(watch['updated_at'])})"
            )
    deliveries = status["deliveries"]
    pending, dead = deliveries.get("pending", 0), deliveries.get("dead", 0)
    lines.append(f"deliveries: {pending} pending, {dead} dead, {deliveries.get('sent', 0)} sent")
    if status.get("database"):
        lines.append(f"database: {status['database']}")
    return "\n".join(lines)


def _daemon_line(daemon: dict[str, Any] | None) -> str:
    if daemon is None:
        return "daemon: has never run on this database"
    if daemon["stopped_at"]:
        return f"daemon: stopped at {minute(daemon['stopped_at'])}"
    if not daemon["running"]:
        return f"daemon: not running (last heard from {minute(daemon['heartbeat_at'])})"
    line = f"daemon: running, pid {daemon['pid']}, since {minute(daemon['started_at'])}"
    if daemon["last_cycle_at"]:
        line += f"; last cycle {minute(daemon['last_cycle_at'])}: {daemon['last_cycle']}"
    return line


def _config_lines(config: dict[str, Any]) -> list[str]:
    where = config["directory"]
    if config["problems"]:
        problems = config["problems"]
        more = f" (and {len(problems) - 1} more; `monitor check` lists them)"
        lines = [f"config: the config on disk in {where} is INVALID: {problems[0]}"]
        if len(problems) > 1:
            lines[0] += more
        if config["running_is_on_disk"] is False:
            lines.append(
                f"  the daemon keeps running the last good config, of "
                f"{minute(config.get('loaded_at_running'))}{_changed(config)}"
            )
        return lines
    loaded = minute(config.get("loaded_at_running"))
    if config["running_is_on_disk"] is False:
        changed = ", ".join(config.get("changed_since_loaded") or []) or "their contents"
        return [
            f"config: the daemon runs the config of {loaded}; the files on disk in {where} "
            f"differ: {changed} (it reloads within seconds)"
        ]
    if config["running_is_on_disk"]:
        return [f"config: {where}, valid; the daemon runs this config, of {loaded}"]
    return [f"config: {where}, valid"]


def _changed(config: dict[str, Any]) -> str:
    changed = config.get("changed_since_loaded") or []
    return f"; changed since: {', '.join(changed)}" if changed else ""


def _feed_notes(feed: dict[str, Any]) -> list[str]:
    """The lines under a feed in ``monitor status``: moves, 410s, errors and backoff."""
    notes = []
    if feed.get("effective_url"):
        notes.append(f"moved to {feed['effective_url']}")
    if feed.get("enabled") == 0:
        notes.append("enabled: false in feeds.yaml")
    elif feed.get("gone_at"):
        notes.append(
            f"410 Gone since {minute(feed['gone_at'])}: edit its entry in feeds.yaml "
            f"or run 'monitor feeds enable {feed['url']}'"
        )
    elif feed["consecutive_errors"] and feed["last_error"]:
        since = (
            f" (failing since {minute(feed['failing_since'])})" if feed.get("failing_since") else ""
        )
        notes.append(f"last error: {feed['last_error'][:80]}{since}")
    return notes

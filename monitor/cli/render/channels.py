"""The text of ``monitor channels list`` and ``channels test`` for people. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.channels.targets import apprise_targets, describe_target
from monitor.config import ChannelConfig, Settings, WatchConfig
from monitor.config.models import AppriseChannelConfig

# What ``channels list`` calls the alerts about the monitor itself (feeds failing,
# news gone quiet), as their notifications do.
SYSTEM_USER = "monitor itself"


def channel_users(settings: Settings, watches: Sequence[WatchConfig]) -> dict[str, list[str]]:
    """For each configured channel, the watches that alert to it (and ``monitor itself``)."""
    users: dict[str, list[str]] = {name: [] for name in settings.channels}
    for watch in watches:
        for name in watch.alert.channels:
            users.setdefault(name, []).append(watch.name)
    for name in settings.system_channels():
        users.setdefault(name, []).append(SYSTEM_USER)
    return users


def channels_table(settings: Settings, watches: Sequence[WatchConfig]) -> str:
    """One line per channel: its name, type, target (secrets masked) and who uses it."""
    if not settings.channels:
        return "no channels in monitor.yaml"
    users = channel_users(settings, watches)
    rows = [("channel", "type", "target", "used by")] + [
        (name, config.type, describe_target(config), ", ".join(users[name]) or "nothing")
        for name, config in settings.channels.items()
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    )


def test_outcome(name: str, config: ChannelConfig, error: str | None) -> str:
    """What ``channels test`` says of one channel: accepted (by which targets, for an
    Apprise channel), or the service's error (which names the targets that accepted)."""
    if error is not None:
        return f"channel {name}: {error}"
    accepted = "the test alert was accepted"
    if isinstance(config, AppriseChannelConfig):
        accepted += f" by every target: {', '.join(apprise_targets(config))}"
    return f"channel {name}: {accepted}"

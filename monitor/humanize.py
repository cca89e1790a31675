"""Times and sizes written for people: ``45s``, ``3h10m``, ``180d``, ``4.1 kB``. Pure."""

from __future__ import annotations


def describe_delay(seconds: float) -> str:
    """Render a delay for a person: ``45s``, ``20m``, ``3h10m``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"


def describe_age(seconds: float) -> str:
    """Render a retention age the way it is configured: ``180d``, ``36h``, ``90m``."""
    if seconds >= 86400 and seconds % 86400 == 0:
        return f"{int(seconds // 86400)}d"
    return describe_delay(seconds)


def describe_size(size: int) -> str:
    """Render a size in bytes for a person: ``812 B``, ``4.1 kB``, ``120.5 MB``."""
    if size < 1000:
        return f"{size} B"
    value, unit = size / 1000, "kB"
    for bigger in ("MB", "GB", "TB"):
        if value < 1000:
            break
        value, unit = value / 1000, bigger
    return f"{value:.1f} {unit}"


def minute(moment: str | None) -> str:
    """``2026-11-03T21:20:04+00:00`` as ``2026-11-03 21:20 UTC``."""
    return f"{moment[:10]} {moment[11:16]} UTC" if moment else ""

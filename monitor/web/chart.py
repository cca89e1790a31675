"""The tension-index chart, laid out as plain numbers for an SVG template. Pure.

The y scale fits the readings in range (one peak far above the levels does
not flatten the rest unless it is in range), rounded up to a nice number;
the next level above the readings is kept in sight when it is near. The
levels are thin threshold lines and a side strip with their names, not
filled bands. Each story and index alert is a marker on the curve.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

LEFT, RIGHT, TOP, BOTTOM = 44.0, 74.0, 12.0, 26.0
STRIP = 8.0  # the width of the side strip of levels, right of the plot
HEADROOM = 1.1  # the scale reaches this far above the highest reading
NEAR = 2.0  # the next level is kept on the scale when at most this many times the peak
CROWDED = 60  # more story markers than this are drawn smaller


@dataclass(frozen=True)
class Band:
    """A level on the side strip, from its threshold up to the next one (or the top).

    ``line`` is the y of the threshold line, ``None`` when the threshold is
    above the scale (the legend still names it); ``y``/``height`` its stretch
    of the strip, ``label_y`` where its name goes.
    """

    level: str
    threshold: float
    line: float | None
    y: float
    height: float
    label_y: float


@dataclass(frozen=True)
class Marker:
    """A story or index alert, placed on the curve where and when it opened."""

    alert_id: int
    x: float
    y: float
    kind: str
    level: str
    label: str


@dataclass(frozen=True)
class Tick:
    """A labelled place on an axis."""

    at: float
    label: str


@dataclass(frozen=True)
class Reading:
    """The one reading of a range that has only one, drawn as a dot with a note."""

    x: float
    y: float
    note: str


@dataclass(frozen=True)
class ChartLayout:
    """Everything the SVG template draws, in SVG user units."""

    width: float
    height: float
    path: str  # the curve, as SVG path data ("" when there are fewer than two points)
    bands: tuple[Band, ...]
    markers: tuple[Marker, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    plot: tuple[float, float, float, float]  # left, top, right, bottom
    top: float  # the value at the top of the scale
    lone: Reading | None = None  # the only reading in range, when there is one
    marker_r: float = 5.0  # the story markers' radius, smaller when they crowd the curve


def chart_layout(
    series: Sequence[tuple[datetime, float]],
    levels: Mapping[str, float],
    alerts: Sequence[Mapping[str, Any]],
    start: datetime,
    end: datetime,
    *,
    width: float = 900.0,
    height: float = 240.0,
) -> ChartLayout:
    """Lay out the index ``series`` (oldest first) between ``start`` and ``end``.

    ``levels`` maps each index level to its threshold (threshold lines and
    the side strip); ``alerts`` are rows with ``id``, ``kind``, ``level``,
    ``opened_at`` (ISO) and ``title``, drawn as markers on the curve.
    """
    right, bottom = width - RIGHT, height - BOTTOM
    span = max((end - start).total_seconds(), 1.0)
    top_value, step = value_scale([value for _, value in series], levels.values())

    def x(moment: datetime) -> float:
        share = min(max((moment - start).total_seconds() / span, 0.0), 1.0)
        return round(LEFT + share * (right - LEFT), 1)

    def y(value: float) -> float:
        return round(bottom - min(max(value, 0.0), top_value) / top_value * (bottom - TOP), 1)

    path = ""
    if len(series) > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x(moment)} {y(value)}"
            for i, (moment, value) in enumerate(series)
        )
    lone = None
    if len(series) == 1:
        moment, value = series[0]
        when = moment.isoformat()[:16].replace("T", " ")
        lone = Reading(x(moment), y(value), f"one reading so far: {value:g} at {when} UTC")
    ticks = [round(step * i, 9) for i in range(round(top_value / step) + 1)]
    moments = [moment for moment, _ in series]
    markers = []
    for alert in alerts:
        opened = datetime.fromisoformat(alert["opened_at"])
        before = bisect_right(moments, opened) - 1
        value = series[before][1] if before >= 0 else 0.0
        markers.append(
            Marker(alert["id"], x(opened), y(value), alert["kind"], alert["level"],
                   marker_label(alert))
        )  # fmt: skip
    return ChartLayout(
        width=width,
        height=height,
        path=path,
        bands=_bands(levels, top_value, y),
        markers=tuple(markers),
        x_ticks=tuple(Tick(x(moment), label) for moment, label in _time_ticks(start, end)),
        y_ticks=tuple(Tick(y(value), f"{value:g}") for value in ticks),
        plot=(LEFT, TOP, right, bottom),
        top=top_value,
        lone=lone,
        marker_r=3.5 if len(markers) > CROWDED else 5.0,
    )


def marker_label(alert: Mapping[str, Any]) -> str:
    """What hovering a marker says: ``critical story #12, 2026-11-03 21:20 UTC: headline``."""
    kind = "story" if alert["kind"] == "article" else f"{alert['kind']} alert"
    when = alert["opened_at"][:16].replace("T", " ")
    title = f": {alert['title']}" if alert.get("title") else ""
    return f"{alert['level']} {kind} #{alert['id']}, {when} UTC{title}"


def value_scale(values: Sequence[float], thresholds: Iterable[float]) -> tuple[float, float]:
    """The top of the y scale and its tick step, from the readings in range.

    The top is a multiple of a nice step (1, 2, 2.5 or 5 times a power of ten)
    just above the highest reading; the lowest threshold above the readings is
    included when it is at most ``NEAR`` times the peak, so a quiet week still
    shows how far the next level is. With no readings, the lowest threshold.
    """
    levels = sorted(float(value) for value in thresholds)
    peak = max(values, default=0.0)
    ceiling = peak * HEADROOM
    above = [level for level in levels if level > peak]
    if above and (peak <= 0 or above[0] <= peak * NEAR):
        ceiling = max(ceiling, above[0] * 1.05)
    if ceiling <= 0:
        ceiling = 1.0
    step = nice_step(ceiling / 4)
    return round(step * math.ceil(ceiling / step - 1e-9), 9), step


def nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least ``raw``."""
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))


def _bands(
    levels: Mapping[str, float], top: float, y: Callable[[float], float]
) -> tuple[Band, ...]:
    thresholds = sorted(levels.items(), key=lambda item: item[1])
    bands = []
    for i, (level, threshold) in enumerate(thresholds):
        upper = thresholds[i + 1][1] if i + 1 < len(thresholds) else top
        low, high = y(min(threshold, top)), y(min(upper, top))
        on_scale = threshold <= top
        label_y = round((low + high) / 2 + 4, 1) if low - high >= 12 else round(low - 2, 1)
        bands.append(
            Band(level, threshold, low if on_scale else None, high, round(low - high, 1), label_y)
        )
    return tuple(bands)


def _time_ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    days = (end - start).days
    count = days if 2 <= days <= 10 else 6  # a tick a day for a week
    step = (end - start) / count
    hourly = end - start <= timedelta(days=2)
    moments = [start + step * i for i in range(count + 1)]
    return [(m, m.strftime("%H:%M") if hourly else m.strftime("%b %d")) for m in moments]

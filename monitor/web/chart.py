"""The tension-index chart, laid out as plain numbers for an SVG template. Pure."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

LEFT, RIGHT, TOP, BOTTOM = 44.0, 30.0, 10.0, 26.0


@dataclass(frozen=True)
class Band:
    """A level's stretch of the y axis: from its threshold up to the next one."""

    level: str
    y: float
    height: float
    threshold: float


@dataclass(frozen=True)
class Marker:
    """An alert, placed on the curve where and when it opened."""

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
class ChartLayout:
    """Everything the SVG template draws, in SVG user units."""

    width: float
    height: float
    path: str  # the curve, as SVG path data ("" when there are no points)
    bands: tuple[Band, ...]
    markers: tuple[Marker, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    plot: tuple[float, float, float, float]  # left, top, right, bottom


def chart_layout(
    series: Sequence[tuple[datetime, float]],
    levels: Mapping[str, float],
    alerts: Sequence[Mapping[str, Any]],
    start: datetime,
    end: datetime,
    *,
    width: float = 720.0,
    height: float = 220.0,
) -> ChartLayout:
    """Lay out the index ``series`` between ``start`` and ``end``.

    ``levels`` maps each index level to its threshold (drawn as bands);
    ``alerts`` are rows with ``id``, ``kind``, ``level``, ``opened_at`` (ISO)
    and ``title``, drawn as markers on the curve.
    """
    right, bottom = width - RIGHT, height - BOTTOM
    span = max((end - start).total_seconds(), 1.0)
    top_value = max([*(value for _, value in series), *levels.values(), 1.0]) * 1.15

    def x(moment: datetime) -> float:
        share = min(max((moment - start).total_seconds() / span, 0.0), 1.0)
        return round(LEFT + share * (right - LEFT), 1)

    def y(value: float) -> float:
        return round(bottom - min(max(value, 0.0), top_value) / top_value * (bottom - TOP), 1)

    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x(moment)} {y(value)}"
        for i, (moment, value) in enumerate(series)
    )
    thresholds = sorted(levels.items(), key=lambda item: item[1])
    bands = []
    for i, (level, threshold) in enumerate(thresholds):
        upper = thresholds[i + 1][1] if i + 1 < len(thresholds) else top_value
        bands.append(Band(level, y(upper), round(y(threshold) - y(upper), 1), threshold))
    moments = [moment for moment, _ in series]
    markers = []
    for alert in alerts:
        opened = datetime.fromisoformat(alert["opened_at"])
        before = bisect_right(moments, opened) - 1
        value = series[before][1] if before >= 0 else 0.0
        title = f": {alert['title']}" if alert.get("title") else ""
        when = alert["opened_at"][:16].replace("T", " ")
        label = f"{alert['level']} {alert['kind']} alert, {when} UTC{title}"
        markers.append(
            Marker(alert["id"], x(opened), y(value), alert["kind"], alert["level"], label)
        )
    return ChartLayout(
        width=width,
        height=height,
        path=path,
        bands=tuple(bands),
        markers=tuple(markers),
        x_ticks=tuple(Tick(x(moment), label) for moment, label in _time_ticks(start, end)),
        y_ticks=tuple(Tick(y(value), f"{value:g}") for value in _value_ticks(top_value)),
        plot=(LEFT, TOP, right, bottom),
    )


def _time_ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    days = (end - start).days
    count = days if 2 <= days <= 10 else 6  # a tick a day for a week
    step = (end - start) / count
    hourly = end - start <= timedelta(days=2)
    moments = [start + step * i for i in range(count + 1)]
    return [(m, m.strftime("%H:%M") if hourly else m.strftime("%b %d")) for m in moments]


def _value_ticks(top: float, count: int = 4) -> list[float]:
    raw = top / count
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1
    step = max(round(raw / magnitude) * magnitude, 1)
    return [step * i for i in range(int(top // step) + 1)]

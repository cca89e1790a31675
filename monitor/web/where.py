"""The "where" panel: a schematic map of a watch's places, laid out for an SVG template.

Pure, but for ``shipped_outline``, which reads the outline shipped with the
package (``monitor/web/outline/``, public-domain Natural Earth data): no
tile server, nothing fetched. The projection is equirectangular with
longitudes shrunk by the cosine of the middle latitude, close enough for a
region a few hundred kilometres across. A place's marker is sized by its
recent stories and coloured by their highest level; names are placed
beside their markers where they cover no other name or marker.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

Point = tuple[float, float]  # longitude, latitude in degrees (or x, y once projected)
Projection = Callable[[float, float], Point]

CHAR_WIDTH, LINE_HEIGHT = 6.4, 11.0  # an 11 px label's glyphs, for placing names


@dataclass(frozen=True)
class Place:
    """A place of the watch's gazetteer that has coordinates."""

    name: str
    lat: float
    lon: float
    broad: bool = False  # a capital or a country: a landmark, never a story's place


@dataclass(frozen=True)
class PlaceStories:
    """How many recent stories name a place, and the highest level among them."""

    stories: int
    level: str | None


@dataclass(frozen=True)
class Outline:
    """A shape to draw under the places: an outline and a boundary line, in degrees."""

    outline: tuple[Point, ...]
    boundary: tuple[Point, ...]
    source: str


@dataclass(frozen=True)
class PlaceMark:
    """One place on the map: its marker, the tooltip, and its name where it fits."""

    name: str
    x: float
    y: float
    r: float
    stories: int
    level: str | None
    title: str
    label: str | None  # None: no room for the name (the tooltip still has it)
    label_x: float
    label_y: float
    anchor: str  # SVG text-anchor: start, end or middle


@dataclass(frozen=True)
class MapLayout:
    """Everything the SVG template draws, in SVG user units."""

    width: float
    height: float
    outline: str  # SVG path data, "" without an outline
    boundary: str
    marks: tuple[PlaceMark, ...]  # drawn in order: quiet places, then the largest first
    unplaced: tuple[tuple[str, int], ...]  # places with stories but not on the map
    source: str


def place_summary(
    rows: Iterable[tuple[str, str, int]], levels: Sequence[str]
) -> dict[str, PlaceStories]:
    """Each place's stories and highest level from ``(place, level, stories)`` rows;
    ``levels`` lowest first."""
    summary: dict[str, PlaceStories] = {}
    rank = {level: i for i, level in enumerate(levels)}
    for place, level, count in rows:
        known = summary.get(place, PlaceStories(0, None))
        higher = known.level is None or rank.get(level, -1) > rank.get(known.level, -1)
        summary[place] = PlaceStories(known.stories + count, level if higher else known.level)
    return summary


def map_layout(
    places: Sequence[Place],
    stories: Mapping[str, PlaceStories],
    outline: Outline | None,
    *,
    days: int = 7,
    width: float = 380.0,
    margin: float = 16.0,
) -> MapLayout:
    """Lay out ``places`` over ``outline`` in a map ``width`` wide (its height follows).

    The map spans the outline and every place that is not ``broad``; a broad
    place outside that span (a distant capital) is left out. The outline is
    drawn only when one of those places is within a degree of it. Places named by
    ``stories`` (over the last ``days``) get a marker sized by their count.
    """
    local = [place for place in places if not place.broad]
    if outline is not None and not any(_near(outline, place) for place in local):
        outline = None  # another region's places: the outline would only stretch the map
    points = [*(outline.outline if outline else ()), *((p.lon, p.lat) for p in local)]
    if not points:
        points = [(p.lon, p.lat) for p in places]
    if not points:
        return MapLayout(width, 0.0, "", "", (), _unplaced(stories, set()), "")
    west, east = min(lon for lon, _ in points), max(lon for lon, _ in points)
    south, north = min(lat for _, lat in points), max(lat for _, lat in points)
    shrink = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * shrink, 0.01), max(north - south, 0.01)
    scale = (width - 2 * margin) / span_x
    height = round(span_y * scale + 2 * margin, 1)

    def project(lon: float, lat: float) -> Point:
        return (round(margin + (lon - west) * shrink * scale, 1),
                round(margin + (north - lat) * scale, 1))  # fmt: skip

    def inside(place: Place) -> bool:
        return west <= place.lon <= east and south <= place.lat <= north

    shown = [place for place in places if inside(place)]
    marks = _marks(shown, stories, project, days, width, height)
    return MapLayout(
        width=width,
        height=height,
        outline=_path(outline.outline, project, closed=True) if outline else "",
        boundary=_path(outline.boundary, project, closed=False) if outline else "",
        marks=marks,
        unplaced=_unplaced(stories, {place.name for place in shown}),
        source=outline.source if outline else "",
    )


def marker_radius(stories: int) -> float:
    """A marker's radius: its area grows with the number of stories, up to a cap."""
    return 2.5 if stories <= 0 else round(min(4.0 + 3.0 * math.sqrt(stories), 16.0), 1)


@cache
def shipped_outline(name: str = "kosovo") -> Outline:
    """The outline shipped in ``monitor/web/outline/NAME.json`` (read once)."""
    text = files("monitor.web").joinpath("outline", f"{name}.json").read_text(encoding="utf-8")
    document = json.loads(text)
    return Outline(
        outline=tuple((float(lon), float(lat)) for lon, lat in document["outline"]),
        boundary=tuple((float(lon), float(lat)) for lon, lat in document["boundary_with_serbia"]),
        source=str(document["source"]),
    )


def _marks(
    places: Sequence[Place],
    stories: Mapping[str, PlaceStories],
    project: Projection,
    days: int,
    width: float,
    height: float,
) -> tuple[PlaceMark, ...]:
    def weight(place: Place) -> tuple[int, str]:
        return (-stories.get(place.name, PlaceStories(0, None)).stories, place.name)

    taken: list[tuple[float, float, float, float]] = []  # names placed, and markers
    for place in places:
        if place.name in stories and stories[place.name].stories:
            x, y = project(place.lon, place.lat)
            r = marker_radius(stories[place.name].stories) - 1  # a name may touch a marker
            taken.append((x - r, y - r, x + r, y + r))
    marks = []
    for place in sorted(places, key=weight):
        found = stories.get(place.name, PlaceStories(0, None))
        x, y = project(place.lon, place.lat)
        r = marker_radius(found.stories)
        count = f"{found.stories} stor{'y' if found.stories == 1 else 'ies'}"
        title = f"{place.name}: {count} in {days} days" + (
            f", highest {found.level}" if found.level else ""
        )
        label, lx, ly, anchor = None, x, y, "start"
        if found.stories or place.broad:
            spot = _free_spot(place.name, x, y, r, taken, width, height)
            if spot is not None:
                (lx, ly, anchor), box = spot
                label = place.name
                taken.append(box)
        marks.append(PlaceMark(place.name, x, y, r, found.stories, found.level, title, label,
                               lx, ly, anchor))  # fmt: skip
    quiet = [mark for mark in marks if not mark.stories]
    busy = sorted((mark for mark in marks if mark.stories), key=lambda mark: -mark.r)
    return (*quiet, *busy)


def _free_spot(
    name: str,
    x: float,
    y: float,
    r: float,
    taken: Sequence[tuple[float, float, float, float]],
    width: float,
    height: float,
) -> tuple[tuple[float, float, str], tuple[float, float, float, float]] | None:
    """Where a name fits beside its marker (right, left, above, below), with its box."""
    wide = len(name) * CHAR_WIDTH
    spots = [
        (x + r + 3, y + 4, "start", x + r + 3),
        (x - r - 3, y + 4, "end", x - r - 3 - wide),
        (x, y - r - 4, "middle", x - wide / 2),
        (x, y + r + LINE_HEIGHT + 1, "middle", x - wide / 2),
    ]
    for lx, ly, anchor, left in spots:
        box = (left, ly - LINE_HEIGHT + 2, left + wide, ly + 2)
        within = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
        if within and not any(_overlap(box, other) for other in taken):
            return (round(lx, 1), round(ly, 1), anchor), box
    return None


def _near(outline: Outline, place: Place, margin: float = 1.0) -> bool:
    """Whether ``place`` is within ``margin`` degrees of the outline's bounding box."""
    lons = [lon for lon, _ in outline.outline]
    lats = [lat for _, lat in outline.outline]
    return (min(lons) - margin <= place.lon <= max(lons) + margin
            and min(lats) - margin <= place.lat <= max(lats) + margin)  # fmt: skip


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _path(points: Sequence[Point], project: Projection, *, closed: bool) -> str:
    steps = []
    for i, (lon, lat) in enumerate(points):
        x, y = project(lon, lat)
        steps.append(f"{'M' if i == 0 else 'L'}{x} {y}")
    return " ".join(steps) + (" Z" if closed and steps else "")


def _unplaced(stories: Mapping[str, PlaceStories], shown: set[str]) -> tuple[tuple[str, int], ...]:
    return tuple(
        (name, found.stories)
        for name, found in sorted(stories.items(), key=lambda item: (-item[1].stories, item[0]))
        if name not in shown and found.stories
    )

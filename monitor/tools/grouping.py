"""How well story grouping puts the reports of one real event into one alert. Pure.

``replay`` runs labelled items that alert, in time order, through the same
``join_story`` as the daemon, keeping stories as ``monitor backtest`` does
(``tools.replay.place``), against the background of every in-scope item;
``grade`` compares
the stories it made with the items' ``event`` labels: pairwise precision and
recall (of the pairs of items in one story, how many report one event; of the
pairs that report one event, how many share a story) and B-cubed F1, and lists
the pairs it got wrong with the reason the policy recorded for each join.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

from monitor.alerts.grouping import Background, Report
from monitor.config import WatchConfig
from monitor.tools.replay import Turn, place


@dataclass(frozen=True)
class EventItem:
    """One labelled item that alerts: its event label, its level, what grouping compares."""

    id: Any
    event: str
    level: str
    report: Report

    @property
    def order(self) -> tuple[int, datetime]:
        """Replay order: items dated to the day or better by date, then those dated to
        a month, then undated ones (each joins by what it says; it may be of any time)."""
        when = self.report.when
        if when is None:
            return (2, datetime.min.replace(tzinfo=UTC))
        return (0 if when.end - when.start <= timedelta(days=1) else 1, when.start)


@dataclass(frozen=True)
class Placed:
    """The story an item was placed in, and the policy's reason."""

    item: EventItem
    story: int
    reason: str


def replay(items: Sequence[EventItem], background: Background, watch: WatchConfig) -> list[Placed]:
    """Join each item (in ``order``) to a story of the earlier ones, or open one, as
    ``tools.replay.place`` keeps stories. Items have no moment (their dates are spans,
    or unknown, and ``join_story`` reads them from the report): so no story ends, and
    every story is offered to each item."""
    ordered = sorted(items, key=lambda i: i.order)
    turns = (Turn(item.report, item.level) for item in ordered)
    placements = place(turns, background, watch)
    return [
        Placed(item, p.story, p.join.reason) for item, p in zip(ordered, placements, strict=True)
    ]


@dataclass(frozen=True)
class WrongPair:
    """Two items grouped against their labels: split though one event, or joined though two."""

    first: Any
    second: Any
    kind: str  # "split" or "merged"
    reason: str  # the later item's join reason


@dataclass(frozen=True)
class GroupingReport:
    """The grouping figures over the items that alert (``grade`` counts them)."""

    placed: list[Placed]
    same_story: int  # pairs of items placed in one story
    same_event: int  # pairs of items that report one event
    both: int  # pairs that are both
    wrong: tuple[WrongPair, ...]  # every pair grouped against its labels
    bcubed_f1: float | None
    bcubed_precision: float | None = None  # per item: its story's share of its event
    bcubed_recall: float | None = None  # per item: its event's share in its story

    @property
    def precision(self) -> float | None:
        """Of the pairs in one story, the share that report one event."""
        return self.both / self.same_story if self.same_story else None

    @property
    def recall(self) -> float | None:
        """Of the pairs that report one event, the share placed in one story."""
        return self.both / self.same_event if self.same_event else None

    def figures(self) -> dict[str, Any]:
        """The figures as one JSON-ready object."""
        return {
            "items": len(self.placed),
            "stories": len({p.story for p in self.placed}),
            "events": len({p.item.event for p in self.placed}),
            "pairwise": {
                "precision": self.precision,
                "recall": self.recall,
                "same_story": self.same_story,
                "same_event": self.same_event,
                "both": self.both,
            },
            "bcubed_f1": self.bcubed_f1,
            "bcubed": {
                "precision": self.bcubed_precision,
                "recall": self.bcubed_recall,
                "f1": self.bcubed_f1,
            },
            "wrong": [
                {"first": w.first, "second": w.second, "kind": w.kind, "reason": w.reason}
                for w in self.wrong
            ],
        }


def grade(placed: list[Placed]) -> GroupingReport:
    """Compare the stories items were placed in with their event labels, pair by pair
    and item by item (B-cubed: per item, its story's share of its event and its
    event's share of its story, averaged)."""
    same_story = same_event = both = 0
    wrong = []
    for one, other in combinations(placed, 2):
        joined = one.story == other.story
        event = one.item.event == other.item.event
        same_story += joined
        same_event += event
        both += joined and event
        if joined != event:
            later = max(one, other, key=lambda p: p.item.order)
            kind = "merged" if joined else "split"
            wrong.append(WrongPair(one.item.id, other.item.id, kind, later.reason))
    precision, recall = _bcubed(placed) if placed else (None, None)
    f1 = None
    if precision is not None and recall is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return GroupingReport(placed, same_story, same_event, both, tuple(wrong), f1, precision, recall)


def _bcubed(placed: list[Placed]) -> tuple[float, float]:
    """B-cubed precision and recall: per item, the share of its story that reports its
    event, and the share of its event's reports in its story, averaged over items."""
    precision = recall = 0.0
    for one in placed:
        story = [p for p in placed if p.story == one.story]
        reports = [p for p in placed if p.item.event == one.item.event]
        common = sum(p.item.event == one.item.event for p in story)
        precision += common / len(story)
        recall += common / len(reports)
    return precision / len(placed), recall / len(placed)

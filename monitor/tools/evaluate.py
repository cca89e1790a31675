"""Measuring a watch against labelled articles: ``monitor eval``. Pure.

Labels are escalation levels: 3 violent escalation, 2 serious tension without
violence, 1 routine politics or diplomacy of the dispute, 0 not about it. An
item is "alert-worthy" when labelled 2 or 3, and the watch "alerts" on it when
it scores ``warning`` or above. Items that carry an ``event`` (the same for
reports of one real event) are also replayed through story grouping
(``tools.grouping``), in the order of their ``date``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.alerts.policy import Report
from monitor.config import AlertConfig
from monitor.models import Article, Score
from monitor.rules.compile import Matcher
from monitor.rules.score import score
from monitor.tools.grouping import EventItem, GroupingReport, grade, replay

ASSIGNED = ("none", "notice", "warning", "critical")
LABELS = (0, 1, 2, 3)


@dataclass(frozen=True)
class LabelledItem:
    """One article with the escalation level a person gave it."""

    id: Any
    label: int
    article: Article
    event: str | None = None  # the same for every report of one real event
    date: str | None = None  # when it was published: 2023-04-25 or an ISO 8601 time


@dataclass(frozen=True)
class Outcome:
    """How the watch scored one labelled item."""

    item: LabelledItem
    score: Score

    @property
    def assigned(self) -> str:
        """The level the watch assigned, ``none`` below notice or out of scope."""
        return self.score.level or "none"

    @property
    def alerts(self) -> bool:
        """Whether the watch alerts (``warning`` or above)."""
        return ASSIGNED.index(self.assigned) >= ASSIGNED.index("warning")

    @property
    def wrong(self) -> bool:
        """A missed alert, a false alert, or violence not scored critical."""
        worthy = self.item.label >= 2
        return self.alerts != worthy or (self.item.label == 3 and self.assigned != "critical")


@dataclass(frozen=True)
class Ratio:
    """A fraction with its counts, printable as a percentage."""

    hits: int
    total: int

    @property
    def value(self) -> float | None:
        """The fraction, or ``None`` when there is nothing to divide by."""
        return self.hits / self.total if self.total else None

    def __str__(self) -> str:
        value = self.value
        shown = "n/a" if value is None else f"{value:6.1%}"
        return f"{shown} ({self.hits}/{self.total})"


@dataclass(frozen=True)
class EvalReport:
    """Every figure ``monitor eval`` prints."""

    watch: str
    outcomes: list[Outcome] = field(repr=False)
    grouping: GroupingReport | None = None  # when the items carry events

    def confusion(self) -> dict[int, dict[str, int]]:
        """Counts of labelled level (rows) against assigned level (columns)."""
        table = {label: dict.fromkeys(ASSIGNED, 0) for label in LABELS}
        for outcome in self.outcomes:
            table[outcome.item.label][outcome.assigned] += 1
        return table

    def _ratio(self, labels: Iterable[int], at_least: str) -> Ratio:
        wanted = set(labels)
        chosen = [o for o in self.outcomes if o.item.label in wanted]
        floor = ASSIGNED.index(at_least)
        return Ratio(sum(ASSIGNED.index(o.assigned) >= floor for o in chosen), len(chosen))

    def rate(self, label: int, at_least: str) -> Ratio:
        """Share of items with ``label`` assigned ``at_least`` or above."""
        return self._ratio([label], at_least)

    def precision(self, labels: Iterable[int], at_least: str) -> Ratio:
        """Of the items assigned ``at_least`` or above, the share labelled in ``labels``."""
        wanted = set(labels)
        floor = ASSIGNED.index(at_least)
        chosen = [o for o in self.outcomes if ASSIGNED.index(o.assigned) >= floor]
        return Ratio(sum(o.item.label in wanted for o in chosen), len(chosen))

    def figures(self) -> dict[str, Any]:
        """The figures as one JSON-ready object."""

        def as_json(ratio: Ratio) -> dict[str, Any]:
            return {"value": ratio.value, "hits": ratio.hits, "total": ratio.total}

        return {
            "watch": self.watch,
            "items": len(self.outcomes),
            "confusion": {str(label): row for label, row in self.confusion().items()},
            "alert_worthy": {
                "precision": as_json(self.precision([2, 3], "warning")),
                "recall": as_json(self._ratio([2, 3], "warning")),
            },
            "critical": {
                "precision": as_json(self.precision([3], "critical")),
                "recall": as_json(self.rate(3, "critical")),
            },
            "false_alert_rate": {
                "0": as_json(self.rate(0, "warning")),
                "1": as_json(self.rate(1, "warning")),
            },
            "label_3_warning": as_json(self.rate(3, "warning")),
            "label_2_notice": as_json(self.rate(2, "notice")),
            "wrong": [o.item.id for o in self.outcomes if o.wrong],
            **({} if self.grouping is None else {"grouping": self.grouping.figures()}),
        }


def evaluate(
    items: Iterable[LabelledItem], matcher: Matcher, watch: str, rules: AlertConfig | None = None
) -> EvalReport:
    """Score every labelled item with ``watch`` and collect the outcomes; with the
    watch's alert ``rules`` and items that carry events, replay story grouping too."""
    index = next(i for i, compiled in enumerate(matcher.watches) if compiled.name == watch)
    outcomes = [Outcome(item, score(item.article, matcher)[index]) for item in items]
    grouped = [
        EventItem(
            outcome.item.id,
            outcome.item.event,
            _moment(outcome.item.date, order),
            outcome.assigned,
            Report(outcome.item.article.title, outcome.item.article.summary),
        )
        for order, outcome in enumerate(outcomes)
        if outcome.alerts and outcome.item.event is not None
    ]
    grouping = grade(replay(grouped, rules)) if rules is not None and grouped else None
    return EvalReport(watch, outcomes, grouping)


_UNDATED = datetime(2000, 1, 1, tzinfo=UTC)


def _moment(date: str | None, order: int) -> datetime:
    """When an item was published: a bare date is taken as noon UTC; items of one
    moment (or undated) keep their order in the file, a second apart."""
    moment = _UNDATED
    if date:
        try:
            moment = datetime.fromisoformat(date)
        except ValueError:
            moment = _UNDATED
        if len(date) == 10:
            moment += timedelta(hours=12)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment + timedelta(seconds=order)

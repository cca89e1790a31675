"""Measuring a watch against labelled articles: ``monitor eval``. Pure.

Labels are escalation levels: 3 violent escalation, 2 serious tension without
violence, 1 routine politics or diplomacy of the dispute, 0 not about it. An
item is "alert-worthy" when labelled 2 or 3, and the watch "alerts" on it when
it scores ``warning`` or above.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from monitor.models import Article, Score
from monitor.rules.compile import Matcher
from monitor.rules.score import score

ASSIGNED = ("none", "notice", "warning", "critical")
LABELS = (0, 1, 2, 3)


@dataclass(frozen=True)
class LabelledItem:
    """One article with the escalation level a person gave it."""

    id: Any
    label: int
    article: Article


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
        }


def evaluate(items: Iterable[LabelledItem], matcher: Matcher, watch: str) -> EvalReport:
    """Score every labelled item with ``watch`` and collect the outcomes."""
    index = next(i for i, compiled in enumerate(matcher.watches) if compiled.name == watch)
    outcomes = [Outcome(item, score(item.article, matcher)[index]) for item in items]
    return EvalReport(watch, outcomes)

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

from monitor.alerts.grouping import Background, Report, When
from monitor.config import WatchConfig
from monitor.models import Article, Score
from monitor.rules.compile import Matcher
from monitor.rules.score import score
from monitor.tools.grouping import EventItem, GroupingReport, grade, replay

ASSIGNED = ("none", "notice", "warning", "critical")
LABELS = (0, 1, 2, 3)
UNDETERMINED = "und"
"""The language of items that carry none (the BCP 47 code for "undetermined")."""


@dataclass(frozen=True)
class LabelledItem:
    """One article with the escalation level a person gave it."""

    id: Any
    label: int
    article: Article
    event: str | None = None  # the same for every report of one real event
    date: str | None = None  # when it was published: 2023-04-25 or an ISO 8601 time
    lang: str | None = None  # the language it is written in: en, sr-Cyrl, el


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

    def languages(self) -> dict[str, EvalReport]:
        """The report of each language the items are written in (``lang``), most items
        first; empty when no item says. Items that do not say count as ``und``."""
        if all(outcome.item.lang is None for outcome in self.outcomes):
            return {}
        by_language: dict[str, list[Outcome]] = {}
        for outcome in self.outcomes:
            by_language.setdefault(outcome.item.lang or UNDETERMINED, []).append(outcome)
        ordered = sorted(by_language.items(), key=lambda pair: (-len(pair[1]), pair[0]))
        return {language: EvalReport(self.watch, outcomes) for language, outcomes in ordered}

    def figures(self) -> dict[str, Any]:
        """The figures as one JSON-ready object: with ``grouping`` when items carry
        events, and ``languages`` (the same figures per language) when they carry one."""
        languages = {
            language: {key: value for key, value in report._figures().items() if key != "watch"}
            for language, report in self.languages().items()
        }
        return {
            **self._figures(),
            **({} if self.grouping is None else {"grouping": self.grouping.figures()}),
            **({"languages": languages} if languages else {}),
        }

    def _figures(self) -> dict[str, Any]:
        """The figures of the items' levels, as ``figures`` gives them."""

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
            "label_2_critical": as_json(self.rate(2, "critical")),
            "wrong": [o.item.id for o in self.outcomes if o.wrong],
        }


def evaluate(items: Iterable[LabelledItem], matcher: Matcher, watch: WatchConfig) -> EvalReport:
    """Score every labelled item with ``watch`` and collect the outcomes; when items
    carry events, replay story grouping too, against the background of every
    in-scope item."""
    index = next(i for i, compiled in enumerate(matcher.watches) if compiled.name == watch.name)
    outcomes = [Outcome(item, score(item.article, matcher)[index]) for item in items]
    reports = [_report(outcome, watch) for outcome in outcomes]
    grouped = [
        EventItem(outcome.item.id, outcome.item.event, outcome.assigned, report)
        for outcome, report in zip(outcomes, reports, strict=True)
        if outcome.alerts and outcome.item.event is not None
    ]
    grouping = None
    if grouped:
        in_scope = [r for o, r in zip(outcomes, reports, strict=True) if o.score.in_scope]
        background = Background.of(
            [r.names() for r in in_scope], watch, [r.stems for r in in_scope]
        )
        grouping = grade(replay(grouped, background, watch))
    return EvalReport(watch.name, outcomes, grouping)


def _report(outcome: Outcome, watch: WatchConfig) -> Report:
    """What story grouping compares of a labelled item."""
    return Report.scored(outcome.item.article, outcome.score, published(outcome.item.date), watch)


def published(date: str | None) -> When | None:
    """When an item was published, as precisely as its ``date`` says: an ISO 8601 time
    (UTC unless it says otherwise), a day (``2023-09-24``: the whole day), a month
    (``2023-09``: the whole month); ``None`` when missing or unreadable."""
    if not date:
        return None
    try:
        if len(date) == 7:
            start = datetime.strptime(date, "%Y-%m").replace(tzinfo=UTC)
            end = (start + timedelta(days=32)).replace(day=1)
            return When(start, end - timedelta(microseconds=1))
        moment = datetime.fromisoformat(date)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if len(date) == 10:
        return When(moment, moment + timedelta(days=1) - timedelta(microseconds=1))
    return When.at(moment)

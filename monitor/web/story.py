"""The story page's values: an alert as the store reads it, shaped for its template. Pure.

A story alert (kind ``article``) shows its timeline of reports, its places and
actors, the signals that made its level, its outlets; an index alert the
stories that moved it; a spike its counts; the monitor's own alerts their
message. Every alert shows its state (and why it resolved), its deliveries
and its corrections by hand. Feed text stays text: the template escapes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.channels.message import figure_of
from monitor.config.models import LEVELS
from monitor.humanize import minute
from monitor.web.highlight import calming_signals, hit_kind

MAX_WORDS = 6  # matched words shown per signal


@dataclass(frozen=True)
class SignalTotal:
    """One signal's hits across a story's reports: how it weighed and what matched."""

    signal: str
    kind: str  # ``hit`` (raised the score), ``calm`` (lowered it) or ``negated``
    words: tuple[str, ...]
    points: float
    reports: int


def headline(alert: Mapping[str, Any]) -> str:
    """What the page is about: a story's title as its notifications give it (its first
    report's); for other kinds the watch and the figure, in words."""
    kind, watch, score = alert["kind"], alert["watch"], alert["score"]
    reports = alert["payload"].get("articles") or alert["reports"]
    figure = figure_of(kind, watch, score)
    if figure is not None:
        return figure
    if reports and reports[0]["title"]:
        return str(reports[0]["title"])
    return f"{watch}: {kind} alert, score {score:g}"


def state_line(alert: Mapping[str, Any]) -> str:
    """``firing``, ``resolved`` with when and why, or ``merged`` (the page links the
    story it was merged into)."""
    if alert["merged_into"]:
        return "merged"
    if alert["state"] == "resolved":
        when = f" {minute(alert['resolved_at'])}" if alert["resolved_at"] else ""
        why = f": {alert['resolution']}" if alert["resolution"] else ""
        return f"resolved{when}{why}"
    return str(alert["state"])


def names(reports: Iterable[Mapping[str, Any]], key: str) -> tuple[str, ...]:
    """The ``key`` names (``places``, ``actors``) of every report, first named first."""
    found: dict[str, None] = {}
    for report in reports:
        for name in report[key]:
            found.setdefault(str(name), None)
    return tuple(found)


def signal_totals(reports: Sequence[Mapping[str, Any]]) -> list[SignalTotal]:
    """Each signal that matched in the reports, the points it gave across them (the
    strongest first, calming ones after the rest) and the words that matched."""
    hits = [hit for report in reports for hit in report["hits"]]
    calming = calming_signals(hits)
    points: dict[tuple[str, str], float] = {}
    words: dict[tuple[str, str], list[str]] = {}
    seen_in: dict[tuple[str, str], set[int]] = {}
    for number, report in enumerate(reports):
        for hit in report["hits"]:
            key = (str(hit["signal"]), hit_kind(hit, calming))
            points[key] = points.get(key, 0.0) + float(hit.get("points", 0))
            matched = words.setdefault(key, [])
            text = str(hit["text"])
            if text.casefold() not in (word.casefold() for word in matched):
                matched.append(text)
            seen_in.setdefault(key, set()).add(number)
    order = {"hit": 0, "calm": 1, "negated": 2}
    return [
        SignalTotal(signal, kind, tuple(words[signal, kind][:MAX_WORDS]),
                    round(points[signal, kind], 2), len(seen_in[signal, kind]))
        for signal, kind in sorted(points, key=lambda k: (order[k[1]], -abs(points[k]), k[0]))
    ]  # fmt: skip


def top_report(reports: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The report that gave the story its level: the highest level, then score."""
    scored = [report for report in reports if report["level"] in LEVELS]
    if not scored:
        return None
    return max(scored, key=lambda r: (LEVELS.index(r["level"]), r["score"] or 0, -r["id"]))


def languages(reports: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """The languages of the reports, sorted (unknown ones left out)."""
    return tuple(sorted({str(r["language"]) for r in reports if r["language"]}))


def outlets_by_report(outlets: Iterable[Mapping[str, Any]]) -> dict[int, list[Mapping[str, Any]]]:
    """Every outlet that carried each report, by the report's article id."""
    found: dict[int, list[Mapping[str, Any]]] = {}
    for outlet in outlets:
        found.setdefault(int(outlet["article_id"]), []).append(outlet)
    return found


def event_words(event: str) -> str:
    """A delivery's event in words: ``firing``, ``escalation to high``, ``update of
    2026-11-02 21:00 UTC``, ``resolved``."""
    if event.startswith("firing:"):
        return f"escalation to {event.removeprefix('firing:')}"
    if event.startswith("update:"):
        return f"update of {minute(event.removeprefix('update:'))}"
    return event


def story_page(alert: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the story page shows of ``alert`` (a ``Store.alert_page`` value)."""
    reports = alert["reports"]
    story = alert["payload"].get("story") or {}
    return {
        "alert": alert,
        "headline": headline(alert),
        "state": state_line(alert),
        "places": names(reports, "places") or tuple(story.get("places") or ()),
        "actors": names(reports, "actors"),
        "languages": languages(reports) or tuple(story.get("languages") or ()),
        "outlet_count": len({outlet["source"] for outlet in alert["outlets"]}),
        "story": story,
        "signals": signal_totals(reports),
        "top": top_report(reports),
        "carried": outlets_by_report(alert["outlets"]),
        "deliveries": [{**row, "event": event_words(row["event"])} for row in alert["deliveries"]],
    }

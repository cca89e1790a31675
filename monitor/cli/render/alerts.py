"""The text of ``monitor alerts``, ``alerts show``, ``deliveries`` and
``silence list`` for people: tables of rows the store returns. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor.channels.markup import console, trim
from monitor.cli.render.stories import correction_line
from monitor.humanize import minute
from monitor.store import iso

HEADLINE_WIDTH = 60


def alerts_table(alerts: list[dict[str, Any]]) -> str:
    """One line per alert: id, watch, kind, level, state, first and last seen, sources
    and the headline (a story's first title); and ``merged into #N`` after a story
    merged into another by hand."""
    if not alerts:
        return "no alerts"
    header = (
        f"{'id':>5}  {'watch':<16} {'kind':<8} {'level':<9} {'state':<9} "
        f"{'first seen':<20} {'last seen':<20} {'sources':>7}  headline"
    )
    lines = [header]
    for alert in alerts:
        lines.append(
            f"{alert['id']:>5}  {alert['watch'][:16]:<16} {alert['kind']:<8} "
            f"{alert['level']:<9} {alert['state']:<9} {minute(alert['opened_at']):<20} "
            f"{minute(alert['updated_at']):<20} {alert['sources']:>7}  {_headline(alert)}"
            f"{_merged(alert, '  ')}"
        )
    return "\n".join(lines)


def _headline(alert: dict[str, Any]) -> str:
    """A story's first title on one line, cut to fit a terminal; nothing for other kinds."""
    articles = alert.get("articles") or []
    title = console(articles[0]["title"] or "") if articles else ""
    return trim(title, HEADLINE_WIDTH)


def alert_text(alert: dict[str, Any]) -> str:
    """An alert with every article, the hits that made each score, its deliveries, and
    the corrections by hand of its story (and the story it was merged into)."""
    state = _merged(alert, "") or alert["state"]
    lines = [
        f"alert {alert['id']}: {alert['watch']} {alert['kind']} {alert['level']} "
        f"({state}), score {alert['score']:g}",
        f"  opened {minute(alert['opened_at'])}, updated {minute(alert['updated_at'])}"
        + (f", resolved {minute(alert['resolved_at'])}" if alert["resolved_at"] else ""),
    ]
    if alert["kind"] == "article" and alert["articles"]:
        lines.append(f"  headline: {console(alert['articles'][0]['title'] or '')}")
    story = (alert.get("payload") or {}).get("story")
    if story:
        places = f"; in {', '.join(story['places'])}" if story["places"] else ""
        follows = f"; follows #{story['follows']}" if story["follows"] else ""
        breaking = ", breaking" if story["breaking"] else ""
        lines.append(
            f"  story: {story['reports']} reports by {story['outlets']} outlets{breaking}"
            f"{places}; event types {', '.join(story['event_types']) or 'none'}{follows}"
        )
        languages = story.get("languages") or []  # stories recorded before #13 have none
        if languages:
            lines.append(f"  languages: {len(languages)} ({', '.join(languages)})")
    if alert["resolution"]:
        lines.append(f"  resolved: {alert['resolution']}")
    for article in alert["articles"]:
        source = article["source"] or article["feed_url"]
        lines.append(f"  - {article['title']}")
        lines.append(f"    {article['url'] or 'no link'} ({source})")
        level = article["level"] or "none"
        lines.append(f"    score {article['score'] or 0:g}, level {level}")
        if article.get("joined_because"):
            lines.append(f"    why: {article['joined_because']}")
        for hit in article["hits"]:
            if hit["points"] or hit["negated"]:
                flags = [hit["field"]] + [f for f in ("boosted", "capped", "negated") if hit[f]]
                lines.append(
                    f"      {hit['signal']:<16} {hit['points']:+7g}  {hit['text']!r} "
                    f"({', '.join(flags)})"
                )
    lines.append("  deliveries:")
    for delivery in alert["deliveries"]:
        detail = delivery["last_error"] or (
            minute(delivery["sent_at"]) if delivery["sent_at"] else ""
        )
        lines.append(
            f"    {delivery['channel']:<12} {delivery['event']:<16} {delivery['status']:<8} "
            f"attempts {delivery['attempts']}  {detail}"
        )
    if alert["corrections"]:
        lines.append("  corrections:")
        lines.extend(f"    {correction_line(row)}" for row in alert["corrections"])
    return "\n".join(lines)


def _merged(alert: dict[str, Any], prefix: str) -> str:
    """``merged into #N`` (after ``prefix``) for a story merged by hand, else nothing."""
    return f"{prefix}merged into #{alert['merged_into']}" if alert["merged_into"] else ""


def silences_table(silences: list[dict[str, Any]], now: datetime) -> str:
    """One line per silence: id, watch, level, until, state, who and why."""
    if not silences:
        return "no silences"
    lines = [f"{'id':>4}  {'watch':<16} {'level':<9} {'until':<20} {'state':<8} by: reason"]
    for silence in silences:
        ended = silence["expired_at"] or (
            silence["until"] if silence["until"] <= iso(now) else None
        )
        lines.append(
            f"{silence['id']:>4}  {silence['watch'][:16]:<16} {silence['level'] or 'all':<9} "
            f"{minute(silence['until']):<20} {'ended' if ended else 'active':<8} "
            f"{silence['created_by']}: {silence['reason']}"
        )
    return "\n".join(lines)


def deliveries_table(deliveries: list[dict[str, Any]]) -> str:
    """One line per delivery: id, alert, channel, event, status, attempts, next try, error."""
    if not deliveries:
        return "no deliveries"
    lines = [
        f"{'id':>5} {'alert':>5}  {'watch':<16} {'channel':<12} {'event':<18} "
        f"{'status':<9} {'tries':>5}  next try / last error"
    ]
    for row in deliveries:
        detail = minute(row["next_attempt_at"]) if row["status"] == "pending" else ""
        if row["last_error"]:
            detail = f"{detail}  {row['last_error']}".strip()
        lines.append(
            f"{row['id']:>5} {row['alert_id']:>5}  {row['watch'][:16]:<16} "
            f"{row['channel'][:12]:<12} {row['event'][:18]:<18} {row['status']:<9} "
            f"{row['attempts']:>5}  {detail}"
        )
    return "\n".join(lines)

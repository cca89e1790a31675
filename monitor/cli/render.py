"""Rendering scores and evaluations for people (text) and scripts (JSON). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.config.feedsfile import ImportPlan
from monitor.config.models import FeedConfig
from monitor.humanize import describe_size, minute
from monitor.models import Article, Hit, Score
from monitor.store import FoundArticle, iso
from monitor.tools.backtest import BacktestReport
from monitor.tools.evaluate import ASSIGNED, EvalReport, Outcome

CONTEXT_CHARS = 40


def score_json(item_id: Any, scores: list[Score]) -> dict[str, Any]:
    """The stable ``monitor score --json`` object for one article."""
    return {
        "id": item_id,
        "scores": [
            {
                "watch": s.watch,
                "score": s.score,
                "level": s.level,
                "in_scope": s.in_scope,
                "excluded_by": s.excluded_by,
                "rules_version": s.rules_version,
                "hits": [hit.as_dict() for hit in s.hits],
            }
            for s in scores
        ],
    }


def context(article: Article, hit: Hit, width: int = CONTEXT_CHARS) -> str:
    """The matched text with up to ``width`` characters either side, on one line."""
    text = article.title if hit.field == "title" else article.summary
    before = text[max(0, hit.start - width) : hit.start]
    after = text[hit.end : hit.end + width]
    snippet = f"{'…' if hit.start > width else ''}{before}[{text[hit.start : hit.end]}]{after}"
    snippet += "…" if hit.end + width < len(text) else ""
    return " ".join(snippet.split())


def score_text(item_id: Any, article: Article, scores: list[Score]) -> str:
    """Explain each watch's score of one article: every hit, then subtotals."""
    lines = [f"{item_id}: {article.title[:100]}"]
    for s in scores:
        if s.excluded_by is not None:
            lines.append(f"  {s.watch}: out of scope (matches exclude[{s.excluded_by}])")
            continue
        if not s.in_scope:
            lines.append(f"  {s.watch}: out of scope")
            continue
        lines.append(
            f"  {s.watch}: score {s.score:g}, level {s.level or 'none'} (rules {s.rules_version})"
        )
        subtotals: dict[str, float] = {}
        for hit in s.hits:
            subtotals[hit.signal] = subtotals.get(hit.signal, 0.0) + hit.points
            notes: list[str] = [hit.field]
            notes += [flag for flag in ("boosted", "capped", "negated") if getattr(hit, flag)]
            lines.append(
                f"    {hit.signal:<16} {hit.points:+7g}  {hit.term!r} matched {hit.text!r} "
                f"({', '.join(notes)})"
            )
            lines.append(f"    {'':<16} {'':>7}  {context(article, hit)}")
        for signal, subtotal in subtotals.items():
            lines.append(f"    = {signal:<14} {subtotal:+7g}")
    return "\n".join(lines)


def eval_text(report: EvalReport) -> str:
    """The confusion table, the headline figures and the items scored wrongly."""
    lines = [f"watch {report.watch}: {len(report.outcomes)} labelled items", ""]
    lines.append("label \\ assigned " + "".join(f"{name:>10}" for name in ASSIGNED))
    for label, row in report.confusion().items():
        lines.append(f"{label:>16} " + "".join(f"{row[name]:>10}" for name in ASSIGNED))
    lines += [
        "",
        f"alert-worthy (label >= 2 at warning+): precision {report.precision([2, 3], 'warning')}"
        f"  recall {report._ratio([2, 3], 'warning')}",
        f"critical (label 3 at critical):        precision {report.precision([3], 'critical')}"
        f"  recall {report.rate(3, 'critical')}",
        f"label 3 at warning+ {report.rate(3, 'warning')}"
        f"   label 2 at notice+ {report.rate(2, 'notice')}",
        f"false alerts (warning+): label 0 {report.rate(0, 'warning')}"
        f"   label 1 {report.rate(1, 'warning')}",
    ]
    wrong = [o for o in report.outcomes if o.wrong]
    if wrong:
        lines += ["", f"{len(wrong)} items scored wrongly:"]
        lines += [_wrong_line(outcome) for outcome in wrong]
    return "\n".join(lines)


def _wrong_line(outcome: Outcome) -> str:
    subtotals: dict[str, float] = {}
    for hit in outcome.score.hits:
        if hit.points:
            subtotals[hit.signal] = subtotals.get(hit.signal, 0.0) + hit.points
    why = ", ".join(f"{name} {points:+g}" for name, points in subtotals.items()) or "no hits"
    scope = "" if outcome.score.in_scope else " (out of scope)"
    return (
        f"  {outcome.item.id}: label {outcome.item.label}, assigned {outcome.assigned}"
        f" ({outcome.score.score:g}){scope}: {outcome.item.article.title[:70]!r}; {why}"
    )


def alerts_table(alerts: list[dict[str, Any]]) -> str:
    """One line per alert: id, watch, kind, level, state, first and last seen, sources."""
    if not alerts:
        return "no alerts"
    header = (
        f"{'id':>5}  {'watch':<16} {'kind':<8} {'level':<9} {'state':<9} "
        f"{'first seen':<20} {'last seen':<20} {'sources':>7}"
    )
    lines = [header]
    for alert in alerts:
        lines.append(
            f"{alert['id']:>5}  {alert['watch'][:16]:<16} {alert['kind']:<8} "
            f"{alert['level']:<9} {alert['state']:<9} {minute(alert['opened_at']):<20} "
            f"{minute(alert['updated_at']):<20} {alert['sources']:>7}"
        )
    return "\n".join(lines)


def alert_text(alert: dict[str, Any]) -> str:
    """An alert with every article, the hits that made each score, and its deliveries."""
    lines = [
        f"alert {alert['id']}: {alert['watch']} {alert['kind']} {alert['level']} "
        f"({alert['state']}), score {alert['score']:g}",
        f"  opened {minute(alert['opened_at'])}, updated {minute(alert['updated_at'])}"
        + (f", resolved {minute(alert['resolved_at'])}" if alert["resolved_at"] else ""),
    ]
    for article in alert["articles"]:
        source = article["source"] or article["feed_url"]
        lines.append(f"  - {article['title']}")
        lines.append(f"    {article['url'] or 'no link'} ({source})")
        level = article["level"] or "none"
        lines.append(f"    score {article['score'] or 0:g}, level {level}")
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
    return "\n".join(lines)


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


def _feed_notes(feed: dict[str, Any]) -> list[str]:
    """The lines under a feed in ``monitor status``: moves, 410s, errors and backoff."""
    notes = []
    if feed.get("effective_url"):
        notes.append(f"moved to {feed['effective_url']}")
    if feed.get("enabled") == 0:
        notes.append("enabled: false in feeds.yaml")
    elif feed.get("gone_at"):
        notes.append(
            f"410 Gone since {minute(feed['gone_at'])}: edit its entry in feeds.yaml "
            f"or run 'monitor feeds enable {feed['url']}'"
        )
    elif feed["consecutive_errors"] and feed["last_error"]:
        since = (
            f" (failing since {minute(feed['failing_since'])})" if feed.get("failing_since") else ""
        )
        notes.append(f"last error: {feed['last_error'][:80]}{since}")
    return notes


def feeds_table(feeds: Sequence[FeedConfig], rows: dict[str, dict[str, Any]]) -> str:
    """One line per configured feed: state, name, URL, and where it moved (``rows``: store)."""
    if not feeds:
        return "no feeds in feeds.yaml"
    lines = [f"{'state':<9} {'feed':<32} url"]
    for feed in feeds:
        row = rows.get(feed.url, {})
        state = "disabled" if not feed.enabled else "gone" if row.get("gone_at") else "enabled"
        url = feed.url
        if row.get("effective_url"):
            url += f" -> moved to {row['effective_url']}"
        lines.append(f"{state:<9} {(feed.name or row.get('title') or '')[:32]:<32} {url}")
    return "\n".join(lines)


def feeds_import_text(plan: ImportPlan, path: Path, *, dry_run: bool) -> str:
    """What ``monitor feeds import`` added (or would add) and skipped, and why."""
    verb = "would add" if dry_run else "added"
    lines = [
        f"{verb} {_printable(feed.url)}" + (f" ({_printable(feed.name)})" if feed.name else "")
        for feed in plan.added
    ]
    lines += [f"skipped {_printable(feed.url)}: {reason}" for feed, reason in plan.skipped]
    total = f"{len(plan.added)} {'to add' if dry_run else 'added'}, {len(plan.skipped)} skipped"
    lines.append(f"{total} ({path} not changed)" if dry_run else f"{total} in {path}")
    return "\n".join(lines)


def _printable(text: str) -> str:
    """``text`` from an untrusted file, escaped if it holds control characters."""
    return text if text.isprintable() else ascii(text)


def status_text(status: dict[str, Any]) -> str:
    """The state of a monitor for a person: daemon, config, feeds, watches, outbox.

    ``status`` is the document ``monitor.daemon.status.status_document`` builds.
    """
    lines = [_daemon_line(status["daemon"]), *_config_lines(status["config"])]
    feeds = status["feeds"]
    lines.append(f"feeds ({len(feeds)} active):")
    lines.append(
        f"  {'feed':<32} {'last poll':<20} {'result':<13} {'errors':>6}  "
        f"{'next poll':<20} {'24h':>4}"
    )
    for feed in feeds:
        result = feed["last_status"] or "never"
        if feed["last_status_code"]:
            result += f" {feed['last_status_code']}"
        next_poll = minute(feed["next_poll_at"])
        if feed.get("gone_at") or feed.get("enabled") == 0:
            result, next_poll = ("gone 410" if feed.get("gone_at") else "disabled"), "not polled"
        lines.append(
            f"  {(feed['name'] or feed['url'])[:32]:<32} {minute(feed['last_polled_at']):<20} "
            f"{result[:13]:<13} {feed['consecutive_errors']:>6}  "
            f"{next_poll:<20} {feed['articles_24h']:>4}"
        )
        lines += [f"  {'':<32} {note}" for note in _feed_notes(feed)]
    lines.append("watches:")
    for watch in status["watches"]:
        if watch["index"] is None:
            lines.append(f"  {watch['name']}: no tension index")
        else:
            lines.append(
                f"  {watch['name']}: tension index {watch['index']:.1f}, level "
                f"{watch['level'] or 'none'} (as of {minute(watch['updated_at'])})"
            )
    deliveries = status["deliveries"]
    pending, dead = deliveries.get("pending", 0), deliveries.get("dead", 0)
    lines.append(f"deliveries: {pending} pending, {dead} dead, {deliveries.get('sent', 0)} sent")
    return "\n".join(lines)


def _daemon_line(daemon: dict[str, Any] | None) -> str:
    if daemon is None:
        return "daemon: has never run on this database"
    if daemon["stopped_at"]:
        return f"daemon: stopped at {minute(daemon['stopped_at'])}"
    if not daemon["running"]:
        return f"daemon: not running (last heard from {minute(daemon['heartbeat_at'])})"
    line = f"daemon: running, pid {daemon['pid']}, since {minute(daemon['started_at'])}"
    if daemon["last_cycle_at"]:
        line += f"; last cycle {minute(daemon['last_cycle_at'])}: {daemon['last_cycle']}"
    return line


def _config_lines(config: dict[str, Any]) -> list[str]:
    where = config["directory"]
    if config["problems"]:
        problems = config["problems"]
        more = f" (and {len(problems) - 1} more; `monitor check` lists them)"
        lines = [f"config: the config on disk in {where} is INVALID: {problems[0]}"]
        if len(problems) > 1:
            lines[0] += more
        if config["running_is_on_disk"] is False:
            lines.append("  the daemon keeps running the last good config")
        return lines
    if config["running_is_on_disk"] is False:
        return [f"config: {where} changed since the daemon loaded it; it reloads within seconds"]
    if config["running_is_on_disk"]:
        return [f"config: {where}, valid; the daemon runs this config"]
    return [f"config: {where}, valid"]


def db_stats_text(figures: dict[str, Any]) -> str:
    """``monitor db stats`` for a person: sizes, rows per table, the next prune and VACUUM."""
    lines = [
        f"database {figures['path']}: {describe_size(figures['size_bytes'])} "
        f"(write-ahead log {describe_size(figures['wal_bytes'])}; "
        f"free pages {describe_size(figures['free_bytes'])}, reclaimed by vacuum)",
        "rows:",
    ]
    for table, count in figures["rows"].items():
        note = ""
        if table == "articles" and figures["oldest_article"]:
            note = (
                f"  oldest {minute(figures['oldest_article'])}, "
                f"newest {minute(figures['newest_article'])}"
            )
        elif table == "deliveries" and figures["deliveries"]:
            note = "  " + ", ".join(f"{n} {status}" for status, n in figures["deliveries"].items())
        lines.append(f"  {table:<16} {count:>9}{note}")
    prune = figures["next_prune"]
    if prune is None:
        lines.append("next prune: none (retention.articles: null keeps articles forever)")
    else:
        lines += [
            f"next prune (older than {figures['retention']}: before {minute(prune['before'])}):",
            f"  {'articles':<16} {prune['articles']:>9}  "
            f"(and {prune['kept']} as old that alerts point to, kept)",
            f"  {'index points':<16} {prune['index_points']:>9}",
            f"  {'notifications':<16} {prune['deliveries']:>9}  (finished, of resolved alerts)",
            f"  {'pruned keys':<16} {prune['forgotten_keys']:>9}  (no feed carried them since)",
        ]
    last = minute(figures["last_vacuum"]) if figures["last_vacuum"] else "never"
    due = minute(figures["next_vacuum"]) if figures["next_vacuum"] else "never (null)"
    lines.append(f"vacuum: last {last}, next {due}")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    """Text from a feed on one line, without control characters."""
    return "".join(char for char in " ".join(text.split()) if char.isprintable())


def search_table(results: Sequence[FoundArticle], watch: str | None = None) -> str:
    """One line per article found (id, date, level, feed, title), its snippet below.

    The level is the one for ``watch``, else the highest over every watch.
    """
    if not results:
        return "no articles found"
    lines = [f"{'id':>6}  {'date':<16}  {'level':<8}  {'feed':<20}  title"]
    for found in results:
        date = found.published_at or found.fetched_at
        lines.append(
            f"{found.id:>6}  {date[:10]} {date[11:16]}  {found.level(watch) or '-':<8}  "
            f"{_one_line(found.feed)[:20]:<20}  {_one_line(found.title)[:90]}"
        )
        if found.snippet:
            lines.append(f"{'':>6}  {_one_line(found.snippet)[:140]}")
    return "\n".join(lines)


def backtest_text(report: BacktestReport) -> str:
    """Per watch: the article alerts fired, those the rules on disk would fire, and
    each one added, removed or changed in level; then the totals."""
    lines = [
        f"backtest: {report.articles} articles fetched since {minute(iso(report.since))}, "
        "scored with the rules on disk"
    ]
    for watch in report.watches:
        if not watch.configured:
            rules = "no longer on disk"
        elif watch.alert_level is None:
            rules = "alert.on has no article level"
        else:
            rules = f"alert.on article:{watch.alert_level}"
        lines.append(
            f"{watch.watch} ({rules}): fired {watch.fired}, would fire {watch.would_fire}: "
            f"{len(watch.added)} added, {len(watch.removed)} removed, "
            f"{len(watch.changed)} changed level, {watch.unchanged} unchanged"
        )
        for sign, changes in (("+", watch.added), ("-", watch.removed), ("~", watch.changed)):
            for change in changes:
                level = " -> ".join(level for level in (change.before, change.after) if level)
                where = f"alert {change.alert_id}" if change.alert_id else ""
                if change.score is not None:
                    where = f"{where} now {change.score:g}".strip()
                lines.append(
                    f"  {sign} #{change.article_id:<6} {level:<20} {where:<18} "
                    f"{_one_line(change.title)[:80]}"
                )
    totals = report.totals()
    lines.append(
        f"total: {totals['added']} added, {totals['removed']} removed, "
        f"{totals['changed']} changed level"
    )
    lines.append(
        "(article alerts only, one line per article: story grouping, index and spike "
        "alerts are not replayed)"
    )
    return "\n".join(lines)

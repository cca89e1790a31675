"""The text of the scoring and article commands (``score``, ``eval``,
``search``, ``backtest``) for people, and ``score --json`` for scripts. Pure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from monitor.channels.markup import console
from monitor.humanize import minute
from monitor.models import Article, Hit, Score
from monitor.rules.compile import Matcher
from monitor.rules.score import held_below, held_by
from monitor.store import FoundArticle, iso
from monitor.tools.backtest import BacktestReport, StoryBacktest
from monitor.tools.evaluate import ASSIGNED, EvalReport, Outcome, Ratio
from monitor.tools.grouping import GroupingReport

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
                "scope_miss": s.scope_miss,
                "rules_version": s.rules_version,
                "hits": [hit.as_dict() for hit in s.hits],
                "capped_by": s.capped_by,
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


def score_text(item_id: Any, article: Article, scores: list[Score], matcher: Matcher) -> str:
    """Explain each watch's score of one article: every hit, then subtotals, and why the
    level is lower than the score alone would make it."""
    lines = [f"{item_id}: {article.title[:100]}"]
    for s, watch in zip(scores, matcher.watches, strict=True):
        if not s.in_scope:
            why = s.scope_miss or (
                "the scope did not match" if s.excluded_by is None else f"exclude[{s.excluded_by}]"
            )
            lines.append(f"  {s.watch}: out of scope: {why}")
            continue
        lines.append(
            f"  {s.watch}: score {s.score:g}, level {s.level or 'none'} (rules {s.rules_version})"
        )
        if s.capped_by:
            lines.append(f"  {held_by(s.level or 'none', s.capped_by)}")
        held = held_below(s, watch)
        if held:
            lines.append(f"  {held}")
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
        f"   label 2 at notice+ {report.rate(2, 'notice')}"
        f"   label 2 at critical {report.rate(2, 'critical')}",
        f"false alerts (warning+): label 0 {report.rate(0, 'warning')}"
        f"   label 1 {report.rate(1, 'warning')}",
    ]
    languages = report.languages()
    if languages:
        lines += ["", *_language_lines([("all", report), *languages.items()])]
    if report.grouping is not None:
        lines += ["", *_grouping_lines(report.grouping)]
    wrong = [o for o in report.outcomes if o.wrong]
    if wrong:
        lines += ["", f"{len(wrong)} items scored wrongly:"]
        lines += [_wrong_line(outcome) for outcome in wrong]
    return "\n".join(lines)


# The columns of the table per language: the headline figures, each a share.
_LANGUAGE_COLUMNS: tuple[tuple[str, Callable[[EvalReport], Ratio]], ...] = (
    ("R3 >= warning", lambda report: report.rate(3, "warning")),
    ("R3 critical", lambda report: report.rate(3, "critical")),
    ("R2 >= notice", lambda report: report.rate(2, "notice")),
    ("FA label 0", lambda report: report.rate(0, "warning")),
    ("FA label 1", lambda report: report.rate(1, "warning")),
    ("critical precision", lambda report: report.precision([3], "critical")),
    ("label 2 at critical", lambda report: report.rate(2, "critical")),
)


def _language_lines(reports: list[tuple[str, EvalReport]]) -> list[str]:
    """One row per language (``all`` first): its items and the headline figures, each
    as a share and its counts (``R3`` label-3 items, ``FA`` false alerts at warning+)."""

    def cell(ratio: Ratio) -> str:
        return "n/a" if ratio.value is None else f"{ratio.value:.2f} {ratio.hits}/{ratio.total}"

    table = [["language", "items", *(name for name, _ in _LANGUAGE_COLUMNS)]]
    table += [
        [
            console(language),
            str(len(report.outcomes)),
            *(cell(f(report)) for _, f in _LANGUAGE_COLUMNS),
        ]
        for language, report in reports
    ]
    widths = [max(len(row[column]) for row in table) for column in range(len(table[0]))]
    return [
        "  ".join(
            [
                row[0].ljust(widths[0]),
                *(text.rjust(width) for text, width in zip(row[1:], widths[1:], strict=True)),
            ]
        )
        for row in table
    ]


def _grouping_lines(grouping: GroupingReport, shown: int = 20) -> list[str]:
    """Story grouping over the items that alert: the figures, then the pairs it got wrong."""
    figures = grouping.figures()
    pairs = figures["pairwise"]

    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}"

    lines = [
        f"grouping ({figures['items']} items that alert, {figures['events']} events, "
        f"{figures['stories']} stories):",
        f"  pairwise precision {share(pairs['precision'])} ({pairs['both']}/{pairs['same_story']})"
        f"  recall {share(pairs['recall'])} ({pairs['both']}/{pairs['same_event']})"
        f"  B-cubed precision {share(figures['bcubed']['precision'])}"
        f"  recall {share(figures['bcubed']['recall'])}  F1 {share(figures['bcubed_f1'])}",
    ]
    wrong = grouping.wrong
    if wrong:
        lines.append(f"  {len(wrong)} pairs grouped wrongly:")
        lines += [
            f"    {pair.kind:<6} {pair.first} / {pair.second}: {console(pair.reason)}"
            for pair in wrong[:shown]
        ]
        if len(wrong) > shown:
            lines.append(f"    and {len(wrong) - shown} more (--json lists all)")
    return lines


def _wrong_line(outcome: Outcome) -> str:
    subtotals: dict[str, float] = {}
    for hit in outcome.score.hits:
        if hit.points:
            subtotals[hit.signal] = subtotals.get(hit.signal, 0.0) + hit.points
    why = ", ".join(f"{name} {points:+g}" for name, points in subtotals.items()) or "no hits"
    scope = "" if outcome.score.in_scope else f" (out of scope: {outcome.score.scope_miss})"
    return (
        f"  {outcome.item.id}: label {outcome.item.label}, assigned {outcome.assigned}"
        f" ({outcome.score.score:g}){scope}: {outcome.item.article.title[:70]!r}; {why}"
    )


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
            f"{console(found.feed)[:20]:<20}  {console(found.title)[:90]}"
        )
        if found.snippet:
            lines.append(f"{'':>6}  {console(found.snippet)[:140]}")
    return "\n".join(lines)


def backtest_text(report: BacktestReport) -> str:
    """Per watch: the article alerts fired, those the rules on disk would fire, and
    each one added, removed or changed in level; the stories stored and replayed,
    each replayed one with its reports, why each joined, and its notifications;
    then the totals."""
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
                    f"{console(change.title)[:80]}"
                )
        if watch.stories is not None:
            lines.extend(_story_lines(watch.stories))
    totals = report.totals()
    lines.append(
        f"total: {totals['added']} added, {totals['removed']} removed, "
        f"{totals['changed']} changed level"
    )
    stories = report.story_totals()
    lines.append(
        f"stories: {stories['before']} stored -> {stories['after']} replayed; "
        f"notifications: {stories['notifications_before']} -> "
        f"{stories['notifications_after']}"
    )
    lines.append(
        "(one line per article above; stories replayed in the order the articles were "
        "published, one notification per story event whatever the channels; index and "
        "spike alerts are not replayed)"
    )
    return "\n".join(lines)


def _story_lines(stories: StoryBacktest) -> list[str]:
    """A watch's stories, stored and replayed, and each replayed story in full."""
    lines = [
        f"  stories: {len(stories.stored)} stored -> {len(stories.replayed)} replayed; "
        f"notifications: {stories.notified} -> {stories.notifications}"
    ]
    for story in stories.replayed:
        marks = [story.level, f"{len(story.members)} reports", f"{story.outlets} outlets"]
        was = stories.was(story)
        marks.append(f"stored as alerts {', '.join(f'#{a}' for a in was)}" if was else "not stored")
        if story.follows is not None:
            marks.append(f"follows story {story.follows}")
        if story.breaking:
            marks.append("breaking")
        lines.append(f"  story {story.number}: {'; '.join(marks)}")
        for member in story.members:
            lines.append(
                f"    #{member.id:<6} {minute(iso(member.at))}  {member.level:<8}  "
                f"{console(member.title)[:80]}"
            )
            why = member.reason if member.update is None else f"{member.reason}; {member.update}"
            lines.append(f"      why: {console(why)}")
        for notice in story.notifications:
            event = (
                notice.event.partition(":")[0]
                if notice.event.startswith("update:")
                else notice.event
            )
            when = minute(iso(notice.due))
            lines.append(f"    notifies {event} at {when}: {console(notice.reason)}")
        if story.ended is not None:
            lines.append(f"    ended: {console(story.ended)}")
    return lines

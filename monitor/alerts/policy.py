"""Every rule that decides whether and when a person is notified. Pure.

Each function takes values and returns its decision with the reason, in words
a person reads in ``monitor explain``: ``below the alert level: scored notice
(6.5); the watch alerts from warning``, ``joined alert #12: …``, ``silenced
by #3 until 2026-11-02 14:00 UTC``. The reason is made here, where the
decision is, and stored with it; it is never reconstructed later.

The order in which the rules apply to one article and one channel:

1. the score: in scope at all, and at the watch's alert level (``trigger``);
2. the story: join the story of the same event, or open one
   (``monitor.alerts.grouping.join_story``);
3. the first notification waits ``group_wait`` (``first_due``); a story that
   gains a report notifies again at once when its level rises, and when it
   brings a new event type or reaches 5 or 10 outlets at most once per
   ``group_interval`` (``story_update``); otherwise it updates quietly; a
   story with no new report for ``resolve_after`` is over (``story_resolves``);
4. a silence mutes the notification (``silenced_by``);
5. the channel's ``min_level`` (``channel_accepts``).

The tension index (``story_index_rise``: a story counts once; ``decayed``,
``index_level``), spikes (``is_spike``) and the
alerts these produce (``story_alert``, ``index_alert``, ``spike_alert``,
``system_alert``, ``channel_test_alert``) are decided here too, and so are the
key and the level of a story corrected by hand (``split_keys``, ``highest_level``).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count

from monitor.config import (
    INDEX_LEVELS,
    LEVELS,
    AlertConfig,
    BreakingConfig,
    IndexConfig,
    WatchConfig,
)
from monitor.humanize import describe_delay, minute
from monitor.models import Alert, AlertArticle, AlertSource, Score, Silence, Story

MAX_HITS_IN_ALERT = 20
EXCERPT_LIMIT = 280  # characters of a story's first report in its alert


@dataclass(frozen=True)
class Verdict:
    """A yes or a no, and why."""

    ok: bool
    reason: str


def _at_least(level: str | None, threshold: str | None, order: tuple[str, ...]) -> bool:
    if level is None or threshold is None:
        return False
    return order.index(level) >= order.index(threshold)


def reaches(level: str | None, threshold: str | None) -> bool:
    """Whether article ``level`` is at or above ``threshold`` (``None`` reaches nothing)."""
    return _at_least(level, threshold, LEVELS)


def index_reaches(level: str | None, threshold: str | None) -> bool:
    """Whether index ``level`` is at or above ``threshold`` (``None`` reaches nothing)."""
    return _at_least(level, threshold, INDEX_LEVELS)


# 1. The score ------------------------------------------------------------------


def trigger(score: Score, watch: WatchConfig) -> Verdict:
    """Whether an article's score calls for an alert of its watch, and why (not)."""
    if not score.in_scope:
        return Verdict(False, f"out of scope: {score.scope_miss or 'the scope did not match'}")
    threshold = watch.alert_level()
    if threshold is None:
        triggers = ", ".join(watch.alert.on) or "nothing"
        return Verdict(False, f"the watch alerts on no article level (alert.on: {triggers})")
    scored = f"scored {score.level or 'no level'} ({score.score:g})"
    if not reaches(score.level, threshold):
        return Verdict(False, f"below the alert level: {scored}; the watch alerts from {threshold}")
    return Verdict(True, f"reached the alert level: {scored}; the watch alerts from {threshold}")


def article_key(watch: str, article_id: int) -> str:
    """The dedup key of the alert an article opens: it never alerts twice, restarts too."""
    return f"{watch}:article:{article_id}"


def split_keys(watch: str, article_id: int) -> Iterator[str]:
    """The dedup keys a story split out by hand around one article may take, in order:
    the article's own ``article_key``, then that key with ``:2``, ``:3``, ... (the
    first one no alert holds yet is taken)."""
    key = article_key(watch, article_id)
    yield key
    for suffix in count(2):
        yield f"{key}:{suffix}"


def highest_level(levels: Iterable[str | None]) -> str | None:
    """The highest article level among ``levels`` (``None`` if none has one): a story's level."""
    return max((level for level in levels if level in LEVELS), key=LEVELS.index, default=None)


# 2. The story: ``monitor.alerts.grouping`` decides which story a report joins.


# 3. When a story notifies ---------------------------------------------------------


def first_due(now: datetime, rules: AlertConfig) -> datetime:
    """When a new story's first notification goes out: after ``group_wait``, which
    gathers the other outlets' reports into it."""
    return now + timedelta(seconds=rules.group_wait)


@dataclass(frozen=True)
class StoryUpdate:
    """Whether a story that changed notifies (``event``), when (``due``, ``None``: now),
    or stays quiet; and why."""

    event: str | None
    level: str
    reason: str
    due: datetime | None = None


OUTLET_MARKS = (5, 10)
"""A story that reaches this many outlets notifies again: the event is spreading."""


def _news(
    level: str, new_level: str, new_types: Sequence[str], before: int, after: int
) -> list[str]:
    """What a joining report brings that a reader would want to know of."""
    news = []
    if new_level != level:
        news.append(f"level rose {level} -> {new_level}")
    if new_types:
        news.append(f"new event type{'s' * (len(new_types) > 1)} {', '.join(new_types)}")
    marks = [mark for mark in OUTLET_MARKS if before < mark <= after]
    if marks:
        news.append(f"now reported by {after} outlets")
    return news


def story_update(
    *,
    level: str,
    reported: str | None,
    new_types: Sequence[str],
    outlets_before: int,
    outlets: int,
    first_pending: bool,
    last_notified: datetime | None,
    rules: AlertConfig,
    now: datetime,
) -> StoryUpdate:
    """Decide on a story alert at ``level`` that gained a report at ``reported`` (or,
    with ``None``, only an outlet): its new level and whether it notifies.

    A joining report updates the story silently unless it brings something new:
    a higher level, a new event type, or the outlet count reaching 5 or 10. A
    higher level notifies at once; other news at most once per
    ``group_interval`` (later, if the last notification is more recent). Within
    ``group_wait`` nothing more is queued: the first notification, not sent
    yet, will carry it (so a critical report inhibits the warning of the story).
    """
    new_level = reported if reported is not None and not reaches(level, reported) else level
    if first_pending:
        return StoryUpdate(
            None, new_level, "within group_wait: the first notification, not sent yet, carries it"
        )
    news = _news(level, new_level, new_types, outlets_before, outlets)
    if not news:
        return StoryUpdate(
            None,
            new_level,
            f"a quiet update: no higher level, no new event type, {outlets} outlets",
        )
    if new_level != level:
        return StoryUpdate(f"firing:{new_level}", new_level, "; ".join(news))
    due = now
    if last_notified is not None:
        due = max(now, last_notified + timedelta(seconds=rules.group_interval))
    if due > now:
        return StoryUpdate(
            f"update:{_iso(due)}",
            new_level,
            f"{'; '.join(news)}: notifies at {minute(due.isoformat())}, a group_interval "
            f"({describe_delay(rules.group_interval)}) after the last notification",
            due,
        )
    return StoryUpdate(f"update:{_iso(now)}", new_level, "; ".join(news))


def is_breaking(outlet_times: Sequence[datetime], rules: BreakingConfig | None) -> bool:
    """Whether ``rules.outlets`` outlets first reported a story within ``rules.within``
    of one another (``outlet_times``: when each outlet first carried it)."""
    if rules is None or len(outlet_times) < rules.outlets:
        return False
    times = sorted(outlet_times)
    window = timedelta(seconds=rules.within)
    return any(
        times[i + rules.outlets - 1] - times[i] <= window
        for i in range(len(times) - rules.outlets + 1)
    )


def breaking_level(
    reported: str | None, breaking: bool, rules: BreakingConfig | None
) -> str | None:
    """The level a report counts at in its story (``reported``; ``None``: it brought only
    an outlet): a breaking story's ``rules.level`` when that is higher, as if a report
    at that level had come."""
    if breaking and rules is not None and rules.level is not None:
        return rules.level if not reaches(reported, rules.level) else reported
    return reported


def story_resolves(last_report: datetime, now: datetime, rules: AlertConfig) -> Verdict:
    """Whether a firing story with its latest report at ``last_report`` is over at
    ``now`` (``ok``: it is): no new report for ``resolve_after``."""
    quiet = describe_delay(rules.resolve_after)
    since = minute(last_report.isoformat())
    if now - last_report >= timedelta(seconds=rules.resolve_after):
        return Verdict(True, f"no new report for {quiet} since {since}")
    return Verdict(False, f"the latest report came {since}: it resolves after {quiet} without one")


# 4. Silences -----------------------------------------------------------------


def silenced_by(silences: Sequence[Silence], watch: str, level: str, now: datetime) -> Verdict:
    """Whether a silence in force mutes a ``level`` notification of ``watch`` (``ok``: it does)."""
    for silence in sorted(silences, key=lambda s: s.id):
        if silence.watch == watch and silence.level in (None, level) and now < silence.until:
            why = f": {silence.reason}" if silence.reason else ""
            return Verdict(
                True, f"silenced by #{silence.id} until {minute(silence.until.isoformat())}{why}"
            )
    return Verdict(False, "no silence in force")


# 5. The channel ----------------------------------------------------------------


def channel_accepts(alert: Alert, min_level: str | None) -> Verdict:
    """Whether a channel takes ``alert``: an article alert below its ``min_level`` it does not."""
    threshold = min_level or LEVELS[0]
    if alert.kind == "article" and not reaches(alert.level, threshold):
        return Verdict(False, f"below the channel's min_level {threshold}")
    return Verdict(True, "the channel takes it")


# The tension index and spikes ------------------------------------------------------


def decayed(value: float, since: datetime, now: datetime, half_life: float) -> float:
    """``value`` at ``since``, halved for every ``half_life`` seconds until ``now``."""
    elapsed = max(0.0, (now - since).total_seconds())
    return float(value * 0.5 ** (elapsed / half_life))


STORY_SCORE_CAP = 3.0
"""A story counts in the tension index with its top score, at most this many times the
watch's critical level: past that, a score says more about how many alarming words a
report packs than about the event, and one story must not make the index severe."""
OUTLET_BREADTH = 0.05
"""What each outlet after the first adds to a story's weight in the index (a share of
its counted score)."""
LANGUAGE_BREADTH = 0.10
"""What each language after the first adds: other communities report it too."""
BREADTH_CAP = 0.30
"""The most breadth adds to a story's weight: seven outlets of one clash are still one."""


def story_weight(score: float, outlets: int, languages: int, critical: float) -> float:
    """What one story counts in its watch's tension index: its top ``score`` (at most
    ``STORY_SCORE_CAP`` times the watch's ``critical`` level), plus a share of that
    for its breadth, 0.05 per outlet and 0.10 per language beyond the first, at most
    0.30: ``min(score, 3 * critical) * (1 + min(0.3, 0.05 * (outlets - 1) + 0.1 *
    (languages - 1)))``. A story of 5 outlets in 3 languages counts 1.3 times its score.
    """
    counted = min(max(score, 0.0), STORY_SCORE_CAP * critical)
    breadth = OUTLET_BREADTH * max(outlets - 1, 0) + LANGUAGE_BREADTH * max(languages - 1, 0)
    return counted * (1 + min(BREADTH_CAP, breadth))


def _weight_of(alert: Alert | None, critical: float) -> float:
    if alert is None:
        return 0.0
    story = alert.story
    outlets = story.outlets if story is not None else len(alert.sources or ())
    languages = len(story.languages) if story is not None else 0
    return story_weight(alert.score, outlets, languages, critical)


def story_index_rise(before: Alert | None, after: Alert, critical: float) -> float:
    """What a story that changed from ``before`` (``None``: it is new) to ``after`` adds
    to the tension index: the rise of its ``story_weight``, never less than nothing.

    So the index counts stories, not copies: a new story adds its weight once; a
    report that joins it adds only what it raises the top score by, and what its
    outlet or language adds to the breadth (nothing once the cap is reached); the
    same event from seven outlets counts once, and at most 1.3 times. (In-scope
    articles that alert on nothing, below the alert level, are in no story: each
    adds its own positive score, once, since a copy of a stored article is not
    stored again.)
    """
    return max(0.0, _weight_of(after, critical) - _weight_of(before, critical))


def index_level(previous: str | None, value: float, config: IndexConfig) -> str | None:
    """The index level for ``value``, given the level it was at (with hysteresis).

    The index enters a level when it reaches that level's threshold, and leaves
    it only when it falls below ``clear_below`` times the threshold, so an index
    hovering at a threshold does not flap.
    """
    thresholds = [float(getattr(config.levels, name)) for name in INDEX_LEVELS]
    reached = -1
    for rank, threshold in enumerate(thresholds):
        if value >= threshold:
            reached = rank
    kept = -1
    if previous is not None:
        for rank in range(INDEX_LEVELS.index(previous) + 1):
            if value >= thresholds[rank] * config.clear_below:
                kept = rank
    best = max(reached, kept)
    return INDEX_LEVELS[best] if best >= 0 else None


def is_spike(counts: list[int], factor: float, min_count: int) -> bool:
    """Whether the latest window (``counts[0]``) is a spike over the earlier ones:
    at least ``min_count`` articles and ``factor`` times their median."""
    if not counts[1:]:
        return False
    latest = counts[0]
    return latest >= min_count and latest >= factor * statistics.median(counts[1:])


# The alerts themselves -----------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _carried(article: AlertArticle) -> AlertArticle:
    """An article as an alert carries it: the hits that gave points, at most 20."""
    hits = tuple(hit for hit in article.hits if not hit.capped)[:MAX_HITS_IN_ALERT]
    return AlertArticle(
        article.title, article.url, article.source, article.published, article.score, hits
    )


def story_alert(
    *,
    key: str,
    watch: str,
    level: str,
    articles: Sequence[AlertArticle],
    sources: Sequence[AlertSource],
    story: Story,
    now: datetime,
) -> Alert:
    """A story alert: every article in it, every outlet that carried them, what is
    known of the event, and the start of its first report (``excerpt``)."""
    summary = articles[0].summary if articles else None
    return Alert(
        key=key,
        kind="article",
        state="firing",
        watch=watch,
        level=level,
        score=max((article.score or 0 for article in articles), default=0),
        created_at=now,
        articles=tuple(_carried(article) for article in articles),
        sources=tuple(sources),
        story=story,
        excerpt=excerpt(summary) if summary else None,
    )


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """The start of ``text`` on one line, at most ``limit`` characters, cut at a word
    with an ellipsis when it is longer."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def index_alert(
    *,
    key: str,
    watch: str,
    level: str,
    state: str,
    value: float,
    articles: Sequence[AlertArticle],
    now: datetime,
) -> Alert:
    """A tension-index notification, with what weighs most in it: the top stories of
    its window, one article each (``Store.top_stories``)."""
    return Alert(
        key=key,
        kind="index",
        state=state,
        watch=watch,
        level=level,
        score=round(value, 2),
        created_at=now,
        articles=tuple(articles),
        index=round(value, 2),
    )


def spike_alert(*, key: str, watch: str, state: str, counts: list[int], now: datetime) -> Alert:
    """A spike notification: the latest window's count and the median it was compared with."""
    return Alert(
        key=key,
        kind="spike",
        state=state,
        watch=watch,
        level="spike",
        score=counts[0],
        created_at=now,
        count=counts[0],
        # The same median that is_spike compares against.
        baseline=statistics.median(counts[1:]) if counts[1:] else 0,
    )


def system_alert(*, key: str, kind: str, state: str, message: str, now: datetime) -> Alert:
    """An alert about the monitor itself (feeds failing, news gone quiet)."""
    return Alert(
        key=key,
        kind=kind,
        state=state,
        watch="system",
        level="warning",
        score=0,
        created_at=now,
        message=message,
    )


def channel_test_alert(now: datetime) -> Alert:
    """A harmless alert for ``monitor channels test``."""
    return Alert(
        key=f"test:{_iso(now)}",
        kind="test",
        state="firing",
        watch="test",
        level="notice",
        score=0,
        created_at=now,
        message="a test alert from monitor: if you read this, the channel works",
    )

"""Replaying reports that alert through story grouping and the policy's story rules,
as the daemon would have taken them in. Pure.

``place`` keeps the stories of a replay, for ``replay_stories`` here and for
``monitor eval`` (``tools.grouping``) alike: the open stories and their
reports, their numbers (1, 2, … in the order they open), the order ``join_story``
is offered them in and, for reports replayed at a moment, which stories have
ended by then. Labelled items have no moment, so none of them ends a story.

``replay_stories`` takes each report at the moment it is replayed (for stored
articles: when it was published, or fetched if that was earlier) and does
what the daemon does with a report that reaches the watch's alert level:

- a story with no new report for ``resolve_after`` ends first
  (``policy.story_resolves``): it may be followed, never joined;
- the report joins the story of its event or opens one
  (``grouping.join_story``, against ``background``, with the watch's
  ``alert`` rules and ``story.group``);
- a new story queues its first notification, due after ``group_wait``
  (``policy.first_due``); a report that joins a story notifies again only
  when ``policy.story_update`` says so (a higher level, a new event type, 5
  or 10 outlets; at most once per ``group_interval``).

A story's outlets are the feeds that carried its reports; a copy that another
feed carried later counts with its article, not as an update of its own. A
notification is one event of a story, whatever the channels, silences and
``min_level`` would have done with it. The end of a story is not notified
here (``notify_resolved`` is not replayed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from monitor.alerts.grouping import (
    FOLLOW_WITHIN,
    Background,
    OpenStory,
    Report,
    StoryJoin,
    join_story,
)
from monitor.alerts.policy import (
    breaking_level,
    first_due,
    is_breaking,
    story_resolves,
    story_update,
)
from monitor.config import WatchConfig
from monitor.humanize import describe_delay


@dataclass(frozen=True)
class Turn:
    """A report's turn in a replay: what grouping compares of it, its level, and the
    moment it is replayed at (``None``: it has none, as a labelled item of ``monitor
    eval``, which is dated to a day or a month, or not at all)."""

    report: Report
    level: str
    at: datetime | None = None


@dataclass(frozen=True)
class Placement:
    """Where a replay put one report: the story it opened or joined, ``join_story``'s
    verdict, and the stories (number, why) that ended just before its turn."""

    story: int
    join: StoryJoin
    ended: tuple[tuple[int, str], ...] = ()


@dataclass
class _Open:
    """A story while ``place`` runs: what ``join_story`` sees of it, and the moment of
    its latest report that had one (``None``: none had)."""

    story: OpenStory
    last: datetime | None


def place(turns: Iterable[Turn], background: Background, watch: WatchConfig) -> list[Placement]:
    """Each turn's placement, in the order given: the report joins a story of the earlier
    ones (``join_story``, against ``background``, with the watch's ``alert`` rules and
    ``story.group``) or opens one, numbered 1, 2, … in the order they open; a story
    keeps the level of the report that opened it (``join_story`` weighs no level).

    A turn at a moment first ends each story whose last report at a moment came
    ``resolve_after`` or longer before (``policy.story_resolves``: it may be followed,
    never joined); a turn without a moment ends none (``monitor eval`` never resolves
    a story). Which stories a turn is offered, in which order: ``_offered``."""
    stories: list[_Open] = []
    placements = []
    for turn in turns:
        ended = () if turn.at is None else tuple(_end_quiet(stories, turn.at, watch))
        join = join_story(
            turn.report,
            _offered(stories, turn.at),
            background,
            watch.alert,
            watch.story.group == "names",
        )
        if join.alert_id is None:
            number = len(stories) + 1
            stories.append(_Open(OpenStory(number, turn.level, (turn.report,)), turn.at))
        else:
            number = join.alert_id
            joined = stories[number - 1]
            joined.story = replace(joined.story, reports=(*joined.story.reports, turn.report))
            joined.last = turn.at or joined.last
        placements.append(Placement(number, join, ended))
    return placements


def _offered(stories: Sequence[_Open], at: datetime | None) -> list[OpenStory]:
    """The stories offered to a turn at ``at``, in the order ``join_story`` weighs them in
    (of equally close stories, it takes the first). At a moment: those whose last report
    is within ``FOLLOW_WITHIN`` of it, latest updated first as the daemon reads them (by
    the moment of their last report; ties, in the order they opened). Without a moment
    there is no time of update to go by: every story, the latest opened first."""
    if at is None:
        return [s.story for s in reversed(stories)]
    recent = [s for s in stories if s.last is None or at - s.last <= FOLLOW_WITHIN]
    recent.sort(key=lambda s: s.last or _UNDATED, reverse=True)  # stable: ties keep order
    return [s.story for s in recent]


_UNDATED = datetime.min.replace(tzinfo=UTC)
"""Where a story none of whose reports had a moment sorts among those that had: last."""


def _end_quiet(
    stories: Iterable[_Open], now: datetime, watch: WatchConfig
) -> Iterator[tuple[int, str]]:
    """End each open story whose last report came at a moment ``resolve_after`` or
    longer before ``now``; yield each one's number and why it ended."""
    for open_story in stories:
        if open_story.story.closed or open_story.last is None:
            continue
        verdict = story_resolves(open_story.last, now, watch.alert)
        if verdict.ok:
            open_story.story = replace(open_story.story, closed=True)
            yield open_story.story.alert_id, verdict.reason


@dataclass(frozen=True)
class Replayable:
    """One report that alerts: its id, its level, the moment it is replayed at, what
    grouping compares of it, and when each outlet (a feed id) first carried it."""

    id: int
    level: str
    at: datetime
    report: Report
    outlets: tuple[tuple[int, datetime], ...] = ()


@dataclass(frozen=True)
class Notification:
    """A notification a story queued: its event (``firing`` for the first,
    ``firing:LEVEL``, ``update:TIME``), when it was decided and when it is due, and why."""

    event: str
    at: datetime
    due: datetime
    reason: str


@dataclass(frozen=True)
class Member:
    """A report of a replayed story: why it opened or joined the story (``join_story``'s
    reason) and, when it joined, what ``story_update`` made of it."""

    id: int
    title: str
    level: str
    at: datetime
    reason: str
    update: str | None = None


@dataclass(frozen=True)
class ReplayedStory:
    """A story the replay made: its reports in order, the notifications it queued,
    its outlets, and why it ended, if it did before the last report replayed."""

    number: int
    level: str
    members: tuple[Member, ...]
    notifications: tuple[Notification, ...]
    outlets: int
    breaking: bool
    follows: int | None = None
    ended: str | None = None


@dataclass
class _Live:
    """A story while ``replay_stories`` follows it: what it notified and its outlets."""

    number: int
    level: str
    event_types: frozenset[str]  # every event type its reports report
    follows: int | None
    members: list[Member]
    notifications: list[Notification]
    outlets: dict[int, datetime]
    ended: str | None = None
    breaking: bool = False

    def frozen(self) -> ReplayedStory:
        """The story as it stands, as a frozen value."""
        return ReplayedStory(
            number=self.number,
            level=self.level,
            members=tuple(self.members),
            notifications=tuple(self.notifications),
            outlets=len(self.outlets),
            breaking=self.breaking,
            follows=self.follows,
            ended=self.ended,
        )


def replay_stories(
    reports: Iterable[Replayable], background: Background, watch: WatchConfig
) -> list[ReplayedStory]:
    """The stories ``reports`` make, in the order of their moments (then ids), under
    ``watch``'s story rules; numbered 1, 2, … in the order they open (``place``)."""
    ordered = sorted(reports, key=lambda r: (r.at, r.id))
    turns = (Turn(item.report, item.level, item.at) for item in ordered)
    live: dict[int, _Live] = {}
    for item, placement in zip(ordered, place(turns, background, watch), strict=True):
        for number, why in placement.ended:
            live[number].ended = why
        if placement.join.alert_id is None:
            live[placement.story] = _opened(placement.story, item, placement.join, watch)
        else:
            _joined(live[placement.story], item, placement.join, watch)
    return [story.frozen() for story in live.values()]


def _opened(number: int, item: Replayable, join: StoryJoin, watch: WatchConfig) -> _Live:
    """A new story of one report, its first notification due after ``group_wait``."""
    outlets = _carried({}, item.outlets)
    breaking = is_breaking(list(outlets.values()), watch.story.breaking)
    level = breaking_level(item.level, breaking, watch.story.breaking) or item.level
    wait = describe_delay(watch.alert.group_wait)
    first = Notification(
        "firing",
        item.at,
        first_due(item.at, watch.alert),
        f"the first notification of a new story, after group_wait ({wait})",
    )
    return _Live(
        number=number,
        level=level,
        event_types=frozenset(item.report.event_types),
        follows=join.follows,
        members=[Member(item.id, item.report.title, item.level, item.at, join.reason)],
        notifications=[first],
        outlets=outlets,
        breaking=breaking,
    )


def _joined(story: _Live, item: Replayable, join: StoryJoin, watch: WatchConfig) -> None:
    """Add a report to ``story`` and queue the notification ``story_update`` calls for."""
    new_types = [kind for kind in item.report.event_types if kind not in story.event_types]
    outlets_before = len(story.outlets)
    story.outlets = _carried(story.outlets, item.outlets)
    story.breaking = is_breaking(list(story.outlets.values()), watch.story.breaking)
    update = story_update(
        level=story.level,
        reported=breaking_level(item.level, story.breaking, watch.story.breaking),
        new_types=new_types,
        outlets_before=outlets_before,
        outlets=len(story.outlets),
        first_pending=item.at <= story.notifications[0].due,
        last_notified=story.notifications[-1].at,
        rules=watch.alert,
        now=item.at,
    )
    story.level = update.level
    story.event_types |= set(item.report.event_types)
    story.members.append(
        Member(item.id, item.report.title, item.level, item.at, join.reason, update.reason)
    )
    if update.event is not None:
        due = update.due or item.at
        story.notifications.append(Notification(update.event, item.at, due, update.reason))


def _carried(
    outlets: Mapping[int, datetime], more: Sequence[tuple[int, datetime]]
) -> dict[int, datetime]:
    """``outlets`` (feed id: first seen) with ``more`` added, each at its first sighting."""
    carried = dict(outlets)
    for feed, seen in more:
        carried[feed] = min(seen, carried.get(feed, seen))
    return carried

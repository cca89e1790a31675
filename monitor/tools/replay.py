"""Replaying reports that alert through story grouping and the policy's story rules,
as the daemon would have taken them in. Pure.

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

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
    """A story while the replay runs (private to ``replay_stories``)."""

    story: OpenStory
    follows: int | None
    members: list[Member]
    notifications: list[Notification]
    outlets: dict[int, datetime]
    last_report: datetime
    ended: str | None = None
    breaking: bool = False

    def frozen(self) -> ReplayedStory:
        """The story as it stands, as a frozen value."""
        return ReplayedStory(
            number=self.story.alert_id,
            level=self.story.level,
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
    ``watch``'s story rules; numbered 1, 2, … in the order they open."""
    live: dict[int, _Live] = {}
    for item in sorted(reports, key=lambda r: (r.at, r.id)):
        _end_quiet(live.values(), item.at, watch)
        recent = sorted(
            (s for s in live.values() if item.at - s.last_report <= FOLLOW_WITHIN),
            key=lambda s: s.last_report,
            reverse=True,
        )  # as the daemon reads them: the latest updated first
        join = join_story(
            item.report,
            [s.story for s in recent],
            background,
            watch.alert,
            watch.story.group == "names",
        )
        if join.alert_id is None:
            number = len(live) + 1
            live[number] = _opened(number, item, join, watch)
        else:
            _joined(live[join.alert_id], item, join, watch)
    return [story.frozen() for story in live.values()]


def _end_quiet(stories: Iterable[_Live], now: datetime, watch: WatchConfig) -> None:
    """End each open story that has had no report for ``resolve_after`` at ``now``."""
    for story in stories:
        if story.ended is not None:
            continue
        verdict = story_resolves(story.last_report, now, watch.alert)
        if verdict.ok:
            story.ended = verdict.reason
            story.story = replace(story.story, closed=True)


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
        story=OpenStory(number, level, (item.report,)),
        follows=join.follows,
        members=[Member(item.id, item.report.title, item.level, item.at, join.reason)],
        notifications=[first],
        outlets=outlets,
        last_report=item.at,
        breaking=breaking,
    )


def _joined(story: _Live, item: Replayable, join: StoryJoin, watch: WatchConfig) -> None:
    """Add a report to ``story`` and queue the notification ``story_update`` calls for."""
    known = story.story.event_types()
    new_types = [kind for kind in item.report.event_types if kind not in known]
    outlets_before = len(story.outlets)
    story.outlets = _carried(story.outlets, item.outlets)
    story.breaking = is_breaking(list(story.outlets.values()), watch.story.breaking)
    update = story_update(
        level=story.story.level,
        reported=breaking_level(item.level, story.breaking, watch.story.breaking),
        new_types=new_types,
        outlets_before=outlets_before,
        outlets=len(story.outlets),
        first_pending=item.at <= story.notifications[0].due,
        last_notified=story.notifications[-1].at,
        rules=watch.alert,
        now=item.at,
    )
    story.story = OpenStory(story.story.alert_id, update.level, (*story.story.reports, item.report))
    story.members.append(
        Member(item.id, item.report.title, item.level, item.at, join.reason, update.reason)
    )
    story.last_report = item.at
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

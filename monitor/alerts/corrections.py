"""Stories corrected by hand: ``monitor stories merge`` and ``monitor stories split``.

A merge moves every article of one story alert into another of the same
watch and marks the first ``merged`` into the second; a split takes one
article out of a story into a new story alert of its own. Either way the
stories touched are rebuilt from the store as the daemon rebuilds them
(``stories.rebuild_story``) but no notification is queued: a correction by
hand never notifies. Each moved article's recorded decision says where it
went, by hand and when (what ``monitor explain`` shows), and each move is
kept in ``story_corrections`` (what ``monitor alerts show`` lists). All of
a correction happens in one transaction, or none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.alerts.policy import highest_level, split_keys
from monitor.alerts.stories import rebuild_story
from monitor.config import WatchConfig
from monitor.errors import CorrectionError
from monitor.humanize import minute
from monitor.store import Store, StoryRow, iso


@dataclass(frozen=True)
class Correction:
    """What one correction did: the story kept (``alert_id``), the other story
    (merged away, or split out) and the articles moved."""

    alert_id: int
    other_alert_id: int
    article_ids: tuple[int, ...]
    level: str


def merge_stories(
    store: Store,
    watches: Sequence[WatchConfig],
    target_id: int,
    source_id: int,
    now: datetime,
    note: str | None = None,
) -> Correction:
    """Move every article of story ``source_id`` into story ``target_id`` (same watch,
    either firing or resolved) and mark ``source_id`` merged into it.

    The merged story's level is the higher of the two; its payload (articles,
    sources, score) is rebuilt. Notifications of ``source_id`` not sent yet are
    skipped, none is queued. Raises ``CorrectionError`` when it cannot be done.
    """
    with store.transaction():
        target, source = _story(store, target_id), _story(store, source_id)
        if target.id == source.id:
            raise CorrectionError(f"cannot merge story #{target.id} into itself")
        _same_watch(target, source)
        level = highest_level([target.level, source.level]) or target.level
        store.set_story_articles(target.id, [*target.article_ids, *source.article_ids], now)
        rebuild_story(store, _watch(watches, target.watch), target.id, level, now)
        store.close_merged(source.id, now)
        when = minute(iso(now))
        store.skip_pending(source.id, f"merged into story #{target.id} by hand at {when}")
        reason = f"moved to story #{target.id} by hand (merge of #{source.id}) at {when}"
        for article_id in source.article_ids:
            store.record_decision(article_id, target.watch, target.id, _noted(reason, note))
            store.record_correction("merge", target.id, source.id, article_id, now, note)
    return Correction(target.id, source.id, source.article_ids, level)


def split_story(
    store: Store,
    watches: Sequence[WatchConfig],
    alert_id: int,
    article_id: int,
    now: datetime,
    note: str | None = None,
) -> Correction:
    """Take ``article_id`` out of story ``alert_id`` into a new story alert of its own.

    The new story (same watch, kind ``article``) is at the level the article
    scored (the old story's level if it has none) under the article's dedup
    key, or that key with a suffix when an alert holds it already. The old
    story is rebuilt at the highest level of the articles it keeps. No
    notification is queued for either. Raises ``CorrectionError`` when it
    cannot be done, and for the only article of a story.
    """
    with store.transaction():
        story = _story(store, alert_id)
        if article_id not in story.article_ids:
            raise CorrectionError(f"article {article_id} is not in story #{story.id}")
        if len(story.article_ids) == 1:
            raise CorrectionError(
                f"article {article_id} is the only article of story #{story.id}: nothing to split"
            )
        kept = [other for other in story.article_ids if other != article_id]
        store.set_story_articles(story.id, kept, now)
        kept_level = highest_level(store.article_levels(story.watch, kept)) or story.level
        rebuild_story(store, _watch(watches, story.watch), story.id, kept_level, now)
        level = highest_level(store.article_levels(story.watch, [article_id])) or story.level
        new_id = _open_split(store, _watch(watches, story.watch), article_id, level, now)
        reason = (
            f"split out of story #{story.id} into story #{new_id} by hand at {minute(iso(now))}"
        )
        store.record_decision(article_id, story.watch, new_id, _noted(reason, note))
        store.record_correction("split", story.id, new_id, article_id, now, note)
    return Correction(story.id, new_id, (article_id,), level)


def _open_split(
    store: Store, watch: WatchConfig, article_id: int, level: str, now: datetime
) -> int:
    """Open the story alert of one article split out by hand, queueing no notification."""
    for key in split_keys(watch.name, article_id):
        opened = store.open_alert(
            watch=watch.name,
            kind="article",
            level=level,
            dedup_key=key,
            score=0,  # rebuilt from the store just below
            article_ids=(article_id,),
            payload=None,
            channels=(),
            now=now,
        )
        if opened is not None:
            rebuild_story(store, watch, opened, level, now)
            return opened
    raise AssertionError("split_keys never runs out")  # pragma: no cover


def _story(store: Store, alert_id: int) -> StoryRow:
    """The story alert ``alert_id``, or a ``CorrectionError`` saying why it is none."""
    row = store.story_row(alert_id)
    if row is None:
        raise CorrectionError(f"no alert {alert_id}")
    if row.kind != "article":
        raise CorrectionError(f"alert #{alert_id} is not a story alert (kind {row.kind})")
    if row.merged_into is not None:
        raise CorrectionError(f"story #{alert_id} is merged into #{row.merged_into} already")
    return row


def _watch(watches: Sequence[WatchConfig], name: str) -> WatchConfig:
    """The watch ``name`` of the config, or a ``CorrectionError`` saying it is gone."""
    for watch in watches:
        if watch.name == name:
            return watch
    raise CorrectionError(f"the story's watch {name!r} is not in the config any more")


def _same_watch(target: StoryRow, source: StoryRow) -> None:
    """A ``CorrectionError`` unless both stories belong to one watch."""
    if target.watch != source.watch:
        raise CorrectionError(
            f"story #{target.id} is of watch {target.watch!r} and #{source.id} of "
            f"{source.watch!r}: only stories of one watch merge"
        )


def _noted(reason: str, note: str | None) -> str:
    """A recorded reason, with the operator's note after it when there is one."""
    return f"{reason}: {note}" if note else reason

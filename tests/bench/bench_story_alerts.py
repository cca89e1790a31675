"""The daemon's story path benchmark: ``alert_story`` with 500 open stories in SQLite.

Run on demand (not part of the test suite):

    uv run python tests/bench/bench_story_alerts.py [--stories 500] [--articles 200]

It writes, through the store, a real SQLite file (in a temporary folder) with
``--stories`` firing story alerts of 1 to 8 articles each, one per generated
event (bench_grouping's events: two places and an actor of the shipped watch's
gazetteer, two event types, words of its own), each article scored against
the shipped watch. Then ``--articles`` new articles, half of an event with an
open story and half of a new one, each stored and scored first (not timed),
go through ``alert_story`` one by one, a second apart, with one
``Backgrounds`` kept as the daemon keeps it (counted before the first, so no
recount falls inside the run). Each one joins or opens a story, so the store
changes under the cache as in the daemon.

It prints per article: ``alert_story`` in full (reading the stories, grouping,
and recording the join with the story's new payload); of that, reading the
watch's stories with the kept cache (``Backgrounds.stories``); and the same
store's stories read as ``alert_story`` read them before the cache: every
story's articles from ``store.recent_stories`` and each one's ``Report`` made
afresh (tokenizing its text). That last figure, measured in the same run on the
same store, is the baseline; ``store.recent_stories`` alone (its SQL) is
printed beside it, the part no cache in ``alerts`` removes.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_grouping import WATCH, WORDS, Event, _event

from monitor.alerts.grouping import FOLLOW_WITHIN, OpenStory
from monitor.alerts.stories import Backgrounds, _stored_report, alert_story
from monitor.config import WatchConfig
from monitor.config.yamlfile import load_yaml
from monitor.models import Article, Hit, Score
from monitor.store import Store, StoredArticle

START = datetime(2026, 11, 2, tzinfo=UTC)
FEEDS = 20


class Newsroom:
    """Stores and scores generated reports of events, as the poller would."""

    def __init__(self, store: Store, watch: WatchConfig, rng: random.Random) -> None:
        self.store, self.watch, self.rng = store, watch, rng
        self.count = 0

    def report(self, event: Event, at: datetime) -> tuple[StoredArticle, Score]:
        rng = self.rng
        self.count += 1
        words = rng.choices(WORDS, k=50) + rng.sample(event.words, 5)
        rng.shuffle(words)
        article = Article(
            f"guid-{self.count}",
            f"https://outlet.example/{self.count}",
            f"https://outlet.example/{self.count}",
            " ".join(rng.choices(WORDS, k=5) + rng.sample(event.words, 2)),
            " ".join(words),
            at,
            f"hash-{self.count}",
            "en",
        )
        (item,), _ = self.store.insert_articles(rng.randint(1, FEEDS), [article], at)
        hits = tuple(
            Hit(kind, kind, kind, "text", 0, len(kind), 6.0) for kind in event.types
        )  # the event's types, as the scorer records them
        score = Score(
            self.watch.name,
            12.0,
            "warning",
            True,
            "bench",
            hits,
            places=event.places,
            actors=event.actors,
        )
        self.store.insert_scores(item.id, [score], at)
        return item, score


def _baseline(store: Store, watch: WatchConfig, now: datetime) -> list[OpenStory]:
    """The watch's stories as alert_story read them before it kept them."""
    return [
        OpenStory(
            alert["id"],
            alert["level"],
            tuple(_stored_report(row) for row in alert["articles"]),
            closed=alert["state"] != "firing",
        )
        for alert in store.recent_stories(watch.name, now - FOLLOW_WITHIN)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=500)
    parser.add_argument("--articles", type=int, default=200)
    options = parser.parse_args()
    document, problems = load_yaml(WATCH)
    assert document is not None and not problems, problems
    watch = WatchConfig.model_validate(document.data)
    types = [signal.name for signal in watch.signals if signal.weight > 0]
    rng = random.Random(13)
    events = [_event(rng, watch, types, number) for number in range(options.stories * 2)]
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "monitor.db")
        store.sync_feeds(
            [(f"https://outlet{n}.example/rss", None, 600) for n in range(FEEDS)], START
        )
        newsroom = Newsroom(store, watch, rng)
        opened = START + timedelta(hours=5)
        for number, event in enumerate(events[: options.stories]):
            members = [
                newsroom.report(event, START + timedelta(hours=rng.uniform(0, 5)))[0].id
                for _ in range(rng.randint(1, 8))
            ]
            store.open_alert(
                watch=watch.name,
                kind="article",
                level="warning",
                dedup_key=f"bench:{number}",
                score=12.0,
                article_ids=members,
                payload=None,
                channels=(),
                now=opened,
            )
        backgrounds = Backgrounds()
        now = opened + timedelta(minutes=1)
        backgrounds.of(store, watch, now)
        backgrounds.stories(store, watch, now)  # the daemon's first article builds them

        full = reading = baseline = sql = 0.0
        for _ in range(options.articles):
            now += timedelta(seconds=1)
            item, score = newsroom.report(rng.choice(events), now)
            started = time.perf_counter()
            _baseline(store, watch, now)
            baseline += time.perf_counter() - started
            started = time.perf_counter()
            store.recent_stories(watch.name, now - FOLLOW_WITHIN)
            sql += time.perf_counter() - started
            started = time.perf_counter()
            backgrounds.stories(store, watch, now)
            reading += time.perf_counter() - started
            started = time.perf_counter()
            alert_story(store, watch, item, score, now, backgrounds)
            full += time.perf_counter() - started
        stories = len(backgrounds.stories(store, watch, now).stories)
        store.close()

    per = 1000 / options.articles
    print(f"{options.stories} open stories at the start, {stories} at the end")
    print(f"{options.articles} articles through alert_story, one by one")
    print(f"baseline (stories read and their Reports made afresh): {baseline * per:.2f} ms/article")
    print(f"  of which store.recent_stories (SQL):                  {sql * per:.2f} ms/article")
    print(f"alert_story, in full:                                  {full * per:.2f} ms/article")
    print(f"  reading the stories with the kept cache:             {reading * per:.2f} ms/article")
    print(f"ratio alert_story / baseline:      {full / baseline:.2f}")
    print(f"ratio cached reading / baseline:   {reading / baseline:.2f}")


if __name__ == "__main__":
    main()

"""Story grouping benchmark: one report against 500 open stories.

Run on demand (not part of the test suite):

    uv run python tests/bench/bench_grouping.py [--stories 500] [--reports 2000]

It builds open stories of 1 to 8 generated reports each, one story per
generated event (two places and an actor of the shipped watch's gazetteer, two
event types, eight words of its own among the region's common words), and
times ``join_story`` for new reports against all of them, on one core: half
the new reports are of an event with an open story, half of a new event. The
background counts the names and words of every story's reports. It times
``join_story`` twice: given the list of stories (as ``monitor eval`` and
``monitor backtest`` call it) and given a ``StoryIndex`` of them (as the daemon
keeps one), and checks that both give every report the same decision and
reason. The baseline, measured in the same run, is comparing each report's
words with every story's first report as the grouping did before names
counted (title words and word pairs as tuples, written out here so that the
baseline does not change with the module). Target (issue 13): at most 1 ms
per in-scope article with 500 open stories.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from monitor.alerts.grouping import Background, OpenStory, Report, StoryIndex, When, join_story
from monitor.config import WatchConfig
from monitor.config.yamlfile import load_yaml
from monitor.rules.text import BREAK, tokens

REPO = Path(__file__).resolve().parents[2]
WATCH = REPO / "config" / "watches" / "serbia-kosovo.yaml"
WORDS = (
    "police officers protesters crossing bridge municipality mayor government minister said "
    "statement night morning road village border patrol crowd building office court trial"
).split()
START = datetime(2026, 11, 2, tzinfo=UTC)


@dataclass(frozen=True)
class Event:
    """What the reports of one generated event have in common."""

    places: tuple[str, ...]
    actors: tuple[str, ...]
    types: tuple[str, ...]
    words: tuple[str, ...]  # its own rare words: names, objects, numbers spelled out


def _event(rng: random.Random, watch: WatchConfig, types: list[str], number: int) -> Event:
    return Event(
        tuple(rng.sample(list(watch.places), 2)),
        tuple(rng.sample(list(watch.actors), 1)),
        tuple(rng.sample(types, 2)),
        tuple(f"word{number}x{i}" for i in range(8)),
    )


def _report(rng: random.Random, event: Event, hour: float) -> Report:
    """A report of ``event``: common words of the region's news and some of its own."""
    words = rng.choices(WORDS, k=50) + rng.sample(event.words, 5)
    rng.shuffle(words)
    return Report(
        " ".join(rng.choices(WORDS, k=5) + rng.sample(event.words, 2)),
        " ".join(words),
        event.places,
        event.actors,
        event.types,
        When.at(START + timedelta(hours=hour)),
    )


Words = tuple[frozenset[str], frozenset[tuple[str, str]]]


def _words(report: Report) -> Words:
    """A report's title words and opening word pairs, as the grouping made them before."""
    title = {word for word in tokens(report.title) if len(word) > 3 and word != BREAK}
    words = [word for word in tokens(report.text)[:120] if word != BREAK]
    return frozenset(title), frozenset(pairwise(words))


def _jaccard(one: frozenset[object], other: frozenset[object]) -> float:
    if not one or not other:
        return 0.0
    shared = len(one & other)
    return shared / (len(one) + len(other) - shared)


def _baseline(report: Words, seeds: list[Words]) -> float:
    """The closest words of every story's first report (the baseline's work)."""
    return max(max(_jaccard(report[0], s[0]), _jaccard(report[1], s[1])) for s in seeds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=500)
    parser.add_argument("--reports", type=int, default=2000)
    options = parser.parse_args()
    document, problems = load_yaml(WATCH)
    assert document is not None and not problems, problems
    watch = WatchConfig.model_validate(document.data)
    types = [signal.name for signal in watch.signals if signal.weight > 0]
    rng = random.Random(13)
    events = [_event(rng, watch, types, number) for number in range(options.stories * 2)]
    stories = [
        OpenStory(
            number,
            "warning",
            tuple(
                _report(rng, events[number - 1], rng.uniform(0, 5))
                for _ in range(rng.randint(1, 8))
            ),
        )
        for number in range(options.stories, 0, -1)
    ]
    every = [r for story in stories for r in story.reports]
    background = Background.of([r.names() for r in every], watch, [r.stems for r in every])
    # Half the new reports are of an event with an open story, half of a new event.
    reports = [_report(rng, rng.choice(events), 5.5) for _ in range(options.reports)]

    seeds = [_words(story.reports[0]) for story in stories]
    words = [_words(report) for report in reports]
    started = time.perf_counter()
    for each in words:
        _baseline(each, seeds)
    baseline = (time.perf_counter() - started) / len(reports)

    started = time.perf_counter()
    listed = [join_story(report, stories, background, watch.alert) for report in reports]
    grouping = (time.perf_counter() - started) / len(reports)

    started = time.perf_counter()
    index = StoryIndex(stories)
    indexing = time.perf_counter() - started
    started = time.perf_counter()
    indexed = [join_story(report, index, background, watch.alert) for report in reports]
    grouping_indexed = (time.perf_counter() - started) / len(reports)
    assert indexed == listed, "an indexed join differs from the full scan"

    joined = sum(join.alert_id is not None for join in listed)
    print(f"{options.stories} open stories, {options.reports} reports ({joined} joined one)")
    print(f"baseline (words of every story's first report): {baseline * 1000:.3f} ms/report")
    print(f"join_story, a list of stories:                  {grouping * 1000:.3f} ms/report")
    print(
        f"join_story, a StoryIndex of them:               {grouping_indexed * 1000:.3f} ms/report"
    )
    print(f"  (indexing the {options.stories} stories once: {indexing * 1000:.1f} ms)")
    print(f"ratio join_story (list) / baseline:  {grouping / baseline:.2f}")
    print(f"ratio join_story (index) / baseline: {grouping_indexed / baseline:.2f}")
    print("same decisions and reasons, list and index: yes")


if __name__ == "__main__":
    main()

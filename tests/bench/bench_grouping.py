"""Story grouping benchmark: one report against 500 open stories.

Run on demand (not part of the test suite):

    uv run python tests/bench/bench_grouping.py [--stories 500] [--reports 2000]

It builds open stories of 1 to 8 generated reports each, naming places and
actors of the shipped watch's gazetteer and its event types, and times
``join_story`` for new reports against all of them, on one core. The baseline,
measured in the same run, is comparing each report's words with every
story's first report (``similarity``, what the grouping did before names
counted). Target (issue 13): at most 1 ms per in-scope article with 500 open
stories.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.alerts.grouping import Background, OpenStory, Report, When, join_story, similarity
from monitor.config import WatchConfig
from monitor.config.yamlfile import load_yaml

REPO = Path(__file__).resolve().parents[2]
WATCH = REPO / "config" / "watches" / "serbia-kosovo.yaml"
WORDS = (
    "police officers protesters crossing bridge municipality mayor government minister said "
    "statement night morning road village border patrol crowd building office court trial"
).split()
START = datetime(2026, 11, 2, tzinfo=UTC)


def _report(rng: random.Random, watch: WatchConfig, types: list[str], hour: float) -> Report:
    words = " ".join(rng.choices(WORDS, k=60))
    return Report(
        " ".join(rng.choices(WORDS, k=8)),
        words,
        tuple(rng.sample(list(watch.places), 2)),
        tuple(rng.sample(list(watch.actors), 1)),
        tuple(rng.sample(types, 2)),
        When.at(START + timedelta(hours=hour)),
    )


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
    stories = [
        OpenStory(
            number,
            "warning",
            tuple(_report(rng, watch, types, rng.uniform(0, 5)) for _ in range(rng.randint(1, 8))),
        )
        for number in range(options.stories, 0, -1)
    ]
    every = [r for story in stories for r in story.reports]
    background = Background.of([r.names() for r in every], watch, [r.stems for r in every])
    reports = [_report(rng, watch, types, 5.5) for _ in range(options.reports)]

    started = time.perf_counter()
    for report in reports:
        for story in stories:
            similarity(report, story.reports[0])
    baseline = (time.perf_counter() - started) / len(reports)

    started = time.perf_counter()
    joined = sum(
        join_story(report, stories, background, watch.alert).alert_id is not None
        for report in reports
    )
    grouping = (time.perf_counter() - started) / len(reports)

    print(f"{options.stories} open stories, {options.reports} reports ({joined} joined one)")
    print(f"baseline (words of every story's first report): {baseline * 1000:.3f} ms/report")
    print(f"join_story (names, event types, words, time):   {grouping * 1000:.3f} ms/report")
    print(f"ratio join_story / baseline: {grouping / baseline:.2f}")


if __name__ == "__main__":
    main()

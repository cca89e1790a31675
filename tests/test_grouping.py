"""Story grouping's rules, pure: which story a report joins, and the reason it gives."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import REPO, ConfigDir

from monitor.alerts.grouping import (
    MIN_BACKGROUND,
    Background,
    OpenStory,
    Report,
    StoryIndex,
    When,
    join_story,
    stems,
)
from monitor.alerts.stories import Backgrounds
from monitor.config import AlertConfig, WatchConfig, load_config
from monitor.models import Article, Hit, Score, follow_up
from monitor.store import Store

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
RULES = AlertConfig()

# Routine news of the watch's region, in the words such news uses every day.
ROUTINE = [
    ("Talks in Brussels continue", "Negotiators of both governments met again on Monday."),
    ("Minister visits the north", "The minister said the government wants calm and dialogue."),
    ("Parliament debates the budget", "Deputies discussed spending for the coming year."),
    ("Court hears a property case", "The court in the capital adjourned a hearing on land."),
    ("Envoy urges restraint", "The envoy told reporters that both sides should talk."),
]


def _background(reports: list[Report], extra: int = 0) -> Background:
    """The background of ``reports`` plus routine news, ``extra`` items of it."""
    routine = [Report(title, text) for title, text in ROUTINE] * (extra // len(ROUTINE) + 1)
    every = reports + routine[:extra]
    names = Counter(name for report in every for name in report.names())
    words = Counter(stem for report in every for stem in report.stems)
    return Background(len(every), names, frozenset(), words)


def _story(alert_id: int, *reports: Report) -> OpenStory:
    return OpenStory(alert_id, "critical", reports)


FIRST = Report(
    "Grenade thrown at a police station overnight",
    "A hand grenade exploded outside the police station shortly after midnight; "
    "two officers were lightly wounded and investigators sealed off the street.",
    event_types=("attack",),
    when=When.at(NOON),
)
SAME_EVENT_OWN_WORDS = Report(
    "Police station hit by grenade, two officers wounded",
    "Investigators are searching the street around the police station where a grenade "
    "exploded after midnight.",
    event_types=("attack", "police-action"),
    when=When.at(NOON + timedelta(hours=1)),
)


def test_a_report_in_its_own_words_joins_when_its_rare_words_are_close() -> None:
    background = _background([FIRST, SAME_EVENT_OWN_WORDS], extra=MIN_BACKGROUND)
    join = join_story(SAME_EVENT_OWN_WORDS, [_story(7, FIRST)], background, RULES)
    assert join.alert_id == 7
    assert "rare words are close" in join.reason
    assert "closeness" not in join.reason  # it shares no place or actor to weigh


def test_rare_words_do_not_count_before_the_background_says_which_are_rare() -> None:
    background = _background([FIRST, SAME_EVENT_OWN_WORDS])
    assert background.reports < MIN_BACKGROUND
    other_kind = replace(SAME_EVENT_OWN_WORDS, event_types=("police-action",))
    join = join_story(other_kind, [_story(7, FIRST)], background, RULES)
    assert join.alert_id is None


def test_words_every_report_uses_say_nothing() -> None:
    other = Report(
        "Minister visits the north again",
        "The minister said the government wants calm and dialogue with both sides.",
        event_types=("rhetoric",),
        when=When.at(NOON + timedelta(hours=1)),
    )
    background = _background([FIRST, other], extra=MIN_BACKGROUND)
    closeness = background.topic_closeness(other, FIRST)
    assert closeness is not None and closeness < 0.2
    assert join_story(other, [_story(7, FIRST)], background, RULES).alert_id is None


def test_a_report_of_unknown_time_needs_two_shared_names() -> None:
    seed = Report(
        "Clashes in Zvečan",
        "Protesters and soldiers clashed in front of the town hall.",
        places=("Zvečan",),
        actors=("KFOR",),
        event_types=("clashes",),
        when=When.at(NOON),
    )
    one_name = Report("Clashes in the north", "Fighting in Zvečan.", ("Zvečan",), (), ("clashes",))
    two_names = Report(
        "Soldiers hurt", "KFOR soldiers hurt in Zvečan.", ("Zvečan",), ("KFOR",), ("clashes",)
    )
    background = Background()
    story = _story(3, seed)
    assert join_story(one_name, [story], background, RULES).alert_id is None
    assert join_story(two_names, [story], background, RULES).alert_id == 3
    dated = Report(one_name.title, one_name.text, ("Zvečan",), (), ("clashes",), When.at(NOON))
    assert join_story(dated, [story], background, RULES).alert_id == 3


def test_before_the_background_says_what_is_common_a_shared_place_is_full_evidence() -> None:
    # A fresh install: the first reports of the first event are all there is to count.
    seed = Report("Clashes in Zvečan", "Protesters clashed with police.", ("Zvečan",),
                  (), ("clashes",), When.at(NOON))  # fmt: skip
    later = replace(seed, title="Zvečan clashes go on", when=When.at(NOON + timedelta(hours=1)))
    background = Background.counted(1, {"place:Zvečan": 1}, WatchConfig.model_validate(
        {"name": "w", "signals": [{"name": "s", "weight": 1, "any": ["x"]}]}))  # fmt: skip

    join = join_story(later, [_story(2, seed)], background, RULES)

    assert join.alert_id == 2
    assert join.reason.endswith("(closeness 1.00)"), join.reason


CLASH = Report(
    "Clashes in Zvečan, soldiers hurt",
    "Protesters and KFOR soldiers clashed in front of the town hall in Zvečan.",
    places=("Zvečan", "Kosovo"),
    actors=("KFOR",),
    event_types=("clashes", "protest"),
    when=When.at(NOON),
)
BROAD = Background.counted(0, {}, load_config(REPO / "config").watches[0])  # its broad names


def _nameless(kinds: tuple[str, ...], after: timedelta) -> Report:
    """A report of the same afternoon that names only Kosovo and NATO."""
    return Report(
        "Dozens of NATO soldiers hurt in Kosovo",
        "Soldiers of the NATO-led force were hurt when a crowd of Serbs attacked them.",
        places=("Kosovo",),
        actors=("NATO",),
        event_types=kinds,
        when=When.at(NOON + after),
    )


def test_a_report_that_names_no_specific_place_joins_the_story_of_its_kind_that_day() -> None:
    clash, arrest = _story(4, CLASH), _story(5, replace(FIRST, event_types=("police-action",)))

    join = join_story(
        _nameless(("clashes", "attack"), timedelta(hours=2)), [arrest, clash], BROAD, RULES
    )

    assert join.alert_id == 4
    assert join.reason == (
        "joined story #4: names no specific place or actor, but reports clashes as the "
        "story does, 2h after its last report"
    )


def test_a_report_that_names_no_specific_place_stays_apart_from_another_kind_or_day() -> None:
    clash = _story(4, CLASH)
    arrest = _nameless(("police-action", "detentions"), timedelta(hours=2))
    late = _nameless(("clashes",), timedelta(hours=7))  # group_window is 6h
    untimed = replace(_nameless(("clashes",), timedelta(0)), when=None)

    for report in (arrest, late, untimed):
        assert join_story(report, [clash], BROAD, RULES).alert_id is None


def test_a_report_that_names_no_specific_place_does_not_dilute_where_the_story_is() -> None:
    joined = _story(4, CLASH, _nameless(("clashes",), timedelta(hours=1)))
    later = replace(CLASH, actors=(), when=When.at(NOON + timedelta(hours=3)))

    join = join_story(later, [joined], BROAD, RULES)

    assert join.alert_id == 4
    assert join.reason.endswith("(closeness 1.00)")  # as close as to the clash alone


GRENADE_IN_ZVECAN = Report(
    "Grenade thrown at the police station in Zvečan",
    "Two officers were wounded; the road to Jarinje was closed for hours.",
    places=("Zvečan", "Jarinje"),
    event_types=("attack", "police-action"),
    when=When.at(NOON),
    headline_places=("Zvečan",),
)


def _arrest_in(headline_place: str) -> Report:
    """A report two hours after the grenade, naming the same places, its headline one."""
    return Report(
        f"Man arrested in {headline_place} after an attack on police",
        "Police detained a man at the Jarinje crossing; the grenade in Zvečan was the "
        "second attack this month.",
        places=("Jarinje", "Zvečan", "Mitrovica"),
        event_types=("police-action", "attack"),
        when=When.at(NOON + timedelta(hours=2)),
        headline_places=(headline_place,),
    )


def test_a_report_whose_headline_names_a_place_far_from_the_story_headlines_stays_apart() -> None:
    # Its text names Zvečan too, and it reports an attack: only its headline says
    # that it tells of another event, 30 km away.
    story = _story(4, GRENADE_IN_ZVECAN)

    join = join_story(_arrest_in("Jarinje"), [story], BROAD, RULES)

    assert join.alert_id is None
    assert join.reason == (
        "new story: closest is #4, but it names Jarinje in its headline, "
        "the story's headlines Zvečan"
    )
    unknown = replace(_arrest_in("Jarinje"), headline_places=())  # as stored before
    assert join_story(unknown, [story], BROAD, RULES).alert_id == 4


def test_a_headline_naming_a_place_next_to_the_story_headlines_joins() -> None:
    # Mitrovica's north is 3 km from Zvečan: outlets name either for one event.
    story = _story(4, GRENADE_IN_ZVECAN)

    join = join_story(_arrest_in("Mitrovica"), [story], BROAD, RULES)

    assert join.alert_id == 4
    assert join.reason.startswith("joined story #4: shares places Jarinje, Zvečan")


def test_a_report_of_unknown_time_goes_to_the_bigger_of_two_equally_close_stories() -> None:
    title = "KFOR soldiers attacked again in Zvečan"
    old = replace(CLASH, title=title, when=When.at(NOON - timedelta(days=400)))  # worded alike
    told = "Stones and tear gas in Zvečan as KFOR troops held the town hall."  # own words
    small = _story(1, old)
    big = _story(2, replace(CLASH, text=told), replace(CLASH, title="Zvečan clashes go on"))
    untimed = replace(CLASH, title=title, when=None)

    assert join_story(untimed, [small, big], BROAD, RULES).alert_id == 2
    assert join_story(untimed, [big, small], BROAD, RULES).alert_id == 2


CLAIM = replace(
    CLASH,
    title="Group claims responsibility for the Zvečan clashes",
    when=When.at(NOON + timedelta(hours=3)),
    follow_up="claims responsibility",
)


def test_a_report_of_an_event_aftermath_opens_a_story_that_follows_the_event() -> None:
    join = join_story(CLAIM, [_story(4, CLASH)], BROAD, RULES)

    assert (join.alert_id, join.follows) == (None, 4)
    assert join.reason == (
        "new story, follows #4: shares place Zvečan and actor KFOR and event types "
        "clashes, protest, but its headline tells of what followed ('claims responsibility')"
    )


def test_reports_of_one_aftermath_join_each_other_and_a_report_of_the_event_does_not() -> None:
    aftermath = _story(5, CLAIM)
    funeral = replace(CLAIM, title="Zvečan mourns", follow_up="funeral", when=CLASH.when)
    event = replace(CLASH, when=When.at(NOON + timedelta(hours=4)))

    assert join_story(funeral, [aftermath], BROAD, RULES).alert_id == 5
    apart = join_story(event, [aftermath], BROAD, RULES)
    assert (apart.alert_id, apart.follows) == (None, None)
    assert apart.reason == (
        "new story: shares place Zvečan and actor KFOR and event types clashes, protest "
        "with #5, but the story tells of what followed an event ('claims responsibility'), "
        "this report of an event"
    )
    nameless = _nameless(("clashes",), timedelta(hours=4))
    assert join_story(nameless, [aftermath], BROAD, RULES).alert_id is None


def test_a_headline_tells_of_an_aftermath_by_a_follow_up_signal_it_hits_in_the_title() -> None:
    hits = [
        ("clashes", "text", "wounded"),
        ("aftermath", "text", "funeral"),
        ("aftermath", "title", "funeral"),
    ]
    assert follow_up(hits, {"aftermath"}) == "funeral"
    assert follow_up(hits[:2], {"aftermath"}) == ""  # only the text tells of it
    assert follow_up(hits, {"past-events"}) == ""
    assert follow_up(hits, set()) == ""


def test_stems_fold_inflections_and_scripts_into_one_word() -> None:
    assert stems("Protests in Kosovo", "") == stems("protesters, KOSOVU", "")
    assert "vucic" in stems("Вучић", "") and "vucic" in stems("Vučić", "")


def test_a_daemon_counts_a_watch_background_once_per_ten_minutes_and_after_a_reload(
    tmp_path: Path, config_dir: ConfigDir
) -> None:
    watch = load_config(config_dir.write([])).watches[0]
    store = Store(tmp_path / "monitor.db")
    backgrounds = Backgrounds()

    first = backgrounds.of(store, watch, NOON)
    assert backgrounds.of(store, watch, NOON + timedelta(minutes=9)) is first
    assert backgrounds.of(store, watch, NOON + timedelta(minutes=11)) is not first
    reloaded = load_config(config_dir.path).watches[0]
    latest = backgrounds.of(store, watch, NOON + timedelta(minutes=11))
    assert backgrounds.of(store, reloaded, NOON + timedelta(minutes=11)) is not latest


def _scored(store: Store, watch: WatchConfig, number: int, places: tuple[str, ...]) -> int:
    """A stored article scored against ``watch``, naming ``places``: its id."""
    article = Article(
        f"g{number}",
        f"https://a.example/{number}",
        f"https://a.example/{number}",
        f"Barricades at the crossing, report {number}",
        f"Protesters blocked the road near the crossing for the {number}th hour.",
        NOON,
        f"hash-{number}",
    )
    (item,), _ = store.insert_articles(1, [article], NOON)
    hits = (Hit("protest", "protesters", "Protesters", "text", 0, 10, 4.0),)
    score = Score(watch.name, 12.0, "warning", True, "v1", hits, places=places)
    store.insert_scores(item.id, [score], NOON)
    return item.id


def test_a_daemon_keeps_a_watch_stories_between_articles_and_makes_again_only_what_changed(
    tmp_path: Path, config_dir: ConfigDir
) -> None:
    watch = load_config(config_dir.write([])).watches[0]
    store = Store(tmp_path / "monitor.db")
    store.sync_feeds([("https://a.example/rss", "A", 600)], NOON)
    ids = [_scored(store, watch, n, ("Jarinje",)) for n in range(4)]
    opened = [
        store.open_alert(
            watch=watch.name,
            kind="article",
            level="warning",
            dedup_key=f"story:{members[0]}",
            score=12.0,
            article_ids=members,
            payload=None,
            channels=(),
            now=NOON,
        )
        for members in ([ids[0]], [ids[1], ids[2]])
    ]
    assert opened[0] is not None and opened[1] is not None
    backgrounds = Backgrounds()
    first = backgrounds.stories(store, watch, NOON).stories
    assert sorted(story.alert_id for story in first) == sorted(opened)
    again = backgrounds.stories(store, watch, NOON).stories
    assert all(one is other for one, other in zip(again, first, strict=True))  # nothing new

    store.attach_article(opened[0], ids[3], NOON)  # a report joins the first story
    store.update_alert(opened[1], level="critical", score=20.0, payload=None, now=NOON)
    store.insert_scores(
        ids[2], [Score(watch.name, 12.0, "warning", True, "v2", places=("Zvečan",))], NOON
    )  # rescored: it now names another place
    kept = {story.alert_id: story for story in first}
    now = backgrounds.stories(store, watch, NOON).stories
    assert now == Backgrounds().stories(store, watch, NOON).stories  # as read afresh
    after = {story.alert_id: story for story in now}
    assert [r.places for r in after[opened[1]].reports] == [("Jarinje",), ("Zvečan",)]
    assert after[opened[1]].level == "critical"
    assert len(after[opened[0]].reports) == 2
    assert after[opened[0]].reports[0] is kept[opened[0]].reports[0]  # not tokenized again
    assert after[opened[1]].reports[0] is kept[opened[1]].reports[0]


# Generated news for comparing a StoryIndex with the full scan: few places and actors, so
# stories share them; common words and each event's own; times over two weeks, some not
# known; some stories closed.
PLACES = ["Zvečan", "Leposavić", "Jarinje", "Banjska", "Štrpce", "Kosovo"]
ACTORS = ["KFOR", "EULEX", "Kurti", "Vučić"]
KINDS = ["clashes", "protest", "attack", "arrest", "rhetoric"]
COMMON = [
    "police",
    "crowd",
    "bridge",
    "road",
    "night",
    "officers",
    "minister",
    "statement",
    "village",
    "border",
]


def _generated(rng: random.Random, event: int, when: When | None) -> Report:
    own = [f"event{event}word{n}" for n in range(6)]
    words = rng.choices(COMMON, k=30) + rng.sample(own, 4) + rng.sample(COMMON, 2)
    return Report(
        " ".join(rng.sample(COMMON, 3) + rng.sample(own, 2)),
        " ".join(words),
        tuple(rng.sample(PLACES, rng.randint(0, 2))),
        tuple(rng.sample(ACTORS, rng.randint(0, 1))),
        tuple(rng.sample(KINDS, rng.randint(0, 2))),
        when,
        "funeral" if rng.random() < 0.15 else "",
    )


def _when(rng: random.Random) -> When | None:
    if rng.random() < 0.1:
        return None
    start = NOON + timedelta(hours=rng.uniform(0, 24 * 14))
    return When(start, start + timedelta(hours=24 * (rng.random() < 0.1)))


def _generated_stories(rng: random.Random, count: int) -> list[OpenStory]:
    return [
        OpenStory(
            number,
            "warning",
            tuple(_generated(rng, number, _when(rng)) for _ in range(rng.randint(1, 4))),
            closed=rng.random() < 0.15,
        )
        for number in range(1, count + 1)
    ]


@pytest.mark.parametrize(("seed", "extra"), [(1, 0), (2, 200), (3, 200)])
def test_an_indexed_join_gives_every_report_the_decision_and_reason_of_the_full_scan(
    seed: int, extra: int
) -> None:
    rng = random.Random(seed)
    stories = _generated_stories(rng, 120)
    every = [report for story in stories for report in story.reports]
    background = _background(every[:extra], extra)  # 0: too few to say what is rare
    index = StoryIndex(stories)
    reports = [_generated(rng, rng.randint(1, 240), _when(rng)) for _ in range(300)]
    for report in reports:
        for by_names in (True, False):
            scan = join_story(report, stories, background, RULES, by_names)
            assert join_story(report, index, background, RULES, by_names) == scan
    assert len({join_story(r, index, background, RULES).reason[:20] for r in reports}) > 3


def test_an_index_brought_to_new_stories_joins_as_a_fresh_one() -> None:
    rng = random.Random(7)
    stories = _generated_stories(rng, 80)
    background = _background([r for story in stories for r in story.reports], 100)
    index = StoryIndex(stories)
    changed = [
        OpenStory(s.alert_id, s.level, (*s.reports, _generated(rng, s.alert_id, _when(rng))))
        if s.alert_id % 3 == 0
        else s
        for s in stories
        if s.alert_id % 5 != 0
    ] + _generated_stories(rng, 10)
    rng.shuffle(changed)
    index.update(changed)
    fresh = StoryIndex(changed)
    for _ in range(200):
        report = _generated(rng, rng.randint(1, 160), _when(rng))
        scan = join_story(report, changed, background, RULES)
        assert join_story(report, index, background, RULES) == scan
        assert join_story(report, fresh, background, RULES) == scan

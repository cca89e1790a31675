"""Story grouping: which story a new report of an event joins, and why. Pure.

Outlets write their own reports, in their own languages, so grouping does not
compare wording first. It compares what stays the same in every language: the
places and actors of the watch's gazetteer that a report names, and the event
types it reports (the signals that raised its score). A name counts for as
much as it is rare among the watch's recent in-scope reports (``Background``):
"Kosovo" and "Serbia" are in nearly every one and tell no two events apart;
"Zvečan" or "Radoičić" do. Names the gazetteer marks ``broad`` never count.

A report joins the open story it is closest to when

- it was published within ``group_window`` of the story's last report and
  ``max_age`` of its first;
- it shares a specific place or actor with the story and an event type (a
  signal both hit). A report whose time is not known must share two specific
  names, central to the story (``UNTIMED_CLOSENESS``): without the time, one
  town and one kind of event say little; of equally close stories it joins the
  bigger. Or
- its rare words are close to those of the story's first report
  (``TOPIC_CLOSE``: a TF-IDF cosine of word stems, each weighed by how rare it
  is among the recent in-scope reports), so a report in the story's language
  that words the event its own way still joins; or its words are nearly those
  of the story's first report (``similarity``: near copies);
- it does not name specific places of which the story names none (a shooting
  in Zvečan does not join one in Štrpce), and its headline does not name a
  specific place far from every one the story's headlines name: the headline
  says where it happened, so a grenade in Zvečan does not join an arrest at
  Jarinje whose reports mention Zvečan too (places within ``NEAR_KM`` of each
  other, by the gazetteer's coordinates, count as one);
- it tells of the same as the story: of an event, or of what followed one. A
  report whose headline hits a signal of ``story.follow_ups`` (a claim of
  responsibility, a funeral, an anniversary: ``Report.follow_up``) does not join
  the story of the event itself; it opens a story that follows it, which the
  aftermath's other reports join (``_aftermath``).

A report that names no specific place or actor at all ("dozens of NATO soldiers
hurt in Kosovo") and joins nothing by its words joins the story of its kind
(``_same_kind``): one reported within ``group_window`` that reports its main
event type, or whose main event type it reports. It does not change where the
story happened: closeness counts only the reports that name a place or actor
(``OpenStory.anchored``).

A report is compared with the story as a whole (how many of its reports name
each place: its centroid), never with the last report alone, so a chain of
reports each like the one before cannot merge a week of news into one story.
A report that would join a story but for the time opens a new story that
follows it.

Grouping is cheap with hundreds of open stories: given a ``StoryIndex`` (which
a caller keeps between reports), a report is compared only with the stories
that share a specific name or a rare stem with it, and with any story its
names are compared first, its words only where they can decide the join.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from monitor.config import AlertConfig, WatchConfig
from monitor.humanize import describe_delay
from monitor.rules.text import BREAK, tokens

if TYPE_CHECKING:
    from monitor.models import Article, Score

COMMON_SHARE = 0.4
"""A name in this share of recent in-scope reports or more is too common to count."""

BACKGROUND_DAYS = 10
"""How far back the recent in-scope reports go that say how common a name is."""

MIN_BACKGROUND = 30
"""Below this many recent reports, no name counts as common: a first burst of news
about one event would otherwise make its own place look common."""

TOPIC_CLOSE = 0.2
"""Reports whose rare words are this close (TF-IDF cosine of word stems) report one
event. Measured on the labelled eval files: same-language reports of one event
mostly score 0.2 to 0.4, reports of different events mostly below 0.15."""

STEM = 5
"""Words of four letters or more are compared by their first five (folded) letters,
so ``protest``, ``protests`` and ``protesters`` are one word and so, across
Serbian cases, are ``Kosovo``, ``Kosova`` and ``Kosovu``."""

RARE_SHARE = 0.2
"""A word stem in fewer than this share of recent in-scope reports is rare enough that
a story whose first report shares none of a report's rare stems (nor any specific
name) is not worth comparing word by word."""

OPENING = 1500
"""How much of a report's text its rare words are taken from (its opening)."""

UNTIMED_CLOSENESS = 0.3
"""A report whose time is not known joins only a story to which the names it shares are
central: its closeness (the names' rarity, weighed by the share of the story's reports
that name them) is at least this."""

FOLLOW_WITHIN = timedelta(days=7)
"""A new report of an event follows up a story whose last report is this recent."""

NEAR_KM = 5.0
"""Places this close (by the gazetteer's ``lat`` and ``lon``) are one place to a
headline: Zvečan and Mitrovica's north are 3 km apart, and outlets name either for
what happened between them; Banjska is 9 km from Zvečan."""


@dataclass(frozen=True)
class When:
    """When a report was published, as precisely as it is known: from ``start`` to
    ``end`` (one moment for a feed's date, a whole day for a bare date)."""

    start: datetime
    end: datetime

    @classmethod
    def at(cls, moment: datetime) -> When:
        """One known moment."""
        return cls(moment, moment)

    def gap(self, other: When) -> timedelta:
        """The time between two spans, zero where they overlap."""
        if self.end < other.start:
            return other.start - self.end
        if other.end < self.start:
            return self.start - other.end
        return timedelta(0)


@dataclass(frozen=True)
class Report:
    """What grouping compares of one report."""

    title: str
    text: str
    places: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    when: When | None = None  # None: not known
    follow_up: str = ""  # the headline's term telling of an event's aftermath, if any
    headline_places: tuple[str, ...] = ()  # of its places, those its headline names
    words: tuple[frozenset[str], frozenset[str]] = field(init=False, compare=False, repr=False)
    # its title's content words and its opening's word pairs (``one two``), made once
    stems: frozenset[str] = field(init=False, compare=False, repr=False)
    # the stems of the words of its title and opening (``stems``), made once

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", _words(self.title, self.text))
        object.__setattr__(self, "stems", stems(self.title, self.text))

    @classmethod
    def scored(
        cls, article: Article, score: Score, when: When | None, watch: WatchConfig
    ) -> Report:
        """What grouping compares of an article ``score`` scored against ``watch``."""
        return cls(
            article.title,
            article.summary,
            score.places,
            score.actors,
            score.event_types,
            when,
            score.follow_up(watch.story.follow_ups),
            score.headline_places,
        )

    def names(self) -> set[str]:
        """Its places and actors, as ``place:Zvečan`` and ``actor:KFOR``."""
        return {f"place:{p}" for p in self.places} | {f"actor:{a}" for a in self.actors}


@dataclass(frozen=True)
class OpenStory:
    """A story a new report may join (or follow): its reports, oldest first."""

    alert_id: int
    level: str
    reports: tuple[Report, ...]
    closed: bool = False  # resolved or merged: it may be followed, never joined
    centroid: tuple[Counter[str], frozenset[str], frozenset[str]] = field(
        init=False, compare=False, repr=False
    )  # how many of its reports name each name, every event type they report, and
    # each one's main event type
    span: tuple[When | None, When | None] = field(init=False, compare=False, repr=False)
    # when its first and its latest dated report were published
    headlines: frozenset[str] = field(init=False, compare=False, repr=False)
    # the places its reports' headlines name, as ``place:Zvečan``
    _anchored: dict[frozenset[str], int] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )  # ``anchored``'s answers, made once

    def __post_init__(self) -> None:
        share = Counter(name for member in self.reports for name in member.names())
        kinds = frozenset(kind for member in self.reports for kind in member.event_types)
        leads = frozenset(member.event_types[0] for member in self.reports if member.event_types)
        object.__setattr__(self, "centroid", (share, kinds, leads))
        known = [r.when for r in self.reports if r.when is not None]
        first = min(known, key=lambda w: w.start) if known else None
        last = max(known, key=lambda w: w.end) if known else None
        object.__setattr__(self, "span", (first, last))
        headlines = frozenset(f"place:{p}" for r in self.reports for p in r.headline_places)
        object.__setattr__(self, "headlines", headlines)

    def event_types(self) -> frozenset[str]:
        """Every event type its reports report."""
        return self.centroid[1]

    def main_kinds(self) -> frozenset[str]:
        """The main event type of each of its reports (``Report.event_types``' first)."""
        return self.centroid[2]

    def anchored(self, broad: frozenset[str]) -> int:
        """How many of its reports name a place or actor that is not ``broad`` (at least
        one: a story's closeness divides by it)."""
        count = self._anchored.get(broad)
        if count is None:
            count = max(1, sum(1 for member in self.reports if not member.names() <= broad))
            self._anchored[broad] = count
        return count

    def first(self) -> When | None:
        """When its first dated report was published."""
        return self.span[0]

    def last(self) -> When | None:
        """When its latest dated report was published."""
        return self.span[1]


@dataclass(frozen=True)
class Background:
    """How many of the watch's recent in-scope reports name each place and actor, and
    how many use each word stem."""

    reports: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)
    broad: frozenset[str] = frozenset()  # names the gazetteer marks broad
    words: Mapping[str, int] = field(default_factory=dict)  # reports using each stem
    where: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    # where each place of the gazetteer with coordinates is (``place:Zvečan``: lat, lon)
    _weights: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    _norms: dict[frozenset[str], float] = field(default_factory=dict, compare=False, repr=False)
    _name_weights: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(
        cls,
        names: Sequence[set[str]],
        watch: WatchConfig,
        words: Sequence[frozenset[str]] = (),
    ) -> Background:
        """The background of recent reports' ``names`` (``Report.names``) and, when
        given, the ``stems`` of their words."""
        return cls.counted(
            len(names),
            Counter(name for each in names for name in each),
            watch,
            Counter(stem for each in words for stem in each),
        )

    @classmethod
    def counted(
        cls,
        reports: int,
        counts: Mapping[str, int],
        watch: WatchConfig,
        words: Mapping[str, int] | None = None,
    ) -> Background:
        """The background of ``reports`` recent reports, ``counts[name]`` of which name
        each name and ``words[stem]`` of which use each word stem, with the names
        ``watch``'s gazetteer marks broad."""
        broad = {f"place:{n}" for n, e in watch.places.items() if e.broad}
        broad |= {f"actor:{n}" for n, e in watch.actors.items() if e.broad}
        where = {
            f"place:{n}": (e.lat, e.lon)
            for n, e in watch.places.items()
            if e.lat is not None and e.lon is not None
        }
        return cls(reports, counts, frozenset(broad), words or {}, where)

    def specific(self, name: str) -> bool:
        """Whether ``name`` tells events apart: not broad, and not in most reports."""
        if name in self.broad:
            return False
        common = self.counts.get(name, 0) >= COMMON_SHARE * self.reports
        return self.reports < MIN_BACKGROUND or not common

    def near(self, place: str, other: str) -> bool:
        """Whether two places are one to a headline: the same, or within ``NEAR_KM``."""
        if place == other:
            return True
        one, two = self.where.get(place), self.where.get(other)
        return one is not None and two is not None and _km(one, two) <= NEAR_KM

    def weight(self, name: str) -> float:
        """How much sharing ``name`` says, 0 to 1: the rarer, the more; below
        ``MIN_BACKGROUND`` reports, a specific name says all (made once)."""
        weight = self._name_weights.get(name)
        if weight is None:
            weight = 0.0
            if self.specific(name):
                weight = 1.0
                if self.reports >= MIN_BACKGROUND:
                    rarity = math.log((self.reports + 1) / (self.counts.get(name, 0) + 1))
                    weight = rarity / math.log(self.reports + 1)
            self._name_weights[name] = weight
        return weight

    def _weight(self, stem: str) -> float:
        """A word stem's weight: its inverse document frequency, squared (made once)."""
        weight = self._weights.get(stem)
        if weight is None:
            weight = math.log((self.reports + 1) / (self.words.get(stem, 0) + 1)) ** 2
            self._weights[stem] = weight
        return weight

    def _norm(self, words: frozenset[str]) -> float:
        """The length of a report's vector of stem weights (made once per report)."""
        norm = self._norms.get(words)
        if norm is None:
            norm = math.sqrt(sum(self._weight(stem) for stem in words))
            self._norms[words] = norm
        return norm

    def rare(self, report: Report) -> frozenset[str] | None:
        """A report's rare word stems (``RARE_SHARE``); ``None`` when nothing says which
        words are rare yet, and every story must be compared word by word."""
        if self.reports < MIN_BACKGROUND or not self.words:
            return None
        ceiling = RARE_SHARE * self.reports
        return frozenset(stem for stem in report.stems if self.words.get(stem, 0) < ceiling)

    def topic_closeness(self, one: Report, other: Report) -> float | None:
        """How alike two reports' rare words are, 0 to 1 (a TF-IDF cosine of their
        stems); ``None`` below ``MIN_BACKGROUND`` recent reports or without word
        counts, when nothing says which words are rare."""
        if self.reports < MIN_BACKGROUND or not self.words:
            return None
        norm = self._norm(one.stems)  # weighs each of its stems, so each shared one
        shared = sum(map(self._weights.__getitem__, one.stems & other.stems))
        if not shared:
            return 0.0
        return shared / (norm * self._norm(other.stems))


@dataclass(frozen=True)
class StoryJoin:
    """The story a report joins (``alert_id``), or ``None`` for a new story; and why.

    ``follows`` is the story a new story follows up (same event, after its window).
    """

    alert_id: int | None
    reason: str
    follows: int | None = None


@dataclass(frozen=True)
class _Match:
    """How close a report is to one story, and what they share: the names and event
    types at once, the words (the dearer part) when first asked for."""

    report: Report
    story: OpenStory
    background: Background
    closeness: float
    places: tuple[str, ...]
    actors: tuple[str, ...]
    event_types: tuple[str, ...]
    veto: str | None

    @cached_property
    def words(self) -> float:
        """How alike its words are to the story's first report's (``similarity``)."""
        return similarity(self.report, self.story.reports[0])

    @cached_property
    def topic(self) -> float | None:
        """How close its rare words are to the story's first report's."""
        return self.background.topic_closeness(self.report, self.story.reports[0])

    def rank(self) -> tuple[float, float, float, float, float]:
        """What orders the stories a report matches, closest first (reversed): by
        closeness, then by how close the words are, then by the event types shared and
        size. A report whose time is not known goes to the bigger of equally close
        stories before the closer worded: the more outlets carried an event, the likelier
        a report of unknown time is one of theirs."""
        size, kinds = len(self.story.reports), len(self.event_types)
        if self.report.when is None:
            return (self.closeness, size, self.topic or 0.0, self.words, kinds)
        return (self.closeness, self.topic or 0.0, self.words, kinds, size)


def _km(one: tuple[float, float], other: tuple[float, float]) -> float:
    """The distance between two points (latitude, longitude) on the Earth, in km."""
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (one, other))
    a = math.sin((lat2 - lat1) / 2) ** 2
    a += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _words(title: str, text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Content words of a title, and word pairs of the opening of a text (each pair one
    string, its words joined by a space: no token holds one, and a set of strings, whose
    hashes Python keeps, is compared faster than one of tuples)."""
    title_words = {word for word in tokens(title) if len(word) > 3 and word != BREAK}
    words = [word for word in tokens(text)[:120] if word != BREAK]
    return frozenset(title_words), frozenset(f"{one} {two}" for one, two in pairwise(words))


def stems(title: str, text: str) -> frozenset[str]:
    """The stems (``STEM``) of the words of four letters or more of a title and the
    opening of a text, folded as rules fold them; numbers aside."""
    words = tokens(f"{title} {text[:OPENING]}")
    return frozenset(w[:STEM] for w in words if len(w) > 3 and not w.isdigit() and w != BREAK)


def _jaccard(one: frozenset[Any], other: frozenset[Any]) -> float:
    if not one or not other:
        return 0.0
    shared = len(one & other)
    return shared / (len(one) + len(other) - shared)  # the union, without making it


def similarity(one: Report, other: Report) -> float:
    """How alike two reports' words are, 0 to 1: the closer of their titles' content
    words and their texts' opening word pairs (Jaccard). Near copies score high."""
    title_words, pairs = one.words
    other_words, other_pairs = other.words
    return max(_jaccard(title_words, other_words), _jaccard(pairs, other_pairs))


def _closeness(
    weights: Sequence[tuple[str, float]], story: OpenStory, broad: frozenset[str]
) -> float:
    """How close a report whose specific names weigh ``weights`` (sorted by name) is to
    a story's centroid, 0 to 1: each name it shares weighs by its rarity and by the
    share of the story's reports that name it, of those that name any place or actor
    not ``broad`` (a report that names only Kosovo and NATO says nothing of where the
    story happened, so it does not dilute what the others say)."""
    share = story.centroid[0]
    size = story.anchored(broad)
    evidence = 1.0
    for name, weight in weights:
        count = share.get(name)
        if count is not None:
            evidence *= 1 - weight * count / size
    return round(1 - evidence, 2)


def _match(
    report: Report, mine: frozenset[str], story: OpenStory, background: Background, closeness: float
) -> _Match:
    """Compare a report (``mine``: its specific names; ``closeness``: its ``_closeness``)
    with a story's centroid; words are compared with the story's first report."""
    share, types, _ = story.centroid
    shared = sorted(n for n in mine if n in share)
    common_types = tuple(t for t in report.event_types if t in types)
    my_places = {n for n in mine if n.startswith("place:")}
    veto = None
    if my_places and my_places.isdisjoint(share):
        their_places = {n for n in share if n.startswith("place:") and background.specific(n)}
        if their_places:
            veto = f"names {_listed(my_places)}, the story {_listed(their_places)}"
    else:
        veto = _elsewhere(report, mine, story, background)
    return _Match(
        report,
        story,
        background,
        closeness,
        tuple(n.partition(":")[2] for n in shared if n.startswith("place:")),
        tuple(n.partition(":")[2] for n in shared if n.startswith("actor:")),
        common_types,
        veto,
    )


def _elsewhere(
    report: Report, mine: frozenset[str], story: OpenStory, background: Background
) -> str | None:
    """Why a report's headline says it happened elsewhere than the story's headlines
    say, or ``None``: both name specific places, and none of the report's is near one
    of the story's."""
    headline = {f"place:{p}" for p in report.headline_places} & mine
    if not headline:
        return None
    theirs = {n for n in story.headlines if background.specific(n)}
    if not theirs or any(background.near(p, q) for p in headline for q in theirs):
        return None
    return f"names {_listed(headline)} in its headline, the story's headlines {_listed(theirs)}"


def _listed(names: set[str]) -> str:
    return ", ".join(sorted(n.partition(":")[2] for n in names))


def _joins(match: _Match, report: Report, rules: AlertConfig, by_names: bool) -> bool:
    """Whether what a report shares with a story is enough to be one event (the names
    asked first: they cost least)."""
    if by_names and match.veto is None and _names_join(match, report):
        return True
    if match.words >= rules.similarity:
        return True
    if match.veto is not None or not by_names:
        return False
    return _close_topic(match)


def _names_join(match: _Match, report: Report) -> bool:
    """Whether the names and the kind of event a report shares with a story make one
    event (two central names when the report's time is not known)."""
    names = len(match.places) + len(match.actors)
    if report.when is None and (names < 2 or match.closeness < UNTIMED_CLOSENESS):
        return False
    return names >= 1 and bool(match.event_types)


def _close_topic(match: _Match) -> bool:
    return match.topic is not None and match.topic >= TOPIC_CLOSE


def _aftermath(report: Report, story: OpenStory) -> str | None:
    """Why a report is not one of a story's, whatever else they share: one tells of an
    event's aftermath (a claim, a funeral, an anniversary), the other of an event;
    ``None`` when both tell of the same (the story as its first report does)."""
    theirs = story.reports[0].follow_up
    if bool(report.follow_up) == bool(theirs):
        return None
    if report.follow_up:
        return f"its headline tells of what followed ({report.follow_up!r})"
    return f"the story tells of what followed an event ({theirs!r}), this report of an event"


def _recent(report: Report, story: OpenStory) -> bool:
    """Whether a story is recent enough for a report to follow it up."""
    last = story.last()
    return report.when is None or last is None or last.gap(report.when) <= FOLLOW_WITHIN


def _in_time(report: Report, story: OpenStory, rules: AlertConfig) -> str | None:
    """Why a report is too late for a story, or ``None`` if it is in time."""
    first, last = story.first(), story.last()
    if report.when is None or first is None or last is None:
        return None
    since_last = last.gap(report.when)
    if since_last > timedelta(seconds=rules.group_window):
        return (
            f"{describe_delay(since_last.total_seconds())} after its last report "
            f"(group_window {describe_delay(rules.group_window)})"
        )
    since_first = first.gap(report.when)
    if since_first > timedelta(seconds=rules.max_age):
        return (
            f"{describe_delay(since_first.total_seconds())} after its first report "
            f"(max_age {describe_delay(rules.max_age)})"
        )
    return None


def _shares(match: _Match) -> str:
    """What a report shares with a story, in words."""
    parts = []
    if match.places:
        parts.append(f"place{'s' * (len(match.places) > 1)} {', '.join(match.places)}")
    if match.actors:
        parts.append(f"actor{'s' * (len(match.actors) > 1)} {', '.join(match.actors)}")
    if match.event_types:
        kinds = ", ".join(match.event_types)
        parts.append(f"event type{'s' * (len(match.event_types) > 1)} {kinds}")
    return " and ".join(parts) if parts else "nothing specific"


def _why(match: _Match, report: Report, rules: AlertConfig) -> str:
    """Why a report joins a story, in words."""
    if match.words >= rules.similarity:
        return (
            f"its words are those of its first report ({match.words:.2f} >= {rules.similarity:.2f})"
        )
    if _names_join(match, report):
        return f"shares {_shares(match)}"
    return (
        f"its rare words are close to its first report's ({match.topic:.2f} >= {TOPIC_CLOSE:.2f}); "
        f"shares {_shares(match)}"
    )


def _after(report: Report, then: When | None, what: str) -> str:
    """``, 2h after <what>``: how long after ``then`` the report came ("" if unknown)."""
    if report.when is None or then is None:
        return ""
    return f", {describe_delay(then.gap(report.when).total_seconds())} after {what}"


def _comparable(story: OpenStory, mine: frozenset[str], rare: frozenset[str] | None) -> bool:
    """Whether a story shares anything with a report that could make them one event: a
    specific name, or a rare word stem with its first report (any word, while nothing
    says which are rare). Cheap, so that only such stories are compared in full."""
    if not mine.isdisjoint(story.centroid[0].keys()):
        return True
    return rare is None or not rare.isdisjoint(story.reports[0].stems)


class StoryIndex:
    """Open stories (in the order ``join_story`` is given them) by the names their
    reports name and the word stems of their first reports, and by when they were last
    reported, so that a report is compared only with the stories it shares one with.

    A caller keeps one between reports and brings it to each new list of stories with
    ``update``, which indexes only the stories it has not seen (kept by identity: an
    ``OpenStory`` is frozen, so a changed story is a new one). Times are compared as
    instants, as the store keeps them (UTC)."""

    def __init__(self, stories: Sequence[OpenStory] = ()) -> None:
        self.stories: tuple[OpenStory, ...] = ()
        self._position: dict[int, int] = {}  # id(story): where it is in ``stories``
        self._by_name: dict[str, set[int]] = {}  # a name: the stories naming it
        self._by_stem: dict[str, set[int]] = {}  # a stem: the stories whose first uses it
        self._by_kind: dict[str, set[int]] = {}  # an event type: the stories reporting it
        self._ends: list[datetime] = []  # when each dated story was last reported, sorted
        self._starts: list[datetime] = []  # ... from, sorted
        self._spans: dict[int, tuple[datetime, datetime] | None] = {}  # each one's last report
        self.update(stories)

    def update(self, stories: Sequence[OpenStory]) -> None:
        """Index exactly ``stories`` (distinct objects), in their order."""
        kept = {id(story): story for story in self.stories}
        given = {id(story): story for story in stories}
        for key in kept.keys() - given.keys():
            self._remove(key, kept[key])
        for key in given.keys() - kept.keys():
            self._add(key, given[key])
        self.stories = tuple(stories)
        self._position = {id(story): number for number, story in enumerate(self.stories)}

    def _add(self, key: int, story: OpenStory) -> None:
        for name in story.centroid[0]:
            self._by_name.setdefault(name, set()).add(key)
        for stem in story.reports[0].stems:
            self._by_stem.setdefault(stem, set()).add(key)
        for kind in story.event_types():
            self._by_kind.setdefault(kind, set()).add(key)
        last = story.last()
        self._spans[key] = None if last is None else (last.start, last.end)
        if last is not None:
            insort(self._ends, last.end)
            insort(self._starts, last.start)

    def _remove(self, key: int, story: OpenStory) -> None:
        for index, terms in (
            (self._by_name, story.centroid[0]),
            (self._by_stem, story.reports[0].stems),
            (self._by_kind, story.event_types()),
        ):
            for term in terms:
                holders = index[term]
                holders.discard(key)
                if not holders:
                    del index[term]
        del self._spans[key]
        last = story.last()
        if last is not None:
            del self._ends[bisect_left(self._ends, last.end)]
            del self._starts[bisect_left(self._starts, last.start)]

    def recent(self, report: Report) -> int:
        """How many of the stories are recent enough for ``report`` to follow (``_recent``):
        all but those last reported more than ``FOLLOW_WITHIN`` before or after it."""
        if report.when is None:
            return len(self.stories)
        before = bisect_left(self._ends, report.when.start - FOLLOW_WITHIN)
        after = len(self._starts) - bisect_right(self._starts, report.when.end + FOLLOW_WITHIN)
        return len(self.stories) - before - after

    def sharing(
        self,
        report: Report,
        names: Iterable[str] = (),
        stems: Iterable[str] = (),
        kinds: Iterable[str] = (),
    ) -> list[OpenStory]:
        """The stories recent for ``report`` (``_recent``) that name one of ``names``,
        whose first report uses one of ``stems`` or that report one of ``kinds`` (event
        types), in their order."""
        keys: set[int] = set()
        for index, terms in (
            (self._by_name, names),
            (self._by_stem, stems),
            (self._by_kind, kinds),
        ):
            for term in terms:
                keys.update(index.get(term, ()))
        if report.when is not None:
            since, until = report.when.start - FOLLOW_WITHIN, report.when.end + FOLLOW_WITHIN
            spans = self._spans
            keys = {
                key
                for key in keys
                if (span := spans[key]) is None or (since <= span[1] and span[0] <= until)
            }
        return [self.stories[number] for number in sorted(map(self._position.__getitem__, keys))]


def _candidates(
    report: Report, stories: Sequence[OpenStory] | StoryIndex, background: Background
) -> tuple[int, frozenset[str], list[OpenStory]]:
    """How many ``stories`` are recent for ``report``, its specific names, and the
    recent stories worth comparing with it (``_comparable``), in their order."""
    mine = frozenset(n for n in report.names() if background.specific(n))
    rare = background.rare(report)
    if not isinstance(stories, StoryIndex):
        recent = [story for story in stories if _recent(report, story)]
        return len(recent), mine, [s for s in recent if _comparable(s, mine, rare)]
    if rare is None:
        return stories.recent(report), mine, [s for s in stories.stories if _recent(report, s)]
    return stories.recent(report), mine, stories.sharing(report, mine, rare)


def _nothing_shared(
    report: Report, stories: Sequence[OpenStory] | StoryIndex, recent: int
) -> StoryJoin:
    """Why a report that shares no specific name or rare word with any of ``recent``
    recent stories opens a new one: the common names it shares, if any."""
    names = report.names()
    if isinstance(stories, StoryIndex):
        stories = stories.sharing(report, names)
    for story in stories:
        if not _recent(report, story):
            continue
        common = sorted(n.partition(":")[2] for n in names if n in story.centroid[0])
        if common:
            return StoryJoin(
                None, f"new story: shares only {', '.join(common)} (too common to count)"
            )
    return StoryJoin(
        None,
        f"new story: none of {recent} recent stories shares a specific place or actor "
        "or rare words with it",
    )


def _by_closeness(
    stories: Sequence[OpenStory], mine: frozenset[str], background: Background
) -> list[tuple[float, list[OpenStory]]]:
    """Stories in groups of equal closeness to a report with the specific names
    ``mine``, the closest first, each in its given order."""
    weights = [(name, background.weight(name)) for name in sorted(mine)]
    groups: dict[float, list[OpenStory]] = {}
    for story in stories:
        groups.setdefault(_closeness(weights, story, background.broad), []).append(story)
    return [(closeness, groups[closeness]) for closeness in sorted(groups, reverse=True)]


def _same_kind(
    report: Report, stories: Sequence[OpenStory] | StoryIndex, rules: AlertConfig
) -> StoryJoin | None:
    """The story a dated report that names no specific place or actor joins, if any:
    an open story last reported within ``group_window`` of it that reports the report's
    main event type, or one of whose reports' main event type the report reports (a
    clash reported from "Kosovo" the day of a clash in Zvečan). Of several, the one it
    shares the most event types with, then the bigger (the first given among equals)."""
    if report.when is None or not report.event_types:
        return None
    kinds = set(report.event_types)
    if isinstance(stories, StoryIndex):
        stories = stories.sharing(report, kinds=kinds)
    lead = report.event_types[0]
    best: tuple[int, int] | None = None
    chosen = None
    for story in stories:
        if story.closed or story.last() is None or _in_time(report, story, rules) is not None:
            continue
        if _aftermath(report, story) is not None:
            continue
        if lead not in story.event_types() and story.main_kinds().isdisjoint(kinds):
            continue
        rank = (len(kinds & story.event_types()), len(story.reports))
        if best is None or rank > best:
            best, chosen = rank, story
    if chosen is None:
        return None
    shared = lead if lead in chosen.event_types() else min(chosen.main_kinds() & kinds)
    return StoryJoin(
        chosen.alert_id,
        f"joined story #{chosen.alert_id}: names no specific place or actor, but reports "
        f"{shared} as the story does{_after(report, chosen.last(), 'its last report')}",
    )


def join_story(
    report: Report,
    stories: Sequence[OpenStory] | StoryIndex,
    background: Background,
    rules: AlertConfig,
    by_names: bool = True,
) -> StoryJoin:
    """The open story closest to ``report`` that it reports the same event as, or a new
    story (following the closest closed or expired one it matches); with the reason.
    Without ``by_names``, only reports with nearly the same words join.)

    ``stories`` may be a ``StoryIndex`` of them, which a caller keeps between reports:
    then only the stories that share a specific name or a rare stem with ``report``
    are touched. Either way, stories are ranked by closeness, then by how close their
    words are, then by event types and size (the first given first among equals), and
    the words are compared only with stories whose rank can decide the join. A dated
    report that names no specific place or actor and joins nothing so joins the story of
    its kind (``_same_kind``)."""
    recent, mine, comparable = _candidates(report, stories, background)
    if not recent:
        return StoryJoin(None, "new story: no recent story of this watch to join")
    verdict = _join_closest(report, stories, background, rules, by_names, recent, mine, comparable)
    if verdict.alert_id is None and verdict.follows is None and by_names and not mine:
        return _same_kind(report, stories, rules) or verdict
    return verdict


def _join_closest(
    report: Report,
    stories: Sequence[OpenStory] | StoryIndex,
    background: Background,
    rules: AlertConfig,
    by_names: bool,
    recent: int,
    mine: frozenset[str],
    comparable: list[OpenStory],
) -> StoryJoin:
    """``join_story`` by what a report shares with the stories it is comparable with."""
    groups = _by_closeness(comparable, mine, background)
    followed = closest = apart = None
    for closeness, group in groups:  # closest first; a group's order needs the words
        matches = [_match(report, mine, story, background, closeness) for story in group]
        closest = closest or matches
        joinable = [m for m in matches if _joins(m, report, rules, by_names)]
        ranked = sorted(joinable, key=_Match.rank, reverse=True)
        if not report.follow_up:  # an event does not follow its aftermath
            apart = apart or next((m for m in ranked if _aftermath(report, m.story)), None)
            ranked = [m for m in ranked if not _aftermath(report, m.story)]
        for match in ranked:
            late = _in_time(report, match.story, rules) or _aftermath(report, match.story)
            if late is None and not match.story.closed:
                why = _why(match, report, rules)
                named = match.places or match.actors  # else closeness says nothing
                return StoryJoin(
                    match.story.alert_id,
                    f"joined story #{match.story.alert_id}: {why}"
                    f"{_after(report, match.story.first(), 'the first report')}"
                    + (f" (closeness {match.closeness:.2f})" if named else ""),
                )
        if followed is None and ranked:
            followed = ranked[0]
    if followed is not None:
        late = (
            _in_time(report, followed.story, rules)
            or _aftermath(report, followed.story)
            or "the story has ended"
        )
        return StoryJoin(
            None,
            f"new story, follows #{followed.story.alert_id}: shares {_shares(followed)}, "
            f"but {late}",
            follows=followed.story.alert_id,
        )
    if apart is not None:
        return StoryJoin(
            None,
            f"new story: shares {_shares(apart)} with #{apart.story.alert_id}, but "
            f"{_aftermath(report, apart.story)}",
        )
    if closest is None:
        return _nothing_shared(report, stories, recent)
    best = max(closest, key=_Match.rank)  # the first of the closest, as sorted
    if best.veto is not None:
        return StoryJoin(None, f"new story: closest is #{best.story.alert_id}, but it {best.veto}")
    their = set().union(*(member.names() for member in best.story.reports))
    common = sorted(
        n.partition(":")[2] for n in report.names() & their if not background.specific(n)
    )
    if not (best.places or best.actors) and common:
        return StoryJoin(None, f"new story: shares only {', '.join(common)} (too common to count)")
    return StoryJoin(
        None,
        f"new story: none of {recent} recent stories shares a specific place or "
        f"actor and an event type (closest #{best.story.alert_id}: {_shares(best)})",
    )

"""Scoring: one article against every watch, explained hit by hit. Pure: no I/O, no clock."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import NamedTuple

from monitor.language import detect_language, language_code
from monitor.models import Article, Hit, Score
from monitor.rules.compile import (
    LEVEL_NAMES,
    CompiledSignal,
    CompiledTermSet,
    CompiledWatch,
    Group,
    Matcher,
    NameKey,
)
from monitor.rules.scope import scope_miss
from monitor.rules.text import BREAK, TokenizedText


class _Match(NamedTuple):
    """One place where a rule key matched (a tuple: made per match, so made cheaply)."""

    key: int
    position: int  # the index of its first token
    words: int  # how many tokens it covers
    offset: int  # where it starts in the joined folded text


_CLAUSE_MARKS = re.compile("[,;]|\\s[\u2013\u2014-]\\s")  # a comma, a semicolon, a dash
"""What ends a clause within a sentence: a negator before it negates nothing after it."""


class _Document:
    """An article's folded words and the positions where each rule key matched."""

    def __init__(self, article: Article, matcher: Matcher) -> None:
        self.article = article
        self.matcher = matcher
        self.title = TokenizedText(article.title)
        self.text = TokenizedText(article.summary)
        # A break between title and text: no phrase or negation crosses it.
        self.title_words = self.title.count
        parts = (self.title.folded, BREAK, self.text.folded)
        joined = " " + " ".join(part for part in parts if part) + " "
        self.joined = joined
        self.matches_by_key: dict[int, list[_Match]] = defaultdict(list)
        self._negators: dict[frozenset[int], dict[int, _Match]] = {}
        self._language: str | None = None  # the article's, once asked for ("": unknown)
        if matcher.automaton is not None:
            keys = matcher.keys
            starts = sorted(
                (end - len(keys[key]) + 1, key) for end, key in matcher.automaton.iter(joined)
            )
            # Every key starts with the space before its first word: the spaces
            # before it number the words before it (counted on from the last match).
            position = counted_to = 0
            for offset, key in starts:
                position += joined.count(" ", counted_to, offset)
                counted_to = offset
                self.matches_by_key[key].append(
                    _Match(key, position, matcher.key_words[key], offset)
                )
        tokens = self.title_words + 1 + self.text.count
        for key, pattern in matcher.regexes:
            for found in pattern.finditer(joined):
                first = max(0, joined.count(" ", 0, found.start() + 1) - 1)
                last = max(first, joined.count(" ", 0, found.end()) - 1)
                if first < tokens:
                    self.matches_by_key[key].append(
                        _Match(key, first, last - first + 1, found.start())
                    )

    def matches(self, keys: Group, title_only: bool = False) -> list[_Match]:
        return [
            match
            for key in keys.intersection(self.matches_by_key)
            for match in self.matches_by_key[key]
            if not title_only or match.position < self.title_words
        ]

    def any_match(self, group: Group, title_only: bool = False) -> bool:
        if group.isdisjoint(self.matches_by_key):
            return False
        return not title_only or bool(self.matches(group, title_only))

    def meets(self, terms: CompiledTermSet) -> bool:
        """Whether every ``all`` group and, if any, one ``any`` group matched."""
        only = terms.title_only
        return (
            not terms.any_groups or any(self.any_match(g, only) for g in terms.any_groups)
        ) and all(self.any_match(g, only) for g in terms.all_groups)

    def negated(self, match: _Match, watch: CompiledWatch) -> bool:
        """Whether one of the watch's negators stands at most ``negation_within`` words
        before ``match`` (or one of its ``after`` negators as far after it), in its
        clause, and negates in the article's language (the nearest that does counts)."""
        within = watch.negation_within
        before = self._found(watch.negators)
        for position in range(match.position - 1, max(-1, match.position - within - 1), -1):
            negator = before.get(position)
            if negator is not None:
                if self._apart(negator, match):
                    break
                if not self._not_a_negator(negator.key, watch):
                    return True
        after = self._found(watch.after_negators)
        end = match.position + match.words
        for position in range(end, end + within):
            negator = after.get(position)
            if negator is not None:
                return not self._apart(match, negator)
        return False

    def _found(self, negators: frozenset[int]) -> dict[int, _Match]:
        """Where each of ``negators`` matched, by the position of its first word."""
        if not negators:
            return {}
        if negators not in self._negators:
            self._negators[negators] = {m.position: m for m in self.matches(negators)}
        return self._negators[negators]

    def _apart(self, first: _Match, second: _Match) -> bool:
        """Whether the end of a sentence, a comma, a semicolon or a dash stands between
        two matches: "without permission, Belgrade protested" negates no protest."""
        if BREAK in self.joined[first.offset : second.offset]:
            return True
        field, _, end, _ = self.located(first)
        other_field, start, _, _ = self.located(second)
        source = self.title if field == "title" else self.text
        return field == other_field and bool(_CLAUSE_MARKS.search(source.text, end, start))

    def _not_a_negator(self, key: int, watch: CompiledWatch) -> bool:
        """Whether the negator ``key`` is another word in the article's language
        (``negation.not_in``): the language is looked for only then."""
        if not any(key in keys for keys in watch.not_negators.values()):
            return False
        if self._language is None:
            article = self.article
            declared = language_code(article.language)
            self._language = declared or detect_language(article.title, article.summary) or ""
        return key in watch.not_negators.get(self._language, ())

    def located(self, match: _Match) -> tuple[str, int, int, str]:
        """Return the field, offsets and original text of the words ``match`` covers."""
        if match.position < self.title_words:
            field, source, index = "title", self.title, match.position
        else:
            field, source, index = "text", self.text, match.position - self.title_words - 1
        last = min(index + match.words, source.count) - 1
        start, end = source.span(index)
        if last > index:
            end = source.span(last)[1]
        return field, start, end, source.text[start:end]


def score(article: Article, matcher: Matcher) -> list[Score]:
    """Score ``article`` against every watch of ``matcher``, one ``Score`` per watch."""
    document = _Document(article, matcher)
    return [_score_watch(document, watch) for watch in matcher.watches]


def _score_watch(document: _Document, watch: CompiledWatch) -> Score:
    if not document.meets(watch.scope):
        miss = scope_miss(document, watch.scope, watch.names, document.matcher.key_terms)
        return Score(watch.name, 0.0, None, False, watch.version, scope_miss=miss)
    for index, excluded in enumerate(watch.exclude):
        if document.meets(excluded):
            miss = (
                f"excluded by {excluded.name} ({_terms(excluded.any_terms + excluded.all_terms)})"
            )
            return Score(
                watch.name, 0.0, None, False, watch.version, excluded_by=index, scope_miss=miss
            )
    # Only the signals that one of the matched keys can give a hit to.
    by_key = watch.signals_by_key
    candidates = sorted({i for key in document.matches_by_key for i in by_key.get(key, ())})
    counted = [
        (watch.signals[i], _signal_hits(document, watch.signals[i], watch)) for i in candidates
    ]
    hits = tuple(hit for _, signal_hits in counted for hit in signal_hits)
    total = round(sum(hit.points for hit in hits), 2)
    points = [(signal.up_to, hit.points) for signal, s_hits in counted for hit in s_hits]
    level = _level(watch, points, len(watch.levels) - 1)
    ceiling = _ceiling(counted)
    capped = None
    if ceiling is not None and level is not None:
        capped_level = _level(watch, points, ceiling[0])
        if capped_level != level:
            level, capped = capped_level, ceiling[1]
    places, actors, headline = _names(document, watch)
    return Score(
        watch.name, total, level, True, watch.version, hits,
        places=places, actors=actors, capped_by=capped, headline_places=headline,
    )  # fmt: skip


def _level(watch: CompiledWatch, points: list[tuple[int, float]], highest: int) -> str | None:
    """The highest level up to index ``highest`` whose threshold its counted points reach.

    A hit counts toward the levels up to its signal's ``up_to``, whether it
    raises the score or lowers it. So a heap of words whose signals stop at
    warning never makes critical, however many there are.
    """
    for index in range(highest, -1, -1):
        name, threshold = watch.levels[index]
        if round(sum(p for up_to, p in points if up_to >= index), 2) >= threshold:
            return name
    return None


def held_below(result: Score, watch: CompiledWatch) -> str | None:
    """Why an article's level is lower than its score's: the highest level whose
    threshold the score reaches, the points that count toward that level, and the
    signals whose ``up_to`` stops below it; ``None`` when the score says no more than
    the level (or a signal's ``at_most`` held it, which ``capped_by`` names)."""
    if not result.in_scope or result.capped_by is not None:
        return None
    reached = -1 if result.level is None else LEVEL_NAMES.index(result.level)
    up_to = {signal.name: signal.up_to for signal in watch.signals}
    for index in range(len(watch.levels) - 1, reached, -1):
        name, threshold = watch.levels[index]
        if result.score < threshold:
            continue
        counted = round(sum(h.points for h in result.hits if up_to[h.signal] >= index), 2)
        stopped: dict[str, list[str]] = {}
        for hit in result.hits:
            stop = up_to[hit.signal]
            if (
                hit.points > 0
                and stop < index
                and hit.signal not in stopped.get(LEVEL_NAMES[stop], [])
            ):
                stopped.setdefault(LEVEL_NAMES[stop], []).append(hit.signal)
        why = "; ".join(f"{', '.join(signals)} up to {level}" for level, signals in stopped.items())
        return (
            f"not {name}: {name} needs {threshold:g} points of the signals that count toward it, "
            f"{counted:g} here ({why})"
        )
    return None


def held_by(level: str, capped_by: str) -> str:
    """Why an article's level is ``level``, held there by the signal ``capped_by``."""
    return f"held at {level} by {capped_by} (at_most): its points reach higher"


def _ceiling(counted: list[tuple[CompiledSignal, list[Hit]]]) -> tuple[int, str] | None:
    """The lowest ``at_most`` of the signals with a hit that is not negated, and its signal."""
    ceilings = [
        (signal.at_most, signal.name)
        for signal, hits in counted
        if signal.at_most is not None and any(not hit.negated for hit in hits)
    ]
    return min(ceilings) if ceilings else None


def _names(
    document: _Document, watch: CompiledWatch
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The places and actors of the watch's gazetteer that the article names, in order,
    and the places its headline names.

    A name's last word may run on by its key's ``ending`` (an inflection); where
    two names start at one word, the longer wins (``Banjska`` over ``Banje``).
    """
    named: dict[int, tuple[int, NameKey]] = {}
    for key in watch.names.keys() & document.matches_by_key.keys():
        name, text = watch.names[key], document.matcher.keys[key]
        for match in document.matches_by_key[key]:
            end = match.offset + len(text)
            if name.ending and document.joined.find(" ", end) - end > name.ending:
                continue
            kept = named.get(match.position)
            if kept is None or len(text) > kept[0]:
                named[match.position] = (len(text), name)
    ordered = sorted(named.items())
    places = [(at, name.name) for at, (_, name) in ordered if name.kind == "place"]
    return (
        tuple(dict.fromkeys(place for _, place in places)),
        tuple(dict.fromkeys(name.name for _, (_, name) in ordered if name.kind == "actor")),
        tuple(dict.fromkeys(place for at, place in places if at < document.title_words)),
    )


def _terms(terms: tuple[str, ...], shown: int = 4) -> str:
    """A few terms of a term set, as written in the watch file."""
    more = f" and {len(terms) - shown} more" if len(terms) > shown else ""
    return ", ".join(terms[:shown]) + more


def _signal_hits(document: _Document, signal: CompiledSignal, watch: CompiledWatch) -> list[Hit]:
    if signal.hit_keys.isdisjoint(document.matches_by_key):
        return []
    only = signal.title_only
    if not all(document.any_match(group, only) for group in signal.all_groups):
        return []
    if any(document.any_match(group, only) for group in signal.not_groups):
        return []
    candidates = document.matches(signal.hit_keys, only)
    if signal.near_keys:
        near = [m.position for m in document.matches(signal.near_keys)]
        candidates = [
            m for m in candidates if any(abs(m.position - p) <= signal.near_within for p in near)
        ]
    if signal.not_near_keys and not signal.not_near_keys.isdisjoint(document.matches_by_key):
        away = [m.position for m in document.matches(signal.not_near_keys)]
        within = signal.not_near_within
        candidates = [m for m in candidates if all(abs(m.position - p) > within for p in away)]
    # One hit per word: where two terms start at the same word, the longer wins, and a
    # term that starts inside an earlier one's words ("shots fired" / "fired at") is
    # the same words counted again.
    by_position: dict[int, _Match] = {}
    for match in candidates:
        kept = by_position.get(match.position)
        if kept is None or match.words > kept.words:
            by_position[match.position] = match
    apart = []
    end = -1
    for position in sorted(by_position):
        if position >= end:
            match = by_position[position]
            apart.append(match)
            end = position + match.words
    ordered = sorted(apart, key=lambda m: (m.position >= document.title_words, m.position))
    hits = []
    counted = 0
    for match in ordered:
        field, start, end, text = document.located(match)
        boosted = field == "title" and watch.title_boost != 1.0
        negated = document.negated(match, watch)
        capped = not negated and counted >= signal.max_hits
        points = 0.0
        if not negated and not capped:
            counted += 1
            points = signal.weight * (watch.title_boost if boosted else 1.0)
        hits.append(
            Hit(
                signal=signal.name,
                term=document.matcher.key_terms[match.key],
                text=text,
                field="title" if field == "title" else "text",
                start=start,
                end=end,
                points=round(points, 2),
                boosted=boosted,
                capped=capped,
                negated=negated,
            )
        )
    return hits

"""Scoring: one article against every watch, explained hit by hit. Pure: no I/O, no clock."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from monitor.models import Article, Hit, Score
from monitor.rules import CompiledSignal, CompiledTermSet, CompiledWatch, Group, Matcher
from monitor.text import BREAK, token_spans, tokens


@dataclass(frozen=True)
class _Match:
    key: int
    position: int
    words: int


class _Document:
    """An article's folded words and the positions where each rule key matched."""

    def __init__(self, article: Article, matcher: Matcher) -> None:
        self.article = article
        self.matcher = matcher
        title_words = tokens(article.title)
        # A break between title and text: no phrase or negation crosses it.
        self.words = [*title_words, BREAK, *tokens(article.summary)]
        self.title_words = len(title_words)
        joined = " " + " ".join(self.words) + " "
        starts = list(accumulate((len(word) + 1 for word in self.words), initial=1))
        self.matches_by_key: dict[int, list[_Match]] = defaultdict(list)
        self._negator_positions: dict[frozenset[int], set[int]] = {}
        if matcher.automaton is not None:
            for end, key in matcher.automaton.iter(joined):
                start = end - len(matcher.keys[key]) + 2
                position = bisect_right(starts, start) - 1
                self.matches_by_key[key].append(_Match(key, position, matcher.key_words[key]))
        for key, pattern in matcher.regexes:
            for found in pattern.finditer(joined):
                first = max(0, bisect_right(starts, found.start()) - 1)
                last = max(first, bisect_right(starts, found.end() - 1) - 1)
                if first < len(self.words):
                    self.matches_by_key[key].append(_Match(key, first, last - first + 1))

    def matches(self, group: Iterable[int], title_only: bool = False) -> list[_Match]:
        return [
            match
            for key in group
            for match in self.matches_by_key.get(key, ())
            if not title_only or match.position < self.title_words
        ]

    def any_match(self, group: Group, title_only: bool = False) -> bool:
        return bool(self.matches(group, title_only))

    def meets(self, terms: CompiledTermSet) -> bool:
        """Whether every ``all`` group and, if any, one ``any`` group matched."""
        only = terms.title_only
        return (
            not terms.any_groups or any(self.any_match(g, only) for g in terms.any_groups)
        ) and all(self.any_match(g, only) for g in terms.all_groups)

    def negated(self, match: _Match, negators: frozenset[int], within: int) -> bool:
        """Whether a negator stands at most ``within`` words before ``match``, same sentence."""
        if not negators:
            return False
        if negators not in self._negator_positions:
            self._negator_positions[negators] = {m.position for m in self.matches(negators)}
        before = self._negator_positions[negators]
        for position in range(match.position - 1, max(-1, match.position - within - 1), -1):
            if self.words[position] == BREAK:
                return False
            if position in before:
                return True
        return False

    @cached_property
    def title_spans(self) -> list[tuple[int, int]]:
        return token_spans(self.article.title)

    @cached_property
    def text_spans(self) -> list[tuple[int, int]]:
        return token_spans(self.article.summary)

    def located(self, match: _Match) -> tuple[str, int, int, str]:
        """Return the field, offsets and original text of the words ``match`` covers."""
        if match.position < self.title_words:
            field, text, spans, first = "title", self.article.title, self.title_spans, 0
        else:
            field, text, spans = "text", self.article.summary, self.text_spans
            first = self.title_words + 1
        index = match.position - first
        last = min(index + match.words, len(spans)) - 1
        start, end = spans[index][0], spans[max(index, last)][1]
        return field, start, end, text[start:end]


def score(article: Article, matcher: Matcher) -> list[Score]:
    """Score ``article`` against every watch of ``matcher``, one ``Score`` per watch."""
    document = _Document(article, matcher)
    return [_score_watch(document, watch) for watch in matcher.watches]


def _score_watch(document: _Document, watch: CompiledWatch) -> Score:
    if not document.meets(watch.scope):
        return Score(watch.name, 0.0, None, False, watch.version)
    for index, excluded in enumerate(watch.exclude):
        if document.meets(excluded):
            return Score(watch.name, 0.0, None, False, watch.version, excluded_by=index)
    hits = tuple(hit for signal in watch.signals for hit in _signal_hits(document, signal, watch))
    total = round(sum(hit.points for hit in hits), 2)
    level = None
    for name, threshold in watch.levels:
        if total >= threshold:
            level = name
    return Score(watch.name, total, level, True, watch.version, hits)


def _signal_hits(document: _Document, signal: CompiledSignal, watch: CompiledWatch) -> list[Hit]:
    only = signal.title_only
    if not all(document.any_match(group, only) for group in signal.all_groups):
        return []
    if any(document.any_match(group, only) for group in signal.not_groups):
        return []
    source = signal.any_groups or signal.all_groups
    candidates = document.matches((key for group in source for key in group), only)
    if signal.near_keys:
        near = [m.position for m in document.matches(signal.near_keys)]
        candidates = [
            m for m in candidates if any(abs(m.position - p) <= signal.near_within for p in near)
        ]
    # One hit per position: where two terms start at the same word, the longer wins.
    by_position: dict[int, _Match] = {}
    for match in candidates:
        kept = by_position.get(match.position)
        if kept is None or match.words > kept.words:
            by_position[match.position] = match
    ordered = sorted(
        by_position.values(), key=lambda m: (m.position >= document.title_words, m.position)
    )
    hits = []
    counted = 0
    for match in ordered:
        field, start, end, text = document.located(match)
        boosted = field == "title" and watch.title_boost != 1.0
        negated = document.negated(match, watch.negators, watch.negation_within)
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

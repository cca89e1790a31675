"""Scoring: one article against every watch, explained hit by hit. Pure: no I/O, no clock."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from monitor.models import Article, Hit, Score
from monitor.rules import CompiledSignal, CompiledWatch, Group, Matcher
from monitor.text import token_spans, tokens

# Separates title from text in the joined word sequence; folded text never
# contains it, so no phrase can match across the title/text boundary.
_BARRIER = "|"


@dataclass(frozen=True)
class _Match:
    key: int
    position: int


class _Document:
    """An article's folded words and the positions where each rule key matched."""

    def __init__(self, article: Article, matcher: Matcher) -> None:
        self.article = article
        self.matcher = matcher
        title_words = tokens(article.title)
        words = [*title_words, _BARRIER, *tokens(article.summary)]
        self.title_words = len(title_words)
        joined = " " + " ".join(words) + " "
        starts = list(accumulate((len(word) + 1 for word in words), initial=1))
        self.positions: dict[int, list[int]] = defaultdict(list)
        if matcher.keys:
            for end, key in matcher.automaton.iter(joined):
                start = end - len(matcher.keys[key]) + 2
                self.positions[key].append(bisect_right(starts, start) - 1)

    def matches(self, group: Iterable[int], title_only: bool = False) -> list[_Match]:
        return [
            _Match(key, position)
            for key in group
            for position in self.positions.get(key, ())
            if not title_only or position < self.title_words
        ]

    def any_match(self, group: Group, title_only: bool = False) -> bool:
        return bool(self.matches(group, title_only))

    @cached_property
    def title_spans(self) -> list[tuple[int, int]]:
        return token_spans(self.article.title)

    @cached_property
    def text_spans(self) -> list[tuple[int, int]]:
        return token_spans(self.article.summary)

    def located(self, match: _Match) -> tuple[str, int, int, str]:
        """Return the field, offsets and original text of the words ``match`` covers."""
        words = self.matcher.key_words[match.key]
        if match.position < self.title_words:
            field, text, spans, first = "title", self.article.title, self.title_spans, 0
        else:
            field, text, spans = "text", self.article.summary, self.text_spans
            first = self.title_words + 1
        index = match.position - first
        start, end = spans[index][0], spans[min(index + words, len(spans)) - 1][1]
        return field, start, end, text[start:end]


def score(article: Article, matcher: Matcher) -> list[Score]:
    """Score ``article`` against every watch of ``matcher``, one ``Score`` per watch."""
    document = _Document(article, matcher)
    return [_score_watch(document, watch) for watch in matcher.watches]


def _score_watch(document: _Document, watch: CompiledWatch) -> Score:
    title_only = watch.scope_title_only
    in_scope = (
        not watch.scope_any or any(document.any_match(g, title_only) for g in watch.scope_any)
    ) and all(document.any_match(g, title_only) for g in watch.scope_all)
    if not in_scope:
        return Score(watch.name, 0.0, None, False, watch.version)
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
        if (
            kept is None
            or document.matcher.key_words[match.key] > document.matcher.key_words[kept.key]
        ):
            by_position[match.position] = match
    ordered = sorted(
        by_position.values(),
        key=lambda m: (m.position >= document.title_words, m.position),
    )
    hits = []
    for rank, match in enumerate(ordered):
        field, start, end, text = document.located(match)
        boosted = field == "title" and watch.title_boost != 1.0
        capped = rank >= signal.max_hits
        points = 0.0 if capped else signal.weight * (watch.title_boost if boosted else 1.0)
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
            )
        )
    return hits

"""Marking the words a rule matched in an article's text, and how each weighed. Pure.

Three kinds of mark: ``hit``, a word that raised the score (an escalation
word); ``calm``, a word of a signal with negative points that lowered it (a
stand-down, an accident, a court case: a calming word); ``negated``, a word a
negator cancelled (struck through). A capped hit gave no points, so its kind
is its signal's: calming if another hit of that signal lowered the score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Where hits overlap, the strongest mark shows.
_RANK = {"": 0, "negated": 1, "calm": 2, "hit": 3}


def calming_signals(hits: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The signals of ``hits`` that lowered the score (a hit with negative points)."""
    return frozenset(str(hit["signal"]) for hit in hits if float(hit.get("points", 0)) < 0)


def hit_kind(hit: Mapping[str, Any], calming: frozenset[str]) -> str:
    """``negated``, ``calm`` or ``hit``: how one stored hit weighed."""
    if hit.get("negated"):
        return "negated"
    if float(hit.get("points", 0)) < 0 or hit.get("signal") in calming:
        return "calm"
    return "hit"


def highlight(text: str, hits: Iterable[Mapping[str, Any]], field: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(piece, kind)``: kind ``""`` for plain text, else ``hit_kind``
    of the strongest hit covering the piece (``hit``, then ``calm``, then ``negated``).

    ``hits`` are stored hits (``signal``, ``field``, ``start``, ``end``, ``points``,
    ``negated``); only those of ``field`` (``"title"`` or ``"text"``) and inside
    ``text`` count.
    """
    return _runs(text, _kinds(text, list(hits), field))


def paragraphs(
    text: str, hits: Iterable[Mapping[str, Any]], field: str
) -> list[list[tuple[str, str]]]:
    """``highlight`` per paragraph: the text split at its line breaks (normalization
    keeps one between blocks of the feed's HTML), blank ones left out."""
    kinds = _kinds(text, list(hits), field)
    found, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            found.append(_runs(line, kinds[start:end]))
        start = end + 1
    return found


def _kinds(text: str, hits: Sequence[Mapping[str, Any]], field: str) -> list[str]:
    calming = calming_signals(hits)
    kinds: list[str] = [""] * len(text)
    for hit in hits:
        if hit.get("field") != field:
            continue
        kind = hit_kind(hit, calming)
        start, end = max(int(hit["start"]), 0), min(int(hit["end"]), len(text))
        for i in range(start, end):
            if _RANK[kind] > _RANK[kinds[i]]:
                kinds[i] = kind
    return kinds


def _runs(text: str, kinds: Sequence[str]) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or kinds[i] != kinds[start]:
            pieces.append((text[start:i], kinds[start]))
            start = i
    return pieces

"""Marking the words a rule matched in an article's text. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def highlight(text: str, hits: Iterable[Mapping[str, Any]], field: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(piece, kind)``: kind ``""`` for plain text, else ``"hit"``,
    or ``"negated"`` where every hit covering the piece was negated.

    ``hits`` are stored hits (``field``, ``start``, ``end``, ``negated``); only
    those of ``field`` (``"title"`` or ``"text"``) and inside ``text`` count.
    """
    kinds: list[str] = [""] * len(text)
    for hit in hits:
        if hit.get("field") != field:
            continue
        start, end = max(int(hit["start"]), 0), min(int(hit["end"]), len(text))
        for i in range(start, end):
            if kinds[i] != "hit":
                kinds[i] = "negated" if hit.get("negated") else "hit"
    return _runs(text, kinds)


def _runs(text: str, kinds: Sequence[str]) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or kinds[i] != kinds[start]:
            pieces.append((text[start:i], kinds[start]))
            start = i
    return pieces

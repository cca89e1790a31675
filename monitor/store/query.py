"""What a person types to search stored articles, made safe for SQLite FTS5. Pure.

A query is words, ``"quoted phrases"`` and ``word*`` prefixes; every one must
match (``OR`` between two of them matches either). Anything else (a stray
quote, ``AND``, ``NEAR(``, a column filter, parentheses) is taken as plain
text, never as FTS5 syntax, so no query can make SQLite fail. Matching is
case-insensitive and drops diacritics of Latin letters (``Vucic`` finds
``Vučić``, ``Mitrovice`` finds ``Mitrovicë``), as the index's ``unicode61``
tokenizer does; ``đ`` stays distinct from ``d``, and Cyrillic does not match
Latin (``Vucic`` does not find ``Вучић``): FTS5 cannot fold one script into
another.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from monitor.config.models import parse_duration

# A quoted phrase (its closing quote optional), or a run of non-space text.
_PARTS = re.compile(r'"([^"]*)"?|(\S+)')


def _term(text: str) -> str | None:
    """One FTS5 string for ``text`` (a trailing ``*`` makes it a prefix), or ``None``
    when it holds nothing the tokenizer would index."""
    prefix = text.endswith("*")
    text = text.rstrip("*")
    if not any(char.isalnum() for char in text):
        return None
    quoted = '"' + text.replace('"', '""') + '"'
    return quoted + "*" if prefix else quoted


def fts_query(text: str) -> str | None:
    """The FTS5 MATCH expression for a person's query, or ``None`` for a query with
    no words (which then matches every article)."""
    parts: list[str] = []
    for match in _PARTS.finditer(text):
        phrase, word = match.groups()
        if word == "OR":
            if parts and parts[-1] != "OR":
                parts.append("OR")
            continue
        term = _term(phrase if phrase is not None else word)
        if term is not None:
            parts.append(term)
    if parts and parts[-1] == "OR":
        parts.pop()
    return " ".join(parts) or None


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?([+-]\d{2}:\d{2}|Z)?")


def parse_moment(text: str, now: datetime) -> datetime:
    """A moment from ``7d`` / ``12h`` / ``30m`` (that long before ``now``) or an ISO date
    or date and time (UTC unless it names an offset). Raises ``ValueError`` otherwise."""
    text = text.strip()
    if _DATE.fullmatch(text):
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return now - timedelta(seconds=parse_duration(text))
    except ValueError:
        raise ValueError(
            f"{text!r}: expected a duration before now (7d, 12h) or a date (2026-11-03)"
        ) from None

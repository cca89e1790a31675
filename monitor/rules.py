"""Compiling watch rules into one matcher that reads each article once.

Every term of every watch is folded (``monitor.text``) into a key such as
``" tear gas "`` (a phrase: whole words) or ``" mobiliz"`` (``mobiliz*``: a
word prefix). All keys go into one Aho-Corasick automaton; scoring runs it over
the article's folded words joined by single spaces, so phrases match across
punctuation and line breaks and a key can only start at a word boundary.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ahocorasick

from monitor.text import tokens

if TYPE_CHECKING:
    from monitor.config import WatchConfig
    from monitor.yamlfile import Location

MIN_WILDCARD_PREFIX = 3

Group = tuple[int, ...]
"""Key ids of which any one must match: a literal term, or a whole ``@list``."""


class RuleError(Exception):
    """A term in a watch cannot be compiled; names the watch and the field."""

    def __init__(self, watch: str, location: Location, message: str) -> None:
        self.watch = watch
        self.location = location
        self.message = message
        super().__init__(f"{watch}: {message}")


@dataclass(frozen=True)
class CompiledSignal:
    """A signal with its terms resolved to key ids."""

    name: str
    weight: float
    any_groups: tuple[Group, ...]
    all_groups: tuple[Group, ...]
    not_groups: tuple[Group, ...]
    near_keys: frozenset[int]
    near_within: int
    title_only: bool
    max_hits: int


@dataclass(frozen=True)
class CompiledWatch:
    """A watch with its terms resolved to key ids, and the version of its rules."""

    name: str
    scope_any: tuple[Group, ...]
    scope_all: tuple[Group, ...]
    scope_title_only: bool
    signals: tuple[CompiledSignal, ...]
    title_boost: float
    levels: tuple[tuple[str, float], ...]
    version: str


@dataclass(frozen=True)
class Matcher:
    """All watches compiled together around one automaton."""

    automaton: Any
    keys: tuple[str, ...]
    key_terms: tuple[str, ...]
    key_words: tuple[int, ...]
    watches: tuple[CompiledWatch, ...]


def term_key(term: str) -> str:
    """Return the automaton key of ``term``, or raise ``ValueError`` saying why not."""
    text = term.strip()
    wildcard = text.endswith("*")
    if wildcard:
        text = text[:-1]
    if "*" in text:
        raise ValueError(f"term {term!r}: '*' is only allowed at the end of a word")
    words = tokens(text)
    if not words:
        raise ValueError(f"term {term!r} has no letters or digits")
    if wildcard and len(words[-1]) < MIN_WILDCARD_PREFIX:
        raise ValueError(
            f"term {term!r}: a wildcard needs at least {MIN_WILDCARD_PREFIX} letters before '*'"
        )
    return " " + " ".join(words) + ("" if wildcard else " ")


def rules_version(watch: WatchConfig) -> str:
    """Return a short hash that changes whenever the watch's rules change."""
    canonical = json.dumps(watch.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


class _KeyTable:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []

    def add(self, key: str, term: str) -> int:
        if key not in self.ids:
            self.ids[key] = len(self.terms)
            self.terms.append(term)
        return self.ids[key]


def compile_watches(watches: Sequence[WatchConfig]) -> Matcher:
    """Compile ``watches`` into one ``Matcher``, or raise ``RuleError``."""
    table = _KeyTable()
    compiled = tuple(_compile_watch(watch, table) for watch in watches)
    automaton = ahocorasick.Automaton()
    for key, key_id in table.ids.items():
        automaton.add_word(key, key_id)
    if table.ids:
        automaton.make_automaton()
    keys = tuple(sorted(table.ids, key=table.ids.__getitem__))
    return Matcher(
        automaton=automaton,
        keys=keys,
        key_terms=tuple(table.terms),
        key_words=tuple(len(key.split()) for key in keys),
        watches=compiled,
    )


def _compile_watch(watch: WatchConfig, table: _KeyTable) -> CompiledWatch:
    lists: dict[str, Group] = {}
    for list_name, terms in watch.terms.items():
        lists[list_name] = tuple(
            _literal(watch, table, term, ("terms", list_name, index))
            for index, term in enumerate(terms)
        )

    def groups(terms: list[str], location: Location) -> tuple[Group, ...]:
        resolved = []
        for index, term in enumerate(terms):
            if term.startswith("@"):
                if term[1:] not in lists:
                    known = ", ".join(f"@{name}" for name in lists) or "none"
                    raise RuleError(
                        watch.name,
                        (*location, index),
                        f"unknown term list {term!r} (defined: {known})",
                    )
                resolved.append(lists[term[1:]])
            else:
                resolved.append((_literal(watch, table, term, (*location, index)),))
        return tuple(resolved)

    signals = []
    for index, signal in enumerate(watch.signals):
        where: Location = ("signals", index)
        near_keys: frozenset[int] = frozenset()
        if signal.near is not None:
            near_groups = groups(signal.near.terms, (*where, "near", "terms"))
            near_keys = frozenset(key for group in near_groups for key in group)
        signals.append(
            CompiledSignal(
                name=signal.name,
                weight=float(signal.weight),
                any_groups=groups(signal.any_, (*where, "any")),
                all_groups=groups(signal.all_, (*where, "all")),
                not_groups=groups(signal.not_, (*where, "not")),
                near_keys=near_keys,
                near_within=signal.near.within if signal.near is not None else 0,
                title_only=signal.in_ == "title",
                max_hits=signal.max_hits,
            )
        )
    levels = watch.levels
    return CompiledWatch(
        name=watch.name,
        scope_any=groups(watch.scope.any_, ("scope", "any")),
        scope_all=groups(watch.scope.all_, ("scope", "all")),
        scope_title_only=watch.scope.in_ == "title",
        signals=tuple(signals),
        title_boost=float(watch.title_boost),
        levels=(
            ("notice", float(levels.notice)),
            ("warning", float(levels.warning)),
            ("critical", float(levels.critical)),
        ),
        version=rules_version(watch),
    )


def _literal(watch: WatchConfig, table: _KeyTable, term: str, location: Location) -> int:
    if term.startswith("@"):
        raise RuleError(watch.name, location, f"{term!r}: a term list cannot name another list")
    try:
        return table.add(term_key(term), term)
    except ValueError as exc:
        raise RuleError(watch.name, location, str(exc)) from exc

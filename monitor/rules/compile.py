"""Compiling watch rules into one matcher that reads each article once.

Every term of every watch is folded (``monitor.rules.text``) into a key such as
``" tear gas "`` (a phrase: whole words) or ``" mobiliz"`` (``mobiliz*``: a
word prefix). All keys go into one Aho-Corasick automaton; scoring runs it over
the article's folded words joined by single spaces, so phrases match across
punctuation and line breaks and a key can only start at a word boundary.
Terms written ``re:PATTERN`` are regular expressions run over the same folded
text; they cost one extra pass each, so the automaton is preferred.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ahocorasick

from monitor.rules.text import BREAK, tokens

if TYPE_CHECKING:
    from monitor.config.models.watch import ScopeConfig, WatchConfig
    from monitor.config.yamlfile import Location

MIN_WILDCARD_PREFIX = 3
REGEX_PREFIX = "re:"
NAME_ENDING = 4
"""How many letters a name of the gazetteer may gain as it inflects: Zvečan,
Zvečanu, Zveçanit; Mitrovica, Mitrovici, Mitrovicës; Kosovo, Kosova, Kosovës."""
_VOWELS = frozenset("aeiouy")

LEVEL_NAMES = ("notice", "warning", "critical")
"""The levels, lowest first: a signal's ``up_to`` is an index into them."""

Group = frozenset[int]
"""Key ids of which any one must match: a literal term, or a whole ``@list``."""


class RuleError(Exception):
    """A term in a watch cannot be compiled; names the watch and the field."""

    def __init__(self, watch: str, location: Location, message: str) -> None:
        self.watch = watch
        self.location = location
        self.message = message
        super().__init__(f"{watch}: {message}")


class RulesError(Exception):
    """Every term of the watches that cannot be compiled, each a ``RuleError``."""

    def __init__(self, errors: Sequence[RuleError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(str(error) for error in errors))


@dataclass(frozen=True)
class CompiledTermSet:
    """``any`` / ``all`` groups, optionally looked for in the title only."""

    any_groups: tuple[Group, ...]
    all_groups: tuple[Group, ...]
    title_only: bool
    name: str = "scope"  # where it is in the watch file, to say which part failed
    any_terms: tuple[str, ...] = ()  # the terms as written, one per group
    all_terms: tuple[str, ...] = ()


def _where(location: Location) -> str:
    """``("exclude", 0)`` as ``exclude[0]``: where a term set is in the watch file."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location)[1:]


@dataclass(frozen=True)
class CompiledSignal:
    """A signal with its terms resolved to key ids."""

    name: str
    weight: float
    any_groups: tuple[Group, ...]
    all_groups: tuple[Group, ...]
    not_groups: tuple[Group, ...]
    hit_keys: frozenset[int]
    near_keys: frozenset[int]
    near_within: int
    title_only: bool
    max_hits: int
    not_near_keys: frozenset[int] = frozenset()
    not_near_within: int = 0
    up_to: int = 2  # the index in ``CompiledWatch.levels`` of the highest level it counts toward
    at_most: int | None = None  # the index of the highest level an article it hits can have


@dataclass(frozen=True)
class NameKey:
    """A gazetteer name as the automaton knows it: whose name, and how far it inflects."""

    kind: str  # "place" or "actor"
    name: str  # the entry's own name, as the watch writes it
    ending: int  # how many letters past the key its last word may run (0: none)


def name_key(name: str) -> tuple[str, int]:
    """The automaton key of a gazetteer name and the letters its last word may gain.

    The last word loses a final vowel and may then gain up to ``NAME_ENDING``
    letters (``Mitrovica`` matches ``Mitrovici``, ``Mitrovicom``), and never more
    than its stem less two: a short stem takes only a short ending (``Banje``
    matches ``Banji``, ``Banjom``, not ``Banjszka``, another place); a name of
    three letters or fewer (``EU``) matches only as written.
    """
    words = [word for word in tokens(name) if word != BREAK]
    if not words:
        raise ValueError(f"name {name!r} has no letters or digits")
    last = words[-1]
    if len(last) <= MIN_WILDCARD_PREFIX:
        return " " + " ".join(words) + " ", 0
    ending = NAME_ENDING
    if len(last) > MIN_WILDCARD_PREFIX + 1 and last[-1] in _VOWELS:
        last, ending = last[:-1], NAME_ENDING + 1
        words[-1] = last
    return " " + " ".join(words), min(ending, len(last) - 2)


@dataclass(frozen=True)
class CompiledWatch:
    """A watch with its terms resolved to key ids, and the version of its rules."""

    name: str
    scope: CompiledTermSet
    exclude: tuple[CompiledTermSet, ...]
    signals: tuple[CompiledSignal, ...]
    negators: frozenset[int]
    negation_within: int
    not_negators: dict[str, frozenset[int]]
    """For each language, the keys of the negators that negate nothing in it."""
    after_negators: frozenset[int]
    """The keys of the negators that follow what they negate."""
    title_boost: float
    levels: tuple[tuple[str, float], ...]
    version: str
    signals_by_key: dict[int, tuple[int, ...]]
    """For each key, the indexes of the signals it can give a hit to."""
    names: dict[int, NameKey]
    """For each key of a gazetteer name, whose name it is."""


@dataclass(frozen=True)
class Matcher:
    """All watches compiled together around one automaton (and any regexes)."""

    automaton: Any
    keys: tuple[str, ...]
    key_terms: tuple[str, ...]
    key_words: tuple[int, ...]
    regexes: tuple[tuple[int, re.Pattern[str]], ...]
    watches: tuple[CompiledWatch, ...]


def term_key(term: str) -> str:
    """Return the automaton key of ``term``, or raise ``ValueError`` saying why not."""
    text = term.strip()
    if text.startswith(REGEX_PREFIX):
        pattern = text[len(REGEX_PREFIX) :]
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"term {term!r}: bad regular expression: {exc}") from exc
        if compiled.match(""):
            raise ValueError(f"term {term!r}: the regular expression matches empty text")
        return term
    wildcard = text.endswith("*")
    if wildcard:
        text = text[:-1]
    if "*" in text:
        raise ValueError(f"term {term!r}: '*' is only allowed at the end of a word")
    words = [word for word in tokens(text) if word != BREAK]
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
    """Compile ``watches`` into one ``Matcher``, or raise ``RulesError`` naming every
    term that cannot be compiled."""
    table = _KeyTable()
    compilers = [_WatchCompiler(watch, table) for watch in watches]
    compiled = tuple(compiler.compile() for compiler in compilers)
    errors = [error for compiler in compilers for error in compiler.errors]
    if errors:
        raise RulesError(errors)
    automaton = ahocorasick.Automaton()
    regexes = []
    for key, key_id in table.ids.items():
        if key.startswith(REGEX_PREFIX):
            regexes.append((key_id, re.compile(key.strip()[len(REGEX_PREFIX) :])))
        else:
            automaton.add_word(key, key_id)
    if len(automaton):
        automaton.make_automaton()
    keys = tuple(sorted(table.ids, key=table.ids.__getitem__))
    return Matcher(
        automaton=automaton if len(automaton) else None,
        keys=keys,
        key_terms=tuple(table.terms),
        key_words=tuple(len(key.split()) for key in keys),
        regexes=tuple(regexes),
        watches=compiled,
    )


class _WatchCompiler:
    """Resolves one watch's ``@lists`` and terms into key ids."""

    def __init__(self, watch: WatchConfig, table: _KeyTable) -> None:
        self.watch = watch
        self.table = table
        self.errors: list[RuleError] = []  # every one found; compiling goes on past each
        self.lists: dict[str, list[int]] = {}
        for list_name, terms in watch.terms.items():
            self._extend(list_name, terms, ("terms", list_name))
        # A language block adds its terms to the lists of the same name, so
        # adding a language is adding one block, never editing a signal.
        for language, lists in watch.languages.items():
            for list_name, terms in lists.items():
                self._extend(list_name, terms, ("languages", language, list_name))
        self.names: dict[int, NameKey] = {}
        for section, kind in (("places", "place"), ("actors", "actor")):
            for name, entry in getattr(watch, section).items():
                self._name(kind, name, [name, *entry.aliases], entry.in_, (section, name))

    def _name(
        self, kind: str, name: str, spellings: list[str], lists: list[str], where: Location
    ) -> None:
        """Key every spelling of a place or an actor; add them to the lists ``in`` names."""
        for index, spelling in enumerate(spellings):
            location = where if index == 0 else (*where, "aliases", index - 1)
            try:
                key, ending = name_key(spelling)
            except ValueError as exc:
                self._error(location, str(exc))
                continue
            key_id = self.table.add(key, spelling)
            other = self.names.setdefault(key_id, NameKey(kind, name, ending))
            if (other.kind, other.name) != (kind, name):
                # Otherwise the first entry silently takes every match of the spelling.
                self._error(
                    location,
                    f"{spelling!r} is also a spelling of {other.kind} {other.name!r} "
                    "(accents, script and word endings aside): give each spelling to one entry",
                )
            for list_name in lists:
                keys = self.lists.setdefault(list_name, [])
                if key_id not in keys:
                    keys.append(key_id)

    def _extend(self, list_name: str, terms: list[str], location: Location) -> None:
        keys = self.lists.setdefault(list_name, [])
        for index, term in enumerate(terms):
            key = self._literal(term, (*location, index))
            if key is not None and key not in keys:
                keys.append(key)

    def _error(self, location: Location, message: str) -> None:
        self.errors.append(RuleError(self.watch.name, location, message))

    def _literal(self, term: str, location: Location) -> int | None:
        if term.startswith("@"):
            self._error(location, f"{term!r}: a term list cannot name another list")
            return None
        try:
            return self.table.add(term_key(term), term)
        except ValueError as exc:
            self._error(location, str(exc))
            return None

    def groups(self, terms: list[str], location: Location) -> tuple[Group, ...]:
        resolved = []
        for index, term in enumerate(terms):
            if term.startswith("@"):
                if term[1:] not in self.lists:
                    self._error((*location, index), self._unknown_list(term))
                    continue
                resolved.append(frozenset(self.lists[term[1:]]))
            else:
                key = self._literal(term, (*location, index))
                if key is not None:
                    resolved.append(frozenset({key}))
        return tuple(resolved)

    def _unknown_list(self, term: str) -> str:
        names = [f"@{name}" for name in self.lists]
        close = difflib.get_close_matches(term, names, n=1)
        if close:
            return f"unknown term list {term!r} (did you mean {close[0]!r}?)"
        return f"unknown term list {term!r} (defined: {', '.join(names) or 'none'})"

    def term_set(self, terms: ScopeConfig, location: Location) -> CompiledTermSet:
        return CompiledTermSet(
            any_groups=self.groups(terms.any_, (*location, "any")),
            all_groups=self.groups(terms.all_, (*location, "all")),
            title_only=terms.in_ == "title",
            name=_where(location),
            any_terms=tuple(terms.any_),
            all_terms=tuple(terms.all_),
        )

    def compile(self) -> CompiledWatch:
        watch = self.watch
        signals = []
        for index, signal in enumerate(watch.signals):
            where: Location = ("signals", index)
            near_keys: frozenset[int] = frozenset()
            if signal.near is not None:
                near_groups = self.groups(signal.near.terms, (*where, "near", "terms"))
                near_keys = frozenset().union(*near_groups)
            not_near_keys: frozenset[int] = frozenset()
            if signal.not_near is not None:
                groups = self.groups(signal.not_near.terms, (*where, "not_near", "terms"))
                not_near_keys = frozenset().union(*groups)
            any_groups = self.groups(signal.any_, (*where, "any"))
            all_groups = self.groups(signal.all_, (*where, "all"))
            signals.append(
                CompiledSignal(
                    name=signal.name,
                    weight=float(signal.weight),
                    any_groups=any_groups,
                    all_groups=all_groups,
                    not_groups=self.groups(signal.not_, (*where, "not")),
                    hit_keys=frozenset().union(*(any_groups or all_groups)),
                    near_keys=near_keys,
                    near_within=signal.near.within if signal.near is not None else 0,
                    title_only=signal.in_ == "title",
                    max_hits=signal.max_hits,
                    not_near_keys=not_near_keys,
                    not_near_within=signal.not_near.within if signal.not_near is not None else 0,
                    up_to=LEVEL_NAMES.index(signal.up_to),
                    at_most=None if signal.at_most is None else LEVEL_NAMES.index(signal.at_most),
                )
            )
        negators: frozenset[int] = frozenset()
        not_negators: dict[str, frozenset[int]] = {}
        after_negators: frozenset[int] = frozenset()
        if watch.negation is not None:
            after_groups = self.groups(watch.negation.after, ("negation", "after"))
            after_negators = frozenset().union(*after_groups)
            negator_groups = self.groups(watch.negation.terms, ("negation", "terms"))
            negators = frozenset().union(*negator_groups)
            for language, terms in watch.negation.not_in.items():
                groups = self.groups(terms, ("negation", "not_in", language))
                not_negators[language] = frozenset().union(*groups) & negators
        levels = watch.levels
        signals_by_key: dict[int, list[int]] = {}
        for index, compiled in enumerate(signals):
            for key in compiled.hit_keys:
                signals_by_key.setdefault(key, []).append(index)
        return CompiledWatch(
            name=watch.name,
            scope=self.term_set(watch.scope, ("scope",)),
            exclude=tuple(
                self.term_set(terms, ("exclude", index))
                for index, terms in enumerate(watch.exclude)
            ),
            signals=tuple(signals),
            negators=negators,
            negation_within=watch.negation.within if watch.negation is not None else 0,
            not_negators={lang: keys for lang, keys in not_negators.items() if keys},
            after_negators=after_negators,
            title_boost=float(watch.title_boost),
            levels=tuple((name, float(getattr(levels, name))) for name in LEVEL_NAMES),
            version=rules_version(watch),
            signals_by_key={key: tuple(indexes) for key, indexes in signals_by_key.items()},
            names=self.names,
        )

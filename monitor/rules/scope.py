"""Why an article is out of a watch's scope, in words. Pure.

The scope's clauses are looked at one by one: each ``all`` item, then the
``any`` list as a whole. The reason names every clause the article failed and
what it did mention of the others, so that a miss can be diagnosed:
``mentions Zvečan, Mitrovica (@kosovo) but nothing of scope.all item
'@dispute'``. What it mentions is given by the gazetteer's own names, else by
the watch's terms as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from monitor.rules.compile import CompiledTermSet, Group, NameKey

SHOWN = 3
"""How many of the words a clause matched are named; the rest are counted."""


class Found(Protocol):
    """Where a rule key matched: which key, at which token."""

    @property
    def key(self) -> int: ...

    @property
    def position(self) -> int: ...


class Matches(Protocol):
    """An article's matches, as scoring found them."""

    def matches(self, keys: Group, title_only: bool = False) -> Sequence[Found]: ...


def scope_miss(
    document: Matches,
    scope: CompiledTermSet,
    names: Mapping[int, NameKey],
    key_terms: Sequence[str],
) -> str:
    """Which clauses of ``scope`` the article failed, and what it mentions of the others."""
    only = scope.title_only
    mentioned: list[str] = []
    failed: list[str] = []
    for group, term in zip(scope.all_groups, scope.all_terms, strict=True):
        found = _mentioned(document.matches(group, only), names, key_terms)
        if found:
            mentioned.append(f"{_listed(found)} ({term})")
        else:
            failed.append(repr(term))
    missing = []
    if failed:
        items = "item" if len(failed) == 1 else "items"
        missing.append(f"nothing of {scope.name}.all {items} {' and '.join(failed)}")
    if scope.any_groups:
        any_keys = frozenset().union(*scope.any_groups)
        found = _mentioned(document.matches(any_keys, only), names, key_terms)
        if found:
            mentioned.append(f"{_listed(found)} ({scope.name}.any)")
        else:
            missing.append(f"none of {scope.name}.any ({_listed(list(scope.any_terms), 4)})")
    where = "the title mentions" if only else "mentions"
    if not mentioned:
        return f"{where} {' and '.join(missing)}"
    return f"{where} {'; '.join(mentioned)} but {' and '.join(missing)}"


def _mentioned(
    found: Sequence[Found], names: Mapping[int, NameKey], key_terms: Sequence[str]
) -> list[str]:
    """What the matches name, in the order of the article, one label per word.

    Where a gazetteer name and a term match at the same word (``Kosovo`` and
    ``Kosov*``), the name is shown.
    """
    labels: dict[int, str] = {}
    for match in found:
        name = names.get(match.key)
        if name is not None:
            labels[match.position] = name.name
        else:
            labels.setdefault(match.position, repr(key_terms[match.key]))
    return list(dict.fromkeys(labels[position] for position in sorted(labels)))


def _listed(labels: list[str], shown: int = SHOWN) -> str:
    """A few labels, and how many more."""
    more = f" and {len(labels) - shown} more" if len(labels) > shown else ""
    return ", ".join(labels[:shown]) + more

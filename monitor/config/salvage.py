"""What is valid in a file that is not: its model with the broken parts left out.

``monitor check`` lists every problem in one pass, so the checks that need a
model (an unknown term list, a term that does not compile) must run on a watch
that also has a ``weight: six``. ``salvage`` mends what failed -- a list item
or an optional key is taken out, a required key gets a neutral value (``weight:
0``), a named entry an empty one (``terms.sides: []``, so ``@sides`` still
resolves) -- and validates again, until the model validates or only the whole
file is left to take out. ``Salvaged.original`` maps a
location in the salvaged model back to the file, whose list items it shifted.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from monitor.config.schema import is_named_map, neutral_value, required_at
from monitor.config.yamlfile import Location

ModelT = TypeVar("ModelT", bound=BaseModel)
MAX_ROUNDS = 20
"""Validation rounds before giving up (each takes out at least one broken part)."""


class _Dropped:
    """Marks a list item to take out."""


_DROPPED = _Dropped()


@dataclass
class Salvaged(Generic[ModelT]):
    """The model of what validated, and which list items were taken out to get it."""

    model: ModelT
    kept: dict[Location, list[int]] = field(default_factory=dict)
    """For each list that lost items (by its location in the file), the file's
    indexes of the items left, in order."""

    def original(self, location: Location) -> Location:
        """Where ``location`` (in the salvaged model) is in the file."""
        result: Location = ()
        for part in location:
            kept = self.kept.get(result)
            if isinstance(part, int) and kept is not None and 0 <= part < len(kept):
                part = kept[part]
            result = (*result, part)
        return result


def salvage(model: type[ModelT], data: Any, error: ValidationError) -> Salvaged[ModelT] | None:
    """``model`` validated from ``data`` without the parts ``error`` names, or ``None``
    if a part the model cannot do without is broken."""
    work = copy.deepcopy(data)
    kept: dict[Location, list[int]] = {}
    for _ in range(MAX_ROUNDS):
        # Deepest first, each place once: mending a key, then its parent, is safe.
        broken = {_broken_part(work, detail["loc"], detail["type"]) for detail in error.errors()}
        for location, missing in sorted(broken, key=lambda part: len(part[0]), reverse=True):
            if not _mend(model, work, location, missing=missing):
                return None
        _sweep(work, (), kept)
        try:
            return Salvaged(model.model_validate(work), kept)
        except ValidationError as again:
            error = again
    return None


def _broken_part(data: Any, loc: tuple[int | str, ...], kind: str) -> tuple[Location, bool]:
    """Where pydantic's ``loc`` is in ``data`` (skipping the names pydantic adds, such as
    a union's tag), and whether it is a required key the data lacks."""
    location: Location = ()
    for part in loc:
        value = _get(data, location)
        in_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        if in_list or (isinstance(value, dict) and part in value):
            location = (*location, part)
    parent = _get(data, location)
    if kind == "missing" and loc and isinstance(parent, dict) and loc[-1] not in parent:
        return (*location, loc[-1]), True
    return location, False


def _get(data: Any, location: Location) -> Any:
    for part in location:
        data = data[part]
    return data


def _mend(model: type[BaseModel], work: Any, location: Location, *, missing: bool) -> bool:
    """Mend the broken part at ``location`` of ``work``: take it out, or put a neutral value
    (``0``, ``""``, ``[]``) in a key the model requires; failing that, mend its parent.
    ``False`` when only the whole file is left to take out."""
    while location:
        try:
            parent, key = _get(work, location[:-1]), location[-1]
        except (KeyError, IndexError, TypeError):
            return True  # inside a part already taken out
        if isinstance(parent, list) and isinstance(key, int):
            parent[key] = _DROPPED
            return True
        if isinstance(parent, dict):
            if key not in parent and not missing:
                return True  # already taken out
            neutral = neutral_value(model, work, location)
            if is_named_map(model, work, location[:-1]) or key in required_at(
                model, work, location[:-1]
            ):
                if neutral is not None and parent.get(key, _DROPPED) != neutral:
                    parent[key] = neutral
                    return True
            elif key in parent:
                del parent[key]
                return True
        missing = False
        location = location[:-1]
    return False


def _sweep(data: Any, location: Location, kept: dict[Location, list[int]]) -> None:
    """Remove the dropped items of every list, remembering the file's indexes of the rest."""
    if isinstance(data, dict):
        for key, value in data.items():
            _sweep(value, (*location, key), kept)
    elif isinstance(data, list):
        indexes = kept.get(location, [])
        if len(indexes) != len(data):  # first seen, or the whole list was mended since
            indexes = list(range(len(data)))
            kept.pop(location, None)
        if any(item is _DROPPED for item in data):
            pairs = [(index, item) for index, item in zip(indexes, data, strict=True)]
            survivors = [(index, item) for index, item in pairs if item is not _DROPPED]
            data[:] = [item for _, item in survivors]
            indexes = [index for index, _ in survivors]
            kept[location] = indexes
        for index, item in zip(indexes, data, strict=True):
            _sweep(item, (*location, index), kept)

"""Pydantic's validation errors as problems a person can fix.

Each error names the file, the line and the field, in words rather than
pydantic's: an unknown key says which key was probably meant (``unknown key
'wieght' (did you mean 'weight'?)``), and the key it stands for is then not
reported missing as well; a value outside a fixed set says which one was
probably meant. ``did_you_mean`` does the same for any name a file refers to.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from monitor.config.models import CHANNEL_TYPES
from monitor.config.schema import keys_at
from monitor.config.yamlfile import Location, YamlDocument
from monitor.errors import ConfigProblem

_MESSAGES = {
    "missing": "required key is missing",
    "bool_type": "expected true or false",
    "float_type": "expected a number",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "float_parsing": "expected a number",
    "string_type": "expected a string",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "union_tag_not_found": f"channel needs a 'type' ({', '.join(CHANNEL_TYPES)})",
}


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'weight'?)`` when ``name`` is close to one of ``known``, else ``""``."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def validation_problems(
    document: YamlDocument, model: type[BaseModel], data: Any, error: ValidationError
) -> list[ConfigProblem]:
    """The problems of ``error`` (``model`` validating ``data``, read from ``document``)."""
    details = [(yaml_location(document, detail["loc"]), detail) for detail in error.errors()]
    missing = {location for location, detail in details if detail["type"] == "missing"}
    meant: set[Location] = set()  # missing keys that an unknown key is a typo of
    problems = []
    for location, detail in details:
        if detail["type"] == "extra_forbidden" and location:
            message, guess = _unknown_key(model, data, location)
            if guess is not None and (*location[:-1], guess) in missing:
                meant.add((*location[:-1], guess))
        else:
            message = _message(detail)
        problems.append((location, message))
    return [
        ConfigProblem(document.path, document.line_of(location), document.field(location), message)
        for location, message in problems
        if location not in meant
    ]


def _unknown_key(model: type[BaseModel], data: Any, location: Location) -> tuple[str, str | None]:
    key, parent = str(location[-1]), location[:-1]
    known = keys_at(model, data, parent)
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"unknown key {key!r} (did you mean {close[0]!r}?)", close[0]
    listed = f" (expected one of: {', '.join(known)})" if known else ""
    return f"unknown key {key!r}{listed}", None


def _message(detail: ErrorDetails) -> str:
    kind, context = detail["type"], detail.get("ctx", {})
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    if kind == "union_tag_invalid":
        tag = str(context.get("tag", ""))
        hint = did_you_mean(tag, CHANNEL_TYPES) or f" (expected one of: {', '.join(CHANNEL_TYPES)})"
        return f"unknown channel type {tag!r}{hint}"
    if kind == "literal_error":
        expected = str(context.get("expected", ""))
        allowed = [part.strip("'") for part in expected.replace(" or ", ", ").split(", ")]
        value = detail.get("input")
        guess = did_you_mean(value, allowed) if isinstance(value, str) else ""
        return f"expected {expected}{guess}"
    return _MESSAGES.get(kind, detail["msg"])


def yaml_location(document: YamlDocument, loc: tuple[int | str, ...]) -> Location:
    """Map a pydantic error location onto keys that exist in the YAML file.

    Pydantic inserts names of its own (a union's tag, ``function-after``) into
    locations; those are skipped, except as the last part, which names a
    missing key.
    """
    location: Location = ()
    for index, part in enumerate(loc):
        candidate = (*location, part)
        if candidate in document.lines or index == len(loc) - 1:
            location = candidate
    if location and not isinstance(location[-1], int) and location not in document.lines:
        # A union tag or validator name as the last part names no key.
        last = str(location[-1])
        if last in CHANNEL_TYPES or "-" in last or "[" in last:
            location = location[:-1]
    return location

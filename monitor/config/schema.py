"""What a config model allows at a place in a file: its keys, which are required.

Read from the model's JSON schema (aliases as the file writes them: ``any``,
``in``, ``from``), walked along a location such as ``("signals", 2)`` together
with the data, so a channel's ``type`` picks the channel model whose keys apply.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from pydantic import BaseModel

from monitor.config.yamlfile import Location


@functools.cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def _objects(node: dict[str, Any], defs: dict[str, Any], data: Any) -> list[dict[str, Any]]:
    """The plain schemas ``node`` stands for: references followed, unions opened
    (a discriminated union to the one branch ``data`` names, when it names one)."""
    if "$ref" in node:
        return _objects(defs[node["$ref"].rsplit("/", 1)[-1]], defs, data)
    branches = node.get("oneOf") or node.get("anyOf") or node.get("allOf")
    if branches is None:
        return [node]
    discriminator: dict[str, Any] = node.get("discriminator") or {}
    tag = (
        data.get(discriminator["propertyName"])
        if discriminator and isinstance(data, dict)
        else None
    )
    ref = discriminator["mapping"].get(tag) if isinstance(tag, str) else None
    if isinstance(ref, str):
        return _objects({"$ref": ref}, defs, data)
    return [found for branch in branches for found in _objects(branch, defs, data)]


def _at(model: type[BaseModel], data: Any, location: Location) -> list[dict[str, Any]]:
    """The schemas that apply to the value at ``location`` (none if the model has no such place)."""
    schema = _schema(model)
    defs = schema.get("$defs", {})
    nodes = _objects(schema, defs, data)
    for part in location:
        data = _child(data, part)
        children = []
        for node in nodes:
            if isinstance(part, int) and isinstance(node.get("items"), dict):
                children.append(node["items"])
            elif isinstance(part, str) and part in node.get("properties", {}):
                children.append(node["properties"][part])
            elif isinstance(part, str) and isinstance(node.get("additionalProperties"), dict):
                children.append(node["additionalProperties"])
        nodes = [found for child in children for found in _objects(child, defs, data)]
    return nodes


def _child(data: Any, part: str | int) -> Any:
    if isinstance(data, dict):
        return data.get(part)
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return None


def keys_at(model: type[BaseModel], data: Any, location: Location) -> list[str]:
    """The keys the mapping at ``location`` may have, in the model's order."""
    keys: list[str] = []
    for node in _at(model, data, location):
        keys.extend(key for key in node.get("properties", {}) if key not in keys)
    return keys


def required_at(model: type[BaseModel], data: Any, location: Location) -> set[str]:
    """The keys the mapping at ``location`` must have."""
    return {key for node in _at(model, data, location) for key in node.get("required", [])}


def is_named_map(model: type[BaseModel], data: Any, location: Location) -> bool:
    """Whether the mapping at ``location`` has keys the file chooses (``terms``,
    ``places``, ``channels``) rather than the model's own."""
    nodes = _at(model, data, location)
    return any(isinstance(node.get("additionalProperties"), dict) for node in nodes)


def neutral_value(model: type[BaseModel], data: Any, location: Location) -> Any:
    """A value of the kind the model wants at ``location`` that says nothing: ``0``,
    ``""``, ``false``, ``[]``, ``{}`` or the first of a fixed set; ``None`` if none fits."""
    for node in _at(model, data, location):
        if node.get("enum"):
            return node["enum"][0]
        if "const" in node:
            return node["const"]
        if node.get("type") in _NEUTRAL:
            return copy.copy(_NEUTRAL[node["type"]])
    return None


_NEUTRAL: dict[str, Any] = {
    "number": 0, "integer": 0, "string": "", "boolean": False, "array": [], "object": {},
}  # fmt: skip

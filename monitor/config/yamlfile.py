"""Reading YAML config files with the line of every key and item.

Validation errors must name the file, the line and the field, so each file is
composed into PyYAML nodes once: the nodes give the lines, the constructed
document gives the values. Duplicate keys, which PyYAML would silently let the
last one win, are reported as errors. A syntax error is told in plain words
with a hint (``yamlhints``), on a line inside the file. An item of a list
that has a ``name:`` is called by it (``signals[clashes].weight``).
``${NAME}`` and ``${NAME:-default}`` in string values are replaced from the
environment.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from monitor.config.yamlhints import last_line, syntax_problem
from monitor.errors import ConfigProblem

Location = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so ``on:``, ``yes`` and ``no`` stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)

_CONSTRUCTION_ERRORS = (ValueError, TypeError, AttributeError, OverflowError, LookupError)
MAX_DEPTH = 100
"""How deeply collections may nest in a config file (the shipped ones nest 5 deep)."""

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class YamlDocument:
    """A loaded YAML file: its data, the line of every key or item in it, and the
    names of the list items that have one."""

    path: Path
    data: Any
    lines: dict[Location, int]
    labels: dict[Location, str] = field(default_factory=dict)

    def line_of(self, location: Location) -> int | None:
        """Return the line of ``location``, or of its nearest parent that has one."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(location[:end])
            if line is not None:
                return line
        return None

    def field(self, location: Location) -> str:
        """``location`` as the problem's field, list items called by their name."""
        return format_location(location, self.labels)


def format_location(location: Location, labels: Mapping[Location, str] | None = None) -> str:
    """Render ``("signals", 2, "weight")`` as ``signals[2].weight``, or as
    ``signals[clashes].weight`` when ``labels`` names that item."""
    text = ""
    for end, part in enumerate(location, start=1):
        if isinstance(part, int):
            label = labels.get(location[:end]) if labels else None
            text += f"[{label if label is not None else part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def load_yaml(path: Path) -> tuple[YamlDocument | None, list[ConfigProblem]]:
    """Load ``path``; return the document, or ``None`` and the problems found."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ConfigProblem(path, None, "", f"cannot read file: {exc}")]
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        # The reader refuses control characters YAML does not allow, before parsing.
        where = min(text.count("\n", 0, exc.position) + 1, last_line(text))
        message = f"invalid YAML: the character U+{exc.character:04X} is not allowed"
        return None, [ConfigProblem(path, where, "", message)]
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        line, message = syntax_problem(exc, text)
        return None, [ConfigProblem(path, line, "", f"invalid YAML: {message}")]
    except yaml.YAMLError as exc:
        return None, [ConfigProblem(path, None, "", f"invalid YAML: {exc}")]
    except _CONSTRUCTION_ERRORS as exc:
        # PyYAML lets some values raise plain errors: an integer of more than 4,300
        # digits (Python's limit on int(str)), "!!timestamp x" or "!!bool x".
        reason = f" ({str(exc).split(';')[0]})" if isinstance(exc, ValueError) else ""
        message = f"invalid YAML: a value that cannot be read{reason}"
        return None, [ConfigProblem(path, _unreadable_scalar(node), "", message)]
    except RecursionError:
        # PyYAML composes nested collections recursively: a few hundred levels
        # of brackets exhaust the stack (the fuzzed edits found it).
        message = f"invalid YAML: nested more than {MAX_DEPTH} levels deep"
        return None, [ConfigProblem(path, _too_deep(text), "", message)]
    finally:
        loader.dispose()
    lines: dict[Location, int] = {(): 1}
    labels: dict[Location, str] = {}
    problems: list[ConfigProblem] = []
    if node is not None:
        _record_lines(path, node, (), lines, labels, problems)
    return YamlDocument(path, data, lines, labels), problems


def _unreadable_scalar(root: yaml.Node | None) -> int | None:
    """The line of the first scalar under ``root`` that PyYAML cannot turn into a value."""
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.constructor.SafeConstructor().construct_object(node)
            except _CONSTRUCTION_ERRORS:
                mark = node.start_mark
                return int(mark.line) + 1 if mark is not None else None
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return None


def _too_deep(text: str) -> int | None:
    """The line where ``text`` first nests deeper than ``MAX_DEPTH``, found without
    recursion (PyYAML's parser keeps its own stack; only its composer recurses)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                mark = event.start_mark
                if depth > MAX_DEPTH and mark is not None:
                    return int(mark.line) + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


def _record_lines(
    path: Path,
    node: yaml.Node,
    location: Location,
    lines: dict[Location, int],
    labels: dict[Location, str],
    problems: list[ConfigProblem],
) -> None:
    if len(location) >= MAX_DEPTH and isinstance(node, yaml.CollectionNode):
        message = f"invalid YAML: nested more than {MAX_DEPTH} levels deep"
        problems.append(ConfigProblem(path, node.start_mark.line + 1, "", message))
        return
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            child = (*location, key)
            line = key_node.start_mark.line + 1
            if child in lines:
                field = format_location(child, labels)
                problems.append(ConfigProblem(path, line, field, "duplicate key"))
            lines[child] = line
            _record_lines(path, value_node, child, lines, labels, problems)
    elif isinstance(node, yaml.SequenceNode):
        labels.update(_item_names(node, location))
        for index, item in enumerate(node.value):
            child = (*location, index)
            lines[child] = item.start_mark.line + 1
            _record_lines(path, item, child, lines, labels, problems)


_LABEL = re.compile(r"^(?!\d+$)[^\s\[\].]{1,60}$")


def _item_names(node: yaml.SequenceNode, location: Location) -> dict[Location, str]:
    """The ``name:`` of each item of a list, for the items whose name is short,
    has no brackets, dots or spaces, and is used by no other item of the list."""
    names: dict[int, str] = {}
    for index, item in enumerate(node.value):
        if isinstance(item, yaml.MappingNode):
            for key_node, value_node in item.value:
                named = key_node.value == "name" and isinstance(value_node, yaml.ScalarNode)
                if named and _LABEL.match(str(value_node.value)):
                    names[index] = str(value_node.value)
    counts = Counter(names.values())
    return {(*location, i): name for i, name in names.items() if counts[name] == 1}


def expand_environment(
    document: YamlDocument, environ: Mapping[str, str]
) -> tuple[Any, set[str], list[ConfigProblem]]:
    """Replace ``${NAME}`` references; return the data, the values used, and problems.

    The values taken from the environment are returned so that they can be
    kept out of every log line. A missing variable with no default is a problem
    naming the variable, never its value.
    """
    used: set[str] = set()
    problems: list[ConfigProblem] = []

    def expand(value: Any, location: Location) -> Any:
        if isinstance(value, dict):
            return {key: expand(item, (*location, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [expand(item, (*location, index)) for index, item in enumerate(value)]
        if not isinstance(value, str) or "${" not in value:
            return value

        def substitute(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in environ:
                used.add(environ[name])
                return environ[name]
            if default is not None:
                return default
            problems.append(
                ConfigProblem(
                    document.path,
                    document.line_of(location),
                    document.field(location),
                    f"environment variable {name} is not set",
                    unset_variable=name,
                )
            )
            return ""

        return _ENV_REFERENCE.sub(substitute, value)

    return expand(document.data, ()), used, problems

"""YAML syntax errors in plain words, with a hint, on a line inside the file.

PyYAML says what its parser expected (``while parsing a block collection ...
expected <block end>, but found '<block mapping start>'``); a person editing a
watch needs to hear what is wrong with the line and what to do about it: an
indentation that does not line up, a value that starts with ``@`` and needs
quotes, a tab, a quote or bracket never closed. A problem found at the end of
the file (PyYAML's mark may then point one line past it) is reported where the
unclosed quote or bracket opened, and no line is ever past the file's last.
"""

from __future__ import annotations

import re

import yaml

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""Where YAML breaks lines: a lone CR, NEL and the Unicode separators too."""
_WORD_END = re.compile(r"[\s,\[\]{}#]")
_CLOSERS = {"[": "]", "{": "}"}


def last_line(text: str) -> int:
    """The number of the last line of ``text`` that has any character (at least 1)."""
    return max(1, len(_LINE_BREAK.split(text.rstrip("\r\n\x85\u2028\u2029"))))


def syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> tuple[int | None, str]:
    """The line of a YAML syntax error and what to say about it."""
    problem, context = exc.problem or "", exc.context or ""
    at = _line(exc.problem_mark, text)
    opened = _line(exc.context_mark, text)
    if "cannot start any token" in problem and exc.problem_mark is not None:
        return at, _cannot_start(text, exc.problem_mark)
    if "tab" in problem:
        return at, _TAB
    if "quoted scalar" in context and opened is not None:
        if "escape" in problem:
            return at, (
                f"{problem.removeprefix('found ')} in double quotes: use single quotes, "
                "or write \\\\ for one backslash"
            )
        quote = _char(text, exc.context_mark)
        return opened, f"the {quote} opened on this line is never closed"
    if context.startswith("while parsing a flow") and opened is not None:
        bracket = _char(text, exc.context_mark)
        closer = _CLOSERS.get(bracket, "]")
        return opened, (
            f"the '{bracket}' opened on this line is not closed with '{closer}' "
            f"(or a ',' is missing between two of its items)"
        )
    if "simple key" in context and opened is not None:
        return opened, (
            "this line is not 'key: value': a ':' is missing, or a value goes on "
            "over two lines without quotes"
        )
    if "expected <block end>" in problem and "<scalar>" in problem:
        return at, "unexpected text after a value: put the whole value in quotes"
    if "mapping values are not allowed" in problem:
        return at, (
            "a ':' where no key can start: quote a value that contains ': ', "
            "or line this key up with the keys above it"
        )
    if "expected <block end>" in problem:
        start = f" (the block starts on line {opened})" if opened is not None else ""
        return at, (
            f"bad indentation: this line does not line up with the lines above it{start}; "
            "indent with spaces, the same number for each key of one block"
        )
    if "undefined alias" in problem or "while scanning an alias" in context:
        return at, _quote_hint("*")
    if "while scanning an anchor" in context:
        return at, _quote_hint("&")
    if "single document" in context:
        return at, "a second document ('---') in one file: keep only one"
    parts = [part for part in (context, problem) if part]
    return at, ", ".join(parts) or "the file cannot be read as YAML"


_TAB = "a tab character: YAML indents with spaces only, replace the tab with spaces"


def _quote_hint(char: str, word: str = "") -> str:
    example = f', like "{word}"' if word else ""
    return f"a value starts with '{char}': quote a value that starts with {char}{example}"


def _cannot_start(text: str, mark: yaml.Mark) -> str:
    char = _char(text, mark)
    if char == "\t":
        return _TAB
    word = _WORD_END.split(text[mark.index :], maxsplit=1)[0]
    return _quote_hint(char, word)


def _char(text: str, mark: yaml.Mark | None) -> str:
    return text[mark.index] if mark is not None and mark.index < len(text) else "?"


def _line(mark: yaml.Mark | None, text: str) -> int | None:
    return min(int(mark.line) + 1, last_line(text)) if mark is not None else None

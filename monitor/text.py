"""One text normalization, shared by rules and articles.

Matching must be case-, diacritic- and script-insensitive: ``Vučić``,
``VUCIC``, ``Вучић`` and ``Vucic`` all fold to ``vucic``. Folding works one
character at a time through a cached translation table, so a whole article
folds in one ``str.translate`` call, and every character of the input maps to
either a separator (``" "``), nothing (a stray combining mark) or letters and
digits. That keeps the token boundaries of the folded text and of the original
text identical, which is what lets a hit point back at the words it matched.
"""

from __future__ import annotations

import re
import unicodedata

# Serbian, Macedonian, Russian and Ukrainian Cyrillic, transliterated the way
# the same names are written in Serbian Latin once diacritics are dropped
# (Вучић -> vucic, Ђурић -> djuric, Џаковица -> dzakovica, Љубљана -> ljubljana).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e",
    "ж": "z", "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj",
    "м": "m", "н": "n", "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "ћ": "c", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "c",
    "џ": "dz", "ш": "s", "ѓ": "gj", "ќ": "kj", "ѕ": "dz", "й": "j",
    "щ": "sc", "ы": "y", "э": "e", "ю": "ju", "я": "ja", "ё": "e", "ь": "",
    "ъ": "", "і": "i", "ї": "ji", "є": "je", "ґ": "g",
}  # fmt: skip

# Latin letters that Unicode does not decompose into a base letter plus a mark.
_LATIN_SPECIAL = {
    "đ": "dj", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe",
    "ı": "i", "þ": "th", "ħ": "h", "ŧ": "t",
}  # fmt: skip

# Albanian writes place names in an indefinite form ending in -ë and a definite
# form ending in -a (Mitrovicë / Mitrovica, Prishtinë / Prishtina); English and
# Serbian press use the -a form. Folding a word-final ë to a makes them one word.
_ALBANIAN_FINAL_E = re.compile(r"[ëË](?![^\W_])")

BREAK = "|"
"""The token that marks the end of a sentence (and the title/text boundary).

No phrase matches across it, and a negation does not reach past it."""

# A full stop, question or exclamation mark, semicolon or ellipsis followed by
# white space ends a sentence; "U.S." or "3.5" do not. The mark is swapped for
# a private-use character (feed text never keeps those: ``normalize`` strips
# them), which folds to a break token, so offsets stay where they were.
_SENTENCE_END = re.compile(r"[.!?;\u2026](?=\s|$)")
_BREAK_CHAR = "\ue000"


def _fold_char(char: str) -> str:
    """Fold one character to lowercase ASCII-ish letters, ``" "`` or ``""``."""
    if unicodedata.combining(char):
        return ""
    folded = []
    for lower in char.casefold():
        if lower in _CYRILLIC:
            folded.append(_CYRILLIC[lower])
        elif lower in _LATIN_SPECIAL:
            folded.append(_LATIN_SPECIAL[lower])
        else:
            folded.extend(
                part
                for part in unicodedata.normalize("NFKD", lower)
                if part.isalnum() and not unicodedata.combining(part)
            )
    return "".join(folded) or " "


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that computes and caches each character's fold."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_TABLE = _FoldTable({ord(_BREAK_CHAR): f" {BREAK} "})


def fold(text: str) -> str:
    """Return ``text`` case-, diacritic- and script-folded, same token boundaries.

    Every run of separators stays a run of spaces; letters and digits become
    lowercase Latin letters and digits; the end of a sentence becomes ``BREAK``.
    """
    text = unicodedata.normalize("NFC", text)
    text = _SENTENCE_END.sub(_BREAK_CHAR, _ALBANIAN_FINAL_E.sub("a", text))
    return text.translate(_TABLE)


def tokens(text: str) -> list[str]:
    """Return the folded words of ``text`` in order, with ``BREAK`` between sentences."""
    return fold(text).split()


def token_spans(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` offsets in NFC ``text`` of each token of ``tokens``."""
    text = _SENTENCE_END.sub(_BREAK_CHAR, unicodedata.normalize("NFC", text))
    spans: list[tuple[int, int]] = []
    start: int | None = None
    has_letters = False
    for index, char in enumerate(text):
        folded = _TABLE[ord(char)]
        if folded == " " or char == _BREAK_CHAR:
            if start is not None and has_letters:
                spans.append((start, index))
            if char == _BREAK_CHAR:
                spans.append((index, index + 1))
            start, has_letters = None, False
            continue
        if start is None:
            start = index
        has_letters = has_letters or bool(folded)
    if start is not None and has_letters:
        spans.append((start, len(text)))
    return spans

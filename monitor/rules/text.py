"""One text normalization, shared by rules and articles.

Matching must be case-, diacritic- and script-insensitive: ``Vučić``,
``VUCIC``, ``Вучић`` and ``Vucic`` all fold to ``vucic``. Every script folds
to Latin: Cyrillic (Serbian, Macedonian, Russian, Ukrainian, Bulgarian) by a
table written the way Serbian Latin writes the same names, Greek by
modern Greek romanization (``Μητρόβιτσα`` -> ``mitrovitsa``), every other
script by ``anyascii``. Every character folds, through a cached translation
table, to a separator (``" "``), nothing (a stray combining mark, a soft
sign) or lowercase ASCII letters and digits, so the tokens of the folded text
and the words of the original line up one to one: that is what lets a hit
point back at the words it matched.

ASCII text (most English news) folds in a few passes of C over the whole
string; other text is split on white space and each distinct word is folded
once (news repeats its words). Either way tokenizing a 2 KB article takes
tens of microseconds, whatever its script, and both routes give the same
tokens (a property test holds them to it).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate, islice

from anyascii import anyascii

# Cyrillic, transliterated the way the same names are written in Serbian Latin
# once diacritics are dropped (Вучић -> vucic, Ђурић -> djuric, Џаковица ->
# dzakovica, Љубљана -> ljubljana): a library would write Serbian ч, ћ and ж
# as ch, c and zh, and no Latin spelling would match. The letters of the other
# languages follow the same rule: Macedonian ќ and ѓ are Serbian ć and đ
# (Вучиќ, Ѓорѓе, меѓу), Bulgarian щ is št (Прищина) and its ъ, like the
# Russian signs ъ and ь, is dropped inside the word (Сърбия -> srbija).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e",
    "ж": "z", "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj",
    "м": "m", "н": "n", "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "ћ": "c", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "c",
    "џ": "dz", "ш": "s", "ѓ": "dj", "ќ": "c", "ѕ": "dz", "й": "j",
    "щ": "st", "ы": "y", "э": "e", "ю": "ju", "я": "ja", "ё": "e", "ь": "",
    "ъ": "", "і": "i", "ї": "ji", "є": "je", "ґ": "g",
}  # fmt: skip

# The one Latin letter folded otherwise than anyascii does: Serbian and
# Croatian đ is written dj when the diacritic is dropped (Đurić -> djuric).
_LATIN_SPECIAL = {"đ": "dj"}

# Modern Greek writes some sounds with two letters, so two letters fold
# together, as ELOT 743 (the romanization of Greek passports and road signs)
# has it, but for ου, which is u, the way Greek writes a foreign u (Κούρτι ->
# kurti): αυ ευ ηυ are av ev iv (af ef if before a voiceless consonant or at
# the end), μπ ντ γκ are b d g at the start of a word and mb nd ng inside it,
# γ before γ ξ χ is n. An accent on υ (ού, αύ) is dropped first; one on the
# vowel before it (άυλος) or a diaeresis (ϋ) keeps the two vowels apart. Every
# pair folds to letters, so tokens still line up with the words.
_GREEK_WORD = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")
_MARKS_ON_UPSILON = re.compile("(?<=υ)[\u0300-\u0307\u0309-\u036f]+")
_GREEK_PAIR = re.compile(
    r"(?P<initial>(?<![^\W_])(?:μπ|ντ|γκ))|ου|(?P<vowel>[αεη])υ"
    r"(?P<voiceless>(?=[θκξπσςτφχψ]|(?![^\W_])))?|μπ|ντ|γκ|γ(?=[γξχ])"
)
_GREEK_PAIRS = {
    "ου": "u", "μπ": "mb", "ντ": "nd", "γκ": "ng", "γ": "n", "α": "a", "ε": "e", "η": "i",
}  # fmt: skip
_GREEK_INITIALS = {"μπ": "b", "ντ": "d", "γκ": "g"}


def _greek_pair(match: re.Match[str]) -> str:
    """The Latin letters of one Greek two-letter sound."""
    if match["initial"]:
        return _GREEK_INITIALS[match["initial"]]
    if match["vowel"]:
        return _GREEK_PAIRS[match["vowel"]] + ("f" if match["voiceless"] is not None else "v")
    return _GREEK_PAIRS[match[0]]


def _greek_pairs(word: str) -> str:
    """``word`` in lowercase with its Greek two-letter sounds in Latin."""
    word = _MARKS_ON_UPSILON.sub("", unicodedata.normalize("NFD", word.casefold()))
    return _GREEK_PAIR.sub(_greek_pair, unicodedata.normalize("NFC", word))


# Albanian writes place names in an indefinite form ending in -ë and a definite
# form ending in -a (Mitrovicë / Mitrovica, Prishtinë / Prishtina); English and
# Serbian press use the -a form. Folding a word-final ë to a makes them one word.
_ALBANIAN_FINAL_E = re.compile(r"[ëË](?![^\W_])")

BREAK = "|"
"""The token that marks the end of a sentence (and the title/text boundary).

No phrase matches across it, and a negation does not reach past it. A ``|``
in the text itself (a headline separator) is a break too."""

# A full stop, question or exclamation mark, semicolon or ellipsis that ends a
# white-space-separated word ends a sentence; "U.S. troops" breaks after "S",
# "3.5 km" does not break.
_SENTENCE_MARKS = frozenset(".!?;\u2026")
_SPAN = re.compile(r"[xy]*x[xy]*|\|")
_WHITE_SPACE = re.compile(r"(\s+)")


def _latin(char: str) -> str:
    """One lowercase letter, digit or mark of any script, in ASCII letters and digits.

    Latin letters lose their diacritics by decomposition (``é`` -> ``e``, ``½``
    -> ``12``); other scripts are transliterated by ``anyascii``. A letter
    neither knows stays as it is, so that it still matches itself.
    """
    decomposed = "".join(
        part
        for part in unicodedata.normalize("NFKD", char)
        if part.isalnum() and not unicodedata.combining(part)
    )
    if decomposed and decomposed.isascii():
        return decomposed
    transliterated = anyascii(char)
    if not transliterated:
        return decomposed
    # A letter written as punctuation (the Ukrainian apostrophe ʼ) is nothing.
    return "".join(filter(str.isalnum, transliterated.lower()))


def _fold_char(char: str) -> str:
    """Fold one character to lowercase letters and digits, ``" "`` or ``""``.

    A letter, digit or mark always folds to letters or to nothing (it stays in
    its word), in ASCII unless no table and no transliteration knows it;
    anything else (punctuation, symbols, emoji) is a separator.
    """
    if unicodedata.combining(char):
        return ""
    folded = []
    in_word = False
    for lower in char.casefold():
        if lower in _CYRILLIC:
            folded.append(_CYRILLIC[lower])
        elif lower in _LATIN_SPECIAL:
            folded.append(_LATIN_SPECIAL[lower])
        elif unicodedata.category(lower)[0] in "LMN":
            folded.append(_latin(lower))
        else:
            continue
        in_word = True
    return "".join(folded) if in_word else " "


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that computes and caches each character's fold."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_TABLE = _FoldTable({ord(BREAK): BREAK})


class _MaskTable(dict[int, str]):
    """Maps each character to its role: ``x`` letter, ``y`` mark, space or ``BREAK``."""

    def __missing__(self, code: int) -> str:
        folded = _TABLE[code]
        role = folded if folded in (" ", BREAK) else ("x" if folded else "y")
        self[code] = role
        return role


_MASK = _MaskTable()


def _fold_word(word: str) -> tuple[str, ...]:
    """The tokens of one white-space-free word."""
    ends_sentence = word[-1] in _SENTENCE_MARKS
    body = word[:-1] if ends_sentence else word
    if "ë" in body or "Ë" in body:
        body = _ALBANIAN_FINAL_E.sub("a", body)
    if _GREEK_WORD.search(body):
        body = _greek_pairs(body)
    folded = tuple(body.translate(_TABLE).replace(BREAK, f" {BREAK} ").split())
    return (*folded, BREAK) if ends_sentence else folded


_CACHE_LIMIT = 200_000
_FOLDED_WORDS: dict[str, str] = {}
"""Each distinct word's tokens, space-separated, folded once (a plain dict: the
fastest lookup there is); emptied when it grows past ``_CACHE_LIMIT``."""


_TOKEN_COUNTS: dict[str, int] = {}
"""Each distinct word's number of tokens, like ``_FOLDED_WORDS``."""


def _learn(words: list[str]) -> None:
    """Put every word of ``words`` that the caches lack into them."""
    if len(_FOLDED_WORDS) > _CACHE_LIMIT:
        _FOLDED_WORDS.clear()
        _TOKEN_COUNTS.clear()
    for word in words:
        if word not in _FOLDED_WORDS:
            folded = _fold_word(word)
            _FOLDED_WORDS[word] = " ".join(folded)
            _TOKEN_COUNTS[word] = len(folded)


def _folded_text(words: list[str]) -> str:
    """The folded words of ``words``, one space between tokens."""
    try:
        # A plain dict's __getitem__ through map: the fastest lookup there is.
        return " ".join(filter(None, map(_FOLDED_WORDS.__getitem__, words)))
    except KeyError:
        _learn(words)
        return " ".join(filter(None, map(_FOLDED_WORDS.__getitem__, words)))


def _token_counts(words: list[str]) -> list[int]:
    """The number of tokens of each word."""
    try:
        return list(map(_TOKEN_COUNTS.__getitem__, words))
    except KeyError:
        _learn(words)
        return list(map(_TOKEN_COUNTS.__getitem__, words))


@lru_cache(maxsize=100_000)
def _word_spans(word: str) -> tuple[tuple[int, int], ...]:
    """The offsets within ``word`` of each of its tokens."""
    ends_sentence = word[-1] in _SENTENCE_MARKS
    body = word[:-1] if ends_sentence else word
    spans = tuple(match.span() for match in _SPAN.finditer(body.translate(_MASK)))
    return (*spans, (len(body), len(word))) if ends_sentence else spans


def tokens(text: str) -> list[str]:
    """Return the folded words of ``text`` in order, with ``BREAK`` between sentences."""
    return TokenizedText(text).folded.split()


def token_spans(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` offsets in NFC ``text`` of each token of ``tokens``."""
    text = unicodedata.normalize("NFC", text)
    return [
        (word.start() + start, word.start() + end)
        for word in re.finditer(r"\S+", text)
        for start, end in _word_spans(word.group())
    ]


# ASCII text folds in a few passes of C over the whole string: letters and
# digits to themselves in lowercase, white space to a space, a sentence mark to
# _MARK, ``BREAK`` to itself, any other character to _OTHER.
_MARK, _OTHER = "\x01", "\x02"


def _ascii_fold(char: str) -> str:
    if char in _SENTENCE_MARKS:
        return _MARK
    if char.isspace():
        return " "
    if char == BREAK or char.isalnum():
        return char.lower()
    return _OTHER


_ASCII_TABLE = {code: _ascii_fold(chr(code)) for code in range(128)}


def _fold_ascii(text: str) -> str:
    """The folded tokens of ASCII ``text``, one space apart (as ``_folded_text`` gives)."""
    folded = text.translate(_ASCII_TABLE) + " "
    if _MARK in folded:
        # A mark that ends a white-space-separated word ends a sentence.
        folded = folded.replace(_MARK + " ", f" {BREAK} ").replace(_MARK, " ")
    if BREAK in folded:
        folded = folded.replace(BREAK, f" {BREAK} ")
    folded = folded.replace(_OTHER, " ")
    while "  " in folded:
        folded = folded.replace("  ", " ")
    return folded.strip(" ")


class TokenizedText:
    """A text's tokens, and the characters behind any one of them, found on demand."""

    def __init__(self, text: str) -> None:
        if text.isascii():
            self.text = text
            self.folded = _fold_ascii(text)
        else:
            self.text = unicodedata.normalize("NFC", text)
            # A word of punctuation alone folds to nothing: leave it out, so
            # that tokens stay one space apart.
            self.folded = _folded_text(self.text.split())
        self.count = self.folded.count(" ") + 1 if self.folded else 0
        self._words: list[str] | None = None
        self._token_ends: list[int] | None = None
        self._word_starts: list[int] | None = None

    @property
    def words(self) -> list[str]:
        """The white-space-separated words of the text."""
        if self._words is None:
            self._words = self.text.split()
        return self._words

    def span(self, index: int) -> tuple[int, int]:
        """The ``(start, end)`` offsets in ``self.text`` of token ``index``."""
        if self._token_ends is None:
            self._token_ends = list(accumulate(_token_counts(self.words)))
            if len(self.text) - sum(map(len, self.words)) == len(self.words) - 1:
                # One white-space character between words (clean article text).
                lengths = map((1).__add__, map(len, self.words))
                self._word_starts = list(accumulate(lengths, initial=0))
            else:
                # Words and the white space between them, alternately: the
                # running total of their lengths gives every word's offset.
                parts = _WHITE_SPACE.split(self.text)
                offsets = accumulate(map(len, parts), initial=0)
                starts = list(islice(offsets, 0, None, 2))
                self._word_starts = starts[1:] if parts[0] == "" else starts
        assert self._word_starts is not None
        word = bisect_right(self._token_ends, index)
        first_token = self._token_ends[word - 1] if word else 0
        start, end = _word_spans(self.words[word])[index - first_token]
        return self._word_starts[word] + start, self._word_starts[word] + end

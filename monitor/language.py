"""The language of an article: the one its feed declares, else one detected from its text.

Detection costs 0.1 to 0.3 ms an article, so it runs only where a language
matters: the poll cycle's, for a report that joins or opens a story (its
languages are the story's); scoring's, for an article where a negator that is
another word in some language stands before a hit (``negation.not_in``).

A language is a lowercase ISO 639 code without region or script (``en-US``
and ``en`` are one language; so are Serbian in Latin and in Cyrillic).
Serbian, Croatian, Bosnian and Montenegrin are one code, ``sh``
(Serbo-Croatian): a detector cannot tell them apart in a few sentences (it
calls most Serbian Latin news Bosnian), and a story reported in Belgrade and
in Zagreb is not reported in two languages. Norwegian Bokmål and Nynorsk are
``no``.

Detection (py3langid, a naive Bayes model of byte n-grams that ships in the
package) reads at most ``MAX_DETECT_CHARS`` of the title and summary, about
0.1 ms, and gives no language when it is unsure (``MIN_CONFIDENCE``). The
model loads (about a second, 80 MB) the first time an article needs it, or
earlier with ``load_model``, which a caller may run in a thread.
"""

from __future__ import annotations

import re
import threading
from typing import Protocol

MAX_DETECT_CHARS = 200
"""The text detection reads: on the project's labelled excerpts (180, in 24 languages)
it names 179 right (with 300 characters, 180, for half as much time again)."""

MIN_CONFIDENCE = 0.5
"""Below this probability (of the best language, the Serbo-Croatian ones summed) the
language is unknown: on short or mixed text the detector's guesses are often wrong."""

_SERBO_CROATIAN = frozenset({"sh", "sr", "hr", "bs", "cnr", "hbs"})
_MERGED = dict.fromkeys(_SERBO_CROATIAN, "sh") | {"nb": "no", "nn": "no"}
_NOT_A_LANGUAGE = frozenset({"und", "zxx", "mul", "mis"})
_PRIMARY = re.compile(r"[a-z]{2,3}")


class _Identifier(Protocol):
    def classify(self, text: str) -> tuple[str, float]: ...

    def rank(self, text: str) -> list[tuple[str, float]]: ...


def language_code(tag: str | None) -> str | None:
    """The language of a declared tag (``en-US``, ``sr_Latn``, ``SQ``): its primary
    subtag, lowercase, with the merges above; ``None`` for no tag, a malformed one
    or one that names no language (``und``, ``zxx``, ``mul``)."""
    if not tag:
        return None
    primary = re.split(r"[-_\s]", tag.strip()[:35], maxsplit=1)[0].lower()
    if not _PRIMARY.fullmatch(primary) or primary in _NOT_A_LANGUAGE:
        return None
    return _MERGED.get(primary, primary)


def detect_language(title: str, summary: str) -> str | None:
    """The language the title and the start of the summary are written in, or
    ``None`` when the detector is not sure of one."""
    text = f"{title}\n{summary}"[:MAX_DETECT_CHARS]
    if not any(character.isalpha() for character in text):
        return None
    identifier = _identifier()
    best, probability = identifier.classify(text)
    code = language_code(best)
    if code == "sh":  # the detector splits its belief between sr, hr and bs: add them up
        ranked = identifier.rank(text)
        probability = sum(p for label, p in ranked if label in _SERBO_CROATIAN)
    return code if probability >= MIN_CONFIDENCE else None


_LOCK = threading.Lock()
_IDENTIFIER: list[_Identifier] = []  # the loaded model, once loaded


def load_model() -> None:
    """Load the detector's model, once per process (about a second and 80 MB of
    memory); from any thread, so that a caller can keep its event loop running."""
    _identifier()


def model_loaded() -> bool:
    """Whether the detector's model is loaded in this process."""
    return bool(_IDENTIFIER)


def _identifier() -> _Identifier:
    """py3langid's identifier with probabilities, loaded on first use."""
    if not _IDENTIFIER:
        with _LOCK:
            if not _IDENTIFIER:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier  # a second

                _IDENTIFIER.append(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
    return _IDENTIFIER[0]

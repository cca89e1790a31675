"""One folding for rules and text: case, diacritics and script do not matter."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.rules.text import TokenizedText, token_spans, tokens


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Vučić", ["vucic"]),
        ("VUČIĆ", ["vucic"]),
        ("Вучић", ["vucic"]),
        ("Vucic", ["vucic"]),
        ("Mitrovicë", ["mitrovica"]),
        ("Mitrovica", ["mitrovica"]),
        ("Zveçan", ["zvecan"]),
        ("Звечан", ["zvecan"]),
        ("Đurić", ["djuric"]),
        ("Ђурић", ["djuric"]),
        ("Џаковица", ["dzakovica"]),
        ("Љубљана", ["ljubljana"]),
        ("Њујорк", ["njujork"]),
        ("Vetëvendosje", ["vetevendosje"]),
        ("Zusammenstöße", ["zusammenstosse"]),
        ("łzawiący", ["lzawiacy"]),
        ("tear-gas,\nshots", ["tear", "gas", "shots"]),
        ("Kosovo's", ["kosovo", "s"]),
        ("e\u0301te", ["ete"]),  # decomposed accent
    ],
)
def test_folding(written: str, folded: list[str]) -> None:
    assert tokens(written) == folded


def test_token_spans_point_at_the_original_words() -> None:
    text = "Police fired tear-gas in Звечан."
    spans = token_spans(text)
    assert [text[start:end] for start, end in spans] == [
        "Police", "fired", "tear", "gas", "in", "Звечан", ".",
    ]  # fmt: skip
    assert len(spans) == len(tokens(text))


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Police denied. Clashes erupted!", ["police", "denied", "|", "clashes", "erupted", "|"]),
        ("U.S. troops at 3.5 km", ["u", "s", "|", "troops", "at", "3", "5", "km"]),
        ("What? No", ["what", "|", "no"]),
        ("tear\ngas; calm", ["tear", "gas", "|", "calm"]),
    ],
)
def test_sentence_ends_become_breaks(text: str, folded: list[str]) -> None:
    assert tokens(text) == folded
    assert len(token_spans(text)) == len(folded)


@pytest.mark.parametrize(
    "text",
    [
        "Police fired tear-gas in Звечан. Nine hurt!",
        "Kosovo's  police,\n\nKFOR-led  ",  # irregular white space
        "Café e\u0301te Đurić | Vučić: ½ ﬁne…",
        "U.S. troops at 3.5 km; calm",
        "",
    ],
)
def test_every_token_points_back_at_its_characters(text: str) -> None:
    tokenized = TokenizedText(text)
    spans = token_spans(text)
    assert len(spans) == tokenized.count == len(tokens(text))
    for index, span in enumerate(spans):
        assert tokenized.span(index) == span
        assert tokens(tokenized.text[span[0] : span[1]]) in ([tokenized.folded.split()[index]], [])


# ASCII text is folded by a faster route than other text; both must give the
# same tokens and the same offsets. Appending a non-ASCII word sends the same
# text down the general route.
_ASCII_NEWS = st.text(
    alphabet=st.sampled_from("Aa Zz 09 .!?;|,-()'\"\t\n\r\x0b\x0c\x1c\x01\x02\x7f"),
    max_size=60,
)


@given(_ASCII_NEWS)
def test_ascii_text_folds_as_any_other_text(text: str) -> None:
    assert tokens(text) == tokens(text + " é")[:-1]


@given(_ASCII_NEWS)
def test_ascii_tokens_point_back_at_their_characters(text: str) -> None:
    tokenized = TokenizedText(text)
    assert [tokenized.span(i) for i in range(tokenized.count)] == token_spans(text)


# Every script the region is reported in folds to Latin, so a name listed once
# matches in each of them (spellings that still differ are gazetteer aliases).
@pytest.mark.parametrize(
    ("written", "folded"),
    [
        # Greek: modern romanization, two letters for one sound folded together.
        ("Μητρόβιτσα", ["mitrovitsa"]),
        ("Ζβέτσαν", ["zvetsan"]),
        ("ΚΌΣΟΒΟ", ["kosovo"]),
        ("Πρίστινα", ["pristina"]),
        ("Κούρτι", ["kurti"]),
        ("Σερβία;", ["servia", "|"]),  # the Greek question mark ends a sentence
        ("Ευρώπη", ["evropi"]),
        ("αυτός", ["aftos"]),
        ("άυλος", ["aylos"]),  # an accent on the first vowel keeps them apart
        ("προϋπόθεση", ["proypothesi"]),  # so does a diaeresis
        ("Μπορέλ", ["borel"]),
        ("Ντάτσιτς", ["datsits"]),
        ("Γκρατσάνιτσα", ["gratsanitsa"]),
        ("συγκρούσεις", ["syngruseis"]),
        ("άγγελος", ["angelos"]),
        ("αὐτός", ["aftos"]),  # polytonic
        # Bulgarian: ъ is dropped, щ is št.
        ("Сърбия", ["srbija"]),
        ("сръбските", ["srbskite"]),
        ("Прищина", ["pristina"]),
        # Macedonian: ќ and ѓ are Serbian ć and đ.
        ("Вучиќ", ["vucic"]),
        ("Лепосавиќ", ["leposavic"]),
        ("Ѓорѓе", ["djordje"]),
        ("граѓани", ["gradjani"]),
        ("Ѕвезда", ["dzvezda"]),
        # Russian and Ukrainian.
        ("Сербия", ["serbija"]),
        ("объявил", ["objavil"]),  # the hard and soft signs stay inside the word
        ("Косовский", ["kosovskij"]),
        ("вышли", ["vysli"]),
        ("этой", ["etoj"]),
        ("ещё", ["este"]),
        ("Київ", ["kijiv"]),
        ("Європа", ["jevropa"]),
        ("мʼясо", ["mjaso"]),  # the Ukrainian apostrophe letter
        # Latin scripts and the rest, through anyascii.
        ("Sırbistan", ["sirbistan"]),
        ("İstanbul", ["istanbul"]),
        ("Kosovë", ["kosova"]),
        ("Øresund Þór", ["oresund", "thor"]),
        ("كوسوفو", ["kwswfw"]),
        ("科索沃", ["kesuowo"]),
        ("नमस्ते", ["nmste"]),  # a vowel sign stays inside its word
        ("٣ قتلى", ["3", "qtla"]),
        ("🔥 Kosovo ©", ["kosovo"]),  # emoji and symbols are no words
    ],
)
def test_every_script_folds_to_latin(written: str, folded: list[str]) -> None:
    assert tokens(written) == folded


# Serbian Cyrillic folds letter for letter as Serbian Latin does: the watch's
# Latin spellings match both scripts.
SERBIAN_CYRILLIC = "А Б В Г Д Ђ Е Ж З И Ј К Л Љ М Н Њ О П Р С Т Ћ У Ф Х Ц Ч Џ Ш"
SERBIAN_LATIN = "A B V G D Đ E Ž Z I J K L Lj M N Nj O P R S T Ć U F H C Č Dž Š"


def test_serbian_cyrillic_folds_as_serbian_latin() -> None:
    for cyrillic, latin in ((SERBIAN_CYRILLIC, SERBIAN_LATIN),) * 2:
        assert tokens(cyrillic) == tokens(latin)
        assert tokens(cyrillic.lower()) == tokens(latin.lower())
    assert " ".join(tokens(SERBIAN_CYRILLIC)) == (
        "a b v g d dj e z z i j k l lj m n nj o p r s t c u f h c c dz s"
    )


# Text in any mix of scripts, marks, punctuation and white space: each token
# must point back at the characters it folds from.
_ANY_SCRIPT_NEWS = st.text(
    alphabet=st.sampled_from(
        list("Aa Zz 09 ëË éß½ﬁİ .!?;|,-…'\t\n")
        + list("ВучићЂурићЉЊЏќЌѓЃѕъьЪщЩйёЁїєґыэюя")
        + list("ΜητρόβιτσαΟΥουύΰϋάέήμπντγκξχςΣὐ;")
        + ["\u0301", "\u0308", "ʼ", "ك", "و", "中", "न", "े", "्", "🔥", "\u037e"]
    ),
    max_size=40,
)


@given(_ANY_SCRIPT_NEWS)
def test_tokens_of_any_script_point_back_at_their_characters(text: str) -> None:
    tokenized = TokenizedText(text)
    folded = tokenized.folded.split()
    spans = token_spans(text)
    assert len(spans) == tokenized.count == len(folded) == len(tokens(text))
    for index, span in enumerate(spans):
        assert tokenized.span(index) == span
        assert tokens(tokenized.text[span[0] : span[1]]) in ([folded[index]], [])
    assert all(re.fullmatch(r"[a-z0-9]+|\|", token) for token in folded)

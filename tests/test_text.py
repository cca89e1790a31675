"""One folding for rules and text: case, diacritics and script do not matter."""

from __future__ import annotations

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

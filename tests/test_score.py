"""Scoring, as a specification: what a watch counts, and why."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from conftest import SHIPPED_WATCH

from monitor.config import WatchConfig
from monitor.config.yamlfile import load_yaml
from monitor.models import Article, Score
from monitor.rules.compile import compile_watches, rules_version
from monitor.rules.score import score

BASE: dict[str, Any] = {
    "name": "t",
    "terms": {"actors": ["Kosovo", "Serbia", "Vučić"], "places": ["Mitrovica", "Jarinje"]},
    "scope": {"any": ["@actors", "@places"]},
    "title_boost": 2,
    "levels": {"notice": 4, "warning": 8, "critical": 14},
}


def article(title: str, text: str = "") -> Article:
    return Article("g", None, None, title, text, None, "h")


def score_with(signals: list[dict[str, Any]], title: str, text: str = "", **extra: Any) -> Score:
    watch = WatchConfig.model_validate({**BASE, "signals": signals, **extra})
    return score(article(title, text), compile_watches([watch]))[0]


CLASH = {"name": "clashes", "weight": 5, "any": ["clash*", "tear gas", "wounded"]}


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("Clashes in Kosovo", 5),  # wildcard
        ("Police used tear gas in Kosovo", 5),  # phrase
        ("Police used tear-gas in Kosovo", 5),  # phrase across a hyphen
        ("Police used tear\ngas in Kosovo", 5),  # phrase across a line break
        ("Police used TEAR GAS in KOSOVO", 5),  # case
        ("Police teared gas in Kosovo", 0),  # a phrase is whole words
        ("Classes resumed in Kosovo", 0),  # a wildcard is a word prefix
        ("Anticlash talks in Kosovo", 0),  # ... from the start of a word
        ("Six wounded in Kosovo", 5),
        ("Six wounded, ten clashes, tear gas, more clashes in Kosovo", 15),  # max 3 hits
        ("Clashes in Paris", None),  # out of scope
        ("Вучић: wounded", 5),  # scope term written in Cyrillic
        ("Vucic: wounded", 5),  # Vučić without diacritics
    ],
)
def test_signal_terms(text: str, points: float | None) -> None:
    result = score_with([CLASH], "", text)
    if points is None:
        assert not result.in_scope and result.score == 0
    else:
        assert result.in_scope and result.score == points


def test_hits_in_the_title_are_boosted() -> None:
    result = score_with([CLASH], "Clashes in Mitrovica", "More clashes later.")
    assert result.score == 5 * 2 + 5
    title_hit, text_hit = result.hits
    assert (title_hit.field, title_hit.boosted, title_hit.text) == ("title", True, "Clashes")
    assert (text_hit.field, text_hit.boosted, text_hit.text) == ("text", False, "clashes")


def test_hits_beyond_the_cap_are_kept_but_count_nothing() -> None:
    result = score_with([{**CLASH, "max_hits": 2}], "", "Kosovo: clash, clash, clash")
    assert [hit.capped for hit in result.hits] == [False, False, True]
    assert result.score == 10


def test_negative_weights_lower_the_score() -> None:
    calm = {"name": "calm", "weight": -3, "any": ["agreement"]}
    result = score_with([CLASH, calm], "", "Kosovo clashes ended with an agreement")
    assert result.score == 2


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("Serbia put the army on combat readiness", 8),
        ("Combat readiness drills took place in Norway this week; Serbia did not", 0),
    ],
)
def test_near_requires_a_term_within_n_words(text: str, points: float) -> None:
    military = {
        "name": "military",
        "weight": 8,
        "any": ["combat readiness"],
        "near": {"terms": ["@actors"], "within": 5},
    }
    assert score_with([military], "", text).score == points


def test_all_and_not_conditions() -> None:
    signal = {"name": "x", "weight": 4, "any": ["police"], "all": ["arrest*"], "not": ["drill"]}
    assert score_with([signal], "", "Kosovo police arrested two").score == 4
    assert score_with([signal], "", "Kosovo police patrolled").score == 0
    assert score_with([signal], "", "Kosovo police arrest drill").score == 0


def test_a_title_only_signal_ignores_the_text() -> None:
    signal = {"name": "headline", "weight": 4, "any": ["crisis"], "in": "title"}
    assert score_with([signal], "Crisis in Kosovo", "").score == 8
    assert score_with([signal], "Kosovo today", "A crisis").score == 0


def test_scope_all_requires_every_group() -> None:
    scope = {"all": ["@actors", "@places"]}
    assert not score_with([CLASH], "", "Clashes in Kosovo", scope=scope).in_scope
    assert score_with([CLASH], "", "Clashes in Mitrovica, Kosovo", scope=scope).in_scope


def test_levels_follow_the_bands() -> None:
    assert score_with([CLASH], "", "Kosovo clash").level == "notice"
    assert score_with([CLASH], "", "Kosovo clash, wounded").level == "warning"
    assert score_with([CLASH], "Clash in Kosovo", "wounded, tear gas").level == "critical"
    assert score_with([CLASH], "", "Kosovo calm").level is None


def test_the_rules_version_changes_when_the_rules_change() -> None:
    one = WatchConfig.model_validate({**BASE, "signals": [CLASH]})
    two = WatchConfig.model_validate({**BASE, "signals": [{**CLASH, "weight": 6}]})
    assert rules_version(one) == rules_version(one.model_copy())
    assert rules_version(one) != rules_version(two)
    assert score(article("Kosovo"), compile_watches([one]))[0].rules_version == rules_version(one)


@pytest.fixture(scope="module")
def shipped() -> Any:
    document, problems = load_yaml(SHIPPED_WATCH)
    assert document is not None and not problems
    watch = WatchConfig.model_validate(document.data)
    return compile_watches([watch])


def test_the_seed_article_scores_critical_with_the_shipped_rules(
    shipped: Any, seed_article: str
) -> None:
    title, _, text = seed_article.strip().partition("\n")
    result = score(article(title, text), shipped)[0]
    assert result.level == "critical"


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Trade fair in Pristina brings Kosovo and Serbia firms together",
            "Exhibitors from Kosovo and Serbia showed furniture, wine and software. "
            "Organisers hope the fair leads to an agreement on easier transport of goods.",
        ),
        (
            "Сајам у Приштини окупио фирме са Косова и из Србије",
            "Излагачи из Србије и са Косова представили су намештај и вино.",
        ),
        ("Kosovo wins basketball friendly against Serbia", "Fans celebrated the win."),
    ],
)
def test_calm_articles_about_the_dispute_do_not_alert(shipped: Any, title: str, text: str) -> None:
    result = score(article(title, text), shipped)[0]
    assert result.level in (None, "notice")


def test_an_escalation_written_in_serbian_cyrillic_alerts(shipped: Any) -> None:
    result = score(
        article(
            "Сукоби у Северној Митровици",
            "Полиција је употребила сузавац, више особа је повређено, чула се пуцњава.",
        ),
        shipped,
    )[0]
    assert result.level == "critical"


def test_an_escalation_written_in_albanian_alerts(shipped: Any) -> None:
    result = score(
        article(
            "Përplasje në veri të Kosovës",
            "Policia përdori gaz lotsjellës, disa persona u plagosën, u dëgjuan të shtëna.",
        ),
        shipped,
    )[0]
    assert result.level in ("warning", "critical")


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("Kosovo: no one was wounded", 0),  # English
        ("Kosovo police denied any clashes", 0),
        ("Kosovo: nije bilo ranjenih, ranjenih nema", 0),  # Serbian Latin, before and after
        ("Косово: није било сукоба", 0),  # Serbian Cyrillic
        ("Kosovo: nuk ka të plagosur", 0),  # Albanian
        ("Kosovo police denied it. Clashes followed", 5),  # a negation ends with its sentence
        ("No talks in Kosovo, and then clashes in the street", 5),  # too far before
        ("Kosovo: clashes, no injuries", 5),  # negates only the term after it
    ],
)
def test_a_negator_just_before_a_term_cancels_it(text: str, points: float) -> None:
    signal = {
        "name": "clashes",
        "weight": 5,
        "any": ["clash*", "wounded", "ranjen*", "sukob*", "plagos*", "injuries"],
    }
    result = score_with([signal], "", text)
    assert result.score == points
    negated = [hit for hit in result.hits if hit.negated]
    assert all(hit.points == 0 for hit in negated)


def test_negation_can_be_turned_off_or_given_other_words() -> None:
    assert score_with([CLASH], "", "Kosovo: no clashes", negation=None).score == 5
    custom = {"terms": ["hardly"], "within": 2}
    assert score_with([CLASH], "", "Kosovo: no clashes", negation=custom).score == 5
    assert score_with([CLASH], "", "Kosovo: hardly clashes", negation=custom).score == 0


def test_regular_expression_terms_match_the_folded_text() -> None:
    signal = {"name": "toll", "weight": 6, "any": [r"re:\b\d+ (killed|dead)\b"]}
    result = score_with([signal], "", "Kosovo: 12 KILLED near the border")
    assert result.score == 6
    assert result.hits[0].text == "12 KILLED"


def test_an_exclude_set_takes_the_article_out_of_scope() -> None:
    exclude = [{"any": ["football", "match"], "in": "title"}]
    kept = score_with([CLASH], "Clashes in Kosovo", "after a football match", exclude=exclude)
    dropped = score_with([CLASH], "Kosovo football match", "clashes", exclude=exclude)
    assert kept.in_scope
    assert kept.score > 0
    assert not dropped.in_scope
    assert dropped.excluded_by == 0


def test_language_blocks_extend_the_lists_of_the_same_name() -> None:
    languages = {"de": {"clashes": ["Zusammenstöße"]}, "sq": {"clashes": ["përplasje"]}}
    terms = {**BASE["terms"], "clashes": ["clash*"]}
    signal = {"name": "clashes", "weight": 5, "any": ["@clashes"]}
    for text in ("Kosovo clashes", "Kosovo: Zusammenstöße", "Kosovo: përplasje"):
        assert score_with([signal], "", text, terms=terms, languages=languages).score == 5


def test_a_signal_counts_hits_in_order_and_caps_them_after_negations() -> None:
    result = score_with([{**CLASH, "max_hits": 1}], "", "Kosovo: no clash. Clash. Clash.")
    assert [(hit.negated, hit.capped, hit.points) for hit in result.hits] == [
        (True, False, 0),
        (False, False, 5),
        (False, True, 0),
    ]


def test_a_hit_as_json_has_every_field_of_the_hit() -> None:
    result = score_with([CLASH], "Clashes in Kosovo", "")
    (hit,) = result.hits
    assert hit.as_dict() == dataclasses.asdict(hit)


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Police entered Banjska on Sunday", ("Banjska",)),
        ("Policija je ušla u Banjskoj", ("Banjska",)),  # a case ending on the longer name
        ("Vučić je bio u Banji", ("Banje",)),  # a short stem takes a short ending
        ("Vučić stigao u Banjom", ("Banje",)),
        ("Rendőrök Banjszka falunál", ()),  # four letters on a four-letter stem: not Banje
        ("Zvečanu i Mitrovici", ("Zvečan", "Mitrovica")),
    ],
)
def test_gazetteer_names_match_their_inflections_within_reason(
    text: str, places: tuple[str, ...]
) -> None:
    gazetteer = {"places": {"Banjska": {}, "Banje": {}, "Zvečan": {}, "Mitrovica": {}}}
    result = score_with([CLASH], "Kosovo report", text, **gazetteer)
    assert result.places == places

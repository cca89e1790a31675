"""The shape of one ``watches/*.yaml`` file: ``WatchConfig``, with its levels and alerting.

Terms, scope, exclusions, signals and negators say what an article must
mention and how much it scores; ``levels`` (``LEVELS``) band the score,
``index`` and ``spike`` watch the flow of in-scope articles, and ``alert``
says which of them alert, and where.
"""

from __future__ import annotations

import difflib
from itertools import pairwise
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, field_validator, model_validator

from monitor.config.models.base import Duration, Number, StrictModel
from monitor.language import language_code

LEVELS = ("notice", "warning", "critical")
INDEX_LEVELS = ("elevated", "high", "severe")


class NearConfig(StrictModel):
    """A hit counts only if one of ``terms`` is within ``within`` words of it."""

    terms: list[str] = Field(min_length=1)
    within: int = Field(ge=1, le=100)


class ScopeConfig(StrictModel):
    """What an article must mention to be scored at all."""

    any_: list[str] = Field(default_factory=list, alias="any")
    all_: list[str] = Field(default_factory=list, alias="all")
    in_: Literal["title"] | None = Field(None, alias="in")


class TermSetConfig(ScopeConfig):
    """Terms of which each ``all`` item and at least one ``any`` item appear."""

    @model_validator(mode="after")
    def _has_terms(self) -> TermSetConfig:
        if not self.any_ and not self.all_:
            raise ValueError("a term set needs terms under 'any' or 'all'")
        return self


# Words that, a few words before a term, say it did not happen ("no injuries",
# "denied any shooting", "nije bilo povređenih", "nuk ka të plagosur").
DEFAULT_NEGATORS = (
    # English
    "no", "not", "never", "without", "none", "nobody", "no one", "neither", "nor",
    "deny", "denies", "denied", "denying", "ruled out", "ruling out", "rules out",
    "didn't", "wasn't", "weren't", "isn't", "aren't", "hasn't", "haven't", "don't", "doesn't",
    # Serbian, Croatian, Bosnian (Latin and Cyrillic fold alike)
    "ne", "nije", "nisu", "nema", "nismo", "bez", "nikakv*", "niko", "nitko",
    "nijedan", "nijedna", "nijedno", "negira*", "demantova*", "demantuj*", "demantira*",
    # Albanian
    "nuk", "asnjë", "askush", "mohoi", "mohon", "mohuan", "hodhi poshtë",
    # German, Italian, French, Polish, Slovenian, Dutch, Hungarian
    "kein", "keine", "keinen", "nicht", "ohne", "niemand", "dementiert",
    "non", "nessun*", "senza", "smentit*",
    "aucun*", "sans", "pas", "démenti*",
    "nie", "bez", "żadn*", "nikt",
    "ni", "niso", "brez", "nihče",
    "geen", "niet", "zonder", "niemand",
    "nem", "nincs", "nélkül", "senki",
    # Russian, Ukrainian, Bulgarian, Macedonian (ne, bez, ni, nema: as Serbian above)
    "нет", "никто", "ніхто", "жодного", "жоден", "няма", "никой", "никој",
    # Greek (δεν folds to "den", a German and Scandinavian article: see not_in)
    "δεν", "χωρίς", "κανένας", "καμία", "κανένα",
    # Turkish (its negation is mostly a suffix), Spanish, Portuguese, Romanian
    "hiç", "hiçbir",
    "sin", "ningún", "ninguna", "ninguno", "nadie", "negó", "desmintió",
    "não", "nenhum*", "ninguém", "negou", "desmentiu",  # not "sem": Slovenian "I am"
    "nu", "fără", "niciun*", "nicio", "nimeni",  # nu: "now" in Dutch and Scandinavian
    # Czech, Slovak, the Scandinavian languages, Arabic, Indonesian and Malay
    "žádn*", "nikdo", "žiadn*", "nikto",
    "ingen", "ikke", "inte", "uden", "utan",
    "لم", "بدون", "دون",
    "tidak", "tiada", "tanpa", "bukan", "membantah",
)  # fmt: skip


DEFAULT_NOT_NEGATORS = {
    "pt": ["no"],  # "in the": morto no tiroteio
    "sq": ["pas", "ne", "ni"],  # "after" (pas sulmit), "we", and "one" as Kosovo says it
    "it": ["ne"],  # "of it", "of them"
    "ro": ["ne"],  # "us": ne-au atacat
    "nl": ["pas", "nu", "δεν"],  # "only"; "now"; "den" (Greek δεν folded)
    "de": ["δεν"],  # "den", an article
    "sv": ["nu", "δεν"],
    "da": ["nu", "δεν"],
    "no": ["nu", "δεν"],
    "fr": ["nu"],  # "naked"
}
"""Default negators that are other words in a language: in an article written in it, they
negate nothing (``negation.not_in``)."""


DEFAULT_AFTER_NEGATORS = (
    "nema", "нет", "немає", "няма", "yok",  # "ranjenih nema", "раненых нет"
)  # fmt: skip
"""Negators that follow what they negate (Serbian, Macedonian, Russian, Ukrainian,
Bulgarian, Turkish): ``negation.after``."""


class NegationConfig(StrictModel):
    """A negator at most ``within`` words before a term (or one of ``after`` at most
    ``within`` words after it), in one clause of one sentence, cancels it; in an
    article written in a language of ``not_in``, that language's terms do not."""

    terms: list[str] = Field(default_factory=lambda: list(DEFAULT_NEGATORS))
    within: int = Field(3, ge=1, le=10)
    after: list[str] = Field(default_factory=lambda: list(DEFAULT_AFTER_NEGATORS))
    not_in: dict[str, list[str]] = Field(
        default_factory=lambda: {lang: list(terms) for lang, terms in DEFAULT_NOT_NEGATORS.items()}
    )

    @field_validator("not_in")
    @classmethod
    def _languages(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for language in value:
            known = language_code(language)
            if known != language:
                hint = f" (write {known!r})" if known else ""
                raise ValueError(
                    f"{language!r} is not a language code as articles carry them: a "
                    f"lowercase ISO 639 code, sh for Serbo-Croatian{hint}"
                )
        return value

    @model_validator(mode="after")
    def _not_in_negators(self) -> Self:
        """A term of a ``not_in`` the watch gives must be one of its negators (of the
        default ``not_in``, those it no longer lists simply count for nothing)."""
        if "not_in" not in self.model_fields_set:
            return self
        for language, terms in self.not_in.items():
            unknown = [term for term in terms if term not in self.terms]
            if unknown:
                raise ValueError(
                    f"not_in.{language}: {', '.join(map(repr, unknown))} "
                    f"{'is' if len(unknown) == 1 else 'are'} not in negation.terms"
                )
        return self


class SignalConfig(StrictModel):
    """One weighted signal: its terms raise (or, negative, lower) the score."""

    name: str
    weight: Number
    any_: list[str] = Field(default_factory=list, alias="any")
    all_: list[str] = Field(default_factory=list, alias="all")
    not_: list[str] = Field(default_factory=list, alias="not")
    near: NearConfig | None = None
    # A hit with one of these terms within N words of it, before or after, does not
    # count: "combat readiness ... lifted", "barricades removed", "detainees released".
    not_near: NearConfig | None = None
    in_: Literal["title"] | None = Field(None, alias="in")
    max_hits: int = Field(3, ge=1)
    # The highest level this signal's points count toward (default: every level).
    # A signal ``up_to: warning`` helps an article to notice and warning, never to
    # critical: critical can then be kept for the kinds of news that are violence.
    up_to: Literal["notice", "warning", "critical"] = "critical"
    # The highest level an article this signal hits can have, whatever its other
    # points: a headline about a funeral or a claim of responsibility reports an
    # earlier attack, so it is at most warning (``at_most: warning``, ``in: title``).
    at_most: Literal["notice", "warning", "critical"] | None = None

    @model_validator(mode="after")
    def _has_terms(self) -> SignalConfig:
        if not self.any_ and not self.all_:
            raise ValueError("a signal needs terms under 'any' or 'all'")
        return self


class _Thresholds(StrictModel):
    """One threshold per level, a field each, lowest level first; they must increase."""

    called: ClassVar[str]  # what the error message calls them

    @model_validator(mode="after")
    def _increasing(self) -> Self:
        levels = list(type(self).model_fields)
        thresholds = [getattr(self, level) for level in levels]
        if not all(lower < higher for lower, higher in pairwise(thresholds)):
            raise ValueError(f"{self.called} must increase: {' < '.join(levels)}")
        return self


class LevelsConfig(_Thresholds):
    """Score thresholds of the severity bands (``LEVELS``), in increasing order."""

    called = "levels"
    notice: Number = 4
    warning: Number = 8
    critical: Number = 14


class IndexLevelsConfig(_Thresholds):
    """Tension-index thresholds (``INDEX_LEVELS``), in increasing order."""

    called = "index levels"
    elevated: Number = 15
    high: Number = 30
    severe: Number = 50


class IndexConfig(StrictModel):
    """The tension index: in-scope article scores summed, decaying with a half-life."""

    half_life: Duration = 12 * 3600.0
    levels: IndexLevelsConfig = IndexLevelsConfig()
    clear_below: float = Field(0.8, gt=0, le=1)

    @field_validator("half_life")
    @classmethod
    def _positive(cls, seconds: float) -> float:
        if seconds <= 0:
            raise ValueError("the half-life must be longer than zero")
        return seconds


class SpikeConfig(StrictModel):
    """Alert when a window holds far more in-scope articles than usual."""

    window: Duration = 3600.0
    factor: float = Field(3.0, gt=1)
    min_count: int = Field(5, ge=1)
    baseline: Duration = 7 * 86400.0

    @model_validator(mode="after")
    def _baseline_covers_windows(self) -> SpikeConfig:
        if self.baseline < 3 * self.window:
            raise ValueError("baseline must be at least three windows long")
        return self


class AlertConfig(StrictModel):
    """When a watch alerts, and where; how long a story stays open to new reports, when
    it ends (``resolve_after`` without a new report) and whether its end is notified
    (``notify_resolved``)."""

    on: list[str] = Field(default_factory=lambda: ["article:warning"])
    channels: list[str] = Field(default_factory=lambda: ["console"])
    group_wait: Duration = 60.0
    group_window: Duration = 6 * 3600.0  # since the story's last report
    max_age: Duration = 72 * 3600.0  # since the story's first report
    group_interval: Duration = 30 * 60.0  # between two update notifications of a story
    cooldown: Duration = 2 * 3600.0  # read, no longer used: group_interval replaced it
    similarity: float = Field(0.6, gt=0, le=1)
    resolve_after: Duration = 24 * 3600.0
    notify_resolved: bool = False

    @field_validator("resolve_after")
    @classmethod
    def _resolves_later(cls, seconds: float) -> float:
        if seconds <= 0:
            raise ValueError("resolve_after must be longer than zero")
        return seconds

    @field_validator("on")
    @classmethod
    def _known_triggers(cls, triggers: list[str]) -> list[str]:
        for trigger in triggers:
            kind, _, level = trigger.partition(":")
            known = (kind == "article" and level in LEVELS) or (
                kind == "index" and level in INDEX_LEVELS
            )
            if not known:
                triggers_known = [f"article:{level}" for level in LEVELS] + [
                    f"index:{level}" for level in INDEX_LEVELS
                ]
                close = difflib.get_close_matches(trigger, triggers_known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else ", ".join(triggers_known)
                raise ValueError(f"unknown trigger {trigger!r} ({hint})")
        return triggers


class GazetteerEntry(StrictModel):
    """A place or an actor: its other names in any script, where it is, and the
    term lists its names join (so a place added once is in the scope too)."""

    aliases: list[str] = Field(default_factory=list)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    in_: list[str] = Field(default_factory=list, alias="in")
    broad: bool = False  # a country, a capital, a body in every story: never tells stories apart

    @model_validator(mode="before")
    @classmethod
    def _aliases_alone(cls, value: Any) -> Any:
        """``Zvečan: [Zveçan, Звечан]`` is short for ``Zvečan: {aliases: [Zveçan, Звечан]}``."""
        return {"aliases": value} if isinstance(value, list) else value


class BreakingConfig(StrictModel):
    """A story reported by ``outlets`` outlets within ``within`` is breaking."""

    outlets: int = Field(6, ge=2)
    within: Duration = 2 * 3600.0
    level: Literal["notice", "warning", "critical"] | None = None  # raise a breaking story to it


class StoryConfig(StrictModel):
    """How reports are grouped into stories, and how stories are marked as they grow.

    ``group: names`` (the default) joins reports that share a specific place or
    actor and an event type, or whose words are nearly the same; ``group: words``
    joins only reports whose words are nearly the same (``alert.similarity``).
    ``follow_ups`` names the signals of the watch whose hit in a headline makes a
    report one of an event's aftermath.
    """

    group: Literal["names", "words"] = "names"
    breaking: BreakingConfig | None = None
    # Signals that, hit in a headline, mark a report of what followed an event (a
    # claim of responsibility, a funeral, a day of mourning, an anniversary): such a
    # report does not join the story of the event itself; it opens a story that
    # follows it, which the other reports of the aftermath join.
    follow_ups: list[str] = Field(default_factory=list)


class WatchConfig(StrictModel):
    """One watch file: term lists, scope, signals, levels and alerting."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    terms: dict[str, list[str]] = Field(default_factory=dict)
    languages: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    places: dict[str, GazetteerEntry] = Field(default_factory=dict)
    actors: dict[str, GazetteerEntry] = Field(default_factory=dict)
    scope: ScopeConfig = ScopeConfig()
    exclude: list[TermSetConfig] = Field(default_factory=list)
    signals: list[SignalConfig] = Field(min_length=1)
    negation: NegationConfig | None = Field(default_factory=NegationConfig)
    title_boost: Number = Field(1.5, ge=0)
    levels: LevelsConfig = LevelsConfig()
    index: IndexConfig | None = None
    spike: SpikeConfig | None = None
    alert: AlertConfig = AlertConfig()
    story: StoryConfig = StoryConfig()

    def alert_level(self) -> str | None:
        """Return the lowest level at which an article alerts, if any."""
        return self._lowest("article", LEVELS)

    def index_alert_level(self) -> str | None:
        """Return the lowest tension-index level that alerts, if any."""
        return self._lowest("index", INDEX_LEVELS)

    def _lowest(self, kind: str, levels: tuple[str, ...]) -> str | None:
        chosen = [
            level
            for trigger in self.alert.on
            for k, _, level in [trigger.partition(":")]
            if k == kind
        ]
        return min(chosen, key=levels.index) if chosen else None

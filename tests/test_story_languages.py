"""Each stored article has the language its feed declares, a report in a story one
detected when its feed declares none, and a story says in how many languages it was
reported: payload, chat message, ``alerts show``."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from conftest import ConfigDir, FeedServer, WebhookReceiver

from monitor.cli.main import main
from monitor.config import load_config
from monitor.daemon.run import open_runtime
from monitor.language import detect_language, language_code
from monitor.models import Alert, AlertArticle, AlertSource, Story
from monitor.poll.cycle import run_cycle
from monitor.store import Store

# One event, five outlets, three languages (English, Serbian in both scripts,
# Albanian); written for these tests. ``None``: the feed declares no language.
BRIDGE = [
    ("wire", "en-GB", "Explosion damages the Ibar bridge in Mitrovica, three hurt",
     "A blast hit the main Ibar bridge in Mitrovica before dawn; three people were hurt "
     "and KFOR closed the crossing while police searched for explosives."),
    ("daily", None, "Blast on Mitrovica bridge leaves three injured",
     "Three people were injured when an explosive device went off on the Ibar bridge in "
     "Mitrovica early on Tuesday, police said; the bridge stays closed."),
    ("sever", None, "Eksplozija na mostu na Ibru u Mitrovici, troje povređenih",
     "Eksplozivna naprava aktivirana je na glavnom mostu na Ibru u Mitrovici pre zore; "
     "troje ljudi je povređeno, a KFOR je zatvorio prelaz."),
    ("rts", "sr-Cyrl-RS", "Експлозија на мосту на Ибру у Митровици",
     "Експлозивна направа активирана је на мосту на Ибру у Митровици; троје људи је "
     "повређено, а полиција претражује околину."),
    ("lajme", "sq", "Shpërthim në urën e Ibrit në Mitrovicë, tre të lënduar",
     "Një mjet shpërthyes shpërtheu në urën kryesore të Ibrit në Mitrovicë para agimit; "
     "tre persona u lënduan dhe KFOR mbylli kalimin."),
]  # fmt: skip


def feed(outlet: str, language: str | None, title: str, text: str) -> bytes:
    """An RSS feed of one item that declares ``language`` for its channel (or none)."""
    declared = f"<language>{language}</language>" if language else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{outlet}</title><link>https://{outlet}.example/</link>{declared}"
        f"<item><title>{escape(title)}</title><link>https://{outlet}.example/bridge</link>"
        f'<guid isPermaLink="false">{outlet}-bridge</guid><description>{escape(text)}</description></item>'
        "</channel></rss>"
    ).encode()


def poll(config_dir: ConfigDir, feeds: list[str], webhook: WebhookReceiver, at: datetime) -> None:
    path = config_dir.write(
        feeds,
        channels={
            "hook": {"type": "webhook", "url": webhook.url("/hook")},
            "chat": {"type": "mattermost", "url": webhook.url("/chat")},
        },
        watch_channels=["hook", "chat"],
    )

    async def run() -> None:
        async with open_runtime(load_config(path)) as runtime:
            runtime.clock = lambda: at
            await run_cycle(runtime, all_feeds=True)

    asyncio.run(run())


def stored(config_dir: ConfigDir, sql: str) -> list[tuple[object, ...]]:
    """Rows of ``sql`` over the daemon's database, read the way ``monitor`` reads it."""
    store = Store(config_dir.database, readonly=True)
    try:
        return [tuple(row) for row in store.db.execute(sql).fetchall()]
    finally:
        store.close()


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("en-US", "en"),
        ("EN", "en"),
        ("sr-Latn-RS", "sh"),  # Serbian, Croatian and Bosnian are one language here
        ("sr_Cyrl", "sh"),
        ("hr-HR", "sh"),
        ("bs", "sh"),
        ("sq-AL", "sq"),
        ("nb-NO", "no"),
        ("de", "de"),
        ("und", None),
        ("", None),
        (None, None),
        ("<script>", None),
        ("english", None),
    ],
)
def test_a_declared_language_is_its_primary_code(tag: str | None, code: str | None) -> None:
    assert language_code(tag) == code


@pytest.mark.parametrize(
    ("title", "summary", "code"),
    [
        ("Talks on energy resume in Brussels",
         "Negotiators from both sides met again to discuss the supply of electricity.", "en"),
        ("Nastavljeni razgovori o energetici u Briselu",
         "Pregovarači su se ponovo sastali da razgovaraju o snabdevanju strujom.", "sh"),
        ("Настављени разговори о енергетици у Бриселу",
         "Преговарачи су се поново састали да разговарају о снабдевању струјом.", "sh"),
        ("Rifillojnë bisedimet për energjinë në Bruksel",
         "Negociatorët u takuan përsëri për të diskutuar furnizimin me energji elektrike.", "sq"),
        ("Gespräche über Energie in Brüssel fortgesetzt",
         "Die Unterhändler trafen sich erneut, um über die Stromversorgung zu sprechen.", "de"),
        ("2026", "12:30 — 14:45", None),
    ],
)  # fmt: skip
def test_a_language_is_detected_from_the_title_and_summary(
    title: str, summary: str, code: str | None
) -> None:
    assert detect_language(title, summary) == code


def test_a_story_says_in_how_many_languages_it_was_reported(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    feeds = [
        feed_server.serve(f"/{outlet}.xml", feed(outlet, language, title, text))
        for outlet, language, title, text in BRIDGE
    ]
    poll(config_dir, feeds, webhook, datetime(2026, 11, 3, 5, 0, tzinfo=UTC))

    hook = [r for r in webhook.accepted if r.path == "/hook"]
    (payload,) = [json.loads(r.body) for r in hook]
    assert payload["story"]["outlets"] == 5
    assert payload["story"]["languages"] == ["en", "sh", "sq"]
    assert list(payload["story"])[-1] == "languages"  # the schema only gains keys, at the end
    (chat,) = [r for r in webhook.accepted if r.path == "/chat"]
    assert "reported by 5 outlets in 3 languages" in chat.body.decode()

    languages = dict(stored(config_dir, "SELECT guid, language FROM articles"))
    assert languages == {
        "wire-bridge": "en",  # declared en-GB
        "daily-bridge": "en",  # detected
        "sever-bridge": "sh",  # detected, Serbian Latin
        "rts-bridge": "sh",  # declared sr-Cyrl-RS
        "lajme-bridge": "sq",  # declared
    }

    config = ["--config", str(config_dir.path)]
    shown = CliRunner().invoke(main, ["alerts", "show", "1", *config]).output
    # The places in the order the story's reports gave them, whichever feed came first.
    (line,) = [line for line in shown.splitlines() if line.startswith("  story: ")]
    assert line.startswith("  story: 5 reports by 5 outlets; in ")
    assert {"Mitrovica", "Ibar"} <= set(line.split("; in ")[1].split(";")[0].split(", "))
    assert "\n  languages: 3 (en, sh, sq)\n" in shown
    detail = json.loads(CliRunner().invoke(main, ["alerts", "show", "1", "--json", *config]).output)
    assert detail["payload"]["story"]["languages"] == ["en", "sh", "sq"]
    assert sorted(a["language"] for a in detail["articles"]) == ["en", "en", "sh", "sh", "sq"]
    listed = CliRunner().invoke(main, ["alerts", "--json", *config]).output
    (alert,) = [json.loads(line) for line in listed.splitlines()]
    assert {a["language"] for a in alert["articles"]} == {"en", "sh", "sq"}


def test_the_feed_declared_language_wins_over_the_text(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    _, _, title, text = BRIDGE[0]  # English text in a feed that says it is Albanian
    url = feed_server.serve("/mixed.xml", feed("mixed", "sq", title, text))
    poll(config_dir, [url], webhook, datetime(2026, 11, 3, 5, 0, tzinfo=UTC))

    (payload,) = [json.loads(r.body) for r in webhook.accepted if r.path == "/hook"]
    assert payload["story"]["languages"] == ["sq"]


def test_an_atom_entry_declares_its_own_language_or_inherits_its_feeds(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    # Declared languages that are not those of the text: what the feed says wins.
    (_, _, english, text_en), (_, _, serbian, text_sr) = BRIDGE[0], BRIDGE[2]
    body = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xml:lang="de"><title>Atom</title><id>urn:feed</id><updated>2026-11-03T04:00:00Z</updated>'
        f'<entry xml:lang="it-IT"><id>urn:1</id><title>{escape(english)}</title>'
        f"<updated>2026-11-03T04:00:00Z</updated><summary>{escape(text_en)}</summary></entry>"
        f"<entry><id>urn:2</id><title>{escape(serbian)}</title>"
        f"<updated>2026-11-03T04:00:00Z</updated><summary>{escape(text_sr)}</summary></entry>"
        "</feed>"
    ).encode()
    url = feed_server.serve("/atom.xml", body)
    poll(config_dir, [url], webhook, datetime(2026, 11, 3, 5, 0, tzinfo=UTC))

    rows = stored(config_dir, "SELECT language FROM articles ORDER BY id")
    assert [row[0] for row in rows] == ["it", "de"]


def test_only_a_report_that_reaches_the_alert_level_has_its_language_detected(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    # Detection costs about 0.1 ms an article: it is spent where a story needs it.
    calm = (
        "Kosovo and Serbia negotiators meet in Brussels on energy",
        "The chief negotiators of Kosovo and Serbia met the EU envoy in Brussels.",
    )
    url = feed_server.serve("/calm.xml", feed("calm", None, *calm))
    poll(config_dir, [url], webhook, datetime(2026, 11, 3, 5, 0, tzinfo=UTC))

    assert stored(config_dir, "SELECT language FROM articles") == [(None,)]
    assert webhook.accepted == []


def test_a_message_names_the_languages_only_when_there_are_several() -> None:
    def note(languages: tuple[str, ...]) -> str:
        story = Story(("Mitrovica",), ("clashes",), 3, 3, None, None, languages=languages)
        return story.breadth()

    assert note(("en", "sh", "sq")) == "reported by 3 outlets in 3 languages"
    assert note(("en",)) == "reported by 3 outlets"
    assert note(()) == "reported by 3 outlets"


def test_a_story_recorded_before_languages_reads_back_without_them() -> None:
    recorded = Alert(
        key="w:article:1", kind="article", state="firing", watch="w", level="critical",
        score=30.0, created_at=datetime(2026, 11, 3, tzinfo=UTC) - timedelta(days=1),
        articles=(AlertArticle("t", None, None, None, 30.0),), sources=(AlertSource("a", None),),
        story=Story(("Mitrovica",), ("clashes",), 1, 1, None, None),
    ).to_json()  # fmt: skip
    story = dict(recorded["story"])  # type: ignore[call-overload]
    del story["languages"]
    assert Story.from_json(story).languages == ()

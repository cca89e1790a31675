"""The tension index counts stories, not copies: one story once (with a capped term for
its breadth), so one event in many outlets is not a crisis; end to end, on the shipped
watch and its index levels, on an injected clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

import pytest
from conftest import ConfigDir, FeedServer

from monitor.alerts.policy import story_index_rise, story_weight
from monitor.config import Config, load_config
from monitor.daemon.run import open_runtime
from monitor.models import Alert, AlertSource, Story
from monitor.poll.cycle import run_cycle
from monitor.store import IndexState, Store

WATCH = "serbia-kosovo"

# Written for these tests: (outlet, language, title, text).
JARINJE = [
    ("wire", "en", "Gunmen open fire on Kosovo police at Jarinje, officer wounded",
     "Unknown gunmen fired on a Kosovo police patrol at the Jarinje crossing overnight; one "
     "officer was wounded and a police vehicle was hit by several bullets."),
    ("courier", "en", "Police officer shot and wounded at the Jarinje crossing",
     "A Kosovo police officer was wounded when shots were fired at his patrol near Jarinje; "
     "police said the attackers fled and a search was under way."),
    ("sever", "sr", "Pucnjava na policiju na Jarinju, ranjen policajac",
     "Nepoznati napadači pucali su na patrolu kosovske policije na prelazu Jarinje; jedan "
     "policajac je ranjen, a vozilo je pogođeno sa više metaka."),
    ("rts", "sr", "Пуцњава на Јарињу, рањен полицајац",
     "Непознати нападачи пуцали су на патролу косовске полиције на Јарињу; један "
     "полицајац је рањен."),
    ("lajme", "sq", "Të shtëna ndaj policisë në Jarinjë, plagoset një polic",
     "Persona të panjohur qëlluan me armë zjarri ndaj një patrulle të Policisë së Kosovës "
     "në Jarinjë; një polic u plagos."),
]  # fmt: skip

# Serious events of one day, each in its own place, each reported by two outlets.
CRISIS = [
    [("wire", "en", "Hand grenade thrown at the police station in Zvečan, two officers hurt",
      "A hand grenade was thrown over the fence of the Kosovo police station in Zvečan and "
      "exploded; two officers were wounded."),
     ("sever", "sr", "Bačena ručna bomba na policijsku stanicu u Zvečanu",
      "Ručna bomba bačena je na stanicu kosovske policije u Zvečanu; dva policajca su ranjena "
      "u eksploziji.")],
    [("courier", "en", "Municipal building in Leposavić set on fire during clashes",
      "Protesters set fire to the municipal building in Leposavić and clashed with Kosovo "
      "police, who fired tear gas; ten people were injured."),
     ("lajme", "sq", "Digjet ndërtesa e komunës në Leposaviq gjatë përplasjeve",
      "Protestuesit i vunë zjarrin ndërtesës së komunës në Leposaviq dhe u përplasën me "
      "policinë, e cila hodhi gaz lotsjellës; dhjetë persona u lënduan.")],
    [("wire", "en", "Armed group attacks Kosovo police near Banjska, officer killed",
      "An armed group ambushed a Kosovo police patrol near the village of Banjska; one "
      "officer was killed and two wounded in an exchange of fire that lasted hours."),
     ("rts", "sr", "Oružani napad na policiju kod Banjske, poginuo policajac",
      "Naoružana grupa napala je patrolu kosovske policije kod Banjske; jedan policajac je "
      "ubijen, a dvojica su ranjena u razmeni vatre.")],
    [("courier", "en", "Shots fired at KFOR troops near Zubin Potok, soldier wounded",
      "Shots were fired at a KFOR patrol near Zubin Potok; one soldier was wounded and KFOR "
      "sent armoured vehicles to the area."),
     ("sever", "sr", "Pucano na KFOR kod Zubinog Potoka, ranjen vojnik",
      "Na patrolu KFOR-a kod Zubinog Potoka pucano je iz vatrenog oružja; jedan vojnik je "
      "ranjen.")],
]  # fmt: skip

# A day of the dispute's routine politics, one report an hour, notice level at most:
# talks, statements, an arrest, a boycott, daily life. (Closing Serbian-run offices is a
# measure of tension that alerts, as the labelled excerpts have it.)
ROUTINE = [
    ("Kosovo and Serbia negotiators meet in Brussels on energy",
     "The chief negotiators of Kosovo and Serbia met the EU envoy in Brussels to discuss the "
     "energy agreement and the supply of the north."),
    ("Kosovo Serbs sign petition over Serbian post offices in North Mitrovica",
     "Several hundred Kosovo Serbs in North Mitrovica signed a petition asking Kosovo "
     "authorities to let Serbian post offices reopen; organisers said they would protest "
     "next week."),
    ("Vučić: Belgrade will not give up on the Serbs in Kosovo",
     "Serbian President Aleksandar Vučić said in Belgrade that Serbia would keep funding "
     "hospitals and schools for Kosovo Serbs."),
    ("Vučić accuses Kurti of wanting to drive Serbs out of Kosovo",
     "Serbian President Aleksandar Vučić said Kosovo Prime Minister Albin Kurti was "
     "threatening the Serbs of the north with his policies."),
    ("Kosovo Serbs apply for Kosovo licence plates at a slow pace",
     "Officials in Mitrovica said a few hundred drivers had re-registered their cars so far "
     "under the deal reached with Serbia."),
    ("Kosovo police arrest a Serb at Jarinje on a war crimes warrant",
     "Kosovo police detained a Serbian citizen at the Jarinje crossing on a warrant for war "
     "crimes; Belgrade demanded his release."),
    ("Trade between Serbia and Kosovo rose last year",
     "Figures from the Kosovo statistics agency show goods from Serbia crossing at Merdare "
     "and Jarinje grew by a tenth."),
    ("Kosovo opens new border crossing hall at Merdare",
     "The government in Pristina opened a new customs hall at the Merdare crossing with "
     "Serbia to cut waiting times for lorries."),
    ("Kosovo inspectors check labels of Serbian food products",
     "Kosovo's trade ministry said inspectors would check whether Serbian food products on "
     "sale meet Kosovo labelling rules; Belgrade called it a provocation."),
    ("Kosovo President Osmani meets US officials on dialogue with Serbia",
     "Vjosa Osmani discussed the EU-led dialogue with Serbia and Kosovo's bid for membership "
     "of the Council of Europe."),
    ("Serbian List deputies skip Kosovo parliament session",
     "Deputies of the Serbian List, backed by Belgrade, did not attend the session of the "
     "Kosovo Assembly and said they would boycott it until Serbian institutions reopen."),
    ("KFOR commander visits Zubin Potok municipality",
     "The commander of KFOR met the mayor of Zubin Potok and said the security situation in "
     "the north of Kosovo was calm."),
    ("Kurti warns Belgrade against meddling in the north of Kosovo",
     "Albin Kurti said Serbia was using criminal groups to destabilise the north of Kosovo "
     "and warned Belgrade of consequences."),
    ("Serbian Orthodox Church marks feast at Gračanica monastery",
     "Hundreds of believers from Serbia and Kosovo attended the liturgy at Gračanica "
     "monastery near Pristina."),
    ("Kosovo central bank explains dinar rules to Serb businesses",
     "Officials of the Central Bank of Kosovo met business owners in North Mitrovica about "
     "payments from Serbia."),
    ("Kosovo and Serbia exchange lists of missing persons in Štrpce",
     "Commissions of Kosovo and Serbia met in Štrpce and handed over updated lists of "
     "people still missing from the war; Belgrade asked for faster searches."),
    ("Students from Belgrade and Pristina meet at a summer school",
     "A youth exchange brought students from Serbia and Kosovo together for a week of "
     "lectures."),
    ("Kosovo parliament debates law on the Serb municipalities association",
     "Members of the Assembly of Kosovo argued over the draft statute of the association "
     "agreed with Serbia."),
    ("Petković says Kosovo police raids intimidate Serbs in the north",
     "Petar Petković, Serbia's official for Kosovo, said searches by Kosovo police in "
     "Leposavić were meant to intimidate the Serbs."),
    ("EU urges Kosovo and Serbia to implement the Ohrid agreement",
     "The EU foreign policy chief said both Kosovo and Serbia must carry out their "
     "commitments under the agreement reached in Ohrid."),
    ("New bus line links North Mitrovica and Novi Pazar in Serbia",
     "A private company launched a daily bus line between North Mitrovica and Novi Pazar."),
    ("Kosovo Serbs in Gračanica receive pensions from Serbia",
     "Pensioners in Gračanica collected their pensions from the Serbian post office."),
    ("Vučić and Kurti to attend Western Balkans summit",
     "Leaders of Serbia and Kosovo are expected at the Berlin Process summit, where regional "
     "trade will be discussed."),
    ("Serbian citizens queue at Jarinje after new Kosovo document checks",
     "Drivers waited for hours at the Jarinje crossing after Kosovo introduced new checks on "
     "Serbian identity documents."),
]  # fmt: skip


class Outlets:
    """Feeds on the loopback server that gain items as the day goes on, polled by a
    fresh daemon each cycle on a clock the test moves."""

    def __init__(self, feed_server: FeedServer, config_dir: ConfigDir) -> None:
        self.feed_server, self.config_dir = feed_server, config_dir
        self.items: dict[str, list[str]] = {}
        self.feeds: list[str] = []
        self.config: Config | None = None
        self.clock = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)

    def publish(self, outlet: str, language: str, title: str, text: str) -> None:
        n = sum(len(items) for items in self.items.values())
        self.items.setdefault(outlet, []).append(
            f"<item><title>{escape(title)}</title><link>https://{outlet}.example/{n}</link>"
            f'<guid isPermaLink="false">{outlet}-{n}</guid><description>{escape(text)}'
            "</description></item>"
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{outlet}</title><link>https://{outlet}.example/</link>"
            f"<language>{language}</language>{''.join(self.items[outlet])}</channel></rss>"
        ).encode()
        self.feed_server.serve(f"/{outlet}.xml", body)

    def cycle(self, minutes: float = 0) -> IndexState:
        """Poll every outlet ``minutes`` after the last cycle; the index after it."""
        self.clock += timedelta(minutes=minutes)
        feeds = [self.feed_server.url(f"/{outlet}.xml") for outlet in self.items]
        if feeds != self.feeds:  # the config, loaded again only when it changes
            settings = {"poll": {"timeout": "5s", "jitter": 0, "workers": 0}}
            self.config = load_config(self.config_dir.write(feeds, settings=settings))
            self.feeds = feeds

        async def run() -> None:
            assert self.config is not None
            async with open_runtime(self.config) as runtime:
                runtime.clock = lambda: self.clock
                await run_cycle(runtime, all_feeds=True)

        asyncio.run(run())
        store = Store(self.config_dir.database, readonly=True)
        try:
            state = store.index_state(WATCH)
            stories = store.db.execute(
                "SELECT count(*) FROM alerts WHERE kind = 'article'"
            ).fetchone()[0]
        finally:
            store.close()
        assert state is not None
        self.stories = int(stories)
        return state


def test_one_event_from_five_outlets_makes_the_index_elevated_or_high_not_severe(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    outlets = Outlets(feed_server, config_dir)
    outlets.publish(*JARINJE[0])
    first = outlets.cycle()
    for report in JARINJE[1:]:
        outlets.publish(*report)
    index = outlets.cycle(minutes=20)

    assert outlets.stories == 1
    assert index.level in ("elevated", "high")
    # Counted once, with its breadth: at most 1.3 times one story's capped top score
    # (3 x the critical level, 14), not five reports' scores (which made "severe").
    assert first.value <= index.value <= 1.3 * 3 * 14
    assert index.value < 120


def test_several_serious_stories_within_a_half_life_make_the_index_severe(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    outlets = Outlets(feed_server, config_dir)
    levels = []
    for event in CRISIS:
        for report in event:
            outlets.publish(*report)
        levels.append(outlets.cycle(minutes=90).level)

    assert outlets.stories == len(CRISIS)  # four events, four stories
    assert levels[0] in ("elevated", "high")
    assert "severe" not in levels[:2]  # one or two stories are not a crisis
    assert levels[-1] == "severe"


def test_a_day_of_routine_news_stays_below_elevated(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    outlets = Outlets(feed_server, config_dir)
    values = []
    for hour, (title, text) in enumerate(ROUTINE):
        outlets.publish(["wire", "courier", "daily", "press"][hour % 4], "en", title, text)
        index = outlets.cycle(minutes=60)
        assert index.level is None, f"hour {hour}: {index.value:.1f}"
        values.append(index.value)

    assert max(values) > 10  # the routine articles count, their own scores, once each


def _story(score: float, outlets: int, languages: tuple[str, ...]) -> Alert:
    return Alert(
        key="w:article:1", kind="article", state="firing", watch="w", level="critical",
        score=score, created_at=datetime(2026, 11, 2, tzinfo=UTC),
        sources=tuple(AlertSource(f"o{n}", None) for n in range(outlets)),
        story=Story(("Jarinje",), ("armed-violence",), outlets, outlets, None, None,
                    languages=languages),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("score", "outlets", "languages", "weight"),
    [
        (30, 1, 1, 30),  # one report: its score
        (30, 2, 1, 31.5),  # another outlet: +5%
        (30, 3, 2, 36),  # two more outlets, one more language: +20%
        (30, 7, 5, 39),  # breadth is capped at +30%
        (90, 1, 1, 42),  # the score counts up to 3 times the critical level (14)
        (90, 7, 5, 54.6),  # so one story counts at most 54.6 in the shipped watch
        (-5, 3, 1, 0),
    ],
)
def test_a_story_weighs_its_capped_top_score_and_a_capped_breadth(
    score: float, outlets: int, languages: int, weight: float
) -> None:
    assert story_weight(score, outlets, languages, critical=14) == pytest.approx(weight)


def test_a_story_adds_its_weight_once_and_then_only_what_it_rises_by() -> None:
    new = _story(30, 1, ("en",))
    assert story_index_rise(None, new, 14) == pytest.approx(30)
    copies = _story(30, 5, ("en",))  # four more outlets, the same top score
    assert story_index_rise(new, copies, 14) == pytest.approx(30 * 0.2)
    worse = _story(40, 5, ("en", "sh", "sq"))  # a report that raises the top score
    assert story_index_rise(copies, worse, 14) == pytest.approx(40 * 1.3 - 30 * 1.2)
    assert story_index_rise(worse, _story(35, 6, ("en",)), 14) == 0  # never less

"""One story, one alert: grouping, group_wait, group_interval and escalation, end to end."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner
from conftest import ClockedDaemon, ConfigDir, FeedServer, Quiet, WebhookReceiver, rss
from starlette.testclient import TestClient

from monitor.channels.message import message_of
from monitor.cli.main import main
from monitor.config import load_config
from monitor.daemon.server import make_app
from monitor.models import Alert
from monitor.web.pages import WebContext

CLASH = (
    "Police and a crowd of Kosovo Serbs clashed near the main bridge in North Mitrovica on "
    "Monday evening. Officers fired tear gas and witnesses reported gunfire; nine people were "
    "wounded, three of them police officers, and KFOR sent extra patrols overnight."
)
BARRICADES = (
    "Kosovo Serbs put up barricades of trucks and gravel at the Jarinje crossing after the "
    "arrest of a local man; Kosovo police closed the road and protesters blocked traffic."
)


def outlet_feed(outlet: str, title: str, text: str, guid: str) -> bytes:
    return rss(
        [{"title": title, "link": f"https://{outlet}.example/{guid}", "guid": guid,
          "description": text}],
        title=outlet,
    )  # fmt: skip


START = datetime(2026, 11, 2, 21, 0, tzinfo=UTC)


def test_five_outlets_carrying_one_clash_make_one_notification_with_five_sources(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    titles = [
        "Clashes in North Mitrovica, nine wounded",
        "Nine wounded in North Mitrovica clashes",
        "North Mitrovica: clashes leave nine wounded",
        "Clashes in North Mitrovica leave nine wounded",
        "Nine wounded as clashes erupt in North Mitrovica",
    ]
    feeds = [
        feed_server.serve(f"/{n}.xml", outlet_feed(f"outlet{n}", title, CLASH, f"c{n}"))
        for n, title in enumerate(titles)
    ]
    report = ClockedDaemon(config_dir, webhook, START).cycle(feeds)

    assert report.new_articles == 5
    assert report.deliveries.sent == 1
    (payload,) = webhook.payloads
    assert len(payload["articles"]) == 5
    assert payload["kind"] == "article"
    assert sorted(s["source"] for s in payload["sources"]) == [f"outlet{n}" for n in range(5)]
    assert len({source["url"] for source in payload["sources"]}) == 5


def test_a_syndicated_copy_is_stored_once_and_listed_as_a_source(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    title = "Clashes in North Mitrovica, nine wounded"
    feeds = [
        feed_server.serve(f"/{n}.xml", outlet_feed(f"outlet{n}", title, CLASH, f"s{n}"))
        for n in range(3)
    ]
    report = ClockedDaemon(config_dir, webhook, START).cycle(feeds)

    assert report.new_articles == 1  # the same title and text: one article
    (payload,) = webhook.payloads
    assert len(payload["articles"]) == 1
    assert sorted(s["source"] for s in payload["sources"]) == ["outlet0", "outlet1", "outlet2"]


def test_rewritten_reports_of_one_story_join_and_a_different_story_alerts_apart(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    rewritten = CLASH.replace("Monday evening", "Monday night").replace("nine", "9")
    feeds = [
        feed_server.serve("/a.xml", outlet_feed("a", "Clashes in North Mitrovica", CLASH, "a1")),
        feed_server.serve(
            "/b.xml", outlet_feed("b", "North Mitrovica clashes: 9 hurt", rewritten, "b1")
        ),
        feed_server.serve("/c.xml", outlet_feed("c", "Barricades at Jarinje", BARRICADES, "c1")),
    ]
    report = ClockedDaemon(config_dir, webhook, START).cycle(feeds)

    assert report.new_articles == 3
    stories = sorted(len(p["articles"]) for p in webhook.payloads)
    assert stories == [1, 2]


def test_group_wait_gathers_sources_before_the_first_notification(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    first = feed_server.serve("/1.xml", outlet_feed("one", "Clashes in Mitrovica", CLASH, "x1"))
    second = feed_server.serve("/2.xml", outlet_feed("two", "Mitrovica clashes", CLASH, "x2"))
    daemon = ClockedDaemon(config_dir, webhook, START, group_wait="60s")

    report = daemon.cycle([first])
    assert webhook.payloads == []  # still gathering
    assert report.waiting == 1
    assert report.summary().endswith("; 1 notifications waiting to be sent")
    daemon.cycle([first, second], minutes=0.5)
    assert webhook.payloads == []
    daemon.cycle([first, second], minutes=1)

    (payload,) = webhook.payloads
    assert [source["source"] for source in payload["sources"]] == ["one", "two"]


def test_a_story_notifies_again_only_with_news_at_most_once_per_group_interval(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    mild = "Kosovo Serbs protest near the Jarinje crossing; police made arrests at the barricades."
    first = feed_server.serve("/1.xml", outlet_feed("one", "Protest at Jarinje", mild, "m1"))
    daemon = ClockedDaemon(config_dir, webhook, START)
    daemon.cycle([first])
    assert [p["level"] for p in webhook.payloads] == ["warning"]

    again = feed_server.serve("/2.xml", outlet_feed("two", "Jarinje protest goes on", mild, "m2"))
    daemon.cycle([first, again], minutes=30)  # a second outlet, nothing new: quiet
    assert len(webhook.payloads) == 1

    worse = mild + " Then gunfire: two officers were shot and wounded, grenades exploded."
    third = feed_server.serve("/3.xml", outlet_feed("three", "Gunfire at Jarinje", worse, "m3"))
    daemon.cycle([first, again, third], minutes=10)  # the level rises: at once
    assert [p["level"] for p in webhook.payloads] == ["warning", "critical"]

    burning = "Kosovo Serbs set fire to the Jarinje crossing post; protesters torched two cars."
    fourth = feed_server.serve("/4.xml", outlet_feed("four", "Jarinje post torched", burning, "m4"))
    feeds = [first, again, third, fourth]
    daemon.cycle(feeds, minutes=10)  # a new event type, 10 min after the last notification
    assert len(webhook.payloads) == 2  # held until a group_interval (30 min) has passed
    daemon.cycle(feeds, minutes=21)
    assert len(webhook.payloads) == 3
    assert len(webhook.payloads[-1]["sources"]) == 4
    assert "arson" in webhook.payloads[-1]["story"]["event_types"]
    keys = [r.headers["Idempotency-Key"] for r in webhook.requests]
    assert len(set(keys)) == 3


# Five outlets, three languages, one event; two events one afternoon in one town; a
# follow-up days later. Written for these tests.
SHOOTING = [
    ("en", "Gunmen fire at a police patrol near Zvečan, two officers wounded",
     "Unknown gunmen opened fire on a Kosovo police patrol outside Zvečan at dusk; two "
     "officers were wounded and taken to hospital in Mitrovica."),
    ("en2", "Kosovo police patrol shot at in the north",
     "Two Kosovo police officers were wounded when their patrol came under fire close to "
     "Zvecan, police said; the attackers fled towards the hills."),
    ("sr", "Pucnjava na policijsku patrolu kod Zvečana, ranjena dva policajca",
     "Nepoznate osobe otvorile su vatru na patrolu kosovske policije kod Zvečana; dva "
     "policajca su ranjena, saopštila je policija u Mitrovici."),
    ("sr-cyrl", "Пуцњава код Звечана, рањена два полицајца",
     "Непознате особе отвориле су ватру на патролу косовске полиције код Звечана; "
     "два полицајца су рањена."),
    ("sq", "Sulm me armë ndaj patrullës së policisë në Zveçan, dy policë të plagosur",
     "Persona të panjohur qëlluan mbi një patrullë të Policisë së Kosovës afër Zveçanit; "
     "dy policë u plagosën dhe u dërguan në spital në Mitrovicë."),
]  # fmt: skip


def test_one_event_in_five_outlets_and_three_languages_is_one_notification(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    feeds = [
        feed_server.serve(f"/{outlet}.xml", outlet_feed(outlet, title, text, f"z-{outlet}"))
        for outlet, title, text in SHOOTING
    ]
    daemon = ClockedDaemon(config_dir, webhook, START, group_wait="60s")
    daemon.cycle(feeds)
    daemon.cycle(feeds, minutes=2)

    (payload,) = webhook.payloads
    assert sorted(s["source"] for s in payload["sources"]) == sorted(o for o, _, _ in SHOOTING)
    assert payload["story"]["outlets"] == 5
    assert payload["story"]["places"][0] == "Zvečan"

    config = ["--config", str(config_dir.path)]
    listed = CliRunner().invoke(main, ["alerts", "--json", *config])
    (alert,) = [json.loads(line) for line in listed.output.splitlines()]
    reasons = [article["joined_because"] for article in alert["articles"]]
    assert reasons[0].startswith("opened story #1")
    assert all(r.startswith("joined story #1: ") for r in reasons[1:]), reasons
    assert {a["source"] for a in alert["articles"]} == {o for o, _, _ in SHOOTING}
    shown = CliRunner().invoke(main, ["alerts", "show", "1", *config]).output
    assert "  story: 5 reports by 5 outlets; in Zvečan, Mitrovica;" in shown
    assert "    why: joined story #1: shares place Zvečan and event type" in shown


def test_two_events_one_afternoon_in_one_town_are_two_stories(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    grenade = feed_server.serve("/g.xml", outlet_feed(
        "one", "Grenade thrown at the police station in Zvečan",
        "An explosion shook the Kosovo police station in Zvečan; a hand grenade was thrown "
        "over its fence and two officers were wounded.", "g1"))  # fmt: skip
    arrest = feed_server.serve("/a.xml", outlet_feed(
        "two", "Kosovo police detain a Serb official in Zvečan",
        "Kosovo police arrested a Serb municipal official in Zvečan on a warrant for "
        "abuse of office; Belgrade protested the arrest.", "a1"))  # fmt: skip
    daemon = ClockedDaemon(config_dir, webhook, START)
    daemon.cycle([grenade])
    daemon.cycle([grenade, arrest], minutes=120)

    assert len(webhook.payloads) == 2
    assert len({p["id"] for p in webhook.payloads}) == 2


def test_two_attacks_one_afternoon_in_towns_apart_are_two_stories_though_each_names_both(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    grenade = feed_server.serve("/g.xml", outlet_feed(
        "one", "Grenade thrown at the police station in Zvečan",
        "A hand grenade was thrown at the Kosovo police station in Zvečan and two officers "
        "were wounded; police closed the road from Zvečan to Leposavić.", "g1"))  # fmt: skip
    crossing = feed_server.serve("/j.xml", outlet_feed(
        "two", "Shots fired at Kosovo police at the Jarinje crossing",
        "Unknown men fired at a Kosovo police checkpoint at Jarinje and one officer was "
        "wounded. Earlier a grenade was thrown at the police station in Zvečan.", "j1"))  # fmt: skip
    crossing_sr = feed_server.serve("/s.xml", outlet_feed(
        "three", "Pucnjava na prelazu Jarinje, ranjen policajac",
        "Nepoznate osobe pucale su na punkt kosovske policije na Jarinju i ranile policajca. "
        "Ranije je bačena bomba na policijsku stanicu u Zvečanu.", "s1"))  # fmt: skip
    daemon = ClockedDaemon(config_dir, webhook, START)
    daemon.cycle([grenade])
    daemon.cycle([grenade, crossing], minutes=90)
    daemon.cycle([grenade, crossing, crossing_sr], minutes=120)

    config = ["--config", str(config_dir.path)]
    listed = CliRunner().invoke(main, ["alerts", "--json", *config])
    alerts = [json.loads(line) for line in listed.output.splitlines()]
    assert sorted([a["source"] for a in alert["articles"]] for alert in alerts) == [
        ["one"],
        ["two", "three"],
    ]
    (opened, joined) = next(a["articles"] for a in alerts if len(a["articles"]) == 2)
    why = opened["joined_because"]
    assert "but it names Jarinje in its headline, the story's headlines Zvečan" in why
    assert joined["joined_because"].startswith("joined story #2: shares places Jarinje, Zvečan")


def test_a_report_after_the_window_opens_a_story_that_follows_the_first(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    outlet, title, text = SHOOTING[0]
    first = feed_server.serve("/1.xml", outlet_feed(outlet, title, text, "f1"))
    later = feed_server.serve("/2.xml", outlet_feed(
        "later", "Zvečan: patrol attack suspect still at large",
        "Two days after gunmen wounded two officers near Zvečan, Kosovo police said the "
        "attackers had not been found; patrols fired on again overnight.", "f2"))  # fmt: skip
    daemon = ClockedDaemon(config_dir, webhook, START)
    daemon.cycle([first])
    daemon.cycle([first, later], minutes=60 * 48)

    firsts = [p for p in webhook.payloads if p["story"]["reports"] == 1]
    assert len(firsts) == 2
    assert firsts[1]["story"]["follows"] == 1


def test_a_claim_of_responsibility_opens_a_story_that_follows_the_attack_and_gathers_its_kind(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    outlet, title, text = SHOOTING[0]
    attack = feed_server.serve("/1.xml", outlet_feed(outlet, title, text, "f1"))
    claims = [
        feed_server.serve(f"/c{n}.xml", outlet_feed(outlet, headline, body, f"c{n}"))
        for n, (outlet, headline, body) in enumerate([
            ("claim-en", "Armed group claims responsibility for the Zvečan patrol attack",
             "A group of armed men said it had fired on the Kosovo police patrol near Zvečan, "
             "in which two officers were wounded."),
            ("claim-sr", "Naoružana grupa preuzela odgovornost za napad kod Zvečana",
             "Grupa naoružanih ljudi preuzela je odgovornost za pucnjavu na patrolu kosovske "
             "policije kod Zvečana, u kojoj su ranjena dva policajca."),
        ])
    ]  # fmt: skip
    daemon = ClockedDaemon(config_dir, webhook, START)
    daemon.cycle([attack])
    daemon.cycle([attack, *claims], minutes=120)

    assert [(p["story"]["reports"], p["story"]["follows"]) for p in webhook.payloads] == [
        (1, None),
        (2, 1),
    ]
    config = ["--config", str(config_dir.path)]
    listed = CliRunner().invoke(main, ["alerts", "--json", *config]).output.splitlines()
    aftermath = next(a for a in map(json.loads, listed) if len(a["articles"]) == 2)
    reasons = sorted(article["joined_because"] for article in aftermath["articles"])
    assert reasons[0].startswith("joined story #2: shares place Zvečan"), reasons
    assert reasons[1].startswith("opened story #2, follows #1: shares place Zvečan")
    assert "but its headline tells of what followed (" in reasons[1]


def test_a_critical_report_within_group_wait_replaces_the_warning_it_would_follow(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    mild = "Kosovo Serbs protest near the Jarinje crossing; police made arrests at the barricades."
    worse = mild + " Then gunfire: two officers were shot and wounded, grenades exploded."
    first = feed_server.serve("/1.xml", outlet_feed("one", "Protest at Jarinje", mild, "i1"))
    second = feed_server.serve("/2.xml", outlet_feed("two", "Protest at Jarinje", worse, "i2"))
    daemon = ClockedDaemon(config_dir, webhook, START, group_wait="60s")

    daemon.cycle([first])
    daemon.cycle([first, second], minutes=0.5)  # critical, before the warning went out
    daemon.cycle([first, second], minutes=1)

    (payload,) = webhook.payloads
    assert payload["level"] == "critical"
    assert len(payload["articles"]) == 2


ROUTINE_TOPICS = [
    "energy supply", "trade rules", "missing persons", "vehicle documents",
    "school diplomas", "pension payments", "water management", "railway links",
]  # fmt: skip


def test_reports_that_name_no_town_join_by_their_rare_words_once_the_news_says_which_are_rare(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    routine = feed_server.serve("/talks.xml", rss([
        {"title": f"Kosovo and Serbia negotiators discuss {topic}, round {n}",
         "link": f"https://talks.example/{n}/{i}", "guid": f"t-{n}-{i}",
         "description": f"Delegations of Kosovo and Serbia met for round {n} on {topic}; "
                        "officials described the meeting as constructive."}
        for i, topic in enumerate(ROUTINE_TOPICS) for n in range(1, 5)
    ], title="talks"))  # fmt: skip
    church = feed_server.serve("/church.xml", outlet_feed(
        "one", "Shots fired at an Orthodox church on Christmas Eve in Kosovo",
        "Gunmen fired shots at a Serbian Orthodox church during the Christmas Eve liturgy "
        "in a Kosovo village; two worshippers were wounded.", "c1"))  # fmt: skip
    worshippers = feed_server.serve("/worshippers.xml", outlet_feed(
        "two", "Two Serb worshippers wounded as gunfire hits a church",
        "Two Kosovo Serbs were wounded when gunmen fired at the Orthodox church during "
        "Christmas Eve prayers; Belgrade condemned the shooting.", "w1"))  # fmt: skip
    daemon = ClockedDaemon(config_dir, webhook, START)
    daemon.cycle([routine])
    assert webhook.payloads == []
    daemon.cycle([routine, church, worshippers], minutes=10)

    (payload,) = webhook.payloads
    assert payload["story"]["outlets"] == 2
    config = ["--config", str(config_dir.path)]
    (alert,) = [
        json.loads(line)
        for line in CliRunner().invoke(main, ["alerts", "--json", *config]).output.splitlines()
    ]
    reasons = [article["joined_because"] for article in alert["articles"]]
    assert "rare words are close" in reasons[1], reasons


def test_a_story_many_outlets_carry_at_once_is_breaking_in_its_notification_and_page(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    feeds = [
        feed_server.serve(f"/{outlet}.xml", outlet_feed(outlet, title, text, f"b-{outlet}"))
        for outlet, title, text in SHOOTING[:3]
    ]
    breaking = {"breaking": {"outlets": 3, "within": "2h"}}
    daemon = ClockedDaemon(config_dir, webhook, START, group_wait="60s", story=breaking)
    daemon.cycle(feeds)
    daemon.cycle(feeds, minutes=2)

    (payload,) = webhook.payloads
    assert payload["story"]["breaking"] is True
    note = message_of(Alert.from_json(payload)).note or ""  # what chat and e-mail say
    assert "reported by 3 outlets" in note and "breaking" in note
    page = dashboard(config_dir, daemon.clock)
    assert '<span class="breaking">breaking</span> 3 reports by 3 outlets; in Zvečan' in page


def test_a_story_fewer_outlets_carry_is_not_breaking(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    feeds = [
        feed_server.serve(f"/{outlet}.xml", outlet_feed(outlet, title, text, f"b-{outlet}"))
        for outlet, title, text in SHOOTING[:2]
    ]
    daemon = ClockedDaemon(
        config_dir, webhook, START, group_wait="60s", story={"breaking": {"outlets": 3}}
    )
    daemon.cycle(feeds)
    daemon.cycle(feeds, minutes=2)

    (payload,) = webhook.payloads
    assert payload["story"]["breaking"] is False
    assert '<span class="breaking">' not in dashboard(config_dir, daemon.clock)


def dashboard(config_dir: ConfigDir, now: datetime) -> str:
    """The dashboard page of ``config_dir``'s database at ``now``."""
    config = load_config(config_dir.path)
    web = WebContext(config_dir.database, lambda: config.watches, lambda: now)
    return TestClient(make_app(Quiet(), web)).get("/").text

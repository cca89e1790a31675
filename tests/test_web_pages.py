"""The story page (``/alerts/ID``) and the article page, on a story that five outlets
reported in three languages, through real cycles, a real webhook and real Chromium."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import (
    Browser,
    ConfigDir,
    FeedServer,
    Quiet,
    WebhookReceiver,
    dashboard_at,
    needs_chromium,
    rss,
)
from starlette.testclient import TestClient

from monitor.alerts.corrections import split_story
from monitor.alerts.policy import spike_alert, system_alert
from monitor.config import load_config
from monitor.daemon.run import open_runtime
from monitor.daemon.server import make_app
from monitor.poll.cycle import run_cycle
from monitor.store import Store
from monitor.web.highlight import highlight, paragraphs
from monitor.web.pages import WebContext

START = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)
PUBLIC_URL = "https://monitor.example.org"
# One event at the Jarinje crossing, five outlets, three languages (English, Serbian
# in both scripts, Albanian), written for these tests. Paragraphs are HTML blocks;
# the second paragraph of the first report calls for calm (calming words) and its
# third says no shots were fired (a negated hit). ``None``: no declared language.
JARINJE = [
    ("wire", "en-GB", 0, "Clashes at the Jarinje crossing: police fire tear gas, five hurt",
     "<p>Kosovo police fired tear gas at Serbs who had blocked the Jarinje crossing with "
     "trucks before dawn; five people were injured in the clashes.</p>"
     "<p>Officials in Belgrade and Pristina called for calm and for talks in Brussels.</p>"
     "<p>No gunfire was heard at the crossing, police said.</p>"),
    ("sever", None, 0, "Sukobi na prelazu Jarinje, petoro povređenih",
     "<p>Kosovska policija ispalila je suzavac na Srbe koji su kamionima blokirali prelaz "
     "Jarinje; u sukobima je petoro ljudi povređeno.</p><p>Beograd poziva na dijalog.</p>"),
    ("lajme", "sq", 0, "Përplasje në pikën e kalimit në Jarinjë, pesë të lënduar",
     "<p>Policia e Kosovës hodhi gaz lotsjellës ndaj serbëve që bllokuan kalimin në Jarinjë "
     "me kamionë; pesë persona u lënduan në përplasje.</p>"),
    ("daily", "en", 2, "Jarinje crossing stays shut after clashes with police",
     "<p>The Jarinje crossing stayed closed on Tuesday after clashes between Kosovo police "
     "and Serbs who blocked it with trucks; five people were hurt and tear gas was fired.</p>"
     "<p>KFOR soldiers patrolled the road to the crossing.</p>"),
    ("rts", "sr-Cyrl-RS", 2, "Сукоби на прелазу Јариње, полиција бацила сузавац",
     "<p>Косовска полиција бацила је сузавац на Србе који су блокирали прелаз Јариње; "
     "у сукобима је повређено петоро људи.</p>"),
]  # fmt: skip


def feed(outlet: str, language: str | None, title: str, html: str, published: datetime) -> bytes:
    """An RSS feed of one item, declaring ``language`` (or none)."""
    declared = f"<language>{language}</language>" if language else ""
    date = format_datetime(published, usegmt=True)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{outlet.title()} News</title><link>https://{outlet}.example/</link>{declared}"
        f"<item><title>{escape(title)}</title><link>https://{outlet}.example/jarinje</link>"
        f'<guid isPermaLink="false">{outlet}-jarinje</guid><pubDate>{date}</pubDate>'
        f"<description>{escape(html)}</description></item></channel></rss>"
    ).encode()


@dataclass
class Seeded:
    """A database after two cycles of the Jarinje story, and what the webhook received."""

    config: ConfigDir
    webhook: WebhookReceiver
    now: datetime

    def client(self) -> TestClient:
        config = load_config(self.config.path)
        web = WebContext(self.config.database, lambda: config.watches, lambda: self.now)
        return TestClient(make_app(Quiet(), web))

    def story_id(self) -> int:
        return int(self.rows("SELECT id FROM alerts WHERE kind = 'article'")[0][0])

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        store = Store(self.config.database, readonly=True)
        try:
            return [tuple(row) for row in store.db.execute(sql).fetchall()]
        finally:
            store.close()


def seed(root: Path) -> Iterator[Seeded]:
    """Two cycles, two hours apart: three outlets first, two more later; a webhook that
    takes every notification and a chat channel that cannot be reached."""
    (root / "config").mkdir()
    config_dir = ConfigDir(root / "config", root / "data" / "monitor.db")
    server, webhook = FeedServer(), WebhookReceiver()
    try:
        urls = {outlet: server.url(f"/{outlet}.xml") for outlet, *_ in JARINJE}
        config_dir.write(
            list(urls.values()),
            channels={
                "hook": {"type": "webhook", "url": webhook.url("/hook")},
                "chat": {"type": "mattermost", "url": "http://127.0.0.1:9/hooks/x"},
            },
            watch_channels=["hook", "chat"],
            settings={"poll": {"workers": 0, "jitter": 0}, "http": {"listen": None,
                      "public_url": PUBLIC_URL}},
            alert_on="[article:warning, index:elevated]",
        )  # fmt: skip
        loaded = load_config(config_dir.path)

        async def cycles() -> None:
            async with open_runtime(loaded) as runtime:
                for hours in (0, 2):
                    for number, (outlet, language, at, title, html) in enumerate(JARINJE):
                        published = START + timedelta(hours=at, minutes=5 * number - 25)
                        body = feed(outlet, language, title, html, published)
                        server.serve(f"/{outlet}.xml", body if at <= hours else rss([]))
                    runtime.clock = lambda hours=hours: START + timedelta(hours=hours)
                    await run_cycle(runtime, all_feeds=True)

        asyncio.run(cycles())
        yield Seeded(config_dir, webhook, START + timedelta(hours=3))
    finally:
        server.close()
        webhook.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    yield from seed(tmp_path_factory.mktemp("jarinje"))


def test_every_notification_links_to_its_story_page(seeded: Seeded) -> None:
    client = seeded.client()
    payloads = seeded.webhook.payloads
    assert {payload["kind"] for payload in payloads} == {"article", "index"}
    for payload in payloads:
        assert payload["link"] == f"{PUBLIC_URL}/alerts/{payload['alert']}"
        page = client.get(payload["link"].removeprefix(PUBLIC_URL))
        assert page.status_code == 200
        assert f"alert #{payload['alert']} · watch serbia-kosovo" in page.text


def test_the_story_page_shows_each_report_with_its_outlet_language_and_why_it_joined(
    seeded: Seeded,
) -> None:
    page = seeded.client().get(f"/alerts/{seeded.story_id()}")

    assert page.status_code == 200
    html = page.text
    first = seeded.rows("SELECT title FROM articles WHERE id = 1")[0][0]
    assert f'<span class="level level-critical">critical</span> {first}</h2>' in html
    assert "<strong>firing</strong>" in html
    assert "5 reports by 5 outlets in 3 languages (en, sh, sq)" in html
    rows = re.findall(
        r'<tr class="report" id="report-(\d+)">\s*<td class="when">([^<]+)</td>\s*'
        r'<td class="outlet">([^<]+)</td>\s*<td class="lang">(\w+)</td>', html
    )  # fmt: skip
    # In the order they joined: the first cycle's three, then the second's two.
    published = {"Wire News": "05:35", "Sever News": "05:40", "Lajme News": "05:45",
                 "Daily News": "07:50", "Rts News": "07:55"}  # fmt: skip
    assert {outlet for _, _, outlet, _ in rows[:3]} == {"Wire News", "Sever News", "Lajme News"}
    assert {outlet for _, _, outlet, _ in rows[3:]} == {"Daily News", "Rts News"}
    for _, when, outlet, language in rows:
        assert when == f"2026-11-10 {published[outlet]} UTC"  # when it was published
        assert language == {"Lajme News": "sq", "Sever News": "sh", "Rts News": "sh"}.get(
            outlet, "en"
        )
    why = re.findall(r'<td class="why">([^<]*)', html)
    assert why[0].startswith("opened story #1: no recent story of this watch to join")
    assert html.count("opened story #1: no recent story of this watch to join") == 1
    assert html.count("joined story #1: shares place Jarinje") == 4
    for article_id, *_ in rows:
        assert f'<a href="/articles/{article_id}">' in html
    places = re.findall(r'<span class="chip place">([^<]+)</span>', html)
    assert places[0] == "Jarinje" and "Kosovo" in places
    assert re.findall(r'<span class="chip actor">([^<]+)</span>', html) == ["KFOR"]
    assert "clashes, protest, tension-measures" in html  # the event types


def test_the_story_page_shows_the_hits_that_made_the_level_and_every_delivery(
    seeded: Seeded,
) -> None:
    html = seeded.client().get(f"/alerts/{seeded.story_id()}").text

    signals = re.findall(r'<tr class="signal signal-(\w+)">\s*<td>([\w-]+)</td>', html)
    assert signals[0] == ("hit", "clashes")
    assert ("calm", "calm") in signals and ("negated", "armed-violence") in signals
    assert '<mark class="calm">talks</mark>' in html and '<mark class="calm">dijalog</mark>' in html
    assert 'class="legend"' in html
    deliveries = re.findall(
        r'<tr class="delivery delivery-(\w+)">\s*<td>(\w+)</td><td>([^<]+)</td>', html
    )
    assert ("sent", "hook", "firing") in deliveries
    assert ("pending", "chat", "firing") in deliveries
    assert ("sent", "hook", "update of 2026-11-10 08:00 UTC") in deliveries
    assert "mattermost unreachable: ConnectError" in html
    assert "127.0.0.1:9" not in html  # a channel's URL may hold a secret: never shown
    assert "hooks/x" not in html


def test_an_index_alert_page_lists_the_stories_that_moved_it(seeded: Seeded) -> None:
    (index_id,) = seeded.rows("SELECT id FROM alerts WHERE kind = 'index'")[0]

    html = seeded.client().get(f"/alerts/{index_id}").text

    assert "serbia-kosovo: tension index" in html and "index alert" in html
    story = seeded.story_id()
    assert re.search(rf'<a href="/alerts/{story}">#{story} [^<]*Jarin[^<]*</a>', html)
    assert "At its last notification" in html
    assert re.search(r'<tr class="delivery delivery-sent">\s*<td>hook</td><td>firing</td>', html)


def test_an_unknown_alert_is_a_page_in_words(seeded: Seeded) -> None:
    page = seeded.client().get("/alerts/999")
    assert page.status_code == 404
    assert "No alert #999: there is no such alert in this database." in page.text
    assert seeded.client().get("/alerts/x").status_code == 404


def test_a_split_and_a_follow_up_show_on_both_story_pages(seeded: Seeded, tmp_path: Path) -> None:
    database = tmp_path / "copy.db"
    shutil.copy(seeded.config.database, database)
    config = load_config(seeded.config.path)
    store = Store(database)
    story = seeded.story_id()
    (rts,) = seeded.rows("SELECT id FROM articles WHERE url LIKE '%rts.example%'")[0]
    split = split_story(store, config.watches, story, rts, seeded.now, note="a separate incident")
    # A story that follows another is grouping's to find; here the row says so.
    store.db.execute("UPDATE alerts SET follows = ? WHERE id = ?", [story, split.other_alert_id])
    store.close()
    web = WebContext(database, lambda: config.watches, lambda: seeded.now)
    client = TestClient(make_app(Quiet(), web))

    new = client.get(f"/alerts/{split.other_alert_id}").text
    old = client.get(f"/alerts/{story}").text

    moved = (f'moved out of <a class="alert-link" href="/alerts/{story}">#{story}</a> into '
             f'<a class="alert-link" href="/alerts/{split.other_alert_id}">')  # fmt: skip
    assert moved in new and moved in old
    assert "(a separate incident)" in old
    assert f'follows <a class="alert-link" href="/alerts/{story}">#{story}</a>' in new
    assert f'followed up by <a class="alert-link" href="/alerts/{split.other_alert_id}">' in old
    assert "4 reports by 4 outlets" in old and "Сукоби" in new


def test_an_article_page_names_its_story_and_the_other_outlets(seeded: Seeded) -> None:
    (wire,) = seeded.rows("SELECT id FROM articles WHERE url LIKE '%wire.example%'")[0]

    html = seeded.client().get(f"/articles/{wire}").text

    story = seeded.story_id()
    assert f'In story <a class="alert-link" href="/alerts/{story}">#{story}</a>' in html
    also = re.search(r'<div class="also">Also carried by: (.*?)</div>', html)
    assert also is not None
    outlets = re.findall(r'<a href="/articles/(\d+)">([^<]+)</a>', also.group(1))
    assert {name for _, name in outlets} == {"Lajme News", "Sever News", "Daily News", "Rts News"}


def test_an_article_page_marks_calming_words_apart_and_keeps_its_paragraphs(
    seeded: Seeded,
) -> None:
    (wire,) = seeded.rows("SELECT id FROM articles WHERE url LIKE '%wire.example%'")[0]

    html = seeded.client().get(f"/articles/{wire}").text

    text = re.search(r'<div class="text">(.*?)</div>', html, re.S)
    assert text is not None
    paragraphs = re.findall(r"<p>(.*?)</p>", text.group(1))
    assert len(paragraphs) == 3
    assert '<mark class="hit">tear gas</mark>' in paragraphs[0]
    assert '<mark class="calm">calm</mark>' in paragraphs[1]
    assert '<mark class="calm">talks</mark>' in paragraphs[1]
    assert '<mark class="negated">gunfire</mark>' in paragraphs[2]
    legend = re.search(r'<p class="legend"[^>]*>(.*?)</p>', html, re.S)
    assert legend is not None
    assert '<mark class="hit">escalation</mark>' in legend.group(1)
    assert '<mark class="calm">calming</mark>' in legend.group(1)
    assert '<mark class="negated">negated</mark>' in legend.group(1)


def test_a_spike_and_a_monitor_alert_say_what_they_counted(
    tmp_path: Path, config_dir: ConfigDir
) -> None:
    store = Store(tmp_path / "alerts.db")
    spike = spike_alert(key="serbia-kosovo:spike:1", watch="serbia-kosovo", state="firing",
                        counts=[14, 3, 4, 2], now=START)  # fmt: skip
    quiet = system_alert(key="system:quiet:1", kind="quiet", state="firing",
                         message="no in-scope article for over 1 day", now=START)  # fmt: skip
    ids = [
        store.open_alert(watch=alert.watch, kind=alert.kind, level=alert.level,
                         dedup_key=alert.key, score=alert.score, article_ids=[], payload=alert,
                         channels=["hook"], now=START)
        for alert in (spike, quiet)
    ]  # fmt: skip
    assert ids[1] is not None
    store.update_alert(ids[1], level="warning", score=0, payload=quiet, now=START,
                       resolved=True, resolution="an in-scope article arrived")  # fmt: skip
    store.close()
    config_dir.write([])
    config = load_config(config_dir.path)
    web = WebContext(tmp_path / "alerts.db", lambda: config.watches, lambda: START)
    client = TestClient(make_app(Quiet(), web))

    spiking = client.get(f"/alerts/{ids[0]}").text
    resolved = client.get(f"/alerts/{ids[1]}").text

    assert "serbia-kosovo: 14 in-scope articles in one window" in spiking
    assert "14 in-scope articles in the last window, against a baseline of 3 per window" in spiking
    assert "monitor itself: quiet" in resolved
    assert "no in-scope article for over 1 day" in resolved
    assert "resolved 2026-11-10 06:00 UTC: an in-scope article arrived" in resolved
    for page in (spiking, resolved):
        assert re.search(r'<tr class="delivery delivery-pending">\s*<td>hook</td>', page)


@pytest.mark.parametrize(
    ("hits", "expected"),
    [
        ([], [[("Clashes at the bridge.", "")], [("Talks resume.", "")]]),
        ([{"signal": "clashes", "field": "text", "start": 0, "end": 7, "points": 5.0}],
         [[("Clashes", "hit"), (" at the bridge.", "")], [("Talks resume.", "")]]),
        ([{"signal": "calm", "field": "text", "start": 23, "end": 28, "points": -3.0}],
         [[("Clashes at the bridge.", "")], [("Talks", "calm"), (" resume.", "")]]),
        # A capped hit gives no points: it is calming when its signal lowered the score.
        ([{"signal": "calm", "field": "text", "start": 23, "end": 28, "points": -3.0},
          {"signal": "calm", "field": "text", "start": 29, "end": 35, "points": 0.0,
           "capped": True}],
         [[("Clashes at the bridge.", "")], [("Talks", "calm"), (" ", ""), ("resume", "calm"),
          (".", "")]]),
        ([{"signal": "clashes", "field": "text", "start": 0, "end": 7, "points": 0.0,
           "negated": True}],
         [[("Clashes", "negated"), (" at the bridge.", "")], [("Talks resume.", "")]]),
        # The title's hits do not mark the text.
        ([{"signal": "clashes", "field": "title", "start": 0, "end": 7, "points": 5.0}],
         [[("Clashes at the bridge.", "")], [("Talks resume.", "")]]),
    ],
)  # fmt: skip
def test_paragraphs_split_the_text_at_its_line_breaks_and_mark_each_hit(
    hits: list[dict[str, object]], expected: list[list[tuple[str, str]]]
) -> None:
    assert paragraphs("Clashes at the bridge.\nTalks resume.", hits, "text") == expected


def test_an_escalation_word_outranks_a_calming_one_where_they_overlap() -> None:
    hits = [
        {"signal": "calm", "field": "text", "start": 0, "end": 10, "points": -3.0},
        {"signal": "clashes", "field": "text", "start": 5, "end": 10, "points": 5.0},
    ]
    assert highlight("calm fight", hits, "text") == [("calm ", "calm"), ("fight", "hit")]


@needs_chromium
def test_a_real_browser_shows_the_story_page_and_the_article_page(
    seeded: Seeded, tmp_path: Path
) -> None:
    config = load_config(seeded.config.path)
    web = WebContext(seeded.config.database, lambda: config.watches, lambda: seeded.now)
    (wire,) = seeded.rows("SELECT id FROM articles WHERE url LIKE '%wire.example%'")[0]
    story = seeded.story_id()
    (index,) = seeded.rows("SELECT id FROM alerts WHERE kind = 'index'")[0]
    pages = {
        "story": f"/alerts/{story}",
        "article": f"/articles/{wire}",
        "index": f"/alerts/{index}",
    }
    browser = Browser(tmp_path / "profile")
    doms, shots = {}, {}
    with dashboard_at(web) as url:
        for name, path in pages.items():
            doms[name] = browser.dom(url + path)
            shots[name] = browser.screenshot(url + path, f"{name}-page.png", "1100,1900")

    dom = doms["story"]
    assert dom.count('<tr class="report"') == 5
    assert "5 reports by 5 outlets in 3 languages (en, sh, sq)" in dom
    assert '<span class="chip place">Jarinje</span>' in dom
    assert '<tr class="signal signal-calm">' in dom and '<p class="legend"' in dom
    assert "mattermost unreachable: ConnectError" in dom
    assert f'<a href="/articles/{wire}">' in dom
    article = doms["article"]
    assert f'<a class="alert-link" href="/alerts/{story}">#{story}</a>' in article
    assert "Also carried by:" in article and article.count('<mark class="calm">') >= 2
    for shot in shots.values():
        assert shot.stat().st_size > 10_000

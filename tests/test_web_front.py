"""The front page answers four questions at a glance: is tension rising (the index
with a legend and a scale that fits), what happened (one row per story), where (a
map of the watch's places) and are the feeds working (one line).

A week of real cycles over real feeds on 127.0.0.1 into a real SQLite file; the
layout functions are tested on their own; real Chromium renders the page.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import Browser, ConfigDir, FeedServer, Quiet, dashboard_at, needs_chromium
from starlette.testclient import TestClient

from monitor.config import load_config
from monitor.config.models import LEVELS
from monitor.daemon.run import open_runtime
from monitor.daemon.server import make_app
from monitor.poll.cycle import run_cycle
from monitor.store import IndexState, Store
from monitor.web.chart import chart_layout, nice_step, value_scale
from monitor.web.front import feed_health, report_span
from monitor.web.pages import WebContext
from monitor.web.where import (
    Place,
    PlaceStories,
    map_layout,
    marker_radius,
    place_summary,
    shipped_outline,
)

START = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
END = START + timedelta(days=7)
NOW = END + timedelta(minutes=10)
TALKS = "Officials from Belgrade and Pristina met in Brussels to discuss energy and trade."

# One clash in Zvečan, six outlets, three languages (English; Serbian in Latin and
# Cyrillic; Albanian), the first three within the hour: written for these tests.
# ``None``: the feed declares no language (it is detected).
OUTLETS = {
    "wire": "en", "daily": "en-GB", "sever": None, "rts": "sr-Cyrl-RS", "lajme": "sq",
    "koha": None,
}  # fmt: skip
CLASH = {
    "wire": ("Police and protesters clash in Zvečan, twelve injured",
             "Kosovo police and a crowd of protesters clashed outside the municipal building "
             "in Zvečan on Tuesday evening; twelve people were injured and officers used tear "
             "gas."),
    "daily": ("Twelve hurt as clashes erupt in Zvečan",
              "Clashes broke out in Zvečan when protesters confronted police at the municipal "
              "building; twelve people were injured, among them four officers, and tear gas "
              "was fired."),
    "sever": ("Sukobi u Zvečanu, dvanaest povređenih",
              "U sukobu demonstranata i kosovske policije ispred zgrade opštine u Zvečanu "
              "povređeno je dvanaest osoba; policija je upotrebila suzavac."),
    "rts": ("Сукоби у Звечану, повређено дванаест особа",
            "У сукобу демонстраната и косовске полиције испред зграде општине у Звечану "
            "повређено је дванаест особа; полиција је бацала сузавац."),
    "lajme": ("Përplasje në Zveçan, dymbëdhjetë të lënduar",
              "Në përplasjet mes protestuesve dhe policisë së Kosovës para ndërtesës së "
              "komunës në Zveçan u lënduan dymbëdhjetë persona; policia përdori gaz "
              "lotsjellës."),
    "koha": ("Dymbëdhjetë të lënduar në përplasjet në Zveçan",
             "Protestuesit dhe policia u përplasën në Zveçan; dymbëdhjetë persona u lënduan, "
             "përfshirë katër policë, dhe u përdor gaz lotsjellës."),
}  # fmt: skip
JARINJE = ("Protesters block the road at Jarinje crossing",
           "Several hundred Serbs from the north of Kosovo blocked the road at the Jarinje "
           "crossing with trucks on Monday, demanding the release of a detained man.")  # fmt: skip
BARRICADES = "Residents put up barricades of gravel trucks on the road near Leposavić overnight."
# Escaped in the feed, so the stored title holds the markup as text.
HOSTILE = (
    '&lt;script&gt;alert(1)&lt;/script&gt; Barricades near "Leposavić" '
    "&lt;img src=x onerror=alert(2)&gt;"
)


def feed(outlet: str, items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed of ``(guid, title, text)`` items that declares its outlet's language."""
    language = OUTLETS.get(outlet)
    declared = f"<language>{language}</language>" if language else ""
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>https://{outlet}.example/{guid}</link>"
        f'<guid isPermaLink="false">{guid}</guid><description>{escape(text)}</description></item>'
        for guid, title, text in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{outlet}</title><link>https://{outlet}.example/</link>{declared}{entries}"
        "</channel></rss>"
    ).encode()


@dataclass
class Front:
    """The database after a week of cycles, and the config that made it."""

    config: ConfigDir


def schedule() -> dict[datetime, dict[str, list[tuple[str, str, str]]]]:
    """What each outlet publishes at each cycle."""
    moments = [START + timedelta(hours=6 * step) for step in range(28)]
    moments += [END - timedelta(hours=4), END - timedelta(hours=3), END - timedelta(hours=2), END]
    plan: dict[datetime, dict[str, list[tuple[str, str, str]]]] = {m: {} for m in moments}
    for i, moment in enumerate(moments[:28]):
        plan[moment]["wire"] = [(f"talks-{i}", f"Talks resume, round {i}", f"{TALKS} ({i})")]
    plan[START + timedelta(days=2)]["wire"].append(("jarinje", *JARINJE))
    plan[START + timedelta(days=4)]["daily"] = [
        ("leposavic-1", "Barricades go up near Leposavić", BARRICADES)
    ]
    first, second = END - timedelta(hours=4), END - timedelta(hours=3)
    for n, outlet in enumerate(OUTLETS):
        plan[first if n < 3 else second].setdefault(outlet, []).append((f"zvecan-{outlet}",
                                                                        *CLASH[outlet]))  # fmt: skip
    plan[END - timedelta(hours=2)]["daily"] = [("leposavic-2", HOSTILE, BARRICADES)]
    return plan


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Front]:
    root = tmp_path_factory.mktemp("front")
    (root / "config").mkdir()
    config = ConfigDir(root / "config", root / "data" / "monitor.db")
    server = FeedServer()
    urls = [server.url(f"/{outlet}.xml") for outlet in OUTLETS] + [server.url("/gone.xml")]
    config.write(
        urls,
        settings={"poll": {"workers": 0, "jitter": 0}},
        alert_on="[article:warning, index:elevated]",
        story={"breaking": {"outlets": 3, "within": "2h"}},
    )
    loaded = load_config(config.path)
    published: dict[str, list[tuple[str, str, str]]] = {outlet: [] for outlet in OUTLETS}

    async def cycles() -> None:
        async with open_runtime(loaded) as runtime:
            for moment, items in schedule().items():
                runtime.clock = lambda moment=moment: moment
                for outlet in OUTLETS:
                    published[outlet] += items.get(outlet, [])
                    server.serve(f"/{outlet}.xml", feed(outlet, published[outlet]))
                await run_cycle(runtime, all_feeds=True)

    asyncio.run(cycles())
    yield Front(config)
    server.close()


def client(front: Front, now: datetime = NOW) -> TestClient:
    config = load_config(front.config.path)
    web = WebContext(front.config.database, lambda: config.watches, lambda: now)
    return TestClient(make_app(Quiet(), web))


def stories_panel(html: str) -> str:
    return html.split('<ul class="stories">', 1)[1].split("</ul>", 1)[0]


def test_one_clash_reported_by_six_outlets_is_one_row_with_its_reach(front: Front) -> None:
    page = client(front).get("/")

    assert page.status_code == 200
    rows = re.findall(r'<li class="story" id="story-(\d+)".*?</li>', page.text, re.S)
    panel = stories_panel(page.text)
    assert len(rows) == 2  # the clash and the second barricade story; older ones are not today
    clash = panel.split("</li>")[0]
    assert "Zvečan" in re.findall(r'<span class="places"[^>]*>([^<]*)</span>', clash)[0]
    assert '<span class="outlets">6 outlets</span>' in clash
    assert re.search(r'<span class="languages" title="en, sh, sq">3 languages</span>', clash)
    assert '<span class="breaking">breaking</span>' in clash
    assert '<span class="level level-critical">critical</span>' in clash
    assert f'<a href="/alerts/{rows[0]}">' in clash  # the story's own page
    assert "Nov 07 20:00 to 21:00 UTC" in clash  # first and last report
    headlines = re.findall(r'<a href="/alerts/\d+">([^<]+)</a></div>', panel)
    assert sum("Zvečan" in headline or "Zveçan" in headline for headline in headlines) == 1


def test_stories_come_most_severe_first_or_newest_first(front: Front) -> None:
    http = client(front)
    severe = stories_panel(http.get("/").text)
    newest = stories_panel(http.get("/?order=newest").text)

    def levels(panel: str) -> list[str]:
        return re.findall(r'<div class="headline"><span class="level level-(\w+)">', panel)

    assert levels(severe) == ["critical", "warning"]
    assert levels(newest) == ["warning", "critical"]  # the barricades were reported last
    assert "<strong>newest first</strong>" in http.get("/?order=newest").text
    assert levels(stories_panel(http.get("/?order=bogus").text)) == ["critical", "warning"]


def test_the_where_panel_marks_each_place_by_its_stories_and_their_level(front: Front) -> None:
    html = client(front).get("/").text
    panel = html.split('<svg class="where"', 1)[1].split("</svg>", 1)[0]

    def place(name: str) -> tuple[str, float, int]:
        found = re.search(
            rf'<circle class="place place-(\w+)" cx="[\d.]+" cy="[\d.]+" r="([\d.]+)" '
            rf'data-place="{name}" data-stories="(\d+)">',
            panel,
        )
        assert found, name
        return found[1], float(found[2]), int(found[3])

    assert place("Zvečan") == ("critical", marker_radius(1), 1)
    assert place("Leposavić") == ("warning", marker_radius(2), 2)  # two barricade stories
    assert place("Jarinje") == ("warning", marker_radius(1), 1)
    assert 'data-place="Gjilan" data-stories="0"' in panel  # quiet places are grey dots
    assert re.search(r'<text class="place-label"[^>]*>Zvečan</text>', panel)
    assert '<path class="outline"' in panel and '<path class="boundary"' in panel
    assert "Belgrade" not in panel  # far off the map of Kosovo


def test_the_chart_has_a_legend_and_a_scale_that_fits_the_readings(front: Front) -> None:
    html = client(front).get("/").text
    legend = html.split('<div class="legend"', 1)[1].split("</div>", 1)[0]
    chart = html.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]

    assert "elevated from 28" in legend and "high from 45" in legend
    assert 'severe from 120 <span class="muted">(above this range)</span>' in legend
    top = float(re.findall(r'data-top="([\d.]+)"', html)[0])
    assert top < 120  # the severe level does not stretch the scale
    assert '<text class="band-label band-label-elevated"' in chart
    assert '<line class="threshold threshold-severe"' not in chart
    assert chart.count('class="marker marker-article') == 4  # one per story: 6 clash reports
    assert re.search(r"<title>critical story #\d+, 2026-11-07 20:00 UTC: ", chart)


def test_feed_health_is_one_line_with_a_link_to_the_detail(front: Front) -> None:
    html = client(front).get("/").text
    assert (
        '<p class="health health-failing">7 feeds: 6 fine, 1 failing (last error 10m ago)' in html
    )
    assert '<a href="#feeds">feed details</a>' in html and '<h2 id="feeds">' in html


def test_feed_text_is_escaped_in_every_panel(front: Front) -> None:
    html = client(front).get("/").text
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; Barricades near &#34;Leposavić&#34;"
    assert escaped in stories_panel(html)  # the stories panel
    chart = html.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]
    assert escaped in chart  # the marker's tooltip


def test_a_first_reading_is_a_dot_that_says_so_on_the_page(config_dir: ConfigDir) -> None:
    config_dir.write([])
    store = Store(config_dir.database)
    state = IndexState(value=12.5, updated_at=END - timedelta(minutes=5))
    store.save_index_state("serbia-kosovo", state)
    store.record_index("serbia-kosovo", state)
    store.close()
    config = load_config(config_dir.path)
    web = WebContext(config_dir.database, lambda: config.watches, lambda: END)

    html = TestClient(make_app(Quiet(), web)).get("/").text

    assert '<circle class="reading"' in html
    assert "one reading so far: 12.5 at 2026-11-07 23:55 UTC" in html
    assert "No story had a report in the last 24 hours." in html
    assert "no feeds polled yet" in html


def test_a_single_reading_draws_a_dot_and_says_so() -> None:
    chart = chart_layout([(END, 12.0)], {"elevated": 28.0}, [], START, END)
    assert chart.path == ""
    assert chart.lone is not None and chart.lone.note == (
        "one reading so far: 12 at 2026-11-08 00:00 UTC"
    )
    two = chart_layout([(START, 3.0), (END, 12.0)], {"elevated": 28.0}, [], START, END)
    assert two.path.startswith("M44.0 ") and two.lone is None


@pytest.mark.parametrize(
    ("values", "thresholds", "top", "step"),
    [
        ([526.0, 20.0], [15, 30, 50], 600.0, 200.0),  # a peak in range: the scale reaches it
        ([42.0, 30.0], [28, 45, 120], 60.0, 20.0),  # the near next level (45) is in sight
        ([16.0, 3.0], [28, 45, 120], 30.0, 10.0),  # 28 is within twice the peak: in sight
        ([8.0, 3.0], [28, 45, 120], 10.0, 2.5),  # 28 is not: the legend names it
        ([3.0, 1.0], [28, 45, 120], 4.0, 1.0),  # a quiet week: the change shows
        ([], [28, 45, 120], 30.0, 10.0),  # nothing yet: up to the first level
        ([0.4], [], 0.6, 0.2),
    ],
)
def test_the_scale_fits_the_readings_with_nice_ticks(
    values: list[float], thresholds: list[float], top: float, step: float
) -> None:
    assert value_scale(values, thresholds) == pytest.approx((top, step))


def test_nice_steps_are_one_two_two_and_a_half_or_five_times_ten_to_a_power() -> None:
    assert [nice_step(raw) for raw in (0.07, 1, 1.3, 2.2, 4, 7, 13.1, 144)] == pytest.approx(
        [0.1, 1, 2, 2.5, 5, 10, 20, 200]
    )


def test_levels_above_the_scale_have_no_line_but_keep_their_place_in_the_strip() -> None:
    series = [(START, 5.0), (END, 20.0)]
    chart = chart_layout(series, {"severe": 120.0, "elevated": 15.0, "high": 45.0}, [], START, END)
    lines = {band.level: band.line for band in chart.bands}
    assert chart.top == 30.0
    assert lines["elevated"] is not None and lines["high"] is None and lines["severe"] is None
    assert [band.level for band in chart.bands] == ["elevated", "high", "severe"]
    assert chart.y_ticks[-1].label == "30"


def test_a_far_peak_before_the_range_does_not_stretch_the_scale() -> None:
    # Only the readings in range count: last month's 526 is not in this week's series.
    week = chart_layout([(START, 30.0), (END, 36.0)], {"elevated": 28.0}, [], START, END)
    assert week.top == 40.0


PLACES = [
    Place("North", 43.2, 20.8),
    Place("South", 42.2, 20.8),
    Place("East", 42.7, 21.6),
    Place("Twin", 43.2, 20.81),
    Place("Capital", 44.8, 20.5, broad=True),
]


def test_the_map_puts_north_up_and_east_right_and_leaves_distant_capitals_out() -> None:
    layout = map_layout(PLACES, {}, None, width=300, margin=10)
    marks = {mark.name: mark for mark in layout.marks}
    assert marks["North"].y < marks["South"].y
    assert marks["East"].x > marks["North"].x
    assert "Capital" not in marks
    assert layout.outline == "" and layout.boundary == ""
    assert min(mark.x for mark in layout.marks) >= 10 and max(m.x for m in layout.marks) <= 290


def test_markers_grow_with_stories_and_names_do_not_cover_each_other() -> None:
    stories = {"North": PlaceStories(4, "critical"), "Twin": PlaceStories(1, "notice"),
               "Nowhere": PlaceStories(2, "warning")}  # fmt: skip
    layout = map_layout(PLACES, stories, None, width=300)
    marks = {mark.name: mark for mark in layout.marks}
    assert marks["North"].r > marks["Twin"].r > marks["South"].r
    assert marks["North"].label == "North" and marks["Twin"].label == "Twin"
    assert (marks["North"].label_x, marks["North"].label_y) != (
        marks["Twin"].label_x,
        marks["Twin"].label_y,
    )
    assert marks["South"].label is None  # quiet places are dots with a tooltip
    assert marks["North"].title == "North: 4 stories in 7 days, highest critical"
    assert layout.unplaced == (("Nowhere", 2),)
    assert [mark.name for mark in layout.marks][-2:] == ["North", "Twin"]  # big ones under


def test_place_summary_counts_stories_and_keeps_the_highest_level() -> None:
    rows = [("Zvečan", "critical", 1), ("Zvečan", "notice", 2), ("Jarinje", "warning", 1)]
    assert place_summary(rows, LEVELS) == {
        "Zvečan": PlaceStories(3, "critical"),
        "Jarinje": PlaceStories(1, "warning"),
    }


def test_the_shipped_outline_is_kosovo_with_its_boundary_line_with_serbia() -> None:
    outline = shipped_outline()
    assert 20 <= len(outline.outline) <= 80 and outline.outline[0] == outline.outline[-1]
    assert all(19.9 < lon < 21.9 and 41.8 < lat < 43.3 for lon, lat in outline.outline)
    assert set(outline.boundary) <= set(outline.outline)
    assert "Natural Earth" in outline.source
    layout = map_layout(PLACES[:3], {}, outline)
    assert layout.outline.startswith("M") and layout.outline.endswith("Z")
    elsewhere = map_layout([Place("Tbilisi", 41.7, 44.8), Place("Gori", 42.0, 44.1)], {}, outline)
    assert elsewhere.outline == "" and elsewhere.boundary == ""  # another watch's region


def test_the_stories_panel_leaves_out_a_story_merged_into_another(tmp_path: Path) -> None:
    store = Store(tmp_path / "monitor.db")

    def story(key: str, level: str) -> int | None:
        return store.open_alert(watch="w", kind="article", level=level, dedup_key=key,
                                score=1.0, article_ids=[], payload=None, channels=[], now=END)  # fmt: skip

    ids = [story("a", "warning"), story("b", "critical"), story("c", "notice")]
    assert ids[1] is not None
    store.close_merged(ids[1], END)

    found = store.front_stories("w", END - timedelta(hours=1), LEVELS)
    newest = store.front_stories("w", END - timedelta(hours=1), LEVELS, order="newest")
    store.close()

    assert [row["level"] for row in found] == ["warning", "notice"]
    assert [row["id"] for row in newest] == [ids[2], ids[0]]  # same time: the later id first


def test_feed_health_counts_fine_failing_and_waiting_feeds() -> None:
    def row(errors: int, status: str | None, polled: str | None = None) -> dict[str, object]:
        return {"consecutive_errors": errors, "last_status": status, "gone_at": None,
                "enabled": 1, "last_polled_at": polled}  # fmt: skip

    feeds = [row(0, "ok"), row(0, "not_modified"), row(2, "error", "2026-11-07T23:50:00+00:00"),
             row(0, None)]  # fmt: skip
    health = feed_health(feeds, END)
    assert health.line == "4 feeds: 2 fine, 1 failing (last error 10m ago), 1 not polled"
    assert feed_health([row(0, "ok")], END).line == "1 feed: 1 fine"


def test_report_span_says_when_a_story_was_first_and_last_reported() -> None:
    assert report_span("2026-11-07T20:00:00+00:00", "2026-11-07T21:05:00+00:00") == (
        "Nov 07 20:00 to 21:05 UTC"
    )
    assert report_span("2026-11-06T20:00:00+00:00", "2026-11-07T01:00:00+00:00") == (
        "Nov 06 20:00 to Nov 07 01:00 UTC"
    )
    assert report_span("2026-11-07T20:00:00+00:00", "2026-11-07T20:00:00+00:00") == (
        "Nov 07 20:00 UTC"
    )


@needs_chromium
def test_a_real_browser_shows_the_four_panels(front: Front, tmp_path: Path) -> None:
    config = load_config(front.config.path)
    web = WebContext(front.config.database, lambda: config.watches, lambda: NOW)
    browser = Browser(tmp_path / "profile")
    with dashboard_at(web) as url:
        dom = browser.dom(url + "/")
        screenshot = browser.screenshot(url + "/", "front-page.png", "1040,1250")
    assert dom.count('<li class="story"') == 2  # the stories panel, one row per story
    assert "6 outlets" in dom and "3 languages" in dom and ">breaking<" in dom
    assert re.search(r'<circle class="place place-critical"[^>]*data-place="Zvečan"', dom)
    assert "elevated from 28" in dom  # the legend
    story_links = set(re.findall(r'href="/alerts/(\d+)"', dom))
    assert len(story_links) >= 4  # stories and markers link to the alert's page
    assert 'href="#feeds"' in dom and "1 failing" in dom
    assert "&lt;script&gt;alert(1)" in dom  # the browser saw text, not a script
    assert screenshot.stat().st_size > 20_000

"""The dashboard: pages from a week of real cycles, escaping, and a real headless Chromium."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Browser, ConfigDir, FeedServer, Quiet, dashboard_at, needs_chromium, rss
from starlette.testclient import TestClient

from monitor.config import load_config
from monitor.daemon.run import open_runtime
from monitor.daemon.server import make_app
from monitor.poll.cycle import run_cycle
from monitor.web.chart import chart_layout
from monitor.web.highlight import highlight
from monitor.web.pages import WebContext

START = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
END = START + timedelta(days=7)
CALM = "Officials in Belgrade and Pristina met in Brussels to talk about energy and trade."
CLASH = (
    "Police and a crowd of Kosovo Serbs clashed near the bridge in North Mitrovica; officers "
    "fired tear gas, witnesses reported gunfire and nine people were wounded."
)
# Escaped in the feed, so the stored title holds the markup as text.
HOSTILE_TITLE = (
    '&lt;script&gt;alert(1)&lt;/script&gt; "Mitrovica" &lt;img src=x onerror=alert(2)&gt;'
)


@dataclass
class Week:
    """A database after a week of cycles every six hours, and the config it ran."""

    config: ConfigDir
    feed: str


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Week]:
    """Calm news all week; clashes on day 3 (one with a hostile title) and day 5."""
    root = tmp_path_factory.mktemp("week")
    (root / "config").mkdir()
    config = ConfigDir(root / "config", root / "data" / "monitor.db")
    server = FeedServer()
    feed = server.url("/desk.xml")
    config.write(
        [feed],
        settings={"poll": {"workers": 0, "jitter": 0}},
        alert_on="[article:warning, index:elevated]",
    )
    loaded = load_config(config.path)

    async def cycles() -> None:
        async with open_runtime(loaded) as runtime:
            for step in range(7 * 4):
                clock = START + timedelta(hours=6 * step)
                runtime.clock = lambda clock=clock: clock
                items = [{"title": f"Talks, day {step}", "link": f"https://desk.example/{step}",
                          "guid": f"calm-{step}", "description": f"{CALM} Round {step}."}]  # fmt: skip
                if step in (12, 20):
                    title = HOSTILE_TITLE if step == 12 else "Gunfire in North Mitrovica"
                    items.append({"title": title, "link": "javascript:alert(3)",
                                  "guid": f"clash-{step}", "description": f"{CLASH} ({step})"})  # fmt: skip
                server.serve("/desk.xml", rss(items, title="Ibar desk"))
                await run_cycle(runtime, all_feeds=True)

    asyncio.run(cycles())
    yield Week(config, feed)
    server.close()


def client_for(week: Week, now: datetime = END) -> TestClient:
    config = load_config(week.config.path)
    web = WebContext(week.config.database, lambda: config.watches, lambda: now)
    return TestClient(make_app(Quiet(), web))


def test_the_dashboard_draws_the_index_with_level_bands_and_alert_markers(week: Week) -> None:
    page = client_for(week).get("/")

    assert page.status_code == 200
    html = page.text
    assert html.count('<svg class="chart"') == 1
    assert re.search(r'<path class="curve" d="M[\d.]+ [\d.]+( L[\d.]+ [\d.]+){10,}"', html)
    assert [band for band in ("elevated", "high", "severe") if f"band band-{band}" in html] == [
        "elevated",
        "high",
        "severe",
    ]
    markers = re.findall(r'class="marker marker-(\w+) marker-(\w+)"', html)
    assert ("article", "critical") in markers and ("index", "elevated") in markers
    assert len(markers) == html.count('<tr id="alert-')  # every alert of the week, on the curve
    assert f"<td>{week.feed}" in html  # the feed table
    assert "Gunfire in North Mitrovica" in html
    # Each story alert says how far it was reported and where.
    assert '<div class="story muted">1 report by 1 outlet; in Mitrovica</div>' in html
    # No story today: the stories panel names the latest.
    assert re.search(
        r"No story had a report in the last 24 hours\. The latest: <a href=\"/alerts/(\d+)\">#\1</a> "
        r"Gunfire in North Mitrovica \(critical, Nov 06 00:00 UTC\)\.",
        html,
    )


def test_the_range_can_be_24_hours_7_days_or_30_days(week: Week) -> None:
    client = client_for(week)
    day = client.get("/?range=24h").text
    month = client.get("/?range=30d").text
    assert ">00:00<" in day or ">04:00<" in day  # hours on the axis
    assert re.search(r">Oct \d\d<", month)  # a month back
    assert client.get("/?range=bogus").status_code == 200  # falls back to 7 days
    markers_day = day.count('class="marker ')
    markers_month = month.count('class="marker ')
    assert markers_day < markers_month  # day 3's alerts are not in the last 24 hours


def test_feed_text_is_escaped_everywhere(week: Week) -> None:
    client = client_for(week)
    html = client.get("/").text
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html

    # The front page's panels, on the day of the hostile story: the stories panel,
    # the chart's marker tooltip and the recent alerts.
    day_after = client_for(week, START + timedelta(days=3, hours=6)).get("/").text
    assert "<script>alert(1)" not in day_after and "<img src=x" not in day_after
    stories = day_after.split('<ul class="stories">', 1)[1].split("</ul>", 1)[0]
    chart = day_after.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;Mitrovica&#34;" in stories
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;Mitrovica&#34;" in chart
    assert 'href="javascript:' not in day_after

    article_id = int(re.findall(r'href="/articles/(\d+)">&lt;script', html)[0])
    article = client.get(f"/articles/{article_id}").text
    assert "<script>alert(1)" not in article and "onerror=alert(2)>" not in article
    assert 'href="javascript:' not in article


def test_an_article_page_highlights_the_matched_words_and_explains_the_score(week: Week) -> None:
    client = client_for(week)
    html = client.get("/").text
    article_id = int(re.findall(r'href="/articles/(\d+)">Gunfire in North Mitrovica', html)[0])

    page = client.get(f"/articles/{article_id}")

    assert page.status_code == 200
    assert '<h2><mark class="hit">Gunfire</mark> in North Mitrovica</h2>' in page.text
    assert '<mark class="hit">tear gas</mark>' in page.text
    assert re.search(
        r"serbia-kosovo: score [\d.]+, <span class=\"level level-critical\">", page.text
    )
    assert "<td>armed-violence</td><td>gunfire</td><td>Gunfire</td><td>title</td>" in page.text
    assert client.get("/articles/999999").status_code == 404


def test_search_finds_articles_with_the_matched_words_marked(week: Week) -> None:
    client = client_for(week)

    page = client.get("/search", params={"q": "gunfire", "level": "critical"})

    assert page.status_code == 200
    assert "2 articles" in page.text
    assert page.text.count('<tr class="result">') == 2
    assert '<mark class="hit">gunfire</mark>' in page.text
    assert "&lt;script&gt;alert(1)" in page.text and "<script>alert(1)" not in page.text
    calm = client.get("/search", params={"q": "energy", "level": "critical"}).text
    assert "0 articles" in calm
    everything = client.get("/search", params={"q": "energy"}).text
    assert "28 articles" in everything and "page 1 of 1" not in everything


def test_search_explains_a_bad_filter_and_survives_any_query(week: Week) -> None:
    client = client_for(week)
    bad = client.get("/search", params={"q": "gunfire", "since": "last tuesday"})
    assert bad.status_code == 400
    assert "expected a duration before now (7d, 12h) or a date" in bad.text
    for query in ['"', "AND", "title:(", "*", "NEAR(a b"]:
        assert client.get("/search", params={"q": query}).status_code == 200


def test_pages_need_a_database(tmp_path: Path, config_dir: ConfigDir) -> None:
    config_dir.write([])
    config = load_config(config_dir.path)
    web = WebContext(tmp_path / "none.db", lambda: config.watches, lambda: END)
    page = TestClient(make_app(Quiet(), web)).get("/")
    assert page.status_code == 503
    assert "monitor has not run yet" in page.text


def test_chart_layout_puts_markers_on_the_curve_and_bands_in_order() -> None:
    series = [(START, 10.0), (START + timedelta(hours=12), 40.0)]
    alerts = [{"id": 7, "kind": "index", "level": "high", "title": None,
               "opened_at": (START + timedelta(hours=13)).isoformat()}]  # fmt: skip
    levels = {"severe": 50.0, "elevated": 15.0, "high": 30.0}

    chart = chart_layout(series, levels, alerts, START, START + timedelta(days=1))

    assert [band.level for band in chart.bands] == ["elevated", "high", "severe"]
    assert chart.bands[0].y > chart.bands[1].y > chart.bands[2].y  # higher levels higher up
    (marker,) = chart.markers
    assert marker.y == float(chart.path.split()[-1])  # on the curve's value at that moment
    assert marker.label == "high index alert #7, 2026-11-01 13:00 UTC"
    empty = chart_layout([], levels, [], START, START + timedelta(days=1))
    assert empty.path == "" and empty.markers == ()


def test_highlight_marks_hits_and_negated_hits() -> None:
    hits = [
        {"field": "text", "start": 0, "end": 7, "negated": False},
        {"field": "text", "start": 12, "end": 19, "negated": True},
        {"field": "title", "start": 0, "end": 3},
        {"field": "text", "start": 40, "end": 90},  # past the end: clipped
    ]
    assert highlight("Gunfire, no clashes", hits, "text") == [
        ("Gunfire", "hit"),
        (", no ", ""),
        ("clashes", "negated"),
    ]


@needs_chromium
def test_a_real_browser_renders_the_chart_and_the_alert_markers(week: Week, tmp_path: Path) -> None:
    config = load_config(week.config.path)
    web = WebContext(week.config.database, lambda: config.watches, lambda: END)
    browser = Browser(tmp_path / "profile")
    with dashboard_at(web) as url:
        dom = browser.dom(url + "/")
        screenshot = browser.screenshot(url + "/", "dashboard.png")
        found = browser.dom(url + "/search?q=mitrovica&level=critical")

    assert '<svg class="chart"' in dom
    assert re.search(r'<path class="curve" d="M', dom)
    assert dom.count('class="marker ') >= 3
    assert "&lt;script&gt;alert(1)" in dom  # the browser saw text, not a script
    assert screenshot.stat().st_size > 10_000
    assert found.count('<tr class="result">') == 2
    assert '<mark class="hit">Mitrovica</mark>' in found

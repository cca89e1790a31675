"""parse_feed: fetched bytes in, plain FeedEntry values out; unusable bytes raise ParseError."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED, rss

from monitor.errors import ParseError
from monitor.models import FetchResult, ParsedFeed
from monitor.reader.parse import parse_feed

REAL_FEEDS = SHARED / "feeds" / "real"
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".gz"}


def parse(
    body: bytes,
    url: str = "https://feeds.example/news.xml",
    content_type: str | None = "application/rss+xml; charset=utf-8",
) -> ParsedFeed:
    return parse_feed(FetchResult(url, "ok", status_code=200, body=body, content_type=content_type))


def fixture(name: str) -> ParsedFeed:
    return parse((FIXTURES / name).read_bytes())


# --- the saved fixtures --------------------------------------------------------------------------


def test_an_rss_feed_yields_every_item_with_its_fields() -> None:
    feed = fixture("north-kosovo.xml")

    assert feed.title == "Ibar Valley Courier"
    assert feed.error is None
    assert [e.guid for e in feed.entries] == [
        "courier-1001",
        "courier-1002",
        "courier-1003",
        "courier-1004",
    ]
    first = feed.entries[0]
    assert first.title == "Gunfire and tear gas near the Ibar bridge in Mitrovica"
    assert first.link == (
        "https://courier.example/news/ibar-bridge-clashes?utm_source=rss&utm_medium=feed"
    )
    assert first.summary_html.startswith("<p>Police in <b>North Mitrovica</b> used tear gas")


def test_an_atom_feed_yields_every_entry_with_its_fields() -> None:
    feed = fixture("balkan-wire.atom")

    assert feed.title == "Balkan Wire"
    assert feed.error is None
    assert [(e.guid, e.link) for e in feed.entries] == [
        ("urn:example:balkan-wire:77", "https://wire.example/2026/11/jarinje-barricades"),
        (
            "urn:example:balkan-wire:78",
            "https://courier.example/news/ibar-bridge-clashes?utm_campaign=wire#comments",
        ),
    ]
    assert feed.entries[0].title == "Barricades go up again at Jarinje crossing"
    # type="html" summaries arrive unescaped, as markup for normalize to strip
    assert feed.entries[0].summary_html.startswith("<p>Trucks and gravel block the road")


@pytest.mark.parametrize(
    ("name", "index", "published"),
    [
        ("north-kosovo.xml", 0, datetime(2026, 11, 2, 20, 15, tzinfo=UTC)),  # 21:15 +0100
        ("north-kosovo.xml", 1, datetime(2026, 11, 3, 8, 0, tzinfo=UTC)),
        ("balkan-wire.atom", 0, datetime(2026, 11, 3, 9, 0, tzinfo=UTC)),
        ("balkan-wire.atom", 1, datetime(2026, 11, 2, 22, 0, tzinfo=UTC)),
    ],
)
def test_publication_dates_are_converted_to_utc(name: str, index: int, published: datetime) -> None:
    entry = fixture(name).entries[index]

    assert entry.published == published
    assert entry.published is not None
    assert entry.published.tzinfo is UTC


def test_an_html_page_is_not_a_feed() -> None:
    with pytest.raises(ParseError):
        parse((FIXTURES / "not-a-feed.html").read_bytes(), content_type="text/html")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"just some text",
        b'{"items": [{"title": "json is not supported"}]}',
        b"<?xml version='1.0'?><html><body><p>well-formed but not a feed</p></body></html>",
    ],
    ids=["empty", "text", "json", "xhtml"],
)
def test_bytes_that_are_no_feed_raise_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse(body)


# --- malformed but usable ------------------------------------------------------------------------

HEAD = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'


@pytest.mark.parametrize(
    ("body", "titles", "problem"),
    [
        (
            HEAD + b"<item><title>Tom & Jerry</title></item><item><title>Two</title></item>"
            b"</channel></rss>",
            ["Tom & Jerry", "Two"],
            "not well-formed",
        ),
        (
            HEAD + b"<item><title>One</title><description><p>open</description></item>"
            b"<item><title>Two</title></item></channel></rss>",
            ["One", "Two"],
            "mismatched tag",
        ),
        (
            HEAD + b"<item><title>One</title></item><item><title>Two</title>",
            ["One", "Two"],
            "no element found",
        ),
    ],
    ids=["unescaped-ampersand", "unclosed-tag", "truncated"],
)
def test_a_malformed_feed_that_still_yields_entries_is_used_and_its_error_kept(
    body: bytes, titles: list[str], problem: str
) -> None:
    feed = parse(body)

    assert [e.title for e in feed.entries] == titles
    assert feed.error is not None
    assert problem in feed.error


@pytest.mark.parametrize(
    "content_type",
    [None, "text/html; charset=utf-8", "text/plain", "application/octet-stream"],
)
def test_a_well_formed_feed_with_a_missing_or_odd_content_type_is_no_error(
    content_type: str | None,
) -> None:
    # A file:// feed has no Content-Type at all; many servers say text/html.
    body = (FIXTURES / "north-kosovo.xml").read_bytes()

    feed = parse(body, content_type=content_type)

    assert len(feed.entries) == 4
    assert feed.error is None


@pytest.mark.parametrize("content_type", [None, "application/rss+xml"])
def test_a_valid_feed_without_items_is_an_empty_feed_not_an_error(
    content_type: str | None,
) -> None:
    feed = parse(rss([], title="Quiet outlet"), content_type=content_type)

    assert feed == ParsedFeed(title="Quiet outlet", entries=(), error=None)


# --- which fields become a FeedEntry -------------------------------------------------------------


def test_rss_content_encoded_is_preferred_to_a_shorter_description() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"'
        b' xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
        b'<item><title>A</title><guid isPermaLink="false">a</guid>'
        b"<description>A short teaser.</description>"
        b"<content:encoded><![CDATA[<p>A short teaser.</p><p>And the full story.</p>]]>"
        b"</content:encoded></item></channel></rss>"
    )

    (entry,) = parse(body).entries

    assert entry.summary_html == "<p>A short teaser.</p><p>And the full story.</p>"


def test_atom_content_is_preferred_to_a_shorter_summary_and_a_longer_summary_wins() -> None:
    body = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>W</title>
    <entry><id>urn:a</id><title>A</title><summary>Teaser.</summary>
      <content type="html">&lt;p&gt;The whole article body.&lt;/p&gt;</content></entry>
    <entry><id>urn:b</id><title>B</title><summary>A long summary written by the desk.</summary>
      <content type="text">Short.</content></entry></feed>"""

    first, second = parse(body, content_type="application/atom+xml").entries

    assert first.summary_html == "<p>The whole article body.</p>"
    assert second.summary_html == "A long summary written by the desk."


def test_relative_links_are_resolved_against_the_feed_url() -> None:
    body = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>W</title>
    <entry><id>urn:a</id><title>A</title><link href="/2026/11/story"/></entry></feed>"""

    (entry,) = parse(body, url="https://wire.example/feeds/all.atom").entries

    assert entry.link == "https://wire.example/2026/11/story"


def test_atom_published_is_preferred_to_updated_and_updated_is_the_fallback() -> None:
    body = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>W</title>
    <entry><id>urn:a</id><title>A</title>
      <published>2026-11-01T10:00:00+02:00</published><updated>2026-11-02T10:00:00Z</updated>
    </entry>
    <entry><id>urn:b</id><title>B</title><updated>2026-11-02T10:00:00-05:00</updated></entry>
    </feed>"""

    first, second = parse(body).entries

    assert first.published == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    assert second.published == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def test_missing_fields_become_none_or_empty_not_errors() -> None:
    body = rss([{"description": "An item with nothing but a description."}])

    (entry,) = parse(body).entries

    assert (entry.guid, entry.link, entry.title, entry.published) == (None, None, "", None)
    assert entry.summary_html == "An item with nothing but a description."


def test_an_unparseable_date_is_none() -> None:
    body = rss([{"title": "A", "guid": "a", "pubDate": "sometime last week"}])

    (entry,) = parse(body).entries

    assert entry.published is None


def test_titles_and_ids_are_stripped_of_surrounding_whitespace() -> None:
    body = rss([{"title": "\n   Padded title  \n", "guid": "  urn:courier:1  "}])

    (entry,) = parse(body).entries

    assert (entry.title, entry.guid) == ("Padded title", "urn:courier:1")


# --- real-world feeds (read from ../shared, never copied here) -----------------------------------


def real_feeds() -> list[Path]:
    if not REAL_FEEDS.is_dir():
        return []
    return sorted(p for p in REAL_FEEDS.iterdir() if p.is_file() and p.suffix in FEED_SUFFIXES)


@pytest.mark.skipif(not real_feeds(), reason="../shared/feeds/real is not available")
@pytest.mark.parametrize("path", real_feeds(), ids=lambda p: p.name)
def test_a_real_feed_either_parses_into_entries_or_raises_parse_error(path: Path) -> None:
    body = path.read_bytes()
    if path.suffix == ".gz":
        body = gzip.decompress(body)

    try:
        feed = parse(body, content_type=None)
    except ParseError:
        return

    assert feed.entries
    for entry in feed.entries:
        assert isinstance(entry.title, str)
        assert isinstance(entry.summary_html, str)
        assert entry.published is None or entry.published.tzinfo is UTC

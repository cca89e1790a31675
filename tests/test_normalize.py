"""normalize: untrusted feed entries become clean Articles with their dedup keys."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import UTC, datetime

import pytest

from monitor.models import FeedEntry
from monitor.reader.normalize import (
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    UNPRINTABLE_RANGES,
    canonical_url,
    clean_text,
    html_to_text,
    normalize,
)

FEED_URL = "https://courier.example/feeds/news.xml"
STORY = (
    "<p>Police in <b>North Mitrovica</b> used tear gas after clashes with a crowd near the "
    "bridge; at least nine people were wounded.</p>"
)


def entry(**fields: object) -> FeedEntry:
    base = FeedEntry(
        guid="courier-1001",
        link="https://courier.example/news/ibar-bridge",
        title="Tear gas near the Ibar bridge",
        summary_html=STORY,
        published=datetime(2026, 11, 2, 20, 15, tzinfo=UTC),
    )
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


# --- canonical_url -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://news.example/a?id=7", "https://news.example/a?id=7"),
        ("https://news.example/a?utm_source=rss&utm_medium=feed", "https://news.example/a"),
        ("https://news.example/a?id=7&utm_campaign=x&page=2", "https://news.example/a?id=7&page=2"),
        ("https://news.example/a?UTM_Source=rss", "https://news.example/a"),
        ("https://news.example/a?fbclid=IwAR0x", "https://news.example/a"),
        ("https://news.example/a?gclid=Cj0K&q=kosovo", "https://news.example/a?q=kosovo"),
        ("https://news.example/a#comments", "https://news.example/a"),
        ("https://news.example/a?utm_source=x#top", "https://news.example/a"),
        ("HTTPS://News.EXAMPLE/Path/Case", "https://news.example/Path/Case"),
        ("http://news.example:80/a", "http://news.example/a"),
        ("https://news.example:443/a", "https://news.example/a"),
        ("https://news.example:8443/a", "https://news.example:8443/a"),
        ("http://news.example:443/a", "http://news.example:443/a"),
        ("https://news.example", "https://news.example/"),
        ("  https://news.example/a  ", "https://news.example/a"),
        ("https://user:secret@news.example/a", "https://news.example/a"),
        ("http://[2001:db8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
        ("http://[2001:db8::1]:80/a", "http://[2001:db8::1]/a"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "ftp://news.example/a",
        "mailto:desk@news.example",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "/relative/path",
        "https://",
        "https://news.example:99999/a",
    ],
)
def test_canonical_url_of_anything_but_an_http_url_is_none(url: str | None) -> None:
    assert canonical_url(url) is None


def test_the_same_story_linked_with_different_tracking_is_one_canonical_url() -> None:
    urls = [
        "https://courier.example/news/ibar-bridge-clashes?utm_source=rss&utm_medium=feed",
        "https://courier.example/news/ibar-bridge-clashes?utm_campaign=wire#comments",
        "https://COURIER.example:443/news/ibar-bridge-clashes?fbclid=abc",
    ]

    assert {canonical_url(u) for u in urls} == {"https://courier.example/news/ibar-bridge-clashes"}


# --- html_to_text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>Police in <b>North Mitrovica</b> said</p>", "Police in North Mitrovica said"),
        (
            "Tom &amp; Jerry &lt;3 &quot;quoted&quot; &#8220;curly&#8221;",
            'Tom & Jerry <3 "quoted" “curly”',
        ),
        ("Vu&#269;i&#x107; and Kurti", "Vučić and Kurti"),
        ("caf&eacute;&nbsp;&nbsp;bar", "café bar"),
        ("before<script>alert('x')</script>after", "beforeafter"),
        ("a<style>p { color: red }</style>b", "ab"),
        ("<p>first</p><p>second</p>", "first\nsecond"),
        ("line one<br>line two<br/>line three", "line one\nline two\nline three"),
        ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
        ("<h2>Headline</h2><div>Body</div>", "Headline\nBody"),
        ("  lots \n\n\n of    space  ", "lots\nof space"),
        ("<img src='x.png' onerror='alert(1)'>", ""),
        ("a < b and c > d", "a < b and c > d"),
        ("<!-- a comment -->visible", "visible"),
    ],
)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup, 1000) == text


def test_html_to_text_is_capped_at_the_limit() -> None:
    markup = "<p>" + "word " * 10_000 + "</p>"

    text = html_to_text(markup, 100)

    assert len(text) <= 100
    assert text.startswith("word word")


def test_html_to_text_does_not_keep_text_hidden_by_an_unclosed_script() -> None:
    assert html_to_text("shown<script>var hidden = 1;", 100) == "shown"


# --- clean_text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain text", "plain text"),
        ("red \x1b[31malert\x1b[0m", "red [31malert[0m"),  # no ESC, no terminal escape
        ("evil\u202eroot\u202c.txt", "evilroot.txt"),  # bidi override
        ("a\u200bb\u200fc\ufeffd", "abcd"),  # zero-width space, RLM, BOM
        ("nul\x00 bell\x07 del\x7f", "nul bell del"),
        ("private\ue000use", "privateuse"),
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),  # a lone CR still ends a line
        ("tab\tand\x0bvertical\x0cfeed", "tab and vertical feed"),
        ("Vuc\u030ci\u0107", "Vučić"),  # NFC: one code point per letter
        ("  padded \n\n\n  lines  ", "padded\nlines"),
        ("Приштина и Митровица", "Приштина и Митровица"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw, 1000) == clean


def test_clean_text_is_capped_without_trailing_space() -> None:
    assert clean_text("one two three", 4) == "one"


# --- normalize -----------------------------------------------------------------------------------


def test_an_entry_becomes_an_article_with_plain_text_and_utc_date() -> None:
    article = normalize(
        entry(link="https://courier.example/news/ibar-bridge?utm_source=rss#top"), FEED_URL
    )

    assert article.guid == "courier-1001"
    assert article.url == "https://courier.example/news/ibar-bridge?utm_source=rss#top"
    assert article.canonical_url == "https://courier.example/news/ibar-bridge"
    assert article.title == "Tear gas near the Ibar bridge"
    assert article.summary == (
        "Police in North Mitrovica used tear gas after clashes with a crowd near the bridge; "
        "at least nine people were wounded."
    )
    assert article.published_at == datetime(2026, 11, 2, 20, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ("/news/story", "https://courier.example/news/story"),
        ("story", "https://courier.example/feeds/story"),
        ("../news/story", "https://courier.example/news/story"),
        ("//cdn.example/story", "https://cdn.example/story"),
        ("  https://other.example/story  ", "https://other.example/story"),
        ("javascript:alert(1)", None),
        ("mailto:desk@courier.example", None),
        (None, None),
        ("", None),
    ],
)
def test_links_are_resolved_against_the_feed_url_and_only_http_is_kept(
    link: str | None, url: str | None
) -> None:
    article = normalize(entry(link=link), FEED_URL)

    assert article.url == url


def test_a_relative_link_in_a_file_feed_has_no_url() -> None:
    article = normalize(entry(link="/news/story"), "file:///srv/feeds/news.xml")

    assert article.url is None
    assert article.canonical_url is None


def test_without_a_guid_the_link_is_the_id() -> None:
    article = normalize(entry(guid=None, link="/news/story"), FEED_URL)

    assert article.guid == "https://courier.example/news/story"


def test_without_guid_or_link_the_id_is_a_stable_hash_of_title_and_date() -> None:
    first = normalize(entry(guid=None, link=None), FEED_URL)
    again = normalize(entry(guid=None, link=None, summary_html="edited text"), FEED_URL)
    other_title = normalize(entry(guid=None, link=None, title="Another story"), FEED_URL)
    other_day = normalize(
        entry(guid=None, link=None, published=datetime(2026, 11, 3, tzinfo=UTC)), FEED_URL
    )

    assert first.guid.startswith("sha256:")
    assert first.guid == again.guid
    assert len({first.guid, other_title.guid, other_day.guid}) == 3


def test_the_same_story_in_two_feeds_has_the_same_content_hash() -> None:
    courier = normalize(entry(), FEED_URL)
    wire = normalize(
        entry(
            guid="urn:wire:78",
            link="https://wire.example/2026/11/ibar",
            title="  Tear gas near the <i>Ibar</i> bridge ",
            summary_html=STORY.replace("<b>", "").replace("</b>", "").upper(),
            published=datetime(2026, 11, 2, 22, tzinfo=UTC),
        ),
        "https://wire.example/atom",
    )

    assert courier.content_hash == wire.content_hash
    assert courier.guid != wire.guid


def test_different_stories_have_different_content_hashes() -> None:
    one = normalize(entry(), FEED_URL)
    other = normalize(entry(summary_html=STORY.replace("nine", "twelve")), FEED_URL)

    assert one.content_hash != other.content_hash


@pytest.mark.parametrize("title", ["Live updates", "Breaking news", "Photo gallery", ""])
def test_a_short_generic_entry_is_not_merged_with_another_by_content_hash(title: str) -> None:
    first = normalize(entry(guid="live-1", title=title, summary_html=""), FEED_URL)
    second = normalize(entry(guid="live-2", title=title, summary_html=""), FEED_URL)

    assert first.content_hash != second.content_hash


def test_the_title_is_plain_text_capped_at_max_title_chars() -> None:
    article = normalize(entry(title="<b>Long</b> " + "word " * 1000), FEED_URL)

    assert len(article.title) <= MAX_TITLE_CHARS
    assert article.title.startswith("Long word word")


def test_the_summary_is_capped_at_max_text_chars() -> None:
    article = normalize(entry(summary_html="<p>" + "word " * 10_000 + "</p>"), FEED_URL)

    assert len(article.summary) <= MAX_TEXT_CHARS


def test_hostile_text_is_neutralised_in_title_and_summary() -> None:
    article = normalize(
        entry(
            title="Alert\x1b]0;pwned\x07 \u202egnp.exe",
            summary_html="<script>steal()</script>Ok\x1b[2J",
        ),
        FEED_URL,
    )

    assert article.title == "Alert]0;pwned gnp.exe"
    assert article.summary == "Ok[2J"
    assert "\x1b" not in article.title + article.summary


def test_the_unprintable_ranges_are_exactly_the_control_format_and_private_characters() -> None:
    if unicodedata.unidata_version != "14.0.0":
        pytest.skip("the ranges are written for Unicode 14.0 (Python 3.11)")
    pattern = re.compile(f"[{UNPRINTABLE_RANGES}]")
    wrong = [
        code
        for code in range(0x110000)
        if bool(pattern.match(chr(code)))
        != (chr(code) not in "\n\t" and unicodedata.category(chr(code)) in ("Cc", "Cf", "Co", "Cs"))
    ]
    assert wrong == []

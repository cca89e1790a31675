"""The pages ask no other host for anything, and hostile feed text stays text on the
story and article pages (the hostile feeds of ``test_security``, through a real poll)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from conftest import Quiet
from starlette.testclient import TestClient
from test_security import Delivered, assert_page_safe, delivered
from test_web_pages import PUBLIC_URL, Seeded, seed

from monitor.config import load_config
from monitor.daemon.server import make_app
from monitor.web.pages import WebContext

__all__ = ["delivered"]  # the hostile poll, a fixture of this module too

# Attributes whose URL a browser fetches by itself, with no click.
FETCHED = {"src", "srcset", "poster", "data", "background", "action", "formaction", "xlink:href"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]+)|@import\s+['\"]?([^'\";\s]+)", re.I)


@pytest.fixture(scope="module")
def jarinje(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    yield from seed(tmp_path_factory.mktemp("jarinje-safety"))


@pytest.fixture(scope="module")
def pages(jarinje: Seeded) -> dict[str, tuple[int, str]]:
    """Every kind of page of the seeded database: path -> (status, HTML)."""
    client = jarinje.client()
    (article,) = jarinje.rows("SELECT min(id) FROM articles")[0]
    paths = ["/", "/?range=30d", f"/alerts/{jarinje.story_id()}", f"/articles/{article}",
             "/search", "/search?q=jarinje", "/search?q=jarinje&level=critical",
             "/alerts/999", "/articles/999999", "/search?since=bogus"]  # fmt: skip
    paths += [f"/alerts/{alert_id}" for (alert_id,) in jarinje.rows("SELECT id FROM alerts")]
    found = {}
    for path in paths:
        page = client.get(path)
        found[path] = (page.status_code, page.text)
    return found


class References(HTMLParser):
    """Every URL a page names: in elements' attributes, in style sheets, in style attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fetched: list[tuple[str, str]] = []  # (where, url) a browser loads by itself
        self.links: list[tuple[str, dict[str, str | None]]] = []  # <a href> and its attributes
        self.tags: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_style = tag == "style"
        values = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name in FETCHED or (name == "href" and tag != "a"):
                self.fetched.append((f"<{tag} {name}>", value))
            if name == "style":
                self.fetched += [(f"<{tag} style>", url) for url in css_urls(value)]
        if tag == "a" and values.get("href") is not None:
            self.links.append((str(values["href"]), values))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.fetched += [("<style>", url) for url in css_urls(data)]


def css_urls(css: str) -> list[str]:
    return [first or second for first, second in CSS_URL.findall(css)]


def local(url: str) -> bool:
    """A URL of the daemon itself: relative, or on 127.0.0.1 or the public URL's host."""
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme in ("http", "https") and parts.hostname in (
        "127.0.0.1",
        urlsplit(PUBLIC_URL).hostname,
    )


def test_every_kind_of_page_was_rendered(pages: dict[str, tuple[int, str]]) -> None:
    statuses = {path: status for path, (status, _) in pages.items()}
    assert statuses["/alerts/999"] == statuses["/articles/999999"] == 404
    assert statuses["/search?since=bogus"] == 400
    assert all(status == 200 for path, status in statuses.items() if "999" not in path
               and "bogus" not in path), statuses  # fmt: skip
    assert len(pages) == 11  # ten paths, and the index alert's page


def test_no_page_asks_another_host_for_anything(
    pages: dict[str, tuple[int, str]], jarinje: Seeded
) -> None:
    feed_links = {url for (url,) in jarinje.rows("SELECT url FROM articles")}
    feed_links |= {url for (url,) in jarinje.rows("SELECT url FROM article_sources")}
    for path, (_, html) in pages.items():
        parsed = References()
        parsed.feed(html)
        # No script, frame, image, font, style sheet or icon from anywhere: all is inline
        # (the search form's action is checked with the fetched URLs).
        assert not {"script", "iframe", "img", "link", "object", "embed", "source",
                    "video", "audio"} & set(parsed.tags), (path, parsed.tags)  # fmt: skip
        assert "@font-face" not in html and "@import" not in html, path
        for where, url in parsed.fetched:
            assert local(url), (path, where, url)
        for href, attributes in parsed.links:
            if local(href):
                continue
            # The only links off the daemon: the articles' own, opened with no referrer.
            assert href in feed_links, (path, href)
            assert attributes.get("rel") == "noopener noreferrer nofollow", (path, href)


def test_the_story_and_article_pages_keep_hostile_feed_text_as_text(
    delivered: Delivered,
) -> None:
    config = load_config(delivered.config.path)
    web = WebContext(delivered.config.database, lambda: config.watches, lambda: datetime.now(UTC))
    client = TestClient(make_app(Quiet(), web))
    pages = {}
    for alert_id in range(1, delivered.alerts + 2):
        page = client.get(f"/alerts/{alert_id}")
        if page.status_code == 200:
            pages[f"/alerts/{alert_id}"] = page.text
    for text in list(pages.values()):
        for article_id in sorted(set(re.findall(r'href="/articles/(\d+)"', text))):
            pages[f"/articles/{article_id}"] = client.get(f"/articles/{article_id}").text
    assert sum(path.startswith("/alerts/") for path in pages) >= delivered.alerts
    assert sum(path.startswith("/articles/") for path in pages) >= delivered.alerts
    joined = "\n".join(pages.values())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in joined  # shown, as text
    assert "alert #" in joined
    for path, text in pages.items():
        assert "<script" not in text.lower(), path
        assert 'href="javascript:' not in text and "href='javascript:" not in text, path
        # No bidi override, zero-width or control character reaches a page.
        assert_page_safe(path, text)
        assert len(text) < 400_000, path

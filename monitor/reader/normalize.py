"""Turning a feed entry into one ``Article``: plain text, canonical URL, dedup keys.

Everything here is untrusted input. Markup is reduced to text, control
characters (terminal escapes, bidi overrides) are removed and sizes are
capped, so later stages can print and send the text without surprises.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from monitor.language import language_code
from monitor.models import Article, FeedEntry
from monitor.rules.text import tokens

MAX_TITLE_CHARS = 500
MAX_TEXT_CHARS = 20_000
# Below this many words, a title and summary are too generic ("Live updates")
# to identify a story on their own, so the content hash also takes the id.
MIN_WORDS_FOR_CONTENT_HASH = 8

_TRACKING_PARAMETERS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|"
    r"_ga|_gl|ocid|cmpid|at_medium|at_campaign|at_custom\d|ns_mchannel|ns_source|"
    r"ns_campaign|ns_linkname|ns_fee|sr_share|ref|ref_src)$",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})
# Every character of Unicode 14 (Python 3.11's unicodedata) in the categories
# Cc (controls, but line feed and tab), Cf (format: zero-width and bidi
# controls), Cs (surrogates) and Co (private use); a test checks the list.
UNPRINTABLE_RANGES = (
    "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f"
    "\\u0890-\\u0891\\u08e2\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f"
    "\\ud800-\\uf8ff\\ufeff\\ufff9-\\ufffb\\U000110bd\\U000110cd\\U00013430-\\U00013438"
    "\\U0001bca0-\\U0001bca3\\U0001d173-\\U0001d17a\\U000e0001\\U000e0020-\\U000e007f"
    "\\U000f0000-\\U000ffffd\\U00100000-\\U0010fffd"
)
_UNPRINTABLE = re.compile(f"[{UNPRINTABLE_RANGES}]")
_SPACE_CONTROLS = re.compile("[\\t\\x0b\\x0c\\x1c-\\x1f\\x85]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str, limit: int) -> str:
    """Return the readable text of an HTML fragment, cleaned and at most ``limit`` chars."""
    extractor = _TextExtractor()
    extractor.feed(markup[: limit * 4])
    extractor.close()
    return clean_text("".join(extractor.parts), limit)


def clean_text(text: str, limit: int) -> str:
    """Return ``text`` in NFC without control or format characters, spaces tidied, capped."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    # A white-space control (tab, vertical tab, form feed) still separates words.
    text = _UNPRINTABLE.sub("", _SPACE_CONTROLS.sub(" ", text))
    text = _BLANK_LINES.sub("\n", _SPACES.sub(" ", text)).strip()
    return text[:limit].rstrip()


def feed_title(title: str | None) -> str | None:
    """A feed's own title as plain text, capped like an article's (it names the source
    of its articles in alerts and on the dashboard); ``None`` when it has none."""
    return html_to_text(title, MAX_TITLE_CHARS) or None if title else None


def canonical_url(url: str | None) -> str | None:
    """Return ``url`` without tracking parameters, fragment, default port or host case."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    default_port = {"http": 80, "https": 443}[parts.scheme.lower()]
    try:
        port = parts.port
    except ValueError:
        return None
    if ":" in host:  # an IPv6 literal keeps its brackets (RFC 3986 §3.2.2)
        host = f"[{host}]"
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    query = urlencode(
        [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING_PARAMETERS.match(key)
        ]
    )
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def normalize(entry: FeedEntry, feed_url: str) -> Article:
    """Return the ``Article`` for one feed entry; the dedup keys are computed here, once."""
    title = html_to_text(entry.title, MAX_TITLE_CHARS)
    summary = html_to_text(entry.summary_html, MAX_TEXT_CHARS)
    url = _absolute_http_url(entry.link, feed_url)
    canonical = canonical_url(url)
    published = entry.published.isoformat() if entry.published else ""
    guid = (
        entry.guid
        or url
        or "sha256:" + hashlib.sha256(f"{title}\n{published}".encode()).hexdigest()
    )[:2000]
    words = tokens(title) + tokens(summary)
    fingerprint = " ".join(words)
    if len(words) < MIN_WORDS_FOR_CONTENT_HASH:
        fingerprint = f"{guid}\n{fingerprint}"
    return Article(
        guid=guid,
        url=url,
        canonical_url=canonical,
        title=title,
        summary=summary,
        published_at=entry.published,
        content_hash=hashlib.sha256(fingerprint.encode()).hexdigest()[:32],
        language=language_code(entry.language),
    )


def _absolute_http_url(link: str | None, feed_url: str) -> str | None:
    if not link:
        return None
    absolute = urljoin(feed_url, link.strip()) if feed_url.startswith("http") else link.strip()
    return absolute[:2000] if urlsplit(absolute).scheme in ("http", "https") else None

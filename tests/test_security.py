"""Hostile feed text through the whole pipeline and every channel, and secrets kept secret.

Every case runs the real pipeline: feeds served on 127.0.0.1, ``monitor`` commands,
chat services and an SMTP server on 127.0.0.1, the dashboard through Starlette's
test client.
"""

from __future__ import annotations

import email
import html
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from conftest import ConfigDir, FeedServer, Quiet, WebhookReceiver, rss
from starlette.testclient import TestClient
from test_daemon import free_port, wait_for

from monitor.cli import main
from monitor.config import load_config
from monitor.daemon.server import make_app
from monitor.reader.normalize import MAX_TITLE_CHARS
from monitor.web.pages import WebContext

MEGABYTE = 1_000_000

# Each article escalates (so it alerts) and carries one family of hostile text. The
# titles are stored literally: ``literal`` escapes them once more for the feed, so
# the markup survives HTML-to-text as text, the way a feed's escaped title does.
HOSTILE_ARTICLES = [
    (
        "@channel @here @everyone @all <!everyone> <!channel> <!here> <@U123> <@&456> <#C789> "
        "gunfire in Mitrovica",
        "Police and a crowd of Kosovo Serbs clashed near the bridge in North Mitrovica; "
        "officers fired tear gas and nine people were wounded. @everyone <!channel>",
    ),
    (
        '<script>alert(1)</script><img src=x onerror="alert(2)"> <svg onload=alert(3)> '
        "grenade at Jarinje",
        "A hand grenade exploded at the Jarinje crossing, where Kosovo Serbs had blocked the "
        "road with trucks; three people were injured. <script>alert(4)</script>",
    ),
    (
        "[click](http://evil.example) [x](javascript:alert(1)) **bold** `code` ~~s~~ "
        "<https://evil.example|spoof> # heading armed attack in Zvečan",
        "Gunfire was heard overnight in Zvečan after masked men attacked a Kosovo police "
        "patrol, injuring two officers. [here](http://evil.example/steal)",
    ),
    (
        '<b>bold</b> <a href="tg://resolve?domain=evil">tap</a> <i>x</i> &amp; </code> '
        "army on combat readiness",
        "Serbia put its army on the highest combat readiness and moved units toward the "
        "administrative line with Kosovo. <a href='javascript:alert(5)'>more</a>",
    ),
    (
        "\u202egnp.exe \u2066isolate\u2069 Kos\u200bovo \ufeffBOM \u200djoin \u2028line "
        "explosions in Banjska",
        "Armed men fired on KFOR troops near Banjska in northern Kosovo\u202e; Belgrade "
        "denied involvement as explosions and clashes spread.",
    ),
    (
        "shooting near Leposavić " + "x " * (MEGABYTE // 2),
        "Rioters torched cars in Leposavić after Kosovo special police arrested a Serb "
        "official; several people were wounded by gunfire. " + "y " * (MEGABYTE // 2),
    ),
]
# Raw control characters are not XML: this feed is malformed, and used anyway.
CONTROL_ARTICLE = (
    "\x1b[2J\x1b]0;pwned\x07 \x00NUL \x08back\x7f\x9b31m gunfire and clashes in Mitrovica",
    "Explosions and shooting in North Mitrovica left four wounded as Kosovo police and Serb "
    "protesters clashed for a second night.\x1b[31m\x00",
)
HOSTILE_FEED_TITLE = "<script>alert(9)</script>\u202e @everyone " + "z" * MEGABYTE
MENTION = re.compile(r"@(?!\u200b)")  # an @ not broken by a zero-width space
SLACK_SPECIAL = re.compile(r"<[!@#]")  # <!channel>, <@U123>, <#C789>


def literal(text: str) -> str:
    """``text`` as a feed writes a title holding markup as text (escaped HTML)."""
    return html.escape(text, quote=False)


def unsafe_characters(text: str) -> list[str]:
    """Control and format characters in ``text`` (a line feed and the zero-width space
    that follows an ``@`` to break a mention are allowed)."""
    found = []
    for index, char in enumerate(text):
        if char in "\n\t" or (char == "\u200b" and text[index - 1 : index] == "@"):
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            found.append(f"U+{ord(char):04X} at {index}")
    return found


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self, accept: bool) -> None:
        self.messages: list[Message] = []
        self.accept = accept

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.accept:
            return "554 rejected"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@dataclass
class Smtp:
    inbox: Inbox
    port: int
    logins: list[tuple[bytes, bytes]]


@contextmanager
def smtp_server(accept: bool = True) -> Iterator[Smtp]:
    """An SMTP server on 127.0.0.1 that takes any login (and keeps it) and accepts, or
    refuses, every message."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Smtp(Inbox(accept), port, [])

    def authenticate(*args: Any) -> AuthResult:
        data = args[-1]
        if isinstance(data, LoginPassword):
            server.logins.append((data.login, data.password))
        return AuthResult(success=True)

    controller = Controller(
        server.inbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
        auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def every_channel(webhook: WebhookReceiver, smtp_port: int) -> dict[str, Any]:
    """One channel of each type, all to receivers on 127.0.0.1."""
    return {
        "console": {"type": "console"},
        "hook": {"type": "webhook", "url": webhook.url("/webhook")},
        "slack": {"type": "slack", "url": webhook.url("/slack")},
        "discord": {"type": "discord", "url": webhook.url("/discord")},
        "mattermost": {"type": "mattermost", "url": webhook.url("/mattermost")},
        "teams": {"type": "teams", "url": webhook.url("/teams")},
        "ntfy": {"type": "ntfy", "url": webhook.url("/alerts")},
        "telegram": {"type": "telegram", "token": "1:t", "chat_id": 7,
                     "api_url": webhook.base_url},
        "mail": {"type": "email", "host": "127.0.0.1", "port": smtp_port, "tls": "none",
                 "from": "monitor@example.org", "to": ["desk@example.org"]},
    }  # fmt: skip


@dataclass
class Delivered:
    """What each service received after one poll of the hostile feeds."""

    bodies: dict[str, list[dict[str, Any]]]
    mails: list[Message]
    console: str
    config: ConfigDir
    alerts: int


@pytest.fixture(scope="module")
def delivered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Delivered]:
    """One poll of the hostile feeds, through one channel of every type."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "config").mkdir()
    config_dir = ConfigDir(root / "config", root / "data" / "monitor.db")
    with ExitStack() as stack:
        feed_server, webhook = FeedServer(), WebhookReceiver()
        stack.callback(feed_server.close)
        stack.callback(webhook.close)
        smtp = stack.enter_context(smtp_server())
        yield poll_hostile_feeds(config_dir, feed_server, webhook, smtp)


def poll_hostile_feeds(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver, smtp: Smtp
) -> Delivered:
    items = [
        {"title": literal(title), "link": f"https://desk.example/{n}", "guid": f"h-{n}",
         "description": literal(text)}
        for n, (title, text) in enumerate(HOSTILE_ARTICLES)
    ]  # fmt: skip
    items.append(
        {"title": "<b>raw</b> <script>alert(8)</script> clashes in Zubin Potok",
         "link": "javascript:alert(7)", "guid": "raw",
         "description": "<p onclick='x()'>Kosovo police and Serbs clashed; gunfire, two "
                        "wounded.</p><iframe src='http://evil.example'></iframe>"}
    )  # fmt: skip
    hostile = feed_server.serve("/hostile.xml", rss(items, title=literal(HOSTILE_FEED_TITLE)))
    controls = feed_server.serve(
        "/controls.xml",
        rss([{"title": CONTROL_ARTICLE[0], "link": "https://desk.example/c", "guid": "c",
              "description": CONTROL_ARTICLE[1]}]),
    )  # fmt: skip
    channels = every_channel(webhook, smtp.port)
    config_dir.write(
        [hostile, controls],
        channels=channels,
        watch_channels=sorted(channels),
        settings={"poll": {"workers": 0, "jitter": 0, "timeout": "10s"}},
    )
    watch = config_dir.path / "watches" / "serbia-kosovo.yaml"
    # Every article its own alert, so every hostile title reaches every channel.
    text = watch.read_text("utf-8").replace("similarity: 0.6", "similarity: 1")
    watch.write_text(text.replace("\nstory:\n", "\nstory:\n  group: words\n", 1), "utf-8")

    result = CliRunner().invoke(main, ["poll", "--once", "--config", str(config_dir.path)])

    assert result.exit_code == 0, result.output
    assert "2 updated" in result.stdout
    alerts = int(re.findall(r"(\d+) alerts", result.stdout)[0])
    assert alerts == len(HOSTILE_ARTICLES) + 2  # every article alerted
    bodies: dict[str, list[dict[str, Any]]] = {}
    for request in webhook.requests:
        service = request.path.strip("/").split("/")[-1] or "ntfy"  # ntfy posts to the root
        bodies.setdefault(service, []).append(json.loads(request.body))
    return Delivered(bodies, smtp.inbox.messages, result.stdout, config_dir, alerts)


def test_every_channel_got_every_alert(delivered: Delivered) -> None:
    services = ["webhook", "slack", "discord", "mattermost", "teams", "ntfy", "sendMessage"]
    assert {name: len(delivered.bodies.get(name, [])) for name in services} == dict.fromkeys(
        services, delivered.alerts
    )
    assert len(delivered.mails) == delivered.alerts
    assert delivered.console.count("[CRITICAL]") + delivered.console.count("[WARNING]") >= (
        delivered.alerts
    )


def test_the_webhook_payload_is_clean_text_of_capped_size(delivered: Delivered) -> None:
    for payload in delivered.bodies["webhook"]:
        for article in payload["articles"]:
            assert len(article["title"]) <= MAX_TITLE_CHARS
            assert unsafe_characters(article["title"]) == []
            assert article["url"] is None or article["url"].startswith("https://")
        for source in payload["sources"]:
            assert len(source["source"]) <= MAX_TITLE_CHARS
            assert unsafe_characters(source["source"]) == []
        assert len(json.dumps(payload)) < 20_000
    titles = [a["title"] for p in delivered.bodies["webhook"] for a in p["articles"]]
    # Markup from a feed's escaped title is kept as the text it was; raw markup is dropped.
    assert any(t.startswith("<script>alert(1)</script>") for t in titles)
    assert "raw clashes in Zubin Potok" in titles
    assert any("pwned NUL back" in t for t in titles)
    assert any(t.startswith("gnp.exe isolate Kosovo BOM join") for t in titles)


def test_slack_gets_no_mention_no_foreign_link_and_respects_its_limits(
    delivered: Delivered,
) -> None:
    for body in delivered.bodies["slack"]:
        header = body["blocks"][0]["text"]["text"]
        section = body["blocks"][1]["text"]["text"]
        assert len(header) <= 150 and len(section) <= 3000
        assert unsafe_characters(section) == []
        assert MENTION.search(section) is None, section
        assert SLACK_SPECIAL.search(section) is None, section
        # The only angle brackets left open the links monitor made, to the articles.
        assert section.count("<") == len(re.findall(r"<https://desk\.example/\w+\|", section))


@pytest.mark.parametrize("service", ["discord", "mattermost", "teams"])
def test_markdown_channels_escape_links_markup_and_mentions(
    delivered: Delivered, service: str
) -> None:
    limits = {"discord": 4096, "mattermost": 16_000, "teams": 10_000}
    for body in delivered.bodies[service]:
        if service == "discord":
            assert body["allowed_mentions"] == {"parse": []}
            assert len(body["embeds"][0]["title"]) <= 256
            text = body["embeds"][0]["description"]
        elif service == "teams":
            card = body["attachments"][0]["content"]
            text = card["body"][1]["text"]
            assert all(a["url"].startswith("https://desk.example/") for a in card["actions"])
            assert all(unsafe_characters(a["title"]) == [] for a in card["actions"])
        else:
            text = body["text"]
        assert len(text) <= limits[service]
        assert unsafe_characters(text) == []
        assert MENTION.search(text) is None, text
        # Every Markdown link is one monitor made: to an article, never from feed text.
        links = re.findall(r"(?<!\\)\]\((?!https://desk\.example/\w+\))", text)
        assert links == [], text
        assert "\\[click\\]\\(http://evil.example\\)" in text or "click" not in text
        assert "<script" not in text.replace("\\<", "") or "\\<script" not in text


def test_telegram_gets_only_its_own_tags_and_no_mention(delivered: Delivered) -> None:
    for body in delivered.bodies["sendMessage"]:
        text = body["text"]
        assert body["parse_mode"] == "HTML"
        assert len(text) <= 4096
        assert unsafe_characters(text) == []
        tags = re.findall(r"<[^>]*>", text)
        assert {re.sub(r'href="https://desk\.example/\w+"', "href", t) for t in tags} <= {
            "<b>", "</b>", "<a href>", "</a>",
        }, tags  # fmt: skip
        assert MENTION.search(text) is None, text


def test_ntfy_gets_plain_text_within_its_limits(delivered: Delivered) -> None:
    for body in delivered.bodies["ntfy"]:
        assert len(body["message"]) <= 4096 and len(body["title"]) <= 250
        assert unsafe_characters(body["message"] + body["title"]) == []
        assert body.get("click", "https://desk.example/").startswith("https://desk.example/")
        assert "markdown" not in body  # rendered as plain text: nothing is live


def test_email_has_escaped_html_clean_headers_and_only_article_links(
    delivered: Delivered,
) -> None:
    for mail in delivered.mails:
        # A long subject (a story's title) is folded as RFC 5322 says: CRLF and a space.
        subject = re.sub(r"\r\n[ \t]", " ", mail["Subject"])
        assert len(str(make_header(decode_header(subject)))) <= 200
        assert unsafe_characters(subject) == []
        assert unsafe_characters(str(make_header(decode_header(subject)))) == []
        assert mail["Bcc"] is None
        parts = {p.get_content_type(): p.get_payload(decode=True).decode().replace("\r\n", "\n")
                 for p in mail.walk() if not p.is_multipart()}  # fmt: skip
        assert unsafe_characters(parts["text/plain"]) == []
        rich = parts["text/html"]
        assert unsafe_characters(rich) == []
        tags = {re.sub(r'href="https://desk\.example/\w+"', "href", t)
                for t in re.findall(r"<[^>]*>", rich)}  # fmt: skip
        assert tags <= {"<html>", "<body>", "</body>", "</html>", "<h2>", "</h2>", "<ul>",
                        "</ul>", "<li>", "</li>", "<a href>", "</a>", "<p>", "</p>", "<b>",
                        "</b>", "<blockquote>", "</blockquote>"}, tags  # fmt: skip


def test_the_console_prints_no_terminal_control(delivered: Delivered) -> None:
    assert unsafe_characters(delivered.console) == []
    assert "pwned NUL back" in delivered.console


def test_the_dashboard_escapes_feed_text_and_caps_titles(delivered: Delivered) -> None:
    config = load_config(delivered.config.path)
    now = datetime.now(UTC)
    web = WebContext(delivered.config.database, lambda: config.watches, lambda: now)
    client = TestClient(make_app(Quiet(), web))
    page = client.get("/")
    assert page.status_code == 200
    pages = {"/": page.text}
    for article_id in sorted(set(re.findall(r'href="/articles/(\d+)"', page.text))):
        pages[f"/articles/{article_id}"] = client.get(f"/articles/{article_id}").text
    assert len(pages) == delivered.alerts + 1
    for path, text in pages.items():
        assert_page_safe(path, text)
        assert "x " * (MAX_TITLE_CHARS // 2 + 1) not in text, path
        assert "z" * (MAX_TITLE_CHARS + 1) not in text, path
        assert len(text) < 200_000, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["/"]


# The elements the dashboard's own templates write; feed text must add none.
PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "nav", "h1", "article",
    "h2", "h3", "p", "a", "span", "mark", "del", "s", "table", "thead", "tbody", "tr", "th",
    "td", "ul", "li", "section", "div", "small", "strong", "em", "time", "svg", "g", "path",
    "rect", "line", "text", "circle", "polyline", "details", "summary", "code", "br", "abbr",
}  # fmt: skip


def page_tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every element a browser would build from ``page``, with its attributes."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collector().feed(page)
    return found


def assert_page_safe(path: str, page: str) -> None:
    """The page builds only known elements, no event handler, no link or source but to
    http(s), this site or a fragment, and no bidi, zero-width or control character."""
    tags = page_tags(page)
    assert {name for name, _ in tags} <= PAGE_TAGS, (path, {n for n, _ in tags} - PAGE_TAGS)
    for name, attributes in tags:
        for attribute, value in attributes:
            assert not attribute.startswith("on"), (path, name, attribute)
            if attribute in ("href", "src", "action", "xlink:href"):
                assert value is not None and re.match(r"(https?://|/|#|\?)", value), (
                    path, name, value,
                )  # fmt: skip
    assert unsafe_characters(page) == [], path


def test_alerts_show_prints_no_terminal_control(delivered: Delivered) -> None:
    where = ["--config", str(delivered.config.path)]
    listing = CliRunner().invoke(main, ["alerts", *where])
    assert listing.exit_code == 0
    assert unsafe_characters(listing.stdout) == []
    for alert_id in range(1, delivered.alerts + 1):
        shown = CliRunner().invoke(main, ["alerts", "show", str(alert_id), *where])
        assert shown.exit_code == 0
        assert unsafe_characters(shown.stdout) == []


# Distinctive values, so that any copy of them is found wherever it went.
SECRETS = {
    "WEBHOOK_SECRET": "canary-hmac-2b9c41",
    "SMTP_PASSWORD": "canary-smtp-5d1e77",
    "TELEGRAM_TOKEN": "123456:canary-tg-8a4f0e",
    "NTFY_TOKEN": "canary-ntfy-3c6d19",
    "FEED_TOKEN": "canary-feed-9e2b55",
}
CLASHES = (
    "Police and a crowd of Kosovo Serbs clashed near the main bridge in North Mitrovica. "
    "Officers fired tear gas and witnesses reported gunfire; nine people were wounded."
)


def leaked(text: str, secrets: dict[str, str]) -> list[str]:
    """The names of the secrets whose value (or a distinctive part of it) is in ``text``."""
    return [name for name, value in secrets.items() if value in text or value[-13:] in text]


def database_text(database: Path) -> str:
    """Every text value of every table of the database, one per line."""
    with sqlite3.connect(database) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        values = [
            str(value)
            for table in tables
            for row in db.execute(f'SELECT * FROM "{table}"')
            for value in row
            if isinstance(value, str | bytes)
        ]
    return "\n".join(values)


def test_no_secret_reaches_a_log_an_error_a_page_a_metric_or_the_database(
    config_dir: ConfigDir, feed_server: FeedServer, webhook: WebhookReceiver, tmp_path: Path
) -> None:
    secrets = {**SECRETS, "WEBHOOK_URL": webhook.url("/hook/canary-url-6a0d3b")}
    webhook.statuses = [500] * 1000  # every chat service is down
    smtp = ExitStack()
    mail = smtp.enter_context(smtp_server(accept=False))  # refuses every message
    smtp.callback(feed_server.close)
    north = feed_server.serve("/north.xml", rss([{"title": "Gunfire in Mitrovica",
        "link": "https://north.example/1", "guid": "n-1", "description": CLASHES}]))  # fmt: skip
    private = feed_server.url("/private.xml")  # not served: 404, with the token sent
    port = free_port()
    channels = {
        "console": {"type": "console"},
        "hook": {"type": "webhook", "url": "${WEBHOOK_URL}", "secret": "${WEBHOOK_SECRET}"},
        "ntfy": {"type": "ntfy", "url": webhook.url("/alerts"), "token": "${NTFY_TOKEN}"},
        "telegram": {"type": "telegram", "token": "${TELEGRAM_TOKEN}", "chat_id": 7,
                     "api_url": webhook.base_url},
        "mail": {"type": "email", "host": "127.0.0.1", "port": mail.port, "tls": "none",
                 "username": "desk", "password": "${SMTP_PASSWORD}",
                 "from": "monitor@example.org", "to": ["desk@example.org"]},
    }  # fmt: skip
    feeds = [north, {"url": private, "headers": {"Authorization": "Bearer ${FEED_TOKEN}"}}]
    settings = {
        "http": {"listen": f"127.0.0.1:{port}"},
        "poll": {"tick": "0.5s", "jitter": 0, "workers": 0},
        "delivery": {"retry_base": "1s", "max_delay": "1s", "give_up_after": "2s"},
    }
    config_dir.write(feeds, channels=channels, watch_channels=sorted(channels), settings=settings)
    env = {**os.environ, **secrets, "PYTHONUNBUFFERED": "1"}
    seen: dict[str, str] = {}

    def cli(*args: str, when: str = "") -> None:
        result = CliRunner().invoke(main, [*args, "--config", str(config_dir.path)], env=secrets)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        seen[" ".join(args) + when] = result.stdout + result.stderr

    with smtp:
        seen["poll, text log"] = subprocess.run(
            [sys.executable, "-m", "monitor", "poll", "--once", "--log-level", "debug",
             "--config", str(config_dir.path)],
            env=env, capture_output=True, text=True, timeout=60, check=True,
        ).stderr  # fmt: skip
        log = tmp_path / "daemon.log"
        with log.open("w") as stderr:
            daemon = subprocess.Popen(
                [sys.executable, "-m", "monitor", "run", "--log-format", "json",
                 "--log-level", "debug", "--config", str(config_dir.path)],
                stdout=subprocess.DEVNULL, stderr=stderr, env=env,
            )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(lambda: '"dead"' in http_get(base + "/metrics"), timeout=60)
            wait_for(lambda: len(mail.logins) >= 2)
            # A broken edit: its error is logged, kept in /status, and names no value.
            monitor_yaml = config_dir.path / "monitor.yaml"
            good = monitor_yaml.read_text("utf-8")
            monitor_yaml.write_text(
                good.replace("tls: none", "tls: ${SMTP_PASSWORD}").replace(
                    "port: " + str(mail.port), "port: ${TELEGRAM_TOKEN}"
                ),
                "utf-8",
            )
            wait_for(lambda: "reload failed" in log.read_text("utf-8"))
            for path in ["/status", "/metrics", "/healthz", "/", "/articles/1"]:
                seen[path] = http_get(base + path)
            cli("check", when=" (broken)")
            cli("status", when=" (broken)")
            cli("status", "--json", when=" (broken)")
            monitor_yaml.write_text(good, "utf-8")
            wait_for(lambda: log.read_text("utf-8").count("config: reloaded") >= 1)
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)
        seen["run, JSON log"] = log.read_text("utf-8")
        for args in [("deliveries",), ("deliveries", "--status", "dead"), ("alerts",),
                     ("alerts", "show", "1", "--json"), ("alerts", "show", "1"), ("feeds", "list"),
                     ("channels", "test", "hook"), ("channels", "test", "telegram"),
                     ("channels", "test", "ntfy"), ("channels", "test", "mail"), ("status",),
                     ("deliver", "--once"), ("db", "stats")]:  # fmt: skip
            cli(*args)
    seen["database"] = database_text(config_dir.database)

    # The scenario did what it is meant to: every channel failed, the feed with a token too.
    # (The two feeds are fetched concurrently: their requests come in either order.)
    assert any(r.path == "/private.xml" and r.headers.get("Authorization")
               == f"Bearer {SECRETS['FEED_TOKEN']}" for r in feed_server.requests)  # fmt: skip
    assert (SECRETS["SMTP_PASSWORD"].encode(),) in {(p,) for _, p in mail.logins}
    assert "webhook answered HTTP 500" in seen["database"]
    assert "telegram answered HTTP 500" in seen["database"]
    assert "email: the server answered 554" in seen["database"]
    assert "HTTP 404" in seen["database"]
    assert "reload failed" in seen["run, JSON log"]
    assert "channel telegram: telegram answered HTTP 500" in seen["channels test telegram"]
    assert "is INVALID" in seen["status (broken)"]
    assert "channels.mail.port" in seen["status --json (broken)"]
    assert "channels.mail.tls" in seen["check (broken)"]
    assert "channels.mail.port" in seen["/status"]
    assert {
        where: leaked(text, secrets) for where, text in seen.items() if leaked(text, secrets)
    } == {}


def http_get(url: str) -> str:
    try:
        return httpx.get(url, timeout=5).text
    except httpx.TransportError:
        return ""

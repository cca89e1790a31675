"""Messages a person can act on, and one alert id everywhere (issue #15, items 4 and 5).

A story reported by two outlets goes through the real daemon cycle to a real
webhook receiver and a real SMTP server (aiosmtpd) on 127.0.0.1: the subject
says level, what and where and by how many outlets; the body the places, the
reasons, an excerpt, every outlet with its link, the alert's number and, when
``http.public_url`` is set, its link on the dashboard. The tension index lists
the stories that moved it. ``monitor alerts show`` takes every id a notification
carries.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from typing import Any

from click.testing import CliRunner
from conftest import ConfigDir, FeedServer, Inbox, WebhookReceiver, rss, subject

from monitor.cli import main
from monitor.config import load_config
from monitor.daemon.run import open_runtime
from monitor.poll.cycle import run_cycle

TITLE = "Clashes in Zvečan: KFOR soldiers injured"
REPORT = (
    "Kosovo Serbs and police clashed outside the municipal building in Zvečan on Friday. "
    "Police fired tear gas, shots were heard and several KFOR soldiers were wounded; "
    "the mission sent more troops to the town overnight while talks were called off."
)
REPORTS = [
    ("wire", "Wire", TITLE),
    ("wire", "Wire", "KFOR soldiers injured as clashes break out in Zvečan"),
    ("daily", "Daily", "Zvečan clashes: soldiers of KFOR among the injured"),
]
PUBLIC_URL = "https://monitor.example.org"


@dataclass(frozen=True)
class Delivered:
    """What the receivers got for one cycle of the story."""

    documents: list[dict[str, Any]]
    mails: list[Message]
    slack: list[dict[str, Any]]

    def of_kind(self, kind: str) -> dict[str, Any]:
        (document,) = [d for d in self.documents if d["kind"] == kind]
        return document

    def headline(self) -> str:
        """The story's first report's title (which outlet is read first varies)."""
        title: str = self.of_kind("article")["articles"][0]["title"]
        assert title in [title for _, _, title in REPORTS]
        return title


def deliver(
    feed_server: FeedServer,
    config_dir: ConfigDir,
    webhook: WebhookReceiver,
    smtp: tuple[Inbox, int],
    public_url: str | None,
) -> Delivered:
    """One daemon cycle over two outlets' reports of the story, to every receiver."""
    feeds = []
    for outlet, name in (("wire", "Wire"), ("daily", "Daily")):
        items = [
            {"title": title, "link": f"https://{where}.example/story-{n}", "guid": f"{where}{n}",
             "description": REPORT}
            for n, (where, _, title) in enumerate(REPORTS)
            if where == outlet
        ]  # fmt: skip
        feeds.append(feed_server.serve(f"/{outlet}.xml", rss(items, title=name)))
    inbox, port = smtp
    http: dict[str, Any] = {"listen": None}
    if public_url is not None:
        http["public_url"] = public_url
    mail = {"type": "email", "host": "127.0.0.1", "port": port, "tls": "none",
            "from": "monitor@example.org", "to": ["desk@example.org"]}  # fmt: skip
    config_dir.write(
        feeds,
        channels={
            "hook": {"type": "webhook", "url": webhook.url("/hook")},
            "chat": {"type": "slack", "url": webhook.url("/slack")},
            "mail": mail,
        },
        watch_channels=["hook", "chat", "mail"],
        alert_on="[article:warning, index:elevated]",
        settings={
            "poll": {"timeout": "5s", "jitter": 0, "workers": 0, "concurrency": 1},
            "http": http,
        },
    )

    async def run() -> None:
        async with open_runtime(load_config(config_dir.path)) as runtime:
            runtime.clock = lambda: datetime(2026, 11, 6, 18, 0, tzinfo=UTC)
            await run_cycle(runtime, all_feeds=True)

    asyncio.run(run())
    hook = [json.loads(r.body) for r in webhook.accepted if r.path == "/hook"]
    slack = [json.loads(r.body) for r in webhook.accepted if r.path == "/slack"]
    return Delivered(hook, inbox.messages, slack)


def parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode().replace("\r\n", "\n")
        for part in message.walk()
        if not part.is_multipart()
    }


def story_mail(delivered: Delivered) -> Message:
    (mail,) = [m for m in delivered.mails if "tension index" not in subject(m)]
    return mail


def test_the_subject_says_level_what_where_and_how_many_outlets(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver, smtp: Any
) -> None:
    delivered = deliver(feed_server, config_dir, webhook, smtp, None)
    story = delivered.of_kind("article")
    level = story["level"].upper()
    expected = f"[{level}] {delivered.headline()} — 2 outlets"
    assert subject(story_mail(delivered)) == expected
    assert delivered.slack[0]["blocks"][0]["text"]["text"] == expected


def test_the_email_body_gives_places_reasons_excerpt_and_every_outlet(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver, smtp: Any
) -> None:
    delivered = deliver(feed_server, config_dir, webhook, smtp, None)
    number = delivered.of_kind("article")["alert"]
    body = parts(story_mail(delivered))
    plain, rich = body["text/plain"], body["text/html"]
    assert "Where: Zvečan" in plain
    why = next(line for line in plain.splitlines() if line.startswith("Why: "))
    assert re.search(r'\bclashes: "[^"]+"', why)  # a signal and the words that matched
    assert "“Kosovo Serbs and police clashed outside the municipal building" in plain
    for _, name, title in REPORTS:
        assert f"- {title} ({name})" in plain
    for url in ("https://wire.example/story-0", "https://wire.example/story-1",
                "https://daily.example/story-2"):  # fmt: skip
        assert f"  {url}" in plain
        assert f'<a href="{url}">' in rich
    assert f"alert #{number} · serbia-kosovo, score " in plain
    assert "dashboard" not in plain and "dashboard" not in rich  # no public_url: no link


def test_the_dashboard_link_is_there_when_public_url_is_set(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver, smtp: Any
) -> None:
    delivered = deliver(feed_server, config_dir, webhook, smtp, PUBLIC_URL + "/")
    story = delivered.of_kind("article")
    link = f"{PUBLIC_URL}/alerts/{story['alert']}"
    assert story["link"] == link
    body = parts(story_mail(delivered))
    assert f"on the dashboard: {link}" in body["text/plain"]
    assert f'<a href="{link}">on the dashboard</a>' in body["text/html"]
    section = delivered.slack[0]["blocks"][1]["text"]["text"]
    assert f"<{link}|on the dashboard>" in section


def test_the_webhook_document_only_gains_keys_at_its_end(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver, smtp: Any
) -> None:
    delivered = deliver(feed_server, config_dir, webhook, smtp, None)
    story = delivered.of_kind("article")
    assert list(story)[-3:] == ["story", "excerpt", "alert"]
    assert "link" not in story
    assert story["id"].startswith("serbia-kosovo:article:")  # the dedup key, as before
    assert story["excerpt"].startswith("Kosovo Serbs and police clashed")
    assert len(story["excerpt"]) <= 280


def test_an_index_alert_lists_the_stories_that_moved_it(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver, smtp: Any
) -> None:
    delivered = deliver(feed_server, config_dir, webhook, smtp, None)
    index = delivered.of_kind("index")
    story = delivered.of_kind("article")
    # One story of three reports: one entry, its headline, with the words that scored it.
    assert [article["title"] for article in index["articles"]] == [delivered.headline()]
    assert index["articles"][0]["score"] == story["score"]
    assert {hit["signal"] for hit in index["articles"][0]["hits"]} >= {"clashes"}
    (mail,) = [m for m in delivered.mails if "tension index" in subject(m)]
    plain = parts(mail)["text/plain"]
    url = story["articles"][0]["url"]
    assert f"Stories that moved it:\n- {delivered.headline()}\n  {url}" in plain


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_alerts_show_takes_every_id_a_notification_carries(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver, smtp: Any
) -> None:
    delivered = deliver(feed_server, config_dir, webhook, smtp, None)
    story = delivered.of_kind("article")
    config = str(config_dir.path)
    for reference in (str(story["alert"]), f"#{story['alert']}", story["id"]):
        code, out = invoke("alerts", "show", reference, "--config", config)
        assert code == 0, out
        assert out.startswith(f"alert {story['alert']}: serbia-kosovo article")
        assert f"headline: {delivered.headline()}" in out
    code, out = invoke("alerts", "show", "serbia-kosovo:article:999999", "--config", config)
    assert code == 1 and "no alert serbia-kosovo:article:999999" in out


def test_the_alerts_list_shows_each_story_headline(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver, smtp: Any
) -> None:
    delivered = deliver(feed_server, config_dir, webhook, smtp, None)
    code, out = invoke("alerts", "--config", str(config_dir.path))
    assert code == 0, out
    header, *rows = out.splitlines()
    assert header.split()[-1] == "headline"
    (story,) = [row for row in rows if " article " in row]
    assert story.endswith(delivered.headline())

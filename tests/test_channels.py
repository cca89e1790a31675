"""Every chat channel, against a real receiver on 127.0.0.1, with hostile feed text."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import WebhookReceiver
from jinja2.exceptions import SecurityError

from monitor.channels import build_channels
from monitor.channels.template import render
from monitor.config.models import Settings
from monitor.errors import DeliveryError
from monitor.models import Alert

HOSTILE = (
    "<!channel> @everyone @here <script>alert(1)</script> [click](https://evil.example) "
    "*bold* <b>x</b> <https://evil.example|spoof> \u202egnp.exe"
)
PAYLOAD: dict[str, Any] = {
    "schema": "monitor.alert/1",
    "id": "serbia-kosovo:article:1",
    "kind": "article",
    "state": "firing",
    "watch": "serbia-kosovo",
    "level": "critical",
    "score": 45.5,
    "created_at": "2026-11-03T21:20:04+00:00",
    "articles": [
        {"title": HOSTILE, "url": "https://courier.example/a?x=1|y>2", "source": "@here Courier"},
        {"title": "Second report", "url": "javascript:alert(1)", "source": None},
    ],
    "sources": [{"source": "a", "url": None}, {"source": "b", "url": None}],
}


def send(kind: str, webhook: WebhookReceiver, **extra: Any) -> dict[str, Any]:
    """Send PAYLOAD through a channel of ``kind`` and return what the receiver got."""
    config = {"type": kind, "url": webhook.url(f"/{kind}/topic"), **extra}
    if kind == "telegram":
        config = {"type": kind, "token": "123:SECRET", "chat_id": 42, "api_url": webhook.base_url}
    settings = Settings.model_validate({"channels": {"c": config}})

    async def run() -> None:
        async with httpx.AsyncClient() as client:
            channels = build_channels(settings.channels, client, console=None)  # type: ignore[arg-type]
            await channels["c"].send(Alert.from_json(PAYLOAD), "key-1")

    asyncio.run(run())
    (request,) = webhook.requests
    return {"path": request.path, "headers": request.headers, "body": json.loads(request.body)}


def no_live_mention(text: str) -> None:
    assert "<!channel>" not in text
    assert "@everyone" not in text
    assert "@here" not in text
    assert "<script>" not in text


def test_slack_escapes_mentions_and_links(webhook: WebhookReceiver) -> None:
    body = send("slack", webhook)["body"]
    section = body["blocks"][1]["text"]["text"]
    header = body["blocks"][0]["text"]
    # The story's first title heads the message, as text Slack shows as it is.
    assert header["type"] == "plain_text"
    assert header["text"].startswith("[CRITICAL] <\u200b!channel> @\u200beveryone")
    no_live_mention(
        header["text"].replace("@\u200b", "").replace("<\u200b!", "").replace("<script>", "")
    )
    assert "&lt;!channel&gt;" in section
    assert "<https://courier.example/a?x=1%7Cy%3E2|" in section  # the target cannot be bent
    assert "&lt;https://evil.example|spoof&gt;" in section
    assert "javascript:" not in section
    assert "2 sources" in section
    assert "@\u200beveryone" in section
    no_live_mention(section.replace("@\u200b", ""))


def test_discord_never_pings_and_escapes_markdown(webhook: WebhookReceiver) -> None:
    body = send("discord", webhook)["body"]
    assert body["allowed_mentions"] == {"parse": []}
    (embed,) = body["embeds"]
    assert embed["color"] == 0xE74C3C
    description = embed["description"]
    assert "@\u200beveryone" in description
    assert "\\[click\\]\\(https://evil.example\\)" in description
    assert "](https://courier.example/a?x=1|y>2)" in description
    assert "javascript:" not in description
    no_live_mention(description.replace("@\u200b", ""))


def test_mattermost_escapes_markdown_and_mentions(webhook: WebhookReceiver) -> None:
    text = send("mattermost", webhook)["body"]["text"]
    assert text.startswith("**\\[CRITICAL\\] <!channel\\> @\u200beveryone")
    assert "@\u200bhere" in text
    assert "javascript:" not in text


def test_teams_sends_an_adaptive_card_with_only_http_links(webhook: WebhookReceiver) -> None:
    body = send("teams", webhook)["body"]
    (attachment,) = body["attachments"]
    card = attachment["content"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["type"] == "AdaptiveCard"
    assert [action["url"] for action in card["actions"]] == ["https://courier.example/a?x=1|y>2"]
    assert "\\[click\\]" in card["body"][1]["text"]


def test_ntfy_publishes_to_the_topic_with_priority_from_the_level(
    webhook: WebhookReceiver,
) -> None:
    sent = send("ntfy", webhook, token="tk")
    assert sent["path"] == "/ntfy/"  # the topic URL without its topic: the root, prefix kept
    assert sent["headers"]["Authorization"] == "Bearer tk"
    body = sent["body"]
    assert (body["topic"], body["priority"], body["tags"]) == ("topic", 5, ["warning", "critical"])
    assert body["click"] == "https://courier.example/a?x=1|y>2"


def test_telegram_sends_html_with_feed_text_escaped(webhook: WebhookReceiver) -> None:
    sent = send("telegram", webhook)
    assert sent["path"] == "/bot123:SECRET/sendMessage"
    body = sent["body"]
    assert (body["chat_id"], body["parse_mode"]) == (42, "HTML")
    assert "&lt;script&gt;" in body["text"]
    assert "&lt;b&gt;x&lt;/b&gt;" in body["text"]
    assert '<a href="https://courier.example/a?x=1|y&gt;2">' in body["text"]
    assert "javascript:" not in body["text"]


@pytest.mark.parametrize("kind", ["slack", "discord", "mattermost", "teams", "ntfy", "telegram"])
def test_a_failing_service_is_a_delivery_error_that_names_no_secret(
    kind: str, webhook: WebhookReceiver
) -> None:
    webhook.statuses = [429]
    with pytest.raises(DeliveryError) as caught:
        send(kind, webhook)
    assert "HTTP 429" in str(caught.value)
    assert "SECRET" not in str(caught.value)
    assert "127.0.0.1" not in str(caught.value)


def test_long_alerts_are_trimmed_to_the_services_limits(webhook: WebhookReceiver) -> None:
    PAYLOAD["articles"][0]["title"] = "x" * 10_000
    try:
        body = send("discord", webhook)["body"]
    finally:
        PAYLOAD["articles"][0]["title"] = HOSTILE
    assert len(body["embeds"][0]["description"]) <= 4096


TEMPLATE = (
    "{{ headline }}\n"
    "{% for article in articles %}* {{ article.title }} {{ article.url or 'no link' }}\n"
    "{% endfor %}"
)


def test_a_channel_template_writes_the_text_and_feed_values_stay_escaped(
    webhook: WebhookReceiver, tmp_path: Path
) -> None:
    template = tmp_path / "discord.j2"
    template.write_text(TEMPLATE, encoding="utf-8")
    body = send("discord", webhook, template=str(template))["body"]
    description = body["embeds"][0]["description"]
    assert description.startswith("\\[CRITICAL\\] <!channel\\> @\u200beveryone")
    assert "* " in description
    assert "@\u200beveryone" in description
    assert "no link" in description  # the javascript: link was dropped
    no_live_mention(description.replace("@\u200b", ""))


def test_a_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    with pytest.raises(SecurityError):
        render("{{ ''.__class__.__mro__[1].__subclasses__() }}", Alert.from_json(PAYLOAD), str)


def test_the_console_blanks_terminal_escapes_and_bidi_controls() -> None:
    import io

    from monitor.channels.console import ConsoleChannel

    stream = io.StringIO()
    hostile = {**PAYLOAD, "articles": [{"title": "\x1b[2J\x1b]0;pwned\x07" + HOSTILE, "url": None}]}
    asyncio.run(ConsoleChannel(stream).send(Alert.from_json(hostile), "k"))
    printed = stream.getvalue()
    assert "\x1b" not in printed
    assert "\x07" not in printed
    assert "\u202e" not in printed


def test_telegram_keeps_whole_lines_when_an_alert_is_too_long(webhook: WebhookReceiver) -> None:
    articles = PAYLOAD["articles"]
    PAYLOAD["articles"] = [
        {"title": f"<b>{n}</b> " + "x" * 900, "url": f"https://a.example/{n}", "source": "@s"}
        for n in range(10)
    ]
    try:
        text = send("telegram", webhook)["body"]["text"]
    finally:
        PAYLOAD["articles"] = articles
    lines = text.split("\n")
    assert len(text) <= 4096
    assert lines[0].startswith("<b>[CRITICAL] &lt;b&gt;0&lt;/b&gt; xxx")
    assert lines[0].endswith("… — 2 outlets</b>")  # the first title, cut, heads the message
    assert len(lines) == 5  # the headline and the four whole articles that fit
    assert all(line.count("<a href=") == line.count("</a>") == 1 for line in lines[1:])
    assert "(@\u200bs)" in lines[1]

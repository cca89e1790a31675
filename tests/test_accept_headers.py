"""What each request accepts: a feed request asks for feeds, a channel's POST for JSON
(issue #15: the webhook POST carried the feeds' ``Accept: application/rss+xml``)."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import FIXTURES, ConfigDir, FeedServer, WebhookReceiver

from monitor.cli import main


def test_a_webhook_post_accepts_json_while_the_feed_request_accepts_feeds(
    feed_server: FeedServer, config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    feed = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config_dir.write(
        [feed],
        channels={
            "team": {"type": "webhook", "url": webhook.url("/hook")},
            "chat": {"type": "slack", "url": webhook.url("/slack")},
        },
        watch_channels=["team", "chat"],
        settings={"poll": {"workers": 0}},
    )

    result = CliRunner().invoke(main, ["poll", "--once", "--config", str(config_dir.path)])

    assert result.exit_code == 0, result.output
    assert "application/rss+xml" in feed_server.requests[0].headers["Accept"]
    posts = {request.path: request.headers for request in webhook.requests}
    assert set(posts) == {"/hook", "/slack"}
    assert {headers["Accept"] for headers in posts.values()} == {"application/json"}


def test_a_feed_that_sets_its_own_accept_sends_only_that(
    feed_server: FeedServer, config_dir: ConfigDir
) -> None:
    feed = feed_server.serve_file("/north.xml", FIXTURES / "north-kosovo.xml")
    config_dir.write(
        [{"url": feed, "headers": {"accept": "application/atom+xml"}}],
        settings={"poll": {"workers": 0}},
    )

    result = CliRunner().invoke(main, ["poll", "--once", "--config", str(config_dir.path)])

    assert result.exit_code == 0, result.output
    (request,) = feed_server.requests
    accepts = [value for name, value in request.headers.items() if name.lower() == "accept"]
    assert accepts == ["application/atom+xml"]

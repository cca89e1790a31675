"""``monitor channels list`` and ``channels test`` with no name, as a user runs them (issue #15)."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import ConfigDir, WebhookReceiver

from monitor.cli import main

SECRETS = {
    "TEAM_HOOK_TOKEN": "s3cr3t-team-7f1a",
    "SLACK_TOKEN": "T000/B000/slack-9c2e",
    "BOT_TOKEN": "123456:bot-4d8b",
    "SMTP_PASSWORD": "smtp-pass-51aa",
}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=SECRETS)
    return result.exit_code, result.stdout, result.stderr


def test_channels_list_names_type_masked_target_and_the_watches_using_each(
    config_dir: ConfigDir,
) -> None:
    config_dir.write(
        ["https://feeds.example/rss"],
        channels={
            "console": {"type": "console"},
            "team": {"type": "webhook", "url": "https://hooks.example.org/in/${TEAM_HOOK_TOKEN}"},
            "spare": {"type": "slack", "url": "https://hooks.slack.com/services/${SLACK_TOKEN}"},
            "bot": {"type": "telegram", "token": "${BOT_TOKEN}", "chat_id": -100200},
            "mail": {
                "type": "email",
                "host": "smtp.example.org",
                "username": "ops",
                "password": "${SMTP_PASSWORD}",
                "from": "monitor@example.org",
                "to": ["desk@example.org", "duty@example.org"],
            },
        },
        watch_channels=["console", "team"],
        settings={"system": {"channels": ["console", "mail"]}},
    )

    code, out, _ = invoke("channels", "list", "--config", str(config_dir.path))

    assert code == 0
    lines = [line.split() for line in out.splitlines()]
    assert lines[0] == ["channel", "type", "target", "used", "by"]
    assert lines[1:] == [  # in monitor.yaml's order (yaml.safe_dump sorted it)
        ["bot", "telegram", "https://api.telegram.org/", "chat", "-100200", "nothing"],
        ["console", "console", "standard", "output", "serbia-kosovo,", "monitor", "itself"],
        ["mail", "email", "smtp", "smtp.example.org:587", "(starttls)", "to",
         "desk@example.org,", "duty@example.org", "monitor", "itself"],
        ["spare", "slack", "https://hooks.slack.com/…", "nothing"],
        ["team", "webhook", "https://hooks.example.org/…", "serbia-kosovo"],
    ]  # fmt: skip
    for secret in SECRETS.values():
        assert secret not in out
    assert "bot-4d8b" not in out and "slack-9c2e" not in out


def test_channels_test_without_a_name_tests_every_channel_and_names_each_failure(
    config_dir: ConfigDir, webhook: WebhookReceiver
) -> None:
    config_dir.write(
        ["https://feeds.example/rss"],
        channels={
            "team": {"type": "webhook", "url": webhook.url("/hook")},
            "broken": {"type": "webhook", "url": "http://127.0.0.1:9/hook"},
            "chat": {"type": "mattermost", "url": webhook.url("/mattermost")},
        },
        watch_channels=["team"],
    )
    where = ("--config", str(config_dir.path))

    code, out, err = invoke("channels", "test", *where)

    assert code == 1
    assert out.splitlines() == [  # in monitor.yaml's order
        "channel chat: the test alert was accepted",
        "channel team: the test alert was accepted",
    ]
    assert err.splitlines() == [
        "Error: channel broken: webhook unreachable: ConnectError",
        "1 of 3 channels did not accept the test alert",
    ]
    assert sorted(request.path for request in webhook.requests) == ["/hook", "/mattermost"]

    code, out, err = invoke("channels", "test", "team", "chat", *where)
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 2
    assert len(webhook.requests) == 4

"""Config loading: every mistake is named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, ConfigDir

from monitor.config import load_config, parse_duration
from monitor.errors import ConfigError

GOOD_WATCH = """\
name: test-watch
terms:
  actors: [Kosovo, Serbia]
scope:
  any: ["@actors"]
signals:
  - {name: clashes, weight: 5, any: [clash*]}
  - name: armed
    weight: 8
    any: [gunfire]
alert:
  on: [article:warning]
  channels: [console]
"""


def write_watch(config_dir: ConfigDir, text: str) -> Path:
    config_dir.write(["https://feeds.example/rss"])
    path = config_dir.path / "watches" / "serbia-kosovo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(directory: Path, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(directory, environ or {})
    return [str(problem) for problem in caught.value.problems]


def test_the_shipped_config_is_valid() -> None:
    config = load_config(REPO / "config", {})
    assert config.feeds
    assert [watch.name for watch in config.watches] == ["serbia-kosovo"]
    assert config.watches[0].alert.on == ["article:warning", "index:high"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "weight: 8",
            "weight: heavy",
            "serbia-kosovo.yaml:9: signals[armed].weight: expected a number",
        ),
        (
            "weight: 8",
            "weight: 8\n    wieght: 3",
            "serbia-kosovo.yaml:10: signals[armed].wieght: unknown key 'wieght'",
        ),
        ("    any: [gunfire]\n", "", "serbia-kosovo.yaml:8: signals[armed]: a signal needs terms"),
        (
            "clash*",
            "c*",
            "serbia-kosovo.yaml:7: signals[clashes].any[0]: term 'c*': a wildcard needs",
        ),
        (
            "clash*",
            '"re:(clash"',
            "serbia-kosovo.yaml:7: signals[clashes].any[0]: term 're:(clash': bad regular expression",
        ),
        (
            "clash*",
            '"re:x*"',
            "serbia-kosovo.yaml:7: signals[clashes].any[0]: term 're:x*': the regular expression matches empty text",
        ),
        (
            "clash*",
            "cl*sh",
            "serbia-kosovo.yaml:7: signals[clashes].any[0]: term 'cl*sh': '*' is only allowed at the end",
        ),
        (
            '"@actors"',
            '"@actorz"',
            "serbia-kosovo.yaml:5: scope.any[0]: unknown term list '@actorz'",
        ),
        (
            "channels: [console]",
            "channels: [slack]",
            "serbia-kosovo.yaml:13: alert.channels[0]: unknown channel 'slack'",
        ),
        (
            "article:warning",
            "article:loud",
            "serbia-kosovo.yaml:12: alert.on: unknown trigger 'article:loud'",
        ),
        ("name: test-watch\n", "", "serbia-kosovo.yaml:1: name: required key is missing"),
        (
            '  any: ["@actors"]',
            '  any: ["@actors"\n',
            "serbia-kosovo.yaml:5: invalid YAML: the '[' opened on this line is not closed with ']'",
        ),
        ("scope:", "terms:", "serbia-kosovo.yaml:4: terms: duplicate key"),
    ],
)
def test_a_broken_watch_is_reported_with_file_line_and_field(
    config_dir: ConfigDir, old: str, new: str, expected: str
) -> None:
    assert old in GOOD_WATCH
    write_watch(config_dir, GOOD_WATCH.replace(old, new, 1))

    found = problems(config_dir.path)

    assert any(expected in problem for problem in found), found


def test_the_good_watch_loads(config_dir: ConfigDir) -> None:
    write_watch(config_dir, GOOD_WATCH)
    config = load_config(config_dir.path, {})
    assert config.watches[0].alert_level() == "warning"


def test_environment_variables_fill_in_secrets_and_are_remembered_for_redaction(
    config_dir: ConfigDir,
) -> None:
    config_dir.write(
        ["https://feeds.example/rss"],
        channels={"team": {"type": "webhook", "url": "${TEAM_HOOK}"}},
        watch_channels=["team"],
    )
    secret = "https://hooks.example/T000/B000/very-secret"

    config = load_config(config_dir.path, {"TEAM_HOOK": secret})

    assert config.settings.channels["team"].url == secret  # type: ignore[union-attr]
    assert secret in config.secrets


def test_a_missing_environment_variable_is_named_without_a_value(config_dir: ConfigDir) -> None:
    config_dir.write(
        ["https://feeds.example/rss"],
        channels={"team": {"type": "webhook", "url": "${TEAM_HOOK}"}},
        watch_channels=["team"],
    )

    found = problems(config_dir.path)

    assert len(found) == 1
    assert any(
        "monitor.yaml:4: channels.team.url: environment variable TEAM_HOOK is not set" in p
        for p in found
    ), found


def test_a_default_applies_when_the_variable_is_unset(config_dir: ConfigDir) -> None:
    config_dir.write(["https://feeds.example/rss"])
    path = config_dir.path / "monitor.yaml"
    path.write_text(
        path.read_text().replace(str(config_dir.database), "${MONITOR_DB:-here.db}"),
        encoding="utf-8",
    )
    assert load_config(config_dir.path, {}).settings.database == "here.db"
    assert load_config(config_dir.path, {"MONITOR_DB": "x.db"}).settings.database == "x.db"


def test_unknown_channel_types_and_settings_are_errors(config_dir: ConfigDir) -> None:
    config_dir.write(
        ["https://feeds.example/rss"],
        channels={"pager": {"type": "pager"}},
        settings={"pol": {"interval": "5m"}},
    )
    found = problems(config_dir.path)
    assert any("channels.pager" in p and "unknown channel type" in p for p in found), found
    assert any("pol: unknown key" in p for p in found), found


def test_local_feed_paths_become_file_urls_relative_to_the_config_dir(
    config_dir: ConfigDir,
) -> None:
    config_dir.write(["saved/feed.xml", {"url": "https://feeds.example/rss", "interval": "15m"}])
    config = load_config(config_dir.path, {})
    assert config.feeds[0].url == (config_dir.path / "saved" / "feed.xml").as_uri()
    assert config.feeds[1].interval == 900


def test_a_missing_config_directory_is_one_clear_error(tmp_path: Path) -> None:
    found = problems(tmp_path / "nope")
    assert found == [f"{tmp_path / 'nope'}: config directory not found"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(0, 0), ("0", 0), ("30s", 30), ("10m", 600), ("2h", 7200), ("7d", 604800), ("1.5h", 5400)],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "10 minutes", "-5m", True])
def test_bad_durations_are_rejected(text: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_a_broken_channel_template_is_reported_with_its_file_and_line(
    config_dir: ConfigDir,
) -> None:
    config_dir.write(
        ["https://feeds.example/rss"],
        channels={"console": {"type": "console", "template": "templates/console.j2"}},
    )
    (config_dir.path / "templates").mkdir()
    (config_dir.path / "templates" / "console.j2").write_text(
        "{{ headline }}\n{% for a in articles %}\n{{ a.title }\n", encoding="utf-8"
    )
    found = problems(config_dir.path)
    assert any("templates/console.j2:3:" in p for p in found), found


def test_a_missing_channel_template_is_named(config_dir: ConfigDir) -> None:
    config_dir.write(
        ["https://feeds.example/rss"],
        channels={"console": {"type": "console", "template": "nope.j2"}},
    )
    found = problems(config_dir.path)
    assert any("channels.console.template: cannot read" in p for p in found), found

"""`monitor check` on config mistakes a person makes: each is told in plain words,
with the file, a line inside the file and what to do, every one in one pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main

MONITOR_YAML = """\
database: data/monitor.db
http: {listen: null}
channels:
  console: {type: console}
  team-chat: {type: slack, url: "https://hooks.example/T0/B0"}
"""

FEEDS_YAML = """\
feeds:
  - url: https://news.example/rss
    name: News
  - url: https://wire.example/feed
"""

WATCH_YAML = """\
name: tension
terms:
  dispute: [Kosovo, Serbia]
places:
  Zvečan: {aliases: [Zveçan, Звечан], in: [places]}
  Jarinje: {aliases: [Јариње], in: [places]}
scope:
  any: ["@dispute", "@places"]
signals:
  - {name: armed, weight: 8, any: [gunfire]}
  - name: clashes
    weight: 5
    any: [clash*]
alert:
  on: [article:warning]
  channels: [console, team-chat]
  group_wait: 60s
"""


def write(root: Path, **edits: tuple[str, str]) -> Path:
    """The config above in ``root``, with ``file=(old, new)`` edits (``watch`` for the watch)."""
    files = {"monitor.yaml": MONITOR_YAML, "feeds.yaml": FEEDS_YAML, "watch": WATCH_YAML}
    for name, (old, new) in edits.items():
        assert old in files[name], (name, old)
        files[name] = files[name].replace(old, new, 1)
    (root / "watches").mkdir(parents=True, exist_ok=True)
    (root / "monitor.yaml").write_text(files["monitor.yaml"], encoding="utf-8")
    (root / "feeds.yaml").write_text(files["feeds.yaml"], encoding="utf-8")
    (root / "watches" / "tension.yaml").write_text(files["watch"], encoding="utf-8")
    return root


def check(root: Path) -> tuple[int, list[str]]:
    """Exit code and stderr lines of ``monitor check --config root``, paths made relative."""
    result = CliRunner().invoke(main, ["check", "--config", str(root)])
    return result.exit_code, result.stderr.replace(f"{root}/", "").splitlines()


def test_the_config_of_these_tests_is_valid(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--config", str(write(tmp_path))])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    weight: 5\n",
            "    weight: 5\n   any: [clash*]\n",
            "error: watches/tension.yaml:13: invalid YAML: bad indentation: this line does not "
            "line up with the lines above it (the block starts on line 10); indent with spaces, "
            "the same number for each key of one block",
        ),
        (
            'any: ["@dispute", "@places"]',
            "any: [@dispute, @places]",
            "error: watches/tension.yaml:8: invalid YAML: a value starts with '@': "
            'quote a value that starts with @, like "@dispute"',
        ),
        (
            "  on: [article:warning]",
            "\ton: [article:warning]",
            "error: watches/tension.yaml:15: invalid YAML: a tab character: YAML indents with "
            "spaces only, replace the tab with spaces",
        ),
        (
            "    weight: 5",
            '    weight: 5\n    any: "clash*',
            'error: watches/tension.yaml:13: invalid YAML: the " opened on this line is never closed',
        ),
        (
            "  channels: [console, team-chat]",
            "  channels: [console, team-chat",
            "error: watches/tension.yaml:16: invalid YAML: the '[' opened on this line is not "
            "closed with ']' (or a ',' is missing between two of its items)",
        ),
        (
            "    weight: 5",
            "    weight: 5\n    any clash*",
            "error: watches/tension.yaml:13: invalid YAML: this line is not 'key: value': a ':' "
            "is missing, or a value goes on over two lines without quotes",
        ),
    ],
    ids=["indentation", "unquoted @", "tab", "unclosed quote", "unclosed bracket", "no colon"],
)
def test_a_yaml_syntax_error_is_told_in_plain_words_with_its_line_and_a_hint(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    code, errors = check(write(tmp_path, watch=(old, new)))

    assert code == 2
    assert errors == [expected, f"1 problem(s) in {tmp_path}"]


@pytest.mark.parametrize(
    "cut",
    ['  - url: "https://wire.exa', "  - url: https://wire.example/feed\n    headers: {A: [b"],
    ids=["in a quote", "in a bracket"],
)
def test_a_file_cut_short_is_reported_on_one_of_its_own_lines(tmp_path: Path, cut: str) -> None:
    root = write(tmp_path)
    text = FEEDS_YAML[: FEEDS_YAML.index("  - url: https://wire")] + cut
    (root / "feeds.yaml").write_text(text, encoding="utf-8")

    code, errors = check(root)

    assert code == 2
    line = int(errors[0].split(":")[2])
    assert 1 <= line <= len(text.splitlines()), errors
    assert line == len(text.splitlines()), errors  # where the quote or bracket opened


def test_a_mistyped_key_is_one_problem_that_says_which_key_was_meant(tmp_path: Path) -> None:
    code, errors = check(write(tmp_path, watch=("    weight: 5", "    wieght: 5")))

    assert code == 2
    assert errors == [
        "error: watches/tension.yaml:12: signals[clashes].wieght: "
        "unknown key 'wieght' (did you mean 'weight'?)",
        f"1 problem(s) in {tmp_path}",
    ]


def test_an_unknown_key_like_no_other_lists_the_keys_there_are(tmp_path: Path) -> None:
    code, errors = check(write(tmp_path, **{"feeds.yaml": ("    name: News", "    colour: red")}))

    assert code == 2
    assert errors[0] == (
        "error: feeds.yaml:3: feeds[0].colour: unknown key 'colour' "
        "(expected one of: url, name, interval, enabled, headers, timeout)"
    )


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "watch",
            "  channels: [console, team-chat]",
            "  channels: [console, team-caht]",
            "watches/tension.yaml:16: alert.channels[1]: unknown channel 'team-caht' "
            "(did you mean 'team-chat'?)",
        ),
        (
            "watch",
            '"@dispute", "@places"',
            '"@dispte", "@places"',
            "watches/tension.yaml:8: scope.any[0]: unknown term list '@dispte' "
            "(did you mean '@dispute'?)",
        ),
        (
            "watch",
            "on: [article:warning]",
            "on: [article:warnig]",
            "watches/tension.yaml:15: alert.on: unknown trigger 'article:warnig' "
            "(did you mean 'article:warning'?)",
        ),
        (
            "monitor.yaml",
            "{type: slack,",
            "{type: slak,",
            "monitor.yaml:5: channels.team-chat: unknown channel type 'slak' "
            "(did you mean 'slack'?)",
        ),
        (
            "monitor.yaml",
            "{type: console}",
            "{type: console, min_level: warnig}",
            "monitor.yaml:4: channels.console.min_level: expected 'notice', 'warning' or "
            "'critical' (did you mean 'warning'?)",
        ),
        (
            "monitor.yaml",
            "http: {listen: null}",
            "http: {listen: null}\nsystem: {channels: [consle]}",
            "monitor.yaml:3: system.channels[0]: unknown channel 'consle' "
            "(did you mean 'console'?)",
        ),
    ],
    ids=["channel", "term list", "trigger", "channel type", "level", "system channel"],
)
def test_an_unknown_name_says_which_name_was_meant(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    code, errors = check(write(tmp_path, **{file: (old, new)}))

    assert code == 2
    assert errors == [f"error: {expected}", f"1 problem(s) in {tmp_path}"]


def test_a_problem_in_a_signal_names_the_signal(tmp_path: Path) -> None:
    code, errors = check(write(tmp_path, watch=("    weight: 5", "    weight: five")))

    assert code == 2
    assert errors[0] == "error: watches/tension.yaml:12: signals[clashes].weight: expected a number"


def test_every_problem_of_every_file_is_listed_in_one_pass(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        **{
            "monitor.yaml": ("http: {listen: null}", "http: {listen: null}\npol: {tick: 5s}"),
            "feeds.yaml": (
                "  - url: https://wire.example/feed",
                "  - url: https://NEWS.example/rss",
            ),
        },
        watch=(
            "    weight: 5\n    any: [clash*]\nalert:\n  on: [article:warning]\n"
            "  channels: [console, team-chat]",
            '    weight: five\n    any: [clash*, "@sidez"]\nalert:\n  on: [article:warning]\n'
            "  channels: [console, pager]",
        ),
    )

    code, errors = check(root)

    assert code == 2
    assert errors == [
        "error: monitor.yaml:3: pol: unknown key 'pol' (did you mean 'poll'?)",
        "error: feeds.yaml:4: feeds[1].url: the feed on line 2 has this URL too: "
        "list each feed once",
        "error: watches/tension.yaml:12: signals[clashes].weight: expected a number",
        "error: watches/tension.yaml:13: signals[clashes].any[1]: unknown term list '@sidez' "
        "(defined: @dispute, @places)",
        "error: watches/tension.yaml:16: alert.channels[1]: unknown channel 'pager' "
        "(monitor.yaml defines: console, team-chat)",
        f"5 problem(s) in {tmp_path}",
    ]


def test_two_signals_with_one_name_are_refused(tmp_path: Path) -> None:
    code, errors = check(write(tmp_path, watch=("  - name: clashes", "  - name: armed")))

    assert code == 2
    assert errors == [
        "error: watches/tension.yaml:11: signals[1].name: the signal on line 10 is named "
        "'armed' too: give each signal its own name",
        f"1 problem(s) in {tmp_path}",
    ]


def test_a_follow_up_that_names_no_signal_is_refused_with_the_likely_one(tmp_path: Path) -> None:
    story = "  group_wait: 60s\nstory:\n  follow_ups: [clashes, clash, funerals]\n"
    code, errors = check(write(tmp_path, watch=("  group_wait: 60s\n", story)))

    assert code == 2
    assert errors == [
        "error: watches/tension.yaml:19: story.follow_ups[1]: unknown signal 'clash' "
        "(did you mean 'clashes'?)",
        "error: watches/tension.yaml:19: story.follow_ups[2]: unknown signal 'funerals' "
        "(it must name one of the watch's signals)",
        f"2 problem(s) in {tmp_path}",
    ]


def test_two_feeds_with_one_url_are_refused(tmp_path: Path) -> None:
    code, errors = check(
        write(tmp_path, **{"feeds.yaml": ("https://wire.example/feed", "https://News.Example/rss")})
    )

    assert code == 2
    assert errors == [
        "error: feeds.yaml:4: feeds[1].url: the feed on line 2 has this URL too: "
        "list each feed once",
        f"1 problem(s) in {tmp_path}",
    ]


def test_two_places_that_share_a_spelling_are_refused(tmp_path: Path) -> None:
    # "Zvecan" folds to the same words as "Zvečan": the first entry would take every match.
    code, errors = check(write(tmp_path, watch=("[Јариње]", "[Јариње, ZVECAN]")))

    assert code == 2
    assert errors == [
        "error: watches/tension.yaml:6: places.Jarinje.aliases[1]: 'ZVECAN' is also a "
        "spelling of place 'Zvečan' (accents, script and word endings aside): give each "
        "spelling to one entry",
        f"1 problem(s) in {tmp_path}",
    ]


@pytest.mark.parametrize("written", ["60", "2.5"])
def test_a_duration_without_a_unit_is_refused(tmp_path: Path, written: str) -> None:
    code, errors = check(write(tmp_path, watch=("group_wait: 60s", f"group_wait: {written}")))

    assert code == 2
    assert errors == [
        f"error: watches/tension.yaml:17: alert.group_wait: {written} has no unit: "
        "add a unit: 60s, 10m, 2h, 1d",
        f"1 problem(s) in {tmp_path}",
    ]


def test_a_silence_without_a_unit_is_refused(tmp_path: Path) -> None:
    root = write(tmp_path, **{"monitor.yaml": ("data/monitor.db", str(tmp_path / "m.db"))})
    args = ["silence", "tension", "--for", "6", "--reason", "drill", "--config", str(root)]

    result = CliRunner().invoke(main, args)

    assert result.exit_code == 2
    assert "Invalid value for --for: 6 has no unit: add a unit: 60s, 10m, 2h, 1d" in (result.stderr)


def test_a_term_behind_a_broken_list_item_is_reported_at_its_own_place(tmp_path: Path) -> None:
    # The first signal is no mapping and the third has no name: the third's terms are still
    # compiled, and reported where they are in the file, not where they moved to.
    root = write(
        tmp_path,
        watch=(
            "  - {name: armed, weight: 8, any: [gunfire]}",
            '  - gunfire\n  - {name: armed, weight: 8, any: [gunfire]}\n  - {weight: 2, any: ["@sidez"]}',
        ),
    )

    code, errors = check(root)

    assert code == 2
    assert errors == [
        "error: watches/tension.yaml:10: signals[0]: expected a mapping",
        "error: watches/tension.yaml:12: signals[2].name: required key is missing",
        "error: watches/tension.yaml:12: signals[2].any[0]: unknown term list '@sidez' "
        "(defined: @dispute, @places)",
        f"3 problem(s) in {tmp_path}",
    ]


def test_odd_values_where_names_are_looked_up_are_problems_not_crashes(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        **{
            "monitor.yaml": ("{type: slack,", "{type: [slack], colour: red,"),
            "feeds.yaml": ("https://wire.example/feed", "https://[wire.example/feed"),
        },
    )

    result = CliRunner().invoke(main, ["check", "--config", str(root)])

    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.stderr.replace(f"{root}/", "").splitlines() == [
        "error: monitor.yaml:5: channels.team-chat: unknown channel type \"['slack']\" "
        "(did you mean 'slack'?)",
        f"1 problem(s) in {root}",
    ]


@pytest.mark.parametrize(
    ("negation", "expected"),
    [
        (
            "negation: {not_in: {pt-BR: [no]}}",
            "error: watches/tension.yaml:14: negation.not_in: 'pt-BR' is not a language code "
            "as articles carry them: a lowercase ISO 639 code, sh for Serbo-Croatian "
            "(write 'pt')",
        ),
        (
            "negation: {terms: [no, not], not_in: {pt: [nao]}}",
            "error: watches/tension.yaml:14: negation: not_in.pt: 'nao' is not in negation.terms",
        ),
    ],
    ids=["language", "term"],
)
def test_a_negator_that_is_another_word_in_a_language_is_checked(
    tmp_path: Path, negation: str, expected: str
) -> None:
    code, errors = check(write(tmp_path, watch=("alert:\n", f"{negation}\nalert:\n")))

    assert code == 2
    assert errors[0] == expected

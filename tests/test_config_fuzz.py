"""Fuzzed YAML edits of the config files: ``monitor check`` never crashes, and every
problem it reports names a file and a line.

The default run edits a compact config (the shipped monitor.yaml and feeds.yaml
and a small watch, so one check takes milliseconds); ``pytest -m fuzz`` edits
the shipped config itself, many more times.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, ConfigDir, FeedServer, rss
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_daemon import free_port, running, wait_for

from monitor.cli import main

SMALL_WATCH = """\
name: fuzz-watch
terms:
  actors: [Kosovo, Serbia, Vučić, KFOR]
  places: [Mitrovic*, Jarinj*]
languages:
  sr: {actors: [Srbija, Косово]}
scope:
  any: ["@actors", "@places"]
exclude:
  - {any: [football, "match report"], in: title}
signals:
  - {name: armed, weight: 9, any: [gunfire, "hand grenade*", "re:\\\\bshots? fired\\\\b"]}
  - name: military
    weight: 8
    any: ["combat readiness", mobiliz*]
    near: {terms: ["@actors"], within: 12}
    max_hits: 2
  - {name: calm, weight: -3, any: [agreement], not: [collapse]}
negation: {terms: [no, denied], within: 3}
title_boost: 1.5
levels: {notice: 4, warning: 8, critical: 14}
index: {half_life: 12h, levels: {elevated: 15, high: 30, severe: 50}, clear_below: 0.8}
spike: {window: 1h, factor: 3, min_count: 5, baseline: 7d}
alert:
  on: [article:warning, index:high]
  channels: [console]
  group_wait: 60s
  group_window: 6h
  cooldown: 2h
  similarity: 0.6
"""

# Values that have broken YAML loaders and validators elsewhere.
ODD_VALUES = [
    "-1", "0", "1e309", "-1e309", ".nan", ".inf", "99999999999999999999999999999999",
    "0x7fffffffffffffff", "''", '""', "[]", "{}", "null", "~", "true", "no", "on",
    "!!python/object/apply:os.system ['true']", "!!binary AAAA", "!!set {a}", "!!timestamp x",
    "!!int x", "!!float x", "!!bool x", "!!null x", "!!map [1]", "!!seq {a: 1}", "!!str [1]",
    "!!timestamp 2026-13-45", "!!omap [1]", "!!pairs {a: 1}", "!!binary é", "!!merge x",
    "&anchor [*anchor]", "*undefined", "? complex\n  : key", "'\u202etxt.exe'", '"\\0\\x1b[2J"',
    "${MISSING_VARIABLE}", "${HOME:-}", "${", "10 m", "-5m", "1e9d", "P1D", "'@everyone'",
    "|\n  block", ">-\n  folded", "- a\n- b", "{a: 1, a: 2}", "[1, [2, [3, {]]]", "\t",
    "%YAML 1.2", "---\n---", "...", "'''", "!", "!<tag:yaml.org,2002:str> x", "<<: *x",
]  # fmt: skip
ODD_KEYS = ["", "Type", "type ", "ürl", "\u200bname", "<<", "1", "null", "true", "? x", "'a b'"]
# Problems that concern a whole file (or the directory) and so have no line.
FILE_LEVEL = re.compile(r"(file not found|cannot read file: .*|no watch files \(\*\.yaml\) found)")
YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
PROBLEM = re.compile(r"^error: (?P<path>.+?):(?P<line>\d+): (?P<rest>\S.*)$")


@st.composite
def edit(draw: st.DrawFn, text: str) -> str:
    """``text`` with one hostile edit: a value, key, indentation or line changed, the
    file cut short, odd characters inserted, or a deep nesting written in."""
    lines = text.split("\n")
    at = draw(st.integers(0, len(lines) - 1))
    line = lines[at]
    kind = draw(
        st.sampled_from(
            ["value", "key", "indent", "tab", "truncate", "duplicate", "delete", "insert",
             "swap", "nest", "huge"]
        )
    )  # fmt: skip
    if kind == "value" and ":" in line:
        head = line.split(":", 1)[0]
        lines[at] = f"{head}: {draw(st.sampled_from(ODD_VALUES) | st.text(max_size=20))}"
    elif kind == "key" and ":" in line:
        indent = line[: len(line) - len(line.lstrip(" -"))]
        key = draw(st.sampled_from(ODD_KEYS) | st.text(min_size=1, max_size=12))
        lines[at] = f"{indent}{key}:{line.split(':', 1)[1]}"
    elif kind == "indent":
        shift = draw(st.integers(-4, 6))
        lines[at] = " " * max(0, shift) + line[max(0, -shift) :] if shift > 0 else line[-shift:]
    elif kind == "tab":
        lines[at] = "\t" + line
    elif kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    elif kind == "duplicate":
        lines.insert(at, line)
    elif kind == "delete":
        del lines[at]
    elif kind == "insert":
        column = draw(st.integers(0, len(line)))
        odd = draw(
            st.text(max_size=8) | st.sampled_from(["\x00", "\ufeff", "\u202e", "\r", "\x85"])
        )
        lines[at] = line[:column] + odd + line[column:]
    elif kind == "swap":
        other = draw(st.integers(0, len(lines) - 1))
        lines[at], lines[other] = lines[other], line
    elif kind == "nest" and ":" in line:
        depth = draw(st.integers(50, 1500))  # PyYAML's composer gave up near 500
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
        lines[at] = f"{line.split(':', 1)[0]}: {opener * depth}1{closer * depth}"
    elif kind == "huge" and ":" in line:
        lines[at] = f"{line.split(':', 1)[0]}: {'9' * draw(st.integers(20, 5000))}"
    return "\n".join(lines)


def write_config(root: Path, files: dict[str, str]) -> None:
    (root / "watches").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8", errors="surrogatepass")


def assert_checks_cleanly(root: Path, files: dict[str, str]) -> None:
    """``monitor check`` on ``root`` exits 0 or 2 with no traceback, and each
    problem line names one of the config's files and a line inside it."""
    result = CliRunner().invoke(main, ["check", "--config", str(root)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        return
    *problems, summary = result.stderr.splitlines()
    assert re.fullmatch(rf"\d+ problem\(s\) in {re.escape(str(root))}", summary)
    assert problems
    for problem in problems:
        match = PROBLEM.match(problem)
        if match is None:
            path = next((str(root / n) for n in [*files, "watches"] if problem.startswith(
                f"error: {root / n}: ")), None)  # fmt: skip
            assert path is not None, f"names no known file: {problem!r}"
            assert FILE_LEVEL.fullmatch(problem.removeprefix(f"error: {path}: ")), (
                f"a problem without a line that is not about the whole file: {problem!r}"
            )
            continue
        name = Path(match["path"]).relative_to(root).as_posix()
        assert name in files, f"names a file outside the config: {problem!r}"
        # YAML breaks lines at a lone CR, NEL and the Unicode separators too; the
        # line reported is one of the file's, never the empty one after its end.
        line_count = len(YAML_LINE_BREAK.split(files[name].rstrip("\r\n\x85\u2028\u2029")))
        assert 1 <= int(match["line"]) <= max(1, line_count), problem


def shipped(name: str) -> str:
    return (REPO / "config" / name).read_text(encoding="utf-8")


SMALL = {
    "monitor.yaml": shipped("monitor.yaml"),
    "feeds.yaml": shipped("feeds.yaml"),
    "watches/fuzz-watch.yaml": SMALL_WATCH,
}
FULL = {
    "monitor.yaml": shipped("monitor.yaml"),
    "feeds.yaml": shipped("feeds.yaml"),
    "watches/serbia-kosovo.yaml": shipped("watches/serbia-kosovo.yaml"),
}


def edited(files: dict[str, str]) -> st.SearchStrategy[dict[str, str]]:
    """``files`` with one to three hostile edits, each to one file."""

    @st.composite
    def strategy(draw: st.DrawFn) -> dict[str, str]:
        result = dict(files)
        for _ in range(draw(st.integers(1, 3))):
            name = draw(st.sampled_from(sorted(result)))
            result[name] = draw(edit(result[name]))
        return result

    return strategy()


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def test_the_unedited_configs_are_valid(tmp_path: Path) -> None:
    for index, files in enumerate((SMALL, FULL)):
        write_config(tmp_path / str(index), files)
        result = CliRunner().invoke(main, ["check", "--config", str(tmp_path / str(index))])
        assert result.exit_code == 0, result.output


@fuzz_settings(200)
@given(edited(SMALL))
def test_fuzzed_edits_never_crash_check_and_every_problem_names_file_and_line(
    files: dict[str, str],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "config"
        write_config(root, files)
        assert_checks_cleanly(root, files)


@pytest.mark.fuzz
@fuzz_settings(2000)
@given(edited(FULL))
def test_fuzzed_edits_of_the_shipped_config(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "config"
        write_config(root, files)
        assert_checks_cleanly(root, files)


def broken_edits(good: str) -> list[tuple[str, str]]:
    """Edits of monitor.yaml from each family the fuzzer found crashes in, and more;
    each as (what it is, the broken text)."""
    return [
        ("nested 1,500 deep", good + "extra: " + "[" * 1500 + "]" * 1500 + "\n"),
        ("a 5,000-digit number", good.replace("tick: 0.5s", "tick: " + "9" * 5000)),
        ("a control character", good.replace("tick: 0.5s", "tick: 0.5s\x08")),
        ("a tab for indentation", good.replace("  tick: 0.5s", "\ttick: 0.5s")),
        ("a duplicate key", good + "poll: {}\n"),
        ("a file cut short", good[: good.index("tick:") + 3]),
        ("a value PyYAML cannot build", good.replace("tick: 0.5s", "tick: !!timestamp x")),
        ("a duration of 10**300 seconds", good.replace("tick: 0.5s", "tick: 1" + "0" * 300)),
    ]


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if " ERROR " in line]


def test_a_running_daemon_survives_broken_edits_and_logs_each_once(
    config_dir: ConfigDir, feed_server: FeedServer, tmp_path: Path
) -> None:
    feed = feed_server.serve("/feed.xml", rss([{"title": "Talks", "guid": "1"}]))
    port = free_port()
    settings = {"http": {"listen": f"127.0.0.1:{port}"}, "poll": {"tick": "0.5s", "jitter": 0}}
    config_dir.write([{"url": feed, "interval": "1s"}], settings=settings)
    monitor_yaml = config_dir.path / "monitor.yaml"
    good = monitor_yaml.read_text("utf-8")
    assert "tick: 0.5s" in good

    with running(config_dir.path, port, tmp_path / "daemon.log") as daemon:
        wait_for(lambda: "cycle: polled 1 feeds" in daemon.text())
        for number, (what, text) in enumerate(broken_edits(good), start=1):
            monitor_yaml.write_text(text, encoding="utf-8")
            wait_for(lambda number=number: len(error_lines(daemon.text())) >= number)
            errors = error_lines(daemon.text())
            assert len(errors) == number, (what, errors)
            assert re.search(rf"reload failed, keeping the running config: {monitor_yaml}:\d+: ",
                             errors[-1]), (what, errors[-1])  # fmt: skip
            assert daemon.process.poll() is None, what
            assert daemon.get("/healthz").status_code == 200, what
        monitor_yaml.write_text(good, encoding="utf-8")
        wait_for(lambda: "config: reloaded" in daemon.text())
        polls = daemon.text().count("cycle: polled")
        wait_for(lambda: daemon.text().count("cycle: polled") > polls)  # still polling
        assert "Traceback" not in daemon.text()
        assert daemon.stop() == 0

"""Feeds read from disk: a gzipped file is inflated like a gzipped HTTP body (issue #15)."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES, ConfigDir

from monitor.cli import main


def poll(config_dir: ConfigDir) -> str:
    """``monitor poll --once``'s summary line (the console channel prints alerts above it)."""
    result = CliRunner().invoke(main, ["poll", "--once", "--config", str(config_dir.path)])
    assert result.exit_code == 0, result.output
    return next(line for line in result.stdout.splitlines() if line.startswith("polled "))


def feed_rows(database: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT last_status, last_error FROM feeds ORDER BY url").fetchall()


def test_a_gzipped_file_feed_is_read_by_its_name_or_by_its_magic_bytes(
    tmp_path: Path, config_dir: ConfigDir
) -> None:
    packed = gzip.compress((FIXTURES / "north-kosovo.xml").read_bytes())
    named = tmp_path / "north.xml.gz"
    named.write_bytes(packed)
    unnamed = tmp_path / "wire.xml"  # gzipped all the same, as some saved feeds are
    unnamed.write_bytes(gzip.compress((FIXTURES / "balkan-wire.atom").read_bytes()))
    config_dir.write([named.as_uri(), str(unnamed)], settings={"poll": {"workers": 0}})

    summary = poll(config_dir)

    assert summary.startswith("polled 2 feeds: 2 updated, 0 not modified, 0 failed; 5 new articles")
    assert feed_rows(config_dir.database) == [("ok", None), ("ok", None)]


def test_a_gzipped_file_is_capped_once_inflated_and_a_false_gz_is_one_clear_error(
    tmp_path: Path, config_dir: ConfigDir
) -> None:
    bomb = tmp_path / "a-bomb.xml.gz"
    bomb.write_bytes(gzip.compress(b" " * 5_000_000))  # about 5 KB on disk
    fake = tmp_path / "b-fake.xml.gz"
    fake.write_bytes((FIXTURES / "north-kosovo.xml").read_bytes())
    config_dir.write(
        [bomb.as_uri(), fake.as_uri()], settings={"poll": {"max_bytes": 100_000, "workers": 0}}
    )

    summary = poll(config_dir)

    assert summary.startswith("polled 2 feeds: 0 updated, 0 not modified, 2 failed")
    assert feed_rows(config_dir.database) == [
        ("error", "file larger than 100000 bytes once inflated"),
        (
            "error",
            "not a readable gzip file: Error -3 while decompressing data: incorrect header check",
        ),
    ]

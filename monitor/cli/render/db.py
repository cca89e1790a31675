"""The text of ``monitor db stats`` for people: sizes, rows per table, what the
next prune would remove and when VACUUM runs. Pure."""

from __future__ import annotations

from typing import Any

from monitor.humanize import describe_size, minute


def db_stats_text(figures: dict[str, Any]) -> str:
    """``monitor db stats`` for a person: sizes, rows per table, the next prune and VACUUM."""
    lines = [
        f"database {figures['path']}: {describe_size(figures['size_bytes'])} "
        f"(write-ahead log {describe_size(figures['wal_bytes'])}; "
        f"free pages {describe_size(figures['free_bytes'])}, reclaimed by vacuum)",
        "rows:",
    ]
    for table, count in figures["rows"].items():
        note = ""
        if table == "articles" and figures["oldest_article"]:
            note = (
                f"  oldest {minute(figures['oldest_article'])}, "
                f"newest {minute(figures['newest_article'])}"
            )
        elif table == "deliveries" and figures["deliveries"]:
            note = "  " + ", ".join(f"{n} {status}" for status, n in figures["deliveries"].items())
        lines.append(f"  {table:<16} {count:>9}{note}")
    prune = figures["next_prune"]
    if prune is None:
        lines.append("next prune: none (retention.articles: null keeps articles forever)")
    else:
        lines += [
            f"next prune (older than {figures['retention']}: before {minute(prune['before'])}):",
            f"  {'articles':<16} {prune['articles']:>9}  "
            f"(and {prune['kept']} as old that alerts point to, kept)",
            f"  {'index points':<16} {prune['index_points']:>9}",
            f"  {'notifications':<16} {prune['deliveries']:>9}  (finished, of resolved alerts)",
            f"  {'pruned keys':<16} {prune['forgotten_keys']:>9}  (no feed carried them since)",
        ]
    last = minute(figures["last_vacuum"]) if figures["last_vacuum"] else "never"
    due = minute(figures["next_vacuum"]) if figures["next_vacuum"] else "never (null)"
    lines.append(f"vacuum: last {last}, next {due}")
    return "\n".join(lines)

"""Writing stored articles and their scores as CSV or JSON Lines, for analysis elsewhere.

Both writers stream: they take the store's rows one by one (``Store.export_rows``,
one row per article and watch, ordered by article) and write as they go.

CSV: one row per article and watch, columns in ``CSV_COLUMNS`` order; a text
cell that a spreadsheet would run as a formula (one starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is written with a ``'`` in front
(OWASP's guard against CSV injection); numbers are written as they are.
JSON Lines: one object per article, with a ``scores`` list (and each score's
hits) for every watch.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from itertools import groupby
from typing import Any, TextIO

CSV_COLUMNS = (
    "article_id",
    "published_at",
    "fetched_at",
    "feed",
    "feed_url",
    "url",
    "title",
    "summary",
    "watch",
    "score",
    "level",
    "in_scope",
    "rules_version",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` safe for a spreadsheet: a text that starts like a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write the header and one line per row to ``out``; return the number of lines."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in rows:
        values = {**row, "article_id": row["id"]}
        writer.writerow([csv_cell(values[column]) for column in CSV_COLUMNS])
        count += 1
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write one JSON object per article to ``out``; return the number of articles."""
    count = 0
    for article_id, group in groupby(rows, key=lambda row: row["id"]):
        first, *others = group
        document = {
            "id": article_id,
            **{key: first[key] for key in CSV_COLUMNS[1:8]},
            "scores": [
                {
                    "watch": row["watch"],
                    "score": row["score"],
                    "level": row["level"],
                    "in_scope": bool(row["in_scope"]),
                    "rules_version": row["rules_version"],
                    "hits": json.loads(row["hits"]),
                }
                for row in (first, *others)
                if row["watch"] is not None
            ],
        }
        out.write(json.dumps(document, ensure_ascii=False) + "\n")
        count += 1
    return count

"""The text of ``monitor stories merge`` and ``split``, and of the corrections
``alerts show`` lists. Pure."""

from __future__ import annotations

from typing import Any

from monitor.alerts.corrections import Correction
from monitor.humanize import minute


def merged_text(correction: Correction) -> str:
    """What a merge did, in one line."""
    return (
        f"story #{correction.other_alert_id} merged into #{correction.alert_id}: "
        f"{_articles(correction.article_ids)} moved, level {correction.level}; "
        "no notification queued"
    )


def split_text(correction: Correction) -> str:
    """What a split did, in one line."""
    return (
        f"{_articles(correction.article_ids)} split out of story #{correction.alert_id} "
        f"into new story #{correction.other_alert_id}, level {correction.level}; "
        "no notification queued"
    )


def correction_line(row: dict[str, Any]) -> str:
    """One correction by hand (a ``story_corrections`` row): when, what moved where, why."""
    if row["kind"] == "merge":
        what = (
            f"merge: article {row['article_id']} moved from #{row['other_alert_id']} "
            f"into #{row['alert_id']}"
        )
    else:
        what = (
            f"split: article {row['article_id']} moved out of #{row['alert_id']} "
            f"into #{row['other_alert_id']}"
        )
    note = f" ({row['note']})" if row["note"] else ""
    return f"{minute(row['at'])}  {what} by hand{note}"


def _articles(article_ids: tuple[int, ...]) -> str:
    """``article 4`` or ``articles 4, 7``."""
    ids = ", ".join(str(article_id) for article_id in article_ids)
    return f"article {ids}" if len(article_ids) == 1 else f"articles {ids}"

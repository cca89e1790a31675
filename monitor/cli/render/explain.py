"""The text of ``monitor explain``: one article, each watch's decision, each channel."""

from __future__ import annotations

from typing import Any

from monitor.channels.markup import console
from monitor.humanize import minute
from monitor.rules.score import held_by

MAX_HITS_SHOWN = 8


def explain_text(document: dict[str, Any]) -> str:
    """The explanation as lines a person reads top to bottom."""
    article = document["article"]
    lines = [f"article {article['id']}: {console(article['title'] or 'untitled')}"]
    where = [console(article["source"] or "")]
    if article["url"]:
        where.append(console(article["url"]))
    lines.append(f"  {', '.join(p for p in where if p)}; fetched {minute(article['fetched_at'])}")
    for watch in document["watches"]:
        lines.append("")
        level = watch["level"] or ("out of scope" if not watch["in_scope"] else "no level")
        lines.append(f"{watch['watch']}: score {watch['score']:g}, {level}")
        if watch["capped_by"]:
            capped_by = watch["capped_by"]
            lines.append(f"  {held_by(level, capped_by)}")
        hits = watch["hits"]
        if hits:
            shown = ", ".join(
                f"{hit['signal']} {console(hit['text'])!r} "
                + ("negated" if hit["negated"] else f"{hit['points']:+g}")
                for hit in hits[:MAX_HITS_SHOWN]
            )
            more = f" and {len(hits) - MAX_HITS_SHOWN} more" if len(hits) > MAX_HITS_SHOWN else ""
            lines.append(f"  hits: {shown}{more}")
        lines.append(f"  decision: {console(watch['decision'])}")
        alert = watch["alert"]
        if alert is not None:
            lines.append(
                f"  alert #{alert['id']}: {alert['kind']} {alert['level']} ({alert['state']}), "
                f"opened {minute(alert['opened_at'])}"
            )
        if watch["channels"]:
            lines.append("  channels:")
            width = max(len(channel["channel"]) for channel in watch["channels"])
            for channel in watch["channels"]:
                state = "notified" if channel["notified"] else "not notified"
                lines.append(
                    f"    {channel['channel']:<{width}}  {state}: {console(channel['reason'])}"
                )
    return "\n".join(lines)

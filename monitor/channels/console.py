"""The console channel: a readable block on the daemon's standard output."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from monitor.channels import template
from monitor.channels.message import one_line


def _safe(value: Any) -> str:
    """Feed text on one line, every control or format character (a terminal escape,
    a bidi override) blanked out."""
    return one_line(value)


def render(payload: Mapping[str, Any]) -> str:
    """Return the console text of an alert."""
    level, watch, kind = (_safe(payload[key]) for key in ("level", "watch", "kind"))
    tag = "RESOLVED" if payload.get("state") == "resolved" else level.upper()
    measure = {"index": "tension index", "spike": "in-scope articles in one window"}.get(
        kind, "score"
    )
    was = f", was {level}" if tag == "RESOLVED" else ""
    when = _safe(payload["created_at"])
    if watch == "system":
        lines = [f"[{tag}] monitor itself: {kind} ({when})"]
    else:
        lines = [f"[{tag}] {watch}: {measure} {payload['score']:g} ({kind} alert{was}, {when})"]
    if payload.get("message"):
        lines.append(f"  {_safe(payload['message'])}")
    for article in payload["articles"]:
        lines.append(f"  {_safe(article['title'])}")
        source = f" ({_safe(article['source'])})" if article.get("source") else ""
        lines.append(f"  {_safe(article.get('url') or 'no link')}{source}")
        signals: dict[str, float] = {}
        for hit in article.get("hits", []):
            signals[hit["signal"]] = signals.get(hit["signal"], 0.0) + hit["points"]
        if signals:
            why = ", ".join(f"{_safe(name)} {points:+g}" for name, points in signals.items())
            lines.append(f"  why: {why}")
    return "\n".join(lines)


class ConsoleChannel:
    """Prints each alert to a text stream."""

    def __init__(self, stream: TextIO, template_path: str | None = None) -> None:
        self.stream = stream
        self.template = template.load(template_path)

    async def send(self, payload: Mapping[str, Any], idempotency_key: str) -> None:
        """Print the alert; a console always accepts it."""
        text = render(payload)
        if self.template is not None:
            text = template.render(self.template, payload, _safe).rstrip("\n")
        self.stream.write(text + "\n\n")
        self.stream.flush()

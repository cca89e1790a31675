"""The console channel: a readable block on the daemon's standard output."""

from __future__ import annotations

from typing import TextIO

from monitor.channels import markup
from monitor.channels.base import TemplatedChannel
from monitor.models import Alert


def render(alert: Alert) -> str:
    """Return the console text of an alert."""
    level, watch, kind = (markup.console(v) for v in (alert.level, alert.watch, alert.kind))
    tag = "RESOLVED" if alert.resolved else level.upper()
    measure = {"index": "tension index", "spike": "in-scope articles in one window"}.get(
        kind, "score"
    )
    was = f", was {level}" if tag == "RESOLVED" else ""
    when = markup.console(alert.created_at.isoformat(timespec="seconds"))
    if watch == "system":
        lines = [f"[{tag}] monitor itself: {kind} ({when})"]
    else:
        lines = [f"[{tag}] {watch}: {measure} {alert.score:g} ({kind} alert{was}, {when})"]
    if alert.message:
        lines.append(f"  {markup.console(alert.message)}")
    for article in alert.articles:
        lines.append(f"  {markup.console(article.title)}")
        source = f" ({markup.console(article.source)})" if article.source else ""
        lines.append(f"  {markup.console(article.url or 'no link')}{source}")
        signals: dict[str, float] = {}
        for hit in article.hits:
            signals[hit.signal] = signals.get(hit.signal, 0.0) + hit.points
        if signals:
            why = ", ".join(
                f"{markup.console(name)} {points:+g}" for name, points in signals.items()
            )
            lines.append(f"  why: {why}")
    return "\n".join(lines)


class ConsoleChannel(TemplatedChannel):
    """Prints each alert to a text stream."""

    escape = staticmethod(markup.console)

    def __init__(self, stream: TextIO, template_path: str | None = None) -> None:
        super().__init__(template_path)
        self.stream = stream

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Print the alert; a console always accepts it."""
        text = self.templated(alert)
        text = render(alert) if text is None else text.rstrip("\n")
        self.stream.write(text + "\n\n")
        self.stream.flush()

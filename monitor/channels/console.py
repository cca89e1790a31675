"""The console channel: a readable block on the daemon's standard output."""

from __future__ import annotations

from typing import TextIO

from monitor.channels import markup
from monitor.channels.base import TemplatedChannel
from monitor.channels.message import Message, message_of
from monitor.models import Alert


def render(alert: Alert) -> str:
    """Return the console text of an alert: the headline with its kind and time, then
    the message's lines (where, why, the excerpt, each article with its link and the
    signals that scored it, the alert's number)."""
    message = message_of(alert)
    level, kind = markup.console(alert.level), markup.console(alert.kind)
    was = f", was {level}" if message.resolved else ""
    when = markup.console(alert.created_at.isoformat(timespec="seconds"))
    lines = [f"{markup.console(message.headline)} ({kind} alert{was}, {when})"]
    if alert.message:
        lines.append(f"  {markup.console(alert.message)}")
    lines += [f"  {line}" for line in _body(message)]
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
    for outlet in message.outlets:
        lines.append(f"  also: {markup.console(outlet.title)} {markup.console(outlet.url)}")
    footer = message.footer()
    if footer:
        link = f": {markup.console(message.link)}" if message.link else ""
        lines.append(f"  {markup.console(footer)}{link}")
    return "\n".join(lines)


def _body(message: Message) -> list[str]:
    """Where, why and the excerpt, for the console."""
    lines = []
    if message.places:
        lines.append("where: " + markup.console(", ".join(message.places)))
    if message.reasons:
        lines.append("reasons: " + markup.console("; ".join(message.reasons)))
    if message.excerpt:
        lines.append(markup.console(f"“{message.excerpt}”"))
    return lines


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

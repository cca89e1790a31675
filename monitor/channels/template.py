"""Operator templates (Jinja2) for the text of a notification.

A channel with ``template: FILE`` renders its main text from that file. Every
value a template prints passes through the channel's own escaping (Jinja2's
``finalize``), so feed text stays inert whatever the template does, and
article links are already reduced to http(s) ones. The sandbox keeps a
template from reaching Python internals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from monitor.channels.message import message_of
from monitor.models import Alert


def render(source: str, alert: Alert, escape: Callable[[str], str]) -> str:
    """The text of ``source`` for an alert, every printed value escaped with ``escape``."""
    environment = SandboxedEnvironment(
        undefined=StrictUndefined,
        finalize=lambda value: escape("" if value is None else str(value)),
        autoescape=False,
        keep_trailing_newline=True,
    )
    message = message_of(alert)
    # The ``monitor.alert/1`` document's keys, as templates have always seen them.
    context = {
        **alert.to_json(),
        "headline": message.headline,
        "articles": [asdict(item) for item in message.items],
        "note": message.note,
        "resolved": message.resolved,
        "places": list(message.places),
        "reasons": list(message.reasons),
        "outlets": [asdict(item) for item in message.outlets],
        "dashboard_link": message.link,
    }
    return environment.from_string(source).render(context)


def load(path: str | None) -> str | None:
    """The source of a channel's template (its path was checked at config load)."""
    if path is None:
        return None
    with open(path, encoding="utf-8") as file:
        return file.read()

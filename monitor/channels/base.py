"""The shape every chat channel shares, so that a service module says only what is its own.

A chat channel reads its operator template (``template: FILE``) once, renders
an alert with it (every printed value escaped for the service's markup) or,
without one, as the service's default text, fits that text to the service's
limit and posts the body with ``monitor.channels.http.post``. A service module
gives its markup's escape, its limit, its body and where to post it.

``TemplatedChannel`` is the template half alone, for the channels that do not
post to a chat service (email, the console).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import httpx

from monitor.channels import template
from monitor.channels.http import post
from monitor.channels.markup import trim
from monitor.models import Alert


class TemplatedChannel(ABC):
    """A channel whose main text an operator template may write."""

    def __init__(self, template_path: str | None) -> None:
        self.template = template.load(template_path)

    @staticmethod
    @abstractmethod
    def escape(text: str) -> str:
        """Feed text made inert in the channel's markup (one of ``monitor.channels.markup``)."""

    def templated(self, alert: Alert) -> str | None:
        """The template's text for ``alert``, or ``None`` when the channel has no template."""
        if self.template is None:
            return None
        return template.render(self.template, alert, self.escape)


class ChatConfig(Protocol):
    """What every chat channel's configuration has."""

    @property
    def template(self) -> str | None:
        """The path of the operator template, if any."""

    @property
    def timeout(self) -> float:
        """Seconds to wait for the service."""


ConfigT = TypeVar("ConfigT", bound=ChatConfig)


class ChatChannel(TemplatedChannel, Generic[ConfigT]):
    """Posts each alert to a chat service as one JSON body."""

    service: ClassVar[str]  # names the service in errors
    limit: ClassVar[int]  # the longest text the service shows

    def __init__(self, config: ConfigT, client: httpx.AsyncClient) -> None:
        super().__init__(config.template)
        self.config, self.client = config, client

    @abstractmethod
    def render(self, alert: Alert, text: str | None) -> dict[str, Any]:
        """The service's body for ``alert``; ``text``, when given, is the template's
        (escaped and fitted) in place of the service's own text."""

    @abstractmethod
    def endpoint(self) -> str:
        """The URL to post to (a secret: it never appears in an error)."""

    def headers(self) -> dict[str, str]:
        """Headers the service needs besides the User-Agent."""
        return {}

    def fit(self, text: str) -> str:
        """The template's text cut to the service's limit."""
        return trim(text, self.limit)

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Post the alert, or raise ``DeliveryError`` (never naming the URL or a token)."""
        text = self.templated(alert)
        await post(
            self.client, self.endpoint(), service=self.service, timeout=self.config.timeout,
            json=self.render(alert, None if text is None else self.fit(text)),
            headers=self.headers(),
        )  # fmt: skip

"""The shape of ``feeds.yaml``: ``FeedsFile``, a list of ``FeedConfig``."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from monitor.config.models.base import Duration, StrictModel

# RFC 9110 §5.1: a field name is a token.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class FeedConfig(StrictModel):
    """One feed to poll; ``url`` may be http(s), ``file://`` or a local path.

    ``enabled: false`` keeps the feed (and its articles) but stops polling
    it; ``headers`` are sent with every request for this feed (values may be
    ``${NAME}`` secrets); ``interval`` and ``timeout`` override ``poll``'s.
    """

    url: str
    name: str | None = None
    interval: Duration | None = None
    enabled: bool = Field(True, strict=True)
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: Duration | None = None

    @field_validator("interval", "timeout")
    @classmethod
    def _positive(cls, seconds: float | None) -> float | None:
        if seconds is not None and seconds <= 0:
            raise ValueError("expected a duration greater than zero")
        return seconds

    @field_validator("headers")
    @classmethod
    def _valid_headers(cls, headers: dict[str, str]) -> dict[str, str]:
        # Values are never quoted back: they may hold secrets from the environment.
        for name, value in headers.items():
            if not _HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not a valid HTTP header name")
            if any(char in value for char in "\r\n\0") or not value.isascii():
                raise ValueError(f"the value of header {name!r} must be one line of ASCII text")
        return headers


class FeedsFile(StrictModel):
    """The contents of ``feeds.yaml``."""

    feeds: list[FeedConfig] = Field(default_factory=list)

"""The exceptions monitor raises, in one small tree.

    MonitorError                 anything monitor reports to a person (as is: a database
     │                           the store cannot open, prune, vacuum or search)
     ├── ConfigError             a config file is missing, malformed or invalid
     ├── OpmlError               an OPML file cannot be read or lists no feed
     ├── FeedsFileError          feeds.yaml cannot be read, or feeds cannot be added to it safely
     ├── FetchError              a feed could not be fetched
     ├── ParseError              fetched bytes are not a usable feed
     └── DeliveryError           a channel did not accept an alert

Lower-library errors (httpx, yaml, pydantic, sqlite) are translated into these
in exactly one place each, with ``raise ... from exc``; the CLI turns a
``MonitorError`` into one clean message and a non-zero exit. A feed's own
failure never leaves its poll: ``fetch_feed`` turns a ``FetchError`` into an
error result, the cycle records a ``ParseError`` as the poll's error.
"""

from __future__ import annotations

from pathlib import Path


class MonitorError(Exception):
    """Base class of every error monitor reports to a person."""


class ConfigError(MonitorError):
    """One or more problems in the configuration, each naming file, line and field."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ConfigProblem:
    """One problem in a config file: where it is and what is wrong."""

    def __init__(
        self,
        path: Path | str,
        line: int | None,
        field: str,
        message: str,
        unset_variable: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.message = message
        # The environment variable a ``${NAME}`` names that is not set, when that is the
        # problem: a problem of the shell that loads the files, not of the files.
        self.unset_variable = unset_variable

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"

    def __repr__(self) -> str:
        return f"ConfigProblem({self!s})"


class OpmlError(MonitorError):
    """An OPML file that cannot be read or holds no feeds."""


class FeedsFileError(MonitorError):
    """feeds.yaml cannot be read, or new feeds cannot be appended to it safely."""


class FetchError(MonitorError):
    """A feed could not be fetched (network, HTTP status, size or time limit)."""

    def __init__(
        self,
        message: str,
        *,
        feed_url: str,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.feed_url = feed_url
        self.status_code = status_code
        self.retry_after = retry_after
        super().__init__(message)


class ParseError(MonitorError):
    """Fetched bytes are not a feed that yields any entry."""


class DeliveryError(MonitorError):
    """A channel did not accept an alert; the delivery will be retried."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class CorrectionError(MonitorError):
    """A story correction by hand that cannot be made: no such alert, not a story,
    stories of different watches, an article not in the story, its last article."""

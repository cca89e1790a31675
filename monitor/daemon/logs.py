"""Logging set-up: readable lines, with every configured secret redacted."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    """Replaces each secret (webhook URLs, tokens, passwords) in a record's text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Redact ``secrets`` too, from now on (a reloaded config may bring new ones)."""
        known = {*self.secrets, *(s for s in secrets if s)}
        self.secrets = sorted(known, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Return ``text`` with every secret replaced by ``[redacted]``."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message and traceback without secrets."""
        if self.secrets:
            record.msg = self.redact(record.getMessage())
            record.args = None
            if record.exc_info:
                record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as ``{"time", "level", "logger", "message"}`` (and ``error``)."""
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            line["error"] = record.exc_text
        elif record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str, secrets: Iterable[str], log_format: str = "text") -> None:
    """Send log lines to stderr, readable (``text``) or as JSON, secrets redacted."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
            )
        )
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # APScheduler logs every job run at INFO; its warnings and errors still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("uvicorn").setLevel(logging.WARNING)
    logging.getLogger("watchfiles").setLevel(logging.WARNING)


def redact_also(secrets: Iterable[str]) -> None:
    """Add ``secrets`` to what every configured log handler redacts."""
    for handler in logging.getLogger().handlers:
        for log_filter in handler.filters:
            if isinstance(log_filter, RedactSecrets):
                log_filter.add(secrets)

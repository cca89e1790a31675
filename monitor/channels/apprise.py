"""Apprise: one channel, many services (Signal, Matrix, WhatsApp, Telegram, email, …).

Each of a channel's ``urls`` is one **target**, notified on its own: a failing
URL never blocks the others, and a retry sends only to the targets that have
not accepted yet.

How that goes through the outbox, which knows one delivery per notification
and channel: the delivery's idempotency key (``ALERT:EVENT:CHANNEL``) plus the
target (a digest of its URL, never the URL) is the target's own key. Each
target that accepts is recorded under it in a journal (``TargetJournal``; the
daemon's is the store's ``delivery_targets`` table) as soon as it accepts.
When any target did not accept, ``send`` raises ``DeliveryError`` naming which
(by number and scheme, never the URL) and the outbox retries the delivery with
its usual backoff, ``max_attempts``, ``give_up_after`` and dead letters; the
retry, in this process or after a restart, reads the journal back and sends
only to the targets missing from it. So each target gets each notification
once per key, unless it accepted in the moment a crash or a timeout lost the
answer (at least once, as for every channel). The target is named by a digest
of its URL, so a list edited between two attempts neither skips nor repeats a
target that stayed.

Apprise is synchronous: each target is notified in a worker thread
(``asyncio.to_thread``), all at once, each within the channel's ``timeout``,
so the daemon's loop never waits on a service. Apprise is told the text's
format (``format: text`` or ``markdown``) and turns it into each service's own
where they differ (Markdown into HTML for email, plain text into escaped
Markdown for a Markdown service); feed text is made safe for that format
first: no mention can fire (``@everyone``, ``@here``, ``<!channel>``), no markup
or link comes from a feed (a scheme's ``://`` and ``www.`` are broken by a
zero-width space), control and bidi characters are blanked, and the text is cut
to the service's limits by whole lines.

Apprise logs the hosts, phone numbers and addresses it sends to, and urllib3
under it the paths it posts to, in words the redaction of whole secrets cannot
catch, so their records stop at their own ``NullHandler``s; what failed is said
here, per target, by number and scheme.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

from monitor.channels.base import TemplatedChannel
from monitor.channels.markup import markdown, no_mention, plain, trim, whole_lines
from monitor.channels.message import message_of
from monitor.channels.targets import apprise_target
from monitor.config.models import AppriseChannelConfig
from monitor.errors import DeliveryError
from monitor.models import Alert

# Apprise's records, and those of urllib3 under it (whose debug lines name each
# request's path), never reach monitor's handlers (see the module docstring).
for _logger in ("apprise", "urllib3"):
    logging.getLogger(_logger).propagate = False

# Seconds a worker thread may take beyond the target's timeout before it is left behind.
GRACE = 5.0
_LINKS = re.compile(r"(?i)(://|www\.)")
_MORE_MARKDOWN = re.compile(r"([<&])")
# Apprise's kinds of notification (apprise.NotifyType: its colour and icon) by level.
NOTIFY_TYPES = {"notice": "info", "warning": "warning", "critical": "failure"}


class TargetJournal(Protocol):
    """Where the targets that accepted a notification are remembered (the store)."""

    def accepted_targets(self, key: str) -> set[str]:
        """The targets that accepted the notification of idempotency key ``key``."""

    def record_target_accepted(self, key: str, target: str, now: datetime) -> None:
        """Remember that ``target`` accepted the notification of key ``key``."""


class MemoryJournal:
    """A journal for one process (tests, and channels built without a store)."""

    def __init__(self) -> None:
        self.accepted: dict[str, set[str]] = {}

    def accepted_targets(self, key: str) -> set[str]:
        """The targets that accepted the notification of key ``key``."""
        return set(self.accepted.get(key, ()))

    def record_target_accepted(self, key: str, target: str, now: datetime) -> None:
        """Remember that ``target`` accepted the notification of key ``key``."""
        self.accepted.setdefault(key, set()).add(target)


@dataclass(frozen=True)
class Target:
    """One of a channel's URLs: its number in the list (from 1) and the URL (a secret)."""

    number: int
    url: str

    @property
    def id(self) -> str:
        """How the journal names the target: a digest of its URL."""
        return hashlib.sha256(self.url.encode()).hexdigest()[:32]

    def describe(self) -> str:
        """``2 (signal)``: its number and scheme, nothing secret."""
        return apprise_target(self.number, self.url)


def safe_text(text: str) -> str:
    """Feed text as plain text: control and bidi characters blanked, no mention, no
    link."""
    return no_mention(_unlinked(plain(text)))


def safe_markdown(text: str) -> str:
    """Feed text as Markdown made literal, as ``safe_text`` besides; ``<`` and ``&`` are
    escaped too, since Apprise turns Markdown into HTML for some services."""
    literal = markdown(_unlinked(plain(text))).replace("<!", "<\u200b!")  # Slack's <!here>
    return _MORE_MARKDOWN.sub(r"\\\1", literal)


def _unlinked(text: str) -> str:
    """``text`` with every ``://`` and ``www.`` broken by a zero-width space, so that no
    service makes a link of a URL written in feed text."""
    return _LINKS.sub(lambda match: match[1][0] + "\u200b" + match[1][1:], text)


def markdown_target(url: str) -> str:
    """A link target that no parenthesis, space or angle bracket in it can end early."""
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(char, code)
    return url


def fit_lines(lines: list[str], limit: int) -> str:
    """As many whole lines as fit in ``limit`` characters (cutting a line could cut an
    escape or a link); the first line cut to fit when even it is too long."""
    return whole_lines(lines, limit) or trim(lines[0] if lines else "", limit)


class AppriseChannel(TemplatedChannel):
    """Notifies each target URL through Apprise, in plain text (``format: text``)."""

    escape = staticmethod(safe_text)
    body_format: ClassVar[str] = "text"  # apprise.NotifyFormat

    def __init__(
        self,
        config: AppriseChannelConfig,
        client: object = None,
        journal: TargetJournal | None = None,
    ) -> None:
        super().__init__(config.template)
        self.config = config
        self.journal: TargetJournal = journal or MemoryJournal()
        self.targets = tuple(Target(number, url) for number, url in enumerate(config.urls, 1))

    def link(self, url: str, title: str) -> str:
        """A feed's article as a line of the body: its title, then its (safe) URL."""
        return f"{self.escape(title)} {url}"

    def blocks(self, lines: list[str]) -> list[str]:
        """The body's lines as the format lays them out: in plain text, as they are."""
        return lines

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Notify every target that has not accepted this notification yet; raise
        ``DeliveryError`` (naming targets by number and scheme) unless all have."""
        accepted = self.journal.accepted_targets(idempotency_key)
        due = [target for target in self.targets if target.id not in accepted]
        text = self.templated(alert)
        outcomes = await asyncio.gather(
            *(self._attempt(target, alert, text, idempotency_key) for target in due)
        )
        failed = [
            f"target {target.describe()} {error}"
            for target, error in zip(due, outcomes, strict=True)
            if error is not None
        ]
        if failed:
            accepted = self.journal.accepted_targets(idempotency_key)
            took = [target.describe() for target in self.targets if target.id in accepted]
            raise DeliveryError(
                f"apprise: {'; '.join(failed)}"
                + (f"; accepted by {', '.join(took)}" if took else "")
            )

    async def _attempt(
        self, target: Target, alert: Alert, text: str | None, key: str
    ) -> str | None:
        """Notify one target in a worker thread and record it in the journal as soon as
        it accepts; ``None``, or why it did not accept."""
        try:
            error = await asyncio.wait_for(
                asyncio.to_thread(self._notify_now, target, alert, text),
                self.config.timeout + GRACE,
            )
        except TimeoutError:
            return f"did not answer within {self.config.timeout:g}s"
        if error is None:
            self.journal.record_target_accepted(key, target.id, datetime.now(UTC))
        return error

    def _notify_now(self, target: Target, alert: Alert, text: str | None) -> str | None:
        """Notify one target (in a worker thread; Apprise blocks)."""
        import apprise  # here: importing it costs every monitor command a third of a second

        # A new plugin each time: one kept from the last attempt would wait out
        # Apprise's pause between two requests to a service.
        plugin = apprise.Apprise.instantiate(target.url)
        if plugin is None:
            return "is not a URL Apprise can send to"
        title, body = self.render(alert, text, plugin)
        notifier = apprise.Apprise()
        notifier.add(plugin)
        try:
            result = notifier.notify(
                body=body,
                title=title,
                notify_type=_notify_type(alert),
                body_format=self.body_format,
                timeout=self.config.timeout,
            )
        except Exception as exc:  # a plugin's own failure is this target's, never the loop's
            return f"failed: {type(exc).__name__}"
        return None if result else "did not accept it"

    def render(self, alert: Alert, text: str | None, plugin: Any) -> tuple[str, str]:
        """The title and body for one target, within its limits; ``text``, when given,
        is the template's in place of the default body.

        Apprise sends a title as it is (it converts only the body), so the title is
        plain text whatever the format; a service without titles (Signal, SMS) gets
        the headline as the body's first line instead, in the body's format."""
        message = message_of(alert)
        untitled = plugin.title_maxlen <= 0
        first = [self.escape(message.headline)] if untitled else []
        if text is None:
            lines = self.blocks([*first, *message.lines(self.escape, self.link, bullet="-")])
        else:
            lines = [*first, *text.splitlines()]
        if untitled:
            return "", fit_lines(lines, plugin.body_maxlen)
        title = trim(safe_text(message.headline), plugin.title_maxlen)
        return title, fit_lines(lines or [title], plugin.body_maxlen)


class MarkdownAppriseChannel(AppriseChannel):
    """Notifies each target URL through Apprise, in Markdown (``format: markdown``)."""

    escape = staticmethod(safe_markdown)
    body_format = "markdown"

    def link(self, url: str, title: str) -> str:
        """A feed's article as a Markdown link, its title made literal."""
        return f"[{self.escape(title)}]({markdown_target(url)})"

    def blocks(self, lines: list[str]) -> list[str]:
        """A blank line before each line but a list item's after another: Markdown would
        run them into one paragraph."""
        spaced: list[str] = []
        for line in lines:
            if spaced and not (line.startswith("- ") and spaced[-1].startswith("- ")):
                spaced.append("")
            spaced.append(line)
        return spaced


def apprise_channel(
    config: AppriseChannelConfig, client: object = None, journal: TargetJournal | None = None
) -> AppriseChannel:
    """The channel for ``config``, in its ``format``."""
    kind = MarkdownAppriseChannel if config.format == "markdown" else AppriseChannel
    return kind(config, client, journal)


def _notify_type(alert: Alert) -> str:
    """Apprise's kind of notification (its colour and icon) for the alert's level."""
    return "success" if alert.resolved else NOTIFY_TYPES.get(alert.level, "info")

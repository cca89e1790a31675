"""Email over SMTP: one message per notification, plain text and HTML parts."""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from monitor.channels.base import TemplatedChannel
from monitor.channels.markup import html_link, html_text, plain, trim
from monitor.channels.message import Message, message_of
from monitor.config.models import EmailChannelConfig
from monitor.errors import DeliveryError
from monitor.models import Alert

SUBJECT_LIMIT = 200


def render(alert: Alert, sender: str, recipients: list[str], key: str) -> EmailMessage:
    """The email of an alert; feed text is plain in one part and escaped in the other."""
    message = message_of(alert)
    # message_of keeps feed text on one line: no header can be injected.
    email = _envelope(message.headline, sender, recipients, key)
    email.set_content(_plain(message))
    email.add_alternative(_html(message), subtype="html")
    return email


def render_digest(
    alerts: list[Alert], sender: str, recipients: list[str], key: str
) -> EmailMessage:
    """One email for several alerts, each as in ``render``."""
    messages = [message_of(alert) for alert in alerts]
    subject = f"monitor: {len(messages)} alerts; {messages[0].headline}"
    email = _envelope(subject, sender, recipients, key)
    email.set_content("\n".join(_plain(message) for message in messages))
    bodies = "<hr>".join(
        _html(message).removeprefix("<html><body>").removesuffix("</body></html>\n")
        for message in messages
    )
    email.add_alternative(f"<html><body>{bodies}</body></html>\n", subtype="html")
    return email


def _envelope(subject: str, sender: str, recipients: list[str], key: str) -> EmailMessage:
    """An email with its headers and no content yet."""
    email = EmailMessage()
    email["Subject"] = trim(subject, SUBJECT_LIMIT)
    email["From"] = sender
    email["To"] = ", ".join(recipients)
    email["Date"] = formatdate(usegmt=True)
    # The same notification retried keeps its Message-ID, so a mail system can drop a repeat.
    email["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@monitor.invalid>"
    return email


def _plain(message: Message) -> str:
    """The plain-text part: the headline, where and why, the excerpt, every article and
    outlet with its link on the next line, the note and the alert's number and link."""
    lines = [message.headline, ""]
    if message.places:
        lines.append("Where: " + ", ".join(message.places))
    if message.reasons:
        lines.append("Why: " + "; ".join(message.reasons))
    if message.excerpt:
        lines += ["", f"“{message.excerpt}”"]
    lines.append("")
    if message.items_label and message.items:
        lines.append(message.items_label + ":")
    for item in (*message.items, *message.outlets):
        lines.append(f"- {item.title}" + (f" ({item.source})" if item.source else ""))
        if item.url:
            lines.append(f"  {item.url}")
    if message.note:
        lines += ["", message.note]
    footer = message.footer()
    if footer:
        lines += ["", footer]
    if message.link:
        lines.append(f"on the dashboard: {message.link}")
    return "\n".join(lines) + "\n"


def _html(message: Message) -> str:
    """The HTML part: the same as the plain one, every piece of feed text escaped."""
    parts = [f"<h2>{html_text(message.headline)}</h2>"]
    if message.places:
        parts.append(f"<p><b>Where:</b> {html_text(', '.join(message.places))}</p>")
    if message.reasons:
        parts.append(f"<p><b>Why:</b> {html_text('; '.join(message.reasons))}</p>")
    if message.excerpt:
        parts.append(f"<blockquote>{html_text(message.excerpt)}</blockquote>")
    if message.items_label and message.items:
        parts.append(f"<p>{html_text(message.items_label)}:</p>")
    items = []
    for item in (*message.items, *message.outlets):
        title = html_text(item.title)
        if item.url:
            title = html_link(item.url, title)
        source = f" ({html_text(item.source)})" if item.source else ""
        items.append(f"<li>{title}{source}</li>")
    parts.append(f"<ul>{''.join(items)}</ul>")
    if message.note:
        parts.append(f"<p>{html_text(message.note)}</p>")
    footer = message.footer()
    if footer:
        parts.append(f"<p>{html_text(footer)}</p>")
    if message.link:
        parts.append(f"<p>{html_link(message.link, 'on the dashboard')}</p>")
    return f"<html><body>{''.join(parts)}</body></html>\n"


class EmailChannel(TemplatedChannel):
    """Sends each notification as an email through one SMTP server."""

    escape = staticmethod(plain)  # a template writes the plain-text part

    def __init__(self, config: EmailChannelConfig, client: object = None) -> None:
        super().__init__(config.template)
        self.config = config
        self.digest = config.digest

    async def send(self, alert: Alert, idempotency_key: str) -> None:
        """Send the email, or raise ``DeliveryError`` (never with the password)."""
        email = render(alert, self.config.from_, self.config.to, idempotency_key)
        text = self.templated(alert)
        if text is not None:
            # The template writes the plain-text part; the HTML part stays the default.
            text_part = email.get_body(("plain",))
            assert text_part is not None
            text_part.set_content(text)
        await asyncio.to_thread(self._send, email)

    async def send_digest(self, alerts: list[Alert], key: str) -> None:
        """Send several notifications as one email, or raise ``DeliveryError``."""
        email = render_digest(alerts, self.config.from_, self.config.to, key)
        await asyncio.to_thread(self._send, email)

    def _send(self, email: EmailMessage) -> None:
        config = self.config
        try:
            if config.tls == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            with smtp:
                if config.tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if config.username:
                    smtp.login(config.username, config.password or "")
                smtp.send_message(email)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"email: the server answered {exc.smtp_code}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"email: {type(exc).__name__}") from exc

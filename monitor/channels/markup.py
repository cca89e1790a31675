"""Every escape of feed text, one per markup a channel writes, and the rules all share. Pure.

Feed text is untrusted. Whatever a channel prints of it passes through the
escape of that channel's markup first, so that a title can neither format,
nor link, nor start a mention; only http(s) links (``safe_url``) ever become
links, and every escape keeps control characters out.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

# A zero-width space after ``@``: the text reads the same, but no service sees a mention.
_MENTION_BREAK = "@\u200b"
_MARKDOWN = re.compile(r"([\\*_~`|>\[\]()#-])")


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) link with a host, else ``None``."""
    if url is None:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def one_line(text: object) -> str:
    """``text`` on one line, control characters blanked."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())


def trim(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def whole_lines(lines: list[str], limit: int) -> str:
    """As many whole lines as fit in ``limit`` characters, joined by newlines (cutting a
    line could cut a tag, an escape or a link); empty when not even the first fits."""
    kept: list[str] = []
    size = -1
    for line in lines:
        size += len(line) + 1
        if size > limit:
            break
        kept.append(line)
    return "\n".join(kept)


def mrkdwn(text: str) -> str:
    """Slack's three control characters, so ``<!channel>`` or ``<url|x>`` become text,
    and ``@`` unable to start a mention (in case the app links plain names)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("@", _MENTION_BREAK)


def mrkdwn_link(url: str, label: str) -> str:
    """A Slack mrkdwn link whose target cannot be bent by ``|`` or ``>``."""
    target = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{target}|{mrkdwn(label)}>"


def markdown(text: str) -> str:
    """Markdown (Discord, Mattermost, Teams) made literal, and ``@`` unable to start a
    mention."""
    return _MARKDOWN.sub(r"\\\1", text).replace("@", _MENTION_BREAK)


def markdown_link(url: str, label: str) -> str:
    """A Markdown link to ``url`` (a ``safe_url``) with ``label`` made literal."""
    return f"[{markdown(label)}]({url})"


def html_text(text: str) -> str:
    """``text`` as HTML text (email): every character that could open markup escaped."""
    return html.escape(text)


def html_link(url: str, label: str) -> str:
    """An HTML link to ``url`` (a ``safe_url``) around ``label``, already escaped HTML."""
    return f'<a href="{html.escape(url, quote=True)}">{label}</a>'


def telegram_html(text: str) -> str:
    """``text`` HTML-escaped, and ``@`` unable to start a mention (in a group, an
    ``@username`` in a message notifies that member)."""
    return html_text(text).replace("@", _MENTION_BREAK)


def no_mention(text: str) -> str:
    """Text a service shows as it is (Slack's ``plain_text``), unable to start a mention:
    ``@`` and Slack's ``<!`` broken by a zero-width space."""
    return text.replace("@", _MENTION_BREAK).replace("<!", "<\u200b!")


def plain(text: str) -> str:
    """A value in plain text (ntfy, email): nothing to escape, control characters blanked."""
    return "".join(c if c.isprintable() or c == "\n" else " " for c in text)


def console(text: object) -> str:
    """Feed text on one line, every control or format character (a terminal escape,
    a bidi override) blanked out."""
    return one_line(text)

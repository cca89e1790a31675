"""Reading the feeds out of an OPML file, the format feed readers export.

OPML comes from elsewhere, so it is untrusted: defusedxml refuses entity
declarations (the "billion laughs") and external references. Folders
(nested outlines) are flattened; an outline's ``title`` (else ``text``)
becomes the feed's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from monitor.errors import OpmlError


@dataclass(frozen=True)
class OpmlFeed:
    """One feed of an OPML file: its URL and, when given, its name."""

    url: str
    name: str | None


def read_opml(path: Path) -> list[OpmlFeed]:
    """Return the feeds (outlines with an ``xmlUrl``) of ``path``, in document order.

    Raise ``OpmlError`` naming the file (and the line, for malformed XML)
    when it cannot be read, is not OPML, or lists no feed.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OpmlError(f"{path}: cannot read file: {exc.strerror or exc}") from exc
    try:
        root = defusedxml.ElementTree.fromstring(data)
    except ParseError as exc:
        raise OpmlError(f"{path}:{exc.position[0]}: not well-formed XML: {exc}") from exc
    except defusedxml.DefusedXmlException as exc:
        raise OpmlError(
            f"{path}: refused: it declares XML entities or external references "
            f"({type(exc).__name__}), which OPML never needs"
        ) from exc
    if root.tag != "opml" or root.find("body") is None:
        raise OpmlError(f"{path}: not an OPML file (expected <opml> with a <body>)")
    feeds = [feed for outline in root.iter("outline") if (feed := _feed(outline)) is not None]
    if not feeds:
        raise OpmlError(f"{path}: no feeds found (no <outline> has an xmlUrl)")
    return feeds


def _feed(outline: Element) -> OpmlFeed | None:
    url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
    if not url:
        return None
    name = " ".join((outline.get("title") or outline.get("text") or "").split())
    return OpmlFeed(url, name or None)

"""README's figures for polite polling are the code's defaults (issue #15: it said
"at most 10 feeds at once" while ``poll.concurrency`` defaults to 100)."""

from __future__ import annotations

import re

from conftest import REPO

from monitor.config.models import PollSettings

README = (REPO / "README.md").read_text(encoding="utf-8")


def figure(pattern: str) -> int:
    """The one number README's text around ``pattern`` (a regex with one group) gives."""
    text = " ".join(README.split())  # figures may break across lines
    (found,) = re.findall(pattern, text)
    return int(found)


def test_readme_gives_the_polling_defaults_of_the_code() -> None:
    defaults = PollSettings()
    assert figure(r"at most (\d+) feeds at once") == defaults.concurrency
    assert figure(r"a (\d+) s deadline for the whole fetch") == defaults.timeout
    assert figure(r"a (\d+) MB cap on the decoded body") * 1_000_000 == defaults.max_bytes
    assert figure(r"at most (\d+) redirects") == defaults.max_redirects

"""What every config model shares: strict frozen models, durations and numbers as written.

Unknown keys are errors (``StrictModel``). A duration is written ``30s``,
``10m``, ``2h`` or ``7d`` (a number needs its unit, but ``0``) and is at most 100 years;
a number is an int or a float, never ``true``.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EXPECTED = "expected a duration like 30s, 10m, 2h or 7d"


MAX_DURATION = 100 * 365 * 86400.0
"""The longest duration accepted (100 years): longer ones overflow dates and timers."""


def parse_duration(value: Any) -> float:
    """Return seconds for ``"30s"``, ``"10m"``, ``"2h"`` or ``"7d"`` (at most 100 years).

    A number without a unit is refused (but ``0``, as Prometheus allows): ``60``
    could be meant as seconds or as minutes, and read the wrong way it silences
    or groups sixty times too long or too short.
    """
    if isinstance(value, bool):
        raise ValueError(_EXPECTED)
    if isinstance(value, int | float):
        number = _number(value)
        written = str(value)
    else:
        match = _DURATION.match(str(value))
        if match is None:
            raise ValueError(_EXPECTED)
        number = float(match.group(1)) * _UNIT_SECONDS.get(match.group(2) or "", 1)
        written = "" if match.group(2) else match.group(1)
    if math.isnan(number) or number < 0:
        raise ValueError(_EXPECTED)
    if number > MAX_DURATION:
        raise ValueError("too long: at most 100 years (36500d)")
    if written and number != 0:
        raise ValueError(f"{written} has no unit: add a unit: 60s, 10m, 2h, 1d")
    return number


Duration = Annotated[float, BeforeValidator(parse_duration)]


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    try:
        return float(value)
    except OverflowError:
        raise ValueError("too large a number") from None


Number = Annotated[float, BeforeValidator(_number)]


class StrictModel(BaseModel):
    """A frozen model that refuses unknown keys; aliases and field names both load."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

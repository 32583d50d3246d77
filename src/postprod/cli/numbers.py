"""Numbers from the command line are checked before a command runs, for every command.

``normalize --target nan`` wrote every sample at full scale, ``mix --tail 1e12``
and ``tc ltc encode --duration 1e9`` filled a disk at 100 MB/s. The rules hold
by parameter name, so a new option of the same name is covered: no number may
be NaN or infinite; a length in seconds is at least 0 and at most a day; a
sample rate is one a file can have.
"""

from __future__ import annotations

import math
from typing import Any

from postprod.errors import PostprodError

#: Parameters that are lengths in seconds (floats, or text that may be a number).
LENGTHS = ("duration", "tail", "min_pause_s", "margin_s", "pre_roll", "segment_s")
#: The longest length any command is asked for: a day.
MAX_LENGTH_S = 24 * 3600.0
#: Sample rates a file can have.
SAMPLE_RATES = (8_000, 384_000)


#: Commands whose length options are text in seconds (elsewhere text is frames or a
#: timecode, as ``edit P add-marker --duration``: the command parses it).
SECONDS_AS_TEXT = ("tc ltc encode", "tc mtc encode")


def check_numbers(params: dict[str, Any], options: dict[str, str], command: str = "") -> None:
    """Refuse a non-finite number, a length out of range or an impossible sample rate;
    ``options`` maps a parameter's name to the option the user typed."""
    for name, value in params.items():
        flag = options.get(name, name)
        if isinstance(value, float) and not math.isfinite(value):
            raise PostprodError(
                f"{name} {value} is out of range (not a finite number)",
                where=flag,
                fix="give a finite number",
            )
        if name in LENGTHS and (
            isinstance(value, int | float)
            or (isinstance(value, str) and command in SECONDS_AS_TEXT)
        ):
            _check_length(flag, value)
        if name == "sample_rate" and isinstance(value, int):
            low, high = SAMPLE_RATES
            if not low <= value <= high:
                raise PostprodError(
                    f"{flag} {value} is not a sample rate",
                    where=flag,
                    fix=f"give a rate from {low} to {high} Hz, e.g. 48000",
                )


def _check_length(flag: str, value: Any) -> None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return  # a timecode or a list: the command parses it
    if not math.isfinite(seconds) or seconds < 0:
        raise PostprodError(
            f"{flag} {value} is not a length", where=flag, fix="give seconds, 0 or more"
        )
    if seconds > MAX_LENGTH_S:
        raise PostprodError(
            f"{flag} {value} s is longer than a day ({MAX_LENGTH_S:g} s)",
            where=flag,
            fix="give a shorter length, or run the command in parts",
        )

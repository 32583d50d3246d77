"""Broadcast Wave (EBU Tech 3285) ``bext`` chunks: written by FFmpeg's WAV muxer, read back.

The TimeReference counts samples since midnight, so a file stamped with a
start timecode lines up in any DAW that reads BWF.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from postprod.media._open import open_input


@dataclass(frozen=True, slots=True)
class Bext:
    """The fields of a ``bext`` chunk postprod writes."""

    description: str = ""
    originator: str = "postprod"
    originator_reference: str = ""
    origination_date: str = ""  # yyyy-mm-dd
    origination_time: str = ""  # hh:mm:ss
    time_reference_samples: int = 0

    def muxer_metadata(self) -> dict[str, str]:
        """The metadata keys FFmpeg's WAV muxer turns into the chunk."""
        return {
            "description": self.description[:256],
            "originator": self.originator[:32],
            "originator_reference": self.originator_reference[:32],
            "origination_date": self.origination_date,
            "origination_time": self.origination_time,
            "time_reference": str(self.time_reference_samples),
        }


def read_bext(path: str | os.PathLike[str]) -> Bext | None:
    """The ``bext`` chunk of a WAV file, or ``None`` if it has none."""
    with open_input(path) as container:
        tags = container.metadata
        if "time_reference" not in tags:
            return None
        return Bext(
            description=tags.get("comment", ""),
            originator=tags.get("encoded_by", ""),
            originator_reference=tags.get("originator_reference", ""),
            origination_date=tags.get("date", ""),
            origination_time=tags.get("creation_time", ""),
            time_reference_samples=int(tags["time_reference"]),
        )

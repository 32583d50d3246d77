"""Timelines of video tracks and the frames the renderer composes for them, for tests.

Import from any test as ``from composing import video_timeline, composed``.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio

from postprod.planner.plan import OutputFormat, plan
from postprod.render.engine import frames_at


def video_timeline(*tracks: list[otio.core.Item], name: str = "test") -> otio.schema.Timeline:
    """A timeline of video tracks V1, V2, ... holding the items given, bottom first."""
    timeline = otio.schema.Timeline(name)
    for number, items in enumerate(tracks, start=1):
        track = otio.schema.Track(f"V{number}", kind=otio.schema.TrackKind.Video)
        track.extend(items)
        timeline.tracks.append(track)
    return timeline


def composed(
    timeline: otio.schema.Timeline,
    folder: Path,
    frames: list[int],
    size: tuple[int, int] = (320, 180),
    rate: Fraction = Fraction(25),
) -> list[np.ndarray]:
    """The programme's frames at ``frames`` as the renderer composes them (int arrays)."""
    planned = plan(timeline, OutputFormat(*size, rate), project_folder=folder)
    return [f.astype(int) for f in frames_at(planned, frames)]

"""Time, the base of all post-production work: SMPTE ST 12-1 timecode, MTC and LTC.

NumPy only; nothing here knows about files, OTIO or PyAV. ``ltc`` (LTC audio)
and ``mtc`` (MIDI timecode and MIDI files, through mido) load on first use, and
so do the array functions (``frames_to_labels``, ``labels_to_frames``): the
scalar API does not import NumPy, so plain timecode work does not pay for it at
start-up.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from postprod.timecode.rate import SMPTE_RATES, FrameRate
from postprod.timecode.smpte import (
    FRAMES_PER_FOOT_35MM,
    Timecode,
    feet_to_frames,
    frames_to_feet,
    frames_to_label,
    frames_to_seconds,
    label_to_frames,
    seconds_to_frames,
    to_frames,
)

if TYPE_CHECKING:
    from postprod.timecode import ltc, mtc
    from postprod.timecode.vector import frames_to_labels, labels_to_frames

__all__ = [
    "FRAMES_PER_FOOT_35MM",
    "SMPTE_RATES",
    "FrameRate",
    "Timecode",
    "feet_to_frames",
    "frames_to_feet",
    "frames_to_label",
    "frames_to_labels",
    "frames_to_seconds",
    "label_to_frames",
    "labels_to_frames",
    "ltc",
    "mtc",
    "seconds_to_frames",
    "to_frames",
]


def __getattr__(name: str) -> Any:
    if name in ("ltc", "mtc"):
        return import_module(f"postprod.timecode.{name}")
    if name in ("frames_to_labels", "labels_to_frames"):
        return getattr(import_module("postprod.timecode.vector"), name)
    raise AttributeError(f"module 'postprod.timecode' has no attribute {name!r}")

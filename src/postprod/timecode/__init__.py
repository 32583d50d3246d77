"""Time, the base of all post-production work: SMPTE ST 12-1 timecode, MTC and LTC.

NumPy only; nothing here knows about files, OTIO or PyAV. ``ltc`` (LTC audio)
and ``mtc`` (MIDI timecode and MIDI files, through mido) load on first use, so
plain timecode work does not pay for them at start-up.
"""

from importlib import import_module
from types import ModuleType

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


def __getattr__(name: str) -> ModuleType:
    if name in ("ltc", "mtc"):
        return import_module(f"postprod.timecode.{name}")
    raise AttributeError(f"module 'postprod.timecode' has no attribute {name!r}")

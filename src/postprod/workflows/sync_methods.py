"""The ways ``sync`` finds offsets, by name.

Plain names in a module of their own, so the command's help lists them without
loading the sync workflow (NumPy, SciPy, PyAV); ``postprod.workflows.sync``
checks a method against this same tuple.
"""

from __future__ import annotations

#: By the sound (cross-correlation), by the files' start timecodes, by LTC on a channel.
METHODS = ("audio", "timecode", "ltc")

#: A multicam's further ways (``postprod multicam create --sync``): files lined up at a
#: point of each (its first frame, its last, or a point given in its seconds).
POINT_METHODS = ("in", "out", "marker")

__all__ = ["METHODS", "POINT_METHODS"]

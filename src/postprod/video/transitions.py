"""Every patterned transition by name: wipes, pushes and slides, and the dip through a colour.

One registry, :data:`TRANSITIONS`, maps a pattern to the function that draws
a frame of it; the compositor looks the pattern up instead of testing names.
Its names are ``timeline.metadata.TRANSITION_PATTERNS`` (a test keeps the two
equal: the video layer and the timeline do not import each other). A wipe's
arrival times depend only on the pattern and the frame size, so they are
computed once per size and kept (read-only).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from postprod.errors import RenderError
from postprod.video.moves import MOVES, dip
from postprod.video.wipes import PATTERNS, arrival, wipe

Frame = NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Look:
    """How a patterned transition looks: a wipe's soft edge (a fraction of the move) and
    border (pixels), a dip's colour. Moves take none of it."""

    softness: float = 0.0
    border_px: int = 0
    colour: tuple[int, int, int] = (0, 0, 0)


#: A transition's frame: ``(a, b, progress, look) -> frame`` (progress 0: ``a``, 1: ``b``).
TransitionFunction = Callable[[Frame, Frame, float, Look], Frame]


@functools.lru_cache(maxsize=4)
def _arrival(pattern: str, width: int, height: int) -> NDArray[np.float32]:
    times = arrival(pattern, width, height)
    times.flags.writeable = False
    return times


def _wipe(pattern: str, a: Frame, b: Frame, progress: float, look: Look) -> Frame:
    times = _arrival(pattern, a.shape[1], a.shape[0])
    return wipe(a, b, times, progress, softness=look.softness, border_px=look.border_px)


def _moving(pattern: str, a: Frame, b: Frame, progress: float, look: Look) -> Frame:
    return MOVES[pattern](a, b, progress)


def _dip(a: Frame, b: Frame, progress: float, look: Look) -> Frame:
    return dip(a, b, progress, look.colour)


TRANSITIONS: Mapping[str, TransitionFunction] = MappingProxyType(
    {
        **{pattern: functools.partial(_wipe, pattern) for pattern in PATTERNS},
        **{pattern: functools.partial(_moving, pattern) for pattern in MOVES},
        "dip": _dip,
    }
)


def transition(a: Frame, b: Frame, progress: float, pattern: str, look: Look = Look()) -> Frame:
    """Frame ``progress`` (0..1) of the transition ``pattern`` from ``a`` to ``b``."""
    function = TRANSITIONS.get(pattern)
    if function is None:
        raise RenderError(
            f"unknown transition pattern {pattern!r}", fix=f"use one of {', '.join(TRANSITIONS)}"
        )
    return function(a, b, progress, look)

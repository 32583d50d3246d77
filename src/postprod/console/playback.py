"""What a tab does while it previews: meters at the programme's pace, and faders it touches.

:class:`Playback` runs the meter engine over a range of the mix in a thread
and hands each meter frame on at real time (25 a second), until the range ends
or the tab says stop. :class:`Touches` gathers the fader moves a tab makes
while playing (``{"type": "touch", "track", "gain_db", "frame"}``) and turns
them, at stop, into automation breakpoints applied as one undo step.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from postprod.errors import PostprodError
from postprod.operations import AddAutomation, Operation

METERS_PER_S = 25


class Playback:
    """One tab's meters, sent as they play."""

    def __init__(
        self,
        frames: Callable[[], Iterator[dict[str, Any]]],
        send: Callable[[dict[str, Any]], None],
        *,
        rate_per_s: float = METERS_PER_S,
    ) -> None:
        self._frames = frames
        self._send = send
        self._interval_s = 1.0 / rate_per_s
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="postprod-console-meters", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout_s: float | None = None) -> None:
        self._thread.join(timeout_s)

    def _run(self) -> None:
        began = time.monotonic()
        try:
            for number, frame in enumerate(self._frames()):
                wait_s = began + number * self._interval_s - time.monotonic()
                if self._stop.wait(max(wait_s, 0.0)):
                    break
                self._send({"type": "meters", **frame})
        except PostprodError as error:
            self._send({"type": "error", "error": error.message})
        except Exception as error:  # not the user's doing
            self._send({"type": "error", "error": f"internal error in the meters: {error}"})
        self._send({"type": "stopped"})


class Touches:
    """Fader moves made while playing, kept until stop (the latest value per track and frame)."""

    def __init__(self) -> None:
        self._points: dict[str, dict[int, float]] = {}

    def add(self, message: dict[str, Any]) -> None:
        track, gain, frame = message.get("track"), message.get("gain_db"), message.get("frame")
        if not isinstance(track, str) or not track:
            raise PostprodError("a touch names its track", fix='send "track": "A1"')
        if isinstance(gain, bool) or not isinstance(gain, int | float):
            raise PostprodError("a touch carries gain_db as a number")
        if isinstance(frame, bool) or not isinstance(frame, int) or frame < 0:
            raise PostprodError("a touch carries frame as a whole number from 0")
        self._points.setdefault(track, {})[frame] = float(gain)

    def take(self) -> tuple[list[Operation], str]:
        """The breakpoints gathered, as operations, and their description; then empty."""
        points, self._points = self._points, {}
        operations: list[Operation] = [
            AddAutomation(track, "gain_db", frame, gain)
            for track, frames in points.items()
            for frame, gain in sorted(frames.items())
        ]
        count = sum(len(frames) for frames in points.values())
        description = f"touch automation: {', '.join(points)} ({count} points)" if points else ""
        return operations, description


__all__ = ["METERS_PER_S", "Playback", "Touches"]

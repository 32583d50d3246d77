"""A Mackie Control surface over MIDI (mido): faders, mute, solo, transport, meters, LEDs.

The mapping (strips 1 to 8 are eight audio tracks, the first eight until the bank
buttons move them; MIDI channels and notes count from 0):

- fader of strip N: 14-bit pitch bend on channel N-1 (0..16383), the master fader on
  channel 8; the fader law is Ardour's Mackie Control law with +6 dB at the top
  (``fader_db``, ``fader_value``): position p = value/16383 and
  gain = 2 ** ((198 * p ** (1/8) - 192) / 6), in dB to 0.01 dB: 0 dB (unity) is
  value 12808, the top +6.02 dB, values 0..5 the floor (-120 dB);
- fader touch: notes 104+N-1 (the master 112), velocity 127 touched, 0 released;
- mute: note 16+N-1, solo: note 8+N-1 (a press toggles; the LED of the same note shows
  the state: velocity 127 lit, 0 dark);
- transport: play note 94, stop note 93;
- banking: BANK LEFT/RIGHT (notes 46/47) move the eight strips by eight tracks,
  CHANNEL LEFT/RIGHT (notes 48/49) by one; the bank never runs past the last track (with
  twelve tracks, strips 1-8 show tracks 1-8 or, banked right, 5-12); the faders, LEDs
  and meters follow the bank at once;
- meters: channel pressure on channel 0, value = (N-1) * 16 + level, level 0..12 from
  the strip's sample peak in dBFS (``meter_level``).

The mapping is pure functions (``action_of``, ``meter_messages``,
``feedback_messages``); ``MackieSurface`` joins them to a port and the writer.
"""

from __future__ import annotations

import bisect
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import mido

from postprod.console.surfaces.common import (
    GAIN_MAX_DB,
    GAIN_MIN_DB,
    MASTER,
    Apply,
    Strip,
    Strips,
    StripWriter,
    project_apply,
    with_pending,
)
from postprod.errors import PostprodError
from postprod.operations import Project, SetStrip

log = logging.getLogger("postprod.console.surfaces.mackie")

#: Faders, buttons and meters on one Mackie Control.
STRIPS = 8
FADER_MAX = 16383
MASTER_CHANNEL = 8
SOLO_NOTE = 8
MUTE_NOTE = 16
TOUCH_NOTE = 104
MASTER_TOUCH_NOTE = 112
STOP_NOTE = 93
PLAY_NOTE = 94
#: The bank buttons and how many tracks each moves the strips by.
BANK_NOTES = {46: -STRIPS, 47: STRIPS, 48: -1, 49: 1}
ON = 127

#: The fader's top: gain 2 (+6.02 dB), as Ardour's Mackie support has it.
FADER_TOP_DB = 20 * math.log10(2.0)
#: log2 of the gain per dB: the law works in sixths of a doubling (6 * log2(gain)).
_PER_DB = 6.0 / (20 * math.log10(2.0))

#: The dBFS at or above which each of the 12 meter segments lights (level = how many).
METER_SEGMENTS_DBFS = (-60.0, -50.0, -40.0, -30.0, -20.0, -14.0, -10.0, -8.0, -6.0, -4.0, -2.0, 0.0)


class Port(Protocol):
    """What the surface sends to: a mido output port (or anything with ``send``)."""

    def send(self, message: Any) -> None: ...


def fader_db(value: int) -> float:
    """A 14-bit fader position as dB to 0.01 dB (monotonic; the floor, -120 dB, at the
    bottom)."""
    position = min(max(value, 0), FADER_MAX) / FADER_MAX
    if position == 0.0:
        return GAIN_MIN_DB
    db = (198.0 * float(position ** (1 / 8)) - 192.0) / _PER_DB
    return min(max(round(db, 2) + 0.0, GAIN_MIN_DB), round(FADER_TOP_DB, 2))  # no -0.0


def fader_value(gain_db: float) -> int:
    """dB as a 14-bit fader position: ``fader_db``'s inverse (rounded; above +6.02 dB the
    top, at or below -120 dB the bottom)."""
    if gain_db <= GAIN_MIN_DB:
        return 0
    base = (_PER_DB * min(gain_db, FADER_TOP_DB) + 192.0) / 198.0
    return max(0, min(FADER_MAX, round(base**8 * FADER_MAX)))


#: Where a fader rests at 0 dB.
UNITY_VALUE = fader_value(0.0)


def meter_level(dbfs: float | None) -> int:
    """A sample peak in dBFS as a Mackie meter level, 0 (below -60) to 12 (0 dBFS and over)."""
    if dbfs is None or math.isnan(dbfs):
        return 0
    return bisect.bisect_right(METER_SEGMENTS_DBFS, dbfs)


@dataclass(frozen=True, slots=True)
class Transport:
    action: Literal["play", "stop"]


@dataclass(frozen=True, slots=True)
class Touch:
    track: str
    touched: bool


@dataclass(frozen=True, slots=True)
class Bank:
    """Move the strips along the tracks by ``step`` (a BANK or CHANNEL button)."""

    step: int


Action = SetStrip | Touch | Transport | Bank


def banked(strips: Sequence[Strip], offset: int) -> list[Strip]:
    """The strips the surface shows at bank ``offset`` (clamped to the tracks there are)."""
    return list(strips[clamp_offset(offset, len(strips)) :])


def clamp_offset(offset: int, tracks: int) -> int:
    """A bank offset kept between the first track and the last full bank."""
    return min(max(offset, 0), max(tracks - STRIPS, 0))


def action_of(message: mido.Message, strips: Sequence[Strip], master: Strip) -> Action | None:
    """What a message from the surface asks for, given the strips as they are now (a mute
    or solo press toggles); None for anything else (a button's release, a strip the
    project lacks)."""
    kind = message.type
    if kind == "pitchwheel":
        value = message.pitch + 8192
        if message.channel == MASTER_CHANNEL:
            return SetStrip(master.name, gain_db=fader_db(value))
        strip = _strip(strips, message.channel)
        return None if strip is None else SetStrip(strip.name, gain_db=fader_db(value))
    if kind not in ("note_on", "note_off"):
        return None
    note = message.note
    pressed = kind == "note_on" and message.velocity > 0
    if note == MASTER_TOUCH_NOTE:
        return Touch(master.name, pressed)
    if TOUCH_NOTE <= note < TOUCH_NOTE + STRIPS:
        strip = _strip(strips, note - TOUCH_NOTE)
        return None if strip is None else Touch(strip.name, pressed)
    if not pressed:
        return None
    if note == PLAY_NOTE:
        return Transport("play")
    if note == STOP_NOTE:
        return Transport("stop")
    if note in BANK_NOTES:
        return Bank(BANK_NOTES[note])
    if MUTE_NOTE <= note < MUTE_NOTE + STRIPS:
        strip = _strip(strips, note - MUTE_NOTE)
        return None if strip is None else SetStrip(strip.name, mute=not strip.mute)
    if SOLO_NOTE <= note < SOLO_NOTE + STRIPS:
        strip = _strip(strips, note - SOLO_NOTE)
        return None if strip is None else SetStrip(strip.name, solo=not strip.solo)
    return None


def _strip(strips: Sequence[Strip], index: int) -> Strip | None:
    return strips[index] if 0 <= index < min(len(strips), STRIPS) else None


def meter_messages(frame: Mapping[str, Any], strips: Sequence[Strip]) -> list[mido.Message]:
    """A meter frame (the console's ``meters`` message) as channel pressure, one per strip
    of the first eight the frame names: value (N-1)*16 + level of its ``peak_dbfs``."""
    meters = frame.get("strips") or {}
    out = []
    for index, strip in enumerate(strips[:STRIPS]):
        values = meters.get(strip.name)
        if not isinstance(values, Mapping):
            continue
        peak = values.get("peak_dbfs")
        level = meter_level(float(peak) if isinstance(peak, int | float) else None)
        out.append(mido.Message("aftertouch", channel=0, value=index * 16 + level))
    return out


def feedback_messages(
    strips: Sequence[Strip], master: Strip, *, faders: bool = True, hold: Sequence[str] = ()
) -> list[mido.Message]:
    """The surface's LEDs (mute, solo) and motor faders for the strips as they are; a fader
    named in ``hold`` (touched, or moving) is left where the hand has it."""
    out = []
    for index, strip in enumerate(strips[:STRIPS]):
        out.append(mido.Message("note_on", note=MUTE_NOTE + index, velocity=ON * strip.mute))
        out.append(mido.Message("note_on", note=SOLO_NOTE + index, velocity=ON * strip.solo))
        if faders and strip.name not in hold:
            out.append(_fader(index, strip.gain_db))
    if faders and master.name not in hold:
        out.append(_fader(MASTER_CHANNEL, master.gain_db))
    return out


def _fader(channel: int, gain_db: float) -> mido.Message:
    return mido.Message("pitchwheel", channel=channel, pitch=fader_value(gain_db) - 8192)


class MackieSurface:
    """A Mackie Control on the MIDI ports named ``port_name`` (opened by ``start``), or on
    ``port`` given ready (then the caller feeds ``handle`` the incoming messages).

    ``apply``, ``on_play`` and ``on_stop`` as for ``OscSurface``; ``publish_meters`` and
    ``publish_state`` drive the meters, LEDs and motor faders.
    """

    source = "mackie"

    def __init__(
        self,
        project: str | Path,
        port_name: str | None = None,
        *,
        port: Port | None = None,
        apply: Apply | None = None,
        on_play: Callable[[], object] | None = None,
        on_stop: Callable[[], object] | None = None,
        interval_s: float = 0.05,
    ) -> None:
        if port_name is None and port is None:
            raise PostprodError(
                "a Mackie Control surface needs a MIDI port",
                where="the console",
                fix="name the port (mido.get_ioport_names() lists them)",
            )
        self.project = Path(project)
        self.port_name = port_name
        self.port: Any = port
        self._opened: Any = None
        self.on_play = on_play
        self.on_stop = on_stop
        self.strips = Strips(self.project)
        self.offset = 0  # the track shown on strip 1 (banking), counted from 0
        self.writer = StripWriter(
            apply or project_apply(Project(self.project)),
            source=self.source,
            interval_s=interval_s,
            on_written=self.publish_state,
        )

    def start(self) -> None:
        """Open the named port (refused with the ports there are if it does not exist),
        start the writer and light the LEDs and faders."""
        if self.port is None and self.port_name is not None:
            self._opened = self.port = open_port(self.port_name, self.handle)
        self.writer.start()
        self.publish_state()

    def stop(self) -> None:
        """Write what is pending and close the port this surface opened."""
        self.writer.stop()
        if self._opened is not None:
            self._opened.close()
            self._opened = self.port = None

    def __enter__(self) -> MackieSurface:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle(self, message: mido.Message) -> None:
        """One message from the surface."""
        try:
            strips, master = self._shown()
            action = action_of(message, strips, master)
            if isinstance(action, Transport):
                callback = self.on_play if action.action == "play" else self.on_stop
                if callback is None:
                    log.warning("Mackie %s: this console has no transport (ignored)", action.action)
                else:
                    callback()
            elif isinstance(action, Bank):
                tracks = len(self.strips.current()[0])
                self.offset = clamp_offset(self.offset + action.step, tracks)
                self.publish_state()
            elif isinstance(action, Touch):
                self.writer.touch(action.track, action.touched)
            elif isinstance(action, SetStrip):
                values = {
                    name: getattr(action, name)
                    for name in ("gain_db", "mute", "solo")
                    if getattr(action, name) is not None
                }
                self.writer.set(action.track, **values)
        except Exception:  # a surface never brings the console down
            log.exception("Mackie %s failed", message)

    def _shown(self) -> tuple[list[Strip], Strip]:
        strips, master = self.strips.current()
        pending = self.writer.pending()
        return (
            [
                with_pending(strip, pending.get(strip.name, {}))
                for strip in banked(strips, self.offset)
            ],
            with_pending(master, pending.get(master.name, {})),
        )

    def _send(self, messages: Sequence[mido.Message]) -> None:
        port = self.port
        if port is None:
            return
        for message in messages:
            port.send(message)

    def publish_meters(self, frame: Mapping[str, Any]) -> None:
        """Show a meter frame (the console's ``meters`` message) on the strips' meters."""
        self._send(meter_messages(frame, banked(self.strips.current()[0], self.offset)))

    def publish_state(self) -> None:
        """Show the project's mute and solo on the LEDs and its faders on the motor faders
        (a fader being touched or moved is left alone)."""
        strips, master = self._shown()
        pending = self.writer.pending()
        hold = [
            s.name for s in (*strips, master) if self.writer.touched(s.name) or s.name in pending
        ]
        self._send(feedback_messages(strips, master, hold=hold))


def open_port(name: str, callback: Callable[[mido.Message], None]) -> Any:
    """The MIDI input and output called ``name``, incoming messages to ``callback``."""
    try:
        names = mido.get_ioport_names()
    except ImportError as error:  # no MIDI backend (python-rtmidi) installed
        raise PostprodError(
            f"no MIDI backend to open {name!r}: {error}",
            where="the Mackie Control surface",
            fix="install python-rtmidi",
        ) from error
    if name not in names:
        raise PostprodError(
            f"no MIDI port {name!r}",
            where="the Mackie Control surface",
            fix=f"choose one of: {', '.join(names)}" if names else "connect the surface",
        )
    return mido.open_ioport(name, callback=callback)


__all__ = [
    "FADER_MAX",
    "FADER_TOP_DB",
    "GAIN_MAX_DB",
    "MASTER",
    "UNITY_VALUE",
    "MackieSurface",
    "Touch",
    "Transport",
    "action_of",
    "fader_db",
    "fader_value",
    "feedback_messages",
    "meter_level",
    "meter_messages",
    "open_port",
]

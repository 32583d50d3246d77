"""MIDI timecode (MTC): quarter-frame messages, full-frame SysEx, Standard MIDI Files.

MTC carries SMPTE time over MIDI. Eight quarter-frame messages (status F1,
data ``0ppp vvvv``: piece ``p``, nibble ``v``) spread one label over two
frames, four per frame: frames low/high, seconds low/high, minutes low/high,
hours low, and hours high with the rate code (0 = 24, 1 = 25, 2 = 29.97
drop-frame, 3 = 30). The label of a set is the frame on which its piece 0 was
sent, so a receiver that has just read piece 7 is two frames further on: the
MIDI 1.0 MTC specification has it add two frames to what it decoded.
:func:`decode` states the same fact without the offset: each complete set
gives its label at the time of its piece 0 and the next frame at the time of
its piece 4. A full-frame SysEx (``F0 7F 7F 01 01 hh mm ss ff F7``, rate
code in bits 5-6 of ``hh``) locates a receiver at once, for example after a
jump; it names the frame at the time it is sent.

MTC has those four rate codes only: 23.976 travels as code 0 (24) and 29.97
non-drop as code 3 (30), timed at the true rate; 48 fps and above are refused.
A receiver cannot tell them apart, so :func:`decode` reports the code's rate
(24, 25, 29.97 drop-frame or 30) with every frame.

In a Standard MIDI File written here the tempo is chosen so that one beat
is one second of nominal frames (1.001 s at the NTSC rates) and one tick is
one quarter frame: every message time is exact. Files from elsewhere are
read at any division (ticks per beat through the whole tempo map, or an
SMPTE division of frames and ticks per frame), exactly, in fractions.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import mido

from postprod.atomic import replacing
from postprod.errors import TimecodeError
from postprod.timecode.rate import FrameRate
from postprod.timecode.smpte import (
    Timecode,
    fields_to_frames,
    frames_to_fields,
    frames_to_label,
    to_frames,
)

_RATE_CODES = {(24, False): 0, (25, False): 1, (30, True): 2, (30, False): 3}
_CODE_RATES = {0: "24", 1: "25", 2: "29.97df", 3: "30"}


@dataclass(frozen=True, slots=True)
class TimedMessage:
    """A MIDI message and when it is sent, in exact seconds from the start."""

    seconds: Fraction
    message: mido.Message


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    """A frame a receiver located: its label, frame count and arrival time."""

    timecode: str
    frames: int
    seconds: Fraction
    rate: FrameRate


def rate_code(rate: FrameRate) -> int:
    """The MTC rate code for ``rate``, or a clear refusal."""
    code = _RATE_CODES.get((rate.nominal, rate.drop_frame))
    if code is None:
        raise TimecodeError(
            f"MIDI timecode has no rate code for {rate}",
            fix="use 23.976, 24, 25, 29.97 (drop or non-drop) or 30 fps",
        )
    return code


def quarter_frames(label_frames: int, rate: FrameRate) -> list[mido.Message]:
    """The eight quarter-frame messages that carry the label of frame ``label_frames``."""
    hh, mm, ss, ff = (int(v) for v in frames_to_fields(label_frames, rate))
    code = rate_code(rate)
    nibbles = (
        ff & 0xF,
        ff >> 4,
        ss & 0xF,
        ss >> 4,
        mm & 0xF,
        mm >> 4,
        hh & 0xF,
        (code << 1) | (hh >> 4),
    )
    return [
        mido.Message("quarter_frame", frame_type=piece, frame_value=value)
        for piece, value in enumerate(nibbles)
    ]


def full_frame(label_frames: int, rate: FrameRate) -> mido.Message:
    """The full-frame SysEx locating a receiver at frame ``label_frames``."""
    hh, mm, ss, ff = (int(v) for v in frames_to_fields(label_frames, rate))
    return mido.Message(
        "sysex", data=[0x7F, 0x7F, 0x01, 0x01, (rate_code(rate) << 5) | hh, mm, ss, ff]
    )


def encode(
    start: Timecode | str | int,
    rate: FrameRate | str,
    duration_s: float | Fraction | None = None,
    *,
    n_frames: int | None = None,
) -> list[TimedMessage]:
    """A full frame at the start, then quarter frames for ``duration_s`` seconds or
    ``n_frames`` frames of running timecode from ``start`` (a label, ``Timecode`` or
    frame count).

    Quarter frame ``q`` is sent at exactly ``q / (4 * fps)`` s. The length is
    cut down to whole sets of eight (two frames), the unit a receiver reads.
    """
    rate = FrameRate.parse(rate)
    rate.require_smpte()
    rate_code(rate)
    if isinstance(start, Timecode) and start.rate != rate:
        raise TimecodeError(
            f"start {start} is at {start.rate}, not at {rate}",
            fix="give the start at the rate you encode at",
        )
    start_frames = to_frames(start, rate)
    if (duration_s is None) == (n_frames is None):
        raise TimecodeError("give either a duration in seconds or a number of frames")
    if n_frames is None:
        exact = Fraction(repr(duration_s)) if isinstance(duration_s, float) else duration_s
        n_frames = int(Fraction(exact or 0) * rate.fps)
    frames = n_frames - n_frames % 2  # quarter frames come in sets of two frames
    if frames < 2:
        raise TimecodeError(
            f"{n_frames} frame(s) of MIDI timecode is less than one set of quarter frames",
            fix="give at least two frames' duration",
        )
    quarter_s = 1 / (4 * rate.fps)
    messages = [TimedMessage(Fraction(0), full_frame(start_frames, rate))]
    for pair in range(0, frames, 2):
        for piece, message in enumerate(quarter_frames(start_frames + pair, rate)):
            messages.append(TimedMessage((4 * pair + piece) * quarter_s, message))
    return messages


def decode(messages: Iterable[TimedMessage]) -> list[DecodedFrame]:
    """Every frame a receiver can place: full frames, and two per complete quarter-frame set.

    A set is complete when pieces 0 to 7 arrive in order; a gap or a jump
    starts a new set. The set's label belongs to the time of its piece 0 and
    the next frame to the time of its piece 4.
    """
    found: list[DecodedFrame] = []
    pieces: list[int] = []
    times: list[Fraction] = []
    for timed in messages:
        message = timed.message
        if message.type == "sysex":
            located = _from_full_frame(message.data, timed.seconds)
            if located is not None:
                found.append(located)
            pieces, times = [], []
        elif message.type == "quarter_frame":
            if message.frame_type != len(pieces):
                pieces, times = [], []
                if message.frame_type != 0:
                    continue
            pieces.append(message.frame_value)
            times.append(timed.seconds)
            if len(pieces) == 8:
                for frame in _from_set(pieces, times):
                    if not (found and _same(found[-1], frame)):  # already located by a full frame
                        found.append(frame)
                pieces, times = [], []
    return found


def _from_set(pieces: list[int], times: list[Fraction]) -> Iterator[DecodedFrame]:
    code = pieces[7] >> 1
    rate = FrameRate.parse(_CODE_RATES[code])
    hh = pieces[6] | ((pieces[7] & 1) << 4)
    mm = pieces[4] | (pieces[5] << 4)
    ss = pieces[2] | (pieces[3] << 4)
    ff = pieces[0] | (pieces[1] << 4)
    frames = _checked(hh, mm, ss, ff, rate)
    if frames is None:
        return
    for step, when in ((0, times[0]), (1, times[4])):
        count = (frames + step) % rate.frames_per_day
        yield DecodedFrame(frames_to_label(count, rate), count, when, rate)


def _same(a: DecodedFrame, b: DecodedFrame) -> bool:
    return a.frames == b.frames and a.seconds == b.seconds


def _from_full_frame(data: tuple[int, ...] | list[int], seconds: Fraction) -> DecodedFrame | None:
    if len(data) != 8 or list(data[:4]) != [0x7F, 0x7F, 0x01, 0x01]:
        return None
    rate = FrameRate.parse(_CODE_RATES[(data[4] >> 5) & 0x3])
    frames = _checked(data[4] & 0x1F, data[5], data[6], data[7], rate)
    if frames is None:
        return None
    return DecodedFrame(frames_to_label(frames, rate), frames, seconds, rate)


def _checked(hh: int, mm: int, ss: int, ff: int, rate: FrameRate) -> int | None:
    """Frames for the fields, or ``None`` for a label that cannot exist (a corrupt message)."""
    if hh > 23 or mm > 59 or ss > 59 or ff >= rate.nominal:
        return None
    if rate.drop_frame and ss == 0 and mm % 10 and ff < rate.dropped_per_minute:
        return None
    return int(fields_to_frames(hh, mm, ss, ff, rate))


def write_smf(
    messages: list[TimedMessage], path: str | os.PathLike[str], rate: FrameRate | str
) -> Path:
    """A type-0 Standard MIDI File of ``messages``, one tick per quarter frame; atomic."""
    rate = FrameRate.parse(rate)
    beat_s = rate.nominal / rate.fps  # one beat is ``nominal`` frames
    ticks_per_beat = 4 * rate.nominal
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=int(beat_s * 1_000_000), time=0))
    last = 0
    for timed in messages:
        tick = timed.seconds / beat_s * ticks_per_beat
        if tick.denominator != 1:
            raise TimecodeError(f"message at {float(timed.seconds)} s is not on a quarter frame")
        track.append(timed.message.copy(time=int(tick) - last))
        last = int(tick)
    track.append(mido.MetaMessage("end_of_track", time=0))
    midi = mido.MidiFile(type=0, ticks_per_beat=ticks_per_beat)
    midi.tracks.append(track)
    with replacing(path) as temporary:
        midi.save(str(temporary))
    return Path(path)


def read_smf(path: str | os.PathLike[str]) -> list[TimedMessage]:
    """The messages of a Standard MIDI File with exact times, following its tempo changes."""
    source = Path(path)
    if source.is_dir():
        raise TimecodeError(
            f"{source} is a folder, not a MIDI file", where=str(source), fix="give a .mid file"
        )
    if not source.is_file():
        raise TimecodeError(
            f"MIDI file {source} does not exist", where=str(source), fix="check the path"
        )
    if source.stat().st_size == 0:
        raise TimecodeError(
            f"MIDI file {source.name} is empty (0 bytes)",
            where=str(source),
            fix="export it again as a .mid file",
        )
    try:
        midi = mido.MidiFile(str(source))
    except (OSError, EOFError, ValueError, KeyError, IndexError) as error:
        reason = "it ends too early" if isinstance(error, EOFError) else str(error) or "unreadable"
        raise TimecodeError(
            f"{source.name} is not a readable Standard MIDI File ({reason})",
            where=str(source),
            fix="export it again as a .mid file",
        ) from None
    timed = [
        TimedMessage(seconds, message)
        for seconds, message in _timed(midi, source)
        if not message.is_meta
    ]
    timed.sort(key=lambda t: t.seconds)
    return timed


def _timed(midi: mido.MidiFile, source: Path) -> Iterator[tuple[Fraction, mido.Message]]:
    """Every message of every track with its exact time in seconds.

    With a metrical division (ticks per beat), time follows the tempo map:
    every ``set_tempo`` in the file, whichever track holds it (type 0 and 1;
    a type-2 file's tracks are independent sequences, each with its own
    tempo). With an SMPTE division (the header's negative frame rate and
    ticks per frame), a tick is a fixed fraction of a second and tempo does
    not apply. mido reads the division as a signed number and keeps it.
    """
    division = midi.ticks_per_beat
    tracks = [_absolute(track) for track in midi.tracks]
    if division < 0:
        per_s = _smpte_ticks_per_second(division, source)
        for track in tracks:
            for tick, message in track:
                yield Fraction(tick) / per_s, message
        return
    if division == 0:
        raise TimecodeError(
            f"{source.name} has a division of 0 ticks per beat",
            where=str(source),
            fix="export it again as a .mid file",
        )
    groups = [[track] for track in tracks] if midi.type == 2 else [tracks]
    for group in groups:
        clock = _TempoMap(
            [(tick, m.tempo) for track in group for tick, m in track if m.type == "set_tempo"],
            division,
        )
        for track in group:
            for tick, message in track:
                yield clock.seconds(tick), message


def _absolute(track: mido.MidiTrack) -> list[tuple[int, mido.Message]]:
    """The track's messages with their tick counted from the start (not from the last)."""
    tick, result = 0, []
    for message in track:
        tick += message.time
        result.append((tick, message))
    return result


def _smpte_ticks_per_second(division: int, source: Path) -> Fraction:
    """Ticks per second of an SMPTE division: frames per second times ticks per frame."""
    raw = division & 0xFFFF
    code, per_frame = 256 - (raw >> 8), raw & 0xFF
    fps = {24: Fraction(24), 25: Fraction(25), 29: Fraction(30000, 1001), 30: Fraction(30)}
    if code not in fps or per_frame == 0:
        raise TimecodeError(
            f"{source.name} has an SMPTE division of {code} fps and {per_frame} ticks per "
            "frame, which the MIDI file standard does not have (24, 25, 29 or 30 fps)",
            where=str(source),
            fix="export it again as a .mid file",
        )
    return fps[code] * per_frame


class _TempoMap:
    """Seconds at a tick, following tempo changes exactly (microseconds per beat)."""

    def __init__(self, changes: list[tuple[int, int]], division: int) -> None:
        self._division = division
        self._ticks = [0]
        self._tempi = [500_000]  # 120 BPM until the first set_tempo
        self._seconds = [Fraction(0)]
        for tick, tempo in sorted(changes, key=lambda change: change[0]):
            self._seconds.append(self.seconds(tick))
            self._ticks.append(tick)
            self._tempi.append(tempo)

    def seconds(self, tick: int) -> Fraction:
        k = bisect_right(self._ticks, tick) - 1
        elapsed = tick - self._ticks[k]
        return self._seconds[k] + Fraction(elapsed * self._tempi[k], 1_000_000 * self._division)

"""MTC read back from Standard MIDI Files written by mido the way other tools write them:
tempo maps anywhere in the file, divisions other than postprod's, SMPTE divisions."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

import mido
import pytest

from postprod.errors import TimecodeError
from postprod.timecode import FrameRate, label_to_frames
from postprod.timecode.mtc import TimedMessage, decode, encode, read_smf


def _messages(spelling: str, seconds: int = 3) -> tuple[FrameRate, int, list[TimedMessage]]:
    rate = FrameRate.parse(spelling)
    start = label_to_frames("01:00:00;00" if rate.drop_frame else "01:00:00:00", rate)
    return rate, start, encode(start, rate, seconds)


def _track(ticks: list[int], messages: list[mido.Message]) -> mido.MidiTrack:
    """A track of ``messages`` at absolute ``ticks`` (delta times are written)."""
    track, last = mido.MidiTrack(), 0
    for tick, message in sorted(zip(ticks, messages, strict=True), key=lambda p: p[0]):
        track.append(message.copy(time=tick - last))
        last = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def _check(path: Path, rate: FrameRate, start: int, count: int) -> None:
    decoded = decode(read_smf(path))
    frames = count // 2 * 2
    assert [d.frames for d in decoded] == list(range(start, start + frames))
    assert [d.seconds for d in decoded] == [k / rate.fps for k in range(frames)]


def test_a_tempo_map_in_the_conductor_track_and_elsewhere(tmp_path: Path) -> None:
    """Type 1 at 480 ticks per beat: 100 BPM from the conductor track, then 150 BPM from a
    tempo change that another track holds, at tick 800 (one second in)."""
    rate, start, messages = _messages("25")
    # 100 BPM at 480 ticks per beat: 800 ticks per second; 150 BPM: 1200 ticks per second.
    ticks = [
        int(t.seconds * 800) if t.seconds <= 1 else int(800 + (t.seconds - 1) * 1200)
        for t in messages
    ]
    assert all(
        Fraction(tick) == (t.seconds * 800 if t.seconds <= 1 else 800 + (t.seconds - 1) * 1200)
        for tick, t in zip(ticks, messages, strict=True)
    )
    midi = mido.MidiFile(type=1, ticks_per_beat=480)
    midi.tracks.append(_track([0], [mido.MetaMessage("set_tempo", tempo=600_000)]))
    midi.tracks.append(_track(ticks, [t.message for t in messages]))
    midi.tracks.append(_track([800], [mido.MetaMessage("set_tempo", tempo=400_000)]))
    midi.save(str(tmp_path / "map.mid"))
    _check(tmp_path / "map.mid", rate, start, 3 * 25)


@pytest.mark.parametrize(("division", "bpm"), [(96, 90), (960, 137), (24, 120)])
def test_any_division_and_tempo_in_one_track(tmp_path: Path, division: int, bpm: int) -> None:
    rate, start, messages = _messages("30")
    tempo = 60_000_000 // bpm
    per_s = Fraction(division * 1_000_000, tempo)
    ticks = [round(t.seconds * per_s) for t in messages]  # the nearest tick, as a sequencer
    midi = mido.MidiFile(type=0, ticks_per_beat=division)
    midi.tracks.append(
        _track(
            [0, *ticks],
            [mido.MetaMessage("set_tempo", tempo=tempo), *(t.message for t in messages)],
        )
    )
    midi.save(str(tmp_path / "one.mid"))
    decoded = decode(read_smf(tmp_path / "one.mid"))
    assert [d.frames for d in decoded] == list(range(start, start + 90))
    # Within half a tick of the true time.
    assert max(abs(d.seconds - k / rate.fps) for k, d in enumerate(decoded)) <= 1 / (2 * per_s)


@pytest.mark.parametrize(("spelling", "code", "per_frame"), [("25", 25, 40), ("29.97df", 29, 80)])
def test_smpte_division(tmp_path: Path, spelling: str, code: int, per_frame: int) -> None:
    """The header's division as -fps and ticks per frame (tempo does not apply)."""
    rate, start, messages = _messages(spelling)
    fps = Fraction(30000, 1001) if code == 29 else Fraction(code)
    ticks = [t.seconds * fps * per_frame for t in messages]
    assert all(tick.denominator == 1 for tick in ticks)
    division = struct.unpack(">h", bytes([256 - code, per_frame]))[0]
    midi = mido.MidiFile(type=0, ticks_per_beat=division)
    midi.tracks.append(
        _track(
            [0, *(int(t) for t in ticks)],
            [mido.MetaMessage("set_tempo", tempo=250_000), *(t.message for t in messages)],
        )
    )
    midi.save(str(tmp_path / "smpte.mid"))
    _check(tmp_path / "smpte.mid", rate, start, int(3 * rate.fps))


def test_type_2_tracks_keep_their_own_tempo(tmp_path: Path) -> None:
    rate, start, messages = _messages("24", 2)
    midi = mido.MidiFile(type=2, ticks_per_beat=96)
    # Track 0: a different sequence at a fast tempo, which must not time track 1.
    midi.tracks.append(_track([0, 50], [mido.MetaMessage("set_tempo", tempo=100_000)] * 2))
    ticks = [int(t.seconds * 96) for t in messages]  # 60 BPM, 96 ticks a beat: a quarter frame
    midi.tracks.append(
        _track(
            [0, *ticks],
            [mido.MetaMessage("set_tempo", tempo=1_000_000), *(t.message for t in messages)],
        )
    )
    midi.save(str(tmp_path / "two.mid"))
    _check(tmp_path / "two.mid", rate, start, 2 * 24)


def test_an_impossible_smpte_division_is_one_error(tmp_path: Path) -> None:
    midi = mido.MidiFile(type=0, ticks_per_beat=struct.unpack(">h", bytes([256 - 27, 4]))[0])
    midi.tracks.append(_track([10], [mido.Message("note_on")]))
    midi.save(str(tmp_path / "bad.mid"))
    with pytest.raises(TimecodeError, match="27 fps"):
        read_smf(tmp_path / "bad.mid")

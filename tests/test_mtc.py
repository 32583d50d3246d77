"""MIDI timecode round trips at every MTC rate code, through a MIDI file too."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import mido
import pytest

from postprod.cli import main
from postprod.errors import TimecodeError
from postprod.timecode import FrameRate, Timecode, label_to_frames
from postprod.timecode.mtc import (
    TimedMessage,
    decode,
    encode,
    full_frame,
    quarter_frames,
    rate_code,
    read_smf,
    write_smf,
)

RATES = ["24", "25", "29.97df", "30", "23.976", "29.97ndf"]


@pytest.mark.parametrize("spelling", RATES)
def test_round_trip_every_frame_and_its_time(spelling: str, tmp_path: Path) -> None:
    rate = FrameRate.parse(spelling)
    start = label_to_frames("00:58:59;20" if rate.drop_frame else "00:58:59:20", rate)
    messages = encode(start, rate, 4)  # crosses a minute (and frames dropped at 29.97 DF)
    for decoded in (
        decode(messages),
        decode(read_smf(write_smf(messages, tmp_path / "a.mid", rate))),
    ):
        frame_count = int(4 * rate.fps) // 2 * 2
        assert [d.frames for d in decoded] == list(range(start, start + frame_count))
        assert [d.seconds for d in decoded] == [k / rate.fps for k in range(frame_count)]
        assert decoded[0].rate.nominal == rate.nominal
        assert decoded[0].rate.drop_frame == rate.drop_frame


def test_quarter_frame_pieces_and_rate_code() -> None:
    rate = FrameRate.parse("29.97")
    pieces = quarter_frames(label_to_frames("23:59:58;02", rate), rate)
    assert [m.frame_type for m in pieces] == list(range(8))
    values = [m.frame_value for m in pieces]
    assert values[0] | values[1] << 4 == 2  # frames
    assert values[2] | values[3] << 4 == 58  # seconds
    assert values[4] | values[5] << 4 == 59  # minutes
    assert values[6] | (values[7] & 1) << 4 == 23  # hours
    assert values[7] >> 1 == 2 == rate_code(rate)  # 29.97 drop-frame
    assert full_frame(0, FrameRate.parse("25")).bytes() == [
        0xF0,
        0x7F,
        0x7F,
        1,
        1,
        0x20,
        0,
        0,
        0,
        0xF7,
    ]


def test_an_interrupted_set_is_not_decoded() -> None:
    rate = FrameRate.parse("25")
    messages = encode(100, rate, 1)[1:]  # no full frame
    del messages[3]  # lose piece 3 of the first set
    decoded = decode(messages)
    assert decoded[0].frames == 102  # the first complete set is the second one


def test_high_rates_are_refused() -> None:
    with pytest.raises(TimecodeError, match="no rate code"):
        encode(0, "50", 1)


def test_not_a_midi_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd garbage")
    with pytest.raises(TimecodeError, match=r"bad\.mid is not a readable"):
        read_smf(bad)
    empty = tmp_path / "empty.mid"
    empty.write_bytes(b"")
    with pytest.raises(TimecodeError, match=r"empty\.mid is empty"):
        read_smf(empty)
    with pytest.raises(TimecodeError, match="does not exist"):
        read_smf(tmp_path / "missing.mid")
    with pytest.raises(TimecodeError, match="folder"):
        read_smf(tmp_path)


def test_full_frame_alone_locates_a_receiver() -> None:
    rate = FrameRate.parse("29.97")
    jump = label_to_frames("13:24:59;29", rate)
    decoded = decode([TimedMessage(Fraction(7, 2), full_frame(jump, rate))])
    assert [(d.timecode, d.frames, d.seconds) for d in decoded] == [
        ("13:24:59;29", jump, Fraction(7, 2))
    ]
    assert decoded[0].rate == rate
    assert full_frame(jump, rate).bytes() == [0xF0, 0x7F, 0x7F, 1, 1, 0x40 | 13, 24, 59, 29, 0xF7]
    corrupt = mido.Message("sysex", data=[0x7F, 0x7F, 1, 1, 0x60, 61, 0, 0])  # minute 61
    assert decode([TimedMessage(Fraction(0), corrupt)]) == []


def test_a_jump_relocates() -> None:
    rate = FrameRate.parse("25")
    before = encode("01:00:00:00", rate, n_frames=4)
    after = encode("02:00:00:00", rate, n_frames=4)
    later = [TimedMessage(m.seconds + 1, m.message) for m in after]
    decoded = decode(before + later)
    assert [d.timecode for d in decoded] == [
        "01:00:00:00", "01:00:00:01", "01:00:00:02", "01:00:00:03",
        "02:00:00:00", "02:00:00:01", "02:00:00:02", "02:00:00:03",
    ]  # fmt: skip
    assert decoded[4].seconds == 1


def test_start_and_length_arguments() -> None:
    rate = FrameRate.parse("24")
    by_label = encode("00:00:10:00", rate, n_frames=5)  # cut to whole sets: 4 frames
    assert len(by_label) == 1 + 2 * 8
    assert [(m.seconds, m.message) for m in by_label] == [
        (m.seconds, m.message) for m in encode(Timecode(240, rate), rate, Fraction(1, 6))
    ]
    with pytest.raises(TimecodeError, match="less than one set"):
        encode(0, rate, n_frames=1)
    with pytest.raises(TimecodeError, match="either"):
        encode(0, rate)


def test_messages_land_on_exact_ticks(tmp_path: Path) -> None:
    rate = FrameRate.parse("29.97")
    path = write_smf(encode(0, rate, 1), tmp_path / "a.mid", rate)
    midi = mido.MidiFile(str(path))
    assert midi.ticks_per_beat == 120
    deltas = [m.time for m in midi.tracks[0] if not m.is_meta]
    assert set(deltas[2:]) == {1}  # one tick per quarter frame
    assert isinstance(read_smf(path)[5], TimedMessage)
    assert read_smf(path)[5].seconds == Fraction(4 * 1001, 120000)


def test_cli_encode_decode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tc.mid"
    args = ["tc", "mtc", "encode", "--start", "01:00:00:00", "--rate", "25", "--duration", "2"]
    assert main([*args, "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["tc", "mtc", "decode", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 50
    assert data[0] == {"timecode": "01:00:00:00", "seconds": 0.0}
    assert data[-1] == {"timecode": "01:00:01:24", "seconds": 1.96}
    assert main(["tc", "mtc", "decode", str(out)]) == 0
    table = capsys.readouterr().out
    for text in ("01:00:00:00 at 0.000 s", "01:00:01:24 at 1.960 s", "50", "25"):
        assert text in table


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tc", "mtc", "decode", str(tmp_path / "nope.mid")]) == 2
    assert "nope.mid" in capsys.readouterr().err
    silent = tmp_path / "notes.mid"
    midi = mido.MidiFile()
    midi.tracks.append(mido.MidiTrack([mido.Message("note_on", note=60, time=0)]))
    midi.save(str(silent))
    assert main(["tc", "mtc", "decode", str(silent), "--json"]) == 2
    assert "no MIDI timecode found in notes.mid" in capsys.readouterr().err
    args = ["tc", "mtc", "encode", "--start", "00:00:00:00", "--duration", "1"]
    assert main([*args, "--rate", "50", "-o", str(tmp_path / "x.mid")]) == 2
    assert "no rate code" in capsys.readouterr().err
    assert not (tmp_path / "x.mid").exists()

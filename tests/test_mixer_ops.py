"""The console and a clip's sound from the command line: measured in the mix, undone byte for byte."""

from __future__ import annotations

import json
import shlex
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from media_factory import tone, write_wav
from postprod import operations as ops
from postprod.audio.fades import fade_gain
from postprod.cli import main
from postprod.media import read_audio
from postprod.project import save_project
from postprod.project.history import History
from postprod.timeline.metadata import console_of
from postprod.timeline.model import media_clip, rational_time, time_range

RATE = 48000
FPS = Fraction(25)
SECONDS = 4
CLICK_AT = RATE // 2  # the impulse's sample in click.wav
CENTRE = np.sqrt(0.5)  # a centred mono track: -3.01 dB each side
TC = "01:00:01:10"  # inside the clip of A2 (frames 25..75)


def _sources(folder: Path) -> dict[str, Path]:
    click = np.zeros((1, RATE * SECONDS), np.float32)
    click[0, CLICK_AT] = 0.5
    return {
        "tone": write_wav(folder / "tone.wav", tone(RATE * SECONDS, RATE, 1000), codec="pcm_f32le"),
        "dc": write_wav(
            folder / "dc.wav", np.full((1, RATE * SECONDS), 0.5, np.float32), codec="pcm_f32le"
        ),
        "click": write_wav(folder / "click.wav", click, codec="pcm_f32le"),
    }


def _project(folder: Path, *sounds: str) -> Path:
    """A1, A2, ... each with one source: at the start for 3 s; ``dc`` after a 1 s gap for
    2 s (no gap after: the first edit would tidy it away). The programme starts at
    01:00:00:00 at 25 fps."""
    files = _sources(folder)
    timeline = otio.schema.Timeline("console", global_start_time=rational_time(90_000, FPS))
    for index, sound in enumerate(sounds):
        track = otio.schema.Track(f"A{index + 1}", kind=otio.schema.TrackKind.Audio)
        lead, frames = (25, 50) if sound == "dc" else (0, 75)
        if lead:
            track.append(otio.schema.Gap(source_range=time_range(0, lead, FPS)))
        track.append(
            media_clip(
                Path(files[sound].name),
                name=sound,
                rate=FPS,
                available_frames=SECONDS * 25,
                duration=frames,
            )
        )
        timeline.tracks.append(track)
    return save_project(timeline, folder / "p.otio")


def _run(line: str, project: Path) -> int:
    """``mixer P ...`` or ``clip P ...`` (the group first, the project put after it)."""
    group, *rest = shlex.split(line)
    return main([group, str(project), *rest])


def _ok(line: str, project: Path) -> None:
    assert _run(line, project) == 0, line


def _mix(project: Path) -> np.ndarray:
    out = project.with_name("mix.wav")
    assert main(["mix", str(project), "-o", str(out), "--bit-depth", "32f"]) == 0
    mix, _ = read_audio(out)
    return mix


def _db(value: float) -> float:
    return float(20 * np.log10(value))


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


STEADY = slice(RATE // 2, RATE * 5 // 2)  # 2 s of whole 1 kHz periods, clear of the edges


def test_a_fader_at_minus_6_db_measures_6_db_down(tmp_path: Path) -> None:
    project = _project(tmp_path, "tone")
    unity = _mix(project)[0, STEADY]
    assert _rms(unity) == pytest.approx(0.5 * CENTRE / np.sqrt(2), rel=1e-6)
    _ok("mixer set --track A1 --gain-db -6", project)
    down = _mix(project)[0, STEADY]
    # 10 ** (-6 / 20): the fader's dB are the mix's dB (a halving would be -6.02)
    assert _db(_rms(down) / _rms(unity)) == pytest.approx(-6.0, abs=0.01)
    assert _db(np.abs(down).max() / np.abs(unity).max()) == pytest.approx(-6.0, abs=0.01)
    _ok("mixer set --master --gain-db -4", project)
    assert _db(_rms(_mix(project)[0, STEADY]) / _rms(unity)) == pytest.approx(-10.0, abs=0.01)


def test_pan_hard_left_leaves_the_right_channel_silent(tmp_path: Path) -> None:
    project = _project(tmp_path, "tone")
    _ok("mixer set --track A1 --pan -1", project)
    mix = _mix(project)
    right = np.abs(mix[1]).max()
    assert right == 0 or _db(right) < -120
    assert _rms(mix[0, STEADY]) == pytest.approx(0.5 / np.sqrt(2), rel=1e-5)  # all of it left
    _ok("mixer set --track A1 --pan 0.2", project)  # options not given stay: pan only
    again = _mix(project)
    assert _rms(again[1, STEADY]) > _rms(again[0, STEADY])


def test_a_send_to_a_delay_bus_echoes_at_the_delay_time(tmp_path: Path) -> None:
    project = _project(tmp_path, "click")
    dry = _mix(project)[0]
    assert int(np.argmax(np.abs(dry))) == CLICK_AT
    assert np.abs(dry[CLICK_AT + 1 :]).max() < 1e-7
    _ok("mixer bus add echo", project)
    _ok("mixer insert add --bus echo delay delay_s=0.25 mix=1 feedback=0", project)
    _ok("mixer send add --track A1 --bus echo --level-db 0", project)
    mix = _mix(project)[0]
    after = CLICK_AT + 1
    echo = after + int(np.argmax(np.abs(mix[after:])))
    assert echo == CLICK_AT + RATE // 4  # exactly 0.25 s later, to the sample
    assert mix[CLICK_AT] == pytest.approx(0.5 * CENTRE, abs=1e-6)  # the dry path unchanged
    assert mix[echo] == pytest.approx(0.5 * CENTRE, rel=1e-3)  # a post-fader send at 0 dB
    _ok("mixer send set --track A1 --bus echo --level-db -6", project)
    assert _db(abs(_mix(project)[0][echo]) / (0.5 * CENTRE)) == pytest.approx(-6.0, abs=0.01)


def test_clip_gain_fades_and_effects_are_heard(tmp_path: Path) -> None:
    project = _project(tmp_path, "dc")
    start, end = RATE, 3 * RATE  # the clip: 01:00:01:00 .. 01:00:03:00
    _ok(f"clip gain -t A1 --at {TC} --db -3", project)
    mix = _mix(project)[0] / CENTRE
    assert _db(mix[2 * RATE] / 0.5) == pytest.approx(-3.0, abs=0.01)
    _ok(f"clip fade-in -t A1 --at {TC} --frames 10 --curve log", project)
    _ok(f"clip fade-out -t A1 --at {TC} --frames 5 --curve s-curve", project)
    mix = _mix(project)[0] / CENTRE
    level = 0.5 * 10 ** (-3 / 20)
    n_in, n_out = RATE * 10 // 25, RATE * 5 // 25
    expected_in = level * fade_gain((np.arange(n_in) + 0.5) / n_in, "logarithmic")
    np.testing.assert_allclose(mix[start : start + n_in], expected_in, atol=1e-5)
    expected_out = level * fade_gain((np.arange(n_out)[::-1] + 0.5) / n_out, "s-curve")
    np.testing.assert_allclose(mix[end - n_out : end], expected_out, atol=1e-5)
    _ok(f"clip effects add -t A1 --at {TC} gain gain_db=-6", project)
    _ok(f"clip effects add -t A1 --at {TC} highpass cutoff_frequency_hz=100 --position 1", project)
    _ok(f"clip effects remove -t A1 --at {TC} 1", project)  # the high-pass: DC passes again
    assert _db(_mix(project)[0][2 * RATE] / CENTRE / 0.5) == pytest.approx(-9.0, abs=0.01)
    _ok(f"clip effects clear -t A1 --at {TC}", project)
    assert _db(_mix(project)[0][2 * RATE] / CENTRE / 0.5) == pytest.approx(-3.0, abs=0.01)


def test_automation_moves_the_fader_at_its_frame(tmp_path: Path) -> None:
    project = _project(tmp_path, "tone")
    unity = _mix(project)[0]
    _ok("mixer automation add --track A1 gain_db --at 01:00:00:00 0 --curve hold", project)
    _ok("mixer automation add --track A1 gain_db --at 01:00:01:00 -20", project)  # negative
    ratio = _mix(project)[0] / np.where(np.abs(unity) > 0.01, unity, np.nan)
    sounding = ~np.isnan(ratio)
    before, after = sounding[: RATE + 0], sounding[RATE : 3 * RATE]
    np.testing.assert_allclose(ratio[:RATE][before], 1.0, rtol=1e-5)
    np.testing.assert_allclose(ratio[RATE : 3 * RATE][after], 0.1, rtol=1e-5)  # from 1 s on
    _ok("mixer automation add --track A1 gain_db --at 25 --value -6", project)  # replaces it
    ratio = _mix(project)[0, RATE : 3 * RATE] / np.where(after, unity[RATE : 3 * RATE], np.nan)
    np.testing.assert_allclose(ratio[after], 10 ** (-6 / 20), rtol=1e-5)
    _ok("mixer automation clear --track A1 gain_db", project)
    np.testing.assert_array_equal(_mix(project)[0], unity)


#: Every command, in an order where each one's prerequisites exist.
COMMANDS = [
    "mixer set --track A1 --gain-db -6 --pan -0.2",
    "mixer set --track A1 --mute",
    "mixer set --track A1 --unmute --solo --polarity",
    "mixer set --track A1 --unsolo --no-polarity",
    "mixer set --master --gain-db -1",
    "mixer bus add fx",
    "mixer bus add dx --to fx",
    "mixer bus route dx --to master",
    "mixer bus set dx --gain-db -2",
    "mixer set --bus fx --gain-db -3",
    "mixer insert add --track A1 compressor ratio=4",
    "mixer insert add --track A1 gain gain_db=-3 --position 1",
    "mixer insert move --track A1 1 --to 2",
    "mixer insert set --track A1 2 gain_db=-6",
    "mixer insert remove --track A1 1",
    "mixer insert add --bus fx delay delay_s=0.25",
    "mixer insert add --master limiter ceiling_db=-2",
    "mixer send add --track A1 --bus fx --level-db -10 --pre",
    "mixer send set --track A1 --bus fx --level-db -12 --post",
    "mixer send remove --track A1 --bus fx",
    "mixer set --track A2 --output dx",
    "mixer automation add --track A1 gain_db --at 01:00:00:00 -6",
    "mixer automation add --track A1 pan --at 10 --value 0.5 --curve s-curve",
    "mixer automation clear --track A1 gain_db",
    "mixer bus remove fx",
    f"clip gain -t A2 --at {TC} --db -3",
    f"clip fade-in -t A2 --at {TC} --frames 10 --curve log",
    f"clip fade-out -t A2 --at {TC} --frames 5",
    f"clip effects add -t A2 --at {TC} highpass cutoff_frequency_hz=100",
    f"clip effects add -t A2 --at {TC} gain gain_db=-2",
    f"clip effects remove -t A2 --at {TC} 1",
    f"clip effects clear -t A2 --at {TC}",
]


def test_every_command_is_undone_and_redone_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, "tone", "dc")
    for line in COMMANDS:
        before = project.read_bytes()
        _ok(line, project)
        after = project.read_bytes()
        assert after != before, line
        assert main(["edit", str(project), "undo"]) == 0
        assert project.read_bytes() == before, line
        assert main(["edit", str(project), "redo"]) == 0
        assert project.read_bytes() == after, line
    edits = [event for event in History(project).events() if event.event == "edit"]
    assert len(edits) == len(COMMANDS)
    capsys.readouterr()
    assert main(["edit", str(project), "history"]) == 0
    shown = capsys.readouterr().out
    assert "clear-clip-effects" in shown and "set-strip" in shown
    assert main(["mixer", str(project), "show"]) == 0
    assert "dB" in capsys.readouterr().out


def test_show_json_has_exactly_the_console_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path, "tone", "dc")
    for line in (
        "mixer bus add verb",
        "mixer insert add --bus verb reverb wet_level=1",
        "mixer send add --track A2 --bus verb --level-db -20 --pre",
        "mixer insert add --track A1 gain gain_db=-3",
        "mixer set --track A1 --gain-db -6 --pan -0.5 --mute",
        "mixer automation add --track A1 pan --at 01:00:01:00 -0.5",
    ):
        _ok(line, project)
    capsys.readouterr()
    assert main(["mixer", str(project), "show", "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert set(view) == {"tracks", "buses", "master"}
    required = {"name", "gain_db", "pan", "mute", "solo", "inserts", "sends"}
    extra = {"polarity", "output", "automation", "layout", "pan_rear"}
    assert [strip["name"] for strip in view["tracks"]] == ["A1", "A2"]
    for strip in [*view["tracks"], *view["buses"], view["master"]]:
        assert required | extra <= set(strip)
    assert set(view["tracks"][0]) == required | extra | {"armed"}  # a track's record arm
    a1, a2 = view["tracks"]
    assert (a1["gain_db"], a1["pan"], a1["mute"], a1["solo"]) == (-6.0, -0.5, True, False)
    assert a1["inserts"] == [{"effect": "gain", "params": {"gain_db": -3.0}}]
    assert a1["automation"]["pan"][0]["timecode"] == "01:00:01:00"
    assert a1["layout"] == "mono"
    assert a2["sends"] == [{"bus": "verb", "level_db": -20.0, "pre_fader": True}]
    (verb,) = view["buses"]
    assert verb["name"] == "verb" and verb["inserts"][0]["effect"] == "reverb"
    assert set(verb["inserts"][0]) == {"effect", "params"}
    assert view["master"]["name"] == "master" and view["master"]["gain_db"] == 0.0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("mixer set --track A1 --pan 2", "pan 2.0 is out of range"),
        ("mixer set --track A1 --gain-db nan", "gain_db nan is out of range"),
        ("mixer set --track A1 --gain-db 30", "gain_db 30.0 is out of range"),
        ("mixer set --track A9 --gain-db -3", "no track 'A9'"),
        ("mixer set --master --pan 0.5", "the master has a fader and inserts only"),
        ("mixer insert add --track A1 warble", "unknown effect 'warble'"),
        ("mixer insert add --track A1 gain gain_db=99", "gain gain_db = 99.0 is out of range"),
        ("mixer insert add --track A1 gain volume=1", "has no parameter 'volume'"),
        ("mixer insert add --track A1 gain gain_db=nan", "out of range"),
        ("mixer insert remove --track A1 1", "track A1 has no insert 1"),
        ("mixer send add --track A1 --bus nowhere --level-db -6", "no bus 'nowhere'"),
        ("mixer set --track A1 --output nowhere", "no bus 'nowhere'"),
        ("mixer bus remove verb", "bus verb is in use by track A1 (a send)"),
        ("mixer bus add master", "a bus cannot be called 'master'"),
        ("mixer bus route verb --to verb", "cannot feed itself"),
        ("mixer automation add --track A1 pan --at 0 3", "pan automation value 3 is out of range"),
        ("mixer automation add --track A1 width --at 0 1", "'width' cannot be automated"),
        ("mixer automation add --track A1 gain_db --at 0", "give the value once"),
        (f"clip fade-in -t A1 --at {TC} --frames 90", "does not fit clip"),
        (f"clip fade-in -t A1 --at {TC} --frames 5 --curve wobbly", "unknown fade curve"),
        ("clip gain -t A1 --at 01:00:00:10 --db -3", "has a gap at 01:00:00:10"),
        (f"clip effects add -t A1 --at {TC} warble", "unknown effect 'warble'"),
    ],
)
def test_bad_values_exit_2_and_leave_the_project_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    project = _project(tmp_path, "dc")
    _ok("mixer bus add verb", project)
    _ok("mixer send add --track A1 --bus verb --level-db -10", project)
    before, events = project.read_bytes(), len(History(project).events())
    capsys.readouterr()
    assert _run(line, project) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err
    assert project.read_bytes() == before
    assert len(History(project).events()) == events


def test_bus_order_follows_the_routing_and_loops_are_refused(tmp_path: Path) -> None:
    project = _project(tmp_path, "tone")
    for line in ("mixer bus add stem", "mixer bus add sub", "mixer bus route stem --to sub"):
        _ok(line, project)
    timeline = ops.Project(project).timeline()
    assert [bus.name for bus in console_of(timeline).buses] == ["stem", "sub"]
    assert _run("mixer bus route sub --to stem", project) == 2  # a loop
    _ok("mixer bus route stem --to master", project)
    _ok("mixer bus route sub --to stem", project)  # now sub feeds stem: sub runs first
    assert [bus.name for bus in console_of(ops.Project(project).timeline()).buses] == [
        "sub",
        "stem",
    ]
    _ok("mixer set --track A1 --output sub", project)
    assert _rms(_mix(project)[0, STEADY]) == pytest.approx(0.5 * CENTRE / np.sqrt(2), rel=1e-5)


def test_help_needs_no_project_and_operations_round_trip_the_journal() -> None:
    for args in (
        ["mixer", "missing.otio", "automation", "add", "--help"],
        ["mixer", "missing.otio", "insert", "set", "--help"],
        ["clip", "missing.otio", "fade-in", "--help"],
        ["clip", "missing.otio", "effects", "add", "--help"],
    ):
        assert main(args) == 0, args
    made = [
        ops.SetStrip("A1", gain_db=-6.0, mute=True),
        ops.AddInsert("fx", "delay", (("delay_s", 0.25), ("mix", 1.0)), 1, bus=True),
        ops.SetSend("A1", "fx", pre_fader=True),
        ops.AddAutomation("A1", "pan", 25, -0.5, "s-curve"),
        ops.ClipFade("A1", 30, "out", 10, "log"),
        ops.AddClipEffect("A1", 30, "gain", (("gain_db", -3.0),)),
    ]
    for operation in made:
        data = json.loads(json.dumps(operation.to_dict()))
        assert ops.operation_from_dict(data) == operation
        assert ops.OPERATIONS[operation.name] is type(operation)
    assert ops.SetStrip("A1", gain_db=-6.0).describe() == "set-strip track=A1, gain_db=-6.0"

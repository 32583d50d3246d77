"""Everything the console stores, reached from the command line: send, insert, bus and master
automation, a rear pan, ducking times. Mixed by ``postprod mix``, measured, undone."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import opentimelineio as otio
import pytest

from media_factory import tone, write_wav
from postprod import operations as ops
from postprod.cli import main
from postprod.effects.console import ConsoleState, StripState
from postprod.effects.registry import EFFECTS, EffectSpec
from postprod.media import read_audio
from postprod.operations.mixer import (
    FIXED_INSERT_PARAMS,
    UNAUTOMATABLE_EFFECTS,
    insert_param_range,
)
from postprod.project import save_project
from postprod.project.history import History
from postprod.timeline.model import media_clip, rational_time
from test_mixer_ops import _db, _ok, _rms, _run

RATE = 48000
FPS = Fraction(25)
SECONDS = 4
CENTRE = np.sqrt(0.5)  # a centred mono track: -3.01 dB each side
FIRST = slice(RATE // 2, 3 * RATE // 2)  # 0.5 s .. 1.5 s: clear of the edges and the move
SECOND = slice(5 * RATE // 2, 7 * RATE // 2)  # 2.5 s .. 3.5 s


def _project(folder: Path, hz: float = 1000) -> Path:
    """A1: a sine of ``hz`` for the whole programme (4 s from 01:00:00:00 at 25 fps)."""
    source = write_wav(folder / "sine.wav", tone(RATE * SECONDS, RATE, hz), codec="pcm_f32le")
    timeline = otio.schema.Timeline("console", global_start_time=rational_time(90_000, FPS))
    track = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    track.append(
        media_clip(
            Path(source.name),
            name="sine",
            rate=FPS,
            available_frames=SECONDS * 25,
            duration=SECONDS * 25,
        )
    )
    timeline.tracks.append(track)
    return save_project(timeline, folder / "p.otio")


def _mix(project: Path, *options: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The mix (32-bit float) and its stems by bus name."""
    out, stems = project.with_name("mix.wav"), project.with_name("stems")
    args = ["mix", str(project), "-o", str(out), "--bit-depth", "32f", "--stems", str(stems)]
    assert main([*args, *options]) == 0
    return read_audio(out)[0], {p.stem: read_audio(p)[0] for p in sorted(stems.glob("*.wav"))}


def _view(project: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    """``mixer P show --json``, read back."""
    capsys.readouterr()
    assert main(["mixer", str(project), "show", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_automating_a_lowpass_cutoff_opens_the_filter_at_its_breakpoint(tmp_path: Path) -> None:
    project = _project(tmp_path, hz=4000)
    _ok("mixer insert add --track A1 lowpass cutoff_frequency_hz=200", project)
    closed = _mix(project)[0][0]
    _ok("mixer insert set --track A1 1 cutoff_frequency_hz=8000", project)
    opened = _mix(project)[0][0]
    _ok("mixer insert set --track A1 1 cutoff_frequency_hz=200", project)
    _ok(
        "mixer automation add --track A1 insert.1.cutoff_frequency_hz --at 0 200 --curve hold",
        project,
    )
    _ok(
        "mixer automation add --track A1 insert.1.cutoff_frequency_hz --at 01:00:02:00 8000",
        project,
    )
    ridden = _mix(project)[0][0]
    first, second = _rms(ridden[FIRST]), _rms(ridden[SECOND])
    assert _db(second / first) > 20  # a 4 kHz tone through 200 Hz, then through 8 kHz
    # each half sounds exactly as the filter set still to that cutoff
    assert _db(first / _rms(closed[FIRST])) == pytest.approx(0.0, abs=0.05)
    assert _db(second / _rms(opened[SECOND])) == pytest.approx(0.0, abs=0.05)
    _ok("mixer automation clear --track A1 insert.1.cutoff_frequency_hz", project)
    np.testing.assert_array_equal(_mix(project)[0][0], closed)


def test_send_level_automation_brings_the_bus_in_at_its_breakpoint(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _ok("mixer bus add VERB", project)
    _ok("mixer insert add --bus VERB gain gain_db=0", project)
    dry = _mix(project)[0]  # A1 alone: the bus has no input yet
    _ok("mixer send add --track A1 --bus VERB --level-db -60", project)
    _ok("mixer automation add --track A1 send.VERB.level_db --at 0 -60 --curve hold", project)
    _ok("mixer automation add --track A1 send.VERB.level_db --at 01:00:02:00 0", project)
    mix, stems = _mix(project)
    stem = stems["VERB"]
    at = 2 * RATE  # the breakpoint, to the sample
    # before: the send 60 dB down; from its breakpoint on: the track's own level (post fader)
    np.testing.assert_allclose(stem[:, :at], dry[:, :at] * 10 ** (-60 / 20), atol=1e-7)
    np.testing.assert_allclose(stem[:, at : 3 * RATE], dry[:, at : 3 * RATE], atol=1e-6)
    assert _db(_rms(stem[0, SECOND]) / _rms(stem[0, FIRST])) == pytest.approx(60.0, abs=0.01)
    np.testing.assert_allclose(mix, dry + stem, atol=1e-6)  # the stem sums into the mix
    _ok("mixer automation clear --track A1 send.VERB.level_db --at 01:00:02:00", project)
    assert np.abs(_mix(project)[1]["VERB"]).max() < 0.5 * CENTRE * 10 ** (-59 / 20)


def test_bus_and_master_faders_and_inserts_follow_their_automation(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _ok("mixer bus add DX", project)
    _ok("mixer set --track A1 --output DX", project)
    unity, stems = _mix(project)
    assert np.array_equal(stems["DX"], unity)
    _ok("mixer automation add --bus DX gain_db --at 0 0 --curve hold", project)
    _ok("mixer automation add --bus DX gain_db --at 01:00:02:00 -12", project)
    mix, stems = _mix(project)
    stem = stems["DX"]
    at = 2 * RATE
    np.testing.assert_allclose(stem[:, :at], unity[:, :at], atol=1e-7)
    np.testing.assert_allclose(stem[:, at:], unity[:, at:] * 10 ** (-12 / 20), atol=1e-7)
    np.testing.assert_allclose(mix, stem, atol=1e-7)
    # the master's fader, then an insert on the master whose gain moves: both on the mix only
    _ok("mixer automation add --master gain_db --at 0 0 --curve hold", project)
    _ok("mixer automation add --master gain_db --at 01:00:01:00 -6", project)
    _ok("mixer insert add --master gain", project)
    _ok("mixer automation add --master insert.1.gain_db --at 0 0 --curve hold", project)
    _ok("mixer automation add --master insert.1.gain_db --at 01:00:03:00 -10", project)
    mix, stems = _mix(project)
    assert np.array_equal(stems["DX"], stem)  # the stem is taken before the master
    ratio = mix[0] / np.where(np.abs(stem[0]) > 0.01, stem[0], np.nan)
    for lo, hi, gain_db in ((0, 1, 0.0), (1, 3, -6.0), (3, 4, -16.0)):
        part = ratio[lo * RATE : hi * RATE]
        np.testing.assert_allclose(part[~np.isnan(part)], 10 ** (gain_db / 20), rtol=1e-5)
    # a bus's insert is automated the same way
    _ok("mixer insert add --bus DX gain", project)
    _ok("mixer automation add --bus DX insert.1.gain_db --at 0 -20", project)
    assert _db(_rms(_mix(project)[1]["DX"][0, FIRST]) / _rms(stem[0, FIRST])) == pytest.approx(
        -20.0, abs=0.01
    )


def test_a_rear_pan_is_stored_shown_and_heard_in_5_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    _ok("mixer set --track A1 --pan-rear 1", project)
    view = _view(project, capsys)
    a1 = view["tracks"][0]
    assert a1["pan_rear"] == 1.0 and a1["pan"] == 0.0
    assert view["master"]["pan_rear"] == 0.0
    mix = _mix(project, "--layout", "5.1")[0]  # L R C LFE Ls Rs
    assert np.abs(mix[:4]).max() < 1e-7  # all of it in the surrounds
    np.testing.assert_allclose(_rms(mix[4, FIRST]), _rms(mix[5, FIRST]), rtol=1e-6)
    _ok("mixer set --track A1 --pan-rear 0 --gain-db -3", project)  # back to the front
    assert _view(project, capsys)["tracks"][0]["pan_rear"] == 0.0


def test_ducking_settings_are_stored_and_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    _ok("mixer bus add DX", project)
    _ok("mixer bus add MX", project)
    dx, mx = _view(project, capsys)["buses"]
    assert dx["duck_key"] is None
    assert (mx["duck_threshold_db"], mx["duck_attack_ms"], mx["duck_release_ms"]) == (
        -40.0,
        20.0,
        400.0,
    )
    line = "mixer bus set MX --duck-under DX --duck-threshold-db -30 --duck-attack-ms 5"
    _ok(line + " --duck-release-ms 250 --duck-depth-db 8", project)
    _ok("mixer bus set MX --duck-release-ms 300", project)  # what is not given stays
    _, mx = _view(project, capsys)["buses"]
    assert mx["duck_key"] == "DX" and mx["duck_depth_db"] == 8.0
    assert (mx["duck_threshold_db"], mx["duck_attack_ms"], mx["duck_release_ms"]) == (
        -30.0,
        5.0,
        300.0,
    )
    assert '"duck_release_ms": 300.0' in project.read_text()  # in the project file itself


def test_show_names_every_automation_and_an_insert_s_follows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project(tmp_path)
    for line in (
        "mixer bus add VERB",
        "mixer insert add --bus VERB reverb",
        "mixer send add --track A1 --bus VERB --level-db -20",
        "mixer insert add --track A1 lowpass",
        "mixer automation add --track A1 gain_db --at 0 -3",
        "mixer automation add --track A1 send.VERB.level_db --at 01:00:01:00 -10",
        "mixer automation add --track A1 insert.1.cutoff_frequency_hz --at 10 500 --curve exponential",
        "mixer automation add --bus VERB gain_db --at 0 -6",
        "mixer automation add --bus VERB insert.1.wet_level --at 0 0.5",
        "mixer insert add --master limiter",
        "mixer automation add --master gain_db --at 0 -1",
        "mixer automation add --master insert.1.ceiling_db --at 0 -2",
    ):
        _ok(line, project)
    view = _view(project, capsys)
    a1, verb, master = view["tracks"][0], view["buses"][0], view["master"]
    assert list(a1["automation"]) == [
        "gain_db",
        "send.VERB.level_db",
        "insert.1.cutoff_frequency_hz",
    ]
    assert a1["automation"]["send.VERB.level_db"] == [
        {"time_s": 1.0, "timecode": "01:00:01:00", "value": -10.0, "curve": "linear"}
    ]
    (cutoff,) = a1["automation"]["insert.1.cutoff_frequency_hz"]
    assert (cutoff["timecode"], cutoff["value"], cutoff["curve"]) == (
        "01:00:00:10",
        500.0,
        "exponential",
    )
    assert a1["sends"] == [{"bus": "VERB", "level_db": -20.0, "pre_fader": False}]  # keys as before
    assert list(verb["automation"]) == ["gain_db", "insert.1.wet_level"]
    assert list(master["automation"]) == ["gain_db", "insert.1.ceiling_db"]
    # an insert's automation goes where the insert goes
    _ok("mixer insert add --track A1 gain --position 1", project)
    assert "insert.2.cutoff_frequency_hz" in _view(project, capsys)["tracks"][0]["automation"]
    _ok("mixer insert move --track A1 2 --to 1", project)
    assert "insert.1.cutoff_frequency_hz" in _view(project, capsys)["tracks"][0]["automation"]
    _ok("mixer insert remove --track A1 1", project)  # the lowpass, and its automation with it
    assert list(_view(project, capsys)["tracks"][0]["automation"]) == [
        "gain_db",
        "send.VERB.level_db",
    ]
    _mix(project)  # and the console still runs what is left


#: The new commands, in an order where each one's prerequisites exist.
COMMANDS = [
    "mixer bus add VERB",
    "mixer insert add --bus VERB gain",
    "mixer send add --track A1 --bus VERB --level-db -20",
    "mixer insert add --track A1 lowpass",
    "mixer insert add --master limiter",
    "mixer set --track A1 --pan-rear 0.5",
    "mixer bus set VERB --duck-threshold-db -30 --duck-attack-ms 5 --duck-release-ms 250",
    "mixer automation add --track A1 pan --at 0 -0.5",
    "mixer automation add --track A1 send.VERB.level_db --at 0 -60 --curve hold",
    "mixer automation add --track A1 send.VERB.level_db --at 01:00:02:00 0",
    "mixer automation add --track A1 insert.1.cutoff_frequency_hz --at 5 200",
    "mixer automation add --bus VERB gain_db --at 5 -3 --curve s-curve",
    "mixer automation add --bus VERB insert.1.gain_db --at 5 -6",
    "mixer automation add --master gain_db --at 5 -1",
    "mixer automation add --master insert.1.ceiling_db --at 5 -3",
    "mixer insert add --track A1 gain --position 1",  # the lowpass's automation moves along
    "mixer automation clear --track A1 send.VERB.level_db --at 01:00:02:00",
    "mixer automation clear --track A1 insert.2.cutoff_frequency_hz",
    "mixer automation clear --bus VERB gain_db",
    "mixer automation clear --bus VERB insert.1.gain_db --at 5",
    "mixer automation clear --master gain_db",
    "mixer automation clear --master insert.1.ceiling_db",
    "mixer insert remove --bus VERB 1",
]


def test_every_new_command_is_undone_and_redone_byte_for_byte(tmp_path: Path) -> None:
    project = _project(tmp_path)
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


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("mixer automation add --track A1 width --at 0 1", "'width' cannot be automated"),
        ("mixer automation add --track A1 pan_rear --at 0 1", "'pan_rear' cannot be automated"),
        ("mixer automation add --bus VERB pan --at 0 0.5", "'pan' cannot be automated"),
        ("mixer automation add --master pan --at 0 0.5", "'pan' cannot be automated"),
        ("mixer automation add --track A1 gain.db --at 0 1", "not a setting automation can move"),
        ("mixer automation add --track A1 send.VERB.gain_db --at 0 1", "not a setting"),
        ("mixer automation add --track A1 insert.one.q --at 0 1", "not a setting"),
        ("mixer automation add --track A1 insert.1 --at 0 1", "not a setting"),
        ("mixer automation add --track A1 send.FX.level_db --at 0 -6", "no send to bus 'FX'"),
        ("mixer automation add --bus VERB send.VERB.level_db --at 0 -6", "bus VERB has no sends"),
        ("mixer automation add --track A1 insert.4.gain_db --at 0 -6", "track A1 has no insert 4"),
        ("mixer automation add --track A1 insert.0.gain_db --at 0 -6", "track A1 has no insert 0"),
        ("mixer automation add --master insert.1.gain_db --at 0 -6", "master has no insert 1"),
        (
            "mixer automation add --track A1 insert.2.semitones --at 0 1",
            "pitch_shift cannot be automated",
        ),
        (
            "mixer automation add --track A1 insert.3.lookahead_ms --at 0 1",
            "limiter lookahead_ms cannot",
        ),
        ("mixer automation add --track A1 insert.1.q --at 0 1", "lowpass q cannot be automated"),
        (
            "mixer automation add --track A1 insert.1.cutoff_frequency_hz --at 0 30000",
            "out of range",
        ),
        ("mixer automation add --track A1 insert.1.cutoff_frequency_hz --at 0 nan", "out of range"),
        (
            "mixer automation add --track A1 send.VERB.level_db --at 0 30",
            "value 30 is out of range",
        ),
        ("mixer automation add --bus VERB gain_db --at 0 -200", "value -200 is out of range"),
        (
            "mixer automation add --track A1 gain_db --at 0 1 --curve wobble",
            "unknown automation curve",
        ),
        ("mixer automation add --track A1 --bus VERB gain_db --at 0 1", "name two strips"),
        ("mixer automation add gain_db --at 0 1", "name one strip"),
        ("mixer automation clear --track A1 insert.1.cutoff_frequency_hz", "has no automation of"),
        (
            "mixer automation clear --track A1 gain_db --at 01:00:00:05",
            "no automation of gain_db at",
        ),
        ("mixer automation clear --bus VERB gain_db", "bus VERB has no automation of gain_db"),
        ("mixer set --track A1 --pan-rear 2", "pan_rear 2.0 is out of range"),
        ("mixer set --track A1 --pan-rear -0.5", "pan_rear -0.5 is out of range"),
        ("mixer set --bus VERB --pan-rear 0.5", "a bus has a fader, an output and inserts only"),
        ("mixer set --master --pan-rear 0.5", "the master has a fader and inserts only"),
        ("mixer bus set VERB --duck-threshold-db 6", "duck_threshold_db 6.0 is out of range"),
        ("mixer bus set VERB --duck-attack-ms 0", "duck_attack_ms 0.0 is out of range"),
        ("mixer bus set VERB --duck-release-ms 20000", "duck_release_ms 20000.0 is out of range"),
    ],
)
def test_bad_automation_and_settings_exit_2_and_leave_the_project_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    project = _project(tmp_path)
    for setup in (
        "mixer bus add VERB",
        "mixer send add --track A1 --bus VERB --level-db -10",
        "mixer insert add --track A1 lowpass",
        "mixer insert add --track A1 pitch_shift semitones=2",
        "mixer insert add --track A1 limiter",
    ):
        _ok(setup, project)
    before, events = project.read_bytes(), len(History(project).events())
    capsys.readouterr()
    assert _run(line, project) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err
    assert project.read_bytes() == before
    assert len(History(project).events()) == events


def test_what_the_operations_let_move_is_what_the_engine_moves() -> None:
    """The operations keep no NumPy, so they hold their own list of what an insert may
    automate: it must be the engine's (``audio.effects``)."""
    from postprod.audio import effects as engine
    from postprod.audio.automation import ParamAutomation
    from postprod.effects.console import InsertAutomation

    assert {name for name, b in engine.BUILDERS.items() if not b.automatable} == set(
        UNAUTOMATABLE_EFFECTS
    )
    assert engine._FIXED == FIXED_INSERT_PARAMS
    for name, definition in EFFECTS.items():
        if name in UNAUTOMATABLE_EFFECTS or name == "vst3":  # files: tested by the lists above
            continue
        spec = EffectSpec(name)
        for key, found in definition.items():
            try:
                low, high, _ = insert_param_range(spec, key, "here")
            except Exception:
                assert key in FIXED_INSERT_PARAMS, (name, key)
                continue
            assert (low, high) == (found.minimum, found.maximum)
            ride = InsertAutomation(0, key, ((0.0, low, "linear"), (0.1, high, "linear")))
            engine.Chain([spec], RATE, automation=[ParamAutomation.of(ride)])  # accepted


def test_the_new_fields_round_trip_the_journal_and_the_settings() -> None:
    made = [
        ops.AddAutomation("VERB", "insert.1.gain_db", 25, -6.0, "hold", bus=True),
        ops.AddAutomation("A1", "send.VERB.level_db", 0, -60.0),
        ops.ClearAutomation("master", "gain_db", 10),
        ops.SetStrip("A1", pan_rear=0.5),
        ops.SetBus("MX", duck_threshold_db=-30.0, duck_attack_ms=5.0, duck_release_ms=250.0),
    ]
    for operation in made:
        data = json.loads(json.dumps(operation.to_dict()))
        assert ops.operation_from_dict(data) == operation
    old = {"op": "add-automation", "track": "A1", "param": "pan", "at": 25, "value": 0.5}
    assert ops.operation_from_dict({**old, "curve": "linear"}) == ops.AddAutomation(
        "A1", "pan", 25, 0.5
    )  # a journal written before ``bus`` still replays
    # what the commands write is what the console reads back
    assert StripState.from_dict(StripState(pan_rear=0.5).to_dict(), "A1").pan_rear == 0.5
    assert ConsoleState.from_dict(ConsoleState().to_dict(), "t") == ConsoleState()

"""Mixing a project: the console state saved in the OTIO file drives the mix, sample-exact."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from media_factory import write_wav
from postprod.cli import main
from postprod.effects.registry import EffectSpec
from postprod.errors import AudioError, ProjectError
from postprod.media import read_audio, read_bext
from postprod.planner.plan import OutputFormat
from postprod.project import save_project
from postprod.render.mixdown import mix_project
from postprod.timeline.metadata import (
    BusState,
    ConsoleState,
    SendState,
    StripState,
    console_of,
    set_console,
    set_strip,
    strip_of,
)
from postprod.timeline.model import media_clip, rational_time

RATE = 48000
FPS = Fraction(25)
IMPULSE_AT = 30_000  # in the dialogue file


def _project(folder: Path, *, with_console: bool) -> Path:
    dialogue = np.zeros((1, RATE * 4), np.float32)
    dialogue[0, IMPULSE_AT] = 0.5
    t = np.arange(RATE * 4) / RATE
    music = np.stack([0.05 * np.sin(2 * np.pi * 220 * t)] * 2).astype(np.float32)
    write_wav(folder / "dx.wav", dialogue, codec="pcm_f32le")
    write_wav(folder / "mx.wav", music, codec="pcm_f32le")
    timeline = otio.schema.Timeline("mix test", global_start_time=rational_time(90_000, FPS))
    a1 = otio.schema.Track("A1", kind=otio.schema.TrackKind.Audio)
    a1.append(
        otio.schema.Gap(
            source_range=otio.opentime.TimeRange(rational_time(0, FPS), rational_time(10, FPS))
        )
    )
    a1.append(
        media_clip(
            Path("dx.wav"), name="dx", rate=FPS, available_frames=100, source_start=5, duration=60
        )
    )
    a2 = otio.schema.Track("A2", kind=otio.schema.TrackKind.Audio)
    a2.append(media_clip(Path("mx.wav"), name="mx", rate=FPS, available_frames=100, duration=70))
    timeline.tracks.extend([a1, a2])
    if with_console:
        set_strip(
            a1,
            StripState(gain_db=-6.0, pan=0.0, output="dialogue", sends=(SendState("room", -20),)),
        )
        set_strip(
            a2,
            StripState(inserts=(EffectSpec.of("high_shelf", gain_db=-3),), output="music", pan=0.5),
        )
        set_console(
            timeline,
            ConsoleState(
                buses=(
                    BusState("dialogue"),
                    BusState("music", duck_key="dialogue", duck_depth_db=6),
                    BusState(
                        "room", inserts=(EffectSpec.of("reverb", wet_level=1.0, dry_level=0.0),)
                    ),
                )
            ),
        )
    return save_project(timeline, folder / "mix.otio")


def test_the_console_state_round_trips_through_the_file(tmp_path: Path) -> None:
    project = _project(tmp_path, with_console=True)
    timeline = otio.adapters.read_from_file(str(project))
    strip = strip_of(timeline.tracks[0])
    assert strip.gain_db == -6.0 and strip.output == "dialogue" and strip.sends[0].bus == "room"
    assert [bus.name for bus in console_of(timeline).buses] == ["dialogue", "music", "room"]
    assert timeline.tracks[0].metadata["postprod"]["version"] == 1


def test_mix_places_the_impulse_and_stems_null(tmp_path: Path) -> None:
    project = _project(tmp_path, with_console=True)
    result = mix_project(project, tmp_path / "mix.wav", stems_dir=tmp_path / "stems")
    mix, _ = read_audio(result.mix)
    stems = {p.stem: read_audio(p)[0] for p in result.stems}
    assert set(stems) == {"dialogue", "music", "room"}
    assert mix.shape[1] == 70 * RATE // 25
    expected = 10 * RATE // 25 + (IMPULSE_AT - 5 * RATE // 25)  # clip at frame 10, in point frame 5
    assert int(np.argmax(np.abs(stems["dialogue"][0]))) == expected
    assert stems["dialogue"][0, expected] == pytest.approx(
        0.5 * 10 ** (-6 / 20) * np.sqrt(0.5), rel=1e-3
    )
    residual = mix - sum(stems.values())
    assert 20 * np.log10(np.abs(residual).max() + 1e-30) < -120
    bext = read_bext(result.mix)
    assert bext is not None and bext.time_reference_samples == 3600 * RATE


def test_a_plain_otio_project_mixes_at_unity(tmp_path: Path) -> None:
    project = _project(tmp_path, with_console=False)
    mix, _ = read_audio(mix_project(project, tmp_path / "plain.wav").mix)
    expected = 10 * RATE // 25 + (IMPULSE_AT - 5 * RATE // 25)
    # mono dialogue at centre: -3 dB each side; the music is stereo at unity
    music, _ = read_audio(tmp_path / "mx.wav")
    assert mix[0, expected] - music[0, expected] == pytest.approx(0.5 * np.sqrt(0.5), rel=1e-3)


def test_a_range_is_exactly_that_stretch_of_the_whole_mix(tmp_path: Path) -> None:
    project = _project(tmp_path, with_console=True)
    whole, _ = read_audio(mix_project(project, tmp_path / "whole.wav").mix)
    result = mix_project(project, tmp_path / "part.wav", frame_range="01:00:00:20-50")
    part, _ = read_audio(result.mix)
    first, last = 20 * RATE // 25, 50 * RATE // 25
    assert part.shape[1] == last - first
    np.testing.assert_array_equal(part, whole[:, first:last])  # reverb and ducking state too
    bext = read_bext(result.mix)
    assert bext is not None and bext.time_reference_samples == 3600 * RATE + first


def test_a_five_one_mix_and_its_bs775_fold_down(tmp_path: Path) -> None:
    project = _project(tmp_path, with_console=False)
    assert (
        main(
            [
                "mix",
                str(project),
                "-o",
                str(tmp_path / "m51.wav"),
                "--layout",
                "5.1",
                "--downmix",
                "--bit-depth",
                "32f",
            ]
        )
        == 0
    )
    surround, _ = read_audio(tmp_path / "m51.wav")
    stereo, _ = read_audio(tmp_path / "m51_stereo.wav")
    assert surround.shape[0] == 6 and stereo.shape[0] == 2
    expected = 10 * RATE // 25 + (IMPULSE_AT - 5 * RATE // 25)
    # the centred mono dialogue goes to C alone; LFE and the surrounds stay silent
    at = surround[:, expected] - surround[:, expected - 1]
    assert abs(at[2]) > 0.4 and np.abs(at[[0, 1]]).max() < abs(at[2]) / 2
    assert np.abs(surround[3]).max() == 0
    # BS.775: Lo = L + 0.707 C + 0.707 Ls (Ro likewise)
    c = np.sqrt(0.5)
    np.testing.assert_allclose(
        stereo[0], surround[0] + c * surround[2] + c * surround[4], atol=1e-5
    )


def test_a_24_bit_flac_mix_holds_the_wav_mix(tmp_path: Path) -> None:
    project = _project(tmp_path, with_console=True)
    wav, _ = read_audio(mix_project(project, tmp_path / "m.wav", bit_depth="32f").mix)
    flac_path = mix_project(project, tmp_path / "m.flac", bit_depth="24").mix
    flac, _ = read_audio(flac_path)
    assert np.abs(flac - wav).max() <= 2**-23 * 1.01  # 24-bit quantisation, nothing more
    with pytest.raises(AudioError, match="FLAC holds integer samples"):
        mix_project(project, tmp_path / "f.flac", bit_depth="32f")


def test_cli_and_bad_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path, with_console=True)
    assert (
        main(["mix", str(project), "-o", str(tmp_path / "m.wav"), "--stems", str(tmp_path / "s")])
        == 0
    )
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "dialogue.wav",
        "music.wav",
        "room.wav",
    ]
    timeline = otio.adapters.read_from_file(str(project))
    timeline.tracks[0].metadata["postprod"]["strip"]["inserts"] = [
        {"name": "autotune", "params": {}}
    ]
    otio.adapters.write_to_file(timeline, str(project))
    capsys.readouterr()
    assert main(["mix", str(project), "-o", str(tmp_path / "m2.wav")]) == 2
    err = capsys.readouterr().err
    assert "autotune" in err and "track A1" in err
    assert not (tmp_path / "m2.wav").exists()
    timeline.tracks[0].metadata["postprod"]["version"] = 99
    with pytest.raises(ProjectError, match="newer"):
        strip_of(timeline.tracks[0])


def test_the_console_settings_are_defined_once_and_keep_the_project_layout() -> None:
    from postprod.effects import console
    from postprod.planner.plan import RenderPlan, TrackPlan
    from postprod.timeline import metadata

    for name in ("StripState", "SendState", "BusState", "ConsoleState"):
        assert getattr(metadata, name) is getattr(console, name)
    stored = {  # a strip as project files hold it
        "gain_db": -3.0,
        "pan": 0.5,
        "mute": False,
        "solo": False,
        "invert_polarity": True,
        "inserts": [{"name": "highpass", "version": 1, "params": {"cutoff_frequency_hz": 100.0}}],
        "sends": [{"bus": "verb", "level_db": -6.0, "pre_fader": True}],
        "output": "dx",
        "automation": {"gain_db": [[0.0, 0.0, "linear"], [1.0, -6.0, "linear"]]},
    }
    strip = console.StripState.from_dict(stored, "track A1")
    assert strip.to_dict() == stored and strip.sends == (console.SendState("verb", -6.0, True),)
    desk = {
        "buses": [
            {
                "name": "mx",
                "gain_db": 0.0,
                "inserts": [],
                "output": "master",
                "duck_key": "dx",
                "duck_depth_db": 8.0,
            }
        ],
        "master": {"gain_db": -1.0, "inserts": []},
    }
    assert console.ConsoleState.from_dict(desk, "timeline t").to_dict() == desk
    with pytest.raises(ProjectError, match="strip settings are not valid"):
        console.StripState.from_dict({"pan": 2.0}, "track A1")
    # the plan carries them typed, and through JSON
    planned = RenderPlan(
        OutputFormat(),
        25,
        tracks=(TrackPlan("A1", (), strip),),
        console=console.ConsoleState.from_dict(desk, "t"),
    )
    assert RenderPlan.from_dict(json.loads(json.dumps(planned.to_dict()))) == planned

"""The demo production: synthetic camera sources, an edit, a project, a render, a master.

Three sources stand in for camera files (each a test card of its own colour
with its own tone). The edit fades up from black into A, cuts to B, dissolves
to C (B joins it in a split screen), clock-wipes back to A (a lower-third
title keyed over it) and fades to black; the sound follows the picture. The project is
built the way a technician would build it, with the same undoable operations the
command line runs (``postprod new``, ``track``, ``edit``, ``mixer``), so
``postprod edit demo.otio history`` shows each step. The programme's sound
is then mastered to EBU R 128 (a Broadcast Wave stamped with the start
timecode) and checked, with a JSON and an HTML report. Everything is
deterministic: the same run writes the same project and the same pictures.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from postprod.audio.synth import sine
from postprod.deliver.normalize import normalize_file
from postprod.deliver.presets import find_preset
from postprod.deliver.qc import QcReport, run_qc
from postprod.deliver.report import write_reports
from postprod.demo.montage import Montage, make_montage
from postprod.demo.multicam import MulticamScene, make_multicam_scene
from postprod.demo.sound import DemoSounds, write_sounds
from postprod.effects.presets import find_effect_preset
from postprod.media.bwf import Bext
from postprod.media.writer import AudioSpec, MediaWriter, VideoSpec
from postprod.operations import (
    AddBus,
    AddInsert,
    AddMarker,
    AddTitle,
    AddTrack,
    AddTransition,
    Append,
    Operation,
    Overwrite,
    Project,
    RenameTrack,
    SetBus,
    SetPicture,
    SetStrip,
)
from postprod.operations.project import new_project
from postprod.planner.plan import OutputFormat, plan
from postprod.render.engine import RenderResult, render
from postprod.render.mix import Progress
from postprod.video.patterns import test_card
from postprod.workflows.spot import spot


@dataclass(frozen=True, slots=True)
class DemoSource:
    """One synthetic camera file."""

    name: str
    colour: tuple[int, int, int]
    tone_hz: float


SOURCES = (
    DemoSource("A", (40, 70, 160), 440.0),
    DemoSource("B", (190, 110, 40), 660.0),
    DemoSource("C", (50, 150, 80), 880.0),
)


@dataclass(frozen=True, slots=True)
class DemoSettings:
    """The demo's format and edit lengths, in frames."""

    width: int = 640
    height: int = 360
    frame_rate: Fraction = Fraction(25)
    sample_rate: int = 48000
    source_frames: int = 200  # 8 s per camera file
    handle_frames: int = 25  # source frames kept before each clip's in point
    clip_frames: int = 75  # 3 s of each source on the timeline
    transition_frames: int = 12  # fades and the dissolve

    @property
    def programme_frames(self) -> int:
        """Black, four shots, and the frame of black the fade out ends in."""
        return self.transition_frames + 4 * self.clip_frames + 1

    @property
    def line_frames(self) -> int:
        """The dialogue line: three quarters of a shot."""
        return self.clip_frames * 3 // 4


@dataclass(frozen=True, slots=True)
class DemoResult:
    """The files the demo wrote."""

    sources: tuple[Path, ...]  # camera files, the dialogue line, the music, the spotted effect
    project: Path
    programme: Path
    render: RenderResult
    master: Path
    qc: QcReport
    reports: tuple[Path, ...]
    montage: Montage | None = None  # the cameras cut to music on its beats (demo/montage.py)
    multicam: MulticamScene | None = None  # three angles cut by who speaks (demo/multicam.py)

    @property
    def journal(self) -> Path:
        """The project's undo journal (``postprod edit demo.otio history`` lists its steps)."""
        return self.project.with_name(self.project.name + ".history")

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file written, sources first (the journal is a folder)."""
        return (
            *self.sources,
            self.project,
            self.journal,
            self.programme,
            self.master,
            *self.reports,
            *(self.montage.files if self.montage else ()),
            *(self.multicam.files if self.multicam else ()),
        )


def run_demo(
    folder: str | Path,
    *,
    settings: DemoSettings | None = None,
    progress: Progress | None = None,
    on_step: Callable[[str], None] | None = None,
) -> DemoResult:
    """Make the sources, the project and the programme in ``folder`` (created if needed)."""
    settings = settings or DemoSettings()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    step = on_step or (lambda _message: None)
    step("writing the synthetic camera sources")
    sources = tuple(write_source(out / f"camera_{s.name}.mp4", s, settings) for s in SOURCES)
    step("writing a dubbed dialogue line (ADR aligned to the guide) and music")
    sounds = write_sounds(
        out,
        sample_rate=settings.sample_rate,
        line_s=settings.line_frames / float(settings.frame_rate),
        music_s=settings.programme_frames / float(settings.frame_rate) + 1,
    )
    step("building the project: tracks, the picture cut, the sound, the mix")
    project = make_project(out / "demo.otio", sources, sounds, settings)
    step("spotting a whoosh to the clock wipe from a marker")
    spotted = spot(project.path).generated
    step("cutting a montage of the cameras to music, on its beats")
    montage = make_montage(out, sources, settings.source_frames, str(settings.frame_rate))
    step("a multicam scene: three angles in sync, cut by who is speaking")
    multicam = make_multicam_scene(out)
    timeline = project.timeline()
    step("rendering the programme")
    output = OutputFormat(
        settings.width, settings.height, settings.frame_rate, settings.sample_rate, 2
    )
    programme = plan(timeline, output, project_folder=out)
    result = render(programme, out / "demo.mp4", progress=progress)
    step("mastering the sound to EBU R 128 and checking it")
    preset = find_preset("ebu-r128")
    start_s = Fraction(programme.start_timecode_frames) / settings.frame_rate
    stamp = Bext(
        description="postprod demo: programme sound, EBU R 128 master",
        time_reference_samples=round(start_s * settings.sample_rate),
    )
    master = normalize_file(
        result.path,
        out / "demo_master.wav",
        target_lufs=preset.target_lufs or -23.0,
        true_peak_dbtp=preset.true_peak_max_dbtp,
        bext=stamp,
    )
    report = run_qc(master.output, preset, expected_duration_s=result.duration_s)
    reports = write_reports(report, out)
    return DemoResult(
        (*sources, *sounds.files, *spotted),
        project.path,
        result.path,
        result,
        master.output,
        report,
        reports,
        montage,
        multicam,
    )


def write_source(path: Path, source: DemoSource, settings: DemoSettings) -> Path:
    """A camera file: the source's card and tone, ``settings.source_frames`` long."""
    video = VideoSpec(settings.width, settings.height, settings.frame_rate)
    audio = AudioSpec(settings.sample_rate, 2)
    samples_per_frame = Fraction(settings.sample_rate) / settings.frame_rate
    with MediaWriter(path, video=video, audio=audio, start_timecode="01:00:00:00") as writer:
        for index in range(settings.source_frames):
            writer.write_video(test_card(settings.width, settings.height, index, source.colour))
            first = round(index * samples_per_frame)
            count = round((index + 1) * samples_per_frame) - first
            writer.write_audio(
                sine(source.tone_hz, count, settings.sample_rate, channels=2, start_sample=first)
            )
    return path


def make_project(
    path: Path, sources: tuple[Path, ...], sounds: DemoSounds, settings: DemoSettings
) -> Project:
    """A new project at ``path`` (replacing the demo's own earlier one), built in steps of
    operations, each one undo step."""
    path.unlink(missing_ok=True)
    shutil.rmtree(path.with_name(path.name + ".history"), ignore_errors=True)
    new_project(
        path,
        name="postprod demo",
        rate=str(settings.frame_rate),
        start="01:00:00:00",
        size_px=(settings.width, settings.height),
        sample_rate_hz=settings.sample_rate,
    )
    project = Project(path)
    media = tuple(source.name for source in sources)  # relative to the project
    project.apply(*track_operations(), description="the demo's tracks")
    project.apply(*picture_operations(media, settings), description="the picture cut")
    project.apply(*upper_operations(media[1], settings), description="split screen and title")
    project.apply(*sound_operations(media, sounds, settings), description="the sound")
    project.apply(*mix_operations(), description="the mix")
    wipe_at = (
        settings.transition_frames + 3 * settings.clip_frames - settings.transition_frames // 2
    )
    spotting = "sfx:whoosh:4 track=FX gain_db=-8 duration_s=0.6"
    project.apply(AddMarker(wipe_at, "whoosh", "BLUE", spotting))
    return project


def track_operations() -> tuple[Operation, ...]:
    """From the new project's V1, A1 and A2 to the demo's tracks."""
    return (
        AddTrack("video", "V2"),
        RenameTrack("A1", "camera sound"),
        RenameTrack("A2", "dialogue"),
        AddTrack("audio", "ADR", "mono"),
        AddTrack("audio", "music", "stereo"),
    )


def picture_operations(media: tuple[str, ...], settings: DemoSettings) -> tuple[Operation, ...]:
    """V1: fade up into A, cut to B, dissolve to C, clock-wipe back to A, fade to black."""
    fade, length = settings.transition_frames, settings.clip_frames
    return (
        *_camera_cut("V1", media, settings),
        AddTransition("V1", fade, fade, align="end"),
        AddTransition("V1", fade + 2 * length, fade),
        AddTransition("V1", fade + 3 * length, fade, "clock", softness=0.05, border_px=2),
        AddTransition("V1", fade + 4 * length, fade, align="end"),
    )


def upper_operations(camera_b: str, settings: DemoSettings) -> tuple[Operation, ...]:
    """V2: while C plays alone, camera B in the right half (a split screen); then, while A
    plays again, a lower third keyed over it, faded in and out."""
    fade, length, handle = settings.transition_frames, settings.clip_frames, settings.handle_frames
    c_starts = fade + 2 * length  # record frame of the cut into C (the dissolve's centre)
    split_at = c_starts + (fade - fade // 2) + 1  # after the dissolve into C
    split_frames = length - fade - 2  # ends before the clock wipe
    title_at = c_starts + length + (fade - fade // 2)  # after the clock wipe
    title_frames = length - fade - (fade - fade // 2)  # ends where the fade to black begins
    title_fade = max(1, fade // 4)
    return (
        Overwrite("V2", split_at, camera_b, handle + length, split_frames),
        SetPicture("V2", split_at, "right"),
        AddTitle("V2", title_at, title_frames, "POSTPROD\nthe demo", "lower-third"),
        AddTransition("V2", title_at, title_fade, align="start"),
        AddTransition("V2", title_at + title_frames, title_fade, align="end"),
    )


def sound_operations(
    media: tuple[str, ...], sounds: DemoSounds, settings: DemoSettings
) -> tuple[Operation, ...]:
    """The cameras' sound cut as the picture is (crossfading where it dissolves), the line
    over camera B (the guide and the aligned ADR take), the music under everything."""
    fade, length = settings.transition_frames, settings.clip_frames
    line_at = fade + length + length // 8  # over camera B
    return (
        *_camera_cut("camera sound", media, settings),
        AddTransition("camera sound", fade, fade, align="end"),
        AddTransition("camera sound", fade + 2 * length, fade),
        AddTransition("camera sound", fade + 3 * length, fade),
        AddTransition("camera sound", fade + 4 * length, fade, align="end"),
        Overwrite("dialogue", line_at, sounds.dialogue.name),
        Overwrite("ADR", line_at, sounds.adr.name),
        Append("music", sounds.music.name, 0, settings.programme_frames),
    )


def mix_operations() -> tuple[Operation, ...]:
    """Camera sound down 4 dB; the guide muted; the ADR take given a villain's voice; the
    voice and the music on buses, the music ducked under the voice."""
    villain = find_effect_preset("larger-than-life").chain
    return (
        AddBus("VO"),
        AddBus("MX"),
        SetBus("MX", duck_key="VO", duck_depth_db=10.0),
        SetStrip("camera sound", gain_db=-4.0),
        SetStrip("dialogue", mute=True, output="VO"),  # the production take: the guide, kept
        *(AddInsert("ADR", spec.name, tuple(spec.params.items())) for spec in villain),
        SetStrip("ADR", output="VO"),
        SetStrip("music", output="MX"),
    )


def _camera_cut(track: str, media: tuple[str, ...], settings: DemoSettings) -> list[Operation]:
    """A, B, C and A again, each ``clip_frames`` long, after ``transition_frames`` of black."""
    fade, length, handle = settings.transition_frames, settings.clip_frames, settings.handle_frames
    a, b, c = media
    return [
        Overwrite(track, fade, a, handle, length),
        Append(track, b, handle, length),
        Append(track, c, handle, length),
        Append(track, a, handle + length, length),  # camera A again, from where it ended
    ]

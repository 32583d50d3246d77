"""The demo production: synthetic camera sources, an edit, a project, a render, a master.

Three sources stand in for camera files (each a test card of its own colour
with its own tone). The edit fades up from black into A, cuts to B, dissolves
to C (B joins it in a split screen), clock-wipes back to A (a lower-third
title keyed over it) and fades to black; the sound follows the picture. The programme's sound
is then mastered to EBU R 128 (a Broadcast Wave stamped with the start
timecode) and checked, with a JSON and an HTML report. Everything is
deterministic: the same run writes the same project and the same pictures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from postprod.audio.synth import sine
from postprod.deliver.normalize import normalize_file
from postprod.deliver.presets import find_preset
from postprod.deliver.qc import QcReport, run_qc
from postprod.deliver.report import write_reports
from postprod.demo.sound import add_sound
from postprod.media.bwf import Bext
from postprod.media.writer import AudioSpec, MediaWriter, VideoSpec
from postprod.operations import AddMarker, apply_operations
from postprod.planner.plan import OutputFormat, plan
from postprod.project import load_project, save_project
from postprod.render.engine import RenderResult, render
from postprod.render.mix import Progress
from postprod.timeline.build import title_clip
from postprod.timeline.metadata import PICTURE_LAYOUTS, WipeState, set_picture_state, set_wipe
from postprod.timeline.model import media_clip, rational_time
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

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file written, sources first."""
        return (*self.sources, self.project, self.programme, self.master, *self.reports)


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
    step("building the edit")
    timeline = build_timeline(tuple(Path(path.name) for path in sources), settings)
    step(
        "adding a dubbed dialogue line (ADR aligned to the guide, a villain's voice), music ducked"
    )
    fade = settings.transition_frames
    sounds = add_sound(
        timeline,
        out,
        rate=settings.frame_rate,
        sample_rate=settings.sample_rate,
        line_at_frame=fade + settings.clip_frames + settings.clip_frames // 8,  # over camera B
        line_frames=settings.clip_frames * 3 // 4,
    )
    step("spotting a whoosh to the clock wipe from a marker")
    wipe_at = fade + 3 * settings.clip_frames - fade // 2  # where the clock wipe starts
    timeline = apply_operations(
        timeline,
        AddMarker(wipe_at, "whoosh", "BLUE", "sfx:whoosh:4 track=FX gain_db=-8 duration_s=0.6"),
    )
    project = save_project(timeline, out / "demo.otio")  # media paths relative to the project
    spotted = spot(project).generated
    timeline = load_project(project)
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
        (*sources, *sounds, *spotted), project, result.path, result, master.output, report, reports
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


def build_timeline(sources: tuple[Path, ...], settings: DemoSettings) -> otio.schema.Timeline:
    """Fade up into A, cut to B, dissolve to C (split screen with B), clock-wipe back to A
    (a lower third over it), fade to black."""
    rate, fade = settings.frame_rate, settings.transition_frames
    timeline = otio.schema.Timeline(name="postprod demo")
    timeline.global_start_time = rational_time(90_000, rate)  # 01:00:00:00 at 25 fps
    picture = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    clips = [
        media_clip(
            path,
            name=path.stem,
            rate=rate,
            available_frames=settings.source_frames,
            source_start=settings.handle_frames,
            duration=settings.clip_frames,
        )
        for path in sources
    ]
    picture.append(otio.schema.Gap(source_range=_frames(fade, rate)))
    picture.append(_dissolve("fade up", fade, 0, rate))
    picture.append(clips[0])
    picture.append(clips[1])
    picture.append(_dissolve("B to C", fade // 2, fade - fade // 2, rate))
    picture.append(clips[2])
    wipe = _dissolve("C to A, clock wipe", fade // 2, fade - fade // 2, rate)
    set_wipe(wipe, WipeState("clock", softness=0.05, border_px=2))
    picture.append(wipe)
    picture.append(
        media_clip(  # camera A again, from where its first clip ended
            sources[0],
            name=f"{sources[0].stem} (again)",
            rate=rate,
            available_frames=settings.source_frames,
            source_start=settings.handle_frames + settings.clip_frames,
            duration=settings.clip_frames,
        )
    )
    picture.append(_dissolve("fade out", fade, 0, rate))
    picture.append(otio.schema.Gap(source_range=_frames(1, rate)))
    timeline.tracks.append(picture)
    timeline.tracks.append(_upper_track(sources[1], settings))
    return timeline


def _upper_track(camera_b: Path, settings: DemoSettings) -> otio.schema.Track:
    """V2: while C plays alone, camera B in the right half (a split screen); then, while A
    plays again, a lower third keyed over it, faded in and out."""
    rate, fade, length = settings.frame_rate, settings.transition_frames, settings.clip_frames
    c_starts = fade + 2 * length  # record frame of the cut into C (the dissolve's centre)
    split_at = c_starts + (fade - fade // 2) + 1  # after the dissolve into C
    split_frames = length - fade - 2  # ends before the clock wipe
    a_again = c_starts + length
    title_at = a_again + (fade - fade // 2)  # after the clock wipe
    title_frames = length - fade - (fade - fade // 2)  # ends where the fade to black begins
    title_fade = max(1, fade // 4)
    split = media_clip(
        camera_b,
        name=f"{camera_b.stem} (split screen)",
        rate=rate,
        available_frames=settings.source_frames,
        source_start=settings.handle_frames + length,
        duration=split_frames,
    )
    set_picture_state(split, PICTURE_LAYOUTS["right"])
    upper = otio.schema.Track(name="V2", kind=otio.schema.TrackKind.Video)
    upper.append(otio.schema.Gap(source_range=_frames(split_at, rate)))
    upper.append(split)
    upper.append(otio.schema.Gap(source_range=_frames(title_at - split_at - split_frames, rate)))
    upper.append(_dissolve("title in", 0, title_fade, rate))
    upper.append(title_clip("POSTPROD\nthe demo", title_frames, rate, style="lower-third"))
    upper.append(_dissolve("title out", title_fade, 0, rate))
    upper.append(otio.schema.Gap(source_range=_frames(1, rate)))
    return upper


def _dissolve(name: str, in_frames: int, out_frames: int, rate: Fraction) -> otio.schema.Transition:
    return otio.schema.Transition(
        name=name,
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=rational_time(in_frames, rate),
        out_offset=rational_time(out_frames, rate),
    )


def _frames(count: int, rate: Fraction) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(rational_time(0, rate), rational_time(count, rate))

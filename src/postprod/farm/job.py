"""One render on the farm: split, submit, follow, check, join.

The job's machine (the one running ``postprod``) plans, cuts the plan into
segments, and submits one task per segment and one for the sound, each keyed
by the hash of what it renders (the name of the file it writes; the Dask key adds
the run, so a stopped run's cancelled keys never meet a new run's), with Dask's
retries. It follows them as they
finish (progress: segments, frames per second over the cluster, time left),
checks every segment (frame count, first and last timestamps, a keyframe first)
and joins them with the sound by stream copy into a temporary name renamed into
place. The work folder (``.NAME.farm`` beside the output, on storage the workers
share) keeps finished segments until the join has succeeded, so ``resume``
continues a stopped or failed job from them.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from postprod.errors import RenderError
from postprod.farm.cluster import require_dask
from postprod.farm.keys import segment_key, sound_key
from postprod.farm.paths import PathMap
from postprod.farm.split import Segment, split_plan
from postprod.farm.tasks import SegmentTask, SoundTask, TaskDone, mix_sound, render_segment
from postprod.planner.plan import RenderPlan
from postprod.render.presets import OutputPreset
from postprod.timecode import FrameRate, frames_to_label

if TYPE_CHECKING:
    from postprod.media.concat import SegmentFacts


@dataclass(frozen=True, slots=True)
class FarmSettings:
    """How a job uses the cluster."""

    segment_s: float = 10.0  # the length segments are cut near
    resume: bool = False  # keep the work folder's finished segments
    maps: tuple[PathMap, ...] = ()  # media at other paths on the workers
    retries: int = 2  # a task runs at most retries + 1 times
    # A worker is a core: an encoder's own threads would only fight the other workers
    # (measured: 2 workers, 720p H.264, 18 % less CPU and 14 % less time with 1 thread).
    encoder_threads: int | None = 1


@dataclass(frozen=True, slots=True)
class FarmProgress:
    """Where a job is: segments and frames done, over the time since it was submitted."""

    segments_done: int
    segments: int
    frames_done: int
    frames: int
    elapsed_s: float

    @property
    def frames_per_s(self) -> float:
        return self.frames_done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def time_left_s(self) -> float | None:
        rate = self.frames_per_s
        return (self.frames - self.frames_done) / rate if rate > 0 else None


@dataclass(frozen=True, slots=True)
class FarmTimings:
    """Where a job's time went, in seconds: the wall clock of each phase on the job's
    machine, and the workers' own time summed over the tasks."""

    plan_s: float = 0.0  # split and keys
    wait_s: float = 0.0  # submission to the last task's result
    check_s: float = 0.0
    join_s: float = 0.0
    segments_s: tuple[float, ...] = ()  # each rendered segment, on its worker
    sound_s: float = 0.0  # the sound task, on its worker
    segments_cpu_s: tuple[float, ...] = ()  # their workers' CPU time (every thread)
    sound_cpu_s: float = 0.0
    dispatch_s: float = 0.0  # submission to the first task's start on a worker (scheduling)
    total_s: float = 0.0


@dataclass(frozen=True, slots=True)
class FarmResult:
    """What a farm render wrote and how."""

    path: Path
    frames: int
    samples: int
    frame_rate: Fraction
    segments: tuple[Segment, ...]
    rendered: int  # segment tasks that rendered now
    reused: int  # segments found finished (resume)
    warnings: tuple[str, ...] = ()
    timings: FarmTimings = field(default_factory=FarmTimings)

    @property
    def duration_s(self) -> float:
        return float(self.frames / self.frame_rate)


def work_folder(out: Path) -> Path:
    """Where a job keeps its segments: beside the output, hidden."""
    return out.with_name(f".{out.name}.farm")


def render_on_farm(
    client: Any,
    plan: RenderPlan,
    out: str | Path,
    *,
    preset: OutputPreset | str = "h264",
    options: dict[str, str] | None = None,
    burn_in_timecode: bool = False,
    strict: bool = False,
    settings: FarmSettings | None = None,
    progress: Callable[[FarmProgress], None] | None = None,
) -> FarmResult:
    """Render ``plan`` to ``out`` on the cluster ``client`` is connected to; a file that
    equals the one-process render's frame for frame and sample for sample."""
    from postprod.media.concat import join_segments
    from postprod.render.engine import with_offline_media
    from postprod.render.presets import output_preset

    distributed = require_dask()
    settings = settings or FarmSettings()
    began = time.perf_counter()
    target = Path(out)
    chosen = output_preset(preset) if isinstance(preset, str) else preset
    if chosen.image_sequence:
        raise RenderError(
            f"the farm writes files, not the {chosen.name} preset's folder of images",
            fix="render image sequences on one machine, or choose a file preset",
        )
    chosen.check_output(target)
    plan = with_offline_media(plan, strict=strict)
    work = work_folder(target)
    if not settings.resume:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    rate = plan.output.frame_rate
    segments = split_plan(plan, max(1, round(settings.segment_s * rate)))
    tasks, sound = _tasks(plan, segments, chosen, target, options, burn_in_timecode, settings)
    finished = {task.key for task in tasks if task.file().is_file()}
    planned_s = time.perf_counter() - began
    futures: dict[str, Any] = {}
    work_of: dict[str, tuple[Callable[[Any, RenderPlan], TaskDone], SegmentTask | SoundTask]] = {
        sound.key: (mix_sound, sound),
        **{task.key: (render_segment, task) for task in tasks if task.key not in finished},
    }

    run = uuid.uuid4().hex[:8]  # this run's Dask keys: a stopped run's never come back
    submitted = time.time()

    try:
        shared = client.scatter(plan, broadcast=True, hash=False)  # sent once, not per task
        for key, (function, task) in work_of.items():
            futures[key] = client.submit(
                function,
                task,
                shared,
                key=f"{key}-{run}",
                retries=settings.retries,
                pure=False,
                priority=1 if key == sound.key else 0,  # the longest task starts first
            )
        results = _follow(distributed, futures, tasks, finished, plan, settings, target, progress)
    except BaseException:
        client.cancel(list(futures.values()))
        raise
    waited = time.perf_counter()
    frames = plan.output_range.frames
    checked = _checked(tasks, plan)
    checked_at = time.perf_counter()
    first = plan.start_timecode_frames + plan.output_range.start
    frame_rate = FrameRate.parse(rate)
    join_segments(
        checked,
        sound.file(),
        target,
        frame_rate=rate,
        start_timecode=frames_to_label(first, frame_rate) if frame_rate.is_smpte else None,
    )
    joined = time.perf_counter()
    shutil.rmtree(work, ignore_errors=True)
    rendered = [done for key, done in results.items() if key != sound.key and done.rendered]
    heard = results[sound.key]
    return FarmResult(
        target,
        frames,
        heard.samples,
        rate,
        segments,
        rendered=len(rendered),
        reused=len(tasks) - len(rendered),
        warnings=plan.warnings,
        timings=FarmTimings(
            plan_s=planned_s,
            wait_s=waited - began - planned_s,
            check_s=checked_at - waited,
            join_s=joined - checked_at,
            segments_s=tuple(done.seconds for done in rendered),
            sound_s=heard.seconds,
            segments_cpu_s=tuple(done.cpu_s for done in rendered),
            sound_cpu_s=heard.cpu_s,
            dispatch_s=max(
                0.0,
                min((done.started for done in results.values() if done.rendered), default=0.0)
                - submitted,
            ),
            total_s=joined - began,
        ),
    )


def _tasks(
    plan: RenderPlan,
    segments: tuple[Segment, ...],
    preset: OutputPreset,
    target: Path,
    options: dict[str, str] | None,
    burn_in_timecode: bool,
    settings: FarmSettings,
) -> tuple[list[SegmentTask], SoundTask]:
    """One task per segment and one for the sound, each keyed by what it renders."""
    work = str(work_folder(target))
    suffix = target.suffix.lower()
    video = preset.video_spec(plan.output.width, plan.output.height, plan.output.frame_rate)
    options = dict(options if options is not None else video.options)
    if settings.encoder_threads is not None:
        options.setdefault("threads", str(settings.encoder_threads))
    picture = {
        "preset": preset.name,
        "codec": video.codec,
        "pixel_format": video.pixel_format,
        "options": options,
        "burn_in": burn_in_timecode,
    }
    tasks = [
        SegmentTask(
            segment_key(plan, segment, picture),
            segment,
            preset,
            suffix,
            work,
            options,
            burn_in_timecode,
            settings.maps,
        )
        for segment in segments
    ]
    audio = preset.audio_spec(plan.output.sample_rate, plan.output.channels)
    key = sound_key(plan, {"codec": audio.codec, "bit_rate": audio.bit_rate})
    return tasks, SoundTask(key, preset, suffix, work, settings.maps)


def _checked(tasks: list[SegmentTask], plan: RenderPlan) -> list[SegmentFacts]:
    """Every segment's file as demuxed, refused (naming the segment) unless it holds its
    frames, timestamps 0..n-1 and a keyframe first."""
    from postprod.media.concat import segment_facts

    checked = []
    for task in tasks:
        facts = segment_facts(task.file(), plan.output.frame_rate)
        problem = facts.problem(task.segment.frames)
        if problem is not None:
            raise RenderError(
                f"{_name(task.segment, len(tasks), plan)} is not right: {problem}",
                where=str(facts.path),
                fix="render the job again (without --resume)",
            )
        checked.append(facts)
    return checked


def _follow(
    distributed: Any,
    futures: dict[str, Any],
    tasks: list[SegmentTask],
    finished: set[str],
    plan: RenderPlan,
    settings: FarmSettings,
    target: Path,
    progress: Callable[[FarmProgress], None] | None,
) -> dict[str, TaskDone]:
    """Wait for every task, reporting progress; the first that fails for good fails the
    job with a report naming its segment, range and error."""
    by_key = {task.key: task for task in tasks}
    total = sum(task.segment.frames for task in tasks)
    done_frames = sum(by_key[key].segment.frames for key in finished)
    done_segments = len(finished)
    start = time.perf_counter()
    results: dict[str, TaskDone] = {}
    if progress is not None:
        progress(FarmProgress(done_segments, len(tasks), done_frames, total, 0.0))
    key_of = {id(future): key for key, future in futures.items()}
    for future in distributed.as_completed(list(futures.values())):
        key = key_of[id(future)]
        if future.status != "finished":
            error = future.exception()
            attempts = settings.retries + 1
            what = (
                _name(by_key[key].segment, len(tasks), plan)
                if key in by_key
                else "the programme's sound"
            )
            raise RenderError(
                f"{what} failed {attempts} times: {type(error).__name__}: {error}",
                where=str(target),
                fix="fix the cause and run it again with --resume (finished segments are kept)",
            )
        result: TaskDone = future.result()
        results[key] = result
        if key in by_key:
            done_segments += 1
            done_frames += by_key[key].segment.frames
            if progress is not None:
                elapsed = time.perf_counter() - start
                progress(FarmProgress(done_segments, len(tasks), done_frames, total, elapsed))
    for key in finished:
        path = by_key[key].file()
        results[key] = TaskDone(key, str(path), False, 0.0, "", by_key[key].segment.frames)
    return results


def _name(segment: Segment, count: int, plan: RenderPlan) -> str:
    """``segment 3 of 12 (frames 50-75, 01:00:02:00-01:00:03:00)``."""
    rate = FrameRate.parse(plan.output.frame_rate)
    text = f"segment {segment.index + 1} of {count} (frames {segment.start}-{segment.end}"
    if rate.is_smpte:
        first = plan.start_timecode_frames
        text += (
            f", {frames_to_label(first + segment.start, rate)}"
            f"-{frames_to_label(first + segment.end, rate)}"
        )
    return text + ")"

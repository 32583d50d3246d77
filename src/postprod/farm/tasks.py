"""What a worker runs: one segment's picture, or the programme's sound, into the job's
work folder on shared storage.

A task writes under a name of its own and renames the file to its key's name
only when complete, so a worker killed mid-segment leaves no file a join could
take, and two attempts of one key never write into the same file. A task
whose key's file is already there returns it without rendering (a retry after
the write, a resumed job). Each real render is one ``start`` and one ``done``
line in the work folder's ``renders.log`` (what the tests and ``--resume`` count).
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from postprod.errors import RenderError
from postprod.farm.paths import PathMap, map_path, map_plan
from postprod.farm.split import Segment
from postprod.planner.plan import FrameRange, RenderPlan
from postprod.render.presets import OutputPreset

#: The work folder's log of renders (JSON lines).
RENDER_LOG = "renders.log"


@dataclass(frozen=True, slots=True)
class SegmentTask:
    """Render ``segment`` of the job's plan (picture only) into ``work`` as ``key`` + suffix."""

    key: str
    segment: Segment
    preset: OutputPreset
    suffix: str
    work: str  # as the job's machine sees it
    options: dict[str, str] | None = None
    burn_in_timecode: bool = False
    maps: tuple[PathMap, ...] = ()

    def file(self, maps: tuple[PathMap, ...] = ()) -> Path:
        return Path(map_path(self.work, maps)) / f"{self.key}{self.suffix}"


@dataclass(frozen=True, slots=True)
class SoundTask:
    """Mix the programme's sound over the plan's range once and encode it as the preset says."""

    key: str
    preset: OutputPreset
    suffix: str
    work: str
    maps: tuple[PathMap, ...] = ()

    def file(self, maps: tuple[PathMap, ...] = ()) -> Path:
        return Path(map_path(self.work, maps)) / f"{self.key}{self.suffix}"


@dataclass(frozen=True, slots=True)
class TaskDone:
    """A finished task: its file (the job machine's path), whether it was rendered now
    (False: found finished), how long it took and where."""

    key: str
    path: str
    rendered: bool
    seconds: float
    worker: str
    frames: int = 0
    samples: int = 0
    started: float = field(default=0.0)
    cpu_s: float = 0.0  # the worker process's CPU time over the task (all its threads)


def render_segment(task: SegmentTask, plan: RenderPlan) -> TaskDone:
    """Render one segment of ``plan`` (sent to each worker once); the key's file if it is
    already there."""
    from postprod.render.engine import render

    started, cpu = time.time(), time.process_time()
    worker = worker_name()
    final = task.file(task.maps)
    done = Path(task.work) / final.name
    if final.is_file():
        return TaskDone(task.key, str(done), False, 0.0, worker, task.segment.frames)
    plan = map_plan(plan, task.maps)
    _check_media(plan, task.segment, worker)
    segment = task.segment
    _log(final.parent, "start", task.key, segment.index, worker)
    partial = final.with_name(f"{task.key}.{uuid.uuid4().hex[:8]}{task.suffix}")
    try:
        render(
            plan.with_range(FrameRange(segment.start, segment.frames)),
            partial,
            preset=task.preset,
            options=task.options,
            burn_in_timecode=task.burn_in_timecode,
            with_sound=False,
        )
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    _log(final.parent, "done", task.key, segment.index, worker)
    return TaskDone(
        task.key,
        str(done),
        True,
        time.time() - started,
        worker,
        segment.frames,
        started=started,
        cpu_s=time.process_time() - cpu,
    )


def mix_sound(task: SoundTask, plan: RenderPlan) -> TaskDone:
    """Mix and encode the sound of the plan's range in one pass (reverb tails, ducking and
    the limiter cross every segment boundary; AAC's priming is paid once)."""
    from postprod.media.writer import MediaWriter
    from postprod.render.engine import ProgrammeSound, sample_at, with_offline_media

    started, cpu = time.time(), time.process_time()
    worker = worker_name()
    final = task.file(task.maps)
    done = Path(task.work) / final.name
    plan = map_plan(plan, task.maps)
    span = plan.output_range
    first, end = sample_at(plan, span.start), sample_at(plan, span.start + span.frames)
    if final.is_file():
        return TaskDone(task.key, str(done), False, 0.0, worker, samples=end - first)
    missing = [s.path for s in plan.audio if not Path(s.path).is_file()]
    if missing:
        raise RenderError(
            f"sound file {missing[0]} is missing on worker {worker}",
            fix="mount the media there, or map its folder with --map FROM=TO",
        )
    plan = with_offline_media(plan)
    _log(final.parent, "start", task.key, -1, worker)
    spec = task.preset.audio_spec(plan.output.sample_rate, plan.output.channels)
    partial = final.with_name(f"{task.key}.{uuid.uuid4().hex[:8]}{task.suffix}")
    sound = ProgrammeSound(plan)
    sound.skip_to(first)
    step = max(1, round(plan.output.frame_rate))
    try:
        with MediaWriter(partial, audio=spec) as writer:
            for frame in range(span.start, span.start + span.frames, step):
                upto = sample_at(plan, min(frame + step, span.start + span.frames))
                writer.write_audio(sound.until(upto))
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    _log(final.parent, "done", task.key, -1, worker)
    return TaskDone(
        task.key,
        str(done),
        True,
        time.time() - started,
        worker,
        samples=end - first,
        started=started,
        cpu_s=time.process_time() - cpu,
    )


def _check_media(plan: RenderPlan, segment: Segment, worker: str) -> None:
    """Refuse, naming the worker, a source the segment shows that this worker cannot see
    (the job's machine saw it: missing ones were marked offline there)."""
    for track in (plan.video, *plan.overlays):
        for span in track:
            if span.start >= segment.end or span.start + span.length <= segment.start:
                continue
            for source in (span.a, span.b):
                if source is None or source.title is not None or source.offline:
                    continue
                if not Path(source.path).is_file():
                    raise RenderError(
                        f"source {source.path} of clip {span.name!r} is missing on worker {worker}",
                        fix="mount the media there, or map its folder with --map FROM=TO",
                    )


def worker_name() -> str:
    """The Dask worker's address, or host:pid outside a cluster."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def _log(folder: Path, event: str, key: str, segment: int, worker: str) -> None:
    line = json.dumps(
        {
            "event": event,
            "key": key,
            "segment": segment,
            "worker": worker,
            "pid": os.getpid(),
            "time": time.time(),
        }
    )
    with open(folder / RENDER_LOG, "a", encoding="utf-8") as log:
        log.write(line + "\n")


def read_render_log(folder: Path) -> list[dict[str, object]]:
    """The work folder's render log, one dict per line (empty if none)."""
    path = folder / RENDER_LOG
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]

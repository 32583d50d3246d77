"""Deliver a project against a preset: render its sound, master it, check it, report.

The sound is rendered at the preset's sample rate into a 32-bit float
working file, normalised to the preset's target with its true-peak ceiling
(TPDF-dithered to the preset's word length, stamped as Broadcast Wave with
the timeline's start timecode), checked against the preset and reported in
JSON and HTML. A preset with ``cue_sheet = true`` (the CD master) also gets a
cue sheet: the album is the project's name, a track per track marker (the
preset's ``cue_track_colour``, or a name starting with "#"), never a spotting
marker. A film delivery keeps the mix's level and
writes every bus as a stem beside the print master, all stamped with the
start timecode.
Where a limiter stands between the gain and the level (the true-peak ceiling),
the output is measured again and the gain corrected until it is within the
preset's tolerance (``deliver/loudness_loop.py``); a web file is measured
after its AAC encoder, as QC measures it.
Every file is written under a temporary name and renamed when complete.
A failed check that an operation on the master can make pass carries that fix
(``deliver/fixes.py``) in the report.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

import opentimelineio as otio

from postprod.atomic import write_text
from postprod.deliver.cue import cue_sheet, track_marks
from postprod.deliver.fixes import fixes_for
from postprod.deliver.loudness_loop import AIM_LU, converge_gain
from postprod.deliver.normalize import normalize_file
from postprod.deliver.presets import DeliveryPreset
from postprod.deliver.qc import QcReport, run_qc
from postprod.deliver.report import write_reports
from postprod.effects.console import ConsoleState
from postprod.effects.registry import EffectSpec
from postprod.errors import DeliveryError, TimecodeError
from postprod.media.audio_write import write_audio
from postprod.media.bwf import Bext
from postprod.operations import Project
from postprod.planner.plan import OutputFormat, RenderPlan, plan
from postprod.project import load_project
from postprod.qc.loudness import LoudnessMeter, LoudnessResult
from postprod.render.engine import render
from postprod.render.mixdown import mix_project, programme_sound
from postprod.render.project import output_format
from postprod.timecode import FrameRate, frames_to_label
from postprod.timeline.metadata import console_of
from postprod.timeline.model import markers, timeline_rate


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a delivery wrote and how it checked."""

    master: Path
    qc: QcReport
    reports: tuple[Path, ...]
    cue: Path | None = None
    stems: tuple[Path, ...] = ()
    #: the fixes ``fix=True`` applied to the project before this delivery (their undo lines)
    applied: tuple[str, ...] = ()


def deliver_project(
    project: str | os.PathLike[str],
    preset: DeliveryPreset,
    out_dir: str | os.PathLike[str],
    *,
    fix: bool = False,
    stage: Callable[[str], None] | None = None,
) -> Delivery:
    """Master ``project``'s sound to ``preset`` into ``out_dir``.

    With ``fix``, a delivery that fails a check the master can fix (``deliver/fixes.py``:
    a high-pass for DC, the fader for loudness, a limiter for peaks) has every such fix
    applied to the project as one undo step and is delivered again; the report names them.
    ``stage(what)`` is told each step as it starts (the CLI shows it).
    """
    stage = stage or _quiet
    delivery = _deliver_once(project, preset, out_dir, stage)
    fixes = list(dict.fromkeys(delivery.qc.fixes.values()))  # one fix can serve two checks
    if not fix or delivery.qc.passed or not fixes:
        return delivery
    operations = [operation for found in fixes for operation in found.operations]
    applied = tuple(found.description for found in fixes)
    stage(f"applying {len(fixes)} fix(es) to the project")
    Project(Path(project)).apply(*operations, description="; ".join(applied))
    again = _deliver_once(project, preset, out_dir, stage)
    report = replace(again.qc, applied_fixes=applied)
    stem = again.reports[0].name.removesuffix(".json")
    reports = write_reports(report, again.reports[0].parent, name=stem)
    return replace(again, qc=report, reports=reports, applied=applied)


def _quiet(what: str) -> None:
    """No one is watching the stages."""


def _deliver_once(
    project: str | os.PathLike[str],
    preset: DeliveryPreset,
    out_dir: str | os.PathLike[str],
    stage: Callable[[str], None],
) -> Delivery:
    path = Path(project)
    timeline = load_project(path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if preset.container == "mp4":
        return _deliver_web(path, timeline, preset, out, stage)
    if preset.container != "wav":
        raise DeliveryError(
            f"preset {preset.name} delivers {preset.container}, which deliver cannot make",
            fix="use wav or mp4 in the preset",
        )
    rate = timeline_rate(timeline)
    channels = preset.channels or 2
    output = OutputFormat(frame_rate=rate, sample_rate=preset.sample_rate, channels=channels)
    programme = plan(timeline, output, project_folder=path.parent)
    stem = f"{path.stem}.{preset.name}"
    start_s = Fraction(programme.start_timecode_frames) / rate
    stamp = Bext(
        description=f"{timeline.name}: {preset.description}"[:256],
        time_reference_samples=round(start_s * preset.sample_rate),
    )
    duration_s = float(Fraction(programme.frames) / rate)
    where = _programme_facts(timeline, programme)
    if preset.stems:  # a film mix keeps its level: print master and stems straight from the console
        stage("mixing the print master and stems")
        mixed = mix_project(
            path,
            out / f"{stem}.wav",
            stems_dir=out / f"{stem}_stems",
            sample_rate=preset.sample_rate,
            bit_depth=str(preset.bit_depth),
        )
        stage("checking the print master (QC)")
        report = run_qc(mixed.mix, preset, expected_duration_s=duration_s, **where)
        report = _with_fixes(report, timeline, keeps_level=True)
        reports = write_reports(report, out, name=f"{stem}.qc")
        return Delivery(mixed.mix, report, reports, stems=mixed.stems)
    with tempfile.TemporaryDirectory(dir=out, prefix=".deliver-") as work:
        stage("mixing the programme")
        mix = write_audio(
            Path(work) / "mix.wav", programme_sound(programme), preset.sample_rate, bit_depth="32f"
        )
        stage(f"mastering to {preset.name} (measured again after the limiter)")
        master = normalize_file(
            mix,
            out / f"{stem}.wav",
            target_lufs=preset.target_lufs if preset.target_lufs is not None else _keep(mix),
            true_peak_dbtp=preset.true_peak_max_dbtp,
            bit_depth=str(preset.bit_depth),
            bext=stamp,
            noise_shaping=preset.noise_shaping,
            aim_lu=min(AIM_LU, preset.tolerance_lu / 4) if preset.target_lufs is not None else None,
        )
    stage("checking the master (QC)")
    report = run_qc(master.output, preset, expected_duration_s=duration_s, **where)
    report = _with_fixes(report, timeline, keeps_level=False)
    reports = write_reports(report, out, name=f"{stem}.qc")
    cue = None
    if preset.cue_sheet:
        tracks = track_marks(markers(timeline), rate, preset.cue_track_colour)
        cue = write_text(out / f"{stem}.cue", cue_sheet(master.output.name, timeline.name, tracks))
    return Delivery(master.output, report, reports, cue)


def _with_fixes(report: QcReport, timeline: otio.schema.Timeline, *, keeps_level: bool) -> QcReport:
    """``report`` with the fixes its failed checks have; ``keeps_level``: the file has the
    console's level (not normalised), so the master's fader and limiter decide it."""
    return replace(report, fixes=fixes_for(report, console_of(timeline), keeps_level=keeps_level))


def _keep(mix: Path) -> float:
    """The integrated loudness the mix already has (presets with no loudness target)."""
    from postprod.deliver.measure import measure_file

    return measure_file(mix, true_peak=False).integrated_lufs


def _deliver_web(
    path: Path,
    timeline: otio.schema.Timeline,
    preset: DeliveryPreset,
    out: Path,
    stage: Callable[[str], None],
) -> Delivery:
    """Picture and sound in one MP4 (H.264, AAC), the sound brought to the preset's loudness.

    The console mix is measured first; the master fader then takes it to the
    target, with a true-peak limiter on the master only if the gain needs it;
    the mix is measured again through the limiter and the fader corrected
    until it is on target (``deliver/loudness_loop.py``). The MP4 is then
    measured as QC measures it (after the AAC encoder): if its loudness is
    off or its true peak over, the fader and the limiter's ceiling are
    corrected by what was measured and it is rendered again (at most three
    renders).
    """
    programme = plan(
        timeline,
        output_format(timeline, path.parent, sample_rate=preset.sample_rate),
        project_folder=path.parent,
    )
    stage("measuring the mix")
    measured = _mix_loudness(programme, programme.console)
    if not math.isfinite(measured.integrated_lufs):
        raise DeliveryError(
            f"{path.name} is silent: there is nothing to bring to {preset.target_lufs} LUFS"
        )
    target = preset.target_lufs if preset.target_lufs is not None else measured.integrated_lufs
    aim = min(AIM_LU, preset.tolerance_lu / 4)
    gain_db = target - measured.integrated_lufs
    ceiling_db: float | None = None
    if measured.true_peak_dbtp + gain_db > preset.true_peak_max_dbtp - 1.0:  # AAC adds a little
        ceiling_db = preset.true_peak_max_dbtp - 1.5
    name = out / f"{path.stem}.{preset.name}.mp4"
    where = _programme_facts(timeline, programme)
    duration_s = float(Fraction(programme.frames) / programme.output.frame_rate)
    mix_target = target  # what the mix must measure for the encoded file to be on target
    for attempt in range(1, _MAX_RENDERS + 1):
        if ceiling_db is not None:
            stage(
                "bringing the limited mix to its target"
            )  # the limiter takes back part of the gain: measure again
            gain_db = converge_gain(
                partial(_limited_loudness, programme, ceiling_db), mix_target, gain_db, aim_lu=aim
            ).gain_db
        console = _mastered(programme.console, gain_db, ceiling_db)
        stage(f"rendering {name.name}" + (f" (pass {attempt})" if attempt > 1 else ""))
        mp4 = render(replace(programme, console=console), name).path
        stage(f"checking {name.name} (QC, picture and sound)")
        report = run_qc(mp4, preset, expected_duration_s=duration_s, **where)
        error_lu = target - report.loudness.integrated_lufs
        over_db = report.loudness.true_peak_dbtp - preset.true_peak_max_dbtp
        if abs(error_lu) <= preset.tolerance_lu and over_db <= 0:
            break
        mix_target += error_lu
        gain_db += error_lu
        if over_db > 0:
            start = ceiling_db if ceiling_db is not None else preset.true_peak_max_dbtp - 1.0
            ceiling_db = start - over_db - 0.3
    report = _with_fixes(report, timeline, keeps_level=False)
    reports = write_reports(report, out, name=f"{path.stem}.{preset.name}.qc")
    return Delivery(mp4, report, reports)


def _programme_facts(timeline: otio.schema.Timeline, programme: RenderPlan) -> dict[str, Any]:
    """The report's programme name, rate and start timecode: the project's, not the file's."""
    rate = timeline_rate(timeline)
    try:
        start = frames_to_label(programme.start_timecode_frames, FrameRate.parse(rate))
    except TimecodeError:  # a rate timecode cannot count: the file's own, or zero
        start = None
    return {"programme": timeline.name, "frame_rate": rate, "start_timecode": start}


#: Renders a web delivery may take to land on its targets (each measured after the encoder).
_MAX_RENDERS = 3


def _mastered(console: ConsoleState, gain_db: float, ceiling_db: float | None) -> ConsoleState:
    """``console`` with the master fader moved by ``gain_db`` and, if a ceiling is given, a
    limiter last on the master."""
    inserts = console.master_inserts
    if ceiling_db is not None:
        inserts = (*inserts, EffectSpec.of("limiter", ceiling_db=ceiling_db))
    return replace(console, master_gain_db=console.master_gain_db + gain_db, master_inserts=inserts)


def _limited_loudness(programme: RenderPlan, ceiling_db: float, gain_db: float) -> float:
    """The integrated loudness of the mix with the master at ``gain_db`` into the limiter."""
    console = _mastered(programme.console, gain_db, ceiling_db)
    return _mix_loudness(programme, console).integrated_lufs


def _mix_loudness(programme: RenderPlan, console: ConsoleState) -> LoudnessResult:
    """The programme's sound through ``console``, measured (mixed, not written)."""
    meter = LoudnessMeter(programme.output.sample_rate, programme.output.channels)
    for block in programme_sound(replace(programme, console=console)):
        meter.feed(block)
    return meter.result()

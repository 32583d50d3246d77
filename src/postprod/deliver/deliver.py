"""Deliver a project against a preset: render its sound, master it, check it, report.

The sound is rendered at the preset's sample rate into a 32-bit float
working file, normalised to the preset's target with its true-peak ceiling
(TPDF-dithered to the preset's word length, stamped as Broadcast Wave with
the timeline's start timecode), checked against the preset and reported in
JSON and HTML. A preset with ``cue_sheet = true`` (the CD master) also gets a
cue sheet with a track per marker. A film delivery keeps the mix's level and
writes every bus as a stem beside the print master, all stamped with the
start timecode.
Every file is written under a temporary name and renamed when complete.
A failed check that an operation on the master can make pass carries that fix
(``deliver/fixes.py``) in the report.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from postprod.atomic import write_text
from postprod.deliver.cue import cue_sheet
from postprod.deliver.fixes import fixes_for
from postprod.deliver.normalize import normalize_file
from postprod.deliver.presets import DeliveryPreset
from postprod.deliver.qc import QcReport, run_qc
from postprod.deliver.report import write_reports
from postprod.effects.registry import EffectSpec
from postprod.errors import DeliveryError
from postprod.media.audio_write import write_audio
from postprod.media.bwf import Bext
from postprod.planner.plan import OutputFormat, plan
from postprod.project import load_project
from postprod.qc.loudness import LoudnessMeter
from postprod.render.engine import render
from postprod.render.mixdown import mix_project, programme_sound
from postprod.render.project import output_format
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


def deliver_project(
    project: str | os.PathLike[str], preset: DeliveryPreset, out_dir: str | os.PathLike[str]
) -> Delivery:
    """Master ``project``'s sound to ``preset`` into ``out_dir``."""
    path = Path(project)
    timeline = load_project(path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if preset.container == "mp4":
        return _deliver_web(path, timeline, preset, out)
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
    if preset.stems:  # a film mix keeps its level: print master and stems straight from the console
        mixed = mix_project(
            path,
            out / f"{stem}.wav",
            stems_dir=out / f"{stem}_stems",
            sample_rate=preset.sample_rate,
            bit_depth=str(preset.bit_depth),
        )
        report = run_qc(mixed.mix, preset, expected_duration_s=duration_s)
        report = _with_fixes(report, timeline, keeps_level=True)
        reports = write_reports(report, out, name=f"{stem}.qc")
        return Delivery(mixed.mix, report, reports, stems=mixed.stems)
    with tempfile.TemporaryDirectory(dir=out, prefix=".deliver-") as work:
        mix = write_audio(
            Path(work) / "mix.wav", programme_sound(programme), preset.sample_rate, bit_depth="32f"
        )
        master = normalize_file(
            mix,
            out / f"{stem}.wav",
            target_lufs=preset.target_lufs if preset.target_lufs is not None else _keep(mix),
            true_peak_dbtp=preset.true_peak_max_dbtp,
            bit_depth=str(preset.bit_depth),
            bext=stamp,
            noise_shaping=preset.noise_shaping,
        )
    report = run_qc(master.output, preset, expected_duration_s=duration_s)
    report = _with_fixes(report, timeline, keeps_level=False)
    reports = write_reports(report, out, name=f"{stem}.qc")
    cue = None
    if preset.cue_sheet:
        tracks = [(Fraction(m.frame) / rate, m.name) for m in markers(timeline)]
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
    path: Path, timeline: otio.schema.Timeline, preset: DeliveryPreset, out: Path
) -> Delivery:
    """Picture and sound in one MP4 (H.264, AAC), the sound brought to the preset's loudness.

    The console mix is measured first; the master fader then takes it to the
    target, with a true-peak limiter on the master only if the gain needs it.
    """
    programme = plan(
        timeline,
        output_format(timeline, path.parent, sample_rate=preset.sample_rate),
        project_folder=path.parent,
    )
    meter = LoudnessMeter(preset.sample_rate, 2)
    for block in programme_sound(programme):
        meter.feed(block)
    measured = meter.result()
    if not math.isfinite(measured.integrated_lufs):
        raise DeliveryError(
            f"{path.name} is silent: there is nothing to bring to {preset.target_lufs} LUFS"
        )
    gain_db = (
        preset.target_lufs if preset.target_lufs is not None else measured.integrated_lufs
    ) - measured.integrated_lufs
    console = replace(programme.console, master_gain_db=programme.console.master_gain_db + gain_db)
    if measured.true_peak_dbtp + gain_db > preset.true_peak_max_dbtp - 1.0:  # AAC adds a little
        limiter = EffectSpec.of("limiter", ceiling_db=preset.true_peak_max_dbtp - 1.5)
        console = replace(console, master_inserts=(*console.master_inserts, limiter))
    mp4 = render(replace(programme, console=console), out / f"{path.stem}.{preset.name}.mp4").path
    report = run_qc(
        mp4,
        preset,
        expected_duration_s=float(Fraction(programme.frames) / programme.output.frame_rate),
    )
    report = _with_fixes(report, timeline, keeps_level=False)
    reports = write_reports(report, out, name=f"{path.stem}.{preset.name}.qc")
    return Delivery(mp4, report, reports)

"""Deliver a project against a preset: render its sound, master it, check it, report.

The sound is rendered at the preset's sample rate into a 32-bit float
working file, normalised to the preset's target with its true-peak ceiling
(TPDF-dithered to the preset's word length, stamped as Broadcast Wave with
the timeline's start timecode), checked against the preset and reported in
JSON and HTML. A CD master also gets a cue sheet with a track per marker. A
film delivery keeps the mix's level and writes every bus as a stem beside the
print master, all stamped with the start timecode.
Every file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from postprod.atomic import write_text
from postprod.deliver.cue import cue_sheet
from postprod.deliver.normalize import normalize_file
from postprod.deliver.presets import DeliveryPreset
from postprod.deliver.qc import QcReport, run_qc
from postprod.deliver.report import write_reports
from postprod.errors import DeliveryError
from postprod.interchange import load_project
from postprod.media.audio_write import write_audio
from postprod.media.bwf import Bext
from postprod.planner.plan import OutputFormat, plan
from postprod.render.mixdown import mix_project, programme_sound
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
    if preset.container != "wav":
        raise DeliveryError(
            f"preset {preset.name} delivers {preset.container}, which deliver cannot make yet",
            fix="choose a WAV preset (postprod presets list)",
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
        )
    report = run_qc(master.output, preset, expected_duration_s=duration_s)
    reports = write_reports(report, out, name=f"{stem}.qc")
    cue = None
    if preset.name == "cd":
        tracks = [(Fraction(frame) / rate, name) for frame, name in markers(timeline)]
        cue = write_text(out / f"{stem}.cue", cue_sheet(master.output.name, timeline.name, tracks))
    return Delivery(master.output, report, reports, cue)


def _keep(mix: Path) -> float:
    """The integrated loudness the mix already has (presets with no loudness target)."""
    from postprod.deliver.measure import measure_file

    return measure_file(mix, true_peak=False).integrated_lufs

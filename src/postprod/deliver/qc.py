"""Quality control of a sound file against a delivery preset, in one streaming pass.

Every check has a name, a measured value, the limit it is held to and a
sentence a technician can act on; the report passes when every check does.
A delivery adds the fixes it can offer (``deliver/fixes.py``): in the JSON, a
failed check with a fix carries it under ``fix``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from postprod.deliver.checks import Check, Finding, make_check
from postprod.deliver.picture_qc import PictureQc, measure_picture, picture_checks
from postprod.deliver.presets import DeliveryPreset
from postprod.errors import DeliveryError
from postprod.media.audio import iter_audio_blocks
from postprod.media.probe import probe
from postprod.qc.loudness import LoudnessMeter, LoudnessResult
from postprod.qc.signal_stats import SignalStats
from postprod.qc.spectral import BandStats

if TYPE_CHECKING:
    from postprod.deliver.fixes import Fix

__all__ = ["Check", "Finding", "QcReport", "run_qc"]

_BIT_DEPTHS = {"pcm_s16le": 16, "pcm_s24le": 24, "pcm_s32le": 32, "pcm_f32le": 32, "pcm_f64le": 64}


@dataclass(frozen=True, slots=True)
class QcReport:
    """The result of checking one file against one preset."""

    file: Path
    preset: DeliveryPreset
    checks: tuple[Check, ...]
    loudness: LoudnessResult = field(repr=False)
    stats: SignalStats = field(repr=False)
    #: check name -> the fix a delivery offers for it (failed checks only; ``deliver/fixes.py``)
    fixes: Mapping[str, Fix] = field(default_factory=lambda: MappingProxyType({}))
    #: the picture pass (``deliver/picture_qc.py``), when the preset checks picture
    picture: PictureQc | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return all(check.passed for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """The ``qc --json`` contract: preset, passed, checks (a check with a fix: ``fix``)."""
        return {
            "file": str(self.file),
            "preset": self.preset.name,
            "passed": self.passed,
            "checks": [self._check_dict(check) for check in self.checks],
            "loudness": self.loudness.figures(),
        }

    def _check_dict(self, check: Check) -> dict[str, Any]:
        data = asdict(check)
        fix = self.fixes.get(check.name)
        if fix is not None:
            data["fix"] = fix.to_dict()
        return data


def run_qc(
    path: str | os.PathLike[str],
    preset: DeliveryPreset,
    *,
    expected_duration_s: float | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> QcReport:
    """Check ``path`` against ``preset``: its sound, and its picture when the preset has
    picture rules and the file a picture (``progress`` follows the picture pass)."""
    path = Path(path)
    info = probe(path)
    audio = info.audio
    if audio is None or not audio.sample_rate or not audio.channels:
        raise DeliveryError(
            f"{path.name} has no sound to check", where=str(path), fix="give a sound file"
        )
    meter = LoudnessMeter(audio.sample_rate, audio.channels)
    stats = SignalStats(audio.sample_rate, audio.channels, min_silence_s=preset.max_silence_s)
    bands = BandStats(audio.sample_rate, audio.channels) if _needs_bands(preset) else None
    for block in iter_audio_blocks(path, block_samples=audio.sample_rate * 4):
        meter.feed(block)
        stats.feed(block)
        if bands is not None:
            bands.feed(block)
    stats.finish()
    loudness = meter.result()
    bit_depth = _BIT_DEPTHS.get(audio.codec)
    checks = [
        *_loudness_checks(loudness, preset),
        *_signal_checks(stats, preset),
        make_check(
            "sample_rate",
            audio.sample_rate == preset.sample_rate,
            audio.sample_rate,
            f"= {preset.sample_rate} Hz",
            f"resample to {preset.sample_rate} Hz",
        ),
    ]
    if preset.bit_depth:
        checks.append(
            make_check(
                "bit_depth",
                bit_depth == preset.bit_depth,
                bit_depth if bit_depth is not None else audio.codec,
                f"= {preset.bit_depth}-bit PCM",
                f"write {preset.bit_depth}-bit PCM (with dither when reducing)",
            )
        )
    if bands is not None:
        checks += _band_checks(bands, preset)
    if preset.channels is not None:
        checks.append(
            make_check(
                "channels",
                audio.channels == preset.channels,
                audio.channels,
                f"= {preset.channels}",
                f"deliver {preset.channels} channel(s)",
            )
        )
    picture = None
    if preset.picture is not None and info.video is not None:
        picture = measure_picture(path, preset.picture, progress=progress)
        checks += picture_checks(picture, preset.picture)
    if expected_duration_s is not None:
        seconds = stats.samples / audio.sample_rate
        checks.append(
            make_check(
                "duration",
                abs(seconds - expected_duration_s) <= 0.04,
                round(seconds, 3),
                f"= {expected_duration_s} s +-40 ms",
                "check the render range and the programme's in and out points",
            )
        )
    return QcReport(path, preset, tuple(checks), loudness, stats, picture=picture)


def _loudness_checks(loudness: LoudnessResult, preset: DeliveryPreset) -> list[Check]:
    checks = []
    if preset.target_lufs is not None:
        low = preset.target_lufs - preset.tolerance_lu
        high = preset.target_lufs + preset.tolerance_lu
        value = loudness.integrated_lufs
        checks.append(
            make_check(
                "integrated_loudness",
                low <= value <= high,
                round(value, 2),
                f"{preset.target_lufs} LUFS +-{preset.tolerance_lu} LU",
                f"normalise to {preset.target_lufs} LUFS (postprod normalize)",
            )
        )
    checks.append(
        make_check(
            "true_peak",
            loudness.true_peak_dbtp <= preset.true_peak_max_dbtp,
            round(loudness.true_peak_dbtp, 2),
            f"<= {preset.true_peak_max_dbtp} dBTP",
            "lower the level or limit true peaks (postprod normalize --true-peak)",
        )
    )
    checks.append(
        make_check(
            "sample_peak",
            loudness.sample_peak_dbfs <= preset.sample_peak_max_dbfs,
            round(loudness.sample_peak_dbfs, 2),
            f"<= {preset.sample_peak_max_dbfs} dBFS",
            "lower the level",
        )
    )
    return checks


def _signal_checks(stats: SignalStats, preset: DeliveryPreset) -> list[Check]:
    rate = stats.sample_rate
    first_clip = f" (first at {stats.clips[0].start / rate:.3f} s)" if stats.clips else ""
    longest = max((run.length for run in stats.silences), default=0) / rate
    where = f" (first at {stats.silences[0].start / rate:.3f} s)" if stats.silences else ""
    dc = float(np.abs(stats.dc_offset).max()) if stats.samples else 0.0
    checks = [
        make_check(
            "clipping",
            not stats.clips,
            len(stats.clips),
            f"no runs of {3}+ full-scale samples",
            f"re-render with headroom{first_clip}",
        ),
        make_check(
            "silence",
            not stats.silences,
            round(longest, 3),
            f"no digital silence or drop-out longer than {preset.max_silence_s} s",
            f"find the gap in the programme{where}",
        ),
        make_check(
            "dc_offset",
            dc <= preset.max_dc_offset,
            round(dc, 6),
            f"<= {preset.max_dc_offset}",
            "high-pass the programme (a DC blocker)",
        ),
    ]
    if stats.channels >= 2:
        correlation = stats.correlation(0, 1)
        checks.append(
            make_check(
                "phase_correlation",
                correlation >= preset.min_correlation,
                round(correlation, 3),
                f">= {preset.min_correlation} (left/right)",
                "a channel is out of phase: invert its polarity",
            )
        )
        loss = stats.mono_loss_db(0, 1)
        checks.append(
            make_check(
                "mono_compatibility",
                loss <= 6.0,
                round(loss, 2),
                "<= 6 dB quieter summed to mono",
                "check for phase problems between left and right",
            )
        )
    return checks


def _needs_bands(preset: DeliveryPreset) -> bool:
    limits = (preset.max_lf_side_db, preset.max_sibilance_dbfs, preset.max_hf_energy_db)
    return any(limit is not None for limit in limits)


def _band_checks(bands: BandStats, preset: DeliveryPreset) -> list[Check]:
    checks = []
    if preset.max_lf_side_db is not None:
        checks.append(
            make_check(
                "low_frequency_stereo",
                bands.lf_side_db <= preset.max_lf_side_db,
                round(bands.lf_side_db, 1),
                f"side below 150 Hz <= {preset.max_lf_side_db} dB under mid",
                "make the bass mono below 150 Hz (an elliptic EQ) before cutting",
            )
        )
    if preset.max_sibilance_dbfs is not None:
        checks.append(
            make_check(
                "sibilance",
                bands.sibilance_peak_dbfs <= preset.max_sibilance_dbfs,
                round(bands.sibilance_peak_dbfs, 1),
                f"4-12 kHz peaks <= {preset.max_sibilance_dbfs} dBFS",
                "de-ess the vocals or lower the top end",
            )
        )
    if preset.max_hf_energy_db is not None:
        checks.append(
            make_check(
                "high_frequency_energy",
                bands.hf_energy_db <= preset.max_hf_energy_db,
                round(bands.hf_energy_db, 1),
                f"energy above 12 kHz <= {preset.max_hf_energy_db} dB of the total",
                "roll off the top end for tape",
            )
        )
    return checks

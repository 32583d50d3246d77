"""Quality control of a sound file against a delivery preset, in one streaming pass.

Every check has a name, a measured value, the limit it is held to and a
sentence a technician can act on; the report passes when every check does.
A delivery adds the fixes it can offer (``deliver/fixes.py``): in the JSON, a
failed check with a fix carries it under ``fix``.
"""

from __future__ import annotations

import getpass
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from importlib import metadata
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from postprod.deliver.checks import Check, Finding, make_check
from postprod.deliver.measure import channel_names
from postprod.deliver.picture_qc import (
    PictureQc,
    ProgrammeClock,
    measure_picture,
    picture_checks,
)
from postprod.deliver.presets import DeliveryPreset
from postprod.errors import DeliveryError
from postprod.media.audio import audio_info, iter_audio_blocks
from postprod.media.probe import probe
from postprod.qc.loudness import LoudnessMeter, LoudnessResult
from postprod.qc.runs import Run, RunFinder
from postprod.qc.signal_stats import SignalStats
from postprod.qc.spectral import BandStats

if TYPE_CHECKING:
    from postprod.deliver.fixes import Fix

__all__ = ["Check", "Finding", "QcReport", "run_qc"]

_BIT_DEPTHS = {"pcm_s16le": 16, "pcm_s24le": 24, "pcm_s32le": 32, "pcm_f32le": 32, "pcm_f64le": 64}


@dataclass(frozen=True, slots=True)
class ReportHeader:
    """Who checked what, when, with which tool: the head of every QC report."""

    programme: str
    start_timecode: str
    duration_s: float
    duration_timecode: str
    frame_rate: str
    date: str  # ISO 8601, UTC
    operator: str
    tool: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    #: what ``deliver --fix`` applied to the project before this delivery (undo lines)
    applied_fixes: tuple[str, ...] = ()
    header: ReportHeader | None = None
    clock: ProgrammeClock | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return all(check.passed for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """The ``qc --json`` contract: preset, passed, checks (a check with a fix: ``fix``)."""
        return {
            "file": str(self.file),
            "header": self.header.to_dict() if self.header is not None else None,
            "preset": self.preset.name,
            "passed": self.passed,
            "checks": [self._check_dict(check) for check in self.checks],
            "loudness": self.loudness.figures(),
            "applied_fixes": list(self.applied_fixes),
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
    programme: str | None = None,
    operator: str | None = None,
    frame_rate: Fraction | None = None,
    start_timecode: str | None = None,
) -> QcReport:
    """Check ``path`` against ``preset``: its sound, and its picture when the preset has
    picture rules and the file a picture (``progress`` follows the picture pass).

    Places are given in programme timecode: from the file's start timecode (else
    00:00:00:00), or ``start_timecode``, at ``frame_rate`` (default: the picture's, else 25). ``programme`` names
    it in the report's header (default: the file's name), ``operator`` says who checked
    (default: the user running it)."""
    path = Path(path)
    info = probe(path)
    rate = frame_rate or (info.video.frame_rate if info.video and info.video.frame_rate else None)
    clock = ProgrammeClock.of(Fraction(rate or 25), start_timecode or info.start_timecode)
    audio = info.audio
    if audio is None or not audio.sample_rate or not audio.channels:
        raise DeliveryError(
            f"{path.name} has no sound to check", where=str(path), fix="give a sound file"
        )
    meter = LoudnessMeter(  # weighted by the file's layout, as ``postprod loudness`` is
        audio.sample_rate, audio.channels, channel_names=channel_names(audio_info(path))
    )
    stats = SignalStats(audio.sample_rate, audio.channels, min_silence_s=preset.max_silence_s)
    bands = BandStats(audio.sample_rate, audio.channels) if _needs_bands(preset) else None

    def feed(block: NDArray[np.float32]) -> None:
        meter.feed(block)
        stats.feed(block)
        if bands is not None:
            bands.feed(block)

    picture = None
    if preset.picture is not None and info.video is not None:
        # one demux of the file for picture and sound; the sound in blocks of a second
        blocks = _Blocks(audio.sample_rate, feed)
        picture = measure_picture(
            path, preset.picture, progress=progress, sound=blocks.add, clock=clock
        )
        blocks.flush()
    else:
        for block in iter_audio_blocks(path, block_samples=audio.sample_rate * 4):
            feed(block)
    stats.finish()
    loudness = meter.result()
    bit_depth = _BIT_DEPTHS.get(audio.codec)
    checks = [
        *_loudness_checks(loudness, preset, stats, clock),
        *_signal_checks(stats, preset, clock),
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
    if picture is not None and preset.picture is not None:
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
    # the programme's length: its pictures' where it has them (AAC pads its sound)
    duration_s = picture.duration_s if picture is not None else stats.samples / audio.sample_rate
    header = ReportHeader(
        programme=programme or path.stem,
        start_timecode=clock.start_label,
        duration_s=round(duration_s, 3),
        duration_timecode=clock.duration_label(duration_s),
        frame_rate=str(clock.rate),
        date=datetime.now(UTC).isoformat(timespec="seconds"),
        operator=operator if operator is not None else _user(),
        tool=f"postprod {_version()}",
    )
    return QcReport(
        path, preset, tuple(checks), loudness, stats, picture=picture, header=header, clock=clock
    )


class _Blocks:
    """Decoded sound frames (about 1024 samples each) gathered into blocks of ``size``
    samples for the meters; refuses NaN and infinite samples as the file reader does."""

    def __init__(self, size: int, sink: Callable[[NDArray[np.float32]], None]) -> None:
        self._size, self._sink = size, sink
        self._held: list[NDArray[np.float32]] = []
        self._count = 0
        self._done = 0

    def add(self, block: NDArray[np.float32]) -> None:
        self._held.append(block)
        self._count += block.shape[1]
        if self._count >= self._size:
            self.flush()

    def flush(self) -> None:
        if not self._held:
            return
        block = np.concatenate(self._held, axis=1)
        if not np.isfinite(block).all():
            at = self._done + int(np.flatnonzero(~np.isfinite(block).all(axis=0))[0])
            raise DeliveryError(
                f"the sound holds NaN or infinite samples (the first at sample {at})",
                fix="repair or re-export the file: such samples cannot be played or measured",
            )
        self._sink(block)
        self._done += block.shape[1]
        self._held, self._count = [], 0


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return ""


def _version() -> str:
    try:
        return metadata.version("postprod")
    except metadata.PackageNotFoundError:
        return "unknown"


def _loudness_checks(
    loudness: LoudnessResult, preset: DeliveryPreset, stats: SignalStats, clock: ProgrammeClock
) -> list[Check]:
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
            _peak_findings(stats, preset.true_peak_max_dbtp, clock),
        )
    )
    checks.append(
        make_check(
            "sample_peak",
            loudness.sample_peak_dbfs <= preset.sample_peak_max_dbfs,
            round(loudness.sample_peak_dbfs, 2),
            f"<= {preset.sample_peak_max_dbfs} dBFS",
            "lower the level",
            _peak_findings(stats, preset.sample_peak_max_dbfs, clock),
        )
    )
    return checks


def _signal_checks(
    stats: SignalStats, preset: DeliveryPreset, clock: ProgrammeClock
) -> list[Check]:
    rate = stats.sample_rate
    longest = max((run.length for run in stats.silences), default=0) / rate
    dc = float(np.abs(stats.dc_offset).max()) if stats.samples else 0.0
    checks = [
        make_check(
            "clipping",
            not stats.clips,
            len(stats.clips),
            f"no runs of {3}+ full-scale samples",
            "re-render with headroom",
            _sample_findings(stats.clips, rate, clock, "full scale"),
        ),
        make_check(
            "silence",
            not stats.silences,
            round(longest, 3),
            f"no digital silence or drop-out longer than {preset.max_silence_s} s",
            "find the gap in the programme",
            _sample_findings(stats.silences, rate, clock, "silent"),
        ),
        make_check(
            "dc_offset",
            dc <= preset.max_dc_offset,
            _dbfs(dc),
            f"<= {_dbfs(preset.max_dc_offset)} dBFS ({preset.max_dc_offset} of full scale)",
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


def _dbfs(value: float) -> float:
    """A level in dBFS, to 0.1 dB (-200 for nothing at all: JSON has no infinity)."""
    return round(20 * math.log10(max(value, 1e-10)), 1)


#: At most this many findings a check lists (a programme clipping everywhere lists the first).
_MAX_FINDINGS = 50


def _sample_findings(
    runs: Sequence[Run], rate: int, clock: ProgrammeClock, detail: str
) -> tuple[Finding, ...]:
    """Runs of samples as findings in programme timecode (start frame down, end frame up)."""
    frames_per_sample = clock.rate / rate
    return tuple(
        Finding(
            clock.label(math.floor(run.start * frames_per_sample)),
            clock.label(math.ceil(run.end * frames_per_sample)),
            detail,
            round(run.length / rate, 4),
        )
        for run in runs[:_MAX_FINDINGS]
    )


def _peak_findings(
    stats: SignalStats, ceiling_db: float, clock: ProgrammeClock
) -> tuple[Finding, ...]:
    """Where samples pass ``ceiling_db``, to 100 ms (the overview's steps); inter-sample
    peaks between samples under the ceiling are measured, not placed."""
    overview = stats.overview
    if not overview.shape[2]:
        return ()
    over = np.abs(overview).max(axis=(0, 1)) > 10 ** (ceiling_db / 20)
    if not over.any():
        return ()
    step = stats.sample_rate // 10
    finder = RunFinder(1)
    finder.feed(over)
    runs = [Run(run.start * step, run.length * step) for run in finder.finish()]
    return _sample_findings(runs, stats.sample_rate, clock, "over the ceiling")


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

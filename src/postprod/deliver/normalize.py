"""Two-pass loudness normalisation with a true-peak ceiling.

Pass one measures. Pass two applies the gain that brings the integrated
loudness to the target and, only where that gain would push the true peak
over the ceiling, a look-ahead limiter: the gain needed at each sample
(ceiling over the local true-peak envelope) is spread by a moving minimum
and smoothed by a moving average of the same length, so the gain curve
never rises above what any sample needs and has no steps. The output is
metered as it is written and the figures are reported; if rounding between
interpolated peaks leaves it a hair over the ceiling, the pass is repeated
with the ceiling lowered by the excess.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage, signal

from postprod.deliver.dither import noise_shaped, tpdf_dither
from postprod.deliver.loudness_loop import converge_gain
from postprod.deliver.measure import measure_file
from postprod.errors import DeliveryError, refuse_overwriting
from postprod.media.audio import audio_info, iter_audio_blocks
from postprod.media.audio_write import write_audio
from postprod.media.bwf import Bext
from postprod.qc.loudness import LoudnessMeter, LoudnessResult

#: Look-ahead of the limiter, and the length of its gain smoothing.
LOOKAHEAD_S = 0.005
#: Margin kept below the ceiling when true peaks are estimated on a 4x grid.
_SAFETY_DB = 0.1


@dataclass(frozen=True, slots=True)
class NormalizeReport:
    """What normalisation did, measured before and after."""

    source: Path
    output: Path
    gain_db: float
    limited: bool
    before: LoudnessResult
    after: LoudnessResult


def normalize_file(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    target_lufs: float,
    true_peak_dbtp: float = -1.0,
    bit_depth: str = "24",
    bext: Bext | None = None,
    noise_shaping: bool = False,
    aim_lu: float | None = None,
) -> NormalizeReport:
    """Write ``source`` normalised to ``target_lufs`` with true peaks at most ``true_peak_dbtp``
    (and, cutting to 16 or 24 bits, TPDF dither, noise-shaped if asked).

    With ``aim_lu``, a limited output is measured again and the gain corrected until it is
    within ``aim_lu`` of the target (``deliver/loudness_loop.py``): the limiter takes back
    part of any gain, so one correction lands short."""
    source, output = Path(source), Path(output)
    refuse_overwriting(source, output, DeliveryError)
    before = measure_file(source)
    if not np.isfinite(before.integrated_lufs):
        raise DeliveryError(
            f"{source.name} is silent (below the -70 LUFS gate): there is nothing to normalise",
            where=str(source),
            fix="check the file",
        )
    gain_db = target_lufs - before.integrated_lufs
    limited = before.true_peak_dbtp + gain_db > true_peak_dbtp
    ceiling_db = true_peak_dbtp - _SAFETY_DB
    written: list[LoudnessResult] = []

    def measure(gain: float) -> float:
        written.append(
            _apply(
                source,
                output,
                gain,
                ceiling_db if limited else None,
                bit_depth,
                bext,
                noise_shaping,
            )
        )
        return written[-1].integrated_lufs

    if aim_lu is not None and limited:
        gain_db = converge_gain(measure, target_lufs, gain_db, aim_lu=aim_lu).gain_db
    else:
        measure(gain_db)
    after = written[-1]
    if after.true_peak_dbtp > true_peak_dbtp:  # rare: interpolated peaks between grid points
        limited = True
        ceiling_db -= after.true_peak_dbtp - true_peak_dbtp + _SAFETY_DB
        after = _apply(source, output, gain_db, ceiling_db, bit_depth, bext, noise_shaping)
    return NormalizeReport(source, output, gain_db, limited, before, after)


def _apply(
    source: Path,
    output: Path,
    gain_db: float,
    ceiling_db: float | None,
    bit_depth: str,
    bext: Bext | None = None,
    noise_shaping: bool = False,
) -> LoudnessResult:
    info = audio_info(source)
    meter = LoudnessMeter(info.sample_rate, info.channels)
    gain = np.float32(10 ** (gain_db / 20))
    blocks: Iterator[NDArray[np.float32]] = (
        block * gain for block in iter_audio_blocks(source, block_samples=info.sample_rate)
    )
    if ceiling_db is not None:
        blocks = _limited(blocks, info.sample_rate, 10 ** (ceiling_db / 20))

    if bit_depth in ("16", "24"):  # last, before the word length is cut
        dither = noise_shaped if noise_shaping else tpdf_dither
        blocks = dither(blocks, int(bit_depth))

    def metered() -> Iterator[NDArray[np.float32]]:
        for block in blocks:
            meter.feed(block)
            yield block

    write_audio(output, metered(), info.sample_rate, bit_depth=bit_depth, bext=bext)
    return meter.result()


def _limited(
    blocks: Iterator[NDArray[np.float32]], sample_rate: int, ceiling: float
) -> Iterator[NDArray[np.float32]]:
    """The blocks with a look-ahead true-peak limiter applied (a delay-free, two-sided design)."""
    width = max(1, round(LOOKAHEAD_S * sample_rate))
    margin = 2 * width + 64  # samples of context each side of a block
    history = None
    pending: NDArray[np.float32] | None = None
    for block in blocks:
        if pending is None:
            pending, history = block, np.zeros((block.shape[0], margin), np.float32)
            continue
        assert history is not None
        yield _limit_block(history, pending, block[:, :margin], ceiling, width)
        history = np.concatenate([history, pending], axis=1)[:, -margin:]
        pending = block
    if pending is not None and history is not None:
        yield _limit_block(
            history, pending, np.zeros((pending.shape[0], 0), np.float32), ceiling, width
        )


def _limit_block(
    before: NDArray[np.float32],
    block: NDArray[np.float32],
    after: NDArray[np.float32],
    ceiling: float,
    width: int,
) -> NDArray[np.float32]:
    joined = np.concatenate([before, block, after], axis=1).astype(np.float64)
    envelope = np.abs(signal.resample_poly(joined, 4, 1, axis=1)).max(axis=0)
    envelope = envelope.reshape(-1, 4).max(axis=1)  # true-peak envelope per input sample
    needed = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    spread = ndimage.minimum_filter1d(needed, size=2 * width + 1, mode="nearest")
    smooth = ndimage.uniform_filter1d(spread, size=width + 1 - (width % 2), mode="nearest")
    gain = np.minimum(smooth, needed)[before.shape[1] : before.shape[1] + block.shape[1]]
    result: NDArray[np.float32] = (block * gain).astype(np.float32)
    return result

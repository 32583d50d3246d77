"""Meter frames of a range of the programme: the real mix, measured as it would be heard.

:func:`meter_frames` runs the console on the range (from a pre-roll before
it, so effects, ducking and the meters' own ballistics have settled, as a
preview segment's sound does) and yields, ``rate_hz`` times per second of
programme, each track's post-fader sample peak, true peak and PPM (IEC 60268-10
Type I, :mod:`postprod.qc.ppm`) and the master's, with its momentary (400 ms)
and short-term (3 s) loudness ending at that moment and its integrated
loudness from the start of the range (BS.1770-4 gating on 400 ms blocks every
100 ms). Frames come as fast as they are computed; a server paces them to the
clock. :meth:`MeterFrame.to_dict` is the console's WebSocket ``meters``
message (docs/CONSOLE.md).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.signal import sosfilt, sosfilt_zi

from postprod.audio.effects import Fifo
from postprod.audio.mixer import Mixer
from postprod.errors import RenderError
from postprod.planner.plan import RenderPlan, plan
from postprod.project import load_project
from postprod.qc.loudness import channel_weights, integrated, k_weighting
from postprod.qc.ppm import FLOOR_DB, PPM, WindowTruePeak, to_db
from postprod.render.mixdown import session_from_plan
from postprod.render.preview import sound_preroll_s
from postprod.render.project import output_format

#: Samples the console mixes at a time while metering.
_BLOCK = 4096
#: The loudness offset of BS.1770 (the K-weighting's gain at 1 kHz made up).
_OFFSET = -0.691


def _rounded(value: float) -> float:
    return round(max(value, FLOOR_DB), 2) if math.isfinite(value) else FLOOR_DB


@dataclass(frozen=True, slots=True)
class StripMeter:
    """One track's readings over one meter frame (dB; :data:`FLOOR_DB` for silence)."""

    peak_dbfs: float
    true_peak_dbtp: float
    ppm_dbfs: float

    def to_dict(self) -> dict[str, float]:
        return {
            "peak_dbfs": _rounded(self.peak_dbfs),
            "true_peak_dbtp": _rounded(self.true_peak_dbtp),
            "ppm_dbfs": _rounded(self.ppm_dbfs),
        }


@dataclass(frozen=True, slots=True)
class MasterMeter:
    """The master's readings: levels over the frame, loudness up to its end."""

    peak_dbfs: float
    true_peak_dbtp: float
    ppm_dbfs: float
    momentary_lufs: float
    short_term_lufs: float
    integrated_lufs: float
    target_lufs: float

    def to_dict(self) -> dict[str, float]:
        return {
            "peak_dbfs": _rounded(self.peak_dbfs),
            "true_peak_dbtp": _rounded(self.true_peak_dbtp),
            "ppm_dbfs": _rounded(self.ppm_dbfs),
            "momentary_lufs": _rounded(self.momentary_lufs),
            "short_term_lufs": _rounded(self.short_term_lufs),
            "integrated_lufs": _rounded(self.integrated_lufs),
            "target_lufs": self.target_lufs,
        }


@dataclass(frozen=True, slots=True)
class MeterFrame:
    """The meters over programme frames ``frame`` .. the next meter frame."""

    frame: int
    master: MasterMeter
    strips: dict[str, StripMeter] = field(default_factory=dict)  # the tracks
    buses: dict[str, StripMeter] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The WebSocket ``meters`` message."""
        return {
            "type": "meters",
            "frame": self.frame,
            "strips": {name: meter.to_dict() for name, meter in self.strips.items()},
            "buses": {name: meter.to_dict() for name, meter in self.buses.items()},
            "master": self.master.to_dict(),
        }


class _Levels:
    """Sample peak, true peak and PPM of one signal, window after window."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self._ppm = PPM(sample_rate, channels)
        self._true_peak = WindowTruePeak(sample_rate, channels)

    def feed(self, block: NDArray[np.float32]) -> tuple[float, float, float]:
        """Readings in dB over ``block`` (peak, true peak, PPM)."""
        peak = float(np.abs(block).max()) if block.size else 0.0
        return to_db(peak), to_db(self._true_peak.peak(block)), self._ppm.reading_db(block)


class _Loudness:
    """Momentary and short-term loudness ending now, integrated loudness since ``mark``."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self._rate = sample_rate
        self._sos = k_weighting(sample_rate)
        self._weights = channel_weights(channels)
        self._state = np.repeat(sosfilt_zi(self._sos)[None], channels, axis=0) * 0.0
        self._recent = np.zeros(0)  # the last 3 s of weighted K-filtered power, per sample
        self._steps: list[float] = []  # energy of each 100 ms step since the mark
        self._step_energy = 0.0
        self._counting: int | None = None  # samples since the mark (None: before it)

    def mark(self) -> None:
        """Integrated loudness counts from here."""
        self._counting, self._steps, self._step_energy = 0, [], 0.0

    def feed(self, block: NDArray[np.float32]) -> None:
        filtered = np.empty(block.shape, np.float64)
        for channel in range(block.shape[0]):
            filtered[channel], self._state[channel] = sosfilt(
                self._sos, block[channel].astype(np.float64), zi=self._state[channel]
            )
        power = self._weights @ (filtered * filtered)
        keep = 3 * self._rate
        self._recent = np.concatenate([self._recent, power])[-keep:]
        if self._counting is None:
            return
        # 100 ms steps from the mark, edges at round(k * rate / 10) as qc.loudness counts
        at, end = self._counting, self._counting + power.size
        cumulative = np.concatenate([[0.0], np.cumsum(power)])
        cut = at  # where the unfinished step's energy starts in this block
        while (edge := _step_edge(len(self._steps) + 1, self._rate)) <= end:
            self._steps.append(self._step_energy + cumulative[edge - at] - cumulative[cut - at])
            self._step_energy, cut = 0.0, edge
        self._step_energy += cumulative[end - at] - cumulative[cut - at]
        self._counting = end

    def momentary(self) -> float:
        return self._mean_lufs(round(0.4 * self._rate))

    def short_term(self) -> float:
        return self._mean_lufs(3 * self._rate)

    def _mean_lufs(self, samples: int) -> float:
        if self._recent.size < samples:
            return -math.inf
        mean = float(self._recent[-samples:].mean())
        return _OFFSET + 10 * math.log10(mean) if mean > 0 else -math.inf

    def integrated(self) -> float:
        steps = np.asarray(self._steps)
        if steps.size < 4:
            return -math.inf
        edges = _step_edge(np.arange(steps.size + 1), self._rate)
        energy = np.concatenate([[0.0], np.cumsum(steps)])
        blocks = (energy[4:] - energy[:-4]) / (edges[4:] - edges[:-4])  # 400 ms every 100 ms
        return integrated(blocks)


def _step_edge(k: Any, sample_rate: int) -> Any:
    """The first sample of 100 ms step ``k``: k * rate / 10 rounded (halves up), exactly."""
    return (2 * k * sample_rate + 10) // 20


def meter_frames(
    project_path: str | os.PathLike[str],
    start_frame: int,
    end_frame: int,
    *,
    rate_hz: int = 25,
    preroll_s: float = 2.0,
    target_lufs: float = -23.0,
) -> Iterator[MeterFrame]:
    """Meter frames of programme frames ``start_frame`` .. ``end_frame`` of a project."""
    path = Path(project_path)
    timeline = load_project(path)
    programme = plan(timeline, output_format(timeline, path.parent), project_folder=path.parent)
    return meter_plan(
        programme,
        start_frame,
        end_frame,
        rate_hz=rate_hz,
        preroll_s=preroll_s,
        target_lufs=target_lufs,
    )


def meter_plan(
    programme: RenderPlan,
    start_frame: int,
    end_frame: int,
    *,
    rate_hz: int = 25,
    preroll_s: float = 2.0,
    target_lufs: float = -23.0,
) -> Iterator[MeterFrame]:
    """:func:`meter_frames` of a plan."""
    fmt = programme.output
    start, end = max(0, start_frame), min(end_frame, programme.frames)
    if end <= start or rate_hz <= 0:
        raise RenderError(
            f"cannot meter frames {start_frame}-{end_frame} at {rate_hz} Hz "
            f"(the programme has frames 0-{programme.frames})",
            fix="give a range inside the programme and a positive rate",
        )
    rate = fmt.sample_rate

    def sample_of(frame: int) -> int:
        return round(Fraction(frame) / fmt.frame_rate * rate)

    first, last = sample_of(start), sample_of(end)
    preroll = sound_preroll_s(programme, preroll_s)  # as the preview's sound is mixed
    mixed_from = 0 if preroll is None else max(0, first - round(preroll * rate)) // _BLOCK * _BLOCK
    session = session_from_plan(programme)
    channels = session.channels
    names = [track.name for track in programme.tracks]
    buses = [bus.name for bus in session.console.buses]
    master = _Levels(rate, channels)
    strips = {name: _Levels(rate, channels) for name in names}
    bus_levels = {name: _Levels(rate, channels) for name in buses}
    loudness = _Loudness(rate, channels)
    pending: dict[str | None, Fifo] = {None: Fifo(channels)}
    pending.update({name: Fifo(channels) for name in names})
    bus_pending = {name: Fifo(channels) for name in buses}
    if mixed_from == first:
        loudness.mark()
    window = 0  # meter frames yielded
    done = mixed_from  # samples metered

    def edge(k: int) -> int:  # the first sample of meter window k of the range
        return first + (k * rate + rate_hz // 2) // rate_hz

    mix = Mixer(session).blocks(
        last, block_samples=_BLOCK, first_sample=mixed_from, strips=True, stems=buses
    )
    for block in mix:
        pending[None].put(block.master)
        for name in names:
            pending[name].put(block.strips.get(name, np.zeros_like(block.master)))
        for name in buses:
            bus_pending[name].put(block.stems.get(name, np.zeros_like(block.master)))
        available = done + len(pending[None])
        while True:
            target = first if done < first else min(edge(window + 1), last)
            if target > available or target <= done:
                break
            count = target - done
            pieces = {key: fifo.take(count) for key, fifo in pending.items()}
            loudness.feed(pieces[None])
            levels = {key: meter.feed(pieces[key]) for key, meter in strips.items()}
            bus_read = {
                key: meter.feed(bus_pending[key].take(count)) for key, meter in bus_levels.items()
            }
            master_levels = master.feed(pieces[None])
            metering = done >= first
            done = target
            if not metering:  # the pre-roll: meters settle, nothing is shown
                if done == first:
                    loudness.mark()
                continue
            yield MeterFrame(
                start + int(window * fmt.frame_rate // rate_hz),
                MasterMeter(
                    *master_levels,
                    momentary_lufs=loudness.momentary(),
                    short_term_lufs=loudness.short_term(),
                    integrated_lufs=loudness.integrated(),
                    target_lufs=target_lufs,
                ),
                {name: StripMeter(*levels[name]) for name in names},
                {name: StripMeter(*bus_read[name]) for name in buses},
            )
            window += 1
            if done >= last:
                return

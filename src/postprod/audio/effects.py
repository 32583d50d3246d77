"""Effect specs made into running effects: pedalboard plugins, chained.

The only module that imports pedalboard. A chain keeps its state across
blocks (``reset=False``), so filters, compressors and reverb tails carry on
seamlessly from one block to the next.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pedalboard
from numpy.typing import NDArray
from pedalboard import Pedalboard  # type: ignore[attr-defined]

from postprod.effects.registry import EffectSpec, validate


def plugin(spec: EffectSpec) -> pedalboard.Plugin:
    """The pedalboard plugin for one spec."""
    v = spec.value
    match spec.name:
        case "gain":
            return pedalboard.Gain(gain_db=v("gain_db"))
        case "highpass":
            return pedalboard.HighpassFilter(cutoff_frequency_hz=v("cutoff_frequency_hz"))
        case "lowpass":
            return pedalboard.LowpassFilter(cutoff_frequency_hz=v("cutoff_frequency_hz"))
        case "low_shelf":
            return pedalboard.LowShelfFilter(v("cutoff_frequency_hz"), v("gain_db"), v("q"))
        case "high_shelf":
            return pedalboard.HighShelfFilter(v("cutoff_frequency_hz"), v("gain_db"), v("q"))
        case "peak":
            return pedalboard.PeakFilter(v("cutoff_frequency_hz"), v("gain_db"), v("q"))
        case "compressor":
            return pedalboard.Compressor(
                threshold_db=v("threshold_db"),
                ratio=v("ratio"),
                attack_ms=v("attack_ms"),
                release_ms=v("release_ms"),
            )
        case "gate":
            return pedalboard.NoiseGate(
                threshold_db=v("threshold_db"),
                ratio=v("ratio"),
                attack_ms=v("attack_ms"),
                release_ms=v("release_ms"),
            )
        case "limiter":
            return pedalboard.BrickwallLimiter(
                ceiling_db=v("ceiling_db"),
                release_ms=v("release_ms"),
                lookahead_ms=v("lookahead_ms"),
            )
        case "delay":
            return pedalboard.Delay(
                delay_seconds=v("delay_s"), feedback=v("feedback"), mix=v("mix")
            )
        case "reverb":
            return pedalboard.Reverb(
                room_size=v("room_size"),
                damping=v("damping"),
                wet_level=v("wet_level"),
                dry_level=v("dry_level"),
                width=v("width"),
            )
        case "chorus":
            return pedalboard.Chorus(
                rate_hz=v("rate_hz"),
                depth=v("depth"),
                centre_delay_ms=v("centre_delay_ms"),
                feedback=v("feedback"),
                mix=v("mix"),
            )
        case "phaser":
            return pedalboard.Phaser(
                rate_hz=v("rate_hz"),
                depth=v("depth"),
                centre_frequency_hz=v("centre_frequency_hz"),
                feedback=v("feedback"),
                mix=v("mix"),
            )
        case "distortion":
            return pedalboard.Distortion(drive_db=v("drive_db"))
        case "bitcrush":
            return pedalboard.Bitcrush(bit_depth=v("bit_depth"))
        case "pitch_shift":
            return pedalboard.PitchShift(semitones=v("semitones"))
    raise AssertionError(f"no plugin for {spec.name}")  # validate() refuses unknown names first


class RingModulator:
    """Multiplies the signal by a sine (the classic robot voice); NumPy, phase kept across blocks."""

    def __init__(self, frequency_hz: float, mix: float, sample_rate: int) -> None:
        self.frequency_hz, self.mix, self.sample_rate = frequency_hz, mix, sample_rate
        self._position = 0

    def process(
        self, block: NDArray[np.float32], sample_rate: int, reset: bool = False
    ) -> NDArray[np.float32]:
        n = np.arange(self._position, self._position + block.shape[1])
        self._position += block.shape[1]
        carrier = np.sin(2 * np.pi * self.frequency_hz * n / self.sample_rate).astype(np.float32)
        result: NDArray[np.float32] = block * (1 - self.mix) + block * carrier * self.mix
        return result


class ChunkedPitchShift:
    """Rubber Band pitch shifting (pedalboard) for streams.

    pedalboard's PitchShift returns silence when fed block by block, so this
    stage collects two-second chunks and shifts each offline, warmed up with
    a quarter second of the audio before it, and joins neighbouring chunks
    with a 10 ms equal-power crossfade. It therefore holds back one chunk
    (the caller keeps feeding, as with any effect with latency).
    """

    def __init__(self, semitones: float, sample_rate: int) -> None:
        self._board = Pedalboard([pedalboard.PitchShift(semitones=semitones)])
        self.sample_rate = sample_rate
        self._chunk = 2 * sample_rate
        self._preroll = sample_rate // 4
        self._fade = sample_rate // 100
        self._pending: NDArray[np.float32] | None = None  # input not yet shifted
        self._history: NDArray[np.float32] | None = None  # input just before the pending part
        self._tail: NDArray[np.float32] | None = None  # shifted overlap to fade from

    def process(
        self, block: NDArray[np.float32], sample_rate: int, reset: bool = False
    ) -> NDArray[np.float32]:
        if self._pending is None:
            self._pending = np.zeros((block.shape[0], 0), np.float32)
            self._history = np.zeros((block.shape[0], self._preroll), np.float32)
        self._pending = np.concatenate([self._pending, block], axis=1)
        out = []
        while self._pending.shape[1] >= self._chunk + self._fade:
            out.append(self._shift_chunk())
        if not out:
            return np.zeros((block.shape[0], 0), np.float32)
        return np.concatenate(out, axis=1)

    def _shift_chunk(self) -> NDArray[np.float32]:
        assert self._pending is not None and self._history is not None
        piece = self._pending[:, : self._chunk + self._fade]
        shifted = self._board.process(
            np.concatenate([self._history, piece], axis=1), self.sample_rate, reset=True
        )
        shifted = shifted[:, self._preroll :].astype(np.float32)
        if self._tail is not None:
            x = (np.arange(self._fade) + 0.5) / self._fade
            fade_in = np.sin(0.5 * np.pi * x).astype(np.float32)
            fade_out = np.cos(0.5 * np.pi * x).astype(np.float32)
            shifted[:, : self._fade] = shifted[:, : self._fade] * fade_in + self._tail * fade_out
        self._tail = shifted[:, self._chunk :]
        self._history = self._pending[:, self._chunk - self._preroll : self._chunk]
        self._pending = self._pending[:, self._chunk :]
        return shifted[:, : self._chunk]


_NUMPY_EFFECTS = {"ring_mod", "pitch_shift"}


def _numpy_stage(spec: EffectSpec, sample_rate: int) -> RingModulator | ChunkedPitchShift:
    if spec.name == "ring_mod":
        return RingModulator(spec.value("frequency_hz"), spec.value("mix"), sample_rate)
    return ChunkedPitchShift(spec.value("semitones"), sample_rate)


class Chain:
    """A running insert chain: specs in order, state kept from block to block.

    Consecutive pedalboard effects run as one Pedalboard; effects pedalboard
    lacks (the ring modulator) run in NumPy between them. pedalboard aligns
    its output with its input (a look-ahead limiter's delay is taken out), so
    in a stream a chain with latency first returns fewer samples than it was
    given; :meth:`process` returns whatever came out, and the caller keeps
    feeding until it has what it needs.
    """

    def __init__(self, specs: Sequence[EffectSpec], sample_rate: int, *, where: str = "") -> None:
        for spec in specs:
            validate(spec, where=where)
        self.specs = tuple(specs)
        self.sample_rate = sample_rate
        self._stages: list[Pedalboard | RingModulator | ChunkedPitchShift] = []
        pending: list[pedalboard.Plugin] = []
        for spec in specs:
            if spec.name in _NUMPY_EFFECTS:
                if pending:
                    self._stages.append(Pedalboard(pending))
                    pending = []
                self._stages.append(_numpy_stage(spec, sample_rate))
            else:
                pending.append(plugin(spec))
        if pending:
            self._stages.append(Pedalboard(pending))

    def __bool__(self) -> bool:
        return bool(self.specs)

    def process(self, block: NDArray[np.float32]) -> NDArray[np.float32]:
        """Feed a block; returns the chain's next output (at most as long, aligned)."""
        out = block
        for stage in self._stages:
            out = stage.process(out, self.sample_rate, reset=False).astype(np.float32, copy=False)
        return out


class Fifo:
    """Samples waiting to be used, ``(channels, n)``; appended and taken from the front."""

    def __init__(self, channels: int) -> None:
        self._held = np.zeros((channels, 0), np.float32)

    def __len__(self) -> int:
        return int(self._held.shape[1])

    def put(self, block: NDArray[np.float32]) -> None:
        self._held = np.concatenate([self._held, block], axis=1) if len(self) else block

    def take(self, count: int) -> NDArray[np.float32]:
        taken, self._held = self._held[:, :count], self._held[:, count:]
        return taken

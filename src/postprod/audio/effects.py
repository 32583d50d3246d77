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


class Chain:
    """A running insert chain: specs in order, state kept from block to block.

    pedalboard aligns its output with its input (a look-ahead limiter's delay
    is taken out), so in a stream a chain with latency first returns fewer
    samples than it was given; :meth:`process` returns whatever came out,
    and the caller keeps feeding until it has what it needs.
    """

    def __init__(self, specs: Sequence[EffectSpec], sample_rate: int, *, where: str = "") -> None:
        for spec in specs:
            validate(spec, where=where)
        self.specs = tuple(specs)
        self.sample_rate = sample_rate
        self._board = Pedalboard([plugin(spec) for spec in specs])

    def __bool__(self) -> bool:
        return bool(self.specs)

    def process(self, block: NDArray[np.float32]) -> NDArray[np.float32]:
        """Feed a block; returns the chain's next output (at most as long, aligned)."""
        if not self.specs:
            return block
        out: NDArray[np.float32] = self._board.process(block, self.sample_rate, reset=False)
        return out.astype(np.float32, copy=False)


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

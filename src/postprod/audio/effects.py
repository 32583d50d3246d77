"""Effect specs made into running effects: pedalboard plugins, chained.

The only module that imports pedalboard. A chain keeps its state across
blocks (``reset=False``), so filters, compressors and reverb tails carry on
seamlessly from one block to the next. Effects pedalboard lacks run as small
NumPy/SciPy stages with the same ``process(block, rate, reset)`` shape: the
ring modulator, the de-esser (split-band, see :class:`DeEsser`) and a
streaming pitch shifter. :data:`BUILDERS` maps each effect name to the
function that builds it: adding an effect is one spec in
``postprod.effects.registry`` and one entry here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pedalboard
from numpy.typing import NDArray
from pedalboard import Pedalboard  # type: ignore[attr-defined]

from postprod.audio.automation import ParamAutomation
from postprod.audio.dynamics import AttackRelease, LevelFollower
from postprod.effects.registry import EFFECTS, EffectSpec, tempo_delay_s, validate
from postprod.errors import AudioError
from postprod.media.fifo import Fifo as Fifo  # the console's queue, re-exported

#: Spec parameter names that pedalboard spells differently.
_ATTRIBUTE = {"delay_s": "delay_seconds"}

#: Parameters that cannot move while running (they change latency or are files).
_FIXED = frozenset({"lookahead_ms", "tempo_bpm", "note_beats", "ir_path", "path"})


def _load_vst3(spec: EffectSpec, sample_rate: int, where: str) -> pedalboard.Plugin:
    path = Path(spec.text("path")).expanduser()
    if not path.exists():
        raise AudioError(
            f"VST3 plug-in {path} does not exist", where=where, fix="give the .vst3 path"
        )
    try:
        return pedalboard.load_plugin(  # type: ignore[attr-defined]
            str(path), parameter_values=spec.extra()
        )
    except (ImportError, ValueError, RuntimeError) as error:
        raise AudioError(
            f"VST3 plug-in {path} could not be loaded ({error})",
            where=where,
            fix="check the plug-in path and its parameter names",
        ) from None


def _same_names(make: Callable[..., pedalboard.Plugin]) -> BuildFunction:
    """A builder passing every registered parameter as the keyword of the same name."""

    def build(spec: EffectSpec, sample_rate: int, where: str) -> pedalboard.Plugin:
        return make(**{key: spec.value(key) for key in EFFECTS[spec.name]})

    return build


def _delay(spec: EffectSpec, sample_rate: int, where: str) -> pedalboard.Plugin:
    v = spec.value
    tempo = v("tempo_bpm")
    delay_s = tempo_delay_s(tempo, v("note_beats")) if tempo > 0 else v("delay_s")
    return pedalboard.Delay(delay_seconds=delay_s, feedback=v("feedback"), mix=v("mix"))


def _convolution(spec: EffectSpec, sample_rate: int, where: str) -> pedalboard.Plugin:
    path = Path(spec.text("ir_path")).expanduser()
    if not path.is_file():
        raise AudioError(
            f"impulse response {path} does not exist", where=where, fix="give an IR file"
        )
    return pedalboard.Convolution(str(path), mix=spec.value("mix"))


class RingModulator:
    """Multiplies the signal by a sine (the classic robot voice); NumPy, phase kept across blocks."""

    def __init__(self, frequency_hz: float, mix: float, sample_rate: int) -> None:
        self.frequency_hz, self.mix, self.sample_rate = frequency_hz, mix, sample_rate
        self._position = 0

    def process(
        self, block: NDArray[np.float32], sample_rate: float, reset: bool = False
    ) -> NDArray[np.float32]:
        n = np.arange(self._position, self._position + block.shape[1])
        self._position += block.shape[1]
        carrier = np.sin(2 * np.pi * self.frequency_hz * n / self.sample_rate).astype(np.float32)
        result: NDArray[np.float32] = block * (1 - self.mix) + block * carrier * self.mix
        return result


class DeEsser:
    """A split-band de-esser in SciPy: only the sibilant band is compressed.

    A 4th-order Linkwitz-Riley crossover at ``frequency_hz`` (each band two
    cascaded 2nd-order Butterworth sections) splits the signal; the bands sum
    back to an all-pass of the input (flat magnitude), so with no reduction
    the sound is unchanged in level at every frequency. The high band's power,
    followed over 5 ms, drives a compressor curve: above ``threshold_db`` the
    band is turned down by ``(level - threshold) * (1 - 1 / ratio)`` dB,
    smoothed with ``attack_ms``/``release_ms``. Output ``low + high * gain``.
    Filters and smoothers keep their state across blocks; all vectorised.
    """

    def __init__(self, spec: EffectSpec, sample_rate: int) -> None:
        v = spec.value
        self.frequency_hz = min(v("frequency_hz"), 0.45 * sample_rate)
        self.threshold_db, self.ratio = v("threshold_db"), v("ratio")
        from scipy import signal  # imported when first used: it takes ~0.8 s

        low = signal.butter(2, self.frequency_hz, "lowpass", fs=sample_rate, output="sos")
        high = signal.butter(2, self.frequency_hz, "highpass", fs=sample_rate, output="sos")
        self._low_sos, self._high_sos = np.vstack([low, low]), np.vstack([high, high])
        self._zi: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None
        self._level = LevelFollower(5.0, sample_rate)
        self._smooth = AttackRelease(v("attack_ms"), v("release_ms"), sample_rate)

    def process(
        self, input_array: NDArray[np.float32], sample_rate: float, reset: bool = False
    ) -> NDArray[np.float32]:
        if self._zi is None:
            zeros = np.zeros((2, input_array.shape[0], 2))
            self._zi = (zeros, zeros.copy())
        from scipy import signal

        low, zi_low = signal.sosfilt(self._low_sos, input_array, axis=1, zi=self._zi[0])
        high, zi_high = signal.sosfilt(self._high_sos, input_array, axis=1, zi=self._zi[1])
        self._zi = (zi_low, zi_high)
        over_db = np.maximum(self._level(high.astype(np.float32)) - self.threshold_db, 0.0)
        reduction_db = self._smooth(over_db * (1.0 - 1.0 / self.ratio))
        gain = 10.0 ** (-reduction_db / 20.0)
        result: NDArray[np.float32] = (low + high * gain).astype(np.float32)
        return result


class Compensated:
    """A stage whose latency its plug-in does not report: the first ``latency_samples`` of its
    output are dropped, so it returns aligned output a little later (as pedalboard does for
    plug-ins that report theirs), and the console's read-ahead keeps everything aligned."""

    def __init__(self, stage: Pedalboard, latency_samples: int) -> None:
        self.stage, self.latency_samples = stage, latency_samples
        self._to_drop = latency_samples

    def process(
        self, input_array: NDArray[np.float32], sample_rate: float, reset: bool = False
    ) -> NDArray[np.float32]:
        out = self.stage.process(input_array, sample_rate, reset=False)
        if self._to_drop:
            dropped = min(self._to_drop, out.shape[1])
            self._to_drop -= dropped
            out = out[:, dropped:]
        return out


def measure_latency_samples(
    board: Pedalboard, sample_rate: int, channels: int = 2, longest_s: float = 1.0
) -> int:
    """The delay of ``board``'s impulse response (its first sample reaching half its peak),
    measured once on an impulse; the board is reset afterwards."""
    impulse = np.zeros((channels, max(1, int(longest_s * sample_rate))), np.float32)
    impulse[:, 0] = 1.0
    response = np.abs(np.asarray(board.process(impulse, sample_rate, reset=True))).max(axis=0)
    board.reset()
    if response.size == 0 or response.max() <= 0:
        return 0
    return int(np.argmax(response >= 0.5 * response.max()))


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
        self, block: NDArray[np.float32], sample_rate: float, reset: bool = False
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


_NumpyStage = RingModulator | ChunkedPitchShift | DeEsser
#: Anything a chain runs: a Pedalboard, or one of the NumPy stages here.
Stage = Pedalboard | Compensated | _NumpyStage

#: A builder's signature: ``(spec, sample_rate, where) -> plug-in or NumPy stage``.
BuildFunction = Callable[[EffectSpec, int, str], "pedalboard.Plugin | _NumpyStage"]


@dataclass(frozen=True, slots=True)
class EffectBuilder:
    """How one registered effect becomes a running stage.

    ``build`` makes a pedalboard plug-in (run in one Pedalboard with its
    pedalboard neighbours) or a NumPy stage (run on its own). ``measured``:
    run alone and measure its latency once with an impulse, for plug-ins that
    may not report it. ``automatable``: whether its parameters may move
    while running (not for chunked pitch shifting, nor for files).
    """

    build: BuildFunction
    measured: bool = False
    automatable: bool = True


#: Effect name -> builder; the specs (parameters, ranges, versions) are
#: :data:`postprod.effects.registry.EFFECTS`, and a test keeps the two lists equal.
BUILDERS: Mapping[str, EffectBuilder] = MappingProxyType(
    {
        "gain": EffectBuilder(_same_names(pedalboard.Gain)),
        "highpass": EffectBuilder(_same_names(pedalboard.HighpassFilter)),
        "lowpass": EffectBuilder(_same_names(pedalboard.LowpassFilter)),
        "low_shelf": EffectBuilder(_same_names(pedalboard.LowShelfFilter)),
        "high_shelf": EffectBuilder(_same_names(pedalboard.HighShelfFilter)),
        "peak": EffectBuilder(_same_names(pedalboard.PeakFilter)),
        "compressor": EffectBuilder(_same_names(pedalboard.Compressor)),
        "gate": EffectBuilder(_same_names(pedalboard.NoiseGate)),
        "limiter": EffectBuilder(_same_names(pedalboard.BrickwallLimiter)),
        "deesser": EffectBuilder(lambda spec, rate, where: DeEsser(spec, rate)),
        "delay": EffectBuilder(_delay),
        "reverb": EffectBuilder(_same_names(pedalboard.Reverb)),
        "convolution": EffectBuilder(_convolution, automatable=False),
        "chorus": EffectBuilder(_same_names(pedalboard.Chorus)),
        # A flanger is a chorus with a short, fed-back delay.
        "flanger": EffectBuilder(_same_names(pedalboard.Chorus)),
        "phaser": EffectBuilder(_same_names(pedalboard.Phaser)),
        "distortion": EffectBuilder(_same_names(pedalboard.Distortion)),
        "bitcrush": EffectBuilder(_same_names(pedalboard.Bitcrush)),
        "pitch_shift": EffectBuilder(
            lambda spec, rate, where: ChunkedPitchShift(spec.value("semitones"), rate),
            automatable=False,
        ),
        "ring_mod": EffectBuilder(
            lambda spec, rate, where: RingModulator(
                spec.value("frequency_hz"), spec.value("mix"), rate
            )
        ),
        "vst3": EffectBuilder(_load_vst3, measured=True),
    }
)


def build(spec: EffectSpec, sample_rate: int, where: str = "") -> pedalboard.Plugin | _NumpyStage:
    """The running plug-in or NumPy stage for one spec (validated first)."""
    validate(spec, where=where)
    return BUILDERS[spec.name].build(spec, sample_rate, where or f"effect {spec.name}")


def automation_step_samples(sample_rate: int) -> int:
    """The sub-block length when an effect parameter is automated: 10 ms at most."""
    return max(1, sample_rate // 100)


class Chain:
    """A running insert chain: specs in order, state kept from block to block.

    Consecutive pedalboard effects run as one Pedalboard; effects pedalboard
    lacks run in NumPy between them. pedalboard aligns its output with its
    input (a look-ahead limiter's reported delay is taken out), so in a
    stream a chain with latency first returns fewer samples than it was
    given; :meth:`process` returns whatever came out, and the caller keeps
    feeding until it has what it needs (the console reads that far ahead).
    A VST3 plug-in's latency is measured once with an impulse when the chain
    is built and taken out the same way (:class:`Compensated`), in case the
    plug-in does not report it.

    With ``automation``, the chain runs in sub-blocks of at most 10 ms on a
    grid fixed to the chain's input sample 0 (so the result does not depend
    on the caller's block size), each parameter set to its envelope's value
    at the sub-block's first sample; without, in whole blocks.
    """

    def __init__(
        self,
        specs: Sequence[EffectSpec],
        sample_rate: int,
        *,
        where: str = "",
        automation: Sequence[ParamAutomation] = (),
        channels: int = 2,
    ) -> None:
        for spec in specs:
            validate(spec, where=where)
        self.specs = tuple(specs)
        self.sample_rate = sample_rate
        self.where = where
        self._stages: list[Stage] = []
        self._targets: list[object] = []  # per spec: the object whose attributes are its params
        pending: list[pedalboard.Plugin] = []
        for spec in specs:
            builder = BUILDERS[spec.name]
            built = builder.build(spec, sample_rate, where or f"effect {spec.name}")
            self._targets.append(built)
            if isinstance(built, pedalboard.Plugin) and not builder.measured:
                pending.append(built)
                continue
            if pending:
                self._stages.append(Pedalboard(pending))
                pending = []
            if isinstance(built, pedalboard.Plugin):
                board = Pedalboard([built])
                latency = measure_latency_samples(board, sample_rate, channels)
                self._stages.append(Compensated(board, latency) if latency else board)
            else:
                self._stages.append(built)
        if pending:
            self._stages.append(Pedalboard(pending))
        self.automation = tuple(automation)
        for item in self.automation:
            self._check(item)
        self._position = 0  # input samples taken so far

    def _check(self, item: ParamAutomation) -> None:
        if not 0 <= item.insert_index < len(self.specs):
            raise AudioError(
                f"automation of insert {item.insert_index + 1}, but the chain has "
                f"{len(self.specs)} inserts",
                where=self.where,
                fix="number inserts from 0 in chain order",
            )
        spec = self.specs[item.insert_index]
        place = f"{self.where}, effect {spec.name}" if self.where else f"effect {spec.name}"
        param = EFFECTS[spec.name].get(item.param)
        open_param = spec.name == "vst3" and item.param not in EFFECTS["vst3"]
        if (
            not BUILDERS[spec.name].automatable
            or item.param in _FIXED
            or (param is None and not open_param)
        ):
            raise AudioError(
                f"{spec.name} {item.param} cannot be automated",
                where=place,
                fix=f"automate one of {', '.join(k for k in EFFECTS[spec.name] if k not in _FIXED)}",
            )
        low, high = item.envelope.value_range()
        if param is not None and (low < param.minimum or high > param.maximum):
            raise AudioError(
                f"automation of {spec.name} {item.param} goes out of range ({low:g} to {high:g})",
                where=place,
                fix=f"keep it from {param.minimum:g} to {param.maximum:g} {param.unit}".rstrip(),
            )

    def __bool__(self) -> bool:
        return bool(self.specs)

    def set_param(self, insert_index: int, key: str, value: float) -> None:
        """Move one parameter of one running insert."""
        setattr(self._targets[insert_index], _ATTRIBUTE.get(key, key), value)

    def _run(self, block: NDArray[np.float32]) -> NDArray[np.float32]:
        out = block
        for stage in self._stages:
            out = stage.process(out, self.sample_rate, reset=False).astype(np.float32, copy=False)
        return out

    def process(self, block: NDArray[np.float32]) -> NDArray[np.float32]:
        """Feed a block; returns the chain's next output (at most as long, aligned)."""
        start, count = self._position, block.shape[1]
        self._position += count
        if not self.automation:
            return self._run(block)
        step = automation_step_samples(self.sample_rate)
        cuts = np.arange((start // step + 1) * step, start + count, step) - start
        edges = [0, *cuts.tolist(), count]
        first = start // step * step  # the grid point at or before the block's start
        grid = [
            item.envelope.values(first, count + step, self.sample_rate) for item in self.automation
        ]
        outs = []
        for lo, hi in itertools.pairwise(edges):
            at = (start + lo) // step * step - first  # each piece takes its grid point's value
            for item, curve in zip(self.automation, grid, strict=True):
                self.set_param(item.insert_index, item.param, float(curve[at]))
            outs.append(self._run(block[:, lo:hi]))
        return np.concatenate(outs, axis=1)


def time_stretch(
    samples: NDArray[np.float32],
    sample_rate: int,
    stretch_factor: float,
    pitch_semitones: float = 0.0,
) -> NDArray[np.float32]:
    """Offline time-stretch (Rubber Band via pedalboard): ``stretch_factor`` 2 plays twice as
    fast (half the length) at the same pitch. Whole clips only: it is not a streaming insert."""
    if stretch_factor <= 0:
        raise AudioError("a time-stretch factor must be above 0", fix="give e.g. 0.5 or 2")
    result: NDArray[np.float32] = np.asarray(
        pedalboard.time_stretch(
            np.ascontiguousarray(samples, dtype=np.float32),
            float(sample_rate),
            stretch_factor=stretch_factor,
            pitch_shift_in_semitones=pitch_semitones,
        ),
        dtype=np.float32,
    )
    return result

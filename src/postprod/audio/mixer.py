"""The mixing console: tracks, buses and a master, run block by block.

Signal flow of a track: source -> polarity -> insert chain -> pre-fader
sends -> fader (gain + automation, per sample) -> pan -> post-fader sends ->
its output bus (or the master). Buses run in the order given, each summing
what was sent or routed to it, then its inserts, its sidechain ducking, its
fader, and on to its output; the master sums what reaches it, then its
fader and then its inserts (post-fader, as on a DAW master, so a limiter there
catches what the fader sends). Stereo inside; 32-bit float throughout.

Latency: every insert chain's delay is measured once (an impulse through a
fresh copy); each track then reads its source that far ahead, after priming
its chain with the first samples, so everything stays aligned to the
sample. Memory: one block per track and bus, whatever the length.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from scipy import signal

from postprod.audio.automation import Envelope
from postprod.audio.effects import Chain, Fifo
from postprod.audio.pan import pan_block
from postprod.effects.registry import EffectSpec
from postprod.errors import AudioError

MASTER = "master"


class BlockSource(Protocol):
    """Where a track's sound comes from: any span on request, silence outside the material."""

    channels: int

    def read(self, start: int, count: int) -> NDArray[np.float32]:
        """``(channels, count)`` samples from ``start`` (which may be negative)."""
        ...


@dataclass(frozen=True, slots=True)
class ArraySource:
    """A source held in memory (for tests, short clips and generated sound)."""

    samples: NDArray[np.float32]

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    def read(self, start: int, count: int) -> NDArray[np.float32]:
        out = np.zeros((self.channels, count), np.float32)
        lo, hi = max(0, start), min(self.samples.shape[1], start + count)
        if lo < hi:
            out[:, lo - start : hi - start] = self.samples[:, lo:hi]
        return out


@dataclass(frozen=True, slots=True)
class Send:
    """A feed from a track to a bus, before or after the track's fader."""

    bus: str
    level_db: float = 0.0
    pre_fader: bool = False
    automation: Envelope | None = None  # level in dB over time, replaces level_db


@dataclass(frozen=True, slots=True)
class Duck:
    """Sidechain ducking: this bus drops by ``depth_db`` while ``key`` is above ``threshold_db``."""

    key: str
    depth_db: float = 10.0
    threshold_db: float = -40.0
    attack_ms: float = 20.0
    release_ms: float = 400.0


@dataclass(frozen=True, slots=True)
class Track:
    """A channel strip."""

    name: str
    source: BlockSource
    gain_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    invert_polarity: bool = False
    inserts: tuple[EffectSpec, ...] = ()
    sends: tuple[Send, ...] = ()
    output: str = MASTER
    gain_automation: Envelope | None = None  # dB over time, replaces gain_db
    pan_automation: Envelope | None = None


@dataclass(frozen=True, slots=True)
class Bus:
    """An aux or group bus (dialogue, music, effects, a reverb return)."""

    name: str
    inserts: tuple[EffectSpec, ...] = ()
    gain_db: float = 0.0
    output: str = MASTER
    duck: Duck | None = None
    gain_automation: Envelope | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """Everything the console needs: rate, tracks, buses, master."""

    sample_rate: int
    tracks: tuple[Track, ...]
    buses: tuple[Bus, ...] = ()
    master_inserts: tuple[EffectSpec, ...] = ()
    master_gain_db: float = 0.0


@dataclass(frozen=True, slots=True)
class MixBlock:
    """One block of the mix, and of each stem asked for."""

    start: int
    master: NDArray[np.float32]
    stems: dict[str, NDArray[np.float32]] = field(default_factory=dict)


def _db(value: float | NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(10.0 ** (np.asarray(value, dtype=np.float64) / 20.0))


class _Strip:
    """A track while the console runs: reads its source ahead as far as its inserts lag."""

    def __init__(self, track: Track, sample_rate: int) -> None:
        self.track = track
        self.chain = Chain(track.inserts, sample_rate, where=f"track {track.name}")
        self._fed = 0  # source samples given to the chain so far
        self._ready = Fifo(track.source.channels)  # chain output not yet used

    def _source(self, start: int, count: int) -> NDArray[np.float32]:
        block = self.track.source.read(start, count)
        return -block if self.track.invert_polarity else block

    def process(
        self, start: int, count: int, rate: int
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """(pre-fader signal, post-fader stereo) for samples ``start`` .. ``start + count``."""
        while len(self._ready) < count:
            self._ready.put(self.chain.process(self._source(self._fed, count)))
            self._fed += count
        pre = self._ready.take(count)
        track = self.track
        gain = (
            _db(track.gain_automation.values(start, count, rate))
            if track.gain_automation
            else _db(track.gain_db)
        )
        pan: NDArray[np.float64] | float = (
            track.pan_automation.values(start, count, rate) if track.pan_automation else track.pan
        )
        post = pan_block((pre * gain).astype(np.float32), pan)
        return pre, post


class _Delayed:
    """A chain whose output must come back as long as its input, block by block: what a
    look-ahead effect holds back is made up with silence at the start (the chain's delay)."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.latency_samples = 0

    def process(self, block: NDArray[np.float32]) -> NDArray[np.float32]:
        out = self.chain.process(block)
        short = block.shape[1] - out.shape[1]
        if short > 0:
            self.latency_samples += short
            out = np.concatenate([np.zeros((out.shape[0], short), np.float32), out], axis=1)
        return out


class _BusState:
    def __init__(self, bus: Bus, sample_rate: int) -> None:
        self.bus = bus
        self.chain = _Delayed(Chain(bus.inserts, sample_rate, where=f"bus {bus.name}"))
        self.duck_state: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None


class Mixer:
    """Runs a :class:`Session` and yields the mix in blocks."""

    def __init__(self, session: Session) -> None:
        self.session = session
        rate = session.sample_rate
        names = [bus.name for bus in session.buses]
        self._check_routing(names)
        soloing = any(track.solo for track in session.tracks)
        self._strips = [
            _Strip(track, rate)
            for track in session.tracks
            if not track.mute and (track.solo or not soloing)  # buses are solo-safe
        ]
        self._buses = [_BusState(bus, rate) for bus in session.buses]
        self._master = Chain(session.master_inserts, rate, where="master")

    def _check_routing(self, names: list[str]) -> None:
        known = {MASTER, *names}
        if len(set(names)) != len(names) or MASTER in names:
            raise AudioError("bus names must be unique and not 'master'", where="session buses")
        for track in self.session.tracks:
            for target in (track.output, *(send.bus for send in track.sends)):
                if target not in known:
                    raise AudioError(
                        f"track {track.name} feeds bus {target!r}, which does not exist",
                        where=f"track {track.name}",
                        fix=f"add the bus or use one of {', '.join(sorted(known))}",
                    )
        for index, bus in enumerate(self.session.buses):
            later = {MASTER, *names[index + 1 :]}
            if bus.output not in later:
                raise AudioError(
                    f"bus {bus.name} feeds {bus.output!r}, which is not a later bus or the master",
                    where=f"bus {bus.name}",
                    fix="list buses in signal order: a bus feeds only buses after it",
                )
            if bus.duck is not None and bus.duck.key not in names[:index]:
                raise AudioError(
                    f"bus {bus.name} ducks under {bus.duck.key!r}, which is not an earlier bus",
                    where=f"bus {bus.name}",
                    fix="list the key bus (the dialogue, say) before the bus it ducks",
                )

    def blocks(
        self, total_samples: int, *, block_samples: int = 4096, stems: Sequence[str] = ()
    ) -> Iterator[MixBlock]:
        """The mix from sample 0 to ``total_samples``, with the named buses as stems.

        The console runs ahead of what it yields by the master inserts' delay,
        so the master (and the stems, taken before it) stay sample-aligned.
        """
        for name in stems:
            if name not in {state.bus.name for state in self._buses}:
                raise AudioError(f"no bus named {name!r} to render as a stem", fix="name a bus")
        master_ready = Fifo(2)
        stems_ready = {name: Fifo(2) for name in stems}
        gain = np.float32(_db(self.session.master_gain_db))
        ahead = 0
        for start in range(0, total_samples, block_samples):
            count = min(block_samples, total_samples - start)
            while len(master_ready) < count:
                master_in, outputs = self._graph(ahead, block_samples)
                master_ready.put(self._master.process(master_in * gain))  # inserts post-fader
                for name, ready in stems_ready.items():
                    ready.put(outputs[name])
                ahead += block_samples
            taken = {name: ready.take(count) for name, ready in stems_ready.items()}
            yield MixBlock(start, master_ready.take(count), taken)

    def _graph(
        self, start: int, count: int
    ) -> tuple[NDArray[np.float32], dict[str, NDArray[np.float32]]]:
        """Tracks and buses for one block: the master's input and every bus's output."""
        rate = self.session.sample_rate
        inputs = {state.bus.name: np.zeros((2, count), np.float32) for state in self._buses}
        inputs[MASTER] = np.zeros((2, count), np.float32)
        for strip in self._strips:
            pre, post = strip.process(start, count, rate)
            inputs[strip.track.output] += post
            for send in strip.track.sends:
                level = (
                    _db(send.automation.values(start, count, rate))
                    if send.automation
                    else _db(send.level_db)
                )
                fed = pan_block(pre, strip.track.pan) if send.pre_fader else post
                inputs[send.bus] += (fed * level).astype(np.float32)
        outputs: dict[str, NDArray[np.float32]] = {}
        for state in self._buses:
            bus = state.bus
            x = state.chain.process(inputs[bus.name])
            gain = (
                _db(bus.gain_automation.values(start, count, rate))
                if bus.gain_automation
                else _db(bus.gain_db)
            )
            if bus.duck is not None:
                gain = gain * self._duck_gain(state, outputs[bus.duck.key], rate)
            y = (x * gain).astype(np.float32)
            outputs[bus.name] = y
            inputs[bus.output] += y
        return inputs[MASTER], outputs

    def _duck_gain(
        self, state: _BusState, key: NDArray[np.float32], rate: int
    ) -> NDArray[np.float64]:
        """Linear gain of a ducked bus: depth while the key is above threshold, smoothed.

        The reduction (in dB) is smoothed twice, with the attack and with the
        release time constant, and the larger of the two is used: it rises at
        the attack rate and falls at the release rate, vectorised.
        """
        duck = state.bus.duck
        assert duck is not None
        level = np.abs(key).max(axis=0)
        target = np.where(level > 10 ** (duck.threshold_db / 20), duck.depth_db, 0.0)
        if state.duck_state is None:
            state.duck_state = (np.zeros(1), np.zeros(1))
        smoothed = []
        new_state = []
        for time_ms, zi in zip((duck.attack_ms, duck.release_ms), state.duck_state, strict=True):
            pole = np.exp(-1.0 / (max(time_ms, 0.01) * 1e-3 * rate))
            out, zf = signal.lfilter([1 - pole], [1, -pole], target, zi=zi)
            smoothed.append(out)
            new_state.append(zf)
        state.duck_state = (new_state[0], new_state[1])
        reduction_db = np.maximum(smoothed[0], smoothed[1])
        return _db(-reduction_db)

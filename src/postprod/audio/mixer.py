"""The mixing console: tracks, buses and a master, run block by block.

Signal flow of a track: source -> polarity -> insert chain -> pre-fader
sends -> fader (gain + automation, per sample) -> pan -> post-fader sends ->
its output bus (or the master). Buses run in the order given, each summing
what was sent or routed to it, then its inserts, its sidechain ducking, its
fader, and on to its output; the master sums what reaches it, then its
fader and then its inserts (post-fader, as on a DAW master, so a limiter there
catches what the fader sends). 32-bit float throughout, in the session's
layout (stereo, or 5.1 as L R C LFE Ls Rs).

Latency: pedalboard takes a plug-in's reported delay out of its output (a
VST3's is also measured with an impulse when the chain is built), so a chain
with latency first returns fewer samples than it is given. Each track keeps
reading its source ahead until its chain has produced the samples asked
for, so every track stays aligned to the sample without delaying the others;
the master does the same. A bus cannot read ahead (its input is the sum of
the moment), so a bus chain with latency delays its output by it; the
console compensates as a DAW does: it measures each bus chain's delay when
it starts, delays every other path into the same place to match (tracks,
other buses, a ducking key, the stems), and drops that much from the start
of the mix, so everything stays aligned to the picture. Memory: a block or
two per track and bus, whatever the programme length.

A :class:`Session` holds the console's settings as the project and the
render plan do (``effects.console``: a :class:`Track` is a name, a
``StripState`` and a source; the buses and master are a ``ConsoleState``);
their ``to_dict``/``from_dict`` are the only serialisation. The render layer
backs each track's source with its clips.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from postprod.audio.automation import Envelope, ParamAutomation, envelope_of
from postprod.audio.dynamics import AttackRelease, LevelFollower
from postprod.audio.effects import Chain, Fifo
from postprod.audio.pan import layout_channels, place
from postprod.effects.console import BusState, ConsoleState, InsertAutomation, StripState
from postprod.effects.registry import tempo_delay_s
from postprod.errors import AudioError

MASTER = "master"

#: A tail has ended when a whole block of the mix and the stems peaks below this (-120 dBFS).
TAIL_FLOOR = 1e-6

#: A tail that stops falling below this (-90 dBFS) has reached an effect's noise floor.
NOISE_FLOOR = 10 ** (-90 / 20)


class BlockSource(Protocol):
    """Where a track's sound comes from: any span on request, silence outside the material."""

    channels: int

    def read(self, start: int, count: int) -> NDArray[np.float32]:
        """``(channels, count)`` float32 samples from ``start`` (which may be negative)."""
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
class Track:
    """A track of the console: its strip's settings (as the project stores them) and its sound."""

    name: str
    source: BlockSource
    strip: StripState = field(default_factory=StripState)


@dataclass(frozen=True, slots=True)
class Session:
    """Everything the console needs: rate, tracks, the buses and master, the layout."""

    sample_rate: int
    tracks: tuple[Track, ...]
    console: ConsoleState = field(default_factory=ConsoleState)
    layout: str = "stereo"  # or "5.1" (L R C LFE Ls Rs)

    @property
    def channels(self) -> int:
        return layout_channels(self.layout)


@dataclass(frozen=True, slots=True)
class MixBlock:
    """One block of the mix, and of each stem asked for."""

    start: int
    master: NDArray[np.float32]
    stems: dict[str, NDArray[np.float32]] = field(default_factory=dict)
    #: Each playing track's post-fader, panned signal, aligned with the master (when asked).
    strips: dict[str, NDArray[np.float32]] = field(default_factory=dict)


def _db(value: float | NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(10.0 ** (np.asarray(value, dtype=np.float64) / 20.0))


def _gain(envelope: Envelope | None, gain_db: float, start: int, count: int, rate: int) -> Any:
    """Linear gain for a block: per sample when automated, else one number."""
    return _db(envelope.values(start, count, rate)) if envelope else np.float32(_db(gain_db))


def _rides(items: tuple[InsertAutomation, ...]) -> tuple[ParamAutomation, ...]:
    return tuple(ParamAutomation.of(item) for item in items)


class _Strip:
    """A track while the console runs: reads its source ahead as far as its inserts lag."""

    def __init__(self, track: Track, sample_rate: int, layout: str) -> None:
        self.track = track
        self.strip = strip = track.strip
        self.layout = layout
        self.chain = Chain(
            strip.inserts,
            sample_rate,
            where=f"track {track.name}",
            automation=_rides(strip.insert_automation),
            channels=track.source.channels,
        )
        self.gain_envelope = envelope_of(strip.automation.get("gain_db", ()))
        self.pan_envelope = envelope_of(strip.automation.get("pan", ()))
        self.sends = tuple((send, envelope_of(send.automation)) for send in strip.sends)
        self._fed = 0  # source samples given to the chain so far
        self._ready = Fifo(track.source.channels)  # chain output not yet used

    def start_at(self, sample: int) -> None:
        """Before the first block: read the source from ``sample``."""
        self._fed = sample

    def _source(self, start: int, count: int, end: int | None) -> NDArray[np.float32]:
        if end is not None and start >= end:  # ringing out: the chain is fed silence
            return np.zeros((self.track.source.channels, count), np.float32)
        block = self.track.source.read(start, count)
        if end is not None and start + count > end:
            block = block.copy()
            block[:, end - start :] = 0.0
        return -block if self.strip.invert_polarity else block

    def process(
        self, start: int, count: int, rate: int, end: int | None
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """(pre-fader signal, post-fader placed) for samples ``start`` .. ``start + count``."""
        while len(self._ready) < count:
            self._ready.put(self.chain.process(self._source(self._fed, count, end)))
            self._fed += count
        pre = self._ready.take(count)
        strip = self.strip
        gain = _gain(self.gain_envelope, strip.gain_db, start, count, rate)
        pan: NDArray[np.float64] | float = (
            self.pan_envelope.values(start, count, rate) if self.pan_envelope else strip.pan
        )
        post = place((pre * gain).astype(np.float32), pan, self.layout, strip.pan_rear)
        return pre, post


class _BusChain:
    """A bus's inserts, returning as many samples as they are given: the chain's output goes
    into a queue that starts with ``latency_samples`` of silence (its measured hold-back),
    so the output is the input delayed by exactly that, whatever blocks the chain returns."""

    def __init__(self, chain: Chain, channels: int) -> None:
        self.chain = chain
        self.channels = channels
        self.latency_samples = 0
        self._ready = Fifo(channels)

    def start(self, latency_samples: int) -> None:
        """Before the first block: hold back ``latency_samples`` (see :func:`_chain_latency`)."""
        self.latency_samples = latency_samples
        if latency_samples:
            self._ready.put(np.zeros((self.channels, latency_samples), np.float32))

    def process(self, block: NDArray[np.float32]) -> NDArray[np.float32]:
        if not self.chain:
            return block
        self._ready.put(self.chain.process(block))
        return self._ready.take(block.shape[1])


class _DelayLine:
    """A fixed delay of ``samples``, block by block."""

    def __init__(self, channels: int, samples: int) -> None:
        self.samples = samples
        self._fifo = Fifo(channels)
        if samples:
            self._fifo.put(np.zeros((channels, samples), np.float32))

    def __call__(self, block: NDArray[np.float32]) -> NDArray[np.float32]:
        if not self.samples:
            return block
        self._fifo.put(block)
        return self._fifo.take(block.shape[1])


def _chain_latency(bus: BusState, sample_rate: int, channels: int, block_samples: int) -> int:
    """The most a bus chain ever holds back when fed ``block_samples`` at a time, measured on
    8 s of silence through a fresh copy (a look-ahead limiter: its look-ahead; a pitch
    shifter: the chunk it collects, which depends on the block size)."""
    if not bus.inserts:
        return 0
    probe = Chain(bus.inserts, sample_rate, where=f"bus {bus.name}", channels=channels)
    block = np.zeros((channels, block_samples), np.float32)
    fed = returned = most = 0
    while fed < 8 * sample_rate:
        returned += probe.process(block).shape[1]
        fed += block.shape[1]
        most = max(most, fed - returned)
    return most


class _Bus:
    """A bus while the console runs: its chain, fader envelope and ducking state."""

    def __init__(self, bus: BusState, sample_rate: int, channels: int) -> None:
        self.bus = bus
        chain = Chain(
            bus.inserts,
            sample_rate,
            where=f"bus {bus.name}",
            automation=_rides(bus.insert_automation),
            channels=channels,
        )
        self.chain = _BusChain(chain, channels)
        self.gain_envelope = envelope_of(bus.automation.get("gain_db", ()))
        self.key_level: LevelFollower | None = None
        self.smooth: AttackRelease | None = None
        if bus.duck_key is not None:
            self.key_level = LevelFollower(10.0, sample_rate)
            self.smooth = AttackRelease(bus.duck_attack_ms, bus.duck_release_ms, sample_rate)

    def duck_gain(self, key: NDArray[np.float32]) -> NDArray[np.float64]:
        """Linear gain of a ducked bus: ``duck_depth_db`` down while the key's level (its
        power followed over 10 ms) is above the threshold, moving at the attack/release rates."""
        bus = self.bus
        assert self.key_level is not None and self.smooth is not None
        target = np.where(self.key_level(key) > bus.duck_threshold_db, bus.duck_depth_db, 0.0)
        return _db(-self.smooth(target))


class Mixer:
    """Runs a :class:`Session` and yields the mix in blocks."""

    def __init__(self, session: Session) -> None:
        self.session = session
        rate = session.sample_rate
        console = session.console
        self.channels = session.channels
        names = [bus.name for bus in console.buses]
        self._check_routing(names)
        soloing = any(track.strip.solo for track in session.tracks)
        self._strips = [
            _Strip(track, rate, session.layout)
            for track in session.tracks
            if not track.strip.mute and (track.strip.solo or not soloing)  # buses are solo-safe
        ]
        self._buses = [_Bus(bus, rate, self.channels) for bus in console.buses]
        self._arrival: dict[str, int] = {}  # set when the console starts (_compensate)
        self._leaves: dict[str, int] = {}
        self._master = Chain(
            console.master_inserts,
            rate,
            where="master",
            automation=_rides(console.master_insert_automation),
            channels=self.channels,
        )
        self._master_gain = envelope_of(console.master_automation.get("gain_db", ()))

    def _compensate(self, block_samples: int) -> None:
        """Delays that keep every path aligned when bus chains hold samples back.

        ``arrival[node]``: the latency everything reaching a bus (or the master)
        is given; ``leaves[bus]``: the latency of its output (arrival + its chain's).
        Buses feed only later buses, so one pass in order settles both.
        """
        rate = self.session.sample_rate
        for state in self._buses:
            latency = _chain_latency(state.bus, rate, self.channels, block_samples)
            state.chain.start(latency)
        arrival = {MASTER: 0, **{state.bus.name: 0 for state in self._buses}}
        leaves: dict[str, int] = {}
        for state in self._buses:
            leaves[state.bus.name] = arrival[state.bus.name] + state.chain.latency_samples
            arrival[state.bus.output] = max(arrival[state.bus.output], leaves[state.bus.name])
        channels = self.channels
        self._arrival, self._leaves = arrival, leaves
        self._track_delay = {node: _DelayLine(channels, late) for node, late in arrival.items()}
        self._bus_delay, self._stem_delay, self._key_delay = {}, {}, {}
        for state in self._buses:
            name, bus = state.bus.name, state.bus
            self._bus_delay[name] = _DelayLine(channels, arrival[bus.output] - leaves[name])
            self._stem_delay[name] = _DelayLine(channels, arrival[MASTER] - leaves[name])
            if bus.duck_key is not None:
                lag = max(0, leaves[name] - leaves[bus.duck_key])
                self._key_delay[name] = _DelayLine(channels, lag)

    def _check_routing(self, names: list[str]) -> None:
        known = {MASTER, *names}
        if len(set(names)) != len(names) or MASTER in names:
            raise AudioError("bus names must be unique and not 'master'", where="session buses")
        track_names = [track.name for track in self.session.tracks]
        if len(set(track_names)) != len(track_names):
            raise AudioError("track names must be unique", where="session tracks")
        for track in self.session.tracks:
            for target in (track.strip.output, *(send.bus for send in track.strip.sends)):
                if target not in known:
                    raise AudioError(
                        f"track {track.name} feeds bus {target!r}, which does not exist",
                        where=f"track {track.name}",
                        fix=f"add the bus or use one of {', '.join(sorted(known))}",
                    )
            if track.source.channels not in (1, 2, 6):
                raise AudioError(
                    f"track {track.name} has {track.source.channels} channels",
                    where=f"track {track.name}",
                    fix="give a mono, stereo or 5.1 source",
                )
        for index, bus in enumerate(self.session.console.buses):
            later = {MASTER, *names[index + 1 :]}
            if bus.output not in later:
                raise AudioError(
                    f"bus {bus.name} feeds {bus.output!r}, which is not a later bus or the master",
                    where=f"bus {bus.name}",
                    fix="list buses in signal order: a bus feeds only buses after it",
                )
            if bus.duck_key is not None and bus.duck_key not in names[:index]:
                raise AudioError(
                    f"bus {bus.name} ducks under {bus.duck_key!r}, which is not an earlier bus",
                    where=f"bus {bus.name}",
                    fix="list the key bus (the dialogue, say) before the bus it ducks",
                )

    def blocks(
        self,
        total_samples: int,
        *,
        block_samples: int = 4096,
        stems: Sequence[str] = (),
        tail: bool = False,
        max_tail_s: float = 10.0,
        first_sample: int = 0,
        strips: bool = False,
    ) -> Iterator[MixBlock]:
        """The mix from sample ``first_sample`` (default 0) to ``total_samples``, with the
        named buses as stems and, with ``strips``, every playing track's post-fader signal
        (a tap for meters: muted tracks are not there).

        A console started at ``first_sample`` starts there with nothing in its effects and
        ducking, so callers that want the state the whole programme has at a point start a
        little before it (a pre-roll) and drop what comes before.

        The console runs ahead of what it yields by the master inserts' delay,
        so the master (and the stems, taken before it) stay sample-aligned.
        With ``tail``, the sources stop at ``total_samples`` and the console
        carries on with silence in, block by block, until the mix and the
        stems have stayed below -120 dBFS (or on an effect's noise floor
        below -90 dBFS) for longer than the session's longest echo plus half
        a second, or ``max_tail_s`` has passed, so reverbs and echoes ring out.
        """
        for name in stems:
            if name not in {state.bus.name for state in self._buses}:
                raise AudioError(f"no bus named {name!r} to render as a stem", fix="name a bus")
        yield from self._blocks(
            total_samples, block_samples, stems, tail, max_tail_s, first_sample, strips
        )

    def _blocks(
        self,
        total_samples: int,
        block_samples: int,
        stems: Sequence[str],
        tail: bool,
        max_tail_s: float,
        first_sample: int = 0,
        taps: bool = False,
    ) -> Iterator[MixBlock]:
        rate = self.session.sample_rate
        if self._arrival:
            raise AudioError("a console runs once", fix="make a new Mixer for another pass")
        self._compensate(block_samples)
        end = total_samples if tail else None
        limit = total_samples + (round(max_tail_s * rate) if tail else 0)
        master_ready = Fifo(self.channels)
        stems_ready = {name: Fifo(self.channels) for name in stems}
        # a strip reaches the master arrival[MASTER] late (the paths' compensation delays)
        strips_ready = {
            strip.track.name: (
                Fifo(self.channels),
                _DelayLine(self.channels, self._arrival[MASTER]),
            )
            for strip in (self._strips if taps else ())
        }
        for strip in self._strips:
            strip.start_at(first_sample)
        ahead = first_sample
        quiet_needed = round((0.5 + _longest_echo_s(self.session)) * rate)
        quiet, last_peak = 0, 0.0
        to_drop = self._arrival[MASTER]  # the compensation delay, taken off the front
        for start in range(first_sample, limit, block_samples):
            count = min(block_samples, limit - start)
            while len(master_ready) < count + to_drop:
                master_in, outputs, posts = self._graph(ahead, block_samples, end)
                gain = _gain(
                    self._master_gain,
                    self.session.console.master_gain_db,
                    ahead - self._arrival[MASTER],
                    block_samples,
                    rate,
                )
                master_fed = (master_in * gain).astype(np.float32)
                master_ready.put(self._master.process(master_fed))  # inserts post-fader
                for name, ready in stems_ready.items():
                    ready.put(outputs[name])
                for name, (ready, delay) in strips_ready.items():
                    ready.put(delay(posts[name]))
                ahead += block_samples
            if to_drop:
                for ready in (master_ready, *stems_ready.values()):
                    ready.take(to_drop)
                for ready, _delay in strips_ready.values():
                    ready.take(to_drop)
                to_drop = 0
            block = MixBlock(
                start,
                master_ready.take(count),
                {name: ready.take(count) for name, ready in stems_ready.items()},
                {name: ready.take(count) for name, (ready, _delay) in strips_ready.items()},
            )
            yield block
            if tail and start + count > total_samples:
                peak = _peak(block)
                quiet = quiet + count if _quiet(peak, last_peak) else 0
                last_peak = peak
                if quiet >= quiet_needed:
                    return

    def _graph(
        self, start: int, count: int, end: int | None
    ) -> tuple[NDArray[np.float32], dict[str, NDArray[np.float32]], dict[str, NDArray[np.float32]]]:
        """Tracks and buses for one block: the master's input, every bus's output (as a
        stem, aligned with the master's input) and every track's post-fader signal."""
        rate = self.session.sample_rate
        layout = self.session.layout
        from_tracks = {node: np.zeros((self.channels, count), np.float32) for node in self._arrival}
        posts: dict[str, NDArray[np.float32]] = {}
        for strip in self._strips:
            pre, post = strip.process(start, count, rate, end)
            posts[strip.track.name] = post
            settings = strip.strip
            from_tracks[settings.output] += post
            for send, envelope in strip.sends:
                level = _gain(envelope, send.level_db, start, count, rate)
                fed = (
                    place(pre, settings.pan, layout, settings.pan_rear) if send.pre_fader else post
                )
                from_tracks[send.bus] += (fed * level).astype(np.float32)
        inputs = {node: self._track_delay[node](block) for node, block in from_tracks.items()}
        outputs: dict[str, NDArray[np.float32]] = {}
        stems: dict[str, NDArray[np.float32]] = {}
        for state in self._buses:
            bus = state.bus
            x = state.chain.process(inputs[bus.name])
            at = start - self._leaves[bus.name]  # programme time of what leaves the bus now
            gain = _gain(state.gain_envelope, bus.gain_db, at, count, rate)
            if bus.duck_key is not None:
                key = self._key_delay[bus.name](outputs[bus.duck_key])
                gain = gain * state.duck_gain(key)
            y = (x * gain).astype(np.float32)
            outputs[bus.name] = y
            inputs[bus.output] += self._bus_delay[bus.name](y)
            stems[bus.name] = self._stem_delay[bus.name](y)
        return inputs[MASTER], stems, posts


def _longest_echo_s(session: Session) -> float:
    """The longest delay time in any chain: a tail can be silent that long between echoes."""
    chains = [
        *(t.strip.inserts for t in session.tracks),
        *(b.inserts for b in session.console.buses),
        session.console.master_inserts,
    ]
    longest = 0.0
    for chain in chains:
        for spec in chain:
            if spec.name == "delay":
                tempo = spec.value("tempo_bpm")
                delay_s = (
                    tempo_delay_s(tempo, spec.value("note_beats"))
                    if tempo > 0
                    else spec.value("delay_s")
                )
                longest = max(longest, delay_s)
    return longest


def _peak(block: MixBlock) -> float:
    arrays = [a for a in (block.master, *block.stems.values()) if a.size]
    return max((float(np.abs(a).max()) for a in arrays), default=0.0)


def _quiet(peak: float, last_peak: float) -> bool:
    """Below -120 dBFS, or settled on a plug-in's own noise floor: below -90 dBFS and no
    longer falling (pedalboard's reverb never goes much below -104 dBFS)."""
    return peak < TAIL_FLOOR or (peak < NOISE_FLOOR and peak > 0.9 * last_peak)

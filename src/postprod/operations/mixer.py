"""The mixing console as operations: faders, pan, mute and solo, inserts, sends, buses, automation.

The console's state lives in the project (``postprod.timeline.metadata``): a
strip on each audio track, the buses and the master on the timeline. Each
operation here reads that state, changes one thing with ``dataclasses.replace``
and writes it back, so every fader move is one undo step like any edit.

A strip is named by ``track``: an audio track's name, or ``master``; with
``bus=True`` it names a bus instead (inserts and gain live on buses too).
Inserts are numbered from 1, as the console shows them. Effects and their
parameters are checked against the effects registry (``postprod fx list``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import ClassVar

import opentimelineio as otio

from postprod.effects.console import AUTOMATION_CURVES
from postprod.effects.registry import EffectSpec, ParamValue, validate
from postprod.errors import EditError
from postprod.operations.base import Operation, param
from postprod.timeline.metadata import (
    BusState,
    ConsoleState,
    SendState,
    StripState,
    console_of,
    set_console,
    set_strip,
    strip_of,
)
from postprod.timeline.slots import Where, find_track

MASTER = "master"

#: Fader and send levels, dB: -120 is silence for every practical purpose.
GAIN_MIN_DB = -120.0
GAIN_MAX_DB = 24.0

#: What a track's automation may move, and the range of each.
AUTOMATABLE: MappingProxyType[str, tuple[float, float]] = MappingProxyType(
    {"gain_db": (GAIN_MIN_DB, GAIN_MAX_DB), "pan": (-1.0, 1.0)}
)

Params = tuple[tuple[str, ParamValue], ...]

_field = param  # the automation operations have a field called ``param``


class Settings(Operation):
    """An operation whose ``None`` fields mean "leave it as it is": its line names only
    what it changes."""

    def describe(self) -> str:
        values = ", ".join(
            f"{item.name}={getattr(self, item.name)}"
            for item in fields(self)  # type: ignore[arg-type]
            if getattr(self, item.name) is not None
        )
        return f"{self.name} {values}"


def audio_track(timeline: otio.schema.Timeline, name: str) -> otio.schema.Track:
    """The audio track ``name`` (the console has strips for audio tracks only)."""
    track = find_track(timeline, name)
    if track.kind != otio.schema.TrackKind.Audio:
        raise EditError(
            f"track {track.name} is a {track.kind.lower()} track, not an audio track",
            where=track.name,
            fix="the console has a strip for each audio track (postprod mixer P show)",
        )
    return track


def _bus_index(console: ConsoleState, name: str) -> int:
    for index, bus in enumerate(console.buses):
        if bus.name == name:
            return index
    names = ", ".join(bus.name for bus in console.buses) or "none yet"
    raise EditError(
        f"no bus {name!r}",
        where="the console",
        fix=f"choose one of: {names} (postprod mixer P bus add NAME makes one)",
    )


def _with_bus(console: ConsoleState, bus: BusState) -> ConsoleState:
    buses = list(console.buses)
    buses[_bus_index(console, bus.name)] = bus
    return replace(console, buses=_signal_order(buses))


def _signal_order(buses: list[BusState]) -> tuple[BusState, ...]:
    """The buses in an order the mixer runs: each before the bus it feeds, a ducking key
    before the bus it ducks; otherwise as they were (a stable topological sort)."""
    names = {bus.name for bus in buses}
    after: dict[str, set[str]] = {bus.name: set() for bus in buses}  # must come after these
    for bus in buses:
        if bus.output in names:
            after[bus.output].add(bus.name)
        if bus.duck_key in names:
            after[bus.name].add(str(bus.duck_key))
    ordered: list[BusState] = []
    placed: set[str] = set()
    remaining = list(buses)
    while remaining:
        ready = next((b for b in remaining if after[b.name] <= placed), None)
        if ready is None:
            loop = ", ".join(b.name for b in remaining)
            raise EditError(
                f"buses {loop} would depend on each other in a loop (outputs or ducking keys)",
                where="the console",
                fix="route or duck a bus only under buses that do not depend on it",
            )
        ordered.append(ready)
        placed.add(ready.name)
        remaining.remove(ready)
    return tuple(ordered)


def effect_spec(effect: str, params: Params, where: str) -> EffectSpec:
    """An effect with its parameters, checked against the registry (naming ``where``)."""
    spec = EffectSpec(effect, MappingProxyType(dict(params)))
    validate(spec, where=where)
    return spec


def _place(track: str, bus: bool) -> str:
    if bus:
        return f"bus {track}"
    return MASTER if track == MASTER else f"track {track}"


def _inserts(timeline: otio.schema.Timeline, track: str, bus: bool) -> tuple[EffectSpec, ...]:
    console = console_of(timeline)
    if bus:
        return console.buses[_bus_index(console, track)].inserts
    if track == MASTER:
        return console.master_inserts
    return strip_of(audio_track(timeline, track)).inserts


def _set_inserts(
    timeline: otio.schema.Timeline, track: str, bus: bool, inserts: tuple[EffectSpec, ...]
) -> None:
    console = console_of(timeline)
    if bus:
        found = console.buses[_bus_index(console, track)]
        set_console(timeline, _with_bus(console, replace(found, inserts=inserts)))
    elif track == MASTER:
        set_console(timeline, replace(console, master_inserts=inserts))
    else:
        strip = audio_track(timeline, track)
        set_strip(strip, replace(strip_of(strip), inserts=inserts))


def chain_index(number: int, inserts: tuple[EffectSpec, ...], place: str, *, extra: int = 0) -> int:
    """A 1-based insert number as an index, refused if the chain has no such insert."""
    count = len(inserts) + extra
    if not 1 <= number <= count:
        raise EditError(
            f"{place} has no insert {number}",
            where=place,
            fix=f"give 1 to {count}" if count else "its chain is empty: add an insert first",
        )
    return number - 1


@dataclass(frozen=True, slots=True)
class SetStrip(Settings):
    """Set a track's fader, pan, mute, solo, polarity or output (or the master's fader).
    ``None`` leaves a setting as it is."""

    name: ClassVar[str] = "set-strip"
    track: str
    gain_db: float | None = param(
        None, unit="dB", minimum=GAIN_MIN_DB, maximum=GAIN_MAX_DB, help="The fader."
    )
    pan: float | None = param(None, minimum=-1.0, maximum=1.0, help="-1 left, 0 centre, 1 right.")
    mute: bool | None = None
    solo: bool | None = None
    polarity: bool | None = None  # True: the polarity inverted
    output: str | None = None  # a bus, or master

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.track == MASTER:
            others = ("pan", "mute", "solo", "polarity", "output")
            if any(getattr(self, other) is not None for other in others):
                raise EditError(
                    "the master has a fader and inserts only",
                    where=MASTER,
                    fix="set the master's --gain-db, or a track's pan, mute, solo",
                )
            if self.gain_db is not None:
                console = console_of(timeline)
                set_console(timeline, replace(console, master_gain_db=float(self.gain_db)))
            return
        track = audio_track(timeline, self.track)
        strip = strip_of(track)
        if self.output is not None and self.output != MASTER:
            _bus_index(console_of(timeline), self.output)
        set_strip(
            track,
            replace(
                strip,
                gain_db=strip.gain_db if self.gain_db is None else float(self.gain_db),
                pan=strip.pan if self.pan is None else float(self.pan),
                mute=strip.mute if self.mute is None else self.mute,
                solo=strip.solo if self.solo is None else self.solo,
                invert_polarity=(strip.invert_polarity if self.polarity is None else self.polarity),
                output=strip.output if self.output is None else self.output,
            ),
        )


@dataclass(frozen=True, slots=True)
class AddInsert(Settings):
    """Put an effect in a strip's insert chain: at the end, or as insert ``number`` (from 1)."""

    name: ClassVar[str] = "add-insert"
    track: str
    effect: str
    params: Params = ()
    number: int | None = param(None, minimum=1, help="Its place in the chain, from 1.")
    bus: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        place = _place(self.track, self.bus)
        inserts = list(_inserts(timeline, self.track, self.bus))
        spec = effect_spec(self.effect, self.params, place)
        index = len(inserts)
        if self.number is not None:
            index = chain_index(self.number, tuple(inserts), place, extra=1)
        inserts.insert(index, spec)
        _set_inserts(timeline, self.track, self.bus, tuple(inserts))


@dataclass(frozen=True, slots=True)
class RemoveInsert(Operation):
    """Take insert ``number`` (from 1) out of a strip's chain."""

    name: ClassVar[str] = "remove-insert"
    track: str
    number: int = param(minimum=1, help="The insert, from 1.")
    bus: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        inserts = list(_inserts(timeline, self.track, self.bus))
        del inserts[chain_index(self.number, tuple(inserts), _place(self.track, self.bus))]
        _set_inserts(timeline, self.track, self.bus, tuple(inserts))


@dataclass(frozen=True, slots=True)
class MoveInsert(Operation):
    """Move insert ``number`` to place ``to`` in the chain (both from 1): order changes sound."""

    name: ClassVar[str] = "move-insert"
    track: str
    number: int = param(minimum=1, help="The insert, from 1.")
    to: int = param(minimum=1, help="Its new place, from 1.")
    bus: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        place = _place(self.track, self.bus)
        inserts = list(_inserts(timeline, self.track, self.bus))
        spec = inserts.pop(chain_index(self.number, tuple(inserts), place))
        inserts.insert(chain_index(self.to, tuple(inserts), place, extra=1), spec)
        _set_inserts(timeline, self.track, self.bus, tuple(inserts))


@dataclass(frozen=True, slots=True)
class SetInsert(Operation):
    """Change parameters of insert ``number`` (from 1); the others keep their values."""

    name: ClassVar[str] = "set-insert"
    track: str
    number: int = param(minimum=1, help="The insert, from 1.")
    params: Params = ()
    bus: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        place = _place(self.track, self.bus)
        inserts = list(_inserts(timeline, self.track, self.bus))
        index = chain_index(self.number, tuple(inserts), place)
        old = inserts[index]
        spec = replace(old, params=MappingProxyType({**old.params, **dict(self.params)}))
        validate(spec, where=f"{place}, insert {self.number}")
        inserts[index] = spec
        _set_inserts(timeline, self.track, self.bus, tuple(inserts))


def _sends_of(timeline: otio.schema.Timeline, track: str) -> tuple[otio.schema.Track, StripState]:
    found = audio_track(timeline, track)
    return found, strip_of(found)


def _send_index(strip: StripState, bus: str, track: str) -> int:
    for index, send in enumerate(strip.sends):
        if send.bus == bus:
            return index
    names = ", ".join(send.bus for send in strip.sends) or "none"
    raise EditError(
        f"track {track} has no send to bus {bus!r}",
        where=f"track {track}",
        fix=f"its sends go to: {names}",
    )


@dataclass(frozen=True, slots=True)
class AddSend(Operation):
    """Send a track to a bus (an effects return, a stem), after its fader or before it."""

    name: ClassVar[str] = "add-send"
    track: str
    bus: str
    level_db: float = param(0.0, unit="dB", minimum=GAIN_MIN_DB, maximum=GAIN_MAX_DB)
    pre_fader: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        _bus_index(console_of(timeline), self.bus)
        track, strip = _sends_of(timeline, self.track)
        if any(send.bus == self.bus for send in strip.sends):
            raise EditError(
                f"track {track.name} already sends to bus {self.bus}",
                where=f"track {track.name}",
                fix="change it with send set, or remove it first",
            )
        send = SendState(self.bus, float(self.level_db), self.pre_fader)
        set_strip(track, replace(strip, sends=(*strip.sends, send)))


@dataclass(frozen=True, slots=True)
class SetSend(Settings):
    """Change a track's send to a bus: its level, or pre/post fader (``None`` leaves it)."""

    name: ClassVar[str] = "set-send"
    track: str
    bus: str
    level_db: float | None = param(None, unit="dB", minimum=GAIN_MIN_DB, maximum=GAIN_MAX_DB)
    pre_fader: bool | None = None

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track, strip = _sends_of(timeline, self.track)
        sends = list(strip.sends)
        index = _send_index(strip, self.bus, track.name)
        old = sends[index]
        sends[index] = replace(
            old,
            level_db=old.level_db if self.level_db is None else float(self.level_db),
            pre_fader=old.pre_fader if self.pre_fader is None else self.pre_fader,
        )
        set_strip(track, replace(strip, sends=tuple(sends)))


@dataclass(frozen=True, slots=True)
class RemoveSend(Operation):
    """Stop sending a track to a bus."""

    name: ClassVar[str] = "remove-send"
    track: str
    bus: str

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track, strip = _sends_of(timeline, self.track)
        sends = list(strip.sends)
        del sends[_send_index(strip, self.bus, track.name)]
        set_strip(track, replace(strip, sends=tuple(sends)))


def _check_output(console: ConsoleState, bus: str, output: str) -> None:
    if output == bus:
        raise EditError(f"bus {bus} cannot feed itself", where=f"bus {bus}", fix="route it on")
    if output != MASTER:
        _bus_index(console, output)


@dataclass(frozen=True, slots=True)
class AddBus(Operation):
    """A new bus (dialogue, music, effects, a reverb return), feeding the master or a bus."""

    name: ClassVar[str] = "add-bus"
    bus: str
    gain_db: float = param(0.0, unit="dB", minimum=GAIN_MIN_DB, maximum=GAIN_MAX_DB)
    output: str = MASTER

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        console = console_of(timeline)
        if not self.bus.strip() or self.bus == MASTER:
            raise EditError(f"a bus cannot be called {self.bus!r}", fix="give another name")
        if any(bus.name == self.bus for bus in console.buses):
            raise EditError(f"bus {self.bus} exists already", where="the console")
        _check_output(console, self.bus, self.output)
        new = BusState(self.bus, float(self.gain_db), output=self.output)
        set_console(timeline, replace(console, buses=_signal_order([*console.buses, new])))


@dataclass(frozen=True, slots=True)
class SetBus(Settings):
    """Change a bus's fader, output or ducking (``None`` leaves it; ``duck_key=""`` stops
    the ducking)."""

    name: ClassVar[str] = "set-bus"
    bus: str
    gain_db: float | None = param(None, unit="dB", minimum=GAIN_MIN_DB, maximum=GAIN_MAX_DB)
    output: str | None = None
    duck_key: str | None = None
    duck_depth_db: float | None = param(None, unit="dB", minimum=0.0, maximum=60.0)

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        console = console_of(timeline)
        old = console.buses[_bus_index(console, self.bus)]
        if self.output is not None:
            _check_output(console, self.bus, self.output)
        if self.duck_key:
            if self.duck_key == self.bus:
                raise EditError(f"bus {self.bus} cannot duck under itself", where=self.bus)
            _bus_index(console, self.duck_key)
        new = replace(
            old,
            gain_db=old.gain_db if self.gain_db is None else float(self.gain_db),
            output=old.output if self.output is None else self.output,
            duck_key=old.duck_key if self.duck_key is None else (self.duck_key or None),
            duck_depth_db=(
                old.duck_depth_db if self.duck_depth_db is None else float(self.duck_depth_db)
            ),
        )
        set_console(timeline, _with_bus(console, new))


@dataclass(frozen=True, slots=True)
class RouteBus(Operation):
    """Send a bus's output to the master or to another bus (a stem into a submix)."""

    name: ClassVar[str] = "route-bus"
    bus: str
    to: str = MASTER

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        SetBus(self.bus, output=self.to).run(timeline, where)


@dataclass(frozen=True, slots=True)
class RemoveBus(Operation):
    """Take a bus away; refused while a track, a send or another bus still uses it."""

    name: ClassVar[str] = "remove-bus"
    bus: str

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        console = console_of(timeline)
        index = _bus_index(console, self.bus)
        users = []
        for track in timeline.tracks:
            if track.kind != otio.schema.TrackKind.Audio:
                continue
            strip = strip_of(track)
            if strip.output == self.bus:
                users.append(f"track {track.name} (its output)")
            if any(send.bus == self.bus for send in strip.sends):
                users.append(f"track {track.name} (a send)")
        for other in console.buses:
            if other.output == self.bus:
                users.append(f"bus {other.name} (its output)")
            if other.duck_key == self.bus:
                users.append(f"bus {other.name} (ducks under it)")
        if users:
            raise EditError(
                f"bus {self.bus} is in use by {', '.join(users)}",
                where=f"bus {self.bus}",
                fix="route those elsewhere or remove the sends first",
            )
        buses = list(console.buses)
        del buses[index]
        set_console(timeline, replace(console, buses=tuple(buses)))


def _automatable(parameter: str, track: str) -> tuple[float, float]:
    limits = AUTOMATABLE.get(parameter)
    if limits is None:
        raise EditError(
            f"{parameter!r} cannot be automated",
            where=f"track {track}",
            fix=f"automate one of: {', '.join(AUTOMATABLE)}",
        )
    return limits


@dataclass(frozen=True, slots=True)
class AddAutomation(Operation):
    """A breakpoint on a track's fader or pan at ``at`` (frames from the programme's start):
    the value there and the curve to the next point. A point at the same time is replaced."""

    name: ClassVar[str] = "add-automation"
    track: str
    param: str  # gain_db or pan
    at: int = _field(minimum=0, unit="frames", help="Frames from the programme's start.")
    value: float = _field(help="dB for gain_db, -1..1 for pan.")
    curve: str = "linear"

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = audio_track(timeline, self.track)
        low, high = _automatable(self.param, track.name)
        if not low <= self.value <= high:
            raise EditError(
                f"{self.param} automation value {self.value:g} is out of range",
                where=f"track {track.name}",
                fix=f"give {low:g} to {high:g}",
            )
        if self.curve not in AUTOMATION_CURVES:
            raise EditError(
                f"unknown automation curve {self.curve!r}",
                where=f"track {track.name}",
                fix=f"use one of {', '.join(AUTOMATION_CURVES)}",
            )
        strip = strip_of(track)
        time_s = float(self.at / where.rate)
        points = [p for p in strip.automation.get(self.param, ()) if p[0] != time_s]
        points.append((time_s, float(self.value), self.curve))
        automation = {**strip.automation, self.param: tuple(sorted(points))}
        set_strip(track, replace(strip, automation=MappingProxyType(automation)))


@dataclass(frozen=True, slots=True)
class ClearAutomation(Settings):
    """Take away a track's automation of ``param`` (or, with ``at``, only the point there)."""

    name: ClassVar[str] = "clear-automation"
    track: str
    param: str
    at: int | None = _field(None, minimum=0, unit="frames")

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        track = audio_track(timeline, self.track)
        _automatable(self.param, track.name)
        strip = strip_of(track)
        points = strip.automation.get(self.param, ())
        time_s = None if self.at is None else float(self.at / where.rate)
        keep = () if time_s is None else tuple(p for p in points if p[0] != time_s)
        if not points or len(keep) == len(points):
            raise EditError(
                f"track {track.name} has no automation of {self.param}"
                + (f" at {where.tc(self.at)}" if self.at is not None else ""),
                where=f"track {track.name}",
                fix="postprod mixer P show lists it",
            )
        automation = {k: v for k, v in strip.automation.items() if k != self.param}
        if keep:
            automation[self.param] = keep
        set_strip(track, replace(strip, automation=MappingProxyType(automation)))


MIXER_OPERATIONS: tuple[type[Operation], ...] = (
    SetStrip,
    AddInsert,
    RemoveInsert,
    MoveInsert,
    SetInsert,
    AddSend,
    SetSend,
    RemoveSend,
    AddBus,
    SetBus,
    RouteBus,
    RemoveBus,
    AddAutomation,
    ClearAutomation,
)

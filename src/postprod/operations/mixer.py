"""The mixing console as operations: faders, pan, mute and solo, inserts, sends, buses, automation.

The console's state lives in the project (``postprod.timeline.metadata``): a
strip on each audio track, the buses and the master on the timeline. Each
operation here reads that state, changes one thing with ``dataclasses.replace``
and writes it back, so every fader move is one undo step like any edit.

A strip is named by ``track``: an audio track's name, or ``master``; with
``bus=True`` it names a bus instead (inserts and gain live on buses too).
Inserts are numbered from 1, as the console shows them. Effects and their
parameters are checked against the effects registry (``postprod fx list``).

Automation is named as ``mixer P show`` shows it: a strip's own parameter
(``gain_db``; ``pan`` on a track), a send's level (``send.BUS.level_db``) or an
insert's parameter (``insert.N.PARAM``, N from 1). Moving, adding or removing
an insert carries its automation with it (removing it removes its automation).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import ClassVar

import opentimelineio as otio

from postprod.effects.console import AUTOMATION_CURVES, InsertAutomation, Points
from postprod.effects.registry import EFFECTS, OPEN_EFFECTS, EffectSpec, ParamValue, validate
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

#: What a track's own automation may move, and the range of each.
AUTOMATABLE: MappingProxyType[str, tuple[float, float]] = MappingProxyType(
    {"gain_db": (GAIN_MIN_DB, GAIN_MAX_DB), "pan": (-1.0, 1.0)}
)

#: What the automation of a bus's or the master's own fader may move.
BUS_AUTOMATABLE: MappingProxyType[str, tuple[float, float]] = MappingProxyType(
    {"gain_db": (GAIN_MIN_DB, GAIN_MAX_DB)}
)

#: Insert parameters that cannot move while the console runs (they change its latency or name
#: a file), and effects none of whose parameters can (a pitch shifter working in chunks, an
#: impulse response): as ``audio.effects`` runs them (its ``BUILDERS``; a test keeps them equal).
FIXED_INSERT_PARAMS = frozenset({"lookahead_ms", "tempo_bpm", "note_beats", "ir_path", "path"})
UNAUTOMATABLE_EFFECTS = frozenset({"convolution", "pitch_shift"})

#: A ducked bus: how far below full scale its key may be, and its attack and release times.
DUCK_THRESHOLD_RANGE_DB = (-120.0, 0.0)
DUCK_ATTACK_RANGE_MS = (0.1, 1000.0)
DUCK_RELEASE_RANGE_MS = (1.0, 10000.0)

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


@dataclass(frozen=True, slots=True)
class _Strip:
    """What one strip (a track's, a bus's or the master's) holds that can move: its inserts,
    its own automation, its inserts' automation and (a track's only) its sends."""

    place: str  # "track A1", "bus fx", "master"
    inserts: tuple[EffectSpec, ...]
    automation: Mapping[str, Points]
    insert_automation: tuple[InsertAutomation, ...]
    sends: tuple[SendState, ...] | None  # None: a bus or the master (they have no sends)
    automatable: Mapping[str, tuple[float, float]]  # its own parameters that may move

    @property
    def has_sends(self) -> bool:
        return self.sends is not None


def _strip_of(timeline: otio.schema.Timeline, track: str, bus: bool) -> _Strip:
    console = console_of(timeline)
    if bus:
        found = console.buses[_bus_index(console, track)]
        return _Strip(
            f"bus {track}",
            found.inserts,
            found.automation,
            found.insert_automation,
            None,
            BUS_AUTOMATABLE,
        )
    if track == MASTER:
        return _Strip(
            MASTER,
            console.master_inserts,
            console.master_automation,
            console.master_insert_automation,
            None,
            BUS_AUTOMATABLE,
        )
    audio = audio_track(timeline, track)
    strip = strip_of(audio)
    return _Strip(
        f"track {audio.name}",
        strip.inserts,
        strip.automation,
        strip.insert_automation,
        strip.sends,
        AUTOMATABLE,
    )


def _store(timeline: otio.schema.Timeline, track: str, bus: bool, strip: _Strip) -> None:
    """Write back what :func:`_strip_of` read (and was changed since)."""
    console = console_of(timeline)
    automation = MappingProxyType(dict(strip.automation))
    if bus:
        found = console.buses[_bus_index(console, track)]
        new = replace(
            found,
            inserts=strip.inserts,
            automation=automation,
            insert_automation=strip.insert_automation,
        )
        set_console(timeline, _with_bus(console, new))
    elif track == MASTER:
        set_console(
            timeline,
            replace(
                console,
                master_inserts=strip.inserts,
                master_automation=automation,
                master_insert_automation=strip.insert_automation,
            ),
        )
    else:
        audio = audio_track(timeline, track)
        old = strip_of(audio)
        set_strip(
            audio,
            replace(
                old,
                inserts=strip.inserts,
                automation=automation,
                insert_automation=strip.insert_automation,
                sends=old.sends if strip.sends is None else strip.sends,
            ),
        )


def _inserts(timeline: otio.schema.Timeline, track: str, bus: bool) -> tuple[EffectSpec, ...]:
    return _strip_of(timeline, track, bus).inserts


def _set_inserts(
    timeline: otio.schema.Timeline,
    track: str,
    bus: bool,
    inserts: tuple[EffectSpec, ...],
    order: list[int | None],
) -> None:
    """A strip's new chain; ``order[i]``: the old index of new insert ``i`` (``None``: a new
    one), so each insert's automation follows it (and goes with it when it is removed)."""
    strip = _strip_of(timeline, track, bus)
    rides = tuple(
        replace(ride, insert_index=order.index(ride.insert_index))
        for ride in strip.insert_automation
        if ride.insert_index in order
    )
    _store(timeline, track, bus, replace(strip, inserts=inserts, insert_automation=_sorted(rides)))


def _sorted(rides: tuple[InsertAutomation, ...]) -> tuple[InsertAutomation, ...]:
    return tuple(sorted(rides, key=lambda ride: (ride.insert_index, ride.param)))


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
    """Set a track's fader, pan, mute, solo, polarity, output or rear pan (or the master's
    fader). ``None`` leaves a setting as it is."""

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
    pan_rear: float | None = param(
        None, minimum=0.0, maximum=1.0, help="5.1 only: 0 the front, 1 the surrounds."
    )

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        if self.track == MASTER:
            others = ("pan", "mute", "solo", "polarity", "output", "pan_rear")
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
                pan_rear=strip.pan_rear if self.pan_rear is None else float(self.pan_rear),
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
        order: list[int | None] = list(range(len(inserts)))
        inserts.insert(index, spec)
        order.insert(index, None)
        _set_inserts(timeline, self.track, self.bus, tuple(inserts), order)


@dataclass(frozen=True, slots=True)
class RemoveInsert(Operation):
    """Take insert ``number`` (from 1) out of a strip's chain."""

    name: ClassVar[str] = "remove-insert"
    track: str
    number: int = param(minimum=1, help="The insert, from 1.")
    bus: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        inserts = list(_inserts(timeline, self.track, self.bus))
        index = chain_index(self.number, tuple(inserts), _place(self.track, self.bus))
        order: list[int | None] = list(range(len(inserts)))
        del inserts[index], order[index]
        _set_inserts(timeline, self.track, self.bus, tuple(inserts), order)


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
        order: list[int | None] = list(range(len(inserts)))
        index = chain_index(self.number, tuple(inserts), place)
        spec, old = inserts.pop(index), order.pop(index)
        to = chain_index(self.to, tuple(inserts), place, extra=1)
        inserts.insert(to, spec)
        order.insert(to, old)
        _set_inserts(timeline, self.track, self.bus, tuple(inserts), order)


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
        order: list[int | None] = list(range(len(inserts)))
        _set_inserts(timeline, self.track, self.bus, tuple(inserts), order)


def _sends_of(timeline: otio.schema.Timeline, track: str) -> tuple[otio.schema.Track, StripState]:
    found = audio_track(timeline, track)
    return found, strip_of(found)


def _send_index(sends: tuple[SendState, ...], bus: str, place: str) -> int:
    for index, send in enumerate(sends):
        if send.bus == bus:
            return index
    names = ", ".join(send.bus for send in sends) or "none"
    raise EditError(
        f"{place} has no send to bus {bus!r}",
        where=place,
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
        index = _send_index(strip.sends, self.bus, f"track {track.name}")
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
        del sends[_send_index(strip.sends, self.bus, f"track {track.name}")]
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
    the ducking): it goes ``duck_depth_db`` down while its key is above ``duck_threshold_db``,
    in ``duck_attack_ms`` and back in ``duck_release_ms``."""

    name: ClassVar[str] = "set-bus"
    bus: str
    gain_db: float | None = param(None, unit="dB", minimum=GAIN_MIN_DB, maximum=GAIN_MAX_DB)
    output: str | None = None
    duck_key: str | None = None
    duck_depth_db: float | None = param(None, unit="dB", minimum=0.0, maximum=60.0)
    duck_threshold_db: float | None = param(
        None,
        unit="dB",
        minimum=DUCK_THRESHOLD_RANGE_DB[0],
        maximum=DUCK_THRESHOLD_RANGE_DB[1],
        help="The key's level above which the bus goes down.",
    )
    duck_attack_ms: float | None = param(
        None,
        unit="ms",
        minimum=DUCK_ATTACK_RANGE_MS[0],
        maximum=DUCK_ATTACK_RANGE_MS[1],
        help="How fast it goes down.",
    )
    duck_release_ms: float | None = param(
        None,
        unit="ms",
        minimum=DUCK_RELEASE_RANGE_MS[0],
        maximum=DUCK_RELEASE_RANGE_MS[1],
        help="How fast it comes back.",
    )

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
            duck_depth_db=_given(self.duck_depth_db, old.duck_depth_db),
            duck_threshold_db=_given(self.duck_threshold_db, old.duck_threshold_db),
            duck_attack_ms=_given(self.duck_attack_ms, old.duck_attack_ms),
            duck_release_ms=_given(self.duck_release_ms, old.duck_release_ms),
        )
        set_console(timeline, _with_bus(console, new))


def _given(value: float | None, old: float) -> float:
    return old if value is None else float(value)


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


_SEND_LEVEL = "level_db"  # what a send's automation moves


@dataclass(frozen=True, slots=True)
class Automated:
    """What an automation moves, from the name ``mixer P show`` gives it: a strip's own
    parameter (``gain_db``, ``pan``), a send's level (``send.BUS.level_db``) or an insert's
    parameter (``insert.N.PARAM``, N from 1)."""

    param: str  # the strip's parameter, the send's (level_db) or the insert's
    send: str | None = None  # the bus the send goes to
    insert: int | None = None  # the insert's number, from 1

    @staticmethod
    def parse(text: str, place: str) -> Automated:
        """The target named ``text`` (refused, naming ``place``, if it is no such name)."""
        kind, _, rest = text.partition(".")
        suffix = f".{_SEND_LEVEL}"
        if kind == "send" and rest.endswith(suffix) and len(rest) > len(suffix):
            return Automated(_SEND_LEVEL, send=rest[: -len(suffix)])
        number, _, name = rest.partition(".")
        if kind == "insert" and number.isascii() and number.isdigit() and name and "." not in name:
            return Automated(name, insert=int(number))
        if text and "." not in text:
            return Automated(text)
        raise EditError(
            f"{text!r} is not a setting automation can move",
            where=place,
            fix="give gain_db, pan, send.BUS.level_db or insert.N.PARAM (N from 1)",
        )

    def key(self) -> str:
        """The readable name again (``mixer P show``'s key)."""
        if self.send is not None:
            return f"send.{self.send}.{self.param}"
        if self.insert is not None:
            return f"insert.{self.insert}.{self.param}"
        return self.param


def insert_param_range(spec: EffectSpec, name: str, place: str) -> tuple[float, float, str]:
    """The range and unit an insert's parameter ``name`` may be automated in, refused when the
    effect or the parameter cannot move while the console runs."""
    definition = EFFECTS[spec.name]
    movable = [
        k for k, p in definition.items() if k not in FIXED_INSERT_PARAMS and p.kind != "path"
    ]
    if spec.name in UNAUTOMATABLE_EFFECTS:
        raise EditError(
            f"{spec.name} cannot be automated",
            where=place,
            fix="set its parameters with insert set (they cannot move while it runs)",
        )
    found = definition.get(name)
    if name in FIXED_INSERT_PARAMS or (found is None and spec.name not in OPEN_EFFECTS):
        raise EditError(
            f"{spec.name} {name} cannot be automated",
            where=place,
            fix=f"automate one of {', '.join(movable)}" if movable else "it has no such parameter",
        )
    if found is None:  # a plug-in's own parameter: the plug-in keeps it in range
        return -math.inf, math.inf, ""
    return found.minimum, found.maximum, found.unit


def _limits(strip: _Strip, target: Automated) -> tuple[float, float, str]:
    """The range (and unit) of what ``target`` moves on ``strip``; refused if it has none."""
    if target.send is not None:
        if strip.sends is None:
            raise EditError(
                f"{strip.place} has no sends",
                where=strip.place,
                fix="a send's level is automated on its track (--track NAME send.BUS.level_db)",
            )
        _send_index(strip.sends, target.send, strip.place)
        return GAIN_MIN_DB, GAIN_MAX_DB, "dB"
    if target.insert is not None:
        index = chain_index(target.insert, strip.inserts, strip.place)
        where = f"{strip.place}, insert {target.insert}"
        return insert_param_range(strip.inserts[index], target.param, where)
    limits = strip.automatable.get(target.param)
    if limits is None:
        names = [*strip.automatable, *(["send.BUS.level_db"] if strip.has_sends else [])]
        fix = f"automate one of: {', '.join(names)}, insert.N.PARAM"
        if target.param == "pan_rear" and strip.has_sends:
            fix = "the rear pan is one setting, not automated: mixer P set --track NAME --pan-rear"
        raise EditError(f"{target.param!r} cannot be automated", where=strip.place, fix=fix)
    return limits[0], limits[1], "dB" if target.param == "gain_db" else ""


def _points(strip: _Strip, target: Automated) -> Points:
    if target.send is not None and strip.sends is not None:
        return strip.sends[_send_index(strip.sends, target.send, strip.place)].automation
    if target.insert is not None:
        index = target.insert - 1
        found = (
            r for r in strip.insert_automation if (r.insert_index, r.param) == (index, target.param)
        )
        return next((ride.points for ride in found), ())
    return strip.automation.get(target.param, ())


def _with_points(strip: _Strip, target: Automated, points: Points) -> _Strip:
    """``strip`` with ``target``'s breakpoints replaced (none: its automation taken away)."""
    if target.send is not None and strip.sends is not None:
        sends = list(strip.sends)
        index = _send_index(strip.sends, target.send, strip.place)
        sends[index] = replace(sends[index], automation=points)
        return replace(strip, sends=tuple(sends))
    if target.insert is not None:
        index = target.insert - 1
        rides = [
            r for r in strip.insert_automation if (r.insert_index, r.param) != (index, target.param)
        ]
        if points:
            rides.append(InsertAutomation(index, target.param, points))
        return replace(strip, insert_automation=_sorted(tuple(rides)))
    automation = dict(strip.automation)
    if points:
        automation[target.param] = points
    else:
        del automation[target.param]
    return replace(strip, automation=automation)


@dataclass(frozen=True, slots=True)
class AddAutomation(Operation):
    """A breakpoint at ``at`` (frames from the programme's start) on what ``param`` names
    (``gain_db``, ``pan``, ``send.BUS.level_db``, ``insert.N.PARAM``) of a track, the master
    or (``bus``) a bus: the value there and the curve to the next point. A point at the same
    time is replaced."""

    name: ClassVar[str] = "add-automation"
    track: str  # an audio track, or master; with ``bus``, a bus
    param: str
    at: int = _field(minimum=0, unit="frames", help="Frames from the programme's start.")
    value: float = _field(help="In the unit of what it moves: dB for gain_db, -1..1 for pan.")
    curve: str = "linear"
    bus: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        strip = _strip_of(timeline, self.track, self.bus)
        target = Automated.parse(self.param, strip.place)
        low, high, unit = _limits(strip, target)
        if not low <= self.value <= high:
            raise EditError(
                f"{self.param} automation value {self.value:g} is out of range",
                where=strip.place,
                fix=f"give {low:g} to {high:g} {unit}".rstrip(),
            )
        if self.curve not in AUTOMATION_CURVES:
            raise EditError(
                f"unknown automation curve {self.curve!r}",
                where=strip.place,
                fix=f"use one of {', '.join(AUTOMATION_CURVES)}",
            )
        time_s = float(self.at / where.rate)
        points = [p for p in _points(strip, target) if p[0] != time_s]
        points.append((time_s, float(self.value), self.curve))
        _store(timeline, self.track, self.bus, _with_points(strip, target, tuple(sorted(points))))


@dataclass(frozen=True, slots=True)
class ClearAutomation(Settings):
    """Take away the automation of ``param`` on a track, the master or (``bus``) a bus (or,
    with ``at``, only the point there)."""

    name: ClassVar[str] = "clear-automation"
    track: str
    param: str
    at: int | None = _field(None, minimum=0, unit="frames")
    bus: bool = False

    def run(self, timeline: otio.schema.Timeline, where: Where) -> None:
        strip = _strip_of(timeline, self.track, self.bus)
        target = Automated.parse(self.param, strip.place)
        _limits(strip, target)
        points = _points(strip, target)
        time_s = None if self.at is None else float(self.at / where.rate)
        keep = () if time_s is None else tuple(p for p in points if p[0] != time_s)
        if not points or len(keep) == len(points):
            raise EditError(
                f"{strip.place} has no automation of {target.key()}"
                + (f" at {where.tc(self.at)}" if self.at is not None else ""),
                where=strip.place,
                fix="postprod mixer P show lists it",
            )
        _store(timeline, self.track, self.bus, _with_points(strip, target, keep))


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

"""The console's settings, defined once: strips, sends, buses and the master, as plain data.

Frozen dataclasses with ``to_dict``/``from_dict`` (JSON-ready, validated on
the way in, each failure naming where it is). The project stores them
(``timeline.metadata`` reads and writes them under ``metadata["postprod"]``),
the render plan carries them, and the console engine (``audio.mixer``) runs
them as they are: a mixer track is a name, a :class:`StripState` and a
source. Specs only: this module knows nothing of OpenTimelineIO, pedalboard
or the engine that runs them.

Automation is held as plain ``(time_s, value, curve)`` breakpoints (seconds
from the programme's start, the curve leading to the next point), which is
what project files store; ``audio.automation`` turns them into envelopes and
evaluates them per block. Keeping the breakpoints plain keeps NumPy and
sample positions out of the specs, and there is one format, not two.

Settings added after the first project files (rear pan, send and insert
automation, a bus's ducking times, bus and master automation) are written
only when they differ from their defaults, so a strip or bus that does not
use them keeps the dict it always had (and undo stays byte for byte).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from postprod.effects.registry import EffectSpec, validate
from postprod.errors import ProjectError

#: Automation curves from one breakpoint to the next (see ``audio.automation``).
AUTOMATION_CURVES = ("linear", "hold", "s-curve", "exponential")

#: Breakpoints in time order: (time_s from the programme's start, value, curve to the next).
Points = tuple[tuple[float, float, str], ...]

#: What the automation of a strip, and of a bus or the master, may move.
STRIP_AUTOMATABLE = ("gain_db", "pan")
BUS_AUTOMATABLE = ("gain_db",)

#: A ducked bus: the key level it reacts to, and how fast it goes down and comes back.
DUCK_THRESHOLD_DB = -40.0
DUCK_ATTACK_MS = 20.0
DUCK_RELEASE_MS = 400.0


def parse_points(items: Iterable[Sequence[Any]]) -> Points:
    """Breakpoints from ``[[time_s, value, curve], ...]``, checked (a ``ValueError`` to report)."""
    points = tuple((float(t), float(v), str(c)) for t, v, c in items)
    for _, _, curve in points:
        if curve not in AUTOMATION_CURVES:
            raise ValueError(
                f"unknown automation curve {curve!r} (use {', '.join(AUTOMATION_CURVES)})"
            )
    times = [point[0] for point in points]
    if times != sorted(times):
        raise ValueError("automation breakpoints are not in time order")
    return points


def _points_data(points: Points) -> list[list[Any]]:
    return [list(point) for point in points]


def _automation(data: Mapping[str, Any], allowed: tuple[str, ...]) -> MappingProxyType[str, Points]:
    automation = {str(name): parse_points(points) for name, points in dict(data).items()}
    unknown = set(automation) - set(allowed)
    if unknown:
        raise ValueError(f"automation of {', '.join(sorted(unknown))} is not supported")
    return MappingProxyType(automation)


def _no_automation() -> MappingProxyType[str, Points]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class InsertAutomation:
    """Breakpoints on one parameter of one insert (``insert_index`` counts from 0)."""

    insert_index: int
    param: str
    points: Points

    def to_dict(self) -> dict[str, Any]:
        return {
            "insert_index": self.insert_index,
            "param": self.param,
            "points": _points_data(self.points),
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> InsertAutomation:
        """From :meth:`to_dict`'s data (a ``KeyError``/``ValueError`` for the owner to report)."""
        return InsertAutomation(
            int(data["insert_index"]), str(data["param"]), parse_points(data["points"])
        )


def _rides(items: Iterable[Mapping[str, Any]]) -> tuple[InsertAutomation, ...]:
    return tuple(InsertAutomation.from_dict(item) for item in items)


@dataclass(frozen=True, slots=True)
class SendState:
    """A send from a track to a bus; ``automation``: its level in dB over time (replaces
    ``level_db`` while it is set)."""

    bus: str
    level_db: float = 0.0
    pre_fader: bool = False
    automation: Points = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "bus": self.bus,
            "level_db": self.level_db,
            "pre_fader": self.pre_fader,
        }
        if self.automation:
            data["automation"] = _points_data(self.automation)
        return data

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> SendState:
        """From :meth:`to_dict`'s data (a ``KeyError``/``ValueError`` for the strip to report)."""
        return SendState(
            str(data["bus"]),
            float(data.get("level_db", 0.0)),
            bool(data.get("pre_fader", False)),
            parse_points(data.get("automation", ())),
        )


@dataclass(frozen=True, slots=True)
class StripState:
    """A track's channel strip. ``automation``: breakpoints per parameter (gain_db, pan),
    each replacing the fixed value while set; ``pan_rear``: 5.1 only, 0 front .. 1 surrounds."""

    gain_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    invert_polarity: bool = False
    inserts: tuple[EffectSpec, ...] = ()
    sends: tuple[SendState, ...] = ()
    output: str = "master"
    automation: MappingProxyType[str, Points] = field(default_factory=_no_automation)
    pan_rear: float = 0.0
    insert_automation: tuple[InsertAutomation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "gain_db": self.gain_db,
            "pan": self.pan,
            "mute": self.mute,
            "solo": self.solo,
            "invert_polarity": self.invert_polarity,
            "inserts": [spec.to_dict() for spec in self.inserts],
            "sends": [send.to_dict() for send in self.sends],
            "output": self.output,
            "automation": {k: _points_data(v) for k, v in self.automation.items()},
        }
        if self.pan_rear:
            data["pan_rear"] = self.pan_rear
        if self.insert_automation:
            data["insert_automation"] = [item.to_dict() for item in self.insert_automation]
        return data

    @staticmethod
    def from_dict(data: Mapping[str, Any], where: str) -> StripState:
        try:
            pan = float(data.get("pan", 0.0))
            pan_rear = float(data.get("pan_rear", 0.0))
            if not -1.0 <= pan <= 1.0:
                raise ValueError(f"pan {pan} is outside -1..1")
            if not 0.0 <= pan_rear <= 1.0:
                raise ValueError(f"pan_rear {pan_rear} is outside 0..1")
            return StripState(
                gain_db=float(data.get("gain_db", 0.0)),
                pan=pan,
                mute=bool(data.get("mute", False)),
                solo=bool(data.get("solo", False)),
                invert_polarity=bool(data.get("invert_polarity", False)),
                inserts=parse_specs(data.get("inserts", []), where),
                sends=tuple(SendState.from_dict(send) for send in data.get("sends", [])),
                output=str(data.get("output", "master")),
                automation=_automation(data.get("automation", {}), STRIP_AUTOMATABLE),
                pan_rear=pan_rear,
                insert_automation=_rides(data.get("insert_automation", [])),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ProjectError(f"the strip settings are not valid ({error})", where=where) from None


@dataclass(frozen=True, slots=True)
class BusState:
    """A bus of the console. With ``duck_key`` (an earlier bus) it drops by ``duck_depth_db``
    while the key is above ``duck_threshold_db``, at the attack and release rates."""

    name: str
    gain_db: float = 0.0
    inserts: tuple[EffectSpec, ...] = ()
    output: str = "master"
    duck_key: str | None = None
    duck_depth_db: float = 10.0
    duck_threshold_db: float = DUCK_THRESHOLD_DB
    duck_attack_ms: float = DUCK_ATTACK_MS
    duck_release_ms: float = DUCK_RELEASE_MS
    automation: MappingProxyType[str, Points] = field(default_factory=_no_automation)
    insert_automation: tuple[InsertAutomation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "gain_db": self.gain_db,
            "inserts": [spec.to_dict() for spec in self.inserts],
            "output": self.output,
            "duck_key": self.duck_key,
            "duck_depth_db": self.duck_depth_db,
        }
        ducking = {
            "duck_threshold_db": (self.duck_threshold_db, DUCK_THRESHOLD_DB),
            "duck_attack_ms": (self.duck_attack_ms, DUCK_ATTACK_MS),
            "duck_release_ms": (self.duck_release_ms, DUCK_RELEASE_MS),
        }
        data.update({key: value for key, (value, default) in ducking.items() if value != default})
        if self.automation:
            data["automation"] = {k: _points_data(v) for k, v in self.automation.items()}
        if self.insert_automation:
            data["insert_automation"] = [item.to_dict() for item in self.insert_automation]
        return data

    @staticmethod
    def from_dict(data: Mapping[str, Any], where: str) -> BusState:
        """From :meth:`to_dict`'s data (a ``KeyError``/``ValueError`` for the console to report)."""
        duck_key = data.get("duck_key")
        return BusState(
            name=str(data["name"]),
            gain_db=float(data.get("gain_db", 0.0)),
            inserts=parse_specs(data.get("inserts", []), f"{where}, bus {data.get('name')}"),
            output=str(data.get("output", "master")),
            duck_key=None if duck_key is None else str(duck_key),
            duck_depth_db=float(data.get("duck_depth_db", 10.0)),
            duck_threshold_db=float(data.get("duck_threshold_db", DUCK_THRESHOLD_DB)),
            duck_attack_ms=float(data.get("duck_attack_ms", DUCK_ATTACK_MS)),
            duck_release_ms=float(data.get("duck_release_ms", DUCK_RELEASE_MS)),
            automation=_automation(data.get("automation", {}), BUS_AUTOMATABLE),
            insert_automation=_rides(data.get("insert_automation", [])),
        )


@dataclass(frozen=True, slots=True)
class ConsoleState:
    """Buses and master of a timeline (the master's fader comes before its inserts)."""

    buses: tuple[BusState, ...] = ()
    master_gain_db: float = 0.0
    master_inserts: tuple[EffectSpec, ...] = ()
    master_automation: MappingProxyType[str, Points] = field(default_factory=_no_automation)
    master_insert_automation: tuple[InsertAutomation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        master: dict[str, Any] = {
            "gain_db": self.master_gain_db,
            "inserts": [spec.to_dict() for spec in self.master_inserts],
        }
        if self.master_automation:
            master["automation"] = {k: _points_data(v) for k, v in self.master_automation.items()}
        if self.master_insert_automation:
            master["insert_automation"] = [item.to_dict() for item in self.master_insert_automation]
        return {"buses": [bus.to_dict() for bus in self.buses], "master": master}

    @staticmethod
    def from_dict(data: Mapping[str, Any], where: str) -> ConsoleState:
        try:
            buses = tuple(BusState.from_dict(bus, where) for bus in data.get("buses", []))
            master = dict(data.get("master", {}))
            return ConsoleState(
                buses,
                float(master.get("gain_db", 0.0)),
                parse_specs(master.get("inserts", []), f"{where}, master"),
                _automation(master.get("automation", {}), BUS_AUTOMATABLE),
                _rides(master.get("insert_automation", [])),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ProjectError(
                f"the console settings are not valid ({error})", where=where
            ) from None


def parse_specs(items: Sequence[Mapping[str, Any]], where: str) -> tuple[EffectSpec, ...]:
    """Effect specs from their ``to_dict()`` data, each validated (a bad one names its place)."""
    specs = []
    for index, item in enumerate(items):
        spec = EffectSpec(
            str(item["name"]),
            MappingProxyType({k: float(v) for k, v in dict(item.get("params", {})).items()}),
        )
        validate(spec, where=f"{where}, insert {index + 1}")
        specs.append(spec)
    return tuple(specs)

"""The console's settings, defined once: strips, sends, buses and the master, as plain data.

Frozen dataclasses with ``to_dict``/``from_dict`` (JSON-ready, validated on
the way in, each failure naming where it is). The project stores them
(``timeline.metadata`` reads and writes them under ``metadata["postprod"]``),
the render plan carries them, and the render layer builds the running
console (``audio.mixer``) from them. Specs only: this module knows nothing
of OpenTimelineIO, pedalboard or the engine that runs them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from postprod.effects.registry import EffectSpec, validate
from postprod.errors import ProjectError


@dataclass(frozen=True, slots=True)
class SendState:
    """A send from a track to a bus."""

    bus: str
    level_db: float = 0.0
    pre_fader: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"bus": self.bus, "level_db": self.level_db, "pre_fader": self.pre_fader}

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> SendState:
        """From :meth:`to_dict`'s data (a ``KeyError``/``ValueError`` for the strip to report)."""
        return SendState(
            str(data["bus"]), float(data.get("level_db", 0.0)), bool(data.get("pre_fader", False))
        )


@dataclass(frozen=True, slots=True)
class StripState:
    """A track's channel strip. Automation: (time_s, value, curve) breakpoints per parameter."""

    gain_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    invert_polarity: bool = False
    inserts: tuple[EffectSpec, ...] = ()
    sends: tuple[SendState, ...] = ()
    output: str = "master"
    automation: MappingProxyType[str, tuple[tuple[float, float, str], ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "gain_db": self.gain_db,
            "pan": self.pan,
            "mute": self.mute,
            "solo": self.solo,
            "invert_polarity": self.invert_polarity,
            "inserts": [spec.to_dict() for spec in self.inserts],
            "sends": [send.to_dict() for send in self.sends],
            "output": self.output,
            "automation": {k: [list(p) for p in v] for k, v in self.automation.items()},
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any], where: str) -> StripState:
        try:
            pan = float(data.get("pan", 0.0))
            if not -1.0 <= pan <= 1.0:
                raise ValueError(f"pan {pan} is outside -1..1")
            automation = {
                str(name): tuple((float(t), float(v), str(c)) for t, v, c in points)
                for name, points in dict(data.get("automation", {})).items()
            }
            unknown = set(automation) - {"gain_db", "pan"}
            if unknown:
                raise ValueError(f"automation of {', '.join(sorted(unknown))} is not supported")
            return StripState(
                gain_db=float(data.get("gain_db", 0.0)),
                pan=pan,
                mute=bool(data.get("mute", False)),
                solo=bool(data.get("solo", False)),
                invert_polarity=bool(data.get("invert_polarity", False)),
                inserts=parse_specs(data.get("inserts", []), where),
                sends=tuple(SendState.from_dict(send) for send in data.get("sends", [])),
                output=str(data.get("output", "master")),
                automation=MappingProxyType(automation),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ProjectError(f"the strip settings are not valid ({error})", where=where) from None


@dataclass(frozen=True, slots=True)
class BusState:
    """A bus of the console."""

    name: str
    gain_db: float = 0.0
    inserts: tuple[EffectSpec, ...] = ()
    output: str = "master"
    duck_key: str | None = None
    duck_depth_db: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "gain_db": self.gain_db,
            "inserts": [spec.to_dict() for spec in self.inserts],
            "output": self.output,
            "duck_key": self.duck_key,
            "duck_depth_db": self.duck_depth_db,
        }

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
        )


@dataclass(frozen=True, slots=True)
class ConsoleState:
    """Buses and master of a timeline."""

    buses: tuple[BusState, ...] = ()
    master_gain_db: float = 0.0
    master_inserts: tuple[EffectSpec, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "buses": [bus.to_dict() for bus in self.buses],
            "master": {
                "gain_db": self.master_gain_db,
                "inserts": [spec.to_dict() for spec in self.master_inserts],
            },
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any], where: str) -> ConsoleState:
        try:
            buses = tuple(BusState.from_dict(bus, where) for bus in data.get("buses", []))
            master = dict(data.get("master", {}))
            return ConsoleState(
                buses,
                float(master.get("gain_db", 0.0)),
                parse_specs(master.get("inserts", []), f"{where}, master"),
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

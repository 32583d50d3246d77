"""Effect specifications: what each effect is called and which parameters it takes, in what range.

A spec is data (a name and numbers), validated here and run elsewhere (the
audio engine), so a project or preset file can name effects without any code.
Parameter names carry their units, as pedalboard's do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from postprod.errors import AudioError


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter's range and default."""

    minimum: float
    maximum: float
    default: float


@dataclass(frozen=True, slots=True)
class EffectSpec:
    """An effect in a chain: its name and the parameters that differ from the defaults."""

    name: str
    params: MappingProxyType[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @staticmethod
    def of(name: str, **params: float) -> EffectSpec:
        """A spec, validated against the registry."""
        spec = EffectSpec(name, MappingProxyType(dict(params)))
        validate(spec)
        return spec

    def value(self, key: str) -> float:
        """A parameter's value: the spec's, else the default."""
        return float(self.params.get(key, EFFECTS[self.name][key].default))

    def to_dict(self) -> dict[str, Any]:
        """As plain data."""
        return {"name": self.name, "params": dict(self.params)}


_Q = Param(0.1, 18.0, 0.707)
EFFECTS: dict[str, dict[str, Param]] = {
    "gain": {"gain_db": Param(-120, 40, 0)},
    "highpass": {"cutoff_frequency_hz": Param(10, 20000, 80)},
    "lowpass": {"cutoff_frequency_hz": Param(20, 24000, 12000)},
    "low_shelf": {
        "cutoff_frequency_hz": Param(20, 20000, 120),
        "gain_db": Param(-24, 24, 0),
        "q": _Q,
    },
    "high_shelf": {
        "cutoff_frequency_hz": Param(20, 20000, 8000),
        "gain_db": Param(-24, 24, 0),
        "q": _Q,
    },
    "peak": {"cutoff_frequency_hz": Param(20, 20000, 1000), "gain_db": Param(-24, 24, 0), "q": _Q},
    "compressor": {
        "threshold_db": Param(-80, 0, -18),
        "ratio": Param(1, 50, 3),
        "attack_ms": Param(0.01, 500, 5),
        "release_ms": Param(1, 5000, 100),
    },
    "gate": {
        "threshold_db": Param(-100, 0, -50),
        "ratio": Param(1, 100, 10),
        "attack_ms": Param(0.01, 500, 1),
        "release_ms": Param(1, 5000, 100),
    },
    "limiter": {
        "ceiling_db": Param(-60, 0, -1),
        "release_ms": Param(1, 5000, 100),
        "lookahead_ms": Param(0, 50, 5),
    },
    "delay": {
        "delay_s": Param(0, 10, 0.25),
        "feedback": Param(0, 0.99, 0.3),
        "mix": Param(0, 1, 0.3),
    },
    "reverb": {
        "room_size": Param(0, 1, 0.5),
        "damping": Param(0, 1, 0.5),
        "wet_level": Param(0, 1, 0.33),
        "dry_level": Param(0, 1, 0.4),
        "width": Param(0, 1, 1),
    },
    "chorus": {
        "rate_hz": Param(0.01, 20, 1),
        "depth": Param(0, 1, 0.25),
        "centre_delay_ms": Param(1, 50, 7),
        "feedback": Param(-0.99, 0.99, 0),
        "mix": Param(0, 1, 0.5),
    },
    "phaser": {
        "rate_hz": Param(0.01, 20, 1),
        "depth": Param(0, 1, 0.5),
        "centre_frequency_hz": Param(20, 20000, 1300),
        "feedback": Param(-0.99, 0.99, 0),
        "mix": Param(0, 1, 0.5),
    },
    "distortion": {"drive_db": Param(0, 60, 25)},
    "bitcrush": {"bit_depth": Param(1, 32, 8)},
    "pitch_shift": {"semitones": Param(-24, 24, 0)},
    "ring_mod": {"frequency_hz": Param(1, 5000, 60), "mix": Param(0, 1, 1)},
}


def validate(spec: EffectSpec, *, where: str = "") -> None:
    """Refuse an unknown effect, an unknown parameter or a value out of range, naming it."""
    definition = EFFECTS.get(spec.name)
    place = where or f"effect {spec.name}"
    if definition is None:
        raise AudioError(
            f"unknown effect {spec.name!r}",
            where=place,
            fix=f"use one of {', '.join(sorted(EFFECTS))} (postprod fx list)",
        )
    for key, value in spec.params.items():
        param = definition.get(key)
        if param is None:
            raise AudioError(
                f"effect {spec.name} has no parameter {key!r}",
                where=place,
                fix=f"its parameters are {', '.join(definition)}",
            )
        if not param.minimum <= value <= param.maximum:
            raise AudioError(
                f"{spec.name} {key} = {value} is out of range",
                where=place,
                fix=f"give a value from {param.minimum} to {param.maximum}",
            )

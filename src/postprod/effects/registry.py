"""Effect specifications: what each effect is called and which parameters it takes, in what range.

A spec is data (a name, a version and values), validated here and run
elsewhere (the audio engine), so a project or preset file can name effects
without any code. Parameter names carry their units, as pedalboard's do, and
each parameter also states its unit for listings. Every effect definition has
a version: a spec written by a newer postprod (a higher version) is refused
rather than silently run with different meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from postprod.errors import AudioError

#: Parameter values are numbers, or text for file paths (impulse responses, plug-ins).
ParamValue = float | str


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter's range, default and unit (``kind`` "path" takes text, not a number)."""

    minimum: float
    maximum: float
    default: float
    unit: str = ""
    kind: str = "number"


@dataclass(frozen=True, slots=True)
class EffectSpec:
    """An effect in a chain: its name and the parameters that differ from the defaults."""

    name: str
    params: Mapping[str, ParamValue] = field(default_factory=lambda: MappingProxyType({}))
    version: int = 1

    @staticmethod
    def of(name: str, **params: ParamValue) -> EffectSpec:
        """A spec, validated against the registry."""
        spec = EffectSpec(name, MappingProxyType(dict(params)))
        validate(spec)
        return spec

    def value(self, key: str) -> float:
        """A number parameter's value: the spec's, else the default."""
        return float(self.params.get(key, EFFECTS[self.name][key].default))

    def text(self, key: str) -> str:
        """A text parameter's value (a path), empty if not given."""
        return str(self.params.get(key, ""))

    def extra(self) -> dict[str, ParamValue]:
        """Parameters outside the registry's definition (a VST3 plug-in's own)."""
        known = EFFECTS.get(self.name, {})
        return {key: value for key, value in self.params.items() if key not in known}

    def to_dict(self) -> dict[str, Any]:
        """As plain data (JSON-ready)."""
        return {"name": self.name, "version": self.version, "params": dict(self.params)}

    @staticmethod
    def from_dict(data: Mapping[str, Any], where: str = "") -> EffectSpec:
        """From :meth:`to_dict`'s data, validated."""
        try:
            params = {
                str(k): (v if isinstance(v, str) else float(v))
                for k, v in dict(data.get("params", {})).items()
            }
            spec = EffectSpec(
                str(data["name"]), MappingProxyType(params), int(data.get("version", 1))
            )
        except (KeyError, TypeError, ValueError) as error:
            raise AudioError(
                f"effect description is malformed ({error})",
                where=where or "effect",
                fix='give {"name": ..., "version": 1, "params": {...}}',
            ) from None
        validate(spec, where=where)
        return spec


_Q = Param(0.1, 18.0, 0.707, "")
_HZ = "Hz"
EFFECTS: dict[str, dict[str, Param]] = {
    "gain": {"gain_db": Param(-120, 40, 0, "dB")},
    "highpass": {"cutoff_frequency_hz": Param(10, 20000, 80, _HZ)},
    "lowpass": {"cutoff_frequency_hz": Param(20, 24000, 12000, _HZ)},
    "low_shelf": {
        "cutoff_frequency_hz": Param(20, 20000, 120, _HZ),
        "gain_db": Param(-24, 24, 0, "dB"),
        "q": _Q,
    },
    "high_shelf": {
        "cutoff_frequency_hz": Param(20, 20000, 8000, _HZ),
        "gain_db": Param(-24, 24, 0, "dB"),
        "q": _Q,
    },
    "peak": {
        "cutoff_frequency_hz": Param(20, 20000, 1000, _HZ),
        "gain_db": Param(-24, 24, 0, "dB"),
        "q": _Q,
    },
    "compressor": {
        "threshold_db": Param(-80, 0, -18, "dB"),
        "ratio": Param(1, 50, 3, ":1"),
        "attack_ms": Param(0.01, 500, 5, "ms"),
        "release_ms": Param(1, 5000, 100, "ms"),
    },
    "gate": {
        "threshold_db": Param(-100, 0, -50, "dB"),
        "ratio": Param(1, 100, 10, ":1"),
        "attack_ms": Param(0.01, 500, 1, "ms"),
        "release_ms": Param(1, 5000, 100, "ms"),
    },
    "limiter": {
        "ceiling_db": Param(-60, 0, -1, "dBFS"),
        "release_ms": Param(1, 5000, 100, "ms"),
        "lookahead_ms": Param(0, 50, 5, "ms"),
    },
    "deesser": {
        "frequency_hz": Param(2000, 16000, 5500, _HZ),
        "threshold_db": Param(-80, 0, -30, "dB"),
        "ratio": Param(1, 20, 4, ":1"),
        "attack_ms": Param(0.1, 100, 1, "ms"),
        "release_ms": Param(1, 1000, 60, "ms"),
    },
    "delay": {
        "delay_s": Param(0, 10, 0.25, "s"),
        "feedback": Param(0, 0.99, 0.3, ""),
        "mix": Param(0, 1, 0.3, ""),
        # Tempo sync: with tempo_bpm > 0 the delay is note_beats beats long (0.75 = dotted 1/8).
        "tempo_bpm": Param(0, 400, 0, "BPM"),
        "note_beats": Param(1 / 64, 16, 1, "beats"),
    },
    "reverb": {
        "room_size": Param(0, 1, 0.5, ""),
        "damping": Param(0, 1, 0.5, ""),
        "wet_level": Param(0, 1, 0.33, ""),
        "dry_level": Param(0, 1, 0.4, ""),
        "width": Param(0, 1, 1, ""),
    },
    "convolution": {
        "ir_path": Param(0, 0, 0, "file", "path"),
        "mix": Param(0, 1, 1, ""),
    },
    "chorus": {
        "rate_hz": Param(0.01, 20, 1, _HZ),
        "depth": Param(0, 1, 0.25, ""),
        "centre_delay_ms": Param(1, 50, 7, "ms"),
        "feedback": Param(-0.99, 0.99, 0, ""),
        "mix": Param(0, 1, 0.5, ""),
    },
    "flanger": {
        "rate_hz": Param(0.01, 10, 0.25, _HZ),
        "depth": Param(0, 1, 0.7, ""),
        "centre_delay_ms": Param(0.5, 10, 2, "ms"),
        "feedback": Param(-0.95, 0.95, 0.5, ""),
        "mix": Param(0, 1, 0.5, ""),
    },
    "phaser": {
        "rate_hz": Param(0.01, 20, 1, _HZ),
        "depth": Param(0, 1, 0.5, ""),
        "centre_frequency_hz": Param(20, 20000, 1300, _HZ),
        "feedback": Param(-0.99, 0.99, 0, ""),
        "mix": Param(0, 1, 0.5, ""),
    },
    "distortion": {"drive_db": Param(0, 60, 25, "dB")},
    "bitcrush": {"bit_depth": Param(1, 32, 8, "bits")},
    "pitch_shift": {"semitones": Param(-24, 24, 0, "semitones")},
    "ring_mod": {"frequency_hz": Param(1, 5000, 60, _HZ), "mix": Param(0, 1, 1, "")},
    # A VST3 plug-in; every other parameter is passed to the plug-in by its own name.
    "vst3": {"path": Param(0, 0, 0, "file", "path")},
}

#: The current version of every effect's definition (bumped when a parameter changes meaning).
VERSIONS: dict[str, int] = dict.fromkeys(EFFECTS, 1)

#: Effects whose parameters are not all known here (a plug-in defines its own).
OPEN_EFFECTS = frozenset({"vst3"})

#: Effects whose text parameters must be given.
_REQUIRED = {"convolution": "ir_path", "vst3": "path"}


def tempo_delay_s(tempo_bpm: float, note_beats: float) -> float:
    """A delay time in seconds from a tempo and a note length in beats.

    ``delay_s = note_beats * 60 / tempo_bpm``: at 120 BPM a quarter note
    (1 beat) is 0.5 s, an eighth (0.5) 0.25 s, a dotted eighth (0.75) 0.375 s.
    """
    if tempo_bpm <= 0:
        raise AudioError("a tempo-synced delay needs a tempo above 0 BPM", fix="give tempo_bpm")
    return float(Fraction(note_beats).limit_denominator(1 << 20) * 60 / Fraction(tempo_bpm))


def validate(spec: EffectSpec, *, where: str = "") -> None:
    """Refuse an unknown effect, an unknown parameter or a value out of range, naming it."""
    definition = EFFECTS.get(spec.name)
    place = f"{where}, effect {spec.name}" if where else f"effect {spec.name}"
    if definition is None:
        raise AudioError(
            f"unknown effect {spec.name!r}",
            where=place,
            fix=f"use one of {', '.join(sorted(EFFECTS))} (postprod fx list)",
        )
    if spec.version > VERSIONS[spec.name] or spec.version < 1:
        raise AudioError(
            f"effect {spec.name} version {spec.version} is not known to this postprod",
            where=place,
            fix=f"use version {VERSIONS[spec.name]} or upgrade postprod",
        )
    for key, value in spec.params.items():
        param = definition.get(key)
        if param is None:
            if spec.name in OPEN_EFFECTS:
                continue
            raise AudioError(
                f"effect {spec.name} has no parameter {key!r}",
                where=place,
                fix=f"its parameters are {', '.join(definition)}",
            )
        if param.kind == "path":
            if not isinstance(value, str) or not value:
                raise AudioError(
                    f"{spec.name} {key} must be a file path", where=place, fix="give a path"
                )
            continue
        if isinstance(value, str) or not param.minimum <= value <= param.maximum:
            raise AudioError(
                f"{spec.name} {key} = {value!r} is out of range",
                where=place,
                fix=f"give a value from {param.minimum:g} to {param.maximum:g} {param.unit}".rstrip(),
            )
    required = _REQUIRED.get(spec.name)
    if required is not None and not spec.params.get(required):
        raise AudioError(
            f"{spec.name} needs {required}", where=place, fix=f"give {required} = a file path"
        )

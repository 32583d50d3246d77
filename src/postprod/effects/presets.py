"""Effect presets (voice treatments and the like): named chains of effect specs, as TOML files.

The ones that ship live in ``effects/presets``; users add their own in a
folder they name (``POSTPROD_PRESETS``, or ``POSTPROD_FX_PRESETS`` as the CLI
reads it) or give a file.
A preset file is ``name``, ``description`` and ``chain``: a list of tables,
each ``effect = "..."`` with that effect's parameters.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from postprod.datafiles import finite_float, toml_texts
from postprod.effects.registry import EffectSpec, validate
from postprod.errors import AudioError


@dataclass(frozen=True, slots=True)
class EffectPreset:
    """A named, documented chain."""

    name: str
    description: str
    chain: tuple[EffectSpec, ...]

    @staticmethod
    def from_toml(text: str, source: str) -> EffectPreset:
        try:
            data: dict[str, Any] = tomllib.loads(text, parse_float=finite_float)
        except tomllib.TOMLDecodeError as error:
            raise AudioError(
                f"effect preset {source} is not valid TOML ({error})", where=source
            ) from None
        try:
            chain = tuple(_spec(dict(item)) for item in data["chain"])
            preset = EffectPreset(str(data["name"]), str(data.get("description", "")), chain)
        except (KeyError, TypeError, ValueError) as error:
            raise AudioError(
                f"effect preset {source} is malformed ({error})",
                where=source,
                fix='give name, description and chain = [{ effect = "...", ... }]',
            ) from None
        for index, spec in enumerate(preset.chain):
            validate(spec, where=f"{source}, chain item {index + 1}")
        return preset


def _spec(item: dict[str, Any]) -> EffectSpec:
    """A chain item as a spec (validated by the caller, who knows where it is)."""
    name = str(item.pop("effect"))
    params = {k: v if isinstance(v, str) else float(v) for k, v in item.items()}
    return EffectSpec(name, MappingProxyType(params))


def user_presets_folder() -> Path | None:
    """The user's preset folder, from ``POSTPROD_PRESETS`` (or ``POSTPROD_FX_PRESETS``)."""
    folder = os.environ.get("POSTPROD_PRESETS") or os.environ.get("POSTPROD_FX_PRESETS")
    return Path(folder) if folder else None


def builtin_presets(extra_folder: Path | None = None) -> dict[str, EffectPreset]:
    """The presets that ship with postprod by name, then the user's (which win on a clash).

    Without ``extra_folder`` the user's folder is :func:`user_presets_folder`.
    """
    extra_folder = extra_folder if extra_folder is not None else user_presets_folder()
    found = {}
    for source, text in toml_texts("postprod.effects", "presets", extra_folder):
        preset = EffectPreset.from_toml(text, source)
        found[preset.name] = preset
    return found


def find_effect_preset(name: str, extra_folder: Path | None = None) -> EffectPreset:
    """A preset by name (the user's folder first), or from a ``.toml`` file."""
    if name.endswith(".toml") and Path(name).is_file():
        return EffectPreset.from_toml(Path(name).read_text(encoding="utf-8"), name)
    presets = builtin_presets(extra_folder)
    if name not in presets:
        raise AudioError(
            f"no effect preset named {name!r}",
            fix=f"choose one of {', '.join(sorted(presets))} (postprod fx list) or give a .toml file",
        )
    return presets[name]

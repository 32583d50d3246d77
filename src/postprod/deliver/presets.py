"""Delivery presets: data files (TOML), each naming the standard it follows.

The presets shipped with postprod live in ``deliver/presets``; a user adds
their own by putting ``NAME.toml`` files in a folder and passing it (the
CLI reads the folder from ``POSTPROD_PRESETS``), or by naming a file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from postprod.datafiles import finite_float, toml_texts
from postprod.errors import DeliveryError
from postprod.qc.picture_rules import PictureRules


@dataclass(frozen=True, slots=True)
class DeliveryPreset:
    """What a deliverable must meet."""

    name: str
    description: str
    standard: str
    true_peak_max_dbtp: float
    sample_rate: int
    bit_depth: int  # 0: not PCM (a web file's AAC), not checked
    target_lufs: float | None = None  # no loudness target (a CD master, say)
    tolerance_lu: float = 1.0
    container: str = "wav"
    channels: int | None = None
    sample_peak_max_dbfs: float = 0.0
    max_dc_offset: float = 0.001  # -60 dBFS
    min_correlation: float = -0.2  # below: a channel pair out of phase
    max_silence_s: float = 5.0  # longer digital silence is a drop-out
    max_lf_side_db: float | None = None  # vinyl: out-of-phase bass below 150 Hz vs mid
    max_sibilance_dbfs: float | None = None  # vinyl, cassette: loudest 10 ms of 4-12 kHz
    max_hf_energy_db: float | None = None  # cassette: share of energy above 12 kHz
    stems: bool = False  # film: every bus as its own file beside the print master
    noise_shaping: bool = False  # shape the dither of the word-length cut (a 16-bit CD master)
    cue_sheet: bool = False  # a CD cue sheet (a track per track marker) beside the master
    #: which markers are CD tracks: this colour, or a name starting with "#" (REAPER's mark)
    cue_track_colour: str = "PURPLE"
    #: a ``[picture]`` table: the picture checks (black, freeze, R 103, flashing); none: sound only
    picture: PictureRules | None = None
    source: str = ""

    @staticmethod
    def from_toml(text: str, source: str) -> DeliveryPreset:
        try:
            data: dict[str, Any] = tomllib.loads(text, parse_float=finite_float)
        except tomllib.TOMLDecodeError as error:
            raise DeliveryError(
                f"preset {source} is not valid TOML ({error})", where=source
            ) from None
        known = {f.name for f in fields(DeliveryPreset)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise DeliveryError(
                f"preset {source} has unknown keys: {', '.join(unknown)}",
                where=source,
                fix=f"use only {', '.join(sorted(known - {'source'}))}",
            )
        flags = ("stems", "noise_shaping", "cue_sheet")
        wrong = [key for key in flags if key in data and not isinstance(data[key], bool)]
        if wrong:
            raise DeliveryError(
                f"preset {source}: {', '.join(wrong)} must be true or false",
                where=source,
                fix=f"write {wrong[0]} = true (or false)",
            )
        if "picture" in data:
            data["picture"] = _picture_rules(data["picture"], source)
        try:
            return DeliveryPreset(**data, source=source)
        except TypeError as error:
            raise DeliveryError(f"preset {source} is incomplete ({error})", where=source) from None


def _picture_rules(table: Any, source: str) -> PictureRules:
    """The ``[picture]`` table as rules: only known keys, numbers where numbers go."""
    known = {f.name: f for f in fields(PictureRules)}
    if not isinstance(table, dict):
        raise DeliveryError(f"preset {source}: picture must be a table", where=source)
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise DeliveryError(
            f"preset {source} has unknown picture keys: {', '.join(unknown)}",
            where=source,
            fix=f"use only {', '.join(sorted(known))}",
        )
    for key, value in table.items():
        want_bool = isinstance(getattr(PictureRules(), key), bool)
        if isinstance(value, bool) != want_bool or not isinstance(value, int | float):
            raise DeliveryError(
                f"preset {source}: picture.{key} must be {'true or false' if want_bool else 'a number'}",
                where=source,
            )
    return PictureRules(**table)


def builtin_presets() -> dict[str, DeliveryPreset]:
    """The presets that ship with postprod, by name."""
    return all_presets(None)


def all_presets(extra_folder: Path | None = None) -> dict[str, DeliveryPreset]:
    """Built-in presets, then the user's (a user preset of the same name wins)."""
    found = {}
    for source, text in toml_texts("postprod.deliver", "presets", extra_folder):
        preset = DeliveryPreset.from_toml(text, source)
        found[preset.name] = preset
    return found


def find_preset(name: str, extra_folder: Path | None = None) -> DeliveryPreset:
    """A preset by name, or from a ``.toml`` file path."""
    if name.endswith(".toml") and Path(name).is_file():
        return DeliveryPreset.from_toml(Path(name).read_text(encoding="utf-8"), name)
    presets = all_presets(extra_folder)
    if name not in presets:
        raise DeliveryError(
            f"no delivery preset named {name!r}",
            fix=f"choose one of {', '.join(presets)} (postprod presets list) or give a .toml file",
        )
    return presets[name]

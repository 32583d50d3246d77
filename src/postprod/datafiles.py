"""Data files shipped in the package and added by users: one way to list them.

Presets (delivery, effects) are TOML files in a package folder, and users
add theirs in a folder of their own; both are read as (source name, text)
pairs in name order, so a user's file of the same name can win.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path


def toml_texts(
    package: str, folder: str, extra_folder: Path | None = None
) -> Iterator[tuple[str, str]]:
    """``(source, text)`` of every ``.toml`` in ``package/folder``, then in ``extra_folder``."""
    shipped = resources.files(package) / folder
    for entry in sorted(shipped.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            yield entry.name, entry.read_text(encoding="utf-8")
    if extra_folder is not None and extra_folder.is_dir():
        for path in sorted(extra_folder.glob("*.toml")):
            yield str(path), path.read_text(encoding="utf-8")


def finite_float(text: str) -> float:
    """``tomllib``'s ``parse_float`` for every data file: ``nan`` and ``inf`` are TOML but
    never a usable gain, length or level, so they are a decoding error naming the value."""
    value = float(text)
    if not math.isfinite(value):
        raise tomllib.TOMLDecodeError(f"{text} is not a finite number")
    return value

"""``postprod sfx``: sound effects from scratch, and recipes that layer them."""

from __future__ import annotations

import inspect
import json
import tomllib
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from postprod.datafiles import finite_float
from postprod.errors import AudioError


def _parameters(name: str) -> dict[str, Any]:
    from postprod.audio.sfx import GENERATORS

    signature = inspect.signature(GENERATORS[name])
    return {k: p.default for k, p in signature.parameters.items() if p.kind is p.KEYWORD_ONLY}


def sfx_command(
    name: str = typer.Argument(
        ..., help="A generator (see: postprod sfx list), 'list' or 'recipe'."
    ),
    recipe: Path | None = typer.Argument(None, help="With 'recipe': the TOML recipe."),
    out: Path | None = typer.Option(None, "--out", "-o", help="The WAV to write."),
    seed: int = typer.Option(0, "--seed"),
    duration: float | None = typer.Option(None, "--duration", help="Seconds."),
    param: list[str] = typer.Option([], "--param", help="KEY=VALUE, repeatable."),
    sample_rate: int = typer.Option(48000, "--sample-rate"),
    as_json: bool = typer.Option(False, "--json", help="With 'list': print JSON."),
) -> None:
    """Sound effects from scratch: `sfx list`, `sfx NAME -o OUT.wav`, `sfx recipe FILE -o OUT.wav`."""
    if name == "list":
        sfx_list(as_json)
        return
    if out is None:
        raise AudioError("give the file to write with -o OUT.wav")
    if name == "recipe":
        if recipe is None:
            raise AudioError("give the recipe file: postprod sfx recipe FILE.toml -o OUT.wav")
        sfx_recipe(recipe, out, sample_rate)
        return
    sfx_make(name, out, seed, duration, param, sample_rate)


def sfx_list(as_json: bool) -> None:
    """List the generators and their parameters."""
    from postprod.audio.sfx import GENERATORS  # NumPy and SciPy: not for --help

    if as_json:
        typer.echo(json.dumps({name: _parameters(name) for name in GENERATORS}))
        return
    table = Table(title="sound effect generators", title_justify="left")
    table.add_column("name")
    table.add_column("what it is")
    table.add_column("parameters (default)")
    for name, function in GENERATORS.items():
        doc = (function.__doc__ or "").strip().splitlines()[0]
        table.add_row(name, doc, ", ".join(f"{k}={v}" for k, v in _parameters(name).items()))
    Console().print(table)


def sfx_make(
    name: str, out: Path, seed: int, duration: float | None, param: list[str], sample_rate: int
) -> None:
    """Make one sound effect."""
    from postprod.audio.sfx import generate
    from postprod.media import write_audio

    params: dict[str, Any] = {}
    for item in param:
        key, _, value = item.partition("=")
        if not key or not value:
            raise AudioError(
                f"--param {item!r} is not KEY=VALUE", fix="for example --param pace_hz=2.5"
            )
        params[key] = value if key == "surface" else float(value)
    write_audio(
        out,
        generate(name, seconds=duration, sample_rate=sample_rate, seed=seed, **params),
        sample_rate,
    )
    typer.echo(f"wrote {out}")


def sfx_recipe(recipe: Path, out: Path, sample_rate: int) -> None:
    """Make a designed effect from a recipe of layered generators (no Python needed)."""
    from postprod.audio.sfx import Layer, mix_layers
    from postprod.media import write_audio

    if not recipe.is_file():
        raise AudioError(f"recipe {recipe} does not exist", where=str(recipe))
    try:
        data = tomllib.loads(recipe.read_text(encoding="utf-8"), parse_float=finite_float)
        layers = [Layer(**layer) for layer in data["layer"]]
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise AudioError(
            f"recipe {recipe.name} is not valid ({error})",
            where=str(recipe),
            fix='write [[layer]] tables with generator = "...", at_s, gain_db, seed, params',
        ) from None
    write_audio(out, mix_layers(layers, sample_rate), sample_rate)
    typer.echo(f"wrote {out}: {len(layers)} layers")

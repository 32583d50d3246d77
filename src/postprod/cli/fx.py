"""``postprod fx``: the effects and presets, and running them over a file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from postprod.effects.presets import EffectPreset, builtin_presets, find_effect_preset
from postprod.effects.registry import EFFECTS
from postprod.errors import AudioError

app = typer.Typer(no_args_is_help=True, help="Effects and voice treatments.")


def _user_folder() -> Path | None:
    folder = os.environ.get("POSTPROD_FX_PRESETS")
    return Path(folder) if folder else None


@app.command("list")
def fx_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the effects with their parameters, and the presets."""
    presets = builtin_presets()
    if as_json:
        effects = {
            name: {key: [p.minimum, p.maximum, p.default] for key, p in params.items()}
            for name, params in EFFECTS.items()
        }
        chains = {name: [spec.to_dict() for spec in p.chain] for name, p in presets.items()}
        typer.echo(json.dumps({"effects": effects, "presets": chains}))
        return
    console = Console()
    table = Table(title="effects", title_justify="left")
    table.add_column("effect")
    table.add_column("parameters (minimum..maximum, default)")
    for name, params in EFFECTS.items():
        table.add_row(
            name,
            ", ".join(
                f"{k} {p.minimum:g}..{p.maximum:g} ({p.default:g})" for k, p in params.items()
            ),
        )
    console.print(table)
    table = Table(title="presets", title_justify="left")
    table.add_column("preset")
    table.add_column("what it does")
    table.add_column("chain")
    for name, preset in presets.items():
        table.add_row(name, preset.description, " > ".join(spec.name for spec in preset.chain))
    console.print(table)


@app.command("apply")
def fx_apply(
    source: Path = typer.Argument(..., help="The sound file to treat (never modified)."),
    out: Path = typer.Option(..., "--out", "-o", help="The file to write."),
    preset: str | None = typer.Option(None, "--preset", help="A preset name or .toml file."),
    chain: Path | None = typer.Option(None, "--chain", help="A .toml file with a chain = [...]."),
) -> None:
    """Run a preset or a chain over a file; reverb and echo tails ring out."""
    from postprod.workflows.fx import apply_chain

    if (preset is None) == (chain is None):
        raise AudioError(
            "give either --preset or --chain", fix="postprod fx list shows the presets"
        )
    if chain is not None:
        if not chain.is_file():
            raise AudioError(f"chain file {chain} does not exist", where=str(chain))
        effects = EffectPreset.from_toml(chain.read_text(encoding="utf-8"), str(chain)).chain
    else:
        assert preset is not None
        effects = find_effect_preset(preset, _user_folder()).chain
    apply_chain(source, out, effects)
    typer.echo(f"wrote {out}")

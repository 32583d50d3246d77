"""``postprod beats FILE`` and ``postprod montage P --music FILE CLIPS...``: cutting rhythm.

The analysis runs here (``workflows.beats``) and its beats go to the operations as
record frames, so the project's journal holds plain numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

BPM = typer.Option(
    None, "--bpm", help="The tempo range to look in, LO-HI BPM (e.g. 80-160): settles half/double."
)
METRE = typer.Option(None, "--metre", help="Beats per bar (3 or 4) if known; found otherwise.")


def beats_command(
    file: Path = typer.Argument(..., help="A music file (any sound or video file)."),
    as_json: bool = typer.Option(
        False, "--json", help="Print JSON: beats, downbeats, tempo, metre."
    ),
    bpm: str | None = BPM,
    metre: int | None = METRE,
    markers: Path | None = typer.Option(
        None, "--markers", help="Put beat and bar markers on this project (one undo step)."
    ),
    track: str = typer.Option(
        "", "--track", "-t", help="The markers' track (default: the programme's own markers)."
    ),
    colour: str = typer.Option("CYAN", "--colour", help="The markers' colour."),
) -> None:
    """Find a music file's beats, bars, metre and tempo map; print them or mark a project."""
    from postprod.workflows.beats import analyse_file, parse_bpm_range

    rhythm = analyse_file(file, bpm_range=parse_bpm_range(bpm), metre=metre)
    if markers is not None:
        _mark(markers, file, rhythm, track, colour)
    if as_json:
        typer.echo(json.dumps(rhythm.to_dict()))
        return
    if markers is not None:
        return
    table = Table(title=f"{file.name}", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("beats", str(len(rhythm.beats_s)))
    table.add_row("bars", str(len(rhythm.downbeats_s)))
    table.add_row("metre", f"{rhythm.metre}/4")
    for point in rhythm.tempo[:12]:
        table.add_row(f"tempo from {point.time_s:.2f} s", f"{point.bpm:.1f} BPM")
    if len(rhythm.tempo) > 12:
        table.add_row("tempo changes", f"{len(rhythm.tempo)} in all (--json lists them)")
    console = Console()
    console.print(table)
    if rhythm.ambiguous:
        console.print(
            f"half or double tempo is nearly as likely ({rhythm.alternative_bpm} BPM): "
            "give --bpm LO-HI to settle it"
        )


def _mark(project: Path, file: Path, rhythm: object, track: str, colour: str) -> None:
    from postprod.audio.rhythm.analysis import Rhythm
    from postprod.cli.applying import _log
    from postprod.operations import Project
    from postprod.operations.rhythm import MarkBeats
    from postprod.project import load_project
    from postprod.timeline.slots import Where
    from postprod.workflows.beats import music_offset, to_record_frames

    assert isinstance(rhythm, Rhythm)
    timeline = load_project(project)
    where = Where.of(timeline, project.parent)
    offset = music_offset(timeline, file, where)
    beats = to_record_frames(rhythm.beats_s, where.rate, offset=offset)
    bars = to_record_frames(rhythm.downbeats_s, where.rate, offset=offset)
    operation = MarkBeats(
        tuple(b for b in beats if b >= 0), tuple(b for b in bars if b >= 0), track, colour
    )
    Project(project).apply(operation)
    _log(project, f"mark-beats: {len(beats)} beats of {file.name}", {"operation": "mark-beats"})
    typer.echo(f"mark-beats: {len(operation.beats)} beats, {len(operation.downbeats)} bars marked")


def montage_command(
    project: Path = typer.Argument(..., help="The project (.otio) to lay the montage on."),
    clips: list[Path] = typer.Argument(..., help="Picture files, laid in turn."),
    music: Path = typer.Option(..., "--music", help="The music to cut to."),
    every: int = typer.Option(1, "--every", help="Cut every N units."),
    unit: str = typer.Option("bar", "--unit", help="beat, bar or downbeat."),
    energy: bool = typer.Option(
        False, "--energy", help="Cut less often where the music is quiet (x2, x4)."
    ),
    snap_onsets: bool = typer.Option(
        False, "--snap-onsets", help="Cut on a strong onset within 70 ms of the beat instead."
    ),
    track: str = typer.Option("V1", "--track", "-t", help="The picture track."),
    music_track: str = typer.Option("A1", "--music-track", help="The music's track."),
    at: int = typer.Option(0, "--at", help="Record frame where the music starts."),
    ins: str = typer.Option(
        "", "--ins", help="Each clip's in point, frames, comma-separated (default: 0)."
    ),
    bpm: str | None = BPM,
) -> None:
    """Lay clips on the music's beats or bars: each cut on the frame at or just before its beat."""
    from postprod.operations import Project
    from postprod.operations.rhythm import LayMontage
    from postprod.project import load_project
    from postprod.timeline.slots import Where
    from postprod.workflows import beats as rhythm_flow

    rhythm = rhythm_flow.analyse_file(music, bpm_range=rhythm_flow.parse_bpm_range(bpm))
    times = rhythm_flow.chosen(rhythm, every, unit)
    if energy:
        times = rhythm_flow.by_energy(rhythm, times, every)
    if snap_onsets:
        times = rhythm_flow.snapped(times, rhythm.onsets_s)
    where = Where.of(load_project(project), project.parent)
    cuts = rhythm_flow.to_record_frames(times, where.rate, offset=at, rule="before")
    points = tuple(int(x) for x in ins.split(",") if x.strip()) if ins else ()
    operation = LayMontage(
        track,
        tuple(_stored(c, project) for c in clips),
        cuts,
        points,
        _stored(music, project),
        music_track,
        at,
    )
    Project(project).apply(operation)
    from postprod.cli.applying import _log

    _log(
        project,
        f"montage: {len(cuts) - 1} shots on {music.name}",
        {"operation": operation.to_dict()},
    )
    typer.echo(f"montage: {len(cuts) - 1} shots cut to {music.name} (every {every} {unit})")


def _stored(media: Path, project: Path) -> str:
    """A file named on the command line as the project stores it (relative to it)."""
    import os

    from postprod.errors import EditError

    if not media.is_file():
        raise EditError(f"media {media} does not exist", where=str(media), fix="check the path")
    return os.path.relpath(media.resolve(), project.parent.resolve())
